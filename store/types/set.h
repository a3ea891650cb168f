/*
 * set.h - the set commands' procedures, for the command table
 * (store/commands.c): SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS
 * SRANDMEMBER SPOP SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE
 * SDIFF SDIFFSTORE SSCAN, with Redis 7.0's replies and errors.
 *
 * Concurrency: as cmd_exec (the shard's thread, or the connection that
 * holds every shard of the call).
 */
#ifndef FLASHKV_STORE_TYPES_SET_H
#define FLASHKV_STORE_TYPES_SET_H

#include "store/cmd/cmd.h"

/* set.c */
void cmd__sadd(cmd_ctx_t *ctx);
void cmd__srem(cmd_ctx_t *ctx);
void cmd__scard(cmd_ctx_t *ctx);
void cmd__sismember(cmd_ctx_t *ctx);
void cmd__smismember(cmd_ctx_t *ctx);
void cmd__smove(cmd_ctx_t *ctx);
void cmd__sscan(cmd_ctx_t *ctx);
/* set_rand.c */
void cmd__srandmember(cmd_ctx_t *ctx);
void cmd__spop(cmd_ctx_t *ctx);
/* set_ops.c */
void cmd__smembers(cmd_ctx_t *ctx);
void cmd__sinter(cmd_ctx_t *ctx);
void cmd__sintercard(cmd_ctx_t *ctx);
void cmd__sinterstore(cmd_ctx_t *ctx);
void cmd__sunion(cmd_ctx_t *ctx);
void cmd__sunionstore(cmd_ctx_t *ctx);
void cmd__sdiff(cmd_ctx_t *ctx);
void cmd__sdiffstore(cmd_ctx_t *ctx);

#endif
