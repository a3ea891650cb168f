/*
 * cmd_string.c - string commands: GET SET SETNX SETEX PSETEX GETSET GETDEL
 * GETEX MGET MSET MSETNX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN
 * GETRANGE/SUBSTR SETRANGE, with Redis 7.0's replies, option parsing order
 * and error precedence.
 *
 * Every key holds a string for now, so Redis's WRONGTYPE checks have
 * nothing to reject; they belong where the lookups are once other types
 * exist.
 *
 * Concurrency: runs on the shard's thread (cmd_exec).
 */
#include <limits.h>
#include <math.h>

#include "store/cmd/proc.h"
#include "types.h"

/* Option flags of SET / GETEX (Redis's OBJ_* flags). */
enum {
    O_NX = 1 << 0,
    O_XX = 1 << 1,
    O_GET = 1 << 2,
    O_KEEPTTL = 1 << 3,
    O_PERSIST = 1 << 4,
    O_EX = 1 << 5,
    O_PX = 1 << 6,
    O_EXAT = 1 << 7,
    O_PXAT = 1 << 8,
};
#define O_ANY_EXPIRE (O_EX | O_PX | O_EXAT | O_PXAT)

/* Parse SET's (is_set) or GETEX's options from argv[start], in Redis's
 * order of checks: a conflicting option is a syntax error where it
 * appears. Repeating an option is allowed (the last value wins). */
static bool parse_options(cmd_ctx_t *ctx, int start, bool is_set, unsigned *flags,
                          const cmd_arg_t **expire)
{
    unsigned f = 0;
    for (int j = start; j < ctx->argc; j++) {
        const cmd_arg_t *o = &ctx->argv[j];
        bool has_next = j + 1 < ctx->argc;
        unsigned unit = 0;

        if (is_set && cmd__opt_is(o, "nx") && !(f & O_XX)) {
            f |= O_NX;
        } else if (is_set && cmd__opt_is(o, "xx") && !(f & O_NX)) {
            f |= O_XX;
        } else if (is_set && cmd__opt_is(o, "get")) {
            f |= O_GET;
        } else if (is_set && cmd__opt_is(o, "keepttl") && !(f & (O_PERSIST | O_ANY_EXPIRE))) {
            f |= O_KEEPTTL;
        } else if (!is_set && cmd__opt_is(o, "persist") && !(f & (O_ANY_EXPIRE | O_KEEPTTL))) {
            f |= O_PERSIST;
        } else if (cmd__opt_is(o, "ex")) {
            unit = O_EX;
        } else if (cmd__opt_is(o, "px")) {
            unit = O_PX;
        } else if (cmd__opt_is(o, "exat")) {
            unit = O_EXAT;
        } else if (cmd__opt_is(o, "pxat")) {
            unit = O_PXAT;
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
        if (unit) {
            /* The same unit again is fine; another unit or KEEPTTL/PERSIST
             * is not, and the value must follow. */
            if ((f & (O_KEEPTTL | O_PERSIST | (O_ANY_EXPIRE & ~unit))) || !has_next) {
                reply_error(ctx->reply, ERR_SYNTAX);
                return false;
            }
            f |= unit;
            *expire = &ctx->argv[++j];
        }
    }
    *flags = f;
    return true;
}

/* Absolute expire time in ms from an EX/PX/EXAT/PXAT argument, as Redis's
 * getExpireMillisecondsOrReply: positive, no overflow. Replies on error. */
static bool expire_ms(cmd_ctx_t *ctx, const cmd_arg_t *arg, unsigned flags, long long *ms)
{
    long long v;
    bool seconds = flags & (O_EX | O_EXAT);

    if (!num_parse_ll(arg->ptr, arg->len, &v)) {
        reply_error(ctx->reply, ERR_NOT_INTEGER);
        return false;
    }
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
        cmd__reply_expire_time(ctx);
        return false;
    }
    if (seconds)
        v *= 1000;
    if (flags & (O_EX | O_PX)) {
        if (v > LLONG_MAX - ctx->now_ms) {
            cmd__reply_expire_time(ctx);
            return false;
        }
        v += ctx->now_ms;
    }
    *ms = v;
    return true;
}

/* The entry of key k if it holds a string; NULL if absent, or if it holds
 * another type (*wrong set, WRONGTYPE replied: Redis's checkType). */
static entry_t *find_str(cmd_ctx_t *ctx, const cmd_arg_t *k, bool *wrong)
{
    entry_t *e = ks_find(ctx->ks, k->ptr, k->len);
    *wrong = e && !entry_is_str(e);
    if (*wrong) {
        reply_error(ctx->reply, ERR_WRONGTYPE);
        return NULL;
    }
    return e;
}

/* Redis's setGenericCommand. ok/abort: replies for success and for an
 * NX/XX miss (NULL = +OK and null). */
static void set_generic(cmd_ctx_t *ctx, unsigned flags, const cmd_arg_t *key,
                        const cmd_arg_t *val, const cmd_arg_t *expire,
                        const char *ok, const char *abort)
{
    long long when = 0;

    if (expire && !expire_ms(ctx, expire, flags, &when))
        return;
    entry_t *e = ks_find(ctx->ks, key->ptr, key->len);
    if ((flags & O_GET) && e && !entry_is_str(e)) {
        reply_error(ctx->reply, ERR_WRONGTYPE);
        return;
    }
    if (flags & O_GET) {
        if (e)
            cmd__reply_value(ctx, e);
        else
            reply_null(ctx->reply);
    }
    if (((flags & O_NX) && e) || ((flags & O_XX) && !e)) {
        if (!(flags & O_GET)) {
            if (abort)
                reply_raw(ctx->reply, abort, strlen(abort));
            else
                reply_null(ctx->reply);
        }
        return;
    }
    if (e)
        e = ks_overwrite(ctx->ks, e, val->ptr, val->len, !(flags & O_KEEPTTL));
    else
        e = ks_add(ctx->ks, key->ptr, key->len, val->ptr, val->len);
    if (!e || (expire && ks_ttl_set(ctx->ks, e, when) != 0)) {
        if (!(flags & O_GET))
            cmd__reply_oom(ctx);
        return;
    }
    if (!(flags & O_GET)) {
        if (ok)
            reply_raw(ctx->reply, ok, strlen(ok));
        else
            reply_ok(ctx->reply);
    }
}

void cmd__set(cmd_ctx_t *ctx)
{
    unsigned flags;
    const cmd_arg_t *expire = NULL;
    if (!parse_options(ctx, 3, true, &flags, &expire))
        return;
    set_generic(ctx, flags, &ctx->argv[1], &ctx->argv[2], expire, NULL, NULL);
}

void cmd__setnx(cmd_ctx_t *ctx)
{
    set_generic(ctx, O_NX, &ctx->argv[1], &ctx->argv[2], NULL, ":1\r\n", ":0\r\n");
}

void cmd__setex(cmd_ctx_t *ctx)
{
    set_generic(ctx, O_EX, &ctx->argv[1], &ctx->argv[3], &ctx->argv[2], NULL, NULL);
}

void cmd__psetex(cmd_ctx_t *ctx)
{
    set_generic(ctx, O_PX, &ctx->argv[1], &ctx->argv[3], &ctx->argv[2], NULL, NULL);
}

void cmd__get(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find_str(ctx, &ctx->argv[1], &wrong);
    if (e)
        cmd__reply_value(ctx, e);
    else if (!wrong)
        reply_null(ctx->reply);
}

void cmd__getset(cmd_ctx_t *ctx)
{
    const cmd_arg_t *k = &ctx->argv[1], *v = &ctx->argv[2];
    bool wrong;
    entry_t *e = find_str(ctx, k, &wrong);
    if (wrong)
        return;
    if (e) {
        cmd__reply_value(ctx, e);
        e = ks_overwrite(ctx->ks, e, v->ptr, v->len, true);
    } else {
        reply_null(ctx->reply);
        e = ks_add(ctx->ks, k->ptr, k->len, v->ptr, v->len);
    }
    /* The reply is already written; a failed store just leaves the key. */
    (void)e;
}

void cmd__getdel(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find_str(ctx, &ctx->argv[1], &wrong);
    if (!e) {
        if (!wrong)
            reply_null(ctx->reply);
        return;
    }
    cmd__reply_value(ctx, e);
    ks_delete_entry(ctx->ks, e);
}

void cmd__getex(cmd_ctx_t *ctx)
{
    unsigned flags;
    const cmd_arg_t *expire = NULL;
    long long when = 0;

    if (!parse_options(ctx, 2, false, &flags, &expire))
        return;
    bool wrong;
    entry_t *e = find_str(ctx, &ctx->argv[1], &wrong);
    if (!e) {
        if (!wrong)
            reply_null(ctx->reply);
        return;
    }
    /* The expire time is validated only for an existing key (Redis order). */
    if (expire && !expire_ms(ctx, expire, flags, &when))
        return;
    cmd__reply_value(ctx, e);
    if ((flags & (O_EXAT | O_PXAT)) && when <= ctx->now_ms)
        ks_delete_entry(ctx->ks, e);
    else if (expire)
        (void)ks_ttl_set(ctx->ks, e, when);
    else if (flags & O_PERSIST)
        ks_ttl_clear(ctx->ks, e);
}

void cmd__mget(cmd_ctx_t *ctx)
{
    reply_array(ctx->reply, (size_t)(ctx->argc - 1));
    for (int i = 1; i < ctx->argc; i++) {
        entry_t *e = ks_find(ctx->ks, ctx->argv[i].ptr, ctx->argv[i].len);
        if (e && entry_is_str(e))
            cmd__reply_value(ctx, e);
        else
            reply_null(ctx->reply);
    }
}

static bool mset_arity_ok(cmd_ctx_t *ctx)
{
    if (ctx->argc % 2 == 0) {
        reply_errorf(ctx->reply, ERRF_ARITY, ctx->cmd->name);
        return false;
    }
    return true;
}

static bool mset_all(cmd_ctx_t *ctx)
{
    bool ok = true;
    for (int i = 1; i < ctx->argc; i += 2) {
        const cmd_arg_t *k = &ctx->argv[i], *v = &ctx->argv[i + 1];
        if (!ks_set(ctx->ks, k->ptr, k->len, v->ptr, v->len, false))
            ok = false;
    }
    return ok;
}

void cmd__mset(cmd_ctx_t *ctx)
{
    if (!mset_arity_ok(ctx))
        return;
    if (mset_all(ctx))
        reply_ok(ctx->reply);
    else
        cmd__reply_oom(ctx);
}

void cmd__msetnx(cmd_ctx_t *ctx)
{
    if (!mset_arity_ok(ctx))
        return;
    for (int i = 1; i < ctx->argc; i += 2) {
        if (ks_find(ctx->ks, ctx->argv[i].ptr, ctx->argv[i].len)) {
            reply_int(ctx->reply, 0);
            return;
        }
    }
    if (mset_all(ctx))
        reply_int(ctx->reply, 1);
    else
        cmd__reply_oom(ctx);
}

static void incr_by(cmd_ctx_t *ctx, long long incr)
{
    const cmd_arg_t *k = &ctx->argv[1];
    long long v = 0;
    bool wrong;
    entry_t *e = find_str(ctx, k, &wrong);

    if (wrong)
        return;
    if (e && !entry_get_ll(e, &v)) {
        reply_error(ctx->reply, ERR_NOT_INTEGER);
        return;
    }
    if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) ||
        (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
        reply_error(ctx->reply, ERR_INCR_OVERFLOW);
        return;
    }
    v += incr;
    if (e)
        ks_set_int(ctx->ks, e, v);
    else if (!ks_add_int(ctx->ks, k->ptr, k->len, v)) {
        cmd__reply_oom(ctx);
        return;
    }
    reply_int(ctx->reply, v);
}

void cmd__incr(cmd_ctx_t *ctx) { incr_by(ctx, 1); }
void cmd__decr(cmd_ctx_t *ctx) { incr_by(ctx, -1); }

void cmd__incrby(cmd_ctx_t *ctx)
{
    long long incr;
    if (cmd__arg_ll(ctx, 2, &incr))
        incr_by(ctx, incr);
}

void cmd__decrby(cmd_ctx_t *ctx)
{
    long long incr;
    if (!cmd__arg_ll(ctx, 2, &incr))
        return;
    if (incr == LLONG_MIN) {
        /* -LLONG_MIN does not exist. */
        reply_error(ctx->reply, ERR_DECR_OVERFLOW);
        return;
    }
    incr_by(ctx, -incr);
}

void cmd__incrbyfloat(cmd_ctx_t *ctx)
{
    const cmd_arg_t *k = &ctx->argv[1], *a = &ctx->argv[2];
    long double v = 0, incr;
    char tmp[NUM_LL_BUF];
    bool wrong;
    entry_t *e = find_str(ctx, k, &wrong);

    if (wrong)
        return;
    if (e) {
        if (e->type == ENTRY_INT) {
            v = (long double)e->v.i;
        } else {
            size_t len;
            const char *p = entry_str(e, tmp, &len);
            if (!num_parse_ld(p, len, &v)) {
                reply_error(ctx->reply, ERR_NOT_FLOAT);
                return;
            }
        }
    }
    if (!num_parse_ld(a->ptr, a->len, &incr)) {
        reply_error(ctx->reply, ERR_NOT_FLOAT);
        return;
    }
    v += incr;
    if (isnan(v) || isinf(v)) {
        reply_error(ctx->reply, ERR_INCR_NAN_INF);
        return;
    }
    char buf[NUM_LD_MAX];
    size_t len = num_fmt_ld_human(buf, v);
    /* A string even when it reads as an integer ("embstr", as Redis). */
    if (e)
        e = ks_overwrite_str(ctx->ks, e, buf, len, false);
    else
        e = ks_add_str(ctx->ks, k->ptr, k->len, buf, len);
    if (!e) {
        cmd__reply_oom(ctx);
        return;
    }
    reply_bulk(ctx->reply, buf, len);
}

void cmd__append(cmd_ctx_t *ctx)
{
    const cmd_arg_t *k = &ctx->argv[1], *a = &ctx->argv[2];
    bool wrong;
    entry_t *e = find_str(ctx, k, &wrong);

    if (wrong)
        return;
    if (!e) {
        if (!ks_add(ctx->ks, k->ptr, k->len, a->ptr, a->len)) {
            cmd__reply_oom(ctx);
            return;
        }
        reply_int(ctx->reply, (long long)a->len);
        return;
    }
    size_t olen = entry_strlen(e);
    if (a->len > ENTRY_MAX_LEN - olen) {
        reply_error(ctx->reply, ERR_STRING_TOO_BIG);
        return;
    }
    /* Even an empty append leaves a "raw" value, as in Redis. */
    char *p = ks_resize(ctx->ks, e, olen + a->len);
    if (!p) {
        cmd__reply_oom(ctx);
        return;
    }
    memcpy(p + olen, a->ptr, a->len);
    reply_int(ctx->reply, (long long)(olen + a->len));
}

void cmd__strlen(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find_str(ctx, &ctx->argv[1], &wrong);
    if (!wrong)
        reply_int(ctx->reply, e ? (long long)entry_strlen(e) : 0);
}

void cmd__getrange(cmd_ctx_t *ctx)
{
    long long start, end;
    char tmp[NUM_LL_BUF];
    size_t len;

    if (!cmd__arg_ll(ctx, 2, &start) || !cmd__arg_ll(ctx, 3, &end))
        return;
    bool wrong;
    entry_t *e = find_str(ctx, &ctx->argv[1], &wrong);
    if (!e) {
        if (!wrong)
            reply_bulk(ctx->reply, "", 0);
        return;
    }
    const char *s = entry_str(e, tmp, &len);
    long long n = (long long)len;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(ctx->reply, "", 0);
        return;
    }
    if (start < 0)
        start = n + start;
    if (end < 0)
        end = n + end;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= n)
        end = n - 1;
    if (start > end || n == 0)
        reply_bulk(ctx->reply, "", 0);
    else
        reply_bulk(ctx->reply, s + start, (size_t)(end - start + 1));
}

void cmd__setrange(cmd_ctx_t *ctx)
{
    const cmd_arg_t *k = &ctx->argv[1], *v = &ctx->argv[3];
    long long offset;

    if (!cmd__arg_ll(ctx, 2, &offset))
        return;
    if (offset < 0) {
        reply_error(ctx->reply, ERR_OFFSET_RANGE);
        return;
    }
    bool wrong;
    entry_t *e = find_str(ctx, k, &wrong);
    if (wrong)
        return;
    size_t olen = e ? entry_strlen(e) : 0;
    if (v->len == 0) {
        /* Nothing to write: report the length, create nothing. */
        reply_int(ctx->reply, (long long)olen);
        return;
    }
    if ((unsigned long long)offset > ENTRY_MAX_LEN - v->len) {
        reply_error(ctx->reply, ERR_STRING_TOO_BIG);
        return;
    }
    size_t end = (size_t)offset + v->len;
    size_t newlen = end > olen ? end : olen;
    char *p;
    if (e) {
        p = ks_resize(ctx->ks, e, newlen);
    } else {
        e = ks_add_zeroed(ctx->ks, k->ptr, k->len, newlen);
        p = e ? entry_raw(e) : NULL;
    }
    if (!p) {
        cmd__reply_oom(ctx);
        return;
    }
    memcpy(p + offset, v->ptr, v->len);
    reply_int(ctx->reply, (long long)newlen);
}
