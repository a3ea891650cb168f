/*
 * lcs.c - LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]:
 * the longest common subsequence of two string values, as Redis 7.0.
 *
 * The algorithm is Redis's, step for step, because the reply depends on
 * it: when several subsequences are equally long, the backtrack's
 * tie-break (move in the first string only when that keeps a strictly
 * longer LCS) picks which one, and the IDX ranges come out last match
 * first. A missing key is the empty string.
 *
 * Cost: the dynamic-programming table has (len1+1)*(len2+1) 32-bit cells,
 * built whatever the options; like Redis, a table over proto-max-bulk-len
 * (512 MB) is refused rather than allocated. The shard is busy for the
 * whole computation, as Redis's only thread is.
 *
 * Concurrency: runs on the shard's thread (cmd_exec). Both keys are on
 * this shard (the connection layer routes LCS only then).
 */
#include <stdint.h>
#include <stdlib.h>

#include "store/cmd/proc.h"
#include "types.h"

#define LCS_MAX_TABLE ENTRY_MAX_LEN     /* proto-max-bulk-len */

typedef struct lcs_opts {
    bool len, idx, withmatchlen;
    long long minmatchlen;
} lcs_opts_t;

static bool parse_opts(cmd_ctx_t *ctx, lcs_opts_t *o)
{
    for (int j = 3; j < ctx->argc; j++) {
        const cmd_arg_t *a = &ctx->argv[j];
        if (cmd__opt_is(a, "idx")) {
            o->idx = true;
        } else if (cmd__opt_is(a, "len")) {
            o->len = true;
        } else if (cmd__opt_is(a, "withmatchlen")) {
            o->withmatchlen = true;
        } else if (cmd__opt_is(a, "minmatchlen") && j + 1 < ctx->argc) {
            if (!cmd__arg_ll(ctx, ++j, &o->minmatchlen))
                return false;
            if (o->minmatchlen < 0)
                o->minmatchlen = 0;
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
    }
    if (o->idx && o->len) {
        reply_error(ctx->reply, ERR_LCS_IDX_AND_LEN);
        return false;
    }
    return true;
}

/* The value of key argv[i] ("" if missing, NULL if not a string); buf
 * holds an INT's digits. */
static const char *value_of(cmd_ctx_t *ctx, int i, char *buf, size_t *len)
{
    ks_t *ks = cmd__ks_of(ctx, i);
    entry_t *e = ks_find(ks, ctx->argv[i].ptr, ctx->argv[i].len);
    if (!e) {
        *len = 0;
        return "";
    }
    return entry_is_str(e) ? entry_str(e, buf, len) : NULL;
}

static void emit_range(reply_t *r, const lcs_opts_t *o, uint32_t a0, uint32_t a1,
                       uint32_t b0, uint32_t b1)
{
    uint32_t mlen = a1 - a0 + 1;
    reply_array(r, 2 + (o->withmatchlen ? 1 : 0));
    reply_array(r, 2);
    reply_int(r, a0);
    reply_int(r, a1);
    reply_array(r, 2);
    reply_int(r, b0);
    reply_int(r, b1);
    if (o->withmatchlen)
        reply_int(r, mlen);
}

/* Walk the table back from (alen, blen): fill out (the LCS, if not NULL)
 * and emit IDX ranges (if o->idx). Returns the number of ranges emitted. */
static size_t backtrack(reply_t *r, const lcs_opts_t *o, const uint32_t *t,
                        const char *a, uint32_t alen, const char *b, uint32_t blen,
                        char *out)
{
#define T(i, j) t[(size_t)(j) + (size_t)(i) * ((size_t)blen + 1)]
    uint32_t i = alen, j = blen, k = T(alen, blen);
    uint32_t a0 = alen, a1 = 0, b0 = 0, b1 = 0;     /* a0 == alen: no range open */
    size_t n = 0;

    while (i > 0 && j > 0) {
        bool emit = false;
        if (a[i - 1] == b[j - 1]) {
            if (out)
                out[k - 1] = a[i - 1];
            if (a0 == alen) {
                a0 = a1 = i - 1;
                b0 = b1 = j - 1;
            } else if (a0 == i && b0 == j) {
                a0--;       /* contiguous: extend the range backward */
                b0--;
            } else {
                emit = true;
            }
            if (a0 == 0 || b0 == 0)
                emit = true;
            k--;
            i--;
            j--;
        } else {
            if (T(i - 1, j) > T(i, j - 1))
                i--;
            else
                j--;
            if (a0 != alen)
                emit = true;
        }
        if (emit) {
            uint32_t mlen = a1 - a0 + 1;
            if (o->idx && (o->minmatchlen == 0 || mlen >= o->minmatchlen)) {
                emit_range(r, o, a0, a1, b0, b1);
                n++;
            }
            a0 = alen;
        }
    }
    return n;
#undef T
}

void cmd__lcs(cmd_ctx_t *ctx)
{
    char abuf[NUM_LL_BUF], bbuf[NUM_LL_BUF];
    size_t alen, blen;
    lcs_opts_t o = {0};

    /* Keys first, then options: Redis's order (lookups touch the keys). */
    const char *a = value_of(ctx, 1, abuf, &alen);
    const char *b = value_of(ctx, 2, bbuf, &blen);
    if (!a || !b) {
        reply_error(ctx->reply, ERR_LCS_NOT_STRINGS);
        return;
    }
    if (!parse_opts(ctx, &o))
        return;
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        reply_error(ctx->reply, ERR_LCS_TOO_LONG);
        return;
    }
    size_t cells = (alen + 1) * (blen + 1);     /* < 2^64: both < 2^32 */
    if (cells > LCS_MAX_TABLE / sizeof(uint32_t)) {
        reply_error(ctx->reply, ERR_LCS_OVER_LIMIT);
        return;
    }
    uint32_t *t = malloc(cells * sizeof *t);
    if (!t) {
        reply_error(ctx->reply, ERR_LCS_NOMEM);
        return;
    }
    size_t w = blen + 1;
    for (size_t i = 0; i <= alen; i++) {
        for (size_t j = 0; j <= blen; j++) {
            if (i == 0 || j == 0)
                t[i * w + j] = 0;
            else if (a[i - 1] == b[j - 1])
                t[i * w + j] = t[(i - 1) * w + j - 1] + 1;
            else {
                uint32_t up = t[(i - 1) * w + j], left = t[i * w + j - 1];
                t[i * w + j] = up > left ? up : left;
            }
        }
    }
    uint32_t total = t[alen * w + blen];

    if (o.len && !o.idx) {
        reply_int(ctx->reply, total);
    } else if (o.idx) {
        reply_map(ctx->reply, 2);
        reply_bulk(ctx->reply, "matches", 7);
        size_t mark = reply_array_begin(ctx->reply);
        size_t n = backtrack(ctx->reply, &o, t, a, (uint32_t)alen, b, (uint32_t)blen, NULL);
        reply_array_end(ctx->reply, mark, n);
        reply_bulk(ctx->reply, "len", 3);
        reply_int(ctx->reply, total);
    } else {
        char *out = malloc(total ? total : 1);
        if (!out) {
            free(t);
            cmd__reply_oom(ctx);
            return;
        }
        backtrack(ctx->reply, &o, t, a, (uint32_t)alen, b, (uint32_t)blen, out);
        reply_bulk(ctx->reply, out, total);
        free(out);
    }
    free(t);
}
