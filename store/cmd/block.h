/*
 * block.h - what the blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
 * BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) share: their timeout, as Redis 7.0
 * reads it, and where it is.  The waiting itself is the server's
 * (net/shard/waiter.c, net/conn/blocking.c); a blocking command's
 * procedure only tries, and writes no reply when it would have to wait
 * (cmd_ctx_t.may_block).
 *
 * Concurrency: pure functions (and cmd_exec's rules for the ctx ones).
 */
#ifndef FLASHKV_STORE_CMD_BLOCK_H
#define FLASHKV_STORE_CMD_BLOCK_H

#include <stdbool.h>

#include "cmd.h"

/* argv index of a blocking command's timeout: the first argument of the
 * numkeys forms (BLMPOP, BZMPOP), the last of the others. */
int cmd_block_timeout_pos(const cmd_t *cmd, int argc);

/* The timeout in a: seconds as a long double (Redis's getTimeout...:
 * strtold's grammar, so "0x10" and "1e2" pass), in milliseconds rounded
 * up; 0 waits forever.  NULL, or Redis's error text ("timeout is not a
 * float or out of range", "timeout is negative"). */
const char *cmd_block_timeout(const cmd_arg_t *a, long long *ms);

/* What a blocking command answers when its timeout passes: a null array,
 * for every one (BLMOVE too, unlike its null bulk inside MULTI). */
void cmd_block_timeout_reply(const cmd_t *cmd, reply_t *r);

/* The same for a command procedure: false after replying the error. */
bool cmd__block_timeout(cmd_ctx_t *ctx, int i, long long *ms);

/* The argv index of the ready key among argv[first..last], or -1 (no
 * ready key, or not one of those). */
int cmd__ready_index(const cmd_ctx_t *ctx, int first, int last);

#endif
