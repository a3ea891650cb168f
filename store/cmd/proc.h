/*
 * proc.h - what command procedures share: argument parsing, common
 * replies and the keyspaces of a call.  Used by the command families
 * (store/types/, store/keys/); not part of the store's public API.
 *
 * Concurrency: as cmd_exec (the shard's thread).
 */
#ifndef FLASHKV_STORE_CMD_PROC_H
#define FLASHKV_STORE_CMD_PROC_H

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "store/base/errors.h"
#include "store/base/num.h"

/* Redis compares options as C strings, so "nx\0junk" reads as "nx": the
 * length that counts stops at the first NUL. */
static inline size_t cmd__clen(const cmd_arg_t *a)
{
    return strnlen(a->ptr, a->len);
}

/* Option a equals lit (lowercase), case-insensitively, as a C string. */
static inline bool cmd__opt_is(const cmd_arg_t *a, const char *lit)
{
    size_t n = strlen(lit);
    return cmd__clen(a) == n && strncasecmp(a->ptr, lit, n) == 0;
}

/* Parse argv[i] as an integer; on failure reply ERR_NOT_INTEGER. */
static inline bool cmd__arg_ll(cmd_ctx_t *ctx, int i, long long *v)
{
    if (num_parse_ll(ctx->argv[i].ptr, ctx->argv[i].len, v))
        return true;
    reply_error(ctx->reply, ERR_NOT_INTEGER);
    return false;
}

static inline void cmd__reply_oom(cmd_ctx_t *ctx)
{
    reply_error(ctx->reply, ERR_OOM);
}

/* "invalid expire time in '<cmd>' command" */
static inline void cmd__reply_expire_time(cmd_ctx_t *ctx)
{
    reply_errorf(ctx->reply, ERRF_EXPIRE_TIME, ctx->cmd->name);
}

/* Number of databases of the shard and database i (ctx->dbs, or just
 * ctx->ks as db 0 when the caller passes no array). */
static inline int cmd__ndbs(const cmd_ctx_t *ctx)
{
    return ctx->dbs ? ctx->ndbs : 1;
}

static inline ks_t *cmd__db(const cmd_ctx_t *ctx, int i)
{
    return ctx->dbs ? ctx->dbs[i] : ctx->ks;
}

/* The keyspace of the key argv[i]: another shard's when the command spans
 * shards (ctx->kss), else ctx->ks. */
static inline ks_t *cmd__ks_of(const cmd_ctx_t *ctx, int i)
{
    return ctx->kss ? ctx->kss[i] : ctx->ks;
}

/* The keyspace of the second key (argv[2]: RENAME, COPY, LCS), in the
 * current database or in database i. */
static inline ks_t *cmd__ks2(const cmd_ctx_t *ctx)
{
    return cmd__ks_of(ctx, 2);
}

static inline ks_t *cmd__db2(const cmd_ctx_t *ctx, int i)
{
    return ctx->dbs2 ? ctx->dbs2[i] : cmd__db(ctx, i);
}

/* The settings in force. */
static inline const store_cfg_t *cmd__cfg(const cmd_ctx_t *ctx)
{
    static const store_cfg_t defaults = STORE_CFG_DEFAULT;
    return ctx->cfg ? ctx->cfg : &defaults;
}

/* The live entry of the key argv[i] in its keyspace (cmd__ks_of), if it
 * holds a value of @type.  NULL if the key is absent (*wrong false), or
 * holds another type: then Redis's WRONGTYPE error is replied and *wrong
 * is true. */
entry_t *cmd__find_typed(cmd_ctx_t *ctx, int i, unsigned type, bool *wrong);
/* Reply a string entry's value as a bulk string. */
void cmd__reply_value(cmd_ctx_t *ctx, const entry_t *e);

/* HRANDFIELD / ZRANDMEMBER key count [WITHVALUES|WITHSCORES] (argc >= 3,
 * with names the option): the count and the option, checked in Redis's
 * order (an integer other than LLONG_MIN, then the syntax, then, with the
 * option, |count| <= LLONG_MAX / 2).  false after replying the error. */
bool cmd__rand_args(cmd_ctx_t *ctx, const char *with, long long *count, bool *withval);
/* Whether count picks with repeats (two elements each withval) fit one
 * reply (the shard's reply frames have 32-bit lengths, and an element
 * takes at least "$0\r\n\r\n"); if not, Redis's range error is replied, as
 * a reply bound to be that big would be lost anyway. */
bool cmd__rand_fits(cmd_ctx_t *ctx, size_t count, bool withval);

/* cmd_exec, while a snapshot is in progress (store/db/ks_snap.h): write
 * the keys this write command may change to it first (cmd_snap.c). */
void cmd__snap_before(const cmd_t *cmd, cmd_ctx_t *ctx);

#endif
