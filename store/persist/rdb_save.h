/*
 * rdb_save.h - the saving half's building blocks, shared by rdb_save.c
 * (lengths, strings, records), rdb_save_value.c (one value per encoding)
 * and rdb_dump.c.  Internal to store/persist: the public API is rdb.h.
 *
 * Every function appends to b and returns 0 or -ENOMEM (b then holds a
 * partial record: the caller drops it).
 *
 * Concurrency: as rdb.h (pure functions over caller-owned buffers).
 */
#ifndef FLASHKV_STORE_PERSIST_RDB_SAVE_H
#define FLASHKV_STORE_PERSIST_RDB_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/persist/rdb.h"

/* Value types and opcodes, Redis 7.0's numbers. */
enum {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_SET = 2,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
};
enum {
    RDB_OP_AUX = 250,
    RDB_OP_RESIZEDB = 251,
    RDB_OP_EXPIRETIME_MS = 252,
    RDB_OP_SELECTDB = 254,
    RDB_OP_EOF = 255,
};
/* Quicklist node containers. */
#define RDB_QL_PACKED 2

/* Redis's rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit length form. */
int rdb__put_len(rdb_buf_t *b, uint64_t len);
/* rdbEncodeInteger's forms (8, 16, 32 bit) when v fits one; else the
 * decimal digits as a plain string (rdbSaveLongLongAsStringObject). */
int rdb__put_ll(rdb_buf_t *b, long long v);
/* rdbSaveRawString: an integer form when s is a canonical integer of at
 * most 11 bytes that fits 32 bits, LZF when compress and len > 20 and it
 * saves at least 4 bytes, else length + bytes. */
int rdb__put_str(rdb_buf_t *b, const void *s, size_t len, bool compress);
/* An already LZF-compressed blob of clen bytes that expands to len. */
int rdb__put_lzf(rdb_buf_t *b, const void *c, size_t clen, size_t len);
/* 8-byte little-endian IEEE double (ZSET_2 scores). */
int rdb__put_double(rdb_buf_t *b, double d);
static inline int rdb__put_byte(rdb_buf_t *b, unsigned char c)
{
    return rdb_buf_put(b, &c, 1);
}
/* Little-endian unsigned of n bytes. */
int rdb__put_le(rdb_buf_t *b, uint64_t v, unsigned n);

/* The RDB type byte for e's value (rdb_save_value.c). */
unsigned rdb__type_of(const entry_t *e);
/* e's value in the layout of rdb__type_of(e) (rdb_save_value.c). */
int rdb__put_value(rdb_buf_t *b, const entry_t *e, bool compress);

#endif
