/*
 * dict.c - incremental-rehash chained hash table (see dict.h).
 *
 * Concurrency: none; the owning shard thread only.
 */
#include "dict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_SIZE 4
/* Shrink below 1/MIN_FILL_RATIO full (Redis: 10%). */
#define MIN_FILL_RATIO 10
/* Empty buckets a single rehash step may skip per bucket moved. */
#define EMPTY_VISITS 10

void dict_init(dict_t *d, uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->rehashidx = -1;
    hash_seed_init(&d->seed, seed);
    d->rng = d->seed.k0 ^ d->seed.k1;
}

uint64_t dict_hash(const dict_t *d, const void *key, size_t klen)
{
    return hash_bytes(key, klen, &d->seed);
}

static inline uint64_t entry_hash(const dict_t *d, const entry_t *e)
{
    return hash_bytes(e->key, e->klen, &d->seed);
}

static size_t next_pow2(size_t n)
{
    size_t s = INITIAL_SIZE;
    while (s < n && s < ((size_t)1 << 62))
        s <<= 1;
    return s;
}

/* Start using a table of at least `want` buckets: the first table directly,
 * later ones through incremental rehashing. */
static int resize(dict_t *d, size_t want)
{
    size_t sz = next_pow2(want);
    if (dict_is_rehashing(d) || sz == d->size[0])
        return 0;
    /* calloc of a big array maps zero pages lazily: no pause here either. */
    entry_t **t = calloc(sz, sizeof *t);
    if (!t)
        return -ENOMEM;
    if (!d->tab[0]) {
        d->tab[0] = t;
        d->size[0] = sz;
        return 0;
    }
    d->tab[1] = t;
    d->size[1] = sz;
    d->rehashidx = 0;
    return 0;
}

static void finish_rehash(dict_t *d)
{
    free(d->tab[0]);
    d->tab[0] = d->tab[1];
    d->size[0] = d->size[1];
    d->used[0] = d->used[1];
    d->tab[1] = NULL;
    d->size[1] = 0;
    d->used[1] = 0;
    d->rehashidx = -1;
}

static void maybe_shrink(dict_t *d)
{
    if (dict_is_rehashing(d) || d->shrink_paused || d->size[0] <= INITIAL_SIZE)
        return;
    if (d->used[0] * MIN_FILL_RATIO < d->size[0])
        (void)resize(d, d->used[0]);
}

bool dict_rehash_step(dict_t *d, size_t n)
{
    size_t empty = n * EMPTY_VISITS;

    if (!dict_is_rehashing(d))
        return false;
    size_t mask1 = d->size[1] - 1;
    while (n-- && d->used[0] != 0) {
        /* used[0] > 0 guarantees a non-empty bucket at or after rehashidx. */
        while (d->tab[0][d->rehashidx] == NULL) {
            d->rehashidx++;
            if (--empty == 0)
                return true;
        }
        entry_t *e = d->tab[0][d->rehashidx];
        while (e) {
            entry_t *next = e->next;
            size_t idx = entry_hash(d, e) & mask1;
            e->next = d->tab[1][idx];
            d->tab[1][idx] = e;
            d->used[0]--;
            d->used[1]++;
            e = next;
        }
        d->tab[0][d->rehashidx] = NULL;
        d->rehashidx++;
    }
    if (d->used[0] == 0) {
        finish_rehash(d);
        /* Deletions during a shrink may leave the result sparse again:
         * shrinking is only checked here and on delete, so check now. */
        maybe_shrink(d);
        return dict_is_rehashing(d);
    }
    return true;
}

/* Link slot holding the entry with this key, or NULL; *table tells which
 * table it is in. While rehashing, a key can be in either table whatever
 * its bucket: inserts go to tab[1] even for buckets not yet moved. */
static entry_t **find_ref(dict_t *d, const void *key, size_t klen, uint64_t h, int *table)
{
    for (int t = 0; t < 2; t++) {
        if (!d->size[t])
            break;
        size_t idx = h & (d->size[t] - 1);
        /* Buckets below rehashidx were already moved to tab[1]. */
        if (t == 0 && dict_is_rehashing(d) && (long)idx < d->rehashidx)
            continue;
        for (entry_t **ref = &d->tab[t][idx]; *ref; ref = &(*ref)->next) {
            if (entry_key_eq(*ref, key, klen)) {
                *table = t;
                return ref;
            }
        }
        if (!dict_is_rehashing(d))
            break;
    }
    return NULL;
}

/* The bucket a lookup of h reads first (the new table's while rehashing:
 * most lookups end there once the move is under way). */
static entry_t *const *bucket_of(const dict_t *d, uint64_t h)
{
    int t = dict_is_rehashing(d) ? 1 : 0;
    if (!d->size[t])
        return NULL;
    return &d->tab[t][h & (d->size[t] - 1)];
}

void dict_prefetch_bucket(const dict_t *d, uint64_t h)
{
    entry_t *const *b = bucket_of(d, h);
    if (b)
        __builtin_prefetch(b);
}

void dict_prefetch_entry(const dict_t *d, uint64_t h)
{
    entry_t *const *b = bucket_of(d, h);
    if (b && *b)
        __builtin_prefetch(*b);
}

entry_t *dict_find(dict_t *d, const void *key, size_t klen)
{
    if (dict_size(d) == 0)
        return NULL;
    if (dict_is_rehashing(d))
        dict_rehash_step(d, 1);
    int t;
    entry_t **ref = find_ref(d, key, klen, dict_hash(d, key, klen), &t);
    return ref ? *ref : NULL;
}

int dict_add(dict_t *d, entry_t *e)
{
    if (dict_is_rehashing(d))
        dict_rehash_step(d, 1);
    if (!d->tab[0]) {
        if (resize(d, INITIAL_SIZE) != 0)
            return -ENOMEM;
    } else if (!dict_is_rehashing(d) && d->used[0] >= d->size[0]) {
        /* Failure is tolerated: chains just get longer until memory frees. */
        (void)resize(d, d->used[0] + 1);
    }
    int t = dict_is_rehashing(d) ? 1 : 0;
    size_t idx = entry_hash(d, e) & (d->size[t] - 1);
    e->next = d->tab[t][idx];
    d->tab[t][idx] = e;
    d->used[t]++;
    return 0;
}

entry_t *dict_unlink(dict_t *d, const void *key, size_t klen)
{
    if (dict_size(d) == 0)
        return NULL;
    if (dict_is_rehashing(d))
        dict_rehash_step(d, 1);
    int t;
    entry_t **ref = find_ref(d, key, klen, dict_hash(d, key, klen), &t);
    if (!ref)
        return NULL;
    entry_t *e = *ref;
    *ref = e->next;
    e->next = NULL;
    d->used[t]--;
    maybe_shrink(d);
    return e;
}

void dict_replace(dict_t *d, entry_t *old, entry_t *neu)
{
    int t;
    entry_t **ref = find_ref(d, old->key, old->klen, entry_hash(d, old), &t);
    neu->next = old->next;
    *ref = neu;
    old->next = NULL;
}

entry_t *dict_random(dict_t *d)
{
    entry_t *e;

    if (dict_size(d) == 0)
        return NULL;
    if (dict_is_rehashing(d))
        dict_rehash_step(d, 1);
    if (dict_is_rehashing(d)) {
        /* Buckets below rehashidx are empty: draw from the rest of tab[0]
         * and all of tab[1]. */
        size_t span = d->size[0] + d->size[1] - (size_t)d->rehashidx;
        do {
            size_t h = (size_t)d->rehashidx + hash_rand_next(&d->rng) % span;
            e = h >= d->size[0] ? d->tab[1][h - d->size[0]] : d->tab[0][h];
        } while (!e);
    } else {
        size_t mask = d->size[0] - 1;
        do {
            e = d->tab[0][hash_rand_next(&d->rng) & mask];
        } while (!e);
    }
    size_t n = 0;
    for (entry_t *p = e; p; p = p->next)
        n++;
    for (size_t k = hash_rand_next(&d->rng) % n; k; k--)
        e = e->next;
    return e;
}

static inline size_t rev_bits(size_t v)
{
    size_t s = sizeof(v) * 8, mask = ~(size_t)0;
    while ((s >>= 1) > 0) {
        mask ^= (mask << s);
        v = ((v >> s) & mask) | ((v << s) & ~mask);
    }
    return v;
}

static inline void emit_bucket(entry_t *e, dict_scan_fn fn, void *arg)
{
    while (e) {
        entry_t *next = e->next;
        fn(arg, e);
        e = next;
    }
}

size_t dict_scan(dict_t *d, size_t v, dict_scan_fn fn, void *arg)
{
    if (dict_size(d) == 0)
        return 0;
    if (!dict_is_rehashing(d)) {
        size_t m0 = d->size[0] - 1;
        emit_bucket(d->tab[0][v & m0], fn, arg);
        /* Increment the reversed cursor: high bits first, so buckets that a
         * resize splits or merges are visited together. */
        v |= ~m0;
        v = rev_bits(v);
        v++;
        return rev_bits(v);
    }
    int small = d->size[0] <= d->size[1] ? 0 : 1, big = !small;
    size_t m0 = d->size[small] - 1, m1 = d->size[big] - 1;
    emit_bucket(d->tab[small][v & m0], fn, arg);
    /* Then every bucket of the bigger table that expands that one. */
    do {
        emit_bucket(d->tab[big][v & m1], fn, arg);
        v |= ~m1;
        v = rev_bits(v);
        v++;
        v = rev_bits(v);
    } while (v & (m0 ^ m1));
    return v;
}

bool dict_clear_step(dict_t *d, size_t *budget, size_t *freed,
                     dict_free_fn free_fn, void *arg)
{
    /* Table 0 first, then table 1; clear_idx is the bucket reached in the
     * first table still allocated. */
    for (;;) {
        int t = d->tab[0] ? 0 : d->tab[1] ? 1 : -1;
        if (t < 0)
            break;
        while (d->clear_idx < d->size[t]) {
            if (*budget == 0)
                return false;
            entry_t *e = d->tab[t][d->clear_idx];
            if (!e) {
                /* An empty bucket costs one unit; a full one is paid for
                 * by its entries, so every call with budget makes
                 * progress. */
                (*budget)--;
                d->clear_idx++;
                continue;
            }
            while (e && *budget) {
                entry_t *next = e->next;
                *freed += entry_mem(e);
                if (free_fn)
                    free_fn(arg, e);
                else
                    entry_free(e);
                (*budget)--;
                e = next;
            }
            d->tab[t][d->clear_idx] = e;
            if (e)
                return false;
            d->clear_idx++;
        }
        free(d->tab[t]);
        d->tab[t] = NULL;
        d->size[t] = 0;
        d->used[t] = 0;
        d->clear_idx = 0;
    }
    d->rehashidx = -1;
    return true;
}

void dict_release(dict_t *d)
{
    size_t budget = SIZE_MAX, freed = 0;
    dict_clear_step(d, &budget, &freed, NULL, NULL);
}

void dict_move(dict_t *dst, dict_t *src)
{
    *dst = *src;
    dst->clear_idx = 0;
    dst->shrink_paused = 0;
    src->tab[0] = src->tab[1] = NULL;
    src->size[0] = src->size[1] = 0;
    src->used[0] = src->used[1] = 0;
    src->rehashidx = -1;
    src->clear_idx = 0;
}
