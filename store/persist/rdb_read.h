/*
 * rdb_read.h - private to store/persist's loading half: a bounds-checked
 * reader over untrusted RDB bytes, the value decoder, and the ziplist /
 * zipmap converters (the RDB 9 era encodings).
 *
 * Every read checks the bytes left before it looks at them; a failure
 * records a message and the offset of the byte where it happened in
 * rd->err (the first failure wins, so the innermost, most precise message
 * is the one reported) and returns -1.
 *
 * Concurrency: none; a reader belongs to the call that made it.
 */
#ifndef FLASHKV_STORE_PERSIST_RDB_READ_H
#define FLASHKV_STORE_PERSIST_RDB_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/base/num.h"
#include "store/cmd/cfg.h"
#include "store/db/entry.h"
#include "store/persist/rdb.h"

/* RDB value types (rdb.c's RDB_TYPE_*). */
enum {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
    RDB_TYPE_SET_LISTPACK = 20,
    RDB_TYPE_STREAM_LISTPACKS_3 = 21,
};

/* Largest string a payload may decompress to (proto-max-bulk-len). */
#define RDB_MAX_STR (512ull * 1024 * 1024)

typedef struct rdb_rd {
    const unsigned char *base;  /* offsets count from here */
    const unsigned char *p;     /* next byte */
    const unsigned char *end;
    rdb_err_t *err;
    bool failed;                /* err holds the first failure */
    bool oom;                   /* that failure was out of memory */
} rdb_rd_t;

/* A string read from the payload: s points into the payload, into heap
 * (LZF output) or into buf (integer forms).  Do not copy the struct. */
typedef struct rdb_str {
    const char *s;
    size_t len;
    char *heap;
    char buf[NUM_LL_BUF];
} rdb_str_t;

void rdb__rd_init(rdb_rd_t *rd, const unsigned char *p, size_t n, rdb_err_t *err);
/* Record a failure at the current offset (printf-style); returns -1. */
int rdb__fail(rdb_rd_t *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record out of memory; returns -1. */
int rdb__oom(rdb_rd_t *rd);
static inline size_t rdb__left(const rdb_rd_t *rd) { return (size_t)(rd->end - rd->p); }
static inline size_t rdb__off(const rdb_rd_t *rd) { return (size_t)(rd->p - rd->base); }

/* n raw bytes (pointing into the payload). */
int rdb__bytes(rdb_rd_t *rd, size_t n, const unsigned char **out);
int rdb__u8(rdb_rd_t *rd, unsigned *v);
/* A length; *enc (if not NULL) says it was an ENCVAL form (the value is
 * then the RDB_ENC_* code): a caller that wants a plain length passes
 * NULL and an ENCVAL is refused. */
int rdb__len(rdb_rd_t *rd, uint64_t *len, bool *enc);
/* A string in any form; free with rdb__str_done (a failure leaves
 * nothing to free, and rdb__str_done is then a no-op). */
int rdb__str(rdb_rd_t *rd, rdb_str_t *s);
void rdb__str_done(rdb_str_t *s);
/* A string copied into a new malloc'd buffer of exactly its length (at
 * least 1 byte allocated): for listpacks, intsets, ziplists. */
int rdb__blob(rdb_rd_t *rd, unsigned char **out, size_t *len);
/* Scores: 8-byte little-endian IEEE (ZSET_2), or RDB_TYPE_ZSET's length
 * byte + text (255 -inf, 254 +inf, 253 nan: refused). */
int rdb__double_bin(rdb_rd_t *rd, double *v);
int rdb__double_str(rdb_rd_t *rd, double *v);
/* Expiry fields: 8-byte ms, 4-byte seconds (both little endian). */
int rdb__time_ms(rdb_rd_t *rd, int64_t *ms);
int rdb__time_s(rdb_rd_t *rd, int64_t *ms);

/* ---- values (rdb_load_value.c) ---- */

/* Decode one value of RDB type `type` into a new entry under key.
 * 0 with *out set; 1 when the value is an empty collection (nothing
 * made: rdb_load skips such keys as Redis does, RESTORE refuses them);
 * -1 with rd->err filled. */
int rdb__load_value(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                    const store_cfg_t *cfg, entry_t **out);

/* Hashes and sorted sets (rdb_load_hz.c), as rdb__load_value. */
int rdb__load_hash(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                   const store_cfg_t *cfg, entry_t **out);
int rdb__load_zset(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                   const store_cfg_t *cfg, entry_t **out);

/* ---- RDB 9 era encodings (rdb_ziplist.c) ---- */

/* A ziplist's n bytes as a new listpack of the same elements, every
 * byte bounds-checked (header sizes, entry encodings, prevlen links,
 * count, terminator).  0 with *lp set, or -1 (rd->err filled, using
 * rd's current offset). */
int rdb__zl_to_lp(rdb_rd_t *rd, const unsigned char *zl, size_t n, unsigned char **lp);
/* A zipmap's n bytes as a new listpack of field, value, ... */
int rdb__zm_to_lp(rdb_rd_t *rd, const unsigned char *zm, size_t n, unsigned char **lp);

#endif
