/*
 * scan.c - the SCAN family's arguments (see scan.h).
 *
 * Concurrency: as cmd_exec.
 */
#include "scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "store/base/glob.h"

/* Redis parses the cursor with strtoul: leading '+'/'-' accepted (negative
 * values wrap), no leading space, nothing after the digits, no overflow. */
static bool parse_cursor(const cmd_arg_t *a, unsigned long *out)
{
    char small[64];
    char *buf = a->len < sizeof small ? small : malloc(a->len + 1);
    char *end;
    bool ok;

    if (!buf)
        return false;
    memcpy(buf, a->ptr, a->len);
    buf[a->len] = '\0';
    errno = 0;
    *out = strtoul(buf, &end, 10);
    ok = !(buf[0] == ' ' || (buf[0] >= '\t' && buf[0] <= '\r')) && end[0] == '\0' &&
         errno != ERANGE;
    if (buf != small)
        free(buf);
    return ok;
}

bool cmd__scan_cursor(cmd_ctx_t *ctx, int i, unsigned long *cursor)
{
    if (parse_cursor(&ctx->argv[i], cursor))
        return true;
    reply_error(ctx->reply, ERR_INVALID_CURSOR);
    return false;
}

bool cmd__scan_opts(cmd_ctx_t *ctx, int first, bool allow_type, cmd_scan_opts_t *o)
{
    *o = (cmd_scan_opts_t){.count = 10};
    for (int i = first; i < ctx->argc; i += 2) {
        const cmd_arg_t *a = &ctx->argv[i];
        bool has_value = ctx->argc - i >= 2;
        if (cmd__opt_is(a, "count") && has_value) {
            if (!cmd__arg_ll(ctx, i + 1, &o->count))
                return false;
            if (o->count < 1) {
                reply_error(ctx->reply, ERR_SYNTAX);
                return false;
            }
        } else if (cmd__opt_is(a, "match") && has_value) {
            o->pat = &ctx->argv[i + 1];
        } else if (allow_type && cmd__opt_is(a, "type") && has_value) {
            o->type = &ctx->argv[i + 1];
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
    }
    if (o->pat && o->pat->len == 1 && o->pat->ptr[0] == '*')
        o->pat = NULL; /* matches everything: skip the matching */
    return true;
}

bool cmd__scan_match(const cmd_scan_opts_t *o, const char *s, size_t len)
{
    return !o->pat || glob_match(o->pat->ptr, o->pat->len, s, len, false);
}

void cmd__scan_reply_head(cmd_ctx_t *ctx, unsigned long cursor, size_t n)
{
    char buf[NUM_LL_BUF + 1];
    int len = snprintf(buf, sizeof buf, "%lu", cursor);
    reply_array(ctx->reply, 2);
    reply_bulk(ctx->reply, buf, (size_t)len);
    reply_array(ctx->reply, n);
}
