/*
 * rdb.h - Redis 7.0's RDB format (version 10): values <-> bytes.  No
 * threads, no files, no sockets: the writer actors (net/persist) own the
 * files and call these on byte buffers.
 *
 * Saving writes what Redis 7.0 writes for each FlashKV encoding, so
 * redis-check-rdb and redis-server 7.0 accept the result:
 *   string        RDB_TYPE_STRING: integer forms (8, 16, 32 bit) for
 *                 canonical integers that fit, LZF when compression is on
 *                 and it saves bytes (Redis's rules), raw otherwise
 *   list          RDB_TYPE_LIST_QUICKLIST_2, one listpack per node
 *   set           intset: RDB_TYPE_SET_INTSET (the intset's bytes);
 *                 listpack or hash table: RDB_TYPE_SET (members)
 *   hash          listpack: RDB_TYPE_HASH_LISTPACK; table: RDB_TYPE_HASH
 *   zset          listpack: RDB_TYPE_ZSET_LISTPACK; zs: RDB_TYPE_ZSET_2
 *                 (binary doubles)
 * Loading reads every type Redis 7.0 writes and the older encodings still
 * found in RDB 9 files (ziplists, zipmaps, linked lists, string scores),
 * validates every byte (a corrupt payload is refused, never trusted), and
 * gives each value the encoding FlashKV's settings (store_cfg_t) pick, as
 * Redis converts on load.  Streams and modules are refused with a clear
 * error (FlashKV has neither).
 *
 * The same code makes DUMP payloads (value type, value, RDB version as 2
 * bytes LE, CRC64 of all that as 8 bytes LE) and reads RESTORE's.
 *
 * Errors: encoders return 0 or -ENOMEM (the buffer then holds a partial
 * record: the caller drops it).  Decoders return 0 or -1 with a message
 * and the byte offset in rdb_err_t.
 *
 * Concurrency: pure functions over caller-owned buffers; an entry is read
 * or made on the thread that owns it (a new entry belongs to the caller).
 */
#ifndef FLASHKV_STORE_PERSIST_RDB_H
#define FLASHKV_STORE_PERSIST_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/cmd/cfg.h"
#include "store/db/entry.h"

/* The version FlashKV writes, and the newest it reads. */
#define RDB_VERSION 10

/* ---- byte buffer -------------------------------------------------------- */

/* A growing buffer the encoders append to.  Zero-initialise it; free
 * with rdb_buf_free.  Reset len to 0 to reuse the memory. */
typedef struct rdb_buf {
    unsigned char *p;
    size_t len, cap;
} rdb_buf_t;

void rdb_buf_free(rdb_buf_t *b);
/* Append n bytes. 0 or -ENOMEM. */
int rdb_buf_put(rdb_buf_t *b, const void *p, size_t n);

/* ---- CRC-64 (Redis's: Jones polynomial, reflected, init 0) ------------- */

/* crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9ca. */
uint64_t rdb_crc64(uint64_t crc, const void *p, size_t n);

/* ---- saving ------------------------------------------------------------- */

/* One AUX field of the header. */
typedef struct rdb_aux {
    const char *key;
    const char *val;        /* NUL-terminated */
} rdb_aux_t;

/* "REDIS0010" then the AUX fields given (the caller passes Redis 7.0's:
 * redis-ver, redis-bits, ctime, used-mem, aof-base). */
int rdb_put_header(rdb_buf_t *b, const rdb_aux_t *aux, size_t naux);
/* SELECTDB db, then RESIZEDB keys expires. */
int rdb_put_selectdb(rdb_buf_t *b, int db, uint64_t keys, uint64_t expires);
/* One key: [EXPIRETIME_MS when] type key value.  expire_ms -1: no TTL.
 * compress: rdbcompression (LZF for strings over 20 bytes when it saves). */
int rdb_put_key(rdb_buf_t *b, const entry_t *e, int64_t expire_ms, bool compress);
/* The EOF opcode; then the caller appends rdb_put_crc of every byte of
 * the file so far (EOF included), or 0 when rdbchecksum is off. */
int rdb_put_eof(rdb_buf_t *b);
int rdb_put_crc(rdb_buf_t *b, uint64_t crc);

/* DUMP's payload for e's value (RDB_VERSION, CRC64). */
int rdb_dump(rdb_buf_t *b, const entry_t *e, bool compress);

/* ---- loading ------------------------------------------------------------ */

typedef struct rdb_err {
    char msg[128];
    size_t offset;          /* bytes from the start of the image */
} rdb_err_t;

/* What rdb_load reports as it reads a file image.  Each callback returns
 * 0 to go on, or -1 to stop the load (it then fills err->msg). */
typedef struct rdb_load_cb {
    void *arg;
    /* AUX field (may be NULL: ignored). */
    int (*aux)(void *arg, const char *key, size_t klen, const char *val, size_t vlen,
               rdb_err_t *err);
    /* RESIZEDB of the current db (may be NULL). */
    int (*resize)(void *arg, int db, uint64_t keys, uint64_t expires, rdb_err_t *err);
    /* One key of database db: e (its key inside, lru 0) now belongs to
     * the callback; expire_ms -1 = none; idle_s (IDLE opcode) and freq
     * (FREQ opcode) -1 when absent. */
    int (*key)(void *arg, int db, entry_t *e, int64_t expire_ms, int64_t idle_s, int freq,
               rdb_err_t *err);
} rdb_load_cb_t;

/* Read the whole RDB image p[0..n): header (REDIS0001..REDIS0010),
 * opcodes, keys, EOF and the CRC (checked unless it is 0, as Redis).
 * Databases beyond ndbs are refused.  0 or -1 with err filled (a
 * truncated image is "Unexpected EOF reading RDB file"-like, at the
 * offset where it ended). */
int rdb_load(const unsigned char *p, size_t n, int ndbs, const store_cfg_t *cfg,
             const rdb_load_cb_t *cb, rdb_err_t *err);

/* RESTORE: check a DUMP payload (version <= RDB_VERSION, its CRC64:
 * always, a zero CRC too, as redis-server) and decode its value into a
 * new entry under key.  0 with *out set, or -1 with err->msg "DUMP
 * payload version or checksum are wrong" or "Bad data format" (Redis's
 * texts, without "ERR "); out of memory is also -1, with "out of
 * memory". */
int rdb_restore(const unsigned char *p, size_t n, const void *key, size_t klen,
                const store_cfg_t *cfg, entry_t **out, rdb_err_t *err);

#endif
