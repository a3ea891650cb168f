/*
 * list.h - the list commands' procedures, for the command table
 * (store/commands.c), and what list.c and list_range.c share.
 *
 * Concurrency: as cmd_exec (the shard's thread, or the connection that
 * holds every shard of the call).
 */
#ifndef FLASHKV_STORE_TYPES_LIST_H
#define FLASHKV_STORE_TYPES_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "store/cmd/cmd.h"

/* list.c: pushes, pops, moves */
void cmd__lpush(cmd_ctx_t *ctx);
void cmd__rpush(cmd_ctx_t *ctx);
void cmd__lpushx(cmd_ctx_t *ctx);
void cmd__rpushx(cmd_ctx_t *ctx);
void cmd__lpop(cmd_ctx_t *ctx);
void cmd__rpop(cmd_ctx_t *ctx);
void cmd__llen(cmd_ctx_t *ctx);
void cmd__lmove(cmd_ctx_t *ctx);
void cmd__rpoplpush(cmd_ctx_t *ctx);
void cmd__lmpop(cmd_ctx_t *ctx);

/* list_range.c: positions and searches */
void cmd__lrange(cmd_ctx_t *ctx);
void cmd__lindex(cmd_ctx_t *ctx);
void cmd__lset(cmd_ctx_t *ctx);
void cmd__linsert(cmd_ctx_t *ctx);
void cmd__lrem(cmd_ctx_t *ctx);
void cmd__ltrim(cmd_ctx_t *ctx);
void cmd__lpos(cmd_ctx_t *ctx);

/* ---- shared by the list command files ---- */

/* Reply the elements start..end of the list e (Redis's addListRangeReply:
 * negative indexes from the end, clamped, an empty array if the range is
 * empty), tail to head if reverse. */
void list__reply_range(cmd_ctx_t *ctx, entry_t *e, long long start, long long end,
                       bool reverse);

/* After a write to the list e of keyspace ks (mem_before = entry_mem(e)
 * taken before it): convert it back to a listpack if it shrank enough,
 * count its memory and touch it for WATCH, and delete it if it is empty. */
void list__written(cmd_ctx_t *ctx, ks_t *ks, entry_t *e, size_t mem_before);

/* A reply already begun cannot be finished (out of memory mid-way): the
 * whole batch is failed, as any reply that could not be built. */
static inline void list__reply_broken(cmd_ctx_t *ctx)
{
    ctx->reply->oom = true;
}

#endif
