/*
 * keys.h - the command procedures that work on keys whatever their type
 * (Redis's "generic" and "keyspace" commands), for the command table
 * (store/commands.c).
 *
 * Concurrency: as cmd_exec (the shard's thread).
 */
#ifndef FLASHKV_STORE_KEYS_H
#define FLASHKV_STORE_KEYS_H

#include "store/cmd/cmd.h"

/* keys.c */
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
/* expire.c */
void cmd__expire(cmd_ctx_t *ctx);
void cmd__pexpire(cmd_ctx_t *ctx);
void cmd__expireat(cmd_ctx_t *ctx);
void cmd__pexpireat(cmd_ctx_t *ctx);
void cmd__ttl(cmd_ctx_t *ctx);
void cmd__pttl(cmd_ctx_t *ctx);
void cmd__expiretime(cmd_ctx_t *ctx);
void cmd__pexpiretime(cmd_ctx_t *ctx);
void cmd__persist(cmd_ctx_t *ctx);
/* db.c */
void cmd__copy(cmd_ctx_t *ctx);
void cmd__move(cmd_ctx_t *ctx);
void cmd__swapdb(cmd_ctx_t *ctx);
/* object.c */
void cmd__object_encoding(cmd_ctx_t *ctx);
void cmd__object_refcount(cmd_ctx_t *ctx);
void cmd__object_idletime(cmd_ctx_t *ctx);
void cmd__object_freq(cmd_ctx_t *ctx);
void cmd__object_help(cmd_ctx_t *ctx);
void cmd__memory_usage(cmd_ctx_t *ctx);
void cmd__memory_help(cmd_ctx_t *ctx);

#endif
