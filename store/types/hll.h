/*
 * hll.h - the HyperLogLog commands (hll.c): PFADD PFCOUNT PFMERGE PFDEBUG
 * PFSELFTEST, over Redis 7.0's string representations (hll_enc.h).
 *
 * Concurrency: as cmd_exec (the shard's thread; PFCOUNT and PFMERGE over
 * keys of several shards run with every keyspace held, ctx->kss).
 */
#ifndef FLASHKV_STORE_TYPES_HLL_H
#define FLASHKV_STORE_TYPES_HLL_H

#include "store/cmd/cmd.h"

void cmd__pfadd(cmd_ctx_t *ctx);
void cmd__pfcount(cmd_ctx_t *ctx);
void cmd__pfmerge(cmd_ctx_t *ctx);
void cmd__pfdebug(cmd_ctx_t *ctx);
void cmd__pfselftest(cmd_ctx_t *ctx);

#endif
