/*
 * hash.h - the hash commands' procedures, for the command table
 * (store/commands.c).
 *
 * Concurrency: as cmd_exec (the shard's thread, or the connection that
 * holds every shard of the call).
 */
#ifndef FLASHKV_STORE_TYPES_HASH_H
#define FLASHKV_STORE_TYPES_HASH_H

#include "store/cmd/cmd.h"

/* hash.c */
void cmd__hset(cmd_ctx_t *ctx);
void cmd__hsetnx(cmd_ctx_t *ctx);
void cmd__hmset(cmd_ctx_t *ctx);
void cmd__hget(cmd_ctx_t *ctx);
void cmd__hmget(cmd_ctx_t *ctx);
void cmd__hdel(cmd_ctx_t *ctx);
void cmd__hlen(cmd_ctx_t *ctx);
void cmd__hstrlen(cmd_ctx_t *ctx);
void cmd__hexists(cmd_ctx_t *ctx);
void cmd__hkeys(cmd_ctx_t *ctx);
void cmd__hvals(cmd_ctx_t *ctx);
void cmd__hgetall(cmd_ctx_t *ctx);
void cmd__hincrby(cmd_ctx_t *ctx);
void cmd__hincrbyfloat(cmd_ctx_t *ctx);
/* hash_rand.c */
void cmd__hrandfield(cmd_ctx_t *ctx);
void cmd__hscan(cmd_ctx_t *ctx);

#endif
