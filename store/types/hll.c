/*
 * hll.c - the HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG
 * PFSELFTEST, with Redis 7.0's replies, errors and side effects.
 *
 * A HyperLogLog is a string value in Redis's own layout (hll_enc.h), so
 * GET/SET and DUMP/RESTORE move it between FlashKV and redis-server.
 * Sparse updates run on a scratch copy (they grow and shrink the string
 * and may promote it) written back only if something changed, so a PFADD
 * that changes nothing leaves the key untouched for WATCH, as in Redis.
 * Dense updates are made in place.  As in Redis, a PFADD that meets a
 * corrupted register area keeps the changes made before it, and PFCOUNT
 * stores the cardinality it computes in the header (a write).
 *
 * Concurrency: as cmd_exec; PFCOUNT and PFMERGE read each key in its own
 * keyspace (cmd__ks_of: the keys may live on several shards, all held).
 */
#include <math.h>
#include <stdlib.h>

#include "hll.h"
#include "hll_enc.h"
#include "store/base/hash.h"
#include "store/cmd/proc.h"
#include "store/db/ks_snap.h"

/* The HLL bytes of e, or NULL after replying Redis's error: WRONGTYPE for
 * another type, "not a valid HyperLogLog" for a string that is not one
 * (an integer-encoded string never is: Redis's sdsEncodedObject check). */
static const uint8_t *hll_of(cmd_ctx_t *ctx, const entry_t *e, size_t *len)
{
    if (!entry_is_str(e)) {
        reply_error(ctx->reply, ERR_WRONGTYPE);
        return NULL;
    }
    char tmp[NUM_LL_BUF];
    const uint8_t *s = (const uint8_t *)entry_str(e, tmp, len);
    if (e->type == ENTRY_INT || !hll_valid_header(s, *len)) {
        reply_error(ctx->reply, ERR_HLL_NOT_HLL);
        return NULL;
    }
    return s;
}

/* A scratch hll_t holding a copy of s (len bytes), with room for sparse
 * growth and promotion.  false after replying OOM. */
static bool scratch(cmd_ctx_t *ctx, hll_t *h, const uint8_t *s, size_t len)
{
    h->cap = (len > HLL_DENSE_SIZE ? len : HLL_DENSE_SIZE) + HLL_SLACK;
    h->buf = malloc(h->cap);
    if (!h->buf) {
        cmd__reply_oom(ctx);
        return false;
    }
    memcpy(h->buf, s, len);
    h->len = len;
    return true;
}

/* Make key's value the len bytes at s: e's value in place (TTL kept), or
 * a new key when e is NULL.  Always a raw string, as Redis's HLL objects.
 * false after replying OOM. */
static bool store(cmd_ctx_t *ctx, ks_t *ks, entry_t *e, const cmd_arg_t *key,
                  const uint8_t *s, size_t len)
{
    char *p;
    if (e) {
        p = ks_resize(ks, e, len);
    } else {
        e = ks_add_zeroed(ks, key->ptr, key->len, len);
        p = e ? entry_raw(e) : NULL;
    }
    if (!p) {
        cmd__reply_oom(ctx);
        return false;
    }
    memcpy(p, s, len);
    return true;
}

/* PFADD on a dense value: registers raised in place. */
static void add_dense(cmd_ctx_t *ctx, ks_t *ks, entry_t *e, const uint8_t *cur)
{
    uint8_t *w = NULL;
    int updated = 0;
    for (int j = 2; j < ctx->argc; j++) {
        long i;
        int val = hll_elem(ctx->argv[j].ptr, ctx->argv[j].len, &i);
        if (hll_dense_get((w ? w : cur) + HLL_HDR_SIZE, i) >= val)
            continue;
        if (!w && !(w = (uint8_t *)ks_resize(ks, e, HLL_DENSE_SIZE))) {
            cmd__reply_oom(ctx);
            return;
        }
        hll_dense_set(w + HLL_HDR_SIZE, i, val);
        updated++;
    }
    if (updated)
        hll_cache_invalidate(w);
    reply_int(ctx->reply, updated ? 1 : 0);
}

void cmd__pfadd(cmd_ctx_t *ctx)
{
    const cmd_arg_t *key = &ctx->argv[1];
    ks_t *ks = ctx->ks;
    entry_t *e = ks_find(ks, key->ptr, key->len);
    uint8_t fresh[HLL_EMPTY_SIZE];
    const uint8_t *cur = fresh;
    size_t len = HLL_EMPTY_SIZE;
    int updated = 0;

    if (e) {
        if (!(cur = hll_of(ctx, e, &len)))
            return;
        if (cur[4] == HLL_DENSE) {
            add_dense(ctx, ks, e, cur);
            return;
        }
    } else {
        hll_init(fresh);
        updated = 1;            /* creating the key is a change */
    }
    hll_t h;
    if (!scratch(ctx, &h, cur, len))
        return;
    bool corrupt = false;
    for (int j = 2; j < ctx->argc && !corrupt; j++) {
        int r = hll_add(&h, ctx->argv[j].ptr, ctx->argv[j].len);
        if (r < 0)
            corrupt = true;
        else
            updated += r;
    }
    /* On corruption Redis replies the error but keeps what it changed;
     * only a complete PFADD invalidates the cache itself (each sparse
     * update already did). */
    if (updated && !corrupt)
        hll_cache_invalidate(h.buf);
    if (updated && !store(ctx, ks, e, key, h.buf, h.len)) {
        free(h.buf);
        return;
    }
    free(h.buf);
    if (corrupt)
        reply_error(ctx->reply, ERR_HLL_CORRUPT);
    else
        reply_int(ctx->reply, updated ? 1 : 0);
}

/* PFCOUNT of several keys: the estimate of the union, nothing cached. */
static void count_union(cmd_ctx_t *ctx)
{
    uint8_t *max = calloc(HLL_REGISTERS, 1);
    if (!max) {
        cmd__reply_oom(ctx);
        return;
    }
    for (int j = 1; j < ctx->argc; j++) {
        const cmd_arg_t *k = &ctx->argv[j];
        entry_t *e = ks_find(cmd__ks_of(ctx, j), k->ptr, k->len);
        size_t len;
        const uint8_t *s;
        if (!e)
            continue;           /* a missing key is an empty HLL */
        if (!(s = hll_of(ctx, e, &len)))
            goto out;
        if (hll_merge(max, s, len) != 0) {
            reply_error(ctx->reply, ERR_HLL_CORRUPT);
            goto out;
        }
    }
    reply_int(ctx->reply, (long long)hll_count_raw(max));
out:
    free(max);
}

void cmd__pfcount(cmd_ctx_t *ctx)
{
    if (ctx->argc > 2) {
        count_union(ctx);
        return;
    }
    const cmd_arg_t *key = &ctx->argv[1];
    ks_t *ks = cmd__ks_of(ctx, 1);
    entry_t *e = ks_find(ks, key->ptr, key->len);
    size_t len;
    const uint8_t *s;
    if (!e) {
        reply_int(ctx->reply, 0);
        return;
    }
    if (!(s = hll_of(ctx, e, &len)))
        return;
    if (hll_cache_valid(s)) {
        reply_int(ctx->reply, (long long)hll_cache_get(s));
        return;
    }
    bool invalid = false;
    uint64_t card = hll_count(s, len, &invalid);
    if (invalid) {
        reply_error(ctx->reply, ERR_HLL_CORRUPT);
        return;
    }
    /* PFCOUNT is flagged read-only, so cmd_exec did not hand the key to a
     * snapshot in progress before this write: do it here. */
    if (ks_snaps_any())
        ks_snap_key(ks, key->ptr, key->len);
    uint8_t *w = (uint8_t *)ks_resize(ks, e, len);
    if (!w) {
        cmd__reply_oom(ctx);
        return;
    }
    hll_cache_set(w, card);
    reply_int(ctx->reply, (long long)card);
}

void cmd__pfmerge(cmd_ctx_t *ctx)
{
    uint8_t *max = calloc(HLL_REGISTERS, 1);
    bool use_dense = false;
    hll_t h = {NULL, 0, 0};
    if (!max) {
        cmd__reply_oom(ctx);
        return;
    }
    /* The destination's registers count too (j from 1). */
    for (int j = 1; j < ctx->argc; j++) {
        const cmd_arg_t *k = &ctx->argv[j];
        entry_t *e = ks_find(cmd__ks_of(ctx, j), k->ptr, k->len);
        size_t len;
        const uint8_t *s;
        if (!e)
            continue;
        if (!(s = hll_of(ctx, e, &len)))
            goto out;
        use_dense |= s[4] == HLL_DENSE;
        if (hll_merge(max, s, len) != 0) {
            reply_error(ctx->reply, ERR_HLL_CORRUPT);
            goto out;
        }
    }
    const cmd_arg_t *dst = &ctx->argv[1];
    ks_t *ks = cmd__ks_of(ctx, 1);
    entry_t *e = ks_find(ks, dst->ptr, dst->len);
    uint8_t fresh[HLL_EMPTY_SIZE];
    const uint8_t *cur = fresh;
    size_t len = HLL_EMPTY_SIZE;
    char tmp[NUM_LL_BUF];
    if (e)
        cur = (const uint8_t *)entry_str(e, tmp, &len);     /* checked above */
    else
        hll_init(fresh);
    if (!scratch(ctx, &h, cur, len))
        goto out;
    /* Any dense input makes the destination dense (Redis's shortcut). */
    if (use_dense && hll_to_dense(&h) != 0) {
        reply_error(ctx->reply, ERR_HLL_CORRUPT);
        goto out;
    }
    for (long i = 0; i < HLL_REGISTERS; i++)
        if (max[i])
            hll_set(&h, i, max[i]);
    hll_cache_invalidate(h.buf);
    if (store(ctx, ks, e, dst, h.buf, h.len))
        reply_ok(ctx->reply);
out:
    free(h.buf);
    free(max);
}

/* PFDEBUG GETREG / TODENSE: make e dense (written back if it was sparse).
 * The dense bytes, or NULL after replying an error. */
static const uint8_t *debug_dense(cmd_ctx_t *ctx, ks_t *ks, entry_t *e,
                                  const uint8_t *s, size_t len, bool *converted)
{
    *converted = false;
    if (s[4] == HLL_DENSE)
        return s;
    hll_t h;
    if (!scratch(ctx, &h, s, len))
        return NULL;
    if (hll_to_dense(&h) != 0) {
        free(h.buf);
        reply_error(ctx->reply, ERR_HLL_CORRUPT);
        return NULL;
    }
    bool ok = store(ctx, ks, e, &ctx->argv[2], h.buf, h.len);
    free(h.buf);
    if (!ok)
        return NULL;
    *converted = true;
    char tmp[NUM_LL_BUF];
    size_t n;
    return (const uint8_t *)entry_str(e, tmp, &n);
}

void cmd__pfdebug(cmd_ctx_t *ctx)
{
    const cmd_arg_t *sub = &ctx->argv[1], *key = &ctx->argv[2];
    ks_t *ks = cmd__ks_of(ctx, 2);
    entry_t *e = ks_find(ks, key->ptr, key->len);
    size_t len;
    const uint8_t *s;
    bool conv;
    if (!e) {
        reply_error(ctx->reply, ERR_HLL_NO_KEY);
        return;
    }
    if (!(s = hll_of(ctx, e, &len)))
        return;
    if (cmd__opt_is(sub, "getreg")) {
        if (!(s = debug_dense(ctx, ks, e, s, len, &conv)))
            return;
        reply_array(ctx->reply, HLL_REGISTERS);
        for (long i = 0; i < HLL_REGISTERS; i++)
            reply_int(ctx->reply, hll_dense_get(s + HLL_HDR_SIZE, i));
    } else if (cmd__opt_is(sub, "decode")) {
        if (s[4] != HLL_SPARSE) {
            reply_error(ctx->reply, ERR_HLL_NOT_SPARSE);
            return;
        }
        char *out = malloc(len * 8 + 1);
        if (!out) {
            cmd__reply_oom(ctx);
            return;
        }
        reply_bulk(ctx->reply, out, hll_decode(s, len, out));
        free(out);
    } else if (cmd__opt_is(sub, "encoding")) {
        const char *name = s[4] == HLL_DENSE ? "dense" : "sparse";
        reply_simple(ctx->reply, name, strlen(name));
    } else if (cmd__opt_is(sub, "todense")) {
        if (debug_dense(ctx, ks, e, s, len, &conv))
            reply_int(ctx->reply, conv ? 1 : 0);
    } else {
        reply_errorf(ctx->reply, ERRF_HLL_PFDEBUG, (int)cmd__clen(sub), sub->ptr);
    }
}

/* PFSELFTEST test 1: dense registers read back what was written. */
static bool selftest_registers(cmd_ctx_t *ctx, uint8_t *regs, uint8_t *want,
                               uint64_t *rng)
{
    for (int cycle = 0; cycle < 1000; cycle++) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            want[i] = (uint8_t)(hash_rand_next(rng) & 63);
            hll_dense_set(regs, i, want[i]);
        }
        for (long i = 0; i < HLL_REGISTERS; i++) {
            int v = hll_dense_get(regs, i);
            if (v != want[i]) {
                reply_errorf(ctx->reply, ERRF_HLL_TEST_REG, i, v, want[i]);
                return false;
            }
        }
    }
    return true;
}

/* PFSELFTEST test 2: 10^7 distinct elements into a dense and a sparse HLL
 * at once; at each power of ten the sparse one must still be sparse while
 * small, both must agree, and the error must stay within 6 standard
 * errors (at most 1 at 10 elements), as Redis checks. */
static bool selftest_error(cmd_ctx_t *ctx, hll_t *d, hll_t *sp, uint64_t *rng)
{
    double relerr = 1.04 / sqrt(HLL_REGISTERS);
    int64_t checkpoint = 1;
    uint64_t seed = hash_rand_next(rng);
    for (uint64_t j = 1; j <= 10000000; j++) {
        uint64_t ele = j ^ seed;
        hll_add(d, &ele, sizeof ele);
        hll_add(sp, &ele, sizeof ele);
        if ((int64_t)j != checkpoint)
            continue;
        if (j < HLL_SPARSE_MAX_BYTES / 2 && sp->buf[4] != HLL_SPARSE) {
            reply_error(ctx->reply, ERR_HLL_TEST_SPARSE);
            return false;
        }
        uint64_t cd = hll_count(d->buf, d->len, NULL);
        if (cd != hll_count(sp->buf, sp->len, NULL)) {
            reply_error(ctx->reply, ERR_HLL_TEST_AGREE);
            return false;
        }
        int64_t abserr = checkpoint - (int64_t)cd;
        uint64_t maxerr = j == 10 ? 1 : (uint64_t)ceil(relerr * 6 * (double)checkpoint);
        if (abserr < 0)
            abserr = -abserr;
        if (abserr > (int64_t)maxerr) {
            reply_errorf(ctx->reply, ERRF_HLL_TEST_ERROR, (unsigned long long)checkpoint, (unsigned long long)abserr);
            return false;
        }
        checkpoint *= 10;
    }
    return true;
}

void cmd__pfselftest(cmd_ctx_t *ctx)
{
    uint8_t *want = malloc(HLL_REGISTERS);
    uint8_t empty[HLL_EMPTY_SIZE];
    hll_t d = {NULL, 0, 0}, sp = {NULL, 0, 0};
    uint64_t rng = (uint64_t)ctx->now_ms;
    hll_init(empty);
    if (!want || !scratch(ctx, &d, empty, HLL_EMPTY_SIZE) ||
        !scratch(ctx, &sp, empty, HLL_EMPTY_SIZE)) {
        if (!want)
            cmd__reply_oom(ctx);
        goto out;
    }
    hll_to_dense(&d);
    if (selftest_registers(ctx, d.buf + HLL_HDR_SIZE, want, &rng)) {
        memset(d.buf + HLL_HDR_SIZE, 0, HLL_DENSE_SIZE - HLL_HDR_SIZE);
        if (selftest_error(ctx, &d, &sp, &rng))
            reply_ok(ctx->reply);
    }
out:
    free(d.buf);
    free(sp.buf);
    free(want);
}
