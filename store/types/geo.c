/*
 * geo.c - GEOADD GEOPOS GEODIST GEOHASH, and the argument parsers and
 * replies the searches share (see geo.h).  Redis 7.0's order of checks:
 * options and coordinates are parsed before the key is looked up, so
 * their errors win over WRONGTYPE; GEOADD is ZADD over scores computed
 * from the coordinates (NX XX CH as there; a change touches memory
 * accounting and WATCH through zobj_commit, no change touches nothing).
 *
 * Concurrency: as cmd_exec.
 */
#include "geo.h"

#include <stdio.h>
#include <stdlib.h>

#include "geohash.h"
#include "store/cmd/proc.h"
#include "zset_obj.h"
#include "zset_util.h"

/* ---- shared ---- */

bool geo__arg_lonlat(cmd_ctx_t *ctx, int i, double xy[2])
{
    for (int j = 0; j < 2; j++) {
        const cmd_arg_t *a = &ctx->argv[i + j];
        if (!num_parse_d(a->ptr, a->len, &xy[j])) {
            reply_error(ctx->reply, ERR_NOT_FLOAT);
            return false;
        }
    }
    if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX ||
        xy[1] < GEO_LAT_MIN || xy[1] > GEO_LAT_MAX) {
        reply_errorf(ctx->reply, ERRF_GEO_LONLAT, xy[0], xy[1]);
        return false;
    }
    return true;
}

double geo__arg_unit(cmd_ctx_t *ctx, int i)
{
    const cmd_arg_t *u = &ctx->argv[i];
    if (cmd__opt_is(u, "m"))
        return 1;
    if (cmd__opt_is(u, "km"))
        return 1000;
    if (cmd__opt_is(u, "ft"))
        return 0.3048;
    if (cmd__opt_is(u, "mi"))
        return 1609.34;
    reply_error(ctx->reply, ERR_GEO_UNIT);
    return -1;
}

void geo__reply_coord(cmd_ctx_t *ctx, double v)
{
    char buf[NUM_LD_MAX];
    size_t n = num_fmt_ld_human(buf, (long double)v);
    if (ctx->reply->proto == 2) {
        reply_bulk(ctx->reply, buf, n);
    } else {
        reply_raw(ctx->reply, ",", 1);
        reply_raw(ctx->reply, buf, n);
        reply_raw(ctx->reply, "\r\n", 2);
    }
}

void geo__reply_dist(cmd_ctx_t *ctx, double d)
{
    char buf[512];             /* "%.4f" of up to 1e308 */
    int n = snprintf(buf, sizeof buf, "%.4f", d);
    reply_bulk(ctx->reply, buf, n < 0 ? 0 : (size_t)n);
}

/* ---- GEOADD ---- */

enum { G_ADDED, G_UPDATED, G_NOP, G_OOM };

/* ZADD's rule for one member: add it, move it, or leave it. */
static int add_one(zobj_t *z, const cmd_arg_t *m, double score, bool nx, bool xx,
                   const store_cfg_t *cfg)
{
    double cur;
    if (zobj_score(z, m->ptr, m->len, &cur)) {
        if (nx || score == cur)
            return G_NOP;
        return zobj_update(z, m->ptr, m->len, score) == 0 ? G_UPDATED : G_OOM;
    }
    if (xx)
        return G_NOP;
    return zobj_insert(z, m->ptr, m->len, score, cfg) == 0 ? G_ADDED : G_OOM;
}

/* GEOADD key [NX|XX] [CH] lon lat member [lon lat member ...] */
void cmd__geoadd(cmd_ctx_t *ctx)
{
    bool nx = false, xx = false, ch = false;
    int first = 2;
    for (; first < ctx->argc; first++) {
        const cmd_arg_t *o = &ctx->argv[first];
        if (cmd__opt_is(o, "nx"))
            nx = true;
        else if (cmd__opt_is(o, "xx"))
            xx = true;
        else if (cmd__opt_is(o, "ch"))
            ch = true;
        else
            break;
    }
    int left = ctx->argc - first;
    /* No triple at all is ZADD's syntax error in Redis (GEOADD k CH CH). */
    if (left % 3 || left == 0 || (nx && xx)) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    size_t n = (size_t)left / 3;
    double one, *scores = n == 1 ? &one : malloc(n * sizeof *scores);
    if (!scores) {
        cmd__reply_oom(ctx);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        double xy[2];
        uint64_t bits;
        if (!geo__arg_lonlat(ctx, first + 3 * (int)j, xy))
            goto out;
        geohash_score(xy[0], xy[1], &bits);
        scores[j] = (double)bits;
    }

    bool wrong;
    ks_t *ks = cmd__ks_of(ctx, 1);
    entry_t *e = zset__find(ctx, 1, &wrong);
    if (wrong)
        goto out;
    long long added = 0, updated = 0;
    const store_cfg_t *cfg = cmd__cfg(ctx);
    zobj_t z;
    size_t before = 0;
    if (e) {
        z = zobj_of(e);
        before = entry_mem(e);
    } else if (xx) {
        reply_int(ctx->reply, 0);
        goto out;
    } else if (zobj_new_for(&z, ctx->argv[first + 2].len, cfg) != 0) {
        cmd__reply_oom(ctx);
        goto out;
    }
    int rc = G_NOP;
    for (size_t j = 0; j < n; j++) {
        rc = add_one(&z, &ctx->argv[first + 3 * (int)j + 2], scores[j], nx, xx, cfg);
        if (rc == G_OOM)
            break;
        added += rc == G_ADDED;
        updated += rc == G_UPDATED;
    }
    if (!e) {
        if (zobj_len(&z) == 0)
            zobj_free(&z);
        else if (!ks_add_obj(ks, ctx->argv[1].ptr, ctx->argv[1].len, OBJ_ZSET, z.enc, z.obj))
            rc = G_OOM;
    } else if (added || updated || z.obj != e->v.obj || z.enc != e->type) {
        zobj_commit(ks, e, &z, before);
    }
    if (rc == G_OOM)
        cmd__reply_oom(ctx);
    else
        reply_int(ctx->reply, ch ? added + updated : added);
out:
    if (scores != &one)
        free(scores);
}

/* ---- GEOPOS, GEOHASH ---- */

/* The set at argv[1] for reading: false if WRONGTYPE was replied; *z
 * gets NULL's stand-in (obj NULL) when the key is missing. */
static bool read_set(cmd_ctx_t *ctx, int i, zobj_t *z)
{
    bool wrong;
    entry_t *e = zset__find(ctx, i, &wrong);
    if (wrong)
        return false;
    *z = e ? zobj_of(e) : (zobj_t){0, NULL};
    return true;
}

/* GEOPOS key member...: [lon, lat] per member, a null array if absent. */
void cmd__geopos(cmd_ctx_t *ctx)
{
    zobj_t z;
    if (!read_set(ctx, 1, &z))
        return;
    reply_array(ctx->reply, (size_t)(ctx->argc - 2));
    for (int i = 2; i < ctx->argc; i++) {
        double score, xy[2];
        const cmd_arg_t *m = &ctx->argv[i];
        if (!z.obj || !zobj_score(&z, m->ptr, m->len, &score)) {
            reply_null_array(ctx->reply);
            continue;
        }
        geohash_score_to_xy(score, xy);
        reply_array(ctx->reply, 2);
        geo__reply_coord(ctx, xy[0]);
        geo__reply_coord(ctx, xy[1]);
    }
}

/* GEOHASH key member...: the 11-character geohash, null if absent. */
void cmd__geohash(cmd_ctx_t *ctx)
{
    zobj_t z;
    if (!read_set(ctx, 1, &z))
        return;
    reply_array(ctx->reply, (size_t)(ctx->argc - 2));
    for (int i = 2; i < ctx->argc; i++) {
        double score;
        char buf[12];
        const cmd_arg_t *m = &ctx->argv[i];
        if (!z.obj || !zobj_score(&z, m->ptr, m->len, &score)) {
            reply_null(ctx->reply);
            continue;
        }
        geohash_score_to_text(score, buf);
        reply_bulk(ctx->reply, buf, 11);
    }
}

/* ---- GEODIST ---- */

/* GEODIST key member1 member2 [unit] */
void cmd__geodist(cmd_ctx_t *ctx)
{
    double to_m = 1;
    if (ctx->argc == 5) {
        if ((to_m = geo__arg_unit(ctx, 4)) < 0)
            return;
    } else if (ctx->argc > 5) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    zobj_t z;
    if (!read_set(ctx, 1, &z))
        return;
    double s1, s2, a[2], b[2];
    if (!z.obj || !zobj_score(&z, ctx->argv[2].ptr, ctx->argv[2].len, &s1) ||
        !zobj_score(&z, ctx->argv[3].ptr, ctx->argv[3].len, &s2)) {
        reply_null(ctx->reply);
        return;
    }
    geohash_score_to_xy(s1, a);
    geohash_score_to_xy(s2, b);
    geo__reply_dist(ctx, geo_distance(a[0], a[1], b[0], b[1]) / to_m);
}
