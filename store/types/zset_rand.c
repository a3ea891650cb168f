/*
 * zset_rand.c - the sorted set commands that answer a sample or a page
 * rather than what was asked for by name: ZRANDMEMBER and ZSCAN (zset.h),
 * with Redis 7.0's replies and its order of checks (the count, then the
 * syntax, then WITHSCORES's range, then the key).
 *
 * ZRANDMEMBER follows Redis's cases: no count, one random member (a bulk
 * string, null for a missing key); a negative count (or 1), |count| picks
 * with repeats, in random order; a count at least the size, the whole set
 * from the highest rank down (Redis walks a set backwards there); else
 * count distinct members.  Work stays proportional to the reply: repeats
 * on a listpack read it once into an array (not once per pick), on the
 * big form each pick is a rank lookup; distinct members of a listpack, or
 * more than a third of a big set, are chosen in one ordered pass
 * (selection sampling: the listpack answer is in its order, as Redis's);
 * fewer than a third are picked by rank and deduplicated.
 *
 * ZSCAN: a listpack answers everything in one page with cursor 0, the big
 * form a page of buckets from the cursor (zobj_scan) until it holds COUNT
 * members or 10 * COUNT buckets were visited; MATCH filters the page
 * afterwards, as Redis does.  Scores are given as text the way Redis
 * prints them in a scan (zobj_score_text).
 *
 * Concurrency: as cmd_exec.
 */
#include "zset.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/cmd/proc.h"
#include "store/cmd/scan.h"
#include "zset_obj.h"
#include "zset_util.h"

/* ---- ZRANDMEMBER ---- */

/* Redis's ZRANDMEMBER_SUB_STRATEGY_MUL: above size / 3 distinct members,
 * walking the whole set is cheaper than picking and deduplicating. */
#define SUB_STRATEGY_MUL 3

static void reply_one(cmd_ctx_t *ctx, const zobj_elem_t *e, bool withscores)
{
    zset__reply_elem(ctx, e->s, e->len, e->score, withscores);
}

/* Every member of a listpack as views, read once: each view's bytes are
 * in the value or in its own slot's buf (the array never moves).  NULL
 * on ENOMEM. */
static zobj_elem_t *lp_views(zobj_t *z, size_t n)
{
    zobj_elem_t *v = malloc(n * sizeof *v);
    if (!v)
        return NULL;
    zobj_iter_t it;
    zobj_iter_init(&it, z, 0, true);
    for (size_t i = 0; i < n && zobj_iter_next(&it, &v[i]); i++)
        ;
    return v;
}

/* count picks, repeats allowed, in the order picked. */
static void rand_repeat(cmd_ctx_t *ctx, zobj_t *z, size_t count, bool withscores)
{
    zobj_elem_t e, *views = NULL;
    size_t n = zobj_len(z);
    /* One pick costs a walk on a listpack: read it once when more than
     * one is wanted. */
    if (z->enc == ENC_ZSET_LP && count > 1 && !(views = lp_views(z, n))) {
        cmd__reply_oom(ctx);
        return;
    }
    zset__reply_head(ctx, count, withscores);
    while (count-- && !reply_failed(ctx->reply)) {
        if (views) {
            reply_one(ctx, &views[zobj_rand_below(n)], withscores);
        } else {
            zobj_random(z, &e);
            reply_one(ctx, &e, withscores);
        }
    }
    free(views);
}

/* count < size distinct members, in rank order: selection sampling (each
 * member is taken with probability wanted / left), one pass. */
static void rand_walk(cmd_ctx_t *ctx, zobj_t *z, size_t count, bool withscores)
{
    size_t left = zobj_len(z);
    zobj_iter_t it;
    zobj_elem_t e;
    zset__reply_head(ctx, count, withscores);
    zobj_iter_init(&it, z, 0, true);
    while (count && zobj_iter_next(&it, &e)) {
        if (zobj_rand_below(left--) < count) {
            reply_one(ctx, &e, withscores);
            count--;
        }
    }
}

/* Whether rank r is in the open-addressed table of ranks + 1 (0: free
 * slot; mask + 1 slots, a power of two); adds it if not. */
static bool seen_add(size_t *slots, size_t mask, size_t r)
{
    size_t h = (r * 0x9E3779B97F4A7C15ULL) & mask;
    while (slots[h]) {
        if (slots[h] == r + 1)
            return true;
        h = (h + 1) & mask;
    }
    slots[h] = r + 1;
    return false;
}

/* count distinct members of a big set with count * 3 <= size: random
 * ranks, the repeated ones skipped (expected under 1.5 tries each). */
static void rand_pick_distinct(cmd_ctx_t *ctx, zobj_t *z, size_t count, bool withscores)
{
    size_t n = zobj_len(z), cap = 16;
    while (cap < 2 * count)
        cap *= 2;
    size_t *slots = calloc(cap, sizeof *slots);
    if (!slots) {
        cmd__reply_oom(ctx);
        return;
    }
    zset__reply_head(ctx, count, withscores);
    while (count) {
        size_t r = zobj_rand_below(n);
        if (seen_add(slots, cap - 1, r))
            continue;
        zobj_elem_t e;
        zobj_at(z, r, &e);
        reply_one(ctx, &e, withscores);
        count--;
    }
    free(slots);
}

/* The whole set, from the highest rank down: Redis's order. */
static void rand_all(cmd_ctx_t *ctx, zobj_t *z, bool withscores)
{
    size_t n = zobj_len(z);
    zobj_iter_t it;
    zobj_elem_t e;
    zset__reply_head(ctx, n, withscores);
    zobj_iter_init(&it, z, n - 1, false);
    while (zobj_iter_next(&it, &e))
        reply_one(ctx, &e, withscores);
}

static void zrandmember_count(cmd_ctx_t *ctx, long long l, bool withscores)
{
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (!e) {
        if (!wrong)
            reply_array(ctx->reply, 0);
        return;
    }
    bool distinct = l >= 0;
    size_t count = (size_t)(distinct ? l : -l);
    if (count == 0) {
        reply_array(ctx->reply, 0);
        return;
    }
    zobj_t z = zobj_of(e);
    size_t size = zobj_len(&z);
    if (!distinct || count == 1) {
        if (!cmd__rand_fits(ctx, count, withscores))
            return;
        rand_repeat(ctx, &z, count, withscores);
    } else if (count >= size) {
        rand_all(ctx, &z, withscores);
    } else if (z.enc == ENC_ZSET_LP || count * SUB_STRATEGY_MUL > size) {
        rand_walk(ctx, &z, count, withscores);
    } else {
        rand_pick_distinct(ctx, &z, count, withscores);
    }
}

void cmd__zrandmember(cmd_ctx_t *ctx)
{
    if (ctx->argc >= 3) {
        long long l;
        bool withscores;
        if (!cmd__rand_args(ctx, "withscores", &l, &withscores))
            return;
        zrandmember_count(ctx, l, withscores);
        return;
    }
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (!e) {
        if (!wrong)
            reply_null(ctx->reply);
        return;
    }
    zobj_t z = zobj_of(e);
    zobj_elem_t m;
    zobj_random(&z, &m);
    reply_bulk(ctx->reply, m.s, m.len);
}

/* ---- ZSCAN ---- */

static void page_add(void *arg, const zobj_elem_t *e)
{
    zset__pairs_add_elem(arg, e);
}

void cmd__zscan(cmd_ctx_t *ctx)
{
    unsigned long cursor;
    if (!cmd__scan_cursor(ctx, 2, &cursor))
        return;
    bool wrong;
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (!e) {
        if (!wrong)
            cmd__scan_reply_head(ctx, 0, 0);
        return;
    }
    cmd_scan_opts_t o;
    if (!cmd__scan_opts(ctx, 3, false, &o))
        return;
    zobj_t z = zobj_of(e);
    zset_pairs_t pg;
    zset__pairs_init(&pg);
    /* Redis's bound: 10 buckets per member asked for. */
    unsigned long long visits = (unsigned long long)o.count > ULLONG_MAX / 10
                                    ? ULLONG_MAX
                                    : (unsigned long long)o.count * 10;
    do {
        cursor = zobj_scan(&z, cursor, page_add, &pg);
    } while (cursor && visits-- && pg.n < (unsigned long long)o.count && !pg.oom);
    if (pg.oom) {
        zset__pairs_free(&pg);
        cmd__reply_oom(ctx);
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < pg.n; i++)
        if (cmd__scan_match(&o, pg.v[i].s, pg.v[i].len))
            pg.v[kept++] = pg.v[i];
    cmd__scan_reply_head(ctx, cursor, 2 * kept);
    for (size_t i = 0; i < kept; i++) {
        char buf[NUM_D_BUF];
        size_t len = zobj_score_text(&z, pg.v[i].score, buf);
        reply_bulk(ctx->reply, pg.v[i].s, pg.v[i].len);
        reply_bulk(ctx->reply, buf, len);
    }
    zset__pairs_free(&pg);
}
