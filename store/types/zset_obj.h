/*
 * zset_obj.h - a sorted set value, whatever its encoding: the few
 * operations the sorted set commands (and GEO, later) are written over,
 * so each command exists once and only this module knows the encodings.
 *
 * Encodings (store/db/value.h):
 *   ENC_ZSET_LP  one listpack of member, score, member, score... sorted
 *                by (score, member), in Redis 7.0's own byte format: a
 *                member that is a canonical int64 decimal is stored as an
 *                integer, a score that is an integral double within
 *                +-2^62 as an integer, any other score as "%.17g" text
 *                ("inf", "-inf"); -0 is thus stored as 0, as in Redis
 *                ("listpack");
 *   ENC_ZSET_ZS  store/enc/zs.h: a hash index by member and an order
 *                tree by (score, member) with ranks ("skiplist").
 * Order: scores as doubles (-0 equals 0), then member bytes (memcmp, a
 * prefix first), as Redis.  Scores are never NaN: callers refuse NaN.
 *
 * Conversions, as Redis 7.0: a listpack becomes the big form when a new
 * member would make it longer than zset-max-listpack-entries, or the new
 * member is longer than zset-max-listpack-value bytes (zobj_insert), and
 * never goes back; a set built whole (the STORE commands' results:
 * zobj_build) is a listpack when it fits both limits, else the big form.
 * A new key made by ZADD starts as a listpack unless the limits rule out
 * its first member (zobj_new_for).
 *
 * Ranks: 0 is the lowest (score, member); every lookup by position goes
 * by rank, so a command is written once for both encodings.  A listpack
 * answers in O(n) (it is small), the big form in O(log n).
 *
 * Views: a zobj_elem_t holds a member's bytes (pointing into the value,
 * or into its own buf for a listpack integer: do not copy the struct)
 * and its score.  A view is valid until the set next changes.
 *
 * Ownership: a zobj_t owns its object until it is stored in an entry
 * (zobj_store) or freed (zobj_free).  Members are copied in.  The caller
 * of a write takes entry_mem(e) before and calls ks_changed after (and
 * deletes an emptied set), as keyspace.h requires: zobj_commit does both.
 *
 * Concurrency: none; the shard's thread (as cmd_exec).  Random picks use
 * a per-thread generator.
 */
#ifndef FLASHKV_STORE_TYPES_ZSET_OBJ_H
#define FLASHKV_STORE_TYPES_ZSET_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/base/num.h"
#include "store/cmd/cfg.h"
#include "store/db/entry.h"
#include "store/db/keyspace.h"
#include "store/enc/zs.h"

/* A sorted set value apart from its entry. */
typedef struct zobj {
    unsigned enc;               /* ENC_ZSET_* */
    void *obj;                  /* unsigned char * listpack, or zs_t * */
} zobj_t;

/* One member and its score (see Views above). */
typedef struct zobj_elem {
    const char *s;
    size_t len;
    double score;
    char buf[NUM_LL_BUF];
} zobj_elem_t;

/* A member and score given by the caller (zobj_build's input). */
typedef struct zobj_pair {
    const char *s;
    size_t len;
    double score;
} zobj_pair_t;

/* A bound of a lex range: "-", "+", "[m" or "(m" (ZRANGEBYLEX). */
enum { ZOBJ_LEX_MIN, ZOBJ_LEX_MAX, ZOBJ_LEX_INCL, ZOBJ_LEX_EXCL };
typedef struct zobj_lex {
    int kind;                   /* ZOBJ_LEX_* */
    const char *s;              /* INCL/EXCL: the member bytes */
    size_t len;
} zobj_lex_t;

/* ---- order ---- */

/* memcmp, then the shorter first (Redis's sdscmp): <0, 0, >0. */
int zobj_cmp_member(const char *a, size_t alen, const char *b, size_t blen);
/* (score, member) order of two pairs, for qsort. */
int zobj_cmp_pair(const void *a, const void *b);
/* The member s compared with a lex bound (as Redis's sdscmplex: "-" is
 * below and "+" above every member): <0, 0, >0. */
int zobj_cmp_lex(const char *s, size_t len, const zobj_lex_t *b);
/* Whether a member is inside the lower (min) or upper (max) lex bound,
 * honouring exclusiveness ("-" and "+" admit everything on their side). */
bool zobj_lex_gte_min(const char *s, size_t len, const zobj_lex_t *min);
bool zobj_lex_lte_max(const char *s, size_t len, const zobj_lex_t *max);

/* ---- the value as a whole ---- */

/* The set an entry holds (e->otype == OBJ_ZSET), and storing one back. */
static inline zobj_t zobj_of(const entry_t *e) { return (zobj_t){e->type, e->v.obj}; }
static inline void zobj_store(entry_t *e, const zobj_t *z)
{
    e->type = z->enc;
    e->v.obj = z->obj;
}

/* After changing e's set z in place (mem_before = entry_mem(e) taken
 * before): store z into e and account for it (ks_changed, which also
 * touches WATCH), or delete the key if z is now empty. */
void zobj_commit(ks_t *ks, entry_t *e, const zobj_t *z, size_t mem_before);

/* An empty set: a listpack, or the big form if big.  0 or -ENOMEM. */
int zobj_new(zobj_t *z, bool big);
/* An empty set for a new key whose first member is first_len bytes long
 * (Redis's ZADD on a missing key: the big form when the limits already
 * rule that member out of a listpack).  0 or -ENOMEM. */
int zobj_new_for(zobj_t *z, size_t first_len, const store_cfg_t *cfg);
/* Free the object at once (a NULL object is fine). */
void zobj_free(zobj_t *z);
size_t zobj_len(const zobj_t *z);

/* Make a listpack the big form (the big form stays).  0 or -ENOMEM
 * (unchanged). */
int zobj_convert(zobj_t *z);

/* A new set holding the n pairs (sorted by zobj_cmp_pair, members
 * distinct), in the encoding Redis gives a STORE result: a listpack if
 * n <= zset-max-listpack-entries and no member is longer than
 * zset-max-listpack-value (and it stays within the listpack's safe
 * size), else the big form.  Members are copied.  0 or -ENOMEM. */
int zobj_build(zobj_t *z, const zobj_pair_t *pairs, size_t n, const store_cfg_t *cfg);

/* ---- by member ---- */

/* The score of member m: true, or false if m is not a member. */
bool zobj_score(zobj_t *z, const char *m, size_t len, double *score);
/* Insert m, which must be absent, with score (not NaN), converting a
 * listpack first as Redis does (see Conversions).  0, or -ENOMEM with
 * the set unchanged (but perhaps converted). */
int zobj_insert(zobj_t *z, const char *m, size_t len, double score, const store_cfg_t *cfg);
/* Give member m, which must be present, a new score (not NaN); it moves
 * in the order.  0 or -ENOMEM (unchanged). */
int zobj_update(zobj_t *z, const char *m, size_t len, double score);
/* Remove m: whether it was there.  The encoding is kept. */
bool zobj_delete(zobj_t *z, const char *m, size_t len);
/* The rank of m, or -1 if it is not a member. */
long long zobj_rank(zobj_t *z, const char *m, size_t len);

/* ---- by rank ---- */

/* The member of rank r < zobj_len. */
void zobj_at(zobj_t *z, size_t r, zobj_elem_t *out);
/* The rank of the first member whose score is > s (excl) or >= s, in
 * [0, len]: the start of a score range, or (with !excl for an inclusive
 * max) the end of one. */
size_t zobj_lower_score(zobj_t *z, double s, bool excl);
/* Lex ranges (meaningful when every score is equal, as Redis requires;
 * otherwise each encoding answers as Redis's does: a listpack walks).
 * The rank of the first member inside min, scanning from the lowest, or
 * len; and of the last member inside max, scanning from the highest, or
 * -1. */
size_t zobj_lex_first(zobj_t *z, const zobj_lex_t *min);
long long zobj_lex_last(zobj_t *z, const zobj_lex_t *max);
/* Delete the members of ranks [start, start + count) (count clipped to
 * the end); returns how many were deleted.  The encoding is kept. */
size_t zobj_delete_range(zobj_t *z, size_t start, size_t count);

/* ---- iteration ---- */

/* From rank r (may be len: then nothing) toward higher ranks (up) or
 * lower ones.  The set must not change meanwhile.  O(1) per step after
 * the start (a listpack's start is O(r)). */
typedef struct zobj_iter {
    zobj_t *z;
    bool up;
    unsigned char *p;           /* listpack: the next member, NULL at the end */
    zs_iter_t zi;
} zobj_iter_t;

void zobj_iter_init(zobj_iter_t *it, zobj_t *z, size_t r, bool up);
/* The next member; false at the end. */
bool zobj_iter_next(zobj_iter_t *it, zobj_elem_t *out);

/* ---- random picks and scans ---- */

/* A random number below n (n > 0), from a per-thread generator. */
size_t zobj_rand_below(size_t n);
/* A random member of a non-empty set, uniformly. */
void zobj_random(zobj_t *z, zobj_elem_t *out);

/* The text ZSCAN gives a member's score: a listpack's stored form (an
 * integral score in +-2^62 printed as an integer), the big form's
 * "%.17g".  buf holds NUM_D_BUF bytes; returns the length. */
size_t zobj_score_text(const zobj_t *z, double score, char buf[NUM_D_BUF]);

/* One step of ZSCAN from cursor: a listpack reports every member and
 * returns 0; the big form reports one bucket's members (zs_scan: every
 * member present for the whole scan is reported at least once) and
 * returns the next cursor, 0 when done.  fn must not change the set. */
typedef void (*zobj_scan_fn)(void *arg, const zobj_elem_t *e);
size_t zobj_scan(zobj_t *z, size_t cursor, zobj_scan_fn fn, void *arg);

/* ---- checks (tests) ---- */

/* The order, the encoding's own checks and the listpack's form.  O(n). */
bool zobj_validate(const zobj_t *z);

#endif
