/*
 * hash_obj.c - a hash value over its two encodings (see hash_obj.h).
 *
 * Concurrency: the shard's thread; the random generator is per thread.
 */
#include "hash_obj.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/base/hash.h"
#include "store/enc/lp.h"

/* ---- random numbers ---- */

static _Thread_local uint64_t rng;

static uint64_t rnd(void)
{
    if (!rng) {
        hash_seed_t s;
        hash_seed_init(&s, 0);
        rng = s.k0 | 1;
    }
    return hash_rand_next(&rng);
}

/* Uniform in [0, n), n > 0. */
static size_t rnd_below(size_t n)
{
    return (size_t)(((unsigned __int128)rnd() * n) >> 64);
}

/* ---- views ---- */

static void lp_view(const unsigned char *p, hash_obj_sv_t *v)
{
    uint32_t slen = 0;
    long long ll = 0;
    const unsigned char *s = lp_get(p, &slen, &ll);
    v->s = (const char *)s;
    v->len = s ? slen : 0;
    v->ll = ll;
}

static void ht_view(const ht_node_t *n, hash_obj_sv_t *f, hash_obj_sv_t *v)
{
    f->s = ht_key(n, &f->len);
    f->ll = 0;
    if (v) {
        v->s = ht_val(n, &v->len);
        v->ll = 0;
    }
}

const char *hash_obj_sv_bytes(const hash_obj_sv_t *v, char buf[NUM_LL_BUF], size_t *len)
{
    if (v->s) {
        *len = v->len;
        return v->s;
    }
    *len = num_fmt_ll(buf, v->ll);
    return buf;
}

size_t hash_obj_sv_len(const hash_obj_sv_t *v)
{
    char buf[NUM_LL_BUF];
    return v->s ? v->len : num_fmt_ll(buf, v->ll);
}

void hash_obj_sv_reply(reply_t *r, const hash_obj_sv_t *v)
{
    if (v->s)
        reply_bulk(r, v->s, v->len);
    else
        reply_bulk_ll(r, v->ll);
}

/* ---- the value as a whole ---- */

static bool is_lp(const entry_t *e) { return e->type == ENC_HASH_LP; }

void *hash_obj_new(void)
{
    return lp_new(0);
}

size_t hash_obj_len(const entry_t *e)
{
    return value_len(OBJ_HASH, e->type, e->v.obj);
}

static bool too_long(const store_cfg_t *cfg, size_t len)
{
    return (unsigned long long)len > (unsigned long long)cfg->hash_max_listpack_value;
}

int hash_obj_convert(entry_t *e)
{
    if (!is_lp(e))
        return 0;
    unsigned char *lp = e->v.obj;
    ht_t *ht = ht_new(true, rnd());
    if (!ht)
        return -ENOMEM;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        char fb[NUM_LL_BUF], vb[NUM_LL_BUF];
        size_t flen, vlen;
        const unsigned char *f = lp_get_str(p, fb, &flen);
        const unsigned char *v = lp_get_str(lp_next(lp, p), vb, &vlen);
        if (!ht_add(ht, f, flen, v, vlen)) {
            ht_free(ht);
            return -ENOMEM;
        }
    }
    lp_free(lp);
    e->v.obj = ht;
    e->type = ENC_HASH_HT;
    return 0;
}

int hash_obj_prepare(entry_t *e, const store_cfg_t *cfg, const cmd_arg_t *argv, int first,
                     int last)
{
    if (!is_lp(e))
        return 0;
    size_t sum = 0;
    for (int i = first; i <= last; i++) {
        if (too_long(cfg, argv[i].len))
            return hash_obj_convert(e);
        sum += argv[i].len;
    }
    return lp_safe_to_add(e->v.obj, sum) ? 0 : hash_obj_convert(e);
}

/* ---- fields ---- */

/* The listpack element of field f, or NULL. */
static unsigned char *lp_field(unsigned char *lp, const char *f, size_t flen)
{
    unsigned char *p = lp_first(lp);
    return p ? lp_find(lp, p, f, flen, 1) : NULL;
}

bool hash_obj_get(entry_t *e, const char *f, size_t flen, hash_obj_sv_t *val)
{
    if (is_lp(e)) {
        unsigned char *lp = e->v.obj;
        unsigned char *p = lp_field(lp, f, flen);
        if (!p)
            return false;
        lp_view(lp_next(lp, p), val);
        return true;
    }
    ht_node_t *n = ht_find(e->v.obj, f, flen);
    if (!n)
        return false;
    val->s = ht_val(n, &val->len);
    val->ll = 0;
    return true;
}

static int lp_set(entry_t *e, const char *f, size_t flen, const char *v, size_t vlen)
{
    unsigned char *lp = e->v.obj, *n;
    unsigned char *p = lp_field(lp, f, flen);
    if (p) {
        if (!(n = lp_insert(lp, lp_next(lp, p), v, vlen, LP_REPLACE, NULL)))
            return -ENOMEM;
        e->v.obj = n;
        return 0;
    }
    lp_str_t pair[2] = {{f, flen}, {v, vlen}};
    if (!(n = lp_append_batch(lp, pair, 2)))
        return -ENOMEM;
    e->v.obj = n;
    return 1;
}

int hash_obj_set(entry_t *e, const store_cfg_t *cfg, const char *f, size_t flen,
                 const char *v, size_t vlen)
{
    if (is_lp(e) && (too_long(cfg, flen) || too_long(cfg, vlen)) && hash_obj_convert(e) != 0)
        return -ENOMEM;
    if (is_lp(e)) {
        int rc = lp_set(e, f, flen, v, vlen);
        /* Past the entry limit the table takes over; if it cannot be had
         * the listpack goes on, which is still a correct hash. */
        if (rc == 1 && (long long)hash_obj_len(e) > cfg->hash_max_listpack_entries)
            (void)hash_obj_convert(e);
        return rc;
    }
    ht_t *ht = e->v.obj;
    ht_node_t *n = ht_find(ht, f, flen);
    if (n)
        return ht_set_val(ht, n, v, vlen) ? 0 : -ENOMEM;
    return ht_add(ht, f, flen, v, vlen) ? 1 : -ENOMEM;
}

bool hash_obj_del(entry_t *e, const char *f, size_t flen)
{
    if (!is_lp(e))
        return ht_delete(e->v.obj, f, flen);
    unsigned char *lp = e->v.obj;
    unsigned char *p = lp_field(lp, f, flen);
    if (!p)
        return false;
    e->v.obj = lp_delete_range_at(lp, p, 2);
    return true;
}

/* ---- iteration ---- */

void hash_obj_iter_init(hash_obj_iter_t *it, entry_t *e)
{
    it->e = e;
    if (is_lp(e))
        it->p = lp_first(e->v.obj);
    else
        ht_iter_init(&it->hi, e->v.obj);
}

bool hash_obj_iter_next(hash_obj_iter_t *it, hash_obj_sv_t *f, hash_obj_sv_t *v)
{
    if (is_lp(it->e)) {
        unsigned char *lp = it->e->v.obj;
        if (!it->p)
            return false;
        unsigned char *vp = lp_next(lp, it->p);
        lp_view(it->p, f);
        if (v)
            lp_view(vp, v);
        it->p = lp_next(lp, vp);
        return true;
    }
    ht_node_t *n = ht_iter_next(&it->hi);
    if (!n)
        return false;
    ht_view(n, f, v);
    return true;
}

/* ---- random picks ---- */

/* Report the listpack pair whose field is at p. */
static void lp_emit(unsigned char *lp, unsigned char *p, hash_obj_pair_fn fn, void *arg)
{
    hash_obj_sv_t f, v;
    lp_view(p, &f);
    lp_view(lp_next(lp, p), &v);
    fn(arg, &f, &v);
}

static void ht_emit(const ht_node_t *n, hash_obj_pair_fn fn, void *arg)
{
    hash_obj_sv_t f, v;
    ht_view(n, &f, &v);
    fn(arg, &f, &v);
}

void hash_obj_random(entry_t *e, hash_obj_sv_t *f, hash_obj_sv_t *v)
{
    if (is_lp(e)) {
        unsigned char *lp = e->v.obj;
        unsigned char *p = lp_seek(lp, 2 * (long)rnd_below(hash_obj_len(e)));
        lp_view(p, f);
        if (v)
            lp_view(lp_next(lp, p), v);
        return;
    }
    ht_view(ht_random_fair(e->v.obj), f, v);
}

/* Listpack, repeats allowed: the fields' positions once, then O(1) per
 * pick. */
static int lp_pick_repeat(entry_t *e, size_t count, hash_obj_pair_fn fn, void *arg)
{
    unsigned char *lp = e->v.obj;
    size_t n = hash_obj_len(e), i = 0;
    unsigned char **at = malloc(n * sizeof *at);
    if (!at)
        return -ENOMEM;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)))
        at[i++] = p;
    while (count--)
        lp_emit(lp, at[rnd_below(n)], fn, arg);
    free(at);
    return 0;
}

/* Listpack, distinct: selection sampling (each field taken with
 * probability wanted / left), one pass, in the listpack's order. */
static void lp_pick_distinct(entry_t *e, size_t count, hash_obj_pair_fn fn, void *arg)
{
    unsigned char *lp = e->v.obj;
    size_t left = hash_obj_len(e);
    for (unsigned char *p = lp_first(lp); p && count; p = lp_next(lp, lp_next(lp, p))) {
        if (rnd_below(left--) < count) {
            lp_emit(lp, p, fn, arg);
            count--;
        }
    }
}

/* Table, distinct, count near the size: every node once into an array,
 * then a partial shuffle picks count of them. */
static int ht_pick_most(ht_t *ht, size_t count, hash_obj_pair_fn fn, void *arg)
{
    size_t n = ht_len(ht), i = 0;
    ht_node_t **all = malloc(n * sizeof *all), *x;
    if (!all)
        return -ENOMEM;
    ht_iter_t it;
    ht_iter_init(&it, ht);
    while ((x = ht_iter_next(&it)))
        all[i++] = x;
    for (i = 0; i < count; i++) {
        size_t j = i + rnd_below(n - i);
        x = all[j];
        all[j] = all[i];
        all[i] = x;
        ht_emit(x, fn, arg);
    }
    free(all);
    return 0;
}

/* Table, distinct, count well below the size: random nodes, a small
 * open-addressing set of those already taken (expected under 1.5 draws
 * per pick since count < size / 3). */
static int ht_pick_few(ht_t *ht, size_t count, hash_obj_pair_fn fn, void *arg)
{
    size_t cap = 4;
    while (cap < 2 * count)
        cap *= 2;
    const ht_node_t **seen = calloc(cap, sizeof *seen);
    if (!seen)
        return -ENOMEM;
    while (count) {
        ht_node_t *x = ht_random_fair(ht);
        size_t h = (size_t)(((uintptr_t)x >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
        while (seen[h] && seen[h] != x)
            h = (h + 1) & (cap - 1);
        if (seen[h])
            continue;
        seen[h] = x;
        ht_emit(x, fn, arg);
        count--;
    }
    free(seen);
    return 0;
}

int hash_obj_pick(entry_t *e, size_t count, bool distinct, hash_obj_pair_fn fn, void *arg)
{
    if (is_lp(e)) {
        if (!distinct)
            return lp_pick_repeat(e, count, fn, arg);
        lp_pick_distinct(e, count, fn, arg);
        return 0;
    }
    ht_t *ht = e->v.obj;
    if (!distinct) {
        while (count--)
            ht_emit(ht_random_fair(ht), fn, arg);
        return 0;
    }
    /* Redis's cut between copying the hash and sampling it. */
    if (count > ht_len(ht) / 3)
        return ht_pick_most(ht, count, fn, arg);
    return ht_pick_few(ht, count, fn, arg);
}

/* ---- scan ---- */

typedef struct scan_arg {
    hash_obj_pair_fn fn;
    void *arg;
} scan_arg_t;

static void scan_node(void *arg, const ht_node_t *n)
{
    scan_arg_t *s = arg;
    ht_emit(n, s->fn, s->arg);
}

size_t hash_obj_scan(entry_t *e, size_t cursor, hash_obj_pair_fn fn, void *arg)
{
    if (is_lp(e)) {
        unsigned char *lp = e->v.obj;
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)))
            lp_emit(lp, p, fn, arg);
        return 0;
    }
    scan_arg_t s = {fn, arg};
    return ht_scan(e->v.obj, cursor, scan_node, &s);
}
