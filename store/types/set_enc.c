/*
 * set_enc.c - a set value over intset, listpack and hash table (see
 * set_enc.h).
 *
 * Concurrency: none; the shard's thread.
 */
#include "set_enc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/base/hash.h"
#include "store/db/value.h"
#include "store/enc/intset.h"
#include "store/enc/lp.h"

/* ---- random numbers ---- */

static _Thread_local uint64_t rng;

size_t setv_rand_below(size_t n)
{
    if (!rng) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rng = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
              (uint64_t)(uintptr_t)&ts;
        rng |= 1;
    }
    /* Multiply-shift onto [0, n): no division, negligible bias. */
    return (size_t)(((unsigned __int128)hash_rand_next(&rng) * n) >> 64);
}

/* ---- lifetime ---- */

int setv_new(setv_t *v)
{
    v->enc = ENC_SET_INTSET;
    v->obj = intset_new();
    return v->obj ? 0 : -ENOMEM;
}

void setv_free(setv_t *v)
{
    if (v->obj)
        value_free(OBJ_SET, v->enc, v->obj);
    v->obj = NULL;
}

void setv_commit(ks_t *ks, entry_t *e, const setv_t *v, size_t mem_before)
{
    setv_store(e, v);
    ks_changed(ks, e, mem_before);
    if (setv_len(v) == 0)
        ks_delete_entry(ks, e);
}

size_t setv_len(const setv_t *v)
{
    return value_len(OBJ_SET, v->enc, v->obj);
}

/* ---- conversions ---- */

static long long max_intset(const store_cfg_t *cfg)
{
    long long m = cfg->set_max_intset_entries;
    return m > SETV_INTSET_CAP ? SETV_INTSET_CAP : m;
}

/* The members of v (any encoding but HT) into a new hash table. */
static ht_t *to_ht(setv_t *v)
{
    ht_t *ht = ht_new(false, 0);
    if (!ht)
        return NULL;
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t pos;
    bool ok = true;
    setv_iter_init(&it, v);
    while (ok && setv_iter_next(&it, &m, &pos))
        ok = ht_add(ht, m.s, m.len, NULL, 0) != NULL;
    setv_iter_done(&it);
    if (!ok) {
        ht_free(ht);
        return NULL;
    }
    return ht;
}

/* An intset's members into a new listpack. */
static unsigned char *intset_to_lp(const intset_t *is)
{
    size_t n = intset_len(is);
    unsigned char *lp = lp_new(LP_HDR_SIZE + 1 + n * 4);
    for (size_t i = 0; lp && i < n; i++) {
        int64_t x;
        intset_get(is, i, &x);
        unsigned char *nl = lp_append_int(lp, x);
        if (!nl)
            lp_free(lp);
        lp = nl;
    }
    return lp;
}

/* Convert v to enc (LP from an intset, or HT). 0 or -ENOMEM (v as it was). */
static int convert(setv_t *v, unsigned enc)
{
    void *obj = enc == ENC_SET_LP ? (void *)intset_to_lp(v->obj) : (void *)to_ht(v);
    if (!obj)
        return -ENOMEM;
    value_free(OBJ_SET, v->enc, v->obj);
    v->enc = enc;
    v->obj = obj;
    return 0;
}

/* Where an intset of n members goes when it must stop being one, the
 * longest member added being len bytes. */
static unsigned next_enc(size_t n, size_t len)
{
    return n <= SETV_LP_MAX_ENTRIES && len <= SETV_LP_MAX_VALUE ? ENC_SET_LP : ENC_SET_HT;
}

/* ---- update ---- */

/* Add integer x to an intset, converting past set-max-intset-entries. */
static int add_intset(setv_t *v, long long x, const store_cfg_t *cfg)
{
    bool added;
    intset_t *is = intset_add(v->obj, x, &added);
    if (!is)
        return -ENOMEM;
    v->obj = is;
    size_t n = intset_len(is);
    /* Over the limit: convert (a failed conversion leaves a big intset,
     * still correct). */
    if (added && (long long)n > max_intset(cfg))
        convert(v, next_enc(n, NUM_LL_BUF - 1));
    return added;
}

int setv_add(setv_t *v, const char *s, size_t len, const store_cfg_t *cfg)
{
    long long x;
    if (v->enc == ENC_SET_INTSET) {
        if (num_parse_ll(s, len, &x))
            return add_intset(v, x, cfg);
        if (convert(v, next_enc(intset_len(v->obj) + 1, len)) != 0)
            return -ENOMEM;
        if (v->enc == ENC_SET_LP) {
            unsigned char *lp = lp_append(v->obj, s, len);
            if (!lp)
                return -ENOMEM;
            v->obj = lp;
            return 1;
        }
    }
    if (v->enc == ENC_SET_LP) {
        unsigned char *lp = v->obj;
        if (lp_find(lp, lp_first(lp), s, len, 0))
            return 0;
        if (lp_count(lp) + 1 <= SETV_LP_MAX_ENTRIES && len <= SETV_LP_MAX_VALUE) {
            lp = lp_append(lp, s, len);
            if (!lp)
                return -ENOMEM;
            v->obj = lp;
            return 1;
        }
        if (convert(v, ENC_SET_HT) != 0)
            return -ENOMEM;
        return ht_add(v->obj, s, len, NULL, 0) ? 1 : -ENOMEM;
    }
    if (ht_find(v->obj, s, len))
        return 0;
    return ht_add(v->obj, s, len, NULL, 0) ? 1 : -ENOMEM;
}

bool setv_remove(setv_t *v, const char *s, size_t len)
{
    long long x;
    bool removed = false;
    switch (v->enc) {
    case ENC_SET_INTSET:
        if (num_parse_ll(s, len, &x))
            v->obj = intset_remove(v->obj, x, &removed);
        return removed;
    case ENC_SET_LP: {
        unsigned char *p = lp_find(v->obj, lp_first(v->obj), s, len, 0);
        if (!p)
            return false;
        v->obj = lp_delete(v->obj, p, NULL);
        return true;
    }
    default:
        /* Only a removal may move buckets (see ht_find_still). */
        return ht_find(v->obj, s, len) && ht_delete(v->obj, s, len);
    }
}

/* ---- membership ---- */

bool setv_has(setv_t *v, const char *s, size_t len)
{
    long long x;
    switch (v->enc) {
    case ENC_SET_INTSET:
        return num_parse_ll(s, len, &x) && intset_find(v->obj, x);
    case ENC_SET_LP:
        return lp_find(v->obj, lp_first(v->obj), s, len, 0) != NULL;
    default:
        return ht_find(v->obj, s, len) != NULL;
    }
}

bool setv_has_member(setv_t *v, const setv_member_t *m)
{
    if (v->enc == ENC_SET_INTSET && m->is_int)
        return intset_find(v->obj, m->ll);
    return setv_has(v, m->s, m->len);
}

/* ---- positions ---- */

static void member_int(setv_member_t *m, long long x)
{
    m->is_int = true;
    m->ll = x;
    m->len = num_fmt_ll(m->buf, x);
    m->s = m->buf;
}

void setv_at(const setv_t *v, setv_pos_t pos, setv_member_t *m)
{
    switch (v->enc) {
    case ENC_SET_INTSET: {
        int64_t x = 0;
        intset_get(v->obj, (size_t)pos, &x);
        member_int(m, x);
        return;
    }
    case ENC_SET_LP: {
        uint32_t slen;
        long long x;
        const unsigned char *s = lp_get((const unsigned char *)pos, &slen, &x);
        if (!s) {
            member_int(m, x);
            return;
        }
        m->is_int = false;
        m->s = (const char *)s;
        m->len = slen;
        return;
    }
    default:
        m->is_int = false;
        m->s = ht_key((const ht_node_t *)pos, &m->len);
    }
}

void setv_remove_at(setv_t *v, setv_pos_t pos)
{
    switch (v->enc) {
    case ENC_SET_INTSET: {
        int64_t x;
        if (intset_get(v->obj, (size_t)pos, &x))
            v->obj = intset_remove(v->obj, x, NULL);
        return;
    }
    case ENC_SET_LP:
        v->obj = lp_delete(v->obj, (unsigned char *)pos, NULL);
        return;
    default:
        ht_unlink_node(v->obj, (ht_node_t *)pos);
        ht_node_free((ht_node_t *)pos);
    }
}

setv_pos_t setv_random(setv_t *v)
{
    switch (v->enc) {
    case ENC_SET_INTSET:
        return (setv_pos_t)setv_rand_below(intset_len(v->obj));
    case ENC_SET_LP:
        return (setv_pos_t)lp_seek(v->obj, (long)setv_rand_below(lp_count(v->obj)));
    default:
        return (setv_pos_t)ht_random_fair(v->obj);
    }
}

void setv_all(setv_t *v, setv_pos_t *out)
{
    setv_iter_t it;
    setv_member_t m;
    setv_pos_t pos;
    size_t k = 0;
    if (v->enc == ENC_SET_INTSET) {
        for (size_t i = 0, n = intset_len(v->obj); i < n; i++)
            out[i] = (setv_pos_t)i;
        return;
    }
    if (v->enc == ENC_SET_LP) {
        for (unsigned char *p = lp_first(v->obj); p; p = lp_next(v->obj, p))
            out[k++] = (setv_pos_t)p;
        return;
    }
    setv_iter_init(&it, v);
    while (setv_iter_next(&it, &m, &pos))
        out[k++] = pos;
    setv_iter_done(&it);
}

/* A set of positions seen (open addressing; 0 marks a free slot, so
 * positions are stored plus one). */
typedef struct seen {
    setv_pos_t *slot;
    size_t mask;
} seen_t;

static bool seen_add(seen_t *s, setv_pos_t pos)
{
    uint64_t h = ((uint64_t)pos + 1) * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 20) & s->mask;
    while (s->slot[i]) {
        if (s->slot[i] == pos + 1)
            return false;
        i = (i + 1) & s->mask;
    }
    s->slot[i] = pos + 1;
    return true;
}

/* The partial shuffle: every position, the first count of a random
 * permutation. */
static int sample_dense(setv_t *v, size_t n, size_t count, setv_pos_t *out)
{
    setv_pos_t *all = malloc(n * sizeof *all);
    if (!all)
        return -ENOMEM;
    setv_all(v, all);
    for (size_t i = 0; i < count; i++) {
        size_t j = i + setv_rand_below(n - i);
        setv_pos_t t = all[i];
        all[i] = all[j];
        all[j] = t;
        out[i] = all[i];
    }
    free(all);
    return 0;
}

int setv_sample(setv_t *v, size_t count, setv_pos_t *out)
{
    size_t n = setv_len(v);
    if (count * 3 > n)
        return sample_dense(v, n, count, out);
    size_t cap = 16;
    while (cap < count * 2)
        cap <<= 1;
    seen_t s = {calloc(cap, sizeof *s.slot), cap - 1};
    if (!s.slot)
        return -ENOMEM;
    /* count <= n / 3: under 1.5 picks per member on average; the bound
     * only guards against a biased generator. */
    size_t k = 0, tries = 0, max_tries = count * 16 + 64;
    while (k < count && tries++ < max_tries) {
        setv_pos_t p = setv_random(v);
        if (seen_add(&s, p))
            out[k++] = p;
    }
    free(s.slot);
    return k == count ? 0 : sample_dense(v, n, count, out);
}

/* ---- iteration ---- */

void setv_iter_init(setv_iter_t *it, setv_t *v)
{
    it->v = v;
    it->i = 0;
    it->p = NULL;
    if (v->enc == ENC_SET_LP) {
        it->p = lp_first(v->obj);
    } else if (v->enc == ENC_SET_HT) {
        /* Nothing moves the table's buckets during the loop, even a
         * write to it between two steps. */
        ht_pause_rehash(v->obj);
        ht_iter_init(&it->hi, v->obj);
    }
}

bool setv_iter_next(setv_iter_t *it, setv_member_t *m, setv_pos_t *pos)
{
    setv_t *v = it->v;
    switch (v->enc) {
    case ENC_SET_INTSET:
        if (it->i >= intset_len(v->obj))
            return false;
        *pos = (setv_pos_t)it->i++;
        break;
    case ENC_SET_LP:
        if (!it->p)
            return false;
        *pos = (setv_pos_t)it->p;
        it->p = lp_next(v->obj, it->p);
        break;
    default: {
        ht_node_t *n = ht_iter_next(&it->hi);
        if (!n)
            return false;
        *pos = (setv_pos_t)n;
    }
    }
    setv_at(v, *pos, m);
    return true;
}

void setv_iter_done(setv_iter_t *it)
{
    if (it->v->enc == ENC_SET_HT)
        ht_resume_rehash(it->v->obj);
}
