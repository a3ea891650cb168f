/*
 * types.h - the command procedures of the value types (one file per type
 * in store/types/), for the command table (store/commands.c).
 *
 * Concurrency: as cmd_exec (the shard's thread).
 */
#ifndef FLASHKV_STORE_TYPES_H
#define FLASHKV_STORE_TYPES_H

#include "store/cmd/cmd.h"

/* string.c */
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
/* lcs.c */
void cmd__lcs(cmd_ctx_t *ctx);

#endif
