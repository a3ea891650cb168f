/*
 * zs.h - the big form of a sorted set (OBJECT ENCODING "skiplist", as
 * Redis names it): members with a double score, ordered by (score, member
 * bytes), with rank in O(log n) and lookup by member in O(1).
 *
 * CONTRACT (written before the implementation; zs.c must provide exactly
 * this, and may add functions):
 *
 * Layout: each member is ONE allocation (a zs_node_t: the index's chain
 * pointer, the score, the member's length as a varint and its bytes), so
 * a member costs one small chunk.  Two indexes point at the nodes:
 *  - a chained hash table of nodes by member bytes (the same rules as
 *    store/enc/ht.c: incremental rehash on writes only, Redis's reverse-
 *    binary scan cursor for ZSCAN, never a pause proportional to size);
 *  - an order-statistic B+tree of node pointers by (score, member), whose
 *    inner nodes keep their subtrees' counts: rank, select-by-rank and
 *    lower bounds in O(log n), iteration from any rank in either
 *    direction in O(1) per step.
 * Target: <= 80 bytes of RSS per member for 1,000,000 members of 16
 * bytes (Redis 7.0: 133).
 *
 * Order: scores compare as doubles (never NaN here: callers refuse NaN);
 * equal scores order by member bytes (memcmp, then shorter first), as
 * Redis.  -0.0 and 0.0 are equal scores.
 *
 * Ownership: the zs_t owns its nodes.  A node pointer stays valid until
 * that member is deleted; zs_update moves it in the order but never
 * reallocates it.  Iterators are invalidated by any write.
 *
 * Errors: -ENOMEM or NULL with the set unchanged.
 * Concurrency: none; one thread owns a zs_t.
 */
#ifndef FLASHKV_STORE_ENC_ZS_H
#define FLASHKV_STORE_ENC_ZS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zs zs_t;
typedef struct zs_node zs_node_t;

/* ---- lifetime ---- */
zs_t *zs_new(uint64_t seed);            /* seed 0: random hash seed */
void zs_free(zs_t *zs);                 /* O(n) */
/* Free at most *budget nodes (or empty buckets / tree nodes), decreasing
 * *budget; true once all is freed (zs is then invalid).  After the first
 * call only zs_free_step may be used. */
bool zs_free_step(zs_t *zs, size_t *budget);

/* ---- size ---- */
size_t zs_len(const zs_t *zs);
/* Bytes held (malloc_usable_size of nodes, tree nodes, bucket arrays and
 * the struct), O(1): a running total.  Reads never change it. */
size_t zs_mem(const zs_t *zs);

/* ---- nodes ---- */
double zs_score(const zs_node_t *n);
const char *zs_member(const zs_node_t *n, size_t *len);

/* ---- by member ---- */
zs_node_t *zs_find(zs_t *zs, const char *m, size_t len);
/* Insert a member that is absent.  The new node, or NULL on ENOMEM. */
zs_node_t *zs_insert(zs_t *zs, const char *m, size_t len, double score);
/* Give n a new score, moving it in the order.  0, or -ENOMEM (a tree
 * split failed) with n unchanged. */
int zs_update(zs_t *zs, zs_node_t *n, double score);
/* Remove n (it is freed). */
void zs_delete(zs_t *zs, zs_node_t *n);

/* ---- by rank (0 = lowest score) ---- */
size_t zs_rank(zs_t *zs, const zs_node_t *n);      /* O(log n) */
zs_node_t *zs_at(zs_t *zs, size_t rank);           /* NULL if >= len */
/* The rank of the first member with score > s (excl) or >= s, in
 * [0, len]; and the same for member bytes compared with m (ZRANGEBYLEX:
 * meaningful when all scores are equal, as Redis requires). */
size_t zs_lower_score(zs_t *zs, double s, bool excl);
size_t zs_lower_lex(zs_t *zs, const char *m, size_t len, bool excl);
/* Delete the members of ranks [start, start + count): ZREMRANGEBY*, ZPOP.
 * Returns how many were deleted.  O(count log n). */
size_t zs_delete_range(zs_t *zs, size_t start, size_t count);

/* ---- iteration ---- */
typedef struct zs_iter {
    void *priv[4];          /* private to zs.c */
} zs_iter_t;
/* Start at rank (may be len: then nothing), going up (toward higher
 * ranks) or down. */
void zs_iter_init(zs_iter_t *it, zs_t *zs, size_t rank, bool up);
zs_node_t *zs_iter_next(zs_iter_t *it);           /* NULL at the end */

/* ---- random and scan ---- */
/* A uniformly random member (select by a random rank). NULL if empty. */
zs_node_t *zs_random(zs_t *zs, uint64_t *rng);
/* ZSCAN: Redis's reverse-binary cursor over the member index; every
 * member present for the whole scan is reported at least once. */
typedef void (*zs_scan_fn)(void *arg, const zs_node_t *n);
size_t zs_scan(zs_t *zs, size_t cursor, zs_scan_fn fn, void *arg);

/* ---- checks (tests, fuzzing) ---- */
/* Walk everything: order, counts, index membership, mem total.  O(n). */
bool zs_validate(const zs_t *zs);

/* ---- added with the implementation (zs.c) ---- */
/* zs_new with smaller tree nodes: at most `leaf` members per leaf and
 * `inner` children per inner node (4 .. the built-in 60 and 32; NULL
 * otherwise or on ENOMEM).  For tests: deep trees from few members.
 * Nodes are allocated at full size all the same. */
zs_t *zs_new_fanout(uint64_t seed, unsigned leaf, unsigned inner);
/* The member index's bucket counts: size[0], and size[1] while a rehash
 * is under way (else 0).  O(1); for tests and diagnostics. */
void zs_index_sizes(const zs_t *zs, size_t size[2]);

#endif
