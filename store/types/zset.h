/*
 * zset.h - the sorted set commands' procedures, for the command table
 * (store/commands.c): ZADD ... ZSCAN and the blocking pops, Redis 7.0's
 * set of them.  zset.c has the writes and reads by member; zset_pop.c
 * the pops, blocking ones included; zset_range.c the ranges (by rank, score and lex) and
 * their counts, stores and deletions; zset_ops.c the algebra (ZUNION,
 * ZINTER, ZDIFF, ZINTERCARD, the STORE forms); zset_rand.c ZRANDMEMBER
 * and ZSCAN.  All of them go through zset_obj.h, the encodings' layer.
 *
 * Concurrency: as cmd_exec (the shard's thread, or the connection that
 * holds every shard of the call).
 */
#ifndef FLASHKV_STORE_TYPES_ZSET_H
#define FLASHKV_STORE_TYPES_ZSET_H

#include "store/cmd/cmd.h"

/* zset.c */
void cmd__zadd(cmd_ctx_t *ctx);
void cmd__zincrby(cmd_ctx_t *ctx);
void cmd__zrem(cmd_ctx_t *ctx);
void cmd__zcard(cmd_ctx_t *ctx);
void cmd__zscore(cmd_ctx_t *ctx);
void cmd__zmscore(cmd_ctx_t *ctx);
void cmd__zrank(cmd_ctx_t *ctx);
void cmd__zrevrank(cmd_ctx_t *ctx);

/* zset_pop.c */
void cmd__zpopmin(cmd_ctx_t *ctx);
void cmd__zpopmax(cmd_ctx_t *ctx);
void cmd__zmpop(cmd_ctx_t *ctx);
void cmd__bzpopmin(cmd_ctx_t *ctx);
void cmd__bzpopmax(cmd_ctx_t *ctx);
void cmd__bzmpop(cmd_ctx_t *ctx);

/* zset_range.c */
void cmd__zrange(cmd_ctx_t *ctx);
void cmd__zrangestore(cmd_ctx_t *ctx);
void cmd__zrevrange(cmd_ctx_t *ctx);
void cmd__zrangebyscore(cmd_ctx_t *ctx);
void cmd__zrevrangebyscore(cmd_ctx_t *ctx);
void cmd__zrangebylex(cmd_ctx_t *ctx);
void cmd__zrevrangebylex(cmd_ctx_t *ctx);
void cmd__zcount(cmd_ctx_t *ctx);
void cmd__zlexcount(cmd_ctx_t *ctx);
void cmd__zremrangebyrank(cmd_ctx_t *ctx);
void cmd__zremrangebyscore(cmd_ctx_t *ctx);
void cmd__zremrangebylex(cmd_ctx_t *ctx);

/* zset_ops.c */
void cmd__zunion(cmd_ctx_t *ctx);
void cmd__zinter(cmd_ctx_t *ctx);
void cmd__zdiff(cmd_ctx_t *ctx);
void cmd__zintercard(cmd_ctx_t *ctx);
void cmd__zunionstore(cmd_ctx_t *ctx);
void cmd__zinterstore(cmd_ctx_t *ctx);
void cmd__zdiffstore(cmd_ctx_t *ctx);

/* zset_rand.c */
void cmd__zrandmember(cmd_ctx_t *ctx);
void cmd__zscan(cmd_ctx_t *ctx);

#endif
