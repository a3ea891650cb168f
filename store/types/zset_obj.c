/*
 * zset_obj.c - a sorted set value over its listpack and its big form
 * (see zset_obj.h).
 *
 * The listpack half follows Redis 7.0's zzl* functions: pairs kept in
 * (score, member) order, found by walking, scores stored as integers when
 * they are integral (within +-2^62) and as "%.17g" text otherwise.  The
 * big half is a thin layer over store/enc/zs.h.
 *
 * Concurrency: none; the shard's thread.
 */
#include "zset_obj.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "set_enc.h"
#include "store/db/value.h"
#include "store/enc/lp.h"
#include "zset_lp.h"

/* ---- order ---- */

int zobj_cmp_member(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return (alen > blen) - (alen < blen);
}

int zobj_cmp_pair(const void *a, const void *b)
{
    const zobj_pair_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return zobj_cmp_member(x->s, x->len, y->s, y->len);
}

int zobj_cmp_lex(const char *s, size_t len, const zobj_lex_t *b)
{
    if (b->kind == ZOBJ_LEX_MIN)
        return 1;
    if (b->kind == ZOBJ_LEX_MAX)
        return -1;
    return zobj_cmp_member(s, len, b->s, b->len);
}

bool zobj_lex_gte_min(const char *s, size_t len, const zobj_lex_t *min)
{
    int c = zobj_cmp_lex(s, len, min);
    return min->kind == ZOBJ_LEX_INCL ? c >= 0 : c > 0;
}

bool zobj_lex_lte_max(const char *s, size_t len, const zobj_lex_t *max)
{
    int c = zobj_cmp_lex(s, len, max);
    return max->kind == ZOBJ_LEX_INCL ? c <= 0 : c < 0;
}

/* ---- the value as a whole ---- */

void zobj_commit(ks_t *ks, entry_t *e, const zobj_t *z, size_t mem_before)
{
    zobj_store(e, z);
    ks_changed(ks, e, mem_before);
    if (zobj_len(z) == 0)
        ks_delete_entry(ks, e);
}

int zobj_new(zobj_t *z, bool big)
{
    if (big) {
        z->enc = ENC_ZSET_ZS;
        z->obj = zs_new(0);
    } else {
        z->enc = ENC_ZSET_LP;
        z->obj = lp_new(0);
    }
    return z->obj ? 0 : -ENOMEM;
}

int zobj_new_for(zobj_t *z, size_t first_len, const store_cfg_t *cfg)
{
    bool big = cfg->zset_max_listpack_entries == 0 ||
               (long long)first_len > cfg->zset_max_listpack_value;
    return zobj_new(z, big);
}

void zobj_free(zobj_t *z)
{
    if (z->obj)
        value_free(OBJ_ZSET, z->enc, z->obj);
    z->obj = NULL;
}

size_t zobj_len(const zobj_t *z)
{
    return z->enc == ENC_ZSET_LP ? zlp_len(z->obj) : zs_len(z->obj);
}

int zobj_convert(zobj_t *z)
{
    if (z->enc != ENC_ZSET_LP)
        return 0;
    unsigned char *lp = z->obj;
    zs_t *zs = zs_new(0);
    if (!zs)
        return -ENOMEM;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        zobj_elem_t e;
        zlp_elem(lp, p, &e);
        if (!zs_insert(zs, e.s, e.len, e.score)) {
            zs_free(zs);
            return -ENOMEM;
        }
    }
    lp_free(lp);
    z->enc = ENC_ZSET_ZS;
    z->obj = zs;
    return 0;
}

/* Whether n members, the longest maxlen bytes and all total bytes, make
 * a listpack by Redis's rule for a set built whole. */
static bool fits_lp(size_t n, size_t maxlen, size_t total, const store_cfg_t *cfg)
{
    return (long long)n <= cfg->zset_max_listpack_entries &&
           (long long)maxlen <= cfg->zset_max_listpack_value && lp_safe_to_add(NULL, total);
}

static unsigned char *build_lp(const zobj_pair_t *pairs, size_t n)
{
    char (*txt)[NUM_D_BUF] = malloc((n ? n : 1) * sizeof *txt);
    lp_str_t *v = malloc((n ? 2 * n : 1) * sizeof *v);
    unsigned char *lp = txt && v ? lp_new(0) : NULL;
    for (size_t i = 0; lp && i < n; i++) {
        v[2 * i] = (lp_str_t){pairs[i].s, pairs[i].len};
        v[2 * i + 1] = (lp_str_t){txt[i], zlp_score_text(pairs[i].score, txt[i])};
    }
    if (lp && n) {
        unsigned char *nl = lp_append_batch(lp, v, 2 * n);
        if (!nl)
            lp_free(lp);
        lp = nl;
    }
    free(txt);
    free(v);
    return lp;
}

int zobj_build(zobj_t *z, const zobj_pair_t *pairs, size_t n, const store_cfg_t *cfg)
{
    size_t maxlen = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        maxlen = pairs[i].len > maxlen ? pairs[i].len : maxlen;
        total += pairs[i].len;
    }
    if (fits_lp(n, maxlen, total, cfg)) {
        z->enc = ENC_ZSET_LP;
        z->obj = build_lp(pairs, n);
        return z->obj ? 0 : -ENOMEM;
    }
    zs_t *zs = zs_new(0);
    for (size_t i = 0; zs && i < n; i++) {
        if (!zs_insert(zs, pairs[i].s, pairs[i].len, pairs[i].score)) {
            zs_free(zs);
            zs = NULL;
        }
    }
    z->enc = ENC_ZSET_ZS;
    z->obj = zs;
    return zs ? 0 : -ENOMEM;
}

/* ---- by member ---- */

bool zobj_score(zobj_t *z, const char *m, size_t len, double *score)
{
    if (z->enc == ENC_ZSET_LP) {
        unsigned char *p = zlp_find_member(z->obj, m, len, NULL);
        if (p)
            *score = zlp_score(lp_next(z->obj, p));
        return p != NULL;
    }
    zs_node_t *n = zs_find(z->obj, m, len);
    if (n)
        *score = zs_score(n);
    return n != NULL;
}

int zobj_insert(zobj_t *z, const char *m, size_t len, double score, const store_cfg_t *cfg)
{
    if (z->enc == ENC_ZSET_LP) {
        unsigned char *lp = z->obj;
        size_t n = zlp_len(lp);
        bool convert = (long long)(n + 1) > cfg->zset_max_listpack_entries ||
                       (long long)len > cfg->zset_max_listpack_value ||
                       !lp_safe_to_add(lp, len);
        if (!convert) {
            size_t k = zlp_place(lp, m, len, score, SIZE_MAX);
            unsigned char *nl = zlp_insert_pair(lp, zlp_pair(lp, k, n), m, len, score);
            if (!nl)
                return -ENOMEM;
            z->obj = nl;
            return 0;
        }
        if (zobj_convert(z) != 0)
            return -ENOMEM;
    }
    return zs_insert(z->obj, m, len, score) ? 0 : -ENOMEM;
}

int zobj_update(zobj_t *z, const char *m, size_t len, double score)
{
    if (z->enc != ENC_ZSET_LP) {
        zs_node_t *n = zs_find(z->obj, m, len);
        return n ? zs_update(z->obj, n, score) : 0;
    }
    unsigned char *lp = z->obj, *nl;
    size_t i, n = zlp_len(lp);
    unsigned char *p = zlp_find_member(lp, m, len, &i);
    if (!p)
        return 0;
    size_t k = zlp_place(lp, m, len, score, i);
    if (k == i) {
        /* Same place: only the score element changes. */
        char buf[NUM_D_BUF];
        size_t tl = zlp_score_text(score, buf);
        nl = lp_insert(lp, lp_next(lp, p), buf, tl, LP_REPLACE, NULL);
        if (!nl)
            return -ENOMEM;
        z->obj = nl;
        return 0;
    }
    /* Insert the pair at its new place first (failing leaves the set as
     * it was), then delete the old one. */
    size_t at = k < i ? k : k + 1, old = k < i ? i + 1 : i;
    nl = zlp_insert_pair(lp, zlp_pair(lp, at, n), m, len, score);
    if (!nl)
        return -ENOMEM;
    z->obj = lp_delete_range(nl, (long)(2 * old), 2);
    return 0;
}

bool zobj_delete(zobj_t *z, const char *m, size_t len)
{
    if (z->enc != ENC_ZSET_LP) {
        zs_node_t *n = zs_find(z->obj, m, len);
        if (n)
            zs_delete(z->obj, n);
        return n != NULL;
    }
    unsigned char *p = zlp_find_member(z->obj, m, len, NULL);
    if (p)
        z->obj = lp_delete_range_at(z->obj, p, 2);
    return p != NULL;
}

long long zobj_rank(zobj_t *z, const char *m, size_t len)
{
    if (z->enc != ENC_ZSET_LP) {
        zs_node_t *n = zs_find(z->obj, m, len);
        return n ? (long long)zs_rank(z->obj, n) : -1;
    }
    size_t i;
    return zlp_find_member(z->obj, m, len, &i) ? (long long)i : -1;
}

/* ---- by rank ---- */

static void zs_elem(const zs_node_t *n, zobj_elem_t *out)
{
    out->s = zs_member(n, &out->len);
    out->score = zs_score(n);
}

void zobj_at(zobj_t *z, size_t r, zobj_elem_t *out)
{
    if (z->enc == ENC_ZSET_LP)
        zlp_elem(z->obj, lp_seek(z->obj, (long)(2 * r)), out);
    else
        zs_elem(zs_at(z->obj, r), out);
}

size_t zobj_lower_score(zobj_t *z, double s, bool excl)
{
    if (z->enc != ENC_ZSET_LP)
        return zs_lower_score(z->obj, s, excl);
    unsigned char *lp = z->obj;
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)), i++) {
        double x = zlp_score(lp_next(lp, p));
        if (excl ? x > s : x >= s)
            break;
    }
    return i;
}

size_t zobj_lex_first(zobj_t *z, const zobj_lex_t *min)
{
    if (z->enc != ENC_ZSET_LP) {
        if (min->kind == ZOBJ_LEX_MIN)
            return 0;
        if (min->kind == ZOBJ_LEX_MAX)
            return zs_len(z->obj);
        return zs_lower_lex(z->obj, min->s, min->len, min->kind == ZOBJ_LEX_EXCL);
    }
    unsigned char *lp = z->obj;
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)), i++) {
        char buf[NUM_LL_BUF];
        size_t len;
        const char *s = (const char *)lp_get_str(p, buf, &len);
        if (zobj_lex_gte_min(s, len, min))
            break;
    }
    return i;
}

long long zobj_lex_last(zobj_t *z, const zobj_lex_t *max)
{
    if (z->enc != ENC_ZSET_LP) {
        if (max->kind == ZOBJ_LEX_MIN)
            return -1;
        if (max->kind == ZOBJ_LEX_MAX)
            return (long long)zs_len(z->obj) - 1;
        return (long long)zs_lower_lex(z->obj, max->s, max->len,
                                       max->kind == ZOBJ_LEX_INCL) - 1;
    }
    unsigned char *lp = z->obj;
    long long i = (long long)zlp_len(lp) - 1;
    unsigned char *p = lp_last(lp);
    for (p = p ? lp_prev(lp, p) : NULL; p; i--) {
        char buf[NUM_LL_BUF];
        size_t len;
        const char *s = (const char *)lp_get_str(p, buf, &len);
        if (zobj_lex_lte_max(s, len, max))
            return i;
        p = lp_prev(lp, p);
        p = p ? lp_prev(lp, p) : NULL;
    }
    return -1;
}

size_t zobj_delete_range(zobj_t *z, size_t start, size_t count)
{
    if (z->enc != ENC_ZSET_LP)
        return zs_delete_range(z->obj, start, count);    /* clips as below */
    size_t n = zlp_len(z->obj);
    if (start >= n)
        return 0;
    if (count > n - start)
        count = n - start;
    z->obj = lp_delete_range(z->obj, (long)(2 * start), 2 * count);
    return count;
}

/* ---- iteration ---- */

void zobj_iter_init(zobj_iter_t *it, zobj_t *z, size_t r, bool up)
{
    it->z = z;
    it->up = up;
    if (z->enc != ENC_ZSET_LP) {
        zs_iter_init(&it->zi, z->obj, r, up);
        return;
    }
    it->p = r < zlp_len(z->obj) ? lp_seek(z->obj, (long)(2 * r)) : NULL;
}

bool zobj_iter_next(zobj_iter_t *it, zobj_elem_t *out)
{
    if (it->z->enc != ENC_ZSET_LP) {
        zs_node_t *n = zs_iter_next(&it->zi);
        if (n)
            zs_elem(n, out);
        return n != NULL;
    }
    unsigned char *lp = it->z->obj, *p = it->p;
    if (!p)
        return false;
    zlp_elem(lp, p, out);
    if (it->up) {
        it->p = lp_next(lp, lp_next(lp, p));
    } else {
        p = lp_prev(lp, p);
        it->p = p ? lp_prev(lp, p) : NULL;
    }
    return true;
}

/* ---- random picks and scans ---- */

size_t zobj_rand_below(size_t n)
{
    return setv_rand_below(n);
}

void zobj_random(zobj_t *z, zobj_elem_t *out)
{
    zobj_at(z, zobj_rand_below(zobj_len(z)), out);
}

size_t zobj_score_text(const zobj_t *z, double score, char buf[NUM_D_BUF])
{
    return z->enc == ENC_ZSET_LP ? zlp_score_text(score, buf) : num_fmt_d(buf, score);
}

typedef struct scan_arg {
    zobj_scan_fn fn;
    void *arg;
} scan_arg_t;

static void scan_node(void *arg, const zs_node_t *n)
{
    scan_arg_t *sa = arg;
    zobj_elem_t e;
    zs_elem(n, &e);
    sa->fn(sa->arg, &e);
}

size_t zobj_scan(zobj_t *z, size_t cursor, zobj_scan_fn fn, void *arg)
{
    if (z->enc != ENC_ZSET_LP) {
        scan_arg_t sa = {fn, arg};
        return zs_scan(z->obj, cursor, scan_node, &sa);
    }
    zobj_iter_t it;
    zobj_elem_t e;
    zobj_iter_init(&it, z, 0, true);
    while (zobj_iter_next(&it, &e))
        fn(arg, &e);
    return 0;
}

/* ---- checks ---- */

bool zobj_validate(const zobj_t *z)
{
    zobj_t *w = (zobj_t *)z;
    if (z->enc == ENC_ZSET_LP) {
        unsigned char *lp = z->obj;
        if (!lp_validate(lp, lp_bytes(lp), true) || lp_count(lp) % 2)
            return false;
    } else if (z->enc != ENC_ZSET_ZS || !zs_validate(z->obj)) {
        return false;
    }
    zobj_iter_t it;
    zobj_elem_t e;
    zobj_pair_t prev = {NULL, 0, 0};
    char *copy = NULL;
    bool ok = true;
    zobj_iter_init(&it, w, 0, true);
    while (ok && zobj_iter_next(&it, &e)) {
        zobj_pair_t cur = {e.s, e.len, e.score};
        ok = !isnan(e.score) && (!copy || zobj_cmp_pair(&prev, &cur) < 0);
        free(copy);
        copy = malloc(e.len + 1);
        if (!copy)
            return false;
        memcpy(copy, e.s, e.len);
        prev = (zobj_pair_t){copy, e.len, e.score};
    }
    free(copy);
    return ok;
}
