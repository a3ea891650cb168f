/*
 * value.h - what every value type shares, whatever its encoding: its name
 * (TYPE, OBJECT ENCODING), its memory, its length, copying (COPY) and
 * freeing, all at once or in bounded steps (big values are freed in
 * steps between commands, so deleting a collection of millions of
 * elements never stalls its shard).
 *
 * A value is (type, encoding, object): the object is the encoding's own
 * structure (store/enc/): a listpack, an intset, a quicklist or a hash
 * table, or a sorted set's zs.h.  Strings live inside their entry (entry.h) and are not objects
 * here.
 *
 * Concurrency: none; a value belongs to the thread that owns its shard.
 */
#ifndef FLASHKV_STORE_VALUE_H
#define FLASHKV_STORE_VALUE_H

#include <stdbool.h>
#include <stddef.h>

/* Value types, as TYPE names them.  OBJ_STRING values are entry.h's. */
enum value_type {
    OBJ_STRING = 0,
    OBJ_LIST = 1,
    OBJ_SET = 2,
    OBJ_HASH = 3,
    OBJ_ZSET = 4,
};

/* Encodings of each collection type (entry.h's `type` field holds them).
 * Redis 7.0 reports every list as "quicklist" and every set that is not
 * an intset as "hashtable"; FlashKV keeps small ones in one listpack
 * behind those names (OBJECT ENCODING says what Redis would). */
enum {
    ENC_LIST_LP = 0,    /* one listpack ("quicklist") */
    ENC_LIST_QL = 1,    /* quicklist of listpacks ("quicklist") */
};
enum {
    ENC_SET_INTSET = 0, /* intset ("intset") */
    ENC_SET_LP = 1,     /* listpack of members ("hashtable") */
    ENC_SET_HT = 2,     /* ht.h, set mode ("hashtable") */
};
enum {
    ENC_HASH_LP = 0,    /* listpack of field, value pairs ("listpack") */
    ENC_HASH_HT = 1,    /* ht.h, map mode ("hashtable") */
};
enum {
    ENC_ZSET_LP = 0,    /* listpack of member, score pairs, sorted ("listpack") */
    ENC_ZSET_ZS = 1,    /* zs.h: member index and order tree ("skiplist") */
};

/* Values with more elements than this are freed in steps (Redis's
 * LAZYFREE_THRESHOLD). */
#define VALUE_LAZY_FREE_MIN 64

/* "string", "list", "set", "hash", "zset". */
const char *value_type_name(unsigned type);
/* What OBJECT ENCODING reports (Redis 7.0's names). */
const char *value_enc_name(unsigned type, unsigned enc);
/* Elements: list entries, set members, hash fields, zset members. */
size_t value_len(unsigned type, unsigned enc, const void *obj);
/* Bytes held (the allocator's usable sizes). */
size_t value_mem(unsigned type, unsigned enc, const void *obj);
/* A deep copy in the same encoding; NULL on ENOMEM. */
void *value_dup(unsigned type, unsigned enc, const void *obj);
/* Free at once: O(elements). */
void value_free(unsigned type, unsigned enc, void *obj);
/* Free at most *budget elements (or nodes, or buckets), decreasing
 * *budget; true once all is freed.  After the first call only
 * value_free_step may be used on obj. */
bool value_free_step(unsigned type, unsigned enc, void *obj, size_t *budget);

#endif
