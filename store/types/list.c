/*
 * list.c - the list commands that push, pop and move elements: LPUSH
 * RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LMOVE RPOPLPUSH LMPOP, with Redis
 * 7.0's replies, error texts and order of checks (arguments before the
 * key where Redis parses them first).  The encodings are list_enc.h's.
 *
 * Keys of other shards: LMOVE/RPOPLPUSH's destination and LMPOP's keys
 * live in cmd__ks_of(ctx, i); the router holds their shards for the call.
 *
 * Concurrency: as cmd_exec.
 */
#include "list.h"

#include <stdlib.h>
#include <string.h>

#include "list_enc.h"
#include "store/cmd/block.h"
#include "store/cmd/proc.h"

void list__written(cmd_ctx_t *ctx, ks_t *ks, entry_t *e, size_t mem_before)
{
    list_enc_shrink(e, cmd__cfg(ctx));
    ks_changed(ks, e, mem_before);
    if (list_enc_len(e) == 0)
        ks_delete_entry(ks, e);
}

/* A new empty list under the key argv[i] (filled before the command
 * returns); NULL after replying the error. */
static entry_t *new_list(cmd_ctx_t *ctx, int i)
{
    const cmd_arg_t *k = &ctx->argv[i];
    void *obj = list_enc_new();
    entry_t *e = obj ? ks_add_obj(cmd__ks_of(ctx, i), k->ptr, k->len, OBJ_LIST,
                                  ENC_LIST_LP, obj)
                     : NULL;
    if (!e)
        cmd__reply_oom(ctx);
    return e;
}

/* ---- LPUSH RPUSH LPUSHX RPUSHX ---- */

static void push_generic(cmd_ctx_t *ctx, bool head, bool xx)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong);
    size_t add = 0, before;
    int rc = 0;

    if (wrong)
        return;
    if (!e) {
        if (xx) {
            reply_int(ctx->reply, 0);
            return;
        }
        if (!(e = new_list(ctx, 1)))
            return;
    }
    before = entry_mem(e);
    for (int j = 2; j < ctx->argc; j++)
        add += list_enc_elem_size(ctx->argv[j].ptr, ctx->argv[j].len);
    rc = list_enc_grow(e, cmd__cfg(ctx), add, (size_t)(ctx->argc - 2));
    for (int j = 2; rc == 0 && j < ctx->argc; j++)
        rc = list_enc_push(e, ctx->argv[j].ptr, ctx->argv[j].len, head);
    if (rc == 0)
        reply_int(ctx->reply, (long long)list_enc_len(e));
    else
        cmd__reply_oom(ctx);
    list__written(ctx, cmd__ks_of(ctx, 1), e, before);
}

void cmd__lpush(cmd_ctx_t *ctx) { push_generic(ctx, true, false); }
void cmd__rpush(cmd_ctx_t *ctx) { push_generic(ctx, false, false); }
void cmd__lpushx(cmd_ctx_t *ctx) { push_generic(ctx, true, true); }
void cmd__rpushx(cmd_ctx_t *ctx) { push_generic(ctx, false, true); }

/* ---- LPOP RPOP LMPOP ---- */

/* Pop up to count elements (>= 1) from one end of the list e (argv[i])
 * and reply them as an array, the popped order (Redis's pop with count). */
static void pop_range(cmd_ctx_t *ctx, int i, entry_t *e, bool head, long long count)
{
    long long llen = (long long)list_enc_len(e);
    long long n = count > llen ? llen : count;
    long long start = head ? 0 : -n;
    size_t before = entry_mem(e);

    list__reply_range(ctx, e, start, head ? n - 1 : -1, !head);
    if (list_enc_del_range(e, (long)start, (long)n) != n)
        list__reply_broken(ctx);
    list__written(ctx, cmd__ks_of(ctx, i), e, before);
}

static int reply_popped(void *arg, const list_elem_t *x)
{
    reply_t *r = arg;
    if (x->s)
        reply_bulk(r, x->s, x->len);
    else
        reply_bulk_ll(r, x->ival);
    return 0;
}

static void pop_generic(cmd_ctx_t *ctx, bool head)
{
    bool has_count = ctx->argc == 3, wrong;
    long long count = 0;
    entry_t *e;

    if (ctx->argc > 3) {
        reply_errorf(ctx->reply, ERRF_ARITY, ctx->cmd->name);
        return;
    }
    if (has_count && (!num_parse_ll(ctx->argv[2].ptr, ctx->argv[2].len, &count) || count < 0)) {
        reply_error(ctx->reply, ERR_LIST_POSITIVE);
        return;
    }
    if (!(e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong))) {
        if (!wrong && has_count)
            reply_null_array(ctx->reply);
        else if (!wrong)
            reply_null(ctx->reply);
        return;
    }
    if (has_count && count == 0) {
        reply_array(ctx->reply, 0);
        return;
    }
    if (has_count) {
        pop_range(ctx, 1, e, head, count);
        return;
    }
    size_t before = entry_mem(e);
    if (list_enc_pop(e, head, reply_popped, ctx->reply) < 0) {
        cmd__reply_oom(ctx);
        return;
    }
    list__written(ctx, cmd__ks_of(ctx, 1), e, before);
}

void cmd__lpop(cmd_ctx_t *ctx) { pop_generic(ctx, true); }
void cmd__rpop(cmd_ctx_t *ctx) { pop_generic(ctx, false); }

void cmd__llen(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong);
    if (!wrong)
        reply_int(ctx->reply, e ? (long long)list_enc_len(e) : 0);
}

bool list__parse_end(cmd_ctx_t *ctx, int i, bool *head)
{
    if (cmd__opt_is(&ctx->argv[i], "right"))
        *head = false;
    else if (cmd__opt_is(&ctx->argv[i], "left"))
        *head = true;
    else {
        reply_error(ctx->reply, ERR_SYNTAX);
        return false;
    }
    return true;
}

entry_t *list__ready(cmd_ctx_t *ctx, int i)
{
    entry_t *e = ks_find(cmd__ks_of(ctx, i), ctx->argv[i].ptr, ctx->argv[i].len);
    return e && e->otype == OBJ_LIST ? e : NULL;
}

void list__mpop(cmd_ctx_t *ctx, int at)
{
    long long numkeys, count = -1;
    bool head, wrong;

    if (!num_parse_ll(ctx->argv[at].ptr, ctx->argv[at].len, &numkeys) || numkeys < 1) {
        reply_error(ctx->reply, ERR_LIST_NUMKEYS);
        return;
    }
    /* The keys, then LEFT|RIGHT, must fit in what follows numkeys. */
    if (numkeys >= ctx->argc - at - 1) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    int where = at + 1 + (int)numkeys;
    if (!list__parse_end(ctx, where, &head))
        return;
    for (int j = where + 1; j < ctx->argc; j++) {
        if (count == -1 && cmd__opt_is(&ctx->argv[j], "count") && j + 1 < ctx->argc) {
            j++;
            if (!num_parse_ll(ctx->argv[j].ptr, ctx->argv[j].len, &count) || count < 1) {
                reply_error(ctx->reply, ERR_LIST_COUNT);
                return;
            }
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return;
        }
    }
    if (count == -1)
        count = 1;
    /* The first key holding a list wins; a key of another type before it
     * is an error.  A waiter being served tries only the key that
     * received data, and stays waiting if it holds no list. */
    int ready = cmd__ready_index(ctx, at + 1, where - 1);
    for (int i = ready >= 0 ? ready : at + 1; i < where; i++) {
        entry_t *e = ready >= 0 ? list__ready(ctx, i)
                                : cmd__find_typed(ctx, i, OBJ_LIST, &wrong);
        if (!e && (ready >= 0 || wrong))
            return;
        if (!e)
            continue;
        reply_array(ctx->reply, 2);
        reply_bulk(ctx->reply, ctx->argv[i].ptr, ctx->argv[i].len);
        pop_range(ctx, i, e, head, count);
        return;
    }
    if (!ctx->may_block)
        reply_null_array(ctx->reply);
}

void cmd__lmpop(cmd_ctx_t *ctx)
{
    list__mpop(ctx, 1);
}

/* ---- LMOVE RPOPLPUSH ---- */

/* Move one element from an end of argv[1]'s list to an end of argv[2]'s
 * (Redis's lmoveGenericCommand). The destination's type is checked before
 * anything moves; the element is copied, pushed, and only then popped, so
 * a failure loses nothing, and source == destination rotates. */
void list__move(cmd_ctx_t *ctx, bool from_head, bool to_head)
{
    ks_t *sks = cmd__ks_of(ctx, 1), *dks = cmd__ks_of(ctx, 2);
    bool wrong;
    entry_t *src = cmd__find_typed(ctx, 1, OBJ_LIST, &wrong), *dst;
    list_elem_t x;
    char nbuf[NUM_LL_BUF], small[128], *copy = small;
    const char *s;
    size_t len, sbefore, dbefore;

    if (!src) {
        if (!wrong)
            reply_null(ctx->reply);
        return;
    }
    dst = cmd__find_typed(ctx, 2, OBJ_LIST, &wrong);
    if (wrong)
        return;
    if (list_enc_index(src, from_head ? 0 : -1, &x) != 1) {
        cmd__reply_oom(ctx);
        return;
    }
    s = list_enc_str(&x, nbuf, &len);
    if (len > sizeof small && !(copy = malloc(len))) {
        cmd__reply_oom(ctx);
        return;
    }
    memcpy(copy, s, len);
    if (!dst && !(dst = new_list(ctx, 2)))
        goto out;
    sbefore = entry_mem(src);
    dbefore = dst == src ? sbefore : entry_mem(dst);
    if (list_enc_grow(dst, cmd__cfg(ctx), list_enc_elem_size(copy, len), 1) != 0 ||
        list_enc_push(dst, copy, len, to_head) != 0) {
        cmd__reply_oom(ctx);
        if (dst != src)
            list__written(ctx, dks, dst, dbefore);
        goto out;
    }
    if (list_enc_pop(src, from_head, NULL, NULL) != 1) {
        /* Cannot happen (the end nodes are never compressed); undo. */
        list_enc_pop(dst, to_head, NULL, NULL);
        cmd__reply_oom(ctx);
    } else {
        reply_bulk(ctx->reply, copy, len);
    }
    if (dst != src)
        list__written(ctx, dks, dst, dbefore);
    list__written(ctx, sks, src, sbefore);
out:
    if (copy != small)
        free(copy);
}

void cmd__lmove(cmd_ctx_t *ctx)
{
    bool from_head, to_head;
    if (list__parse_end(ctx, 3, &from_head) && list__parse_end(ctx, 4, &to_head))
        list__move(ctx, from_head, to_head);
}

void cmd__rpoplpush(cmd_ctx_t *ctx)
{
    list__move(ctx, false, true);
}
