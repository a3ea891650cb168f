/*
 * bitop.c - BITOP AND|OR|XOR|NOT destkey key [key ...], as Redis 7.0.
 *
 * Every source is looked up first (a wrong type on any is the error); a
 * missing source is an empty string, and shorter sources read as padded
 * with zero bytes.  The result, as long as the longest source, replaces
 * destkey whatever it held (its TTL too) as a raw string, as Redis's
 * setKey of a fresh sds; an all-empty result deletes destkey.  The reply
 * is the result's length.  The keys may live on several shards: the router
 * holds them all and each key is read in its own keyspace (cmd__ks_of).
 *
 * Concurrency: as cmd_exec.
 */
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "store/cmd/proc.h"
#include "store/db/entry.h"

enum bitop { OP_AND, OP_OR, OP_XOR, OP_NOT };

/* One source: its bytes (an int's digits are copied into its own buffer,
 * so several int sources do not share one). */
typedef struct src {
    const unsigned char *p;
    size_t len;
    char digits[NUM_LL_BUF];
} src_t;

static bool parse_op(const cmd_arg_t *a, enum bitop *op)
{
    static const char *const names[] = { "and", "or", "xor", "not" };
    for (int i = 0; i < 4; i++)
        if (cmd__opt_is(a, names[i])) {
            *op = (enum bitop)i;
            return true;
        }
    return false;
}

/* Combine the sources into res (maxlen bytes).  Words at a time while
 * every source still has a whole word there, bytes after. */
static void combine(enum bitop op, const src_t *src, int n, unsigned char *res, size_t maxlen)
{
    if (op == OP_NOT) {
        for (size_t j = 0; j < maxlen; j++)
            res[j] = (unsigned char)~src[0].p[j];
        return;
    }
    size_t minlen = maxlen;
    for (int i = 0; i < n; i++)
        if (src[i].len < minlen)
            minlen = src[i].len;
    size_t j = 0;
    for (; j + 8 <= minlen; j += 8) {
        uint64_t acc, w;
        memcpy(&acc, src[0].p + j, 8);
        for (int i = 1; i < n; i++) {
            memcpy(&w, src[i].p + j, 8);
            acc = op == OP_AND ? acc & w : op == OP_OR ? acc | w : acc ^ w;
        }
        memcpy(res + j, &acc, 8);
    }
    for (; j < maxlen; j++) {
        unsigned char acc = j < src[0].len ? src[0].p[j] : 0;
        for (int i = 1; i < n; i++) {
            unsigned char b = j < src[i].len ? src[i].p[j] : 0;
            acc = (unsigned char)(op == OP_AND ? acc & b : op == OP_OR ? acc | b : acc ^ b);
        }
        res[j] = acc;
    }
}

void cmd__bitop(cmd_ctx_t *ctx)
{
    enum bitop op;
    if (!parse_op(&ctx->argv[1], &op)) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    if (op == OP_NOT && ctx->argc != 4) {
        reply_error(ctx->reply, ERR_BITOP_NOT_ONE);
        return;
    }
    int n = ctx->argc - 3;
    src_t *src = malloc((size_t)n * sizeof *src);
    if (!src) {
        cmd__reply_oom(ctx);
        return;
    }
    size_t maxlen = 0;
    for (int i = 0; i < n; i++) {
        bool wrong;
        entry_t *e = cmd__find_typed(ctx, 3 + i, OBJ_STRING, &wrong);
        if (wrong) {
            free(src);
            return;
        }
        src[i].len = 0;
        src[i].p = (const unsigned char *)"";
        if (e)
            src[i].p = (const unsigned char *)entry_str(e, src[i].digits, &src[i].len);
        if (src[i].len > maxlen)
            maxlen = src[i].len;
    }
    /* The result goes to a separate buffer first: destkey may be one of
     * the sources. */
    unsigned char *res = maxlen ? malloc(maxlen) : NULL;
    if (maxlen && !res) {
        free(src);
        cmd__reply_oom(ctx);
        return;
    }
    if (maxlen)
        combine(op, src, n, res, maxlen);
    free(src);

    const cmd_arg_t *k = &ctx->argv[2];
    ks_t *ks = cmd__ks_of(ctx, 2);
    entry_t *d = ks_find(ks, k->ptr, k->len);
    if (d)
        ks_delete_entry(ks, d);
    if (maxlen) {
        d = ks_add_zeroed(ks, k->ptr, k->len, maxlen);
        if (!d) {
            free(res);
            cmd__reply_oom(ctx);
            return;
        }
        memcpy(entry_raw(d), res, maxlen);
        free(res);
    }
    reply_int(ctx->reply, (long long)maxlen);
}
