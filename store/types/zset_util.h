/*
 * zset_util.h - what the sorted set command files share (zset*.c): a
 * growing list of (member, score) pairs for results that are built
 * before they are replied or stored, storing such a result under a key
 * as Redis's STORE commands do, and the replies of members with scores.
 *
 * Concurrency: as cmd_exec.
 */
#ifndef FLASHKV_STORE_TYPES_ZSET_UTIL_H
#define FLASHKV_STORE_TYPES_ZSET_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "store/cmd/cmd.h"
#include "zset_obj.h"

/* Pairs collected for a result.  A member's bytes are either borrowed
 * (they must stay valid while the list is used: a view into a set that
 * does not change meanwhile) or copied into the list's own chunks. */
typedef struct zset_pairs {
    zobj_pair_t *v;
    size_t n, cap;
    struct zset_chunk *chunks;
    bool oom;                   /* an addition failed: the list is incomplete */
} zset_pairs_t;

void zset__pairs_init(zset_pairs_t *p);
void zset__pairs_free(zset_pairs_t *p);
/* Add a pair; copy: the bytes are copied (a view's own buf, or bytes
 * about to change), else borrowed.  On ENOMEM sets p->oom. */
void zset__pairs_add(zset_pairs_t *p, const char *s, size_t len, double score, bool copy);
/* Add a view's member: borrowed, unless it lives in the view's buf. */
void zset__pairs_add_elem(zset_pairs_t *p, const zobj_elem_t *e);
/* Sort by (score, member): the order of a sorted set. */
void zset__pairs_sort(zset_pairs_t *p);

/* The sorted set at argv[i] for reading or writing: NULL if the key is
 * missing (nothing replied) or holds another type (WRONGTYPE replied,
 * *wrong set). */
entry_t *zset__find(cmd_ctx_t *ctx, int i, bool *wrong);

/* Put the n sorted, distinct pairs under argv[dst] (its old value and
 * TTL go, whatever its type), in the encoding Redis gives a STORE result
 * (zobj_build), or delete argv[dst] when n is 0; reply n (or OOM).  The
 * pairs may borrow from the old value of argv[dst]: they are copied
 * first. */
void zset__store(cmd_ctx_t *ctx, int dst, const zobj_pair_t *pairs, size_t n);

/* The header of a reply of n members, with their scores or not: RESP2
 * flat (2n elements with scores), RESP3 [member, score] pairs. */
void zset__reply_head(cmd_ctx_t *ctx, size_t n, bool withscores);
/* One member (and its score, as a double) of such a reply. */
void zset__reply_elem(cmd_ctx_t *ctx, const char *s, size_t len, double score,
                      bool withscores);
/* The element count of such a reply's header for n members (deferred
 * headers: reply_array_end). */
static inline size_t zset__reply_len(const cmd_ctx_t *ctx, size_t n, bool withscores)
{
    return withscores && ctx->reply->proto == 2 ? 2 * n : n;
}

#endif
