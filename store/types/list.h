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

/* list_block.c: the blocking forms */
void cmd__blpop(cmd_ctx_t *ctx);
void cmd__brpop(cmd_ctx_t *ctx);
void cmd__blmove(cmd_ctx_t *ctx);
void cmd__brpoplpush(cmd_ctx_t *ctx);
void cmd__blmpop(cmd_ctx_t *ctx);

/* ---- shared by the list command files ---- */

/* LMPOP's work from the numkeys argument at argv[at] (LMPOP: 1, BLMPOP:
 * 2), for a blocking form too (ctx->may_block, ctx->ready_key). */
void list__mpop(cmd_ctx_t *ctx, int at);
/* LMOVE's: one element from an end of argv[1]'s list to an end of
 * argv[2]'s (a missing source replies null). */
void list__move(cmd_ctx_t *ctx, bool from_head, bool to_head);
/* A waiter being served: the list at argv[i], or NULL (missing, or of
 * another type: the waiter keeps waiting, nothing is replied). */
entry_t *list__ready(cmd_ctx_t *ctx, int i);

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

/* For the list command files: LEFT (head) or RIGHT (tail) at argv[i], any
 * case; else ERR_SYNTAX is replied and false returned (LMOVE, BLMOVE). */
bool list__parse_end(cmd_ctx_t *ctx, int i, bool *head);

#endif
