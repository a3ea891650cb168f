/*
 * zset_ops.c - the sorted set algebra: ZUNION ZINTER ZDIFF ZINTERCARD
 * ZUNIONSTORE ZINTERSTORE ZDIFFSTORE (zset.h), as Redis 7.0's
 * zunionInterDiffGenericCommand answers them.
 *
 * Order of checks, as Redis: numkeys (not an integer, below 1, more than
 * the arguments left), then every source key (a type other than zset or
 * set is WRONGTYPE, even after a missing key), then the options
 * (WEIGHTS, AGGREGATE, WITHSCORES, LIMIT; each only where Redis takes it,
 * anything else a syntax error).  A missing key is an empty set; a plain
 * set is a sorted set whose scores are all 1.
 *
 * Scores, as Redis: a source's score times its weight, where NaN (inf
 * times 0) counts as 0; SUM of +inf and -inf is 0 too.  In ZINTER only
 * the first (smallest) source's product is cleaned of NaN: a NaN product
 * of a later source turns a SUM into 0 and leaves MIN and MAX as they
 * were, exactly as zunionInterAggregate does.  Union and intersection
 * take the sources from the smallest to the largest (a stable sort, as
 * glibc's qsort in Redis), so sums add up in Redis's order and round the
 * same.  The result is ordered by (score, member).
 *
 * The union gathers every source's elements, sorts them by member (ties
 * in source order) and folds each run of equal members: no hash table,
 * and the aggregation order is the sources' order, as Redis's.
 *
 * STORE forms: zset__store (the destination's old value and TTL go; an
 * empty result deletes it; the encoding is what Redis would give).  Every
 * key is read in its own keyspace (cmd__ks_of): the keys may live on
 * several shards, all held.
 *
 * Concurrency: as cmd_exec.
 */
#include "zset.h"

#include <math.h>
#include <stdlib.h>

#include "set_enc.h"
#include "store/cmd/proc.h"
#include "zset_obj.h"
#include "zset_util.h"

enum { OP_UNION, OP_INTER, OP_DIFF };
enum { AGG_SUM, AGG_MIN, AGG_MAX };
enum { SRC_NONE, SRC_ZSET, SRC_SET };

/* One input key. */
typedef struct src {
    int kind;                   /* SRC_* */
    zobj_t z;                   /* SRC_ZSET */
    setv_t s;                   /* SRC_SET */
    void *obj;                  /* the value's object: same key given twice */
    size_t len;
    double weight;
} src_t;

/* What the command asked for. */
typedef struct req {
    int op;                     /* OP_* */
    int dst;                    /* argv index of the destination, 0: reply */
    bool card;                  /* ZINTERCARD */
    bool withscores;
    int agg;                    /* AGG_* */
    long long limit;            /* ZINTERCARD, 0: none */
} req_t;

/* ---- sources ---- */

/* Iteration over one source's elements.  The member may live in the
 * iterator's own buffers (copy is then set): copy it before the next. */
typedef struct src_iter {
    src_t *src;
    zobj_iter_t zi;
    setv_iter_t si;
    zobj_elem_t ze;
    setv_member_t sm;
} src_iter_t;

static void src_iter_init(src_iter_t *it, src_t *src)
{
    it->src = src;
    if (src->kind == SRC_ZSET)
        zobj_iter_init(&it->zi, &src->z, 0, true);
    else if (src->kind == SRC_SET)
        setv_iter_init(&it->si, &src->s);
}

static bool src_iter_next(src_iter_t *it, const char **s, size_t *len, double *score,
                          bool *copy)
{
    if (it->src->kind == SRC_ZSET) {
        if (!zobj_iter_next(&it->zi, &it->ze))
            return false;
        *s = it->ze.s;
        *len = it->ze.len;
        *score = it->ze.score;
        *copy = it->ze.s == it->ze.buf;
        return true;
    }
    setv_pos_t pos;
    if (it->src->kind != SRC_SET || !setv_iter_next(&it->si, &it->sm, &pos))
        return false;
    *s = it->sm.s;
    *len = it->sm.len;
    *score = 1.0;
    *copy = it->sm.s == it->sm.buf;
    return true;
}

static void src_iter_done(src_iter_t *it)
{
    if (it->src->kind == SRC_SET)
        setv_iter_done(&it->si);
}

/* The score of member s in src (1 in a plain set): whether it is there. */
static bool src_find(src_t *src, const char *s, size_t len, double *score)
{
    if (src->kind == SRC_ZSET)
        return zobj_score(&src->z, s, len, score);
    if (src->kind == SRC_SET && setv_has(&src->s, s, len)) {
        *score = 1.0;
        return true;
    }
    return false;
}

/* The sources argv[first .. first + n), weights 1: NULL after replying
 * WRONGTYPE or OOM. */
static src_t *load_sources(cmd_ctx_t *ctx, int first, int n)
{
    src_t *v = calloc((size_t)n, sizeof *v);
    if (!v) {
        cmd__reply_oom(ctx);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const cmd_arg_t *k = &ctx->argv[first + i];
        entry_t *e = ks_find(cmd__ks_of(ctx, first + i), k->ptr, k->len);
        v[i].weight = 1.0;
        if (!e)
            continue;
        if (e->otype == OBJ_ZSET) {
            v[i].kind = SRC_ZSET;
            v[i].z = zobj_of(e);
            v[i].len = zobj_len(&v[i].z);
        } else if (e->otype == OBJ_SET) {
            v[i].kind = SRC_SET;
            v[i].s = setv_of(e);
            v[i].len = setv_len(&v[i].s);
        } else {
            free(v);
            reply_error(ctx->reply, ERR_WRONGTYPE);
            return NULL;
        }
        v[i].obj = e->v.obj;
    }
    return v;
}

/* Ascending size, stably (an insertion sort: n is the number of keys). */
static void sort_by_size(src_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        src_t x = v[i];
        int j = i;
        for (; j > 0 && v[j - 1].len > x.len; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* ---- options ---- */

/* The options after the n keys, from argv[at]: false after replying the
 * error.  Each branch is taken under Redis's own conditions. */
static bool parse_options(cmd_ctx_t *ctx, int at, src_t *v, int n, req_t *q)
{
    bool scored = q->op != OP_DIFF && !q->card;
    int j = at;
    while (j < ctx->argc) {
        int left = ctx->argc - j;
        const cmd_arg_t *o = &ctx->argv[j];
        if (scored && left >= n + 1 && cmd__opt_is(o, "weights")) {
            j++;
            for (int i = 0; i < n; i++, j++) {
                const cmd_arg_t *w = &ctx->argv[j];
                if (!num_parse_d(w->ptr, w->len, &v[i].weight)) {
                    reply_error(ctx->reply, ERR_ZSET_WEIGHT);
                    return false;
                }
            }
        } else if (scored && left >= 2 && cmd__opt_is(o, "aggregate")) {
            const cmd_arg_t *a = &ctx->argv[j + 1];
            if (cmd__opt_is(a, "sum")) {
                q->agg = AGG_SUM;
            } else if (cmd__opt_is(a, "min")) {
                q->agg = AGG_MIN;
            } else if (cmd__opt_is(a, "max")) {
                q->agg = AGG_MAX;
            } else {
                reply_error(ctx->reply, ERR_SYNTAX);
                return false;
            }
            j += 2;
        } else if (!q->dst && !q->card && cmd__opt_is(o, "withscores")) {
            q->withscores = true;
            j++;
        } else if (q->card && left >= 2 && cmd__opt_is(o, "limit")) {
            const cmd_arg_t *l = &ctx->argv[j + 1];
            if (!num_parse_ll(l->ptr, l->len, &q->limit) || q->limit < 0) {
                reply_error(ctx->reply, ERR_ZSET_LIMIT_NEG);
                return false;
            }
            j += 2;
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

/* ---- scores ---- */

/* Redis's zunionInterAggregate: fold val into *acc. */
static void aggregate(double *acc, double val, int agg)
{
    if (agg == AGG_SUM) {
        *acc += val;
        if (isnan(*acc))
            *acc = 0.0;     /* +inf + -inf */
    } else if (agg == AGG_MIN) {
        *acc = val < *acc ? val : *acc;
    } else {
        *acc = val > *acc ? val : *acc;
    }
}

/* A source's first contribution: NaN (inf * 0) counts as 0. */
static double weighted(double score, double weight)
{
    double d = score * weight;
    return isnan(d) ? 0.0 : d;
}

/* ---- the three operations ---- */

/* Members of every source, smallest source first: each in v[0] and in
 * all the others, scored by aggregating.  Counts instead (*card, up to
 * q->limit) for ZINTERCARD. */
static void do_inter(src_t *v, int n, const req_t *q, zset_pairs_t *out, long long *card)
{
    if (v[0].len == 0)
        return;     /* sorted by size: some source is empty */
    src_iter_t it;
    const char *s;
    size_t len;
    double score;
    bool copy;
    src_iter_init(&it, &v[0]);
    while (!out->oom && src_iter_next(&it, &s, &len, &score, &copy)) {
        double acc = weighted(score, v[0].weight);
        int j = 1;
        for (; j < n; j++) {
            double val;
            if (v[j].obj == v[0].obj)
                val = score;    /* the same key again: no lookup needed */
            else if (!src_find(&v[j], s, len, &val))
                break;
            aggregate(&acc, val * v[j].weight, q->agg);
        }
        if (j < n)
            continue;
        if (q->card) {
            if (++*card == q->limit)
                break;
        } else {
            zset__pairs_add(out, s, len, acc, copy);
        }
    }
    src_iter_done(&it);
}

/* One element of the union's gathering, and its place in it. */
typedef struct ref {
    const char *s;
    size_t len;
    double score;
    size_t seq;
} ref_t;

/* By member, then gathering order. */
static int cmp_ref(const void *a, const void *b)
{
    const ref_t *x = a, *y = b;
    int c = zobj_cmp_member(x->s, x->len, y->s, y->len);
    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every member of any source, its weighted scores aggregated in source
 * order.  all holds the gathered elements' copies; out borrows them. */
static void do_union(src_t *v, int n, const req_t *q, zset_pairs_t *all, zset_pairs_t *out)
{
    for (int i = 0; i < n && !all->oom; i++) {
        src_iter_t it;
        const char *s;
        size_t len;
        double score;
        bool copy;
        src_iter_init(&it, &v[i]);
        while (!all->oom && src_iter_next(&it, &s, &len, &score, &copy))
            zset__pairs_add(all, s, len, weighted(score, v[i].weight), copy);
        src_iter_done(&it);
    }
    if (all->oom || all->n == 0)
        return;
    ref_t *refs = malloc(all->n * sizeof *refs);
    if (!refs) {
        out->oom = true;
        return;
    }
    for (size_t i = 0; i < all->n; i++)
        refs[i] = (ref_t){all->v[i].s, all->v[i].len, all->v[i].score, i};
    qsort(refs, all->n, sizeof *refs, cmp_ref);
    for (size_t i = 0; i < all->n;) {
        double acc = refs[i].score;
        size_t j = i + 1;
        for (; j < all->n && zobj_cmp_member(refs[j].s, refs[j].len, refs[i].s,
                                             refs[i].len) == 0; j++)
            aggregate(&acc, refs[j].score, q->agg);
        zset__pairs_add(out, refs[i].s, refs[i].len, acc, false);
        i = j;
    }
    free(refs);
}

/* The members of v[0] in none of the others, with v[0]'s scores. */
static void do_diff(src_t *v, int n, zset_pairs_t *out)
{
    if (v[0].len == 0)
        return;
    for (int j = 1; j < n; j++)
        if (v[j].obj == v[0].obj)
            return;     /* the first key given again: nothing is left */
    src_iter_t it;
    const char *s;
    size_t len;
    double score, other;
    bool copy;
    src_iter_init(&it, &v[0]);
    while (!out->oom && src_iter_next(&it, &s, &len, &score, &copy)) {
        int j = 1;
        while (j < n && !src_find(&v[j], s, len, &other))
            j++;
        if (j == n)
            zset__pairs_add(out, s, len, score, copy);
    }
    src_iter_done(&it);
}

/* ---- the commands ---- */

/* Redis's zunionInterDiffGenericCommand: numkeys at argv[nk], then the
 * keys, then the options.  name: the command's lowercase name. */
static void generic(cmd_ctx_t *ctx, int nk, req_t q, const char *name)
{
    long long n;
    if (!num_parse_ll(ctx->argv[nk].ptr, ctx->argv[nk].len, &n)) {
        reply_error(ctx->reply, ERR_NOT_INTEGER);
        return;
    }
    if (n < 1) {
        reply_errorf(ctx->reply, ERRF_ZSET_NUMKEYS, name);
        return;
    }
    if (n > ctx->argc - (nk + 1)) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    src_t *v = load_sources(ctx, nk + 1, (int)n);
    if (!v)
        return;
    if (!parse_options(ctx, nk + 1 + (int)n, v, (int)n, &q)) {
        free(v);
        return;
    }
    if (q.op != OP_DIFF)
        sort_by_size(v, (int)n);

    zset_pairs_t all, res;
    zset__pairs_init(&all);
    zset__pairs_init(&res);
    long long card = 0;
    if (q.op == OP_INTER)
        do_inter(v, (int)n, &q, &res, &card);
    else if (q.op == OP_UNION)
        do_union(v, (int)n, &q, &all, &res);
    else
        do_diff(v, (int)n, &res);
    /* A zset source walks in (score, member) order already: only the
     * diff of a zset needs no sort. */
    if (q.op != OP_DIFF || v[0].kind != SRC_ZSET)
        zset__pairs_sort(&res);
    free(v);

    if (all.oom || res.oom) {
        cmd__reply_oom(ctx);
    } else if (q.card) {
        reply_int(ctx->reply, card);
    } else if (q.dst) {
        zset__store(ctx, q.dst, res.v, res.n);
    } else {
        zset__reply_head(ctx, res.n, q.withscores);
        for (size_t i = 0; i < res.n; i++)
            zset__reply_elem(ctx, res.v[i].s, res.v[i].len, res.v[i].score, q.withscores);
    }
    zset__pairs_free(&res);
    zset__pairs_free(&all);
}

void cmd__zunion(cmd_ctx_t *ctx)
{
    generic(ctx, 1, (req_t){.op = OP_UNION}, "zunion");
}

void cmd__zinter(cmd_ctx_t *ctx)
{
    generic(ctx, 1, (req_t){.op = OP_INTER}, "zinter");
}

void cmd__zdiff(cmd_ctx_t *ctx)
{
    generic(ctx, 1, (req_t){.op = OP_DIFF}, "zdiff");
}

void cmd__zintercard(cmd_ctx_t *ctx)
{
    generic(ctx, 1, (req_t){.op = OP_INTER, .card = true}, "zintercard");
}

void cmd__zunionstore(cmd_ctx_t *ctx)
{
    generic(ctx, 2, (req_t){.op = OP_UNION, .dst = 1}, "zunionstore");
}

void cmd__zinterstore(cmd_ctx_t *ctx)
{
    generic(ctx, 2, (req_t){.op = OP_INTER, .dst = 1}, "zinterstore");
}

void cmd__zdiffstore(cmd_ctx_t *ctx)
{
    generic(ctx, 2, (req_t){.op = OP_DIFF, .dst = 1}, "zdiffstore");
}
