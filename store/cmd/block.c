/*
 * block.c - the blocking commands' timeout and ready key (see block.h).
 *
 * Concurrency: pure functions.
 */
#include "block.h"

#include <math.h>
#include <string.h>

#include "proc.h"

int cmd_block_timeout_pos(const cmd_t *cmd, int argc)
{
    /* Keys after a numkeys argument: the legacy triple says nothing. */
    return cmd->first_key == 0 ? 1 : argc - 1;
}

const char *cmd_block_timeout(const cmd_arg_t *a, long long *ms)
{
    long double v;
    if (!num_parse_ld(a->ptr, a->len, &v))
        return ERR_TIMEOUT_NOT_FLOAT;
    v = ceill(v * 1000.0L);
    /* Redis casts to long long with no range check: on x86 anything out
     * of range (inf included) becomes LLONG_MIN, "negative". */
    if (!(v < 0x1p63L && v >= -0x1p63L) || v < 0)
        return ERR_TIMEOUT_NEGATIVE;
    *ms = (long long)v;
    return NULL;
}

void cmd_block_timeout_reply(const cmd_t *cmd, reply_t *r)
{
    /* Every one, BLMOVE too (it answers a null bulk only when it may not
     * wait, inside MULTI): Redis's replyToBlockedClientTimedOut. */
    (void)cmd;
    reply_null_array(r);
}

bool cmd__block_timeout(cmd_ctx_t *ctx, int i, long long *ms)
{
    const char *err = cmd_block_timeout(&ctx->argv[i], ms);
    if (err)
        reply_error(ctx->reply, err);
    return !err;
}

int cmd__ready_index(const cmd_ctx_t *ctx, int first, int last)
{
    const cmd_arg_t *r = ctx->ready_key;
    for (int i = first; r && i <= last; i++)
        if (ctx->argv[i].len == r->len && memcmp(ctx->argv[i].ptr, r->ptr, r->len) == 0)
            return i;
    return -1;
}
