/*
 * zset.c - the sorted set commands by member: ZADD ZINCRBY ZREM ZCARD
 * ZSCORE ZMSCORE ZRANK ZREVRANK, with Redis 7.0's replies and its order of checks (options and scores are
 * parsed before the key is looked up, so their errors win over
 * WRONGTYPE).  The encodings are zset_obj.h's business.
 *
 * Every write that changes something takes entry_mem before and commits
 * after (memory, WATCH: zobj_commit); a write that changes nothing (ZADD
 * NX of a member that is there, ZREM of absent members...) touches
 * nothing, as Redis signals no change then.  A set left empty is
 * deleted.
 *
 * Concurrency: as cmd_exec.
 */
#include "zset.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "store/cmd/proc.h"
#include "zset_obj.h"
#include "zset_util.h"

/* ---- ZADD, ZINCRBY ---- */

enum {
    Z_NX = 1 << 0,
    Z_XX = 1 << 1,
    Z_GT = 1 << 2,
    Z_LT = 1 << 3,
    Z_INCR = 1 << 4,
};

/* What one member's addition did (Redis's ZADD_OUT_*). */
enum { ZA_ADDED, ZA_UPDATED, ZA_SAME, ZA_NOP, ZA_NAN, ZA_OOM };

/* Redis's zsetAdd: add m with score, or update it, as the flags say.
 * *newscore gets the score m has afterwards when it was processed. */
static int add_one(zobj_t *z, const cmd_arg_t *m, double score, unsigned f,
                   const store_cfg_t *cfg, double *newscore)
{
    double cur;
    if (zobj_score(z, m->ptr, m->len, &cur)) {
        if (f & Z_NX)
            return ZA_NOP;
        if (f & Z_INCR) {
            score += cur;
            if (isnan(score))
                return ZA_NAN;
        }
        if (((f & Z_LT) && score >= cur) || ((f & Z_GT) && score <= cur))
            return ZA_NOP;
        *newscore = score;
        if (score == cur)
            return ZA_SAME;
        return zobj_update(z, m->ptr, m->len, score) == 0 ? ZA_UPDATED : ZA_OOM;
    }
    if (f & Z_XX)
        return ZA_NOP;
    *newscore = score;
    return zobj_insert(z, m->ptr, m->len, score, cfg) == 0 ? ZA_ADDED : ZA_OOM;
}

/* The options from argv[2] on: the index of the first score, or 0 after
 * replying the error (Redis's checks, in its order). */
static int zadd_options(cmd_ctx_t *ctx, unsigned *flags, bool *ch)
{
    int i = 2;
    for (; i < ctx->argc; i++) {
        const cmd_arg_t *o = &ctx->argv[i];
        if (cmd__opt_is(o, "nx"))
            *flags |= Z_NX;
        else if (cmd__opt_is(o, "xx"))
            *flags |= Z_XX;
        else if (cmd__opt_is(o, "ch"))
            *ch = true;
        else if (cmd__opt_is(o, "incr"))
            *flags |= Z_INCR;
        else if (cmd__opt_is(o, "gt"))
            *flags |= Z_GT;
        else if (cmd__opt_is(o, "lt"))
            *flags |= Z_LT;
        else
            break;
    }
    unsigned f = *flags;
    int left = ctx->argc - i;
    if (left == 0 || left % 2) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return 0;
    }
    if ((f & Z_NX) && (f & Z_XX)) {
        reply_error(ctx->reply, ERR_ZSET_XX_NX);
        return 0;
    }
    if (((f & Z_NX) && (f & (Z_GT | Z_LT))) || ((f & Z_GT) && (f & Z_LT))) {
        reply_error(ctx->reply, ERR_ZSET_GT_LT_NX);
        return 0;
    }
    if ((f & Z_INCR) && left > 2) {
        reply_error(ctx->reply, ERR_ZSET_INCR_PAIR);
        return 0;
    }
    return i;
}

static void zadd_generic(cmd_ctx_t *ctx, unsigned flags)
{
    bool ch = false;
    int first = zadd_options(ctx, &flags, &ch);
    if (!first)
        return;
    size_t n = (size_t)(ctx->argc - first) / 2;
    double one, *scores = n == 1 ? &one : malloc(n * sizeof *scores);
    if (!scores) {
        cmd__reply_oom(ctx);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        const cmd_arg_t *a = &ctx->argv[first + 2 * j];
        if (!num_parse_d(a->ptr, a->len, &scores[j])) {
            reply_error(ctx->reply, ERR_NOT_FLOAT);
            goto out;
        }
    }

    bool wrong;
    ks_t *ks = cmd__ks_of(ctx, 1);
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (wrong)
        goto out;
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    const store_cfg_t *cfg = cmd__cfg(ctx);
    zobj_t z;
    size_t before = 0;
    if (e) {
        z = zobj_of(e);
        before = entry_mem(e);
    } else if (flags & Z_XX) {
        goto reply;
    } else if (zobj_new_for(&z, ctx->argv[first + 1].len, cfg) != 0) {
        cmd__reply_oom(ctx);
        goto out;
    }
    int rc = ZA_NOP;
    for (size_t j = 0; j < n; j++) {
        rc = add_one(&z, &ctx->argv[first + 2 * j + 1], scores[j], flags, cfg, &score);
        if (rc == ZA_NAN || rc == ZA_OOM)
            break;
        added += rc == ZA_ADDED;
        updated += rc == ZA_UPDATED;
        processed += rc != ZA_NOP;
    }
    if (!e) {
        /* A new key: it holds at least the first member, unless the
         * first addition failed. */
        if (zobj_len(&z) == 0)
            zobj_free(&z);
        else if (!ks_add_obj(ks, ctx->argv[1].ptr, ctx->argv[1].len, OBJ_ZSET, z.enc, z.obj))
            rc = ZA_OOM;
    } else if (added || updated || z.obj != e->v.obj || z.enc != e->type) {
        zobj_commit(ks, e, &z, before);
    }
    if (rc == ZA_NAN) {
        reply_error(ctx->reply, ERR_ZSET_NAN);
        goto out;
    }
    if (rc == ZA_OOM) {
        cmd__reply_oom(ctx);
        goto out;
    }
reply:
    if (flags & Z_INCR) {
        if (processed)
            reply_double(ctx->reply, score);
        else
            reply_null(ctx->reply);
    } else {
        reply_int(ctx->reply, ch ? added + updated : added);
    }
out:
    if (scores != &one)
        free(scores);
}

void cmd__zadd(cmd_ctx_t *ctx)
{
    zadd_generic(ctx, 0);
}

/* ZINCRBY key increment member: ZADD key INCR increment member, option
 * parsing included (as in Redis, "ZINCRBY k nx m" is a syntax error). */
void cmd__zincrby(cmd_ctx_t *ctx)
{
    zadd_generic(ctx, Z_INCR);
}

/* ---- ZREM ---- */

void cmd__zrem(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (!e) {
        if (!wrong)
            reply_int(ctx->reply, 0);
        return;
    }
    zobj_t z = zobj_of(e);
    size_t before = entry_mem(e);
    long long deleted = 0;
    for (int i = 2; i < ctx->argc && zobj_len(&z); i++)
        deleted += zobj_delete(&z, ctx->argv[i].ptr, ctx->argv[i].len);
    if (deleted)
        zobj_commit(cmd__ks_of(ctx, 1), e, &z, before);
    reply_int(ctx->reply, deleted);
}

/* ---- reads by member ---- */

void cmd__zcard(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (e) {
        zobj_t z = zobj_of(e);
        reply_int(ctx->reply, (long long)zobj_len(&z));
    } else if (!wrong) {
        reply_int(ctx->reply, 0);
    }
}

void cmd__zscore(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (wrong)
        return;
    zobj_t z = e ? zobj_of(e) : (zobj_t){0, NULL};
    double s;
    if (e && zobj_score(&z, ctx->argv[2].ptr, ctx->argv[2].len, &s))
        reply_double(ctx->reply, s);
    else
        reply_null(ctx->reply);
}

void cmd__zmscore(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (wrong)
        return;
    zobj_t z = e ? zobj_of(e) : (zobj_t){0, NULL};
    reply_array(ctx->reply, (size_t)(ctx->argc - 2));
    for (int i = 2; i < ctx->argc; i++) {
        double s;
        if (e && zobj_score(&z, ctx->argv[i].ptr, ctx->argv[i].len, &s))
            reply_double(ctx->reply, s);
        else
            reply_null(ctx->reply);
    }
}

static void rank_generic(cmd_ctx_t *ctx, bool rev)
{
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (wrong)
        return;
    zobj_t z = e ? zobj_of(e) : (zobj_t){0, NULL};
    long long r = e ? zobj_rank(&z, ctx->argv[2].ptr, ctx->argv[2].len) : -1;
    if (r < 0)
        reply_null(ctx->reply);
    else
        reply_int(ctx->reply, rev ? (long long)zobj_len(&z) - 1 - r : r);
}

void cmd__zrank(cmd_ctx_t *ctx)
{
    rank_generic(ctx, false);
}

void cmd__zrevrank(cmd_ctx_t *ctx)
{
    rank_generic(ctx, true);
}
