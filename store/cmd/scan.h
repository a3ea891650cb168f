/*
 * scan.h - the arguments of the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN) as
 * Redis 7.0 reads them: the cursor (strtoul's grammar), then
 * [MATCH pattern] [COUNT count] [TYPE type] in any order, TYPE for SCAN
 * only.  The cursor is read before the key is looked up and the options
 * after (Redis's order: a missing key answers an empty page whatever the
 * options say).
 *
 * Concurrency: as cmd_exec.
 */
#ifndef FLASHKV_STORE_CMD_SCAN_H
#define FLASHKV_STORE_CMD_SCAN_H

#include <stdbool.h>

#include "cmd.h"

typedef struct cmd_scan_opts {
    long long count;            /* COUNT, 10 if absent */
    const cmd_arg_t *pat;       /* MATCH, NULL if absent or "*" */
    const cmd_arg_t *type;      /* TYPE (SCAN only), NULL if absent */
} cmd_scan_opts_t;

/* The cursor argv[i]; false after replying Redis's "invalid cursor". */
bool cmd__scan_cursor(cmd_ctx_t *ctx, int i, unsigned long *cursor);
/* The options from argv[first] on; false after replying the syntax or
 * integer error. */
bool cmd__scan_opts(cmd_ctx_t *ctx, int first, bool allow_type, cmd_scan_opts_t *o);
/* Whether a member passes MATCH (always when there is none). */
bool cmd__scan_match(const cmd_scan_opts_t *o, const char *s, size_t len);
/* The reply of a page: the next cursor, then the array header of @n
 * elements (the caller writes them). */
void cmd__scan_reply_head(cmd_ctx_t *ctx, unsigned long cursor, size_t n);

#endif
