/*
 * cmd_internal.h - helpers shared by the command family files
 * (cmd_string.c, cmd_keys.c, cmd_expire.c, cmd_db.c, cmd_object.c, lcs.c)
 * and the table in cmd.c.
 * Not part of the store's public API.
 *
 * Concurrency: as cmd_exec (the shard's thread).
 */
#ifndef FLASHKV_STORE_CMD_INTERNAL_H
#define FLASHKV_STORE_CMD_INTERNAL_H

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "errors.h"
#include "num.h"

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

/* The keyspace of the second key (argv[2]: RENAME, COPY, LCS), in the
 * current database or in database i: another shard's when the two keys
 * live on different shards (ctx->ks2), else the same as the first's. */
static inline ks_t *cmd__ks2(const cmd_ctx_t *ctx)
{
    return ctx->ks2 ? ctx->ks2 : ctx->ks;
}

static inline ks_t *cmd__db2(const cmd_ctx_t *ctx, int i)
{
    return ctx->dbs2 ? ctx->dbs2[i] : cmd__db(ctx, i);
}

/* Reply a string entry's value as a bulk string. */
void cmd__reply_value(cmd_ctx_t *ctx, const entry_t *e);

/* ---- command procedures (one per table row) ---- */
/* cmd_string.c */
void cmd__get(cmd_ctx_t *ctx);
void cmd__set(cmd_ctx_t *ctx);
void cmd__setnx(cmd_ctx_t *ctx);
void cmd__setex(cmd_ctx_t *ctx);
void cmd__psetex(cmd_ctx_t *ctx);
void cmd__getset(cmd_ctx_t *ctx);
void cmd__getdel(cmd_ctx_t *ctx);
void cmd__getex(cmd_ctx_t *ctx);
void cmd__mget(cmd_ctx_t *ctx);
void cmd__mset(cmd_ctx_t *ctx);
void cmd__msetnx(cmd_ctx_t *ctx);
void cmd__incr(cmd_ctx_t *ctx);
void cmd__decr(cmd_ctx_t *ctx);
void cmd__incrby(cmd_ctx_t *ctx);
void cmd__decrby(cmd_ctx_t *ctx);
void cmd__incrbyfloat(cmd_ctx_t *ctx);
void cmd__append(cmd_ctx_t *ctx);
void cmd__strlen(cmd_ctx_t *ctx);
void cmd__getrange(cmd_ctx_t *ctx);
void cmd__setrange(cmd_ctx_t *ctx);
/* cmd_keys.c */
void cmd__del(cmd_ctx_t *ctx);
void cmd__exists(cmd_ctx_t *ctx);
void cmd__touch(cmd_ctx_t *ctx);
void cmd__type(cmd_ctx_t *ctx);
void cmd__keys(cmd_ctx_t *ctx);
void cmd__scan(cmd_ctx_t *ctx);
void cmd__dbsize(cmd_ctx_t *ctx);
void cmd__flushdb(cmd_ctx_t *ctx);
void cmd__flushall(cmd_ctx_t *ctx);
void cmd__randomkey(cmd_ctx_t *ctx);
void cmd__rename(cmd_ctx_t *ctx);
void cmd__renamenx(cmd_ctx_t *ctx);
/* cmd_expire.c */
void cmd__expire(cmd_ctx_t *ctx);
void cmd__pexpire(cmd_ctx_t *ctx);
void cmd__expireat(cmd_ctx_t *ctx);
void cmd__pexpireat(cmd_ctx_t *ctx);
void cmd__ttl(cmd_ctx_t *ctx);
void cmd__pttl(cmd_ctx_t *ctx);
void cmd__expiretime(cmd_ctx_t *ctx);
void cmd__pexpiretime(cmd_ctx_t *ctx);
void cmd__persist(cmd_ctx_t *ctx);
/* cmd_db.c */
void cmd__copy(cmd_ctx_t *ctx);
void cmd__move(cmd_ctx_t *ctx);
void cmd__swapdb(cmd_ctx_t *ctx);
/* cmd_object.c */
void cmd__object_encoding(cmd_ctx_t *ctx);
void cmd__object_refcount(cmd_ctx_t *ctx);
void cmd__object_idletime(cmd_ctx_t *ctx);
void cmd__object_freq(cmd_ctx_t *ctx);
void cmd__object_help(cmd_ctx_t *ctx);
void cmd__memory_usage(cmd_ctx_t *ctx);
void cmd__memory_help(cmd_ctx_t *ctx);
/* lcs.c */
void cmd__lcs(cmd_ctx_t *ctx);
/* cmd.c: runs the subcommand of a container row */
void cmd__container(cmd_ctx_t *ctx);

#endif
