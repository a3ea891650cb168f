/*
 * cmd_expire.c - TTL commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with
 * NX XX GT LT), TTL PTTL EXPIRETIME PEXPIRETIME PERSIST, as Redis 7.0.
 *
 * Concurrency: runs on the shard's thread (cmd_exec).
 */
#include <limits.h>

#include "store/cmd/proc.h"
#include "keys.h"

enum {
    X_NX = 1 << 0,
    X_XX = 1 << 1,
    X_GT = 1 << 2,
    X_LT = 1 << 3,
};

static bool parse_flags(cmd_ctx_t *ctx, unsigned *flags)
{
    unsigned f = 0;
    for (int j = 3; j < ctx->argc; j++) {
        const cmd_arg_t *o = &ctx->argv[j];
        if (cmd__opt_is(o, "nx")) {
            f |= X_NX;
        } else if (cmd__opt_is(o, "xx")) {
            f |= X_XX;
        } else if (cmd__opt_is(o, "gt")) {
            f |= X_GT;
        } else if (cmd__opt_is(o, "lt")) {
            f |= X_LT;
        } else {
            /* Redis prints the option with %s: it stops at a NUL. */
            reply_errorf(ctx->reply, ERRF_UNSUPPORTED_OPTION, (int)cmd__clen(o), o->ptr);
            return false;
        }
    }
    if ((f & X_NX) && (f & (X_XX | X_GT | X_LT))) {
        reply_error(ctx->reply, ERR_EXPIRE_NX_COMBO);
        return false;
    }
    if ((f & X_GT) && (f & X_LT)) {
        reply_error(ctx->reply, ERR_EXPIRE_GT_LT);
        return false;
    }
    *flags = f;
    return true;
}

/* Redis's expireGenericCommand. basetime: now for relative forms, 0 for
 * the *AT forms. Negative times are allowed and delete the key. */
static void expire_generic(cmd_ctx_t *ctx, long long basetime, bool seconds)
{
    const cmd_arg_t *k = &ctx->argv[1];
    unsigned flags;
    long long when;

    if (!parse_flags(ctx, &flags) || !cmd__arg_ll(ctx, 2, &when))
        return;
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            cmd__reply_expire_time(ctx);
            return;
        }
        when *= 1000;
    }
    if (when > LLONG_MAX - basetime) {
        cmd__reply_expire_time(ctx);
        return;
    }
    when += basetime;

    entry_t *e = ks_find(ctx->ks, k->ptr, k->len);
    if (!e) {
        reply_int(ctx->reply, 0);
        return;
    }
    if (flags) {
        long long cur = ks_ttl_get(ctx->ks, e);
        /* No TTL counts as an infinite one: GT never beats it, LT always. */
        if (((flags & X_NX) && cur != -1) || ((flags & X_XX) && cur == -1) ||
            ((flags & X_GT) && (cur == -1 || when <= cur)) ||
            ((flags & X_LT) && cur != -1 && when >= cur)) {
            reply_int(ctx->reply, 0);
            return;
        }
    }
    if (when <= ctx->now_ms) {
        /* Already in the past: delete now rather than store a dead TTL. */
        ks_delete_entry(ctx->ks, e);
        reply_int(ctx->reply, 1);
        return;
    }
    if (ks_ttl_set(ctx->ks, e, when) != 0) {
        cmd__reply_oom(ctx);
        return;
    }
    reply_int(ctx->reply, 1);
}

void cmd__expire(cmd_ctx_t *ctx) { expire_generic(ctx, ctx->now_ms, true); }
void cmd__pexpire(cmd_ctx_t *ctx) { expire_generic(ctx, ctx->now_ms, false); }
void cmd__expireat(cmd_ctx_t *ctx) { expire_generic(ctx, 0, true); }
void cmd__pexpireat(cmd_ctx_t *ctx) { expire_generic(ctx, 0, false); }

/* Redis's ttlGenericCommand: -2 no key, -1 no TTL; seconds are rounded
 * to nearest ((ms + 500) / 1000), absolute times included. */
static void ttl_generic(cmd_ctx_t *ctx, bool ms, bool absolute)
{
    entry_t *e = ks_find_notouch(ctx->ks, ctx->argv[1].ptr, ctx->argv[1].len);
    if (!e) {
        reply_int(ctx->reply, -2);
        return;
    }
    long long when = ks_ttl_get(ctx->ks, e);
    if (when == -1) {
        reply_int(ctx->reply, -1);
        return;
    }
    long long ttl = absolute ? when : when - ctx->now_ms;
    if (ttl < 0)
        ttl = 0;
    reply_int(ctx->reply, ms ? ttl : (ttl + 500) / 1000);
}

void cmd__ttl(cmd_ctx_t *ctx) { ttl_generic(ctx, false, false); }
void cmd__pttl(cmd_ctx_t *ctx) { ttl_generic(ctx, true, false); }
void cmd__expiretime(cmd_ctx_t *ctx) { ttl_generic(ctx, false, true); }
void cmd__pexpiretime(cmd_ctx_t *ctx) { ttl_generic(ctx, true, true); }

void cmd__persist(cmd_ctx_t *ctx)
{
    entry_t *e = ks_find(ctx->ks, ctx->argv[1].ptr, ctx->argv[1].len);
    reply_int(ctx->reply, e && ks_ttl_clear(ctx->ks, e));
}
