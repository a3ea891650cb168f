/*
 * cmd_keys.c - keyspace commands: DEL UNLINK EXISTS TOUCH TYPE KEYS SCAN
 * DBSIZE FLUSHDB FLUSHALL RANDOMKEY RENAME RENAMENX, per shard.
 *
 * The connection layer fans multi-key and whole-keyspace commands out to
 * every shard involved and merges the replies (sums for DEL/EXISTS/DBSIZE,
 * concatenation for KEYS); here each runs on the keys of one shard. SCAN's
 * cursor is this shard's table cursor; a cross-shard SCAN must add the
 * shard number to it.
 *
 * Concurrency: runs on the shard's thread (cmd_exec).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/cmd/proc.h"
#include "store/db/ks_move.h"
#include "store/db/ks_reclaim.h"
#include "keys.h"
#include "store/base/glob.h"
#include "store/cmd/scan.h"

/* Flushed data freed right away by FLUSHDB/FLUSHALL SYNC; the rest (and
 * everything after ASYNC) goes through ks_reclaim_step in idle time. */
#define SYNC_RECLAIM_BUDGET 4096

enum { K_DELETE, K_EXISTS, K_TOUCH };

static void count_keys(cmd_ctx_t *ctx, int op)
{
    long long n = 0;
    for (int i = 1; i < ctx->argc; i++) {
        const cmd_arg_t *k = &ctx->argv[i];
        bool hit;
        if (op == K_DELETE)
            hit = ks_delete(ctx->ks, k->ptr, k->len);
        else if (op == K_EXISTS)
            hit = ks_find_notouch(ctx->ks, k->ptr, k->len) != NULL;
        else
            hit = ks_find(ctx->ks, k->ptr, k->len) != NULL;
        n += hit;
    }
    reply_int(ctx->reply, n);
}

/* DEL and UNLINK: freeing a value is O(1) per key here (one buffer).
 * EXISTS leaves the access time alone (LOOKUP_NOTOUCH); TOUCH sets it. */
void cmd__del(cmd_ctx_t *ctx) { count_keys(ctx, K_DELETE); }
void cmd__exists(cmd_ctx_t *ctx) { count_keys(ctx, K_EXISTS); }
void cmd__touch(cmd_ctx_t *ctx) { count_keys(ctx, K_TOUCH); }

void cmd__type(cmd_ctx_t *ctx)
{
    entry_t *e = ks_find_notouch(ctx->ks, ctx->argv[1].ptr, ctx->argv[1].len);
    const char *name = e ? value_type_name(e->otype) : "none";
    reply_simple(ctx->reply, name, strlen(name));
}

void cmd__dbsize(cmd_ctx_t *ctx)
{
    reply_int(ctx->reply, (long long)ks_size(ctx->ks));
}

typedef struct keys_state {
    cmd_ctx_t *ctx;
    const cmd_arg_t *pat;
    bool all;
    size_t n;
} keys_state_t;

static void keys_cb(void *arg, const entry_t *e)
{
    keys_state_t *st = arg;
    /* Redis skips expired keys here without deleting them. */
    if ((st->all || glob_match(st->pat->ptr, st->pat->len, e->key, e->klen, false)) &&
        !ks_is_expired(st->ctx->ks, e)) {
        reply_bulk(st->ctx->reply, e->key, e->klen);
        st->n++;
    }
}

void cmd__keys(cmd_ctx_t *ctx)
{
    const cmd_arg_t *pat = &ctx->argv[1];
    keys_state_t st = {ctx, pat, pat->len == 1 && pat->ptr[0] == '*', 0};
    ks_iter_t it;
    size_t mark = reply_array_begin(ctx->reply);

    /* One go: a connection layer that wants to yield between chunks drives
     * ks_iter_step itself. */
    ks_iter_begin(ctx->ks, &it);
    while (!ks_iter_step(ctx->ks, &it, SIZE_MAX, keys_cb, &st))
        ;
    reply_array_end(ctx->reply, mark, st.n);
}

/* ---- SCAN ---------------------------------------------------------------- */

typedef struct scan_state {
    const entry_t **v;
    size_t n, cap;
    bool oom;
} scan_state_t;

static void scan_cb(void *arg, const entry_t *e)
{
    scan_state_t *st = arg;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        const entry_t **v = realloc(st->v, cap * sizeof *v);
        if (!v) {
            st->oom = true;
            return;
        }
        st->v = v;
        st->cap = cap;
    }
    st->v[st->n++] = e;
}

void cmd__scan(cmd_ctx_t *ctx)
{
    unsigned long cursor;
    cmd_scan_opts_t o;

    if (!cmd__scan_cursor(ctx, 1, &cursor) || !cmd__scan_opts(ctx, 2, true, &o))
        return;
    long long count = o.count;
    const cmd_arg_t *pat = o.pat, *type = o.type;
    bool use_pat = pat != NULL;

    /* Visit buckets until COUNT keys are gathered, at most 10*COUNT
     * buckets (Redis's bound for sparse tables). */
    scan_state_t st = {0};
    long long budget = count * 10;
    do {
        cursor = ks_scan(ctx->ks, cursor, scan_cb, &st);
    } while (cursor && budget-- && (long long)st.n < count && !st.oom);
    if (st.oom) {
        free(st.v);
        cmd__reply_oom(ctx);
        return;
    }

    char cbuf[NUM_LL_BUF + 1];
    int clen = snprintf(cbuf, sizeof cbuf, "%lu", cursor);
    reply_array(ctx->reply, 2);
    reply_bulk(ctx->reply, cbuf, (size_t)clen);
    size_t mark = reply_array_begin(ctx->reply), n = 0;
    for (size_t i = 0; i < st.n; i++) {
        entry_t *e = (entry_t *)st.v[i];
        if (use_pat && !glob_match(pat->ptr, pat->len, e->key, e->klen, false))
            continue;
        bool expired = ks_is_expired(ctx->ks, e);
        /* Redis's order: the TYPE check looks the key up, which deletes
         * an expired one, so its type reads "none" and the expiry check
         * after it finds nothing left: "TYPE none" reports expired keys. */
        bool keep = type ? cmd__opt_is(type, expired ? "none" : value_type_name(e->otype))
                         : !expired;
        if (keep) {
            reply_bulk(ctx->reply, e->key, e->klen);
            n++;
        }
        if (expired)
            ks_delete_entry(ctx->ks, e);
    }
    reply_array_end(ctx->reply, mark, n);
    free(st.v);
}

/* ---- flushing ------------------------------------------------------------ */

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]; returns false (after replying) on bad
 * options. */
static bool flush_mode(cmd_ctx_t *ctx, bool *sync)
{
    *sync = true;
    if (ctx->argc == 1)
        return true;
    if (ctx->argc == 2 && cmd__opt_is(&ctx->argv[1], "sync"))
        return true;
    if (ctx->argc == 2 && cmd__opt_is(&ctx->argv[1], "async")) {
        *sync = false;
        return true;
    }
    reply_error(ctx->reply, ERR_SYNTAX);
    return false;
}

static void flush_one(ks_t *ks, bool sync)
{
    ks_flush(ks);
    if (sync)
        (void)ks_reclaim_step(ks, SYNC_RECLAIM_BUDGET);
}

void cmd__flushdb(cmd_ctx_t *ctx)
{
    bool sync;
    if (!flush_mode(ctx, &sync))
        return;
    flush_one(ctx->ks, sync);
    reply_ok(ctx->reply);
}

void cmd__flushall(cmd_ctx_t *ctx)
{
    bool sync;
    if (!flush_mode(ctx, &sync))
        return;
    if (ctx->dbs) {
        for (int i = 0; i < ctx->ndbs; i++)
            flush_one(ctx->dbs[i], sync);
    } else {
        flush_one(ctx->ks, sync);
    }
    reply_ok(ctx->reply);
}

/* ---- misc ---------------------------------------------------------------- */

void cmd__randomkey(cmd_ctx_t *ctx)
{
    entry_t *e = ks_random(ctx->ks);
    if (e)
        reply_bulk(ctx->reply, e->key, e->klen);
    else
        reply_null(ctx->reply);
}

/* RENAME between two shards' keyspaces (both held by the caller): the
 * value moves without a copy.  Same results as ks_rename. */
static int rename_across(cmd_ctx_t *ctx, const cmd_arg_t *s,
                         const cmd_arg_t *d, bool nx)
{
    ks_t *dst = cmd__ks2(ctx);
    if (!ks_find(ctx->ks, s->ptr, s->len))
        return -ENOENT;
    if (nx && ks_find(dst, d->ptr, d->len))
        return -EEXIST;
    ks_blob_t *blob;
    int64_t pexpire_at;
    ks_take(ctx->ks, s->ptr, s->len, &blob, &pexpire_at);
    return ks_put(dst, d->ptr, d->len, blob, pexpire_at);
}

static void rename_generic(cmd_ctx_t *ctx, bool nx)
{
    const cmd_arg_t *s = &ctx->argv[1], *d = &ctx->argv[2];
    int rc = cmd__ks2(ctx) != ctx->ks ? rename_across(ctx, s, d, nx)
                      : ks_rename(ctx->ks, s->ptr, s->len, d->ptr, d->len, nx);

    if (rc == -ENOENT)
        reply_error(ctx->reply, ERR_NO_SUCH_KEY);
    else if (rc == -ENOMEM)
        cmd__reply_oom(ctx);
    else if (nx)
        reply_int(ctx->reply, rc == 0);
    else
        reply_ok(ctx->reply);
}

void cmd__rename(cmd_ctx_t *ctx) { rename_generic(ctx, false); }
void cmd__renamenx(cmd_ctx_t *ctx) { rename_generic(ctx, true); }
