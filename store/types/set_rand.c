/*
 * set_rand.c - the random set commands: SRANDMEMBER and SPOP, with and
 * without a count (set.h), as Redis 7.0 answers them.
 *
 * Work stays proportional to the reply: a count well below the size
 * picks members at random (set_enc.h's setv_sample), one near the size
 * takes a partial shuffle of every position, and SPOP of nearly all of a
 * set moves the few members that stay into a new set (Redis's three
 * strategies and thresholds), so no small count walks a big set.
 *
 * Reply shapes (checked against redis-server): SRANDMEMBER with a count
 * answers an array, SPOP with a count a set (RESP3 '~'); without a count
 * both answer a bulk string, or a null for a missing key.
 *
 * Concurrency: as cmd_exec.
 */
#include <limits.h>
#include <stdlib.h>

#include "set.h"
#include "set_enc.h"
#include "store/cmd/proc.h"

/* Redis's SPOP_MOVE_STRATEGY_MUL: SPOP keeps the rest aside when it is at
 * most a fifth of the count (SRANDMEMBER's threshold, 3, is setv_sample's). */
#define SPOP_MOVE_MUL 5

static void reply_at(cmd_ctx_t *ctx, const setv_t *v, setv_pos_t pos)
{
    setv_member_t m;
    setv_at(v, pos, &m);
    reply_bulk(ctx->reply, m.s, m.len);
}

/* Every member as one set reply, in the order Redis gives (it answers
 * SUNION of the one set): iteration of an intset, otherwise of the set
 * Redis builds from the members (an intset when they allow it, so sorted
 * then). */
static void reply_whole(cmd_ctx_t *ctx, setv_t *v)
{
    setv_t tmp = {0, NULL}, *src = v;
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t p;
    /* Only a set small enough for an intset can come out sorted: a bigger
     * one is answered in its own order, without a copy. */
    bool may_sort = (long long)setv_len(v) <= cmd__cfg(ctx)->set_max_intset_entries;
    if (v->enc != ENC_SET_INTSET && may_sort && setv_new(&tmp) == 0) {
        setv_iter_init(&it, v);
        while (setv_iter_next(&it, &m, &p) && tmp.obj)
            if (setv_add(&tmp, m.s, m.len, cmd__cfg(ctx)) < 0)
                setv_free(&tmp);
        setv_iter_done(&it);
        if (tmp.obj)
            src = &tmp;
    }
    reply_set(ctx->reply, setv_len(src));
    setv_iter_init(&it, src);
    while (setv_iter_next(&it, &m, &p))
        reply_bulk(ctx->reply, m.s, m.len);
    setv_iter_done(&it);
    setv_free(&tmp);
}

static void srandmember_count(cmd_ctx_t *ctx)
{
    long long l;
    if (!cmd__arg_ll(ctx, 2, &l))
        return;
    if (l == LLONG_MIN) {
        reply_error(ctx->reply, ERR_RAND_COUNT_RANGE);
        return;
    }
    bool uniq = l >= 0;
    size_t count = (size_t)(uniq ? l : -l);
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    if (!e || count == 0) {
        reply_array(ctx->reply, 0);
        return;
    }
    setv_t v = setv_of(e);
    size_t size = setv_len(&v);
    if (!uniq || count == 1) {
        /* Repeats allowed: count independent picks. */
        reply_array(ctx->reply, count);
        while (count-- && !reply_failed(ctx->reply))
            reply_at(ctx, &v, setv_random(&v));
        return;
    }
    if (count >= size) {
        /* The whole set, in its own order (Redis does not rebuild here). */
        setv_iter_t it;
        setv_member_t m;
        setv_pos_t p;
        reply_array(ctx->reply, size);
        setv_iter_init(&it, &v);
        while (setv_iter_next(&it, &m, &p))
            reply_bulk(ctx->reply, m.s, m.len);
        setv_iter_done(&it);
        return;
    }
    setv_pos_t *pos = malloc(count * sizeof *pos);
    if (!pos || setv_sample(&v, count, pos) != 0) {
        free(pos);
        cmd__reply_oom(ctx);
        return;
    }
    reply_array(ctx->reply, count);
    for (size_t i = 0; i < count; i++)
        reply_at(ctx, &v, pos[i]);
    free(pos);
}

void cmd__srandmember(cmd_ctx_t *ctx)
{
    if (ctx->argc == 3) {
        srandmember_count(ctx);
        return;
    }
    if (ctx->argc > 3) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    if (!e) {
        reply_null(ctx->reply);
        return;
    }
    setv_t v = setv_of(e);
    reply_at(ctx, &v, setv_random(&v));
}

/* SPOP of nearly all of the set: the `keep` members that stay, chosen at
 * random, go into a new set; the old set's other members are the reply;
 * the new set replaces the old. */
static void spop_keep_few(cmd_ctx_t *ctx, entry_t *e, setv_t *v, size_t count, size_t keep)
{
    size_t before = entry_mem(e);
    setv_t nv;
    setv_pos_t *pos = malloc(keep * sizeof *pos);
    if (!pos || setv_new(&nv) != 0) {
        free(pos);
        cmd__reply_oom(ctx);
        return;
    }
    bool ok = setv_sample(v, keep, pos) == 0;
    for (size_t i = 0; ok && i < keep; i++) {
        setv_member_t m;
        setv_at(v, pos[i], &m);
        ok = setv_add(&nv, m.s, m.len, cmd__cfg(ctx)) >= 0;
    }
    free(pos);
    if (!ok) {
        setv_free(&nv);
        cmd__reply_oom(ctx);
        return;
    }
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t p;
    reply_set(ctx->reply, count);
    setv_iter_init(&it, v);
    while (setv_iter_next(&it, &m, &p))
        if (!setv_has_member(&nv, &m))
            reply_bulk(ctx->reply, m.s, m.len);
    setv_iter_done(&it);
    setv_free(v);
    setv_store(e, &nv);
    ks_changed(cmd__ks_of(ctx, 1), e, before);
}

static void spop_count(cmd_ctx_t *ctx)
{
    long long l;
    if (!num_parse_ll(ctx->argv[2].ptr, ctx->argv[2].len, &l) || l < 0) {
        reply_error(ctx->reply, ERR_SET_COUNT_POSITIVE);
        return;
    }
    size_t count = (size_t)l;
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    if (!e || count == 0) {
        reply_set(ctx->reply, 0);
        return;
    }
    setv_t v = setv_of(e);
    size_t size = setv_len(&v);
    if (count >= size) {
        /* All of it: answered like SUNION of the one set, then deleted. */
        reply_whole(ctx, &v);
        ks_delete_entry(cmd__ks_of(ctx, 1), e);
        return;
    }
    size_t keep = size - count;
    if (keep * SPOP_MOVE_MUL <= count) {
        spop_keep_few(ctx, e, &v, count, keep);
        return;
    }
    size_t before = entry_mem(e);
    reply_set(ctx->reply, count);
    while (count--) {
        setv_pos_t p = setv_random(&v);
        reply_at(ctx, &v, p);
        setv_remove_at(&v, p);
    }
    setv_commit(cmd__ks_of(ctx, 1), e, &v, before);
}

void cmd__spop(cmd_ctx_t *ctx)
{
    if (ctx->argc == 3) {
        spop_count(ctx);
        return;
    }
    if (ctx->argc > 3) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_SET, &wrong);
    if (wrong)
        return;
    if (!e) {
        reply_null(ctx->reply);
        return;
    }
    setv_t v = setv_of(e);
    size_t before = entry_mem(e);
    setv_pos_t p = setv_random(&v);
    reply_at(ctx, &v, p);
    setv_remove_at(&v, p);
    setv_commit(cmd__ks_of(ctx, 1), e, &v, before);
}
