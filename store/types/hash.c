/*
 * hash.c - the hash commands that read or write fields: HSET HSETNX HMSET
 * HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY
 * HINCRBYFLOAT, with Redis 7.0's replies and its order of checks
 * (arguments that are parsed before the key is looked up fail first).
 * HRANDFIELD and HSCAN are in hash_rand.c.  The encodings are
 * hash_obj.h's business.
 *
 * Every write takes entry_mem before and calls ks_changed after (memory,
 * WATCH); a hash left without fields is deleted, as in Redis.
 *
 * Concurrency: as cmd_exec.
 */
#include "hash.h"

#include <limits.h>
#include <math.h>

#include "hash_obj.h"
#include "store/cmd/proc.h"

/* The hash at argv[1]; a missing key first gets an empty hash (Redis's
 * hashTypeLookupWriteOrCreate), which the caller fills or deletes.  NULL
 * after replying WRONGTYPE or OOM. */
static entry_t *find_or_create(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_HASH, &wrong);
    if (e || wrong)
        return e;
    void *obj = hash_obj_new();
    if (obj)
        e = ks_add_obj(cmd__ks_of(ctx, 1), ctx->argv[1].ptr, ctx->argv[1].len, OBJ_HASH,
                       ENC_HASH_LP, obj);
    if (!e)
        cmd__reply_oom(ctx);
    return e;
}

/* After a write: account for it, or delete the hash if it has no field
 * left. */
static void written(cmd_ctx_t *ctx, entry_t *e, size_t mem_before)
{
    ks_t *ks = cmd__ks_of(ctx, 1);
    /* Accounted first: the delete takes off what the entry holds now. */
    ks_changed(ks, e, mem_before);
    if (hash_obj_len(e) == 0)
        ks_delete_entry(ks, e);
}

/* HSET / HMSET: the pairs are counted before the key is looked up. */
static void hset_generic(cmd_ctx_t *ctx, bool hmset)
{
    if (ctx->argc % 2) {
        reply_errorf(ctx->reply, ERRF_ARITY, ctx->cmd->name);
        return;
    }
    entry_t *e = find_or_create(ctx);
    if (!e)
        return;
    const store_cfg_t *cfg = cmd__cfg(ctx);
    size_t before = entry_mem(e);
    long long created = 0;
    bool ok = hash_obj_prepare(e, cfg, ctx->argv, 2, ctx->argc - 1) == 0;
    for (int i = 2; ok && i < ctx->argc; i += 2) {
        const cmd_arg_t *f = &ctx->argv[i], *v = &ctx->argv[i + 1];
        int rc = hash_obj_set(e, cfg, f->ptr, f->len, v->ptr, v->len);
        ok = rc >= 0;
        created += ok ? rc : 0;
    }
    written(ctx, e, before);
    if (!ok)
        cmd__reply_oom(ctx);
    else if (hmset)
        reply_ok(ctx->reply);
    else
        reply_int(ctx->reply, created);
}

void cmd__hset(cmd_ctx_t *ctx) { hset_generic(ctx, false); }
void cmd__hmset(cmd_ctx_t *ctx) { hset_generic(ctx, true); }

void cmd__hsetnx(cmd_ctx_t *ctx)
{
    const cmd_arg_t *f = &ctx->argv[2], *v = &ctx->argv[3];
    entry_t *e = find_or_create(ctx);
    if (!e)
        return;
    hash_obj_sv_t old;
    if (hash_obj_get(e, f->ptr, f->len, &old)) {
        reply_int(ctx->reply, 0);
        return;
    }
    /* Only a field that is added can make the hash convert. */
    const store_cfg_t *cfg = cmd__cfg(ctx);
    size_t before = entry_mem(e);
    bool ok = hash_obj_prepare(e, cfg, ctx->argv, 2, 3) == 0 &&
              hash_obj_set(e, cfg, f->ptr, f->len, v->ptr, v->len) >= 0;
    written(ctx, e, before);
    if (ok)
        reply_int(ctx->reply, 1);
    else
        cmd__reply_oom(ctx);
}

/* The hash at argv[1] for reading: NULL if missing (nothing replied) or
 * of another type (WRONGTYPE replied, *wrong set). */
static entry_t *find(cmd_ctx_t *ctx, bool *wrong)
{
    return cmd__find_typed(ctx, 1, OBJ_HASH, wrong);
}

void cmd__hget(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find(ctx, &wrong);
    hash_obj_sv_t v;
    if (e && hash_obj_get(e, ctx->argv[2].ptr, ctx->argv[2].len, &v))
        hash_obj_sv_reply(ctx->reply, &v);
    else if (!wrong)
        reply_null(ctx->reply);
}

void cmd__hmget(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find(ctx, &wrong);
    if (wrong)
        return;
    reply_array(ctx->reply, (size_t)(ctx->argc - 2));
    for (int i = 2; i < ctx->argc; i++) {
        hash_obj_sv_t v;
        if (e && hash_obj_get(e, ctx->argv[i].ptr, ctx->argv[i].len, &v))
            hash_obj_sv_reply(ctx->reply, &v);
        else
            reply_null(ctx->reply);
    }
}

void cmd__hdel(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find(ctx, &wrong);
    if (!e) {
        if (!wrong)
            reply_int(ctx->reply, 0);
        return;
    }
    size_t before = entry_mem(e);
    long long deleted = 0;
    for (int i = 2; i < ctx->argc && hash_obj_len(e) > 0; i++)
        deleted += hash_obj_del(e, ctx->argv[i].ptr, ctx->argv[i].len);
    if (deleted)
        written(ctx, e, before);
    reply_int(ctx->reply, deleted);
}

void cmd__hlen(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find(ctx, &wrong);
    if (!wrong)
        reply_int(ctx->reply, e ? (long long)hash_obj_len(e) : 0);
}

void cmd__hstrlen(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find(ctx, &wrong);
    hash_obj_sv_t v;
    if (wrong)
        return;
    if (e && hash_obj_get(e, ctx->argv[2].ptr, ctx->argv[2].len, &v))
        reply_int(ctx->reply, (long long)hash_obj_sv_len(&v));
    else
        reply_int(ctx->reply, 0);
}

void cmd__hexists(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = find(ctx, &wrong);
    hash_obj_sv_t v;
    if (!wrong)
        reply_int(ctx->reply, e && hash_obj_get(e, ctx->argv[2].ptr, ctx->argv[2].len, &v));
}

/* HKEYS, HVALS, HGETALL: a map of every pair (RESP3) or an array. */
static void getall(cmd_ctx_t *ctx, bool keys, bool vals)
{
    bool wrong;
    entry_t *e = find(ctx, &wrong);
    if (wrong)
        return;
    size_t n = e ? hash_obj_len(e) : 0;
    if (keys && vals)
        reply_map(ctx->reply, n);
    else
        reply_array(ctx->reply, n);
    if (!e)
        return;
    hash_obj_iter_t it;
    hash_obj_sv_t f, v;
    hash_obj_iter_init(&it, e);
    while (hash_obj_iter_next(&it, &f, vals ? &v : NULL)) {
        if (keys)
            hash_obj_sv_reply(ctx->reply, &f);
        if (vals)
            hash_obj_sv_reply(ctx->reply, &v);
    }
}

void cmd__hkeys(cmd_ctx_t *ctx) { getall(ctx, true, false); }
void cmd__hvals(cmd_ctx_t *ctx) { getall(ctx, false, true); }
void cmd__hgetall(cmd_ctx_t *ctx) { getall(ctx, true, true); }

/* Store the text buf as the value of field argv[2] (HINCRBY,
 * HINCRBYFLOAT); false after replying OOM. */
static bool store_number(cmd_ctx_t *ctx, entry_t *e, const char *buf, size_t len)
{
    const cmd_arg_t *f = &ctx->argv[2];
    size_t before = entry_mem(e);
    int rc = hash_obj_set(e, cmd__cfg(ctx), f->ptr, f->len, buf, len);
    written(ctx, e, before);
    if (rc < 0)
        cmd__reply_oom(ctx);
    return rc >= 0;
}

void cmd__hincrby(cmd_ctx_t *ctx)
{
    long long incr, v = 0;
    if (!cmd__arg_ll(ctx, 3, &incr))
        return;
    entry_t *e = find_or_create(ctx);
    if (!e)
        return;
    hash_obj_sv_t old;
    if (hash_obj_get(e, ctx->argv[2].ptr, ctx->argv[2].len, &old)) {
        if (!old.s)
            v = old.ll;
        else if (!num_parse_ll(old.s, old.len, &v)) {
            reply_error(ctx->reply, ERR_HASH_NOT_INTEGER);
            return;
        }
    }
    if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) ||
        (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
        reply_error(ctx->reply, ERR_INCR_OVERFLOW);
        return;
    }
    v += incr;
    char buf[NUM_LL_BUF];
    if (store_number(ctx, e, buf, num_fmt_ll(buf, v)))
        reply_int(ctx->reply, v);
}

void cmd__hincrbyfloat(cmd_ctx_t *ctx)
{
    long double incr, v = 0;
    const cmd_arg_t *a = &ctx->argv[3];
    if (!num_parse_ld(a->ptr, a->len, &incr)) {
        reply_error(ctx->reply, ERR_NOT_FLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(ctx->reply, ERR_HASH_NAN_INF);
        return;
    }
    entry_t *e = find_or_create(ctx);
    if (!e)
        return;
    hash_obj_sv_t old;
    if (hash_obj_get(e, ctx->argv[2].ptr, ctx->argv[2].len, &old)) {
        if (!old.s)
            v = (long double)old.ll;
        else if (!num_parse_ld(old.s, old.len, &v)) {
            reply_error(ctx->reply, ERR_HASH_NOT_FLOAT);
            return;
        }
    }
    v += incr;
    if (isnan(v) || isinf(v)) {
        reply_error(ctx->reply, ERR_INCR_NAN_INF);
        return;
    }
    char buf[NUM_LD_MAX];
    size_t len = num_fmt_ld_human(buf, v);
    if (store_number(ctx, e, buf, len))
        reply_bulk(ctx->reply, buf, len);
}
