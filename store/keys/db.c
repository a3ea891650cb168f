/*
 * cmd_db.c - commands across the databases of one shard: COPY (with
 * DB n and REPLACE), MOVE and SWAPDB, as Redis 7.0.
 *
 * Each shard holds every database for its slice of the keyspace (ctx->dbs),
 * so these run on one shard: the connection layer sends COPY only when
 * both keys live on this shard, MOVE to the key's shard, and SWAPDB to
 * every shard (each swaps its own pair; the replies are all +OK).
 *
 * Concurrency: runs on the shard's thread (cmd_exec).
 */
#include <limits.h>

#include "store/cmd/proc.h"
#include "store/db/ks_move.h"
#include "store/db/ks_watch.h"
#include "keys.h"

/* Redis's getIntFromObjectOrReply: an integer that fits an int. msg, if
 * not NULL, replaces both of its errors (SWAPDB's "invalid ... index"). */
static bool arg_int(cmd_ctx_t *ctx, int i, int *out, const char *msg)
{
    long long v;
    if (!num_parse_ll(ctx->argv[i].ptr, ctx->argv[i].len, &v)) {
        reply_error(ctx->reply, msg ? msg : ERR_NOT_INTEGER);
        return false;
    }
    if (v < INT_MIN || v > INT_MAX) {
        reply_error(ctx->reply, msg ? msg : ERR_INT_RANGE);
        return false;
    }
    *out = (int)v;
    return true;
}

/* Database index argv[i] (Redis's selectDb check); replies on error. */
static bool arg_db(cmd_ctx_t *ctx, int i, int *id)
{
    if (!arg_int(ctx, i, id, NULL))
        return false;
    if (*id < 0 || *id >= cmd__ndbs(ctx)) {
        reply_error(ctx->reply, ERR_DB_INDEX_RANGE);
        return false;
    }
    return true;
}

static bool same_key(const cmd_arg_t *a, const cmd_arg_t *b)
{
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* COPY and MOVE: key's live entry in src, when dst may take it as newkey
 * (dst does not hold newkey, or replace); else replies :0, NULL. */
static entry_t *entry_to_place(cmd_ctx_t *ctx, ks_t *src, const cmd_arg_t *key,
                               ks_t *dst, const cmd_arg_t *newkey, bool replace)
{
    entry_t *e = ks_find(src, key->ptr, key->len);
    if (e) {
        ks_set_now(dst, ctx->now_ms);
        if (!ks_find(dst, newkey->ptr, newkey->len) || replace)
            return e;
    }
    reply_int(ctx->reply, 0);
    return NULL;
}

/* COPY source destination [DB destination-db] [REPLACE] */
void cmd__copy(cmd_ctx_t *ctx)
{
    const cmd_arg_t *key = &ctx->argv[1], *newkey = &ctx->argv[2];
    ks_t *src = ctx->ks, *dst = cmd__ks2(ctx);
    bool replace = false;

    for (int j = 3; j < ctx->argc; j++) {
        if (cmd__opt_is(&ctx->argv[j], "replace")) {
            replace = true;
        } else if (cmd__opt_is(&ctx->argv[j], "db") && j + 1 < ctx->argc) {
            int id;
            if (!arg_db(ctx, ++j, &id))
                return;
            dst = cmd__db2(ctx, id);
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return;
        }
    }
    if (src == dst && same_key(key, newkey)) {
        reply_error(ctx->reply, ERR_SAME_OBJECT);
        return;
    }
    entry_t *e = entry_to_place(ctx, src, key, dst, newkey, replace);
    if (!e)
        return;
    if (!ks_add_dup(dst, newkey->ptr, newkey->len, e, ks_ttl_get(src, e))) {
        cmd__reply_oom(ctx);
        return;
    }
    reply_int(ctx->reply, 1);
}

/* MOVE key db */
void cmd__move(cmd_ctx_t *ctx)
{
    const cmd_arg_t *key = &ctx->argv[1];
    int id;

    if (!arg_db(ctx, 2, &id))
        return;
    ks_t *src = ctx->ks, *dst = cmd__db(ctx, id);
    if (src == dst) {
        reply_error(ctx->reply, ERR_SAME_OBJECT);
        return;
    }
    entry_t *e = entry_to_place(ctx, src, key, dst, key, false);
    if (!e)
        return;
    if (ks_move(src, e, dst) != 0) {
        cmd__reply_oom(ctx);
        return;
    }
    reply_int(ctx->reply, 1);
}

/* SWAPDB index1 index2: swap this shard's two keyspaces. */
void cmd__swapdb(cmd_ctx_t *ctx)
{
    int a, b;

    if (!arg_int(ctx, 1, &a, ERR_SWAPDB_FIRST) || !arg_int(ctx, 2, &b, ERR_SWAPDB_SECOND))
        return;
    int n = cmd__ndbs(ctx);
    if (a < 0 || a >= n || b < 0 || b >= n) {
        reply_error(ctx->reply, ERR_DB_INDEX_RANGE);
        return;
    }
    if (ctx->dbs && a != b) {
        ks_t *t = ctx->dbs[a];
        ctx->dbs[a] = ctx->dbs[b];
        ctx->dbs[b] = t;
        /* Watches stay with the index; keys watched in either changed. */
        ks_watch_swapdb(ctx->dbs[a], ctx->dbs[b]);
        /* So do waits: a waited-on key may hold data now. */
        ks_blocking_swapdb(ctx->dbs[a], ctx->dbs[b]);
        /* The selected index now names the other keyspace. */
        if (ctx->ks == ctx->dbs[a])
            ctx->ks = ctx->dbs[b];
        else if (ctx->ks == ctx->dbs[b])
            ctx->ks = ctx->dbs[a];
    }
    reply_ok(ctx->reply);
}
