/*
 * geo_search.c - GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER
 * and the _RO forms: one procedure (search) with Redis 7.0's argument
 * grammar and order of checks for all six.
 *
 * A search reads the cells geohash_areas picks (up to nine score ranges
 * of the sorted set), keeps the points inside the shape, then sorts by
 * distance if asked (COUNT alone means ASC, as Redis) and replies or
 * stores.  Unsorted results come in Redis's order: cell by cell in its
 * scan order, by score within a cell.  ANY stops the scan at COUNT
 * points.  The stored forms put the results under the destination key
 * (possibly on another shard: cmd__ks_of) with the geohash as score, or
 * the distance in the unit asked (STOREDIST); no result deletes it.
 *
 * One refusal Redis does not make: GEORADIUS with the STORE (or
 * STOREDIST) keyword twice replies a syntax error (routed_store).
 *
 * Ties: equal distances keep their scan order (qsort is glibc's stable
 * merge sort, as under Redis); with COUNT below the number of matches
 * Redis sorts partially and may order equal distances differently.
 *
 * Concurrency: as cmd_exec.  The set is only read while points borrow
 * its member bytes; the store copies them before the destination goes.
 */
#include "geo.h"

#include <stdlib.h>

#include "geohash.h"
#include "store/cmd/proc.h"
#include "zset_obj.h"
#include "zset_util.h"

/* What the command is (Redis's flags of georadiusGeneric). */
enum {
    F_FROM_COORDS = 1 << 0,     /* GEORADIUS: lon lat radius unit */
    F_FROM_MEMBER = 1 << 1,     /* GEORADIUSBYMEMBER: member radius unit */
    F_NO_STORE = 1 << 2,        /* the _RO forms */
    F_SEARCH = 1 << 3,          /* GEOSEARCH(STORE) */
    F_SEARCH_STORE = 1 << 4,    /* GEOSEARCHSTORE */
};

enum { SORT_NONE, SORT_ASC, SORT_DESC };

/* One match.  The member bytes are names.v[i]'s (borrowed from the set,
 * or copied when the view held them in its own buffer). */
typedef struct geo_point {
    double lon, lat, dist, score;
    const char *m;
    size_t len;
} geo_point_t;

typedef struct geo_found {
    geo_point_t *v;
    size_t n, cap;
    zset_pairs_t names;
    bool oom;
} geo_found_t;

static void found_add(geo_found_t *f, const zobj_elem_t *e, const double xy[2], double dist)
{
    if (f->oom)
        return;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        geo_point_t *v = realloc(f->v, cap * sizeof *v);
        if (!v) {
            f->oom = true;
            return;
        }
        f->v = v;
        f->cap = cap;
    }
    zset__pairs_add_elem(&f->names, e);
    if (f->names.oom) {
        f->oom = true;
        return;
    }
    const zobj_pair_t *p = &f->names.v[f->names.n - 1];
    f->v[f->n++] = (geo_point_t){xy[0], xy[1], dist, e->score, p->s, p->len};
}

/* The points of one cell inside the shape, until limit (0: no limit). */
static void scan_cell(zobj_t *z, geohash_bits_t cell, const geo_shape_t *shape,
                      geo_found_t *f, size_t limit)
{
    uint64_t min, max;
    geohash_cell_scores(cell, &min, &max);
    zobj_iter_t it;
    zobj_elem_t e;
    zobj_iter_init(&it, z, zobj_lower_score(z, (double)min, false), true);
    while (zobj_iter_next(&it, &e) && e.score < (double)max) {
        double xy[2], dist = 0;
        geohash_score_to_xy(e.score, xy);
        if (!geo_in_shape(shape, xy, &dist))
            continue;
        found_add(f, &e, xy, dist);
        if (f->oom || (limit && f->n >= limit))
            return;
    }
}

/* Every cell of the search, skipping empty cells and a cell equal to
 * the one scanned before it (big radii make neighbours coincide; Redis
 * compares with the previous scanned cell unless that was the centre). */
static void scan_all(zobj_t *z, const geo_shape_t *shape, geo_found_t *f, size_t limit)
{
    geohash_cells_t c;
    geohash_areas(shape, &c);
    int last = 0;
    for (int i = 0; i < 9; i++) {
        geohash_bits_t h = c.cell[i];
        if (!h.bits && !h.step)
            continue;
        if (last && h.bits == c.cell[last].bits && h.step == c.cell[last].step)
            continue;
        if (f->n && limit && f->n >= limit)
            break;
        scan_cell(z, h, shape, f, limit);
        if (f->oom)
            return;
        last = i;
    }
}

static int by_dist_asc(const void *a, const void *b)
{
    const geo_point_t *x = a, *y = b;
    return x->dist > y->dist ? 1 : x->dist == y->dist ? 0 : -1;
}

static int by_dist_desc(const void *a, const void *b)
{
    return -by_dist_asc(a, b);
}

/* "radius unit" at argv[i]: false after replying the error. */
static bool arg_radius(cmd_ctx_t *ctx, int i, geo_shape_t *s)
{
    const cmd_arg_t *a = &ctx->argv[i];
    double r;
    if (!num_parse_d(a->ptr, a->len, &r)) {
        reply_error(ctx->reply, ERR_GEO_RADIUS_NUM);
        return false;
    }
    if (r < 0) {
        reply_error(ctx->reply, ERR_GEO_RADIUS_NEG);
        return false;
    }
    double u = geo__arg_unit(ctx, i + 1);
    if (u < 0)
        return false;
    s->type = GEO_SHAPE_CIRCLE;
    s->radius = r;
    s->conversion = u;
    return true;
}

/* "width height unit" at argv[i]: false after replying the error. */
static bool arg_box(cmd_ctx_t *ctx, int i, geo_shape_t *s)
{
    double w, h;
    const cmd_arg_t *a = &ctx->argv[i], *b = &ctx->argv[i + 1];
    if (!num_parse_d(a->ptr, a->len, &w)) {
        reply_error(ctx->reply, ERR_GEO_WIDTH_NUM);
        return false;
    }
    if (!num_parse_d(b->ptr, b->len, &h)) {
        reply_error(ctx->reply, ERR_GEO_HEIGHT_NUM);
        return false;
    }
    if (h < 0 || w < 0) {
        reply_error(ctx->reply, ERR_GEO_BOX_NEG);
        return false;
    }
    double u = geo__arg_unit(ctx, i + 2);
    if (u < 0)
        return false;
    s->type = GEO_SHAPE_BOX;
    s->width = w;
    s->height = h;
    s->conversion = u;
    return true;
}

/* The position of member argv[i] of z: false after replying the error. */
static bool member_xy(cmd_ctx_t *ctx, zobj_t *z, int i, double xy[2])
{
    double score;
    if (!zobj_score(z, ctx->argv[i].ptr, ctx->argv[i].len, &score)) {
        reply_error(ctx->reply, ERR_GEO_MEMBER);
        return false;
    }
    geohash_score_to_xy(score, xy);
    return true;
}

/* The options of a search: Redis's grammar, its error order. */
typedef struct geo_opts {
    bool withdist, withhash, withcoord, any, storedist;
    bool frommember, fromloc, byradius, bybox;
    int sort;
    long long count;
    int store;                  /* argv index of the destination, 0 if none */
} geo_opts_t;

/* Parse argv[base...]; z is the source (obj NULL if missing).  false
 * after replying an error. */
static bool parse_opts(cmd_ctx_t *ctx, int base, int flags, zobj_t *z,
                       geo_shape_t *shape, geo_opts_t *o)
{
    int rem = ctx->argc - base;
    for (int i = 0; i < rem; i++) {
        const cmd_arg_t *a = &ctx->argv[base + i];
        int at = base + i + 1;
        if (cmd__opt_is(a, "withdist")) {
            o->withdist = true;
        } else if (cmd__opt_is(a, "withhash")) {
            o->withhash = true;
        } else if (cmd__opt_is(a, "withcoord")) {
            o->withcoord = true;
        } else if (cmd__opt_is(a, "any")) {
            o->any = true;
        } else if (cmd__opt_is(a, "asc")) {
            o->sort = SORT_ASC;
        } else if (cmd__opt_is(a, "desc")) {
            o->sort = SORT_DESC;
        } else if (cmd__opt_is(a, "count") && i + 1 < rem) {
            if (!cmd__arg_ll(ctx, at, &o->count))
                return false;
            if (o->count <= 0) {
                reply_error(ctx->reply, ERR_GEO_COUNT);
                return false;
            }
            i++;
        } else if (!(flags & F_SEARCH) && !(flags & F_NO_STORE) && i + 1 < rem &&
                   (cmd__opt_is(a, "store") || cmd__opt_is(a, "storedist"))) {
            o->store = at;
            o->storedist = cmd__opt_is(a, "storedist");
            i++;
        } else if ((flags & F_SEARCH_STORE) && cmd__opt_is(a, "storedist")) {
            o->storedist = true;
        } else if ((flags & F_SEARCH) && cmd__opt_is(a, "frommember") && i + 1 < rem &&
                   !o->fromloc) {
            /* A missing source: parse on, the reply is empty anyway. */
            if (z->obj && !member_xy(ctx, z, at, shape->xy))
                return false;
            o->frommember = true;
            i++;
        } else if ((flags & F_SEARCH) && cmd__opt_is(a, "fromlonlat") && i + 2 < rem &&
                   !o->frommember) {
            if (!geo__arg_lonlat(ctx, at, shape->xy))
                return false;
            o->fromloc = true;
            i += 2;
        } else if ((flags & F_SEARCH) && cmd__opt_is(a, "byradius") && i + 2 < rem &&
                   !o->bybox) {
            if (!arg_radius(ctx, at, shape))
                return false;
            o->byradius = true;
            i += 2;
        } else if ((flags & F_SEARCH) && cmd__opt_is(a, "bybox") && i + 3 < rem &&
                   !o->byradius) {
            if (!arg_box(ctx, at, shape))
                return false;
            o->bybox = true;
            i += 3;
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return false;
        }
    }
    const cmd_arg_t *name = &ctx->argv[0];
    if (o->store && (o->withdist || o->withhash || o->withcoord)) {
        reply_errorf(ctx->reply, ERRF_GEO_STORE_WITH,
                     (flags & F_SEARCH_STORE) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return false;
    }
    if ((flags & F_SEARCH) && !(o->frommember || o->fromloc)) {
        reply_errorf(ctx->reply, ERRF_GEO_FROM, (int)cmd__clen(name), name->ptr);
        return false;
    }
    if ((flags & F_SEARCH) && !(o->byradius || o->bybox)) {
        reply_errorf(ctx->reply, ERRF_GEO_BY, (int)cmd__clen(name), name->ptr);
        return false;
    }
    if (o->any && !o->count) {
        reply_error(ctx->reply, ERR_GEO_ANY_COUNT);
        return false;
    }
    return true;
}

static void reply_points(cmd_ctx_t *ctx, const geo_found_t *f, size_t n,
                         const geo_shape_t *shape, const geo_opts_t *o)
{
    size_t extra = (size_t)o->withdist + o->withcoord + o->withhash;
    reply_array(ctx->reply, n);
    for (size_t i = 0; i < n; i++) {
        const geo_point_t *p = &f->v[i];
        if (extra)
            reply_array(ctx->reply, extra + 1);
        reply_bulk(ctx->reply, p->m, p->len);
        if (o->withdist)
            geo__reply_dist(ctx, p->dist / shape->conversion);
        if (o->withhash)
            reply_int(ctx->reply, (long long)p->score);
        if (o->withcoord) {
            reply_array(ctx->reply, 2);
            geo__reply_coord(ctx, p->lon);
            geo__reply_coord(ctx, p->lat);
        }
    }
}

/* The first n points under argv[o->store], scored by geohash or by
 * distance in the unit. */
static void store_points(cmd_ctx_t *ctx, const geo_found_t *f, size_t n,
                         const geo_shape_t *shape, const geo_opts_t *o)
{
    zobj_pair_t *pairs = n ? malloc(n * sizeof *pairs) : NULL;
    if (n && !pairs) {
        cmd__reply_oom(ctx);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const geo_point_t *p = &f->v[i];
        double score = o->storedist ? p->dist / shape->conversion : p->score;
        pairs[i] = (zobj_pair_t){p->m, p->len, score};
    }
    if (n > 1)
        qsort(pairs, n, sizeof *pairs, zobj_cmp_pair);
    zset__store(ctx, o->store, pairs, n);
    free(pairs);
}

/* Whether argv[dst], GEORADIUS's STORE / STOREDIST key, is a key the
 * router found by the row's key specs (the first STORE and the first
 * STOREDIST from argv[base]), so its shard is held.  Redis stores under
 * the last one given; a repeated keyword ("STORE a STORE b") names a key
 * the router did not see, which is refused rather than written to the
 * wrong shard. */
static bool routed_store(const cmd_ctx_t *ctx, int base, int dst)
{
    bool store = false, storedist = false;
    for (int i = base; i < ctx->argc - 1; i++) {
        const cmd_arg_t *a = &ctx->argv[i];
        if (!store && cmd__opt_is(a, "store")) {
            store = true;
            if (i + 1 == dst)
                return true;
        } else if (!storedist && cmd__opt_is(a, "storedist")) {
            storedist = true;
            if (i + 1 == dst)
                return true;
        }
    }
    return false;
}

/* Redis's georadiusGeneric: src is the source key's argv index. */
static void search(cmd_ctx_t *ctx, int src, int flags)
{
    bool wrong;
    entry_t *e = zset__find(ctx, src, &wrong);
    if (wrong)
        return;
    zobj_t z = e ? zobj_of(e) : (zobj_t){0, NULL};
    geo_shape_t shape = {0};
    geo_opts_t o = {0};
    int base;
    if (flags & F_FROM_COORDS) {
        base = 6;
        if (!geo__arg_lonlat(ctx, 2, shape.xy) || !arg_radius(ctx, 4, &shape))
            return;
    } else if (flags & F_FROM_MEMBER) {
        base = 5;
        /* A missing source: the options are still parsed (their errors
         * and STORE decide the reply), the radius is not. */
        if (z.obj && (!member_xy(ctx, &z, 2, shape.xy) || !arg_radius(ctx, 3, &shape)))
            return;
    } else {
        base = (flags & F_SEARCH_STORE) ? 3 : 2;
        if (flags & F_SEARCH_STORE)
            o.store = 1;
    }
    if (!parse_opts(ctx, base, flags, &z, &shape, &o))
        return;
    if (o.store && !(flags & F_SEARCH) && !routed_store(ctx, base, o.store)) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }

    if (!z.obj) {
        if (o.store)
            zset__store(ctx, o.store, NULL, 0);
        else
            reply_array(ctx->reply, 0);
        return;
    }
    /* COUNT needs the nearest ones, so it sorts (but ANY takes any). */
    if (o.count && o.sort == SORT_NONE && !o.any)
        o.sort = SORT_ASC;

    geo_found_t f = {0};
    zset__pairs_init(&f.names);
    scan_all(&z, &shape, &f, o.any ? (size_t)o.count : 0);
    if (f.oom) {
        cmd__reply_oom(ctx);
        goto out;
    }
    size_t n = f.n;
    if (o.count && (unsigned long long)o.count < n)
        n = (size_t)o.count;
    if (o.sort != SORT_NONE && f.n > 1)
        qsort(f.v, f.n, sizeof *f.v, o.sort == SORT_ASC ? by_dist_asc : by_dist_desc);
    if (o.store)
        store_points(ctx, &f, n, &shape, &o);
    else
        reply_points(ctx, &f, n, &shape, &o);
out:
    free(f.v);
    zset__pairs_free(&f.names);
}

void cmd__geosearch(cmd_ctx_t *ctx)
{
    search(ctx, 1, F_SEARCH);
}

void cmd__geosearchstore(cmd_ctx_t *ctx)
{
    search(ctx, 2, F_SEARCH | F_SEARCH_STORE);
}

void cmd__georadius(cmd_ctx_t *ctx)
{
    search(ctx, 1, F_FROM_COORDS);
}

void cmd__georadius_ro(cmd_ctx_t *ctx)
{
    search(ctx, 1, F_FROM_COORDS | F_NO_STORE);
}

void cmd__georadiusbymember(cmd_ctx_t *ctx)
{
    search(ctx, 1, F_FROM_MEMBER);
}

void cmd__georadiusbymember_ro(cmd_ctx_t *ctx)
{
    search(ctx, 1, F_FROM_MEMBER | F_NO_STORE);
}
