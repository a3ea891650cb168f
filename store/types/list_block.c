/*
 * list_block.c - BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP: their non-blocking
 * part.  Each one tries to serve itself now; when there is nothing and it
 * may wait (ctx->may_block), it writes no reply and the server makes the
 * client wait on its keys (net/conn/blocking.c), then runs it again with
 * ctx->ready_key set when one of them receives data (net/shard/waiter.c).
 * Inside MULTI it may not wait: it answers as on a timeout (null), as
 * Redis does.  The timeout is checked first, as in Redis, and only read
 * here; the server times the wait.
 *
 * Concurrency: as cmd_exec.
 */
#include "list.h"

#include "list_enc.h"
#include "store/cmd/block.h"
#include "store/cmd/proc.h"

static int reply_elem(void *arg, const list_elem_t *x)
{
    reply_t *r = arg;
    if (x->s)
        reply_bulk(r, x->s, x->len);
    else
        reply_bulk_ll(r, x->ival);
    return 0;
}

/* Pop one element from the list e of argv[i], replied as [key, element]. */
static void pop_one(cmd_ctx_t *ctx, int i, entry_t *e, bool head)
{
    size_t before = entry_mem(e);
    reply_array(ctx->reply, 2);
    reply_bulk(ctx->reply, ctx->argv[i].ptr, ctx->argv[i].len);
    if (list_enc_pop(e, head, reply_elem, ctx->reply) < 0) {
        list__reply_broken(ctx);
        return;
    }
    list__written(ctx, cmd__ks_of(ctx, i), e, before);
}

/* BLPOP / BRPOP key [key ...] timeout: the first key holding a list, in
 * argument order (a key of another type before it is an error). */
static void bpop_generic(cmd_ctx_t *ctx, bool head)
{
    long long ms;
    int last = ctx->argc - 2;
    if (!cmd__block_timeout(ctx, ctx->argc - 1, &ms))
        return;
    int ready = cmd__ready_index(ctx, 1, last);
    if (ready >= 0) {
        entry_t *e = list__ready(ctx, ready);
        if (e)
            pop_one(ctx, ready, e, head);
        return;
    }
    for (int i = 1; i <= last; i++) {
        bool wrong;
        entry_t *e = cmd__find_typed(ctx, i, OBJ_LIST, &wrong);
        if (wrong)
            return;
        if (e) {
            pop_one(ctx, i, e, head);
            return;
        }
    }
    if (!ctx->may_block)
        reply_null_array(ctx->reply);
}

void cmd__blpop(cmd_ctx_t *ctx) { bpop_generic(ctx, true); }
void cmd__brpop(cmd_ctx_t *ctx) { bpop_generic(ctx, false); }

/* BLMOVE / BRPOPLPUSH: the source's type first; a missing source waits;
 * then LMOVE's work, which checks the destination before anything moves
 * (a wrong-type destination is an error, even for a waiter served). */
static void bmove_generic(cmd_ctx_t *ctx, int timeout_at, bool from_head, bool to_head)
{
    long long ms;
    if (!cmd__block_timeout(ctx, timeout_at, &ms))
        return;
    if (ctx->ready_key) {
        if (list__ready(ctx, 1))
            list__move(ctx, from_head, to_head);
        return;
    }
    bool wrong;
    entry_t *src = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong);
    if (wrong)
        return;
    if (src)
        list__move(ctx, from_head, to_head);
    else if (!ctx->may_block)
        reply_null(ctx->reply);
}

void cmd__blmove(cmd_ctx_t *ctx)
{
    bool from, to;
    if (list__parse_end(ctx, 3, &from) && list__parse_end(ctx, 4, &to))
        bmove_generic(ctx, 5, from, to);
}

void cmd__brpoplpush(cmd_ctx_t *ctx)
{
    bmove_generic(ctx, 3, false, true);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
void cmd__blmpop(cmd_ctx_t *ctx)
{
    long long ms;
    if (cmd__block_timeout(ctx, 1, &ms))
        list__mpop(ctx, 2);
}
