/*
 * zset_range.c - the sorted set range commands: ZRANGE (BYSCORE, BYLEX,
 * REV, LIMIT, WITHSCORES), ZRANGESTORE, ZREVRANGE, ZRANGEBYSCORE,
 * ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, the counts ZCOUNT and
 * ZLEXCOUNT, and the deletions ZREMRANGEBYRANK, ZREMRANGEBYSCORE and
 * ZREMRANGEBYLEX, with Redis 7.0's replies and its order of checks: the
 * options, then the bounds, then the key (so a bad bound wins over
 * WRONGTYPE, and a missing key replies as an empty set).
 *
 * Every range is turned into ranks (zset_obj.h) and walked with an
 * iterator, so each command exists once for both encodings.  Score
 * ranges are exact by rank, as scores are the set's order; a lex range
 * is only meaningful when all scores are equal (Redis's rule), so it is
 * found where Redis finds it (zobj_lex_first/last) and walked while the
 * other bound admits the members, as Redis walks.
 *
 * Concurrency: as cmd_exec.
 */
#include "zset.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/cmd/proc.h"
#include "zset_obj.h"
#include "zset_util.h"

/* ---- bounds ---- */

/* A score range: min and max, each inclusive or exclusive ("("). */
typedef struct score_range {
    double min, max;
    bool minex, maxex;
} score_range_t;

/* One score bound as Redis's zslParseRange reads it: strtod over the
 * argument as a C string (up to its first NUL), after an optional "(";
 * whatever strtod takes is fine (leading spaces, hex, "inf", an empty
 * string as 0) but NaN and trailing bytes are not. */
static bool parse_score_bound(const cmd_arg_t *a, double *v, bool *ex)
{
    const char *s = a->ptr;
    size_t len = cmd__clen(a);
    *ex = len && s[0] == '(';
    if (*ex) {
        s++;
        len--;
    }
    char small[64];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    *v = strtod(buf, &end);
    bool ok = end == buf + len && !isnan(*v);
    if (buf != small)
        free(buf);
    return ok;
}

/* argv[imin], argv[imax] as a score range; false after replying the
 * error. */
static bool parse_score_range(cmd_ctx_t *ctx, int imin, int imax, score_range_t *r)
{
    if (parse_score_bound(&ctx->argv[imin], &r->min, &r->minex) &&
        parse_score_bound(&ctx->argv[imax], &r->max, &r->maxex))
        return true;
    reply_error(ctx->reply, ERR_ZSET_MINMAX_FLOAT);
    return false;
}

static bool score_gte_min(double x, const score_range_t *r)
{
    return r->minex ? x > r->min : x >= r->min;
}

static bool score_lte_max(double x, const score_range_t *r)
{
    return r->maxex ? x < r->max : x <= r->max;
}

/* The ranks [*first, *end) of the members inside r. */
static void score_ranks(zobj_t *z, const score_range_t *r, size_t *first, size_t *end)
{
    *first = zobj_lower_score(z, r->min, r->minex);
    *end = zobj_lower_score(z, r->max, !r->maxex);
    if (*end < *first)
        *end = *first;
}

/* One lex bound as Redis reads it: "-" and "+" alone (as C strings),
 * or "[" / "(" then the member's bytes (all of them). */
static bool parse_lex_bound(const cmd_arg_t *a, zobj_lex_t *b)
{
    const char *s = a->ptr;
    if (a->len == 0)
        return false;
    b->s = s + 1;
    b->len = a->len - 1;
    switch (s[0]) {
    case '-':
        b->kind = ZOBJ_LEX_MIN;
        return a->len == 1 || s[1] == '\0';
    case '+':
        b->kind = ZOBJ_LEX_MAX;
        return a->len == 1 || s[1] == '\0';
    case '[':
        b->kind = ZOBJ_LEX_INCL;
        return true;
    case '(':
        b->kind = ZOBJ_LEX_EXCL;
        return true;
    default:
        return false;
    }
}

/* argv[imin], argv[imax] as a lex range; false after replying the
 * error. */
static bool parse_lex_range(cmd_ctx_t *ctx, int imin, int imax, zobj_lex_t *min,
                            zobj_lex_t *max)
{
    if (parse_lex_bound(&ctx->argv[imin], min) && parse_lex_bound(&ctx->argv[imax], max))
        return true;
    reply_error(ctx->reply, ERR_ZSET_MINMAX_LEX);
    return false;
}

/* Redis's rank sanitising (negative counts from the end, start clipped
 * to 0, end to the last): false when nothing is inside. */
static bool clip_ranks(long long *start, long long *end, size_t len)
{
    long long n = (long long)len;
    if (*start < 0)
        *start += n;
    if (*end < 0)
        *end += n;
    if (*start < 0)
        *start = 0;
    if (*start > *end || *start >= n)
        return false;
    if (*end >= n)
        *end = n - 1;
    return true;
}

/* ---- where a range's members go: the reply, or a STORE's pairs ---- */

typedef struct sink {
    cmd_ctx_t *ctx;
    bool store;                 /* ZRANGESTORE: into pairs, then argv[1] */
    bool withscores;
    bool deferred;              /* the reply's length is written at the end */
    size_t mark, n;
    zset_pairs_t pairs;
} sink_t;

/* Begin the result: of known members, or (known < 0) of a count found
 * while walking. */
static void sink_open(sink_t *s, long long known)
{
    s->n = 0;
    zset__pairs_init(&s->pairs);
    if (s->store)
        return;
    s->deferred = known < 0;
    if (s->deferred)
        s->mark = reply_array_begin(s->ctx->reply);
    else
        zset__reply_head(s->ctx, (size_t)known, s->withscores);
}

static void sink_emit(sink_t *s, const zobj_elem_t *e)
{
    s->n++;
    if (s->store)
        zset__pairs_add_elem(&s->pairs, e);
    else
        zset__reply_elem(s->ctx, e->s, e->len, e->score, s->withscores);
}

/* End the result; descending: the members came from the highest rank
 * down (a store wants them in the set's order). */
static void sink_close(sink_t *s, bool descending)
{
    if (!s->store) {
        if (s->deferred)
            reply_array_end(s->ctx->reply, s->mark,
                            zset__reply_len(s->ctx, s->n, s->withscores));
        return;
    }
    zset_pairs_t *p = &s->pairs;
    if (p->oom) {
        cmd__reply_oom(s->ctx);
    } else {
        for (size_t i = 0; descending && i < p->n / 2; i++) {
            zobj_pair_t t = p->v[i];
            p->v[i] = p->v[p->n - 1 - i];
            p->v[p->n - 1 - i] = t;
        }
        zset__store(s->ctx, 1, p->v, p->n);
    }
    zset__pairs_free(p);
}

/* An empty result (a missing key, nothing inside the range). */
static void sink_empty(sink_t *s)
{
    sink_open(s, 0);
    sink_close(s, false);
}

/* ---- the ZRANGE family ---- */

enum { BY_AUTO, BY_RANK, BY_SCORE, BY_LEX };
enum { DIR_AUTO, DIR_FWD, DIR_REV };

/* A parsed range request. */
typedef struct range_req {
    int by;                     /* BY_* (never AUTO once parsed) */
    bool rev;
    long long offset, limit;    /* LIMIT (BYSCORE, BYLEX); limit < 0: all */
    long long start, end;       /* BY_RANK */
    score_range_t score;        /* BY_SCORE */
    zobj_lex_t lmin, lmax;      /* BY_LEX */
} range_req_t;

static void range_by_rank(sink_t *s, zobj_t *z, const range_req_t *q)
{
    size_t len = zobj_len(z);
    long long start = q->start, end = q->end;
    if (!clip_ranks(&start, &end, len)) {
        sink_empty(s);
        return;
    }
    size_t n = (size_t)(end - start + 1);
    sink_open(s, (long long)n);
    zobj_iter_t it;
    zobj_elem_t el;
    zobj_iter_init(&it, z, q->rev ? len - 1 - (size_t)start : (size_t)start, !q->rev);
    for (size_t i = 0; i < n && zobj_iter_next(&it, &el); i++)
        sink_emit(s, &el);
    sink_close(s, q->rev);
}

/* Whether a member walked to is still inside the range's far bound (max
 * going up, min going down). */
static bool inside_far_bound(const range_req_t *q, const zobj_elem_t *el)
{
    if (q->by == BY_SCORE)
        return q->rev ? score_gte_min(el->score, &q->score)
                      : score_lte_max(el->score, &q->score);
    return q->rev ? zobj_lex_gte_min(el->s, el->len, &q->lmin)
                  : zobj_lex_lte_max(el->s, el->len, &q->lmax);
}

/* BYSCORE and BYLEX: from the near bound's rank, skip offset members,
 * then take up to limit while the far bound admits them.  A negative
 * offset skips everything, as Redis's countdown does. */
static void range_by_bounds(sink_t *s, zobj_t *z, const range_req_t *q)
{
    size_t len = zobj_len(z);
    if (q->offset < 0 || (q->offset > 0 && (unsigned long long)q->offset >= len)) {
        sink_empty(s);
        return;
    }
    long long at;               /* the near end's rank, or -1 / len: none */
    if (q->by == BY_SCORE) {
        at = q->rev ? (long long)zobj_lower_score(z, q->score.max, !q->score.maxex) - 1
                    : (long long)zobj_lower_score(z, q->score.min, q->score.minex);
    } else {
        at = q->rev ? zobj_lex_last(z, &q->lmax) : (long long)zobj_lex_first(z, &q->lmin);
    }
    if (q->rev ? at < q->offset : (unsigned long long)at + (unsigned long long)q->offset >= len) {
        sink_empty(s);
        return;
    }
    at = q->rev ? at - q->offset : at + q->offset;
    sink_open(s, -1);
    zobj_iter_t it;
    zobj_elem_t el;
    zobj_iter_init(&it, z, (size_t)at, !q->rev);
    /* A negative limit (LLONG_MIN too) is no limit. */
    size_t left = q->limit < 0 ? SIZE_MAX : (size_t)q->limit;
    for (; left != 0 && zobj_iter_next(&it, &el); left--) {
        if (!inside_far_bound(q, &el))
            break;
        sink_emit(s, &el);
    }
    sink_close(s, q->rev);
}

/* The options after argv[first + 2] (Redis's zrangeGenericCommand):
 * false after replying the error.  by and dir arrive fixed by the
 * command, or AUTO for ZRANGE and ZRANGESTORE, which take them as
 * options. */
static bool range_options(cmd_ctx_t *ctx, int first, bool store, int by, int dir,
                          range_req_t *q, bool *withscores)
{
    q->offset = 0;
    q->limit = -1;
    for (int j = first + 3; j < ctx->argc; j++) {
        const cmd_arg_t *o = &ctx->argv[j];
        if (!store && cmd__opt_is(o, "withscores")) {
            *withscores = true;
        } else if (cmd__opt_is(o, "limit") && ctx->argc - j - 1 >= 2) {
            if (!cmd__arg_ll(ctx, j + 1, &q->offset) || !cmd__arg_ll(ctx, j + 2, &q->limit))
                return false;
            j += 2;
        } else if (dir == DIR_AUTO && cmd__opt_is(o, "rev")) {
            dir = DIR_REV;
        } else if (by == BY_AUTO && cmd__opt_is(o, "bylex")) {
            by = BY_LEX;
        } else if (by == BY_AUTO && cmd__opt_is(o, "byscore")) {
            by = BY_SCORE;
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
    }
    q->by = by == BY_AUTO ? BY_RANK : by;
    q->rev = dir == DIR_REV;
    /* As Redis: "LIMIT x -1" is no limit at all, so it passes by rank. */
    if (q->limit != -1 && q->by == BY_RANK) {
        reply_error(ctx->reply, ERR_ZSET_LIMIT_RANK);
        return false;
    }
    if (*withscores && q->by == BY_LEX) {
        reply_error(ctx->reply, ERR_ZSET_WITHSCORES_LEX);
        return false;
    }
    /* The reverse score and lex forms take max before min. */
    int imin = first + 1, imax = first + 2;
    if (q->rev && q->by != BY_RANK) {
        imin = first + 2;
        imax = first + 1;
    }
    switch (q->by) {
    case BY_RANK:
        return cmd__arg_ll(ctx, imin, &q->start) && cmd__arg_ll(ctx, imax, &q->end);
    case BY_SCORE:
        return parse_score_range(ctx, imin, imax, &q->score);
    default:
        return parse_lex_range(ctx, imin, imax, &q->lmin, &q->lmax);
    }
}

/* The source key is argv[first], its bounds the next two arguments;
 * store: ZRANGESTORE (argv[1] is the destination). */
static void range_generic(cmd_ctx_t *ctx, int first, bool store, int by, int dir)
{
    range_req_t q;
    sink_t s = {.ctx = ctx, .store = store};
    if (!range_options(ctx, first, store, by, dir, &q, &s.withscores))
        return;
    bool wrong;
    entry_t *e = zset__find(ctx, first, &wrong);
    if (wrong)
        return;
    if (!e) {
        sink_empty(&s);
        return;
    }
    zobj_t z = zobj_of(e);
    if (q.by == BY_RANK)
        range_by_rank(&s, &z, &q);
    else
        range_by_bounds(&s, &z, &q);
}

void cmd__zrange(cmd_ctx_t *ctx)
{
    range_generic(ctx, 1, false, BY_AUTO, DIR_AUTO);
}

void cmd__zrangestore(cmd_ctx_t *ctx)
{
    range_generic(ctx, 2, true, BY_AUTO, DIR_AUTO);
}

void cmd__zrevrange(cmd_ctx_t *ctx)
{
    range_generic(ctx, 1, false, BY_RANK, DIR_REV);
}

void cmd__zrangebyscore(cmd_ctx_t *ctx)
{
    range_generic(ctx, 1, false, BY_SCORE, DIR_FWD);
}

void cmd__zrevrangebyscore(cmd_ctx_t *ctx)
{
    range_generic(ctx, 1, false, BY_SCORE, DIR_REV);
}

void cmd__zrangebylex(cmd_ctx_t *ctx)
{
    range_generic(ctx, 1, false, BY_LEX, DIR_FWD);
}

void cmd__zrevrangebylex(cmd_ctx_t *ctx)
{
    range_generic(ctx, 1, false, BY_LEX, DIR_REV);
}

/* ---- counts ---- */

/* The set at argv[1] for a count or a deletion: NULL when the reply is
 * already made (0 for a missing key, or WRONGTYPE). */
static entry_t *find_or_zero(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (!e && !wrong)
        reply_int(ctx->reply, 0);
    return e;
}

/* How many members from rank first up the max bound admits, walking as
 * Redis walks a listpack. */
static size_t lex_walk_count(zobj_t *z, size_t first, const zobj_lex_t *max)
{
    zobj_iter_t it;
    zobj_elem_t el;
    size_t n = 0;
    zobj_iter_init(&it, z, first, true);
    while (zobj_iter_next(&it, &el) && zobj_lex_lte_max(el.s, el.len, max))
        n++;
    return n;
}

void cmd__zcount(cmd_ctx_t *ctx)
{
    score_range_t r;
    if (!parse_score_range(ctx, 2, 3, &r))
        return;
    entry_t *e = find_or_zero(ctx);
    if (!e)
        return;
    zobj_t z = zobj_of(e);
    size_t first, end;
    score_ranks(&z, &r, &first, &end);
    reply_int(ctx->reply, (long long)(end - first));
}

/* A listpack walks from the first member inside min (Redis's ziplist
 * count); the big form subtracts ranks, as Redis's skiplist does. */
void cmd__zlexcount(cmd_ctx_t *ctx)
{
    zobj_lex_t min, max;
    if (!parse_lex_range(ctx, 2, 3, &min, &max))
        return;
    entry_t *e = find_or_zero(ctx);
    if (!e)
        return;
    zobj_t z = zobj_of(e);
    size_t first = zobj_lex_first(&z, &min);
    long long n;
    if (z.enc == ENC_ZSET_LP) {
        n = (long long)lex_walk_count(&z, first, &max);
    } else {
        n = zobj_lex_last(&z, &max) - (long long)first + 1;
        /* An empty range ("[b" "[a") leaves last below first. */
        if (first >= zobj_len(&z) || n < 0)
            n = 0;
    }
    reply_int(ctx->reply, n);
}

/* ---- deletions ---- */

/* Delete ranks [first, first + n) of the set at argv[1] (entry e) and
 * reply how many went; an emptied key is deleted. */
static void remove_ranks(cmd_ctx_t *ctx, entry_t *e, size_t first, size_t n)
{
    zobj_t z = zobj_of(e);
    size_t before = entry_mem(e);
    size_t deleted = n ? zobj_delete_range(&z, first, n) : 0;
    if (deleted)
        zobj_commit(cmd__ks_of(ctx, 1), e, &z, before);
    reply_int(ctx->reply, (long long)deleted);
}

void cmd__zremrangebyrank(cmd_ctx_t *ctx)
{
    long long start, end;
    if (!cmd__arg_ll(ctx, 2, &start) || !cmd__arg_ll(ctx, 3, &end))
        return;
    entry_t *e = find_or_zero(ctx);
    if (!e)
        return;
    zobj_t z = zobj_of(e);
    if (!clip_ranks(&start, &end, zobj_len(&z))) {
        reply_int(ctx->reply, 0);
        return;
    }
    remove_ranks(ctx, e, (size_t)start, (size_t)(end - start + 1));
}

void cmd__zremrangebyscore(cmd_ctx_t *ctx)
{
    score_range_t r;
    if (!parse_score_range(ctx, 2, 3, &r))
        return;
    entry_t *e = find_or_zero(ctx);
    if (!e)
        return;
    zobj_t z = zobj_of(e);
    size_t first, end;
    score_ranks(&z, &r, &first, &end);
    remove_ranks(ctx, e, first, end - first);
}

/* Both encodings delete from the first member inside min while max
 * admits them, as Redis does. */
void cmd__zremrangebylex(cmd_ctx_t *ctx)
{
    zobj_lex_t min, max;
    if (!parse_lex_range(ctx, 2, 3, &min, &max))
        return;
    entry_t *e = find_or_zero(ctx);
    if (!e)
        return;
    zobj_t z = zobj_of(e);
    size_t first = zobj_lex_first(&z, &min);
    remove_ranks(ctx, e, first, lex_walk_count(&z, first, &max));
}
