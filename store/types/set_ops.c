/*
 * set_ops.c - the set algebra: SINTER SINTERCARD SINTERSTORE SUNION
 * SUNIONSTORE SDIFF SDIFFSTORE, and SMEMBERS, which Redis 7.0 answers as
 * the intersection of one set (set.h).
 *
 * As Redis: every key is looked up first and a wrong type on any of them
 * is the error, even after a missing one; a missing key is an empty set.
 * The intersection walks the smallest set (ties: the first given) and
 * replies its members in that set's order; union and difference build
 * their result as a new set from an empty intset, member by member, so an
 * all-integer result is an intset and comes out sorted, as in Redis.  The
 * STORE forms replace the destination whatever it held (its TTL too) and
 * delete it for an empty result.  Every key is read in its own keyspace
 * (cmd__ks_of): the keys may live on several shards, all held.
 *
 * Concurrency: as cmd_exec.
 */
#include <errno.h>
#include <stdlib.h>

#include "set.h"
#include "set_enc.h"
#include "store/cmd/proc.h"

/* The sets of argv[first .. first + n): sets[i].obj NULL for a missing
 * key.  -1 after replying WRONGTYPE or OOM, else how many are missing. */
static int load_sets(cmd_ctx_t *ctx, int first, int n, setv_t **out)
{
    setv_t *sets = malloc((size_t)n * sizeof *sets);
    if (!sets) {
        cmd__reply_oom(ctx);
        return -1;
    }
    int missing = 0;
    for (int i = 0; i < n; i++) {
        const cmd_arg_t *k = &ctx->argv[first + i];
        entry_t *e = ks_find(cmd__ks_of(ctx, first + i), k->ptr, k->len);
        if (e && e->otype != OBJ_SET) {
            free(sets);
            reply_error(ctx->reply, ERR_WRONGTYPE);
            return -1;
        }
        sets[i] = e ? setv_of(e) : (setv_t){0, NULL};
        missing += !e;
    }
    *out = sets;
    return missing;
}

/* Put the result v under argv[dst] (consumed), replacing what was there,
 * or delete argv[dst] when v is empty; reply the new size. */
static void store_result(cmd_ctx_t *ctx, int dst, setv_t *v)
{
    const cmd_arg_t *k = &ctx->argv[dst];
    ks_t *ks = cmd__ks_of(ctx, dst);
    entry_t *e = ks_find(ks, k->ptr, k->len);
    size_t n = v->obj ? setv_len(v) : 0;
    if (e)
        ks_delete_entry(ks, e);
    if (n == 0) {
        setv_free(v);
        reply_int(ctx->reply, 0);
        return;
    }
    if (!ks_add_obj(ks, k->ptr, k->len, OBJ_SET, v->enc, v->obj))
        cmd__reply_oom(ctx);
    else
        reply_int(ctx->reply, (long long)n);
}

/* Reply the members of v as a set (RESP3 '~'), in iteration order. */
static void reply_members(cmd_ctx_t *ctx, setv_t *v)
{
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t p;
    reply_set(ctx->reply, setv_len(v));
    setv_iter_init(&it, v);
    while (setv_iter_next(&it, &m, &p))
        reply_bulk(ctx->reply, m.s, m.len);
    setv_iter_done(&it);
}

/* ---- intersection ---- */

typedef struct by_size {
    size_t len;
    int i;
} by_size_t;

/* Ascending size, then argument order (glibc's qsort in Redis is a
 * stable merge sort, so ties keep their order there too). */
static int cmp_size(const void *a, const void *b)
{
    const by_size_t *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

enum { INTER_LIST, INTER_CARD, INTER_STORE };

/* Redis's sinterGenericCommand over argv[first .. first + n): list the
 * members, count them (stopping at limit, 0 = none), or store them under
 * argv[dst]. */
static void inter(cmd_ctx_t *ctx, int first, int n, int mode, int dst, long long limit)
{
    setv_t *sets;
    int missing = load_sets(ctx, first, n, &sets);
    if (missing < 0)
        return;
    bool one = mode == INTER_LIST && !missing;
    for (int i = 1; one && i < n; i++)
        one = sets[i].obj == sets[0].obj;
    if (one) {
        /* SMEMBERS, or SINTER of one set: no search, no list of hits. */
        reply_members(ctx, &sets[0]);
        free(sets);
        return;
    }
    if (missing) {
        free(sets);
        if (mode == INTER_STORE)
            store_result(ctx, dst, &(setv_t){0, NULL});
        else if (mode == INTER_CARD)
            reply_int(ctx->reply, 0);
        else
            reply_set(ctx->reply, 0);
        return;
    }
    by_size_t *ord = malloc((size_t)n * sizeof *ord);
    setv_t res = {0, NULL};
    setv_pos_t *hits = NULL;
    size_t nhits = 0, cap = 0;
    bool oom = !ord || (mode == INTER_STORE && setv_new(&res) != 0);
    for (int i = 0; !oom && i < n; i++)
        ord[i] = (by_size_t){setv_len(&sets[i]), i};
    if (!oom)
        qsort(ord, (size_t)n, sizeof *ord, cmp_size);

    setv_t *s0 = oom ? NULL : &sets[ord[0].i];
    long long card = 0;
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t pos;
    if (s0)
        setv_iter_init(&it, s0);
    while (s0 && !oom && setv_iter_next(&it, &m, &pos)) {
        int j = 1;
        for (; j < n; j++) {
            setv_t *sj = &sets[ord[j].i];
            if (sj->obj != s0->obj && !setv_has_member(sj, &m))
                break;
        }
        if (j < n)
            continue;
        if (mode == INTER_CARD) {
            if (++card == limit)
                break;
        } else if (mode == INTER_STORE) {
            oom = setv_add(&res, m.s, m.len, cmd__cfg(ctx)) < 0;
        } else {
            if (nhits == cap) {
                cap = cap ? cap * 2 : 16;
                setv_pos_t *nh = realloc(hits, cap * sizeof *nh);
                if (!nh) {
                    oom = true;
                    break;
                }
                hits = nh;
            }
            hits[nhits++] = pos;
        }
    }
    if (s0)
        setv_iter_done(&it);

    if (oom) {
        setv_free(&res);
        cmd__reply_oom(ctx);
    } else if (mode == INTER_CARD) {
        reply_int(ctx->reply, card);
    } else if (mode == INTER_STORE) {
        store_result(ctx, dst, &res);
    } else {
        /* The members the walk found, in its order. */
        reply_set(ctx->reply, nhits);
        for (size_t i = 0; i < nhits; i++) {
            setv_at(s0, hits[i], &m);
            reply_bulk(ctx->reply, m.s, m.len);
        }
    }
    free(hits);
    free(ord);
    free(sets);
}

void cmd__smembers(cmd_ctx_t *ctx)
{
    inter(ctx, 1, 1, INTER_LIST, 0, 0);
}

void cmd__sinter(cmd_ctx_t *ctx)
{
    inter(ctx, 1, ctx->argc - 1, INTER_LIST, 0, 0);
}

void cmd__sinterstore(cmd_ctx_t *ctx)
{
    inter(ctx, 2, ctx->argc - 2, INTER_STORE, 1, 0);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit]: numkeys, its bound and
 * the options are checked before any key is read. */
void cmd__sintercard(cmd_ctx_t *ctx)
{
    long long numkeys, limit = 0;
    if (!num_parse_ll(ctx->argv[1].ptr, ctx->argv[1].len, &numkeys) || numkeys < 1) {
        reply_error(ctx->reply, ERR_SET_NUMKEYS);
        return;
    }
    if (numkeys > ctx->argc - 2) {
        reply_error(ctx->reply, ERR_SET_NUMKEYS_ARGS);
        return;
    }
    for (int j = 2 + (int)numkeys; j < ctx->argc; j++) {
        if (cmd__opt_is(&ctx->argv[j], "limit") && j + 1 < ctx->argc) {
            j++;
            if (!num_parse_ll(ctx->argv[j].ptr, ctx->argv[j].len, &limit) || limit < 0) {
                reply_error(ctx->reply, ERR_SET_LIMIT_NEG);
                return;
            }
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return;
        }
    }
    inter(ctx, 2, (int)numkeys, INTER_CARD, 0, limit);
}

/* ---- union and difference ---- */

/* Decreasing size: the sets most likely to hold a member come first. */
static int cmp_size_desc(const void *a, const void *b)
{
    const setv_t *sa = a, *sb = b;
    size_t x = sa->obj ? setv_len(sa) : 0, y = sb->obj ? setv_len(sb) : 0;
    return (x < y) - (x > y);
}

/* Add every member of s to res; -ENOMEM or 0. */
static int add_all(cmd_ctx_t *ctx, setv_t *res, setv_t *s)
{
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t p;
    int rc = 0;
    setv_iter_init(&it, s);
    while (rc == 0 && setv_iter_next(&it, &m, &p))
        rc = setv_add(res, m.s, m.len, cmd__cfg(ctx)) < 0 ? -ENOMEM : 0;
    setv_iter_done(&it);
    return rc;
}

/* The difference sets[0] - sets[1..n) into res (Redis's two algorithms:
 * test each member of the first set against the others, or copy the
 * first set and remove the others' members, whichever is less work). */
static int diff(cmd_ctx_t *ctx, setv_t *sets, int n, setv_t *res)
{
    size_t work1 = 0, work2 = 0;
    for (int j = 0; j < n; j++) {
        if (!sets[j].obj)
            continue;
        work1 += setv_len(&sets[0]);
        work2 += setv_len(&sets[j]);
    }
    if (work1 / 2 > work2) {
        if (add_all(ctx, res, &sets[0]) != 0)
            return -ENOMEM;
        for (int j = 1; j < n && setv_len(res); j++) {
            if (!sets[j].obj)
                continue;
            setv_iter_t it;
            setv_member_t m;
            setv_pos_t p;
            setv_iter_init(&it, &sets[j]);
            while (setv_iter_next(&it, &m, &p))
                setv_remove(res, m.s, m.len);
            setv_iter_done(&it);
        }
        return 0;
    }
    /* Missing keys sort last (size 0) and are skipped. */
    qsort(sets + 1, (size_t)(n - 1), sizeof *sets, cmp_size_desc);
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t p;
    int rc = 0;
    setv_iter_init(&it, &sets[0]);
    while (rc == 0 && setv_iter_next(&it, &m, &p)) {
        int j = 1;
        while (j < n && sets[j].obj && !setv_has_member(&sets[j], &m))
            j++;
        if (j == n || !sets[j].obj)
            rc = setv_add(res, m.s, m.len, cmd__cfg(ctx)) < 0 ? -ENOMEM : 0;
    }
    setv_iter_done(&it);
    return rc;
}

/* Redis's sunionDiffGenericCommand over argv[first .. first + n): reply
 * the result, or store it under argv[dst] (dst > 0). */
static void union_diff(cmd_ctx_t *ctx, int first, int n, bool is_union, int dst)
{
    setv_t *sets;
    if (load_sets(ctx, first, n, &sets) < 0)
        return;
    /* A source given again as the first set: the difference is empty. */
    bool sameset = false;
    for (int j = 1; j < n; j++)
        sameset |= sets[j].obj && sets[j].obj == sets[0].obj;
    setv_t res;
    int rc = setv_new(&res);
    for (int j = 0; rc == 0 && is_union && j < n; j++)
        if (sets[j].obj)
            rc = add_all(ctx, &res, &sets[j]);
    if (rc == 0 && !is_union && !sameset && sets[0].obj)
        rc = diff(ctx, sets, n, &res);
    free(sets);
    if (rc != 0) {
        setv_free(&res);
        cmd__reply_oom(ctx);
    } else if (dst) {
        store_result(ctx, dst, &res);
    } else {
        reply_members(ctx, &res);
        setv_free(&res);
    }
}

void cmd__sunion(cmd_ctx_t *ctx)
{
    union_diff(ctx, 1, ctx->argc - 1, true, 0);
}

void cmd__sunionstore(cmd_ctx_t *ctx)
{
    union_diff(ctx, 2, ctx->argc - 2, true, 1);
}

void cmd__sdiff(cmd_ctx_t *ctx)
{
    union_diff(ctx, 1, ctx->argc - 1, false, 0);
}

void cmd__sdiffstore(cmd_ctx_t *ctx)
{
    union_diff(ctx, 2, ctx->argc - 2, false, 1);
}
