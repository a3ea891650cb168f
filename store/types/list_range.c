/*
 * list_range.c - the list commands that work by position or search:
 * LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS, with Redis 7.0's replies,
 * error texts and order of checks.  The encodings are list_enc.h's.
 *
 * Concurrency: as cmd_exec.
 */
#include <errno.h>
#include <limits.h>

#include "list.h"
#include "list_enc.h"
#include "store/cmd/proc.h"

static void reply_elem(reply_t *r, const list_elem_t *x)
{
    if (x->s)
        reply_bulk(r, x->s, x->len);
    else
        reply_bulk_ll(r, x->ival);
}

void list__reply_range(cmd_ctx_t *ctx, entry_t *e, long long start, long long end,
                       bool reverse)
{
    long long llen = (long long)list_enc_len(e);
    list_iter_t it;
    list_elem_t x;

    if (start < 0)
        start += llen;
    if (end < 0)
        end += llen;
    if (start < 0)
        start = 0;
    if (start > end || start >= llen) {
        reply_array(ctx->reply, 0);
        return;
    }
    if (end >= llen)
        end = llen - 1;
    long long n = end - start + 1;
    reply_array(ctx->reply, (size_t)n);
    list_enc_iter_init(&it, e, (long)(reverse ? end : start), !reverse);
    for (long long i = 0; i < n; i++) {
        if (list_enc_iter_next(&it, &x) != 1) {
            list__reply_broken(ctx);
            break;
        }
        reply_elem(ctx->reply, &x);
    }
    list_enc_iter_done(&it);
}

void cmd__lrange(cmd_ctx_t *ctx)
{
    long long start, end;
    bool wrong;
    entry_t *e;

    if (!cmd__arg_ll(ctx, 2, &start) || !cmd__arg_ll(ctx, 3, &end))
        return;
    if ((e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong)))
        list__reply_range(ctx, e, start, end, false);
    else if (!wrong)
        reply_array(ctx->reply, 0);
}

void cmd__lindex(cmd_ctx_t *ctx)
{
    long long index;
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong);
    list_elem_t x;
    int rc;

    if (!e) {
        if (!wrong)
            reply_null(ctx->reply);
        return;
    }
    if (!cmd__arg_ll(ctx, 2, &index))
        return;
    rc = list_enc_index(e, (long)index, &x);
    if (rc == 1)
        reply_elem(ctx->reply, &x);
    else if (rc == 0)
        reply_null(ctx->reply);
    else
        cmd__reply_oom(ctx);
}

void cmd__lset(cmd_ctx_t *ctx)
{
    const cmd_arg_t *v = &ctx->argv[3];
    long long index, llen;
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong);

    if (!e) {
        if (!wrong)
            reply_error(ctx->reply, ERR_NO_SUCH_KEY);
        return;
    }
    if (!cmd__arg_ll(ctx, 2, &index))
        return;
    /* Out of range changes nothing (not even the encoding). */
    llen = (long long)list_enc_len(e);
    if (index >= llen || index < -llen) {
        reply_error(ctx->reply, ERR_LIST_INDEX_RANGE);
        return;
    }
    size_t before = entry_mem(e);
    if (list_enc_grow(e, cmd__cfg(ctx), list_enc_elem_size(v->ptr, v->len), 0) != 0 ||
        list_enc_replace(e, (long)index, v->ptr, v->len) != 0)
        cmd__reply_oom(ctx);
    else
        reply_ok(ctx->reply);
    list__written(ctx, cmd__ks_of(ctx, 1), e, before);
}

/* Index of the first element equal to s from the head, -1 if none, -2
 * out of memory. */
static long long find_first(entry_t *e, const char *s, size_t len)
{
    list_needle_t nd;
    list_iter_t it;
    list_elem_t x;
    long long i = 0;
    int rc;

    list_enc_needle(&nd, s, len);
    list_enc_iter_init(&it, e, 0, true);
    while ((rc = list_enc_iter_next(&it, &x)) == 1 && !list_enc_match(&x, &nd))
        i++;
    list_enc_iter_done(&it);
    return rc == 1 ? i : rc == 0 ? -1 : -2;
}

void cmd__linsert(cmd_ctx_t *ctx)
{
    const cmd_arg_t *pivot = &ctx->argv[3], *v = &ctx->argv[4];
    bool after, wrong;
    entry_t *e;
    list_iter_t it;
    list_elem_t x;
    long long at;
    int rc;

    if (cmd__opt_is(&ctx->argv[2], "after"))
        after = true;
    else if (cmd__opt_is(&ctx->argv[2], "before"))
        after = false;
    else {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    if (!(e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong))) {
        if (!wrong)
            reply_int(ctx->reply, 0);
        return;
    }
    /* Find the pivot first: a miss changes nothing, not even the
     * encoding; then make room and go back to it. */
    if ((at = find_first(e, pivot->ptr, pivot->len)) == -1) {
        reply_int(ctx->reply, -1);
        return;
    }
    size_t before = entry_mem(e);
    rc = at < 0 ? -ENOMEM : list_enc_grow(e, cmd__cfg(ctx), list_enc_elem_size(v->ptr, v->len), 1);
    if (rc == 0) {
        list_enc_iter_init(&it, e, (long)at, true);
        rc = list_enc_iter_next(&it, &x) == 1 ? list_enc_iter_insert(&it, v->ptr, v->len, after)
                                               : -ENOMEM;
        list_enc_iter_done(&it);
    }
    if (rc == 0)
        reply_int(ctx->reply, (long long)list_enc_len(e));
    else
        cmd__reply_oom(ctx);
    list__written(ctx, cmd__ks_of(ctx, 1), e, before);
}

void cmd__lrem(cmd_ctx_t *ctx)
{
    const cmd_arg_t *v = &ctx->argv[3];
    long long toremove, removed = 0;
    bool wrong, tail;
    entry_t *e;
    list_needle_t nd;
    list_iter_t it;
    list_elem_t x;
    int rc;

    if (!cmd__arg_ll(ctx, 2, &toremove))
        return;
    if (!(e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong))) {
        if (!wrong)
            reply_int(ctx->reply, 0);
        return;
    }
    /* Negative: from the tail (Redis negates the count; the most negative
     * stays negative there and so removes them all). */
    tail = toremove < 0;
    unsigned long long limit = tail ? 0ull - (unsigned long long)toremove
                                    : (unsigned long long)toremove;
    if (toremove == LLONG_MIN)
        limit = 0;
    size_t before = entry_mem(e);
    list_enc_needle(&nd, v->ptr, v->len);
    list_enc_iter_init(&it, e, tail ? -1 : 0, !tail);
    while ((rc = list_enc_iter_next(&it, &x)) == 1) {
        if (!list_enc_match(&x, &nd))
            continue;
        if ((rc = list_enc_iter_delete(&it)) != 0)
            break;
        removed++;
        if (limit && (unsigned long long)removed == limit)
            break;
    }
    list_enc_iter_done(&it);
    if (rc < 0)
        cmd__reply_oom(ctx);
    else
        reply_int(ctx->reply, removed);
    if (removed)
        list__written(ctx, cmd__ks_of(ctx, 1), e, before);
}

void cmd__ltrim(cmd_ctx_t *ctx)
{
    long long start, end, llen, ltrim, rtrim;
    bool wrong;
    entry_t *e;

    if (!cmd__arg_ll(ctx, 2, &start) || !cmd__arg_ll(ctx, 3, &end))
        return;
    if (!(e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong))) {
        if (!wrong)
            reply_ok(ctx->reply);
        return;
    }
    llen = (long long)list_enc_len(e);
    if (start < 0)
        start += llen;
    if (end < 0)
        end += llen;
    if (start < 0)
        start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen)
            end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    size_t before = entry_mem(e);
    if (list_enc_del_range(e, 0, (long)ltrim) < 0 ||
        list_enc_del_range(e, (long)-rtrim, (long)rtrim) < 0)
        cmd__reply_oom(ctx);
    else
        reply_ok(ctx->reply);
    /* Redis signals the key even when nothing was trimmed. */
    list__written(ctx, cmd__ks_of(ctx, 1), e, before);
}

/* ---- LPOS ---- */

typedef struct lpos_opts {
    long long rank, count, maxlen;  /* count -1: no COUNT */
} lpos_opts_t;

static bool lpos_parse(cmd_ctx_t *ctx, lpos_opts_t *o)
{
    *o = (lpos_opts_t){.rank = 1, .count = -1, .maxlen = 0};
    for (int j = 3; j < ctx->argc; j++) {
        const cmd_arg_t *a = &ctx->argv[j];
        bool more = j + 1 < ctx->argc;
        const cmd_arg_t *v = &ctx->argv[j + (more ? 1 : 0)];

        if (cmd__opt_is(a, "rank") && more) {
            j++;
            if (!cmd__arg_ll(ctx, j, &o->rank))
                return false;
            if (o->rank == 0) {
                reply_error(ctx->reply, ERR_LIST_RANK_ZERO);
                return false;
            }
        } else if (cmd__opt_is(a, "count") && more) {
            j++;
            if (!num_parse_ll(v->ptr, v->len, &o->count) || o->count < 0) {
                reply_error(ctx->reply, ERR_LIST_COUNT_NEG);
                return false;
            }
        } else if (cmd__opt_is(a, "maxlen") && more) {
            j++;
            if (!num_parse_ll(v->ptr, v->len, &o->maxlen) || o->maxlen < 0) {
                reply_error(ctx->reply, ERR_LIST_MAXLEN_NEG);
                return false;
            }
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

void cmd__lpos(cmd_ctx_t *ctx)
{
    lpos_opts_t o;
    bool wrong;
    entry_t *e;

    if (!lpos_parse(ctx, &o))
        return;
    if (!(e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong))) {
        if (wrong)
            return;
        if (o.count != -1)
            reply_array(ctx->reply, 0);
        else
            reply_null(ctx->reply);
        return;
    }
    /* A negative rank searches from the tail.  Redis negates it in a long:
     * the most negative rank stays negative, so every match qualifies and
     * its COUNT test (matches - rank + 1 >= count) wraps and never ends the
     * search; unsigned arithmetic keeps that without overflow. */
    bool fwd = o.rank > 0;
    unsigned long long rank = fwd ? (unsigned long long)o.rank : 0ull - (unsigned long long)o.rank;
    bool any_rank = o.rank == LLONG_MIN;
    long long llen = (long long)list_enc_len(e);
    long long index = 0, matches = 0, matchindex = -1, found = 0;
    size_t mark = 0;
    list_needle_t nd;
    list_iter_t it;
    list_elem_t x;
    int rc = 0;

    if (o.count != -1)
        mark = reply_array_begin(ctx->reply);
    list_enc_needle(&nd, ctx->argv[2].ptr, ctx->argv[2].len);
    list_enc_iter_init(&it, e, fwd ? 0 : -1, fwd);
    while ((o.maxlen == 0 || index < o.maxlen) && (rc = list_enc_iter_next(&it, &x)) == 1) {
        if (list_enc_match(&x, &nd)) {
            matches++;
            matchindex = fwd ? index : llen - index - 1;
            if (any_rank || (unsigned long long)matches >= rank) {
                if (o.count == -1)
                    break;
                found++;
                reply_int(ctx->reply, matchindex);
                unsigned long long got = (unsigned long long)matches - (any_rank
                    ? (unsigned long long)LLONG_MIN : rank) + 1;
                if (o.count && (long long)got >= o.count)
                    break;
            }
        }
        index++;
        matchindex = -1;
    }
    list_enc_iter_done(&it);
    if (rc < 0)
        list__reply_broken(ctx);
    if (o.count != -1)
        reply_array_end(ctx->reply, mark, (size_t)found);
    else if (matchindex != -1)
        reply_int(ctx->reply, matchindex);
    else
        reply_null(ctx->reply);
}
