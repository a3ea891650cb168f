/*
 * hash_rand.c - the hash commands that answer a sample or a page rather
 * than what was asked for by name: HRANDFIELD and HSCAN (see hash.h), with
 * Redis 7.0's replies and argument checks.
 *
 * HRANDFIELD follows Redis's cases: no count, one random field (a bulk
 * string, null for a missing key); a negative count (or 1), |count| picks
 * with repeats; a count at least the size, the whole hash in its order;
 * else count distinct fields.  WITHVALUES replies a flat array in RESP2
 * and [field, value] pairs in RESP3.
 *
 * HSCAN: a listpack answers everything in one page with cursor 0, a hash
 * table a page of buckets from the cursor (ht_scan) until it holds COUNT
 * fields (redis-server 7.0 counts fields here, not fields and values) or
 * 10 * COUNT buckets were visited; MATCH filters the page afterwards, as
 * Redis does.
 *
 * Concurrency: as cmd_exec.
 */
#include "hash.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "hash_obj.h"
#include "store/cmd/proc.h"
#include "store/cmd/scan.h"

/* ---- HRANDFIELD ---- */

typedef struct emit {
    cmd_ctx_t *ctx;
    bool withvalues;
    bool started;
    size_t n;                   /* pairs the reply will hold */
} emit_t;

/* Write the reply's header once: pairs are flat in RESP2, [f, v] arrays in
 * RESP3. */
static void emit_head(emit_t *em)
{
    if (em->started)
        return;
    em->started = true;
    bool flat = em->withvalues && em->ctx->reply->proto == 2;
    reply_array(em->ctx->reply, flat ? em->n * 2 : em->n);
}

static void emit_pair(void *arg, const hash_obj_sv_t *f, const hash_obj_sv_t *v)
{
    emit_t *em = arg;
    reply_t *r = em->ctx->reply;
    emit_head(em);
    if (em->withvalues && r->proto > 2)
        reply_array(r, 2);
    hash_obj_sv_reply(r, f);
    if (em->withvalues)
        hash_obj_sv_reply(r, v);
}

static void hrandfield_count(cmd_ctx_t *ctx, long long l, bool withvalues)
{
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_HASH, &wrong);
    if (!e) {
        if (!wrong)
            reply_array(ctx->reply, 0);
        return;
    }
    bool distinct = l >= 0;
    size_t count = (size_t)(distinct ? l : -l), size = hash_obj_len(e);
    if (count == 0) {
        reply_array(ctx->reply, 0);
        return;
    }
    emit_t em = {.ctx = ctx, .withvalues = withvalues};
    if (!distinct || count == 1) {
        if (!cmd__rand_fits(ctx, count, withvalues))
            return;
        em.n = count;
        if (hash_obj_pick(e, count, false, emit_pair, &em) != 0)
            cmd__reply_oom(ctx);
        return;
    }
    if (count >= size) {
        hash_obj_iter_t it;
        hash_obj_sv_t f, v;
        em.n = size;
        emit_head(&em);
        hash_obj_iter_init(&it, e);
        while (hash_obj_iter_next(&it, &f, &v))
            emit_pair(&em, &f, &v);
        return;
    }
    em.n = count;
    if (hash_obj_pick(e, count, true, emit_pair, &em) != 0)
        cmd__reply_oom(ctx);
}

void cmd__hrandfield(cmd_ctx_t *ctx)
{
    if (ctx->argc >= 3) {
        long long l;
        bool withvalues;
        if (!cmd__rand_args(ctx, "withvalues", &l, &withvalues))
            return;
        hrandfield_count(ctx, l, withvalues);
        return;
    }
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_HASH, &wrong);
    if (!e) {
        if (!wrong)
            reply_null(ctx->reply);
        return;
    }
    hash_obj_sv_t f;
    hash_obj_random(e, &f, NULL);
    hash_obj_sv_reply(ctx->reply, &f);
}

/* ---- HSCAN ---- */

/* The pairs of one page: fields and values in turn. */
typedef struct page {
    hash_obj_sv_t *sv;
    size_t n, cap;              /* elements: two per pair */
    bool oom;
} page_t;

static void page_add(void *arg, const hash_obj_sv_t *f, const hash_obj_sv_t *v)
{
    page_t *pg = arg;
    if (pg->n + 2 > pg->cap) {
        size_t cap = pg->cap ? pg->cap * 2 : 32;
        hash_obj_sv_t *sv = pg->oom ? NULL : realloc(pg->sv, cap * sizeof *sv);
        if (!sv) {
            pg->oom = true;
            return;
        }
        pg->sv = sv;
        pg->cap = cap;
    }
    pg->sv[pg->n++] = *f;
    pg->sv[pg->n++] = *v;
}

/* Keep the pairs whose field matches; returns how many elements remain. */
static size_t page_filter(page_t *pg, const cmd_scan_opts_t *o)
{
    size_t kept = 0;
    for (size_t i = 0; i < pg->n; i += 2) {
        char buf[NUM_LL_BUF];
        size_t len;
        const char *s = hash_obj_sv_bytes(&pg->sv[i], buf, &len);
        if (!cmd__scan_match(o, s, len))
            continue;
        pg->sv[kept++] = pg->sv[i];
        pg->sv[kept++] = pg->sv[i + 1];
    }
    return pg->n = kept;
}

void cmd__hscan(cmd_ctx_t *ctx)
{
    unsigned long cursor;
    if (!cmd__scan_cursor(ctx, 2, &cursor))
        return;
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_HASH, &wrong);
    if (!e) {
        if (!wrong)
            cmd__scan_reply_head(ctx, 0, 0);
        return;
    }
    cmd_scan_opts_t o;
    if (!cmd__scan_opts(ctx, 3, false, &o))
        return;
    page_t pg = {0};
    /* Redis's bound: 10 buckets per element asked for. */
    unsigned long long visits = (unsigned long long)o.count > ULLONG_MAX / 10
                                    ? ULLONG_MAX
                                    : (unsigned long long)o.count * 10;
    do {
        cursor = hash_obj_scan(e, cursor, page_add, &pg);
    } while (cursor && visits-- && pg.n / 2 < (unsigned long long)o.count && !pg.oom);
    if (pg.oom) {
        free(pg.sv);
        cmd__reply_oom(ctx);
        return;
    }
    page_filter(&pg, &o);
    cmd__scan_reply_head(ctx, cursor, pg.n);
    for (size_t i = 0; i < pg.n; i++)
        hash_obj_sv_reply(ctx->reply, &pg.sv[i]);
    free(pg.sv);
}
