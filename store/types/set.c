/*
 * set.c - the set commands on one set: SADD SREM SCARD SISMEMBER
 * SMISMEMBER SMOVE SSCAN (set.h; the random ones are in set_rand.c, the
 * algebra in set_ops.c), over the encoding helpers of set_enc.h.
 *
 * Redis 7.0's order of checks: the key's type before anything else but
 * the arguments Redis parses first (SSCAN's cursor); a missing key reads
 * as an empty set.
 *
 * Concurrency: as cmd_exec.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "set.h"
#include "set_enc.h"
#include "store/cmd/proc.h"
#include "store/cmd/scan.h"

static void reply_member(cmd_ctx_t *ctx, const setv_member_t *m)
{
    reply_bulk(ctx->reply, m->s, m->len);
}

void cmd__sadd(cmd_ctx_t *ctx)
{
    bool wrong, oom = false;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    setv_t v;
    size_t before = 0;
    if (e) {
        v = setv_of(e);
        before = entry_mem(e);
    } else if (setv_new(&v) != 0) {
        cmd__reply_oom(ctx);
        return;
    }
    long long added = 0;
    for (int j = 2; j < ctx->argc && !oom; j++) {
        int rc = setv_add(&v, ctx->argv[j].ptr, ctx->argv[j].len, cmd__cfg(ctx));
        if (rc < 0)
            oom = true;
        else
            added += rc;
    }
    if (e) {
        if (added || setv_moved(e, &v))
            setv_commit(cmd__ks_of(ctx, 1), e, &v, before);
    } else if (setv_len(&v) == 0) {
        setv_free(&v);
    } else if (!ks_add_obj(cmd__ks_of(ctx, 1), ctx->argv[1].ptr, ctx->argv[1].len, OBJ_SET, v.enc,
                           v.obj)) {
        oom = true;
    }
    if (oom)
        cmd__reply_oom(ctx);
    else
        reply_int(ctx->reply, added);
}

void cmd__srem(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    long long removed = 0;
    if (e) {
        setv_t v = setv_of(e);
        size_t before = entry_mem(e);
        for (int j = 2; j < ctx->argc && setv_len(&v); j++)
            removed += setv_remove(&v, ctx->argv[j].ptr, ctx->argv[j].len);
        if (removed || setv_moved(e, &v))
            setv_commit(cmd__ks_of(ctx, 1), e, &v, before);
    }
    reply_int(ctx->reply, removed);
}

void cmd__scard(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    setv_t v = e ? setv_of(e) : (setv_t){0, NULL};
    reply_int(ctx->reply, e ? (long long)setv_len(&v) : 0);
}

void cmd__sismember(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    setv_t v = e ? setv_of(e) : (setv_t){0, NULL};
    reply_int(ctx->reply, e && setv_has(&v, ctx->argv[2].ptr, ctx->argv[2].len));
}

void cmd__smismember(cmd_ctx_t *ctx)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    setv_t v = e ? setv_of(e) : (setv_t){0, NULL};
    reply_array(ctx->reply, (size_t)(ctx->argc - 2));
    for (int j = 2; j < ctx->argc; j++)
        reply_int(ctx->reply, e && setv_has(&v, ctx->argv[j].ptr, ctx->argv[j].len));
}

/* SMOVE source destination member: Redis looks both keys up, answers 0
 * for a missing source whatever the destination holds, then checks both
 * types before anything moves. */
void cmd__smove(cmd_ctx_t *ctx)
{
    const cmd_arg_t *sk = &ctx->argv[1], *dk = &ctx->argv[2], *m = &ctx->argv[3];
    ks_t *sks = cmd__ks_of(ctx, 1), *dks = cmd__ks_of(ctx, 2);
    entry_t *src = ks_find(sks, sk->ptr, sk->len);
    entry_t *dst = ks_find(dks, dk->ptr, dk->len);
    if (!src) {
        reply_int(ctx->reply, 0);
        return;
    }
    if (src->otype != OBJ_SET || (dst && dst->otype != OBJ_SET)) {
        reply_error(ctx->reply, ERR_WRONGTYPE);
        return;
    }
    setv_t sv = setv_of(src);
    if (src == dst) {
        reply_int(ctx->reply, setv_has(&sv, m->ptr, m->len));
        return;
    }
    size_t before = entry_mem(src);
    if (!setv_remove(&sv, m->ptr, m->len)) {
        reply_int(ctx->reply, 0);
        return;
    }
    bool emptied = setv_len(&sv) == 0;
    setv_commit(sks, src, &sv, before);
    if (emptied && dst && dks == sks)
        dst = ks_find_notouch(dks, dk->ptr, dk->len); /* a write passed */
    int rc;
    if (dst) {
        setv_t dv = setv_of(dst);
        before = entry_mem(dst);
        rc = setv_add(&dv, m->ptr, m->len, cmd__cfg(ctx));
        if (rc > 0 || setv_moved(dst, &dv))
            setv_commit(dks, dst, &dv, before);
    } else {
        setv_t dv;
        rc = setv_new(&dv);
        if (rc == 0)
            rc = setv_add(&dv, m->ptr, m->len, cmd__cfg(ctx));
        if (rc > 0 && !ks_add_obj(dks, dk->ptr, dk->len, OBJ_SET, dv.enc, dv.obj))
            rc = -ENOMEM;
        else if (rc <= 0)
            setv_free(&dv);
    }
    if (rc < 0)
        cmd__reply_oom(ctx);
    else
        reply_int(ctx->reply, 1);
}

/* ---- SSCAN ---- */

typedef struct page {
    setv_pos_t *pos;
    size_t n, cap;
    bool oom;
} page_t;

static void page_push(page_t *pg, setv_pos_t p)
{
    if (pg->n == pg->cap) {
        size_t cap = pg->cap ? pg->cap * 2 : 16;
        setv_pos_t *np = realloc(pg->pos, cap * sizeof *np);
        if (!np) {
            pg->oom = true;
            return;
        }
        pg->pos = np;
        pg->cap = cap;
    }
    pg->pos[pg->n++] = p;
}

static void scan_cb(void *arg, const ht_node_t *n)
{
    page_push(arg, (setv_pos_t)n);
}

/* Redis's scanGenericCommand for one set: an intset (and FlashKV's
 * listpack) answers every member with cursor 0; a hash table visits
 * buckets until COUNT members are found, at most 10 * COUNT calls. */
void cmd__sscan(cmd_ctx_t *ctx)
{
    unsigned long cursor;
    if (!cmd__scan_cursor(ctx, 2, &cursor))
        return;
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    if (!e) {
        cmd__scan_reply_head(ctx, 0, 0);
        return;
    }
    cmd_scan_opts_t o;
    if (!cmd__scan_opts(ctx, 3, false, &o))
        return;
    setv_t v = setv_of(e);
    page_t pg = {0};
    if (v.enc == ENC_SET_HT) {
        unsigned long long maxit = (unsigned long long)o.count * 10;
        if (o.count > (long long)(ULLONG_MAX / 20))
            maxit = ULLONG_MAX;
        do {
            cursor = ht_scan(v.obj, cursor, scan_cb, &pg);
        } while (cursor && maxit-- && pg.n < (unsigned long long)o.count && !pg.oom);
    } else {
        setv_iter_t it;
        setv_member_t m;
        setv_pos_t p;
        setv_iter_init(&it, &v);
        while (setv_iter_next(&it, &m, &p))
            page_push(&pg, p);
        setv_iter_done(&it);
        cursor = 0;
    }
    if (pg.oom) {
        free(pg.pos);
        cmd__reply_oom(ctx);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < pg.n; i++) {
        setv_member_t m;
        setv_at(&v, pg.pos[i], &m);
        if (cmd__scan_match(&o, m.s, m.len))
            pg.pos[k++] = pg.pos[i];
    }
    cmd__scan_reply_head(ctx, cursor, k);
    for (size_t i = 0; i < k; i++) {
        setv_member_t m;
        setv_at(&v, pg.pos[i], &m);
        reply_member(ctx, &m);
    }
    free(pg.pos);
}
