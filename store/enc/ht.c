/*
 * ht.c - chained hash table with inline nodes and incremental rehashing
 * (see ht.h): node layout, lookups, updates, resizing. The resizing
 * rules are those of store/db/dict.c over a different node type. Random
 * access and traversal are in ht_walk.c.
 *
 * Concurrency: none; the owning thread only.
 */
#include "store/enc/ht.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_SIZE 4
/* Shrink below 1/MIN_FILL_RATIO full (Redis: 10%). */
#define MIN_FILL_RATIO 10
/* Empty buckets a rehash step may skip per bucket moved. */
#define EMPTY_VISITS 10
/* ht_set_val reallocates to give memory back only above this size. */
#define SHRINK_MIN 64
/* Longest key/value accepted: keeps node size arithmetic far from
 * overflow (clients are limited to 512 MB anyway). */
#define MAX_LEN ((size_t)1 << 40)

/* ---- node layout ---- */

static size_t varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static unsigned char *varint_put(unsigned char *p, size_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

#define varint_get ht__varint_get

const char *ht_val(const ht_node_t *n, size_t *len)
{
    size_t klen;
    const unsigned char *k = varint_get(n->data, &klen);
    return (const char *)varint_get(k + klen, len);
}

size_t ht_node_mem(const ht_node_t *n)
{
    return malloc_usable_size((void *)n);
}

void ht_node_free(ht_node_t *n)
{
    free(n);
}

static bool key_eq(const ht_node_t *n, const void *key, size_t klen)
{
    size_t l;
    const unsigned char *k = varint_get(n->data, &l);
    return l == klen && (klen == 0 || memcmp(k, key, klen) == 0);
}

uint64_t ht_hash(const ht_t *ht, const void *key, size_t klen)
{
    return hash_bytes(key, klen, &ht->seed);
}

static uint64_t node_hash(const ht_t *ht, const ht_node_t *n)
{
    size_t klen;
    const char *k = ht_key(n, &klen);
    return hash_bytes(k, klen, &ht->seed);
}

/* ---- lifetime ---- */

ht_t *ht_new(bool map, uint64_t seed)
{
    ht_t *ht = calloc(1, sizeof *ht);
    if (!ht)
        return NULL;
    ht->rehashidx = -1;
    ht->map = map;
    hash_seed_init(&ht->seed, seed);
    ht->rng = ht->seed.k0 ^ ht->seed.k1;
    ht->mem = sizeof *ht;
    return ht;
}

bool ht_free_step(ht_t *ht, size_t *budget)
{
    /* Table 0 first, then table 1; free_idx is the bucket reached in the
     * first table still allocated. A unit of budget is a freed node or a
     * skipped empty bucket, so every call with *budget > 0 progresses. */
    for (int t = 0; t < 2; t++) {
        if (!ht->tab[t])
            continue;   /* never allocated, or freed by an earlier call */
        for (; ht->free_idx < ht->size[t]; ht->free_idx++) {
            ht_node_t *n = ht->tab[t][ht->free_idx];
            if (!n) {
                if (*budget == 0)
                    return false;
                (*budget)--;
            }
            for (; n; n = ht->tab[t][ht->free_idx]) {
                if (*budget == 0)
                    return false;
                (*budget)--;
                ht->tab[t][ht->free_idx] = n->next;
                free(n);
            }
        }
        free(ht->tab[t]);
        ht->tab[t] = NULL;
        ht->size[t] = 0;
        ht->free_idx = 0;
    }
    free(ht);
    return true;
}

void ht_free(ht_t *ht)
{
    size_t budget = SIZE_MAX;
    if (ht)
        ht_free_step(ht, &budget);
}

/* ---- resizing ---- */

static size_t next_pow2(size_t n)
{
    size_t s = INITIAL_SIZE;
    while (s < n && s < ((size_t)1 << 60))
        s <<= 1;
    return s;
}

/* Start using a table of at least `want` buckets: the first table
 * directly, later ones through incremental rehashing. */
static int resize(ht_t *ht, size_t want)
{
    size_t sz = next_pow2(want);
    if (ht_is_rehashing(ht) || sz == ht->size[0])
        return 0;
    ht_node_t **t = calloc(sz, sizeof *t);
    if (!t)
        return -ENOMEM;
    ht->mem += sz * sizeof *t;
    int i = ht->tab[0] ? 1 : 0;
    ht->tab[i] = t;
    ht->size[i] = sz;
    if (i == 1)
        ht->rehashidx = 0;
    return 0;
}

static void finish_rehash(ht_t *ht)
{
    free(ht->tab[0]);
    ht->mem -= ht->size[0] * sizeof(ht_node_t *);
    ht->tab[0] = ht->tab[1];
    ht->size[0] = ht->size[1];
    ht->used[0] = ht->used[1];
    ht->tab[1] = NULL;
    ht->size[1] = 0;
    ht->used[1] = 0;
    ht->rehashidx = -1;
}

static void maybe_shrink(ht_t *ht)
{
    if (ht_is_rehashing(ht) || ht->size[0] <= INITIAL_SIZE)
        return;
    if (ht->used[0] * MIN_FILL_RATIO < ht->size[0])
        (void)resize(ht, ht->used[0]);
}

/* Move up to n non-empty buckets, skipping at most 10 n empty ones. */
static bool rehash(ht_t *ht, size_t n)
{
    size_t empty = n * EMPTY_VISITS;
    size_t mask1 = ht->size[1] - 1;

    while (n-- && ht->used[0] != 0) {
        /* used[0] > 0 guarantees a non-empty bucket at or after rehashidx. */
        while (ht->tab[0][ht->rehashidx] == NULL) {
            ht->rehashidx++;
            if (--empty == 0)
                return true;
        }
        ht_node_t *e = ht->tab[0][ht->rehashidx];
        while (e) {
            ht_node_t *next = e->next;
            size_t idx = node_hash(ht, e) & mask1;
            e->next = ht->tab[1][idx];
            ht->tab[1][idx] = e;
            ht->used[0]--;
            ht->used[1]++;
            e = next;
        }
        ht->tab[0][ht->rehashidx] = NULL;
        ht->rehashidx++;
    }
    if (ht->used[0] == 0) {
        finish_rehash(ht);
        /* Deletions during a shrink may leave the result sparse again;
         * shrinking is only checked here and on delete. */
        maybe_shrink(ht);
    }
    return ht_is_rehashing(ht);
}

bool ht_rehash_step(ht_t *ht, size_t n)
{
    if (!ht_is_rehashing(ht))
        return false;
    return ht->paused ? true : rehash(ht, n);
}

/* The one bucket every operation moves. */
static void step(ht_t *ht)
{
    if (ht_is_rehashing(ht) && !ht->paused)
        rehash(ht, 1);
}

/* ---- lookup ---- */

/* Link slot holding the node with key (or, if node is not NULL, holding
 * that node), or NULL; *table tells which table. While rehashing a key
 * can be in either table: inserts go to tab[1] even for buckets not yet
 * moved, and tab[0] buckets below rehashidx are already empty. */
static ht_node_t **find_ref(ht_t *ht, const void *key, size_t klen,
                            const ht_node_t *node, int *table)
{
    uint64_t h = ht_hash(ht, key, klen);
    for (int t = 0; t < 2 && ht->size[t]; t++) {
        size_t idx = h & (ht->size[t] - 1);
        if (t == 1 || !ht_is_rehashing(ht) || (long)idx >= ht->rehashidx) {
            for (ht_node_t **ref = &ht->tab[t][idx]; *ref; ref = &(*ref)->next) {
                if (node ? *ref == node : key_eq(*ref, key, klen)) {
                    *table = t;
                    return ref;
                }
            }
        }
        if (!ht_is_rehashing(ht))
            break;
    }
    return NULL;
}

static ht_node_t **node_ref(ht_t *ht, const ht_node_t *n, int *table)
{
    size_t klen;
    const char *k = ht_key(n, &klen);
    return find_ref(ht, k, klen, n, table);
}

ht_node_t *ht_find(ht_t *ht, const void *key, size_t klen)
{
    if (ht_len(ht) == 0)
        return NULL;
    int t;
    ht_node_t **ref = find_ref(ht, key, klen, NULL, &t);
    return ref ? *ref : NULL;
}

/* ---- insert, update, remove ---- */

int ht_link(ht_t *ht, ht_node_t *n)
{
    step(ht);
    if (!ht->tab[0]) {
        if (resize(ht, INITIAL_SIZE) != 0)
            return -ENOMEM;
    } else if (!ht_is_rehashing(ht) && ht->used[0] >= ht->size[0]) {
        /* Failure is tolerated: chains get longer until memory frees. */
        (void)resize(ht, ht->used[0] + 1);
    }
    int t = ht_is_rehashing(ht) ? 1 : 0;
    size_t idx = node_hash(ht, n) & (ht->size[t] - 1);
    n->next = ht->tab[t][idx];
    ht->tab[t][idx] = n;
    ht->used[t]++;
    ht->mem += malloc_usable_size(n);
    return 0;
}

/* Bytes of a node up to and including its key. */
static size_t key_part(size_t klen)
{
    return sizeof(ht_node_t) + varint_len(klen) + klen;
}

ht_node_t *ht_node_new(const ht_t *ht, const void *key, size_t klen, const void *val,
                       size_t vlen)
{
    if (!ht->map)
        vlen = 0;
    if (klen > MAX_LEN || vlen > MAX_LEN)
        return NULL;
    size_t size = key_part(klen) + (ht->map ? varint_len(vlen) + vlen : 0);
    ht_node_t *n = malloc(size);
    if (!n)
        return NULL;
    n->next = NULL;
    unsigned char *p = varint_put(n->data, klen);
    if (klen)
        memcpy(p, key, klen);
    if (ht->map) {
        p = varint_put(p + klen, vlen);
        if (vlen)
            memcpy(p, val, vlen);
    }
    return n;
}

ht_node_t *ht_add(ht_t *ht, const void *key, size_t klen, const void *val, size_t vlen)
{
    ht_node_t *n = ht_node_new(ht, key, klen, val, vlen);
    if (n && ht_link(ht, n) != 0) {
        free(n);
        return NULL;
    }
    return n;
}

ht_node_t *ht_set_val(ht_t *ht, ht_node_t *n, const void *val, size_t vlen)
{
    if (!ht->map || vlen > MAX_LEN)
        return NULL;
    size_t klen;
    ht_key(n, &klen);
    size_t head = key_part(klen);
    size_t need = head + varint_len(vlen) + vlen;
    size_t have = malloc_usable_size(n);
    ht_node_t *r = n;

    if (need > have || (have > SHRINK_MIN && need < have / 2)) {
        r = malloc(need);
        if (!r && need > have)
            return NULL;
        if (!r)
            r = n;  /* could not give memory back: keep the bigger node */
    }
    unsigned char *p = varint_put((unsigned char *)r + head, vlen);
    if (vlen)
        memmove(p, val, vlen);
    if (r != n) {
        int t;
        ht_node_t **ref = node_ref(ht, n, &t);
        memcpy(r, n, head);     /* next pointer and key */
        *ref = r;
        ht->mem = ht->mem - have + malloc_usable_size(r);
        free(n);
    }
    return r;
}

static void unlink_at(ht_t *ht, ht_node_t **ref, int t)
{
    ht_node_t *n = *ref;
    *ref = n->next;
    n->next = NULL;
    ht->used[t]--;
    ht->mem -= malloc_usable_size(n);
    maybe_shrink(ht);
}

void ht_unlink_node(ht_t *ht, ht_node_t *n)
{
    step(ht);
    int t;
    ht_node_t **ref = node_ref(ht, n, &t);
    unlink_at(ht, ref, t);
}

ht_node_t *ht_unlink(ht_t *ht, const void *key, size_t klen)
{
    if (ht_len(ht) == 0)
        return NULL;
    step(ht);
    int t;
    ht_node_t **ref = find_ref(ht, key, klen, NULL, &t);
    if (!ref)
        return NULL;
    ht_node_t *n = *ref;
    unlink_at(ht, ref, t);
    return n;
}

bool ht_delete(ht_t *ht, const void *key, size_t klen)
{
    ht_node_t *n = ht_unlink(ht, key, klen);
    free(n);
    return n != NULL;
}
