/*
 * dump_cmd.c - DUMP and RESTORE, with Redis 7.0's replies.
 *
 * DUMP key: the value as rdb_dump's payload (LZF as rdbcompression says,
 * as Redis), or a null reply when the key is missing.
 *
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], in
 * Redis's order of checks: the options (IDLETIME and FREQ exclude each
 * other: the second is a syntax error), then BUSYKEY unless REPLACE,
 * then the TTL, then the payload (rdb_restore: version and checksum,
 * then "Bad data format").  A TTL already past (relative ttl added to
 * now, or ABSTTL) deletes any replaced key, creates nothing and answers
 * OK, as Redis.  FREQ is checked and then ignored: Redis uses it only
 * under an LFU maxmemory-policy, and FlashKV runs as noeviction.
 * IDLETIME sets the LRU clock as Redis's objectSetLRUOrLFU does, so
 * OBJECT IDLETIME reports it.
 *
 * Concurrency: as cmd_exec (the shard's thread).
 */
#include <string.h>

#include "store/cmd/proc.h"
#include "store/db/ks_move.h"
#include "store/persist/persist.h"
#include "store/persist/rdb.h"

void cmd__dump(cmd_ctx_t *ctx)
{
    entry_t *e = ks_find(ctx->ks, ctx->argv[1].ptr, ctx->argv[1].len);
    if (!e) {
        reply_null(ctx->reply);
        return;
    }
    rdb_buf_t b = {0};
    if (rdb_dump(&b, e, !ctx->cfg || ctx->cfg->rdbcompression) != 0) {
        rdb_buf_free(&b);
        cmd__reply_oom(ctx);
        return;
    }
    reply_bulk(ctx->reply, b.p, b.len);
    rdb_buf_free(&b);
}

typedef struct restore_opts {
    bool replace, absttl;
    long long idle;         /* seconds, -1 = not given */
    long long freq;         /* -1 = not given */
} restore_opts_t;

/* The options after the payload; false once an error is replied. */
static bool parse_opts(cmd_ctx_t *ctx, restore_opts_t *o)
{
    *o = (restore_opts_t){.idle = -1, .freq = -1};
    for (int j = 4; j < ctx->argc; j++) {
        const cmd_arg_t *a = &ctx->argv[j];
        bool more = j + 1 < ctx->argc;
        if (cmd__opt_is(a, "replace")) {
            o->replace = true;
        } else if (cmd__opt_is(a, "absttl")) {
            o->absttl = true;
        } else if (cmd__opt_is(a, "idletime") && more && o->freq == -1) {
            if (!cmd__arg_ll(ctx, ++j, &o->idle))
                return false;
            if (o->idle < 0) {
                reply_error(ctx->reply, ERR_RESTORE_IDLE);
                return false;
            }
        } else if (cmd__opt_is(a, "freq") && more && o->idle == -1) {
            if (!cmd__arg_ll(ctx, ++j, &o->freq))
                return false;
            if (o->freq < 0 || o->freq > 255) {
                reply_error(ctx->reply, ERR_RESTORE_FREQ);
                return false;
            }
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

/* Redis's LRU for an idle time: the clock minus the idle seconds, and
 * half a wrap ahead when that would go below zero (OBJECT IDLETIME then
 * reports about 97 days, as Redis). */
static uint32_t lru_for_idle(int64_t now_ms, long long idle)
{
    long long clock = entry_lru_clock(now_ms);
    /* Redis scales by its clock resolution (idle * 1000 / 1000), which
     * wraps for absurd values: do the same without undefined behaviour. */
    long long scaled = (long long)((unsigned long long)idle * 1000u) / 1000;
    long long abs = (long long)((unsigned long long)clock - (unsigned long long)scaled);
    if (abs < 0)
        abs = (clock + ENTRY_LRU_MAX / 2) % ENTRY_LRU_MAX;
    return (uint32_t)abs & ENTRY_LRU_MAX;
}

void cmd__restore(cmd_ctx_t *ctx)
{
    const cmd_arg_t *key = &ctx->argv[1], *payload = &ctx->argv[3];
    restore_opts_t o;
    if (!parse_opts(ctx, &o))
        return;
    if (!o.replace && ks_find(ctx->ks, key->ptr, key->len)) {
        reply_error(ctx->reply, ERR_BUSYKEY);
        return;
    }
    long long ttl;
    if (!cmd__arg_ll(ctx, 2, &ttl))
        return;
    if (ttl < 0) {
        reply_error(ctx->reply, ERR_RESTORE_TTL);
        return;
    }
    store_cfg_t defaults = STORE_CFG_DEFAULT;
    entry_t *e;
    rdb_err_t err;
    if (rdb_restore((const unsigned char *)payload->ptr, payload->len, key->ptr, key->len,
                    ctx->cfg ? ctx->cfg : &defaults, &e, &err) != 0) {
        if (strcmp(err.msg, "out of memory") == 0)
            cmd__reply_oom(ctx);
        else
            reply_errorf(ctx->reply, ERRF_RESTORE, err.msg);
        return;
    }
    if (o.replace)
        ks_delete(ctx->ks, key->ptr, key->len);
    /* Relative TTLs from now; Redis's addition wraps for huge values
     * (and the key is then already expired): the same, defined. */
    if (ttl && !o.absttl)
        ttl = (long long)((unsigned long long)ttl + (unsigned long long)ctx->now_ms);
    if (ttl && ttl <= ctx->now_ms) {
        entry_free(e);
        reply_ok(ctx->reply);
        return;
    }
    e->lru = o.idle != -1 ? lru_for_idle(ctx->now_ms, o.idle) : entry_lru_clock(ctx->now_ms);
    if (ks_put_entry(ctx->ks, e, ttl ? ttl : -1) != 0) {
        cmd__reply_oom(ctx);
        return;
    }
    reply_ok(ctx->reply);
}
