/*
 * zset_pop.c - the sorted set pops: ZPOPMIN ZPOPMAX ZMPOP, and the
 * blocking BZPOPMIN BZPOPMAX BZMPOP, with Redis 7.0's replies.
 *
 * A blocking pop tries to serve itself now; when no key holds a set and
 * it may wait (ctx->may_block), it writes no reply and the server makes
 * the client wait on its keys (net/conn/blocking.c), then runs it again
 * with ctx->ready_key set when one of them receives data
 * (net/shard/waiter.c): it then tries that key only, and keeps waiting
 * if it holds no sorted set.  Inside MULTI it may not wait and answers as
 * on a timeout (a null array), as Redis does.  The timeout is checked
 * first and only read here; the server times the wait.
 *
 * Concurrency: as cmd_exec.
 */
#include "zset.h"

#include "store/cmd/block.h"
#include "store/cmd/proc.h"
#include "zset_obj.h"
#include "zset_util.h"

/* Pop n (1 <= n <= its size) members of the set e at argv[at] from its
 * low end (or high: max), replying each as member then score, or as a
 * [member, score] pair (nested), after the header the caller wrote.  The
 * key goes when emptied. */
static void pop_n(cmd_ctx_t *ctx, int at, entry_t *e, bool max, size_t n, bool nested)
{
    zobj_t z = zobj_of(e);
    size_t len = zobj_len(&z);
    zobj_iter_t it;
    zobj_elem_t el;
    zobj_iter_init(&it, &z, max ? len - 1 : 0, !max);
    for (size_t i = 0; i < n && zobj_iter_next(&it, &el); i++) {
        if (nested)
            reply_array(ctx->reply, 2);
        reply_bulk(ctx->reply, el.s, el.len);
        reply_double(ctx->reply, el.score);
    }
    size_t before = entry_mem(e);
    zobj_delete_range(&z, max ? len - n : 0, n);
    zobj_commit(cmd__ks_of(ctx, at), e, &z, before);
}

/* The sorted set a served waiter finds at argv[i], or NULL (it waits on). */
static entry_t *ready_set(cmd_ctx_t *ctx, int i)
{
    entry_t *e = ks_find(cmd__ks_of(ctx, i), ctx->argv[i].ptr, ctx->argv[i].len);
    return e && e->otype == OBJ_ZSET ? e : NULL;
}

/* The first of argv[first .. last] holding a sorted set, its index in
 * *at; a key of another type before it is the error (replied, *wrong).
 * A served waiter looks at the ready key only.  NULL if none. */
static entry_t *first_set(cmd_ctx_t *ctx, int first, int last, int *at, bool *wrong)
{
    *wrong = false;
    int ready = cmd__ready_index(ctx, first, last);
    if (ready >= 0) {
        *at = ready;
        return ready_set(ctx, ready);
    }
    for (int i = first; i <= last; i++) {
        entry_t *e = zset__find(ctx, i, wrong);
        if (*wrong)
            return NULL;
        if (e) {
            *at = i;
            return e;
        }
    }
    return NULL;
}

static size_t clip(long long count, const entry_t *e)
{
    zobj_t z = zobj_of(e);
    size_t len = zobj_len(&z);
    return (unsigned long long)count > len ? len : (size_t)count;
}

/* ---- ZPOPMIN, ZPOPMAX ---- */

/* ZPOPMIN/ZPOPMAX key [count]: without a count one flat pair; with one,
 * RESP3 nests the pairs.  A missing key (or count 0) is an empty array. */
static void zpop(cmd_ctx_t *ctx, bool max)
{
    if (ctx->argc > 3) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    long long count = -1;
    if (ctx->argc == 3 && (!num_parse_ll(ctx->argv[2].ptr, ctx->argv[2].len, &count) ||
                           count < 0)) {
        reply_error(ctx->reply, ERR_ZSET_POSITIVE);
        return;
    }
    bool nested = ctx->reply->proto > 2 && count != -1, wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (wrong)
        return;
    size_t n = e ? clip(count == -1 ? 1 : count, e) : 0;
    reply_array(ctx->reply, nested ? n : 2 * n);
    if (n)
        pop_n(ctx, 1, e, max, n, nested);
}

void cmd__zpopmin(cmd_ctx_t *ctx)
{
    zpop(ctx, false);
}

void cmd__zpopmax(cmd_ctx_t *ctx)
{
    zpop(ctx, true);
}

/* ---- ZMPOP, BZMPOP ---- */

/* [B]ZMPOP ... numkeys key [key ...] MIN|MAX [COUNT count], numkeys at
 * argv[at]: numkeys, the side and the options are checked before any key
 * is read.  The reply is [key, [[member, score] ...]], or a null array
 * when no key holds a set (and it may not wait). */
static void zmpop(cmd_ctx_t *ctx, int at)
{
    long long numkeys, count = -1;
    if (!num_parse_ll(ctx->argv[at].ptr, ctx->argv[at].len, &numkeys) || numkeys < 1) {
        reply_error(ctx->reply, ERR_ZSET_NUMKEYS_POSITIVE);
        return;
    }
    /* The keys, then MIN|MAX, must fit in what follows numkeys. */
    if (numkeys >= ctx->argc - at - 1) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    int where = at + 1 + (int)numkeys;
    bool max;
    if (cmd__opt_is(&ctx->argv[where], "min")) {
        max = false;
    } else if (cmd__opt_is(&ctx->argv[where], "max")) {
        max = true;
    } else {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    for (int j = where + 1; j < ctx->argc; j++) {
        if (count == -1 && cmd__opt_is(&ctx->argv[j], "count") && j + 1 < ctx->argc) {
            j++;
            if (!num_parse_ll(ctx->argv[j].ptr, ctx->argv[j].len, &count) || count < 1) {
                reply_error(ctx->reply, ERR_ZSET_COUNT_POSITIVE);
                return;
            }
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return;
        }
    }
    int key;
    bool wrong;
    entry_t *e = first_set(ctx, at + 1, where - 1, &key, &wrong);
    if (wrong || (!e && (ctx->may_block || ctx->ready_key)))
        return;
    if (!e) {
        reply_null_array(ctx->reply);
        return;
    }
    size_t n = clip(count == -1 ? 1 : count, e);
    reply_array(ctx->reply, 2);
    reply_bulk(ctx->reply, ctx->argv[key].ptr, ctx->argv[key].len);
    reply_array(ctx->reply, n);
    pop_n(ctx, key, e, max, n, true);
}

void cmd__zmpop(cmd_ctx_t *ctx)
{
    zmpop(ctx, 1);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
void cmd__bzmpop(cmd_ctx_t *ctx)
{
    long long ms;
    if (cmd__block_timeout(ctx, 1, &ms))
        zmpop(ctx, 2);
}

/* ---- BZPOPMIN, BZPOPMAX ---- */

/* BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score] from the
 * first key holding a set. */
static void bzpop(cmd_ctx_t *ctx, bool max)
{
    long long ms;
    if (!cmd__block_timeout(ctx, ctx->argc - 1, &ms))
        return;
    int key;
    bool wrong;
    entry_t *e = first_set(ctx, 1, ctx->argc - 2, &key, &wrong);
    if (e) {
        reply_array(ctx->reply, 3);
        reply_bulk(ctx->reply, ctx->argv[key].ptr, ctx->argv[key].len);
        pop_n(ctx, key, e, max, 1, false);
    } else if (!wrong && !ctx->may_block && !ctx->ready_key) {
        reply_null_array(ctx->reply);
    }
}

void cmd__bzpopmin(cmd_ctx_t *ctx)
{
    bzpop(ctx, false);
}

void cmd__bzpopmax(cmd_ctx_t *ctx)
{
    bzpop(ctx, true);
}
