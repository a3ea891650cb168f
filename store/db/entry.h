/*
 * entry.h - one key and its value: a string in the same allocation, or a
 * collection (list, set, hash...) the entry points to.
 *
 * An entry is what the hash table chains: the key bytes live inline after
 * the header.  `otype` says the value's type (value.h).  A collection is
 * the object v.obj in the encoding `type` names (value.h's ENC_*): the
 * entry owns it, and the collection commands change it in place through
 * the keyspace (ks_changed).  A string value is one of three encodings
 * chosen to avoid extra allocations for the common small cases (the same
 * ones Redis uses):
 *
 *   ENTRY_INT  canonical decimal integer of <= 20 chars, kept as int64
 *              (INCR works in place, no parse, no allocation);
 *   ENTRY_EMB  string of <= ENTRY_EMB_MAX bytes stored inline after the key;
 *   ENTRY_RAW  pointer to a separate heap buffer with spare capacity, so
 *              APPEND and SETRANGE grow it geometrically.
 *
 * The encoding is also what OBJECT ENCODING reports ("int", "embstr",
 * "raw"), so it follows Redis's choices, not just size: SET-like writes
 * pick the smallest (entry_new, entry_set_val), INCRBYFLOAT never makes an
 * int (entry_new_str, entry_set_str), and APPEND/SETRANGE always leave a
 * RAW value (entry_resize). Each entry also carries Redis's 24-bit LRU
 * clock (seconds) of its last access, for OBJECT IDLETIME.
 *
 * Ownership: an entry owns its RAW buffer or its collection object.
 * entry_free releases both.
 * Functions that may need a bigger allocation return the (possibly new)
 * entry; when it is new, the old one is untouched and the caller swaps it
 * into the table (dict_replace) and frees the old one.
 *
 * Concurrency: none; entries belong to the one thread that owns the shard.
 */
#ifndef FLASHKV_STORE_ENTRY_H
#define FLASHKV_STORE_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/base/num.h"
#include "value.h"

/* Largest value kept inline (Redis's embstr limit). */
#define ENTRY_EMB_MAX 44
/* Largest string value or key (Redis's default proto-max-bulk-len). */
#define ENTRY_MAX_LEN (512ull * 1024 * 1024)

/* Redis's LRU clock: unix seconds modulo 2^24 (wraps every 194 days). */
#define ENTRY_LRU_BITS 24
#define ENTRY_LRU_MAX ((1u << ENTRY_LRU_BITS) - 1)

enum entry_type {
    ENTRY_INT = 0,
    ENTRY_EMB = 1,
    ENTRY_RAW = 2,
};

typedef struct entry {
    struct entry *next;     /* hash chain; owned by dict.c */
    union {
        int64_t i;          /* ENTRY_INT */
        char *raw;          /* ENTRY_RAW: heap buffer of vcap bytes */
        void *obj;          /* a collection (otype != OBJ_STRING) */
    } v;
    uint32_t klen;
    uint32_t vlen;          /* EMB/RAW: value length in bytes */
    uint32_t vcap;          /* RAW: buffer capacity */
    uint32_t xslot;         /* expiry index position + 1, 0 = no TTL; owned by keyspace.c */
    uint32_t type : 2;      /* strings: enum entry_type; collections: ENC_* */
    uint32_t unshared : 1;  /* INT made by COPY: Redis's refcount is 1, not shared */
    uint32_t otype : 3;     /* enum value_type */
    uint32_t lru : ENTRY_LRU_BITS;  /* last access (entry_lru_clock); set by keyspace.c */
    uint32_t snap : 1;      /* snapshot epoch it was last saved in; owned by ks_snap.c */
    char key[];             /* klen key bytes, then vlen bytes if ENTRY_EMB */
} entry_t;

/* New entry holding a copy of key and of the value bytes, in the smallest
 * encoding that fits. NULL on allocation failure. xslot is 0. */
entry_t *entry_new(const void *key, size_t klen, const void *val, size_t vlen);

/* As entry_new, but never the INT encoding (INCRBYFLOAT's result is a
 * string even when it reads "5"). NULL on allocation failure. */
entry_t *entry_new_str(const void *key, size_t klen, const void *val, size_t vlen);

/* A copy of e's value (same encoding: COPY keeps "int"/"embstr"/"raw")
 * under another key; no TTL, unshared set for INT, lru copied. NULL on
 * allocation failure. */
entry_t *entry_dup(const entry_t *e, const void *key, size_t klen);

/* New entry holding the collection obj (type otype, encoding enc), which
 * it owns from then on. NULL on allocation failure (obj untouched). */
entry_t *entry_new_obj(const void *key, size_t klen, unsigned otype, unsigned enc, void *obj);

/* Whether e holds a string (the string functions below need one). */
static inline bool entry_is_str(const entry_t *e) { return e->otype == OBJ_STRING; }

/* Detach e's collection (which the caller now owns) and leave e holding
 * the integer 0, a string: for an overwrite with a string value. */
static inline void *entry_take_obj(entry_t *e)
{
    void *obj = e->v.obj;
    e->otype = OBJ_STRING;
    e->type = ENTRY_INT;
    e->v.i = 0;
    return obj;
}

/* New entry with an integer value. NULL on allocation failure. */
entry_t *entry_new_int(const void *key, size_t klen, int64_t v);

/* New entry with a zero-filled RAW value of vlen bytes (SETRANGE on a
 * missing key). NULL on allocation failure. */
entry_t *entry_new_zeroed(const void *key, size_t klen, size_t vlen);

/* Give e the value val (e must hold a string: entry_take_obj first).
 * Returns e itself when the new value fits in e's
 * allocation, otherwise a new entry (same key, same xslot) and leaves e
 * untouched; NULL on allocation failure (e untouched). */
entry_t *entry_set_val(entry_t *e, const void *val, size_t vlen);

/* As entry_set_val, without the INT encoding (see entry_new_str). */
entry_t *entry_set_str(entry_t *e, const void *val, size_t vlen);

/* Give e an integer value, in place (never allocates). */
void entry_set_int(entry_t *e, int64_t v);

/* Make the value a RAW string of newlen bytes (converting INT/EMB, keeping
 * the current bytes, zero-filling any growth) with room for future appends.
 * In place: the entry address does not change. 0 or -ENOMEM. */
int entry_resize(entry_t *e, size_t newlen);

/* Writable pointer to a RAW value's bytes (after entry_resize). */
static inline char *entry_raw(entry_t *e) { return e->v.raw; }

/* The value's bytes and length. INT values are printed into buf (which
 * must hold NUM_LL_BUF bytes); the pointer is valid until e changes. */
const char *entry_str(const entry_t *e, char *buf, size_t *len);

/* Value length in bytes as a string (STRLEN). */
size_t entry_strlen(const entry_t *e);

/* The value as an integer if it is one (Redis's string2ll rules). */
bool entry_get_ll(const entry_t *e, long long *out);

/* Bytes of memory held by e (allocator's usable sizes). */
size_t entry_mem(const entry_t *e);

/* The encoding name OBJECT ENCODING reports: "int", "embstr" or "raw"
 * for strings, value_enc_name's for collections. */
const char *entry_encoding(const entry_t *e);

/* OBJECT REFCOUNT: Redis shares one object per integer 0..9999 (refcount
 * INT_MAX) wherever it stores such an int; everything else is 1. */
long long entry_refcount(const entry_t *e);

/* LRU clock value of a unix time in ms (Redis's LRU_CLOCK). */
static inline uint32_t entry_lru_clock(int64_t now_ms)
{
    return (uint32_t)(now_ms / 1000) & ENTRY_LRU_MAX;
}

/* Milliseconds since e's last access (Redis's estimateObjectIdleTime:
 * second resolution, wrap-around aware). */
uint64_t entry_idle_ms(const entry_t *e, int64_t now_ms);

/* Free e and its value buffer. NULL is a no-op. */
void entry_free(entry_t *e);

static inline bool entry_key_eq(const entry_t *e, const void *key, size_t klen)
{
    return e->klen == klen && memcmp(e->key, key, klen) == 0;
}

#endif
