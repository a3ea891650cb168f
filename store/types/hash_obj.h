/*
 * hash_obj.h - a hash value, whatever its encoding: the few operations the
 * hash commands are written over (find, set, delete, iterate, random
 * picks, scan), so each command exists once and only this module knows
 * the encodings.
 *
 * Encodings (store/db/value.h): while small, one listpack of field, value,
 * field, value... (ENC_HASH_LP: the listpack's bytes are the whole value,
 * nothing else is allocated); past Redis's thresholds a hash table in map
 * mode (ENC_HASH_HT: one allocation per field, holding field and value).
 * A hash converts from listpack to table exactly where Redis 7.0 converts
 * (hash_obj_prepare before a write, hash_obj_set on every write) and never
 * back.
 *
 * Views: a field or value read from a hash is a hash_obj_sv_t that points
 * into the value (a listpack keeps canonical integers as integers: then
 * s is NULL and ll holds the number).  A view is valid until the hash
 * next changes.
 *
 * Ownership: the entry owns the encoding's object; these functions change
 * e->v.obj and e->type in place.  The caller takes entry_mem(e) before and
 * calls ks_changed after (and deletes an emptied hash), as keyspace.h
 * requires.
 *
 * Concurrency: none; the shard's thread (as cmd_exec).  The random picks
 * use a per-thread generator.
 */
#ifndef FLASHKV_STORE_TYPES_HASH_OBJ_H
#define FLASHKV_STORE_TYPES_HASH_OBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "store/base/num.h"
#include "store/base/reply.h"
#include "store/cmd/cfg.h"
#include "store/cmd/cmd.h"
#include "store/db/entry.h"
#include "store/enc/ht.h"

/* A field or value: the bytes s[0..len), or, when s is NULL, the integer
 * ll (a listpack integer; its text is its canonical decimal). */
typedef struct hash_obj_sv {
    const char *s;
    size_t len;
    long long ll;
} hash_obj_sv_t;

/* The bytes of v: its own, or ll printed into buf.  Sets *len. */
const char *hash_obj_sv_bytes(const hash_obj_sv_t *v, char buf[NUM_LL_BUF], size_t *len);
/* Length in bytes of v's text (HSTRLEN). */
size_t hash_obj_sv_len(const hash_obj_sv_t *v);
/* Reply v as a bulk string. */
void hash_obj_sv_reply(reply_t *r, const hash_obj_sv_t *v);

/* A pair reported by hash_obj_pick / hash_obj_scan. */
typedef void (*hash_obj_pair_fn)(void *arg, const hash_obj_sv_t *f, const hash_obj_sv_t *v);

/* ---- the value as a whole ---- */

/* A new empty hash object (a listpack, ENC_HASH_LP); NULL on ENOMEM. */
void *hash_obj_new(void);
/* Number of fields. */
size_t hash_obj_len(const entry_t *e);

/* Redis's check before a write of the strings argv[first..last] (fields
 * and values: HSET, HSETNX): a listpack becomes a hash table if one of
 * them is longer than hash-max-listpack-value, or if together they would
 * take the listpack past its safe size.  0, or -ENOMEM (unchanged). */
int hash_obj_prepare(entry_t *e, const store_cfg_t *cfg, const cmd_arg_t *argv, int first,
                     int last);
/* Make a listpack hash a hash table (a table stays one).  0 or -ENOMEM
 * (unchanged). */
int hash_obj_convert(entry_t *e);

/* ---- fields ---- */

/* The value of field f into *val: true, or false if there is none. */
bool hash_obj_get(entry_t *e, const char *f, size_t flen, hash_obj_sv_t *val);
/* Set field f to v (copied; neither may point into the hash).  A
 * listpack converts first if f or v is longer than
 * hash-max-listpack-value, and after adding if it then has more than
 * hash-max-listpack-entries fields.  1 if the field is new, 0 if it was
 * updated, -ENOMEM (nothing changed, except perhaps the conversion). */
int hash_obj_set(entry_t *e, const store_cfg_t *cfg, const char *f, size_t flen,
                 const char *v, size_t vlen);
/* Delete field f: whether it was there. */
bool hash_obj_del(entry_t *e, const char *f, size_t flen);

/* ---- iteration ---- */

/* Every pair once, in the encoding's order (a listpack's insertion
 * order, a table's bucket order).  The hash must not change meanwhile. */
typedef struct hash_obj_iter {
    entry_t *e;
    unsigned char *p;       /* listpack: the next field */
    ht_iter_t hi;           /* hash table */
} hash_obj_iter_t;

void hash_obj_iter_init(hash_obj_iter_t *it, entry_t *e);
/* The next pair (v may be NULL); false at the end. */
bool hash_obj_iter_next(hash_obj_iter_t *it, hash_obj_sv_t *f, hash_obj_sv_t *v);

/* ---- random picks and scans ---- */

/* One random pair of a non-empty hash (v may be NULL). */
void hash_obj_random(entry_t *e, hash_obj_sv_t *f, hash_obj_sv_t *v);

/* Report count random pairs through fn: with repeats (each pick
 * independent), or distinct (then count must be below the length; a
 * listpack reports them in its order, a table in random order).  Work is
 * O(count) plus, for a listpack or a table with count > len / 3,
 * O(len).  -ENOMEM before anything is reported if the working memory
 * cannot be had; else 0. */
int hash_obj_pick(entry_t *e, size_t count, bool distinct, hash_obj_pair_fn fn, void *arg);

/* One step of HSCAN from cursor: a listpack reports every pair and
 * returns 0; a table reports one bucket's pairs (ht_scan: every field
 * present for the whole scan is reported at least once) and returns the
 * next cursor, 0 when done.  fn must not change the hash. */
size_t hash_obj_scan(entry_t *e, size_t cursor, hash_obj_pair_fn fn, void *arg);

#endif
