/*
 * ht_walk.c - random access and traversal of the collection hash table
 * (see ht.h): random nodes, samples, reverse-binary-cursor scan, plain
 * iteration. The algorithms are those of store/db/dict.c (after Redis's
 * dict.c). Only public ht.h functions and the ht_t fields are used.
 *
 * Concurrency: none; the owning thread only.
 */
#include "store/enc/ht.h"

/* Nodes ht_random_fair chooses among. */
#define FAIR_SAMPLE 20

/* ---- random ---- */

/* Uniform in [0, n) by multiply-shift: no division, negligible bias. */

static size_t rand_below(ht_t *ht, size_t n)
{
    return (size_t)(((unsigned __int128)hash_rand_next(&ht->rng) * n) >> 64);
}

ht_node_t *ht_random(ht_t *ht)
{
    ht_node_t *e;

    if (ht_len(ht) == 0)
        return NULL;
    if (ht_is_rehashing(ht)) {
        /* Buckets below rehashidx are empty: draw from the rest of tab[0]
         * and all of tab[1]. */
        size_t lo = (size_t)ht->rehashidx;
        size_t span = ht->size[0] + ht->size[1] - lo;
        do {
            size_t i = lo + rand_below(ht, span);
            e = i >= ht->size[0] ? ht->tab[1][i - ht->size[0]] : ht->tab[0][i];
        } while (!e);
    } else {
        size_t mask = ht->size[0] - 1;
        do {
            e = ht->tab[0][hash_rand_next(&ht->rng) & mask];
        } while (!e);
    }
    size_t len = 0;
    for (ht_node_t *p = e; p; p = p->next)
        len++;
    for (size_t k = rand_below(ht, len); k; k--)
        e = e->next;
    return e;
}

size_t ht_sample(ht_t *ht, ht_node_t **out, size_t n)
{
    if (n > ht_len(ht))
        n = ht_len(ht);
    if (n == 0)
        return 0;
    bool two = ht_is_rehashing(ht);
    size_t span = ht->size[0] > ht->size[1] ? ht->size[0] : ht->size[1];
    size_t start = rand_below(ht, span), got = 0;
    size_t steps = n > SIZE_MAX / 10 ? SIZE_MAX : n * 10;
    if (steps < 100)
        steps = 100;
    if (steps > span)
        steps = span;   /* each index once: the nodes are distinct */
    for (size_t s = 0; s < steps && got < n; s++) {
        size_t i = (start + s) & (span - 1);
        for (int t = 0; t < (two ? 2 : 1); t++) {
            if (i >= ht->size[t] || (t == 0 && two && (long)i < ht->rehashidx))
                continue;
            for (ht_node_t *e = ht->tab[t][i]; e && got < n; e = e->next)
                out[got++] = e;
        }
    }
    return got;
}

ht_node_t *ht_random_fair(ht_t *ht)
{
    ht_node_t *s[FAIR_SAMPLE];
    size_t got = ht_sample(ht, s, FAIR_SAMPLE);
    return got ? s[rand_below(ht, got)] : ht_random(ht);
}

ht_node_t *ht_pop_random(ht_t *ht)
{
    ht_node_t *n = ht_random(ht);
    if (n)
        ht_unlink_node(ht, n);
    return n;
}

/* ---- traversal ---- */

static inline size_t rev_bits(size_t v)
{
    size_t s = sizeof(v) * 8, mask = ~(size_t)0;
    while ((s >>= 1) > 0) {
        mask ^= (mask << s);
        v = ((v >> s) & mask) | ((v << s) & ~mask);
    }
    return v;
}

/* Advance the cursor under mask: increment its bit-reversed value, so
 * the high bits change first and a bucket's split or merged images under
 * another table size are visited together. */
static inline size_t next_cursor(size_t v, size_t mask)
{
    v |= ~mask;
    return rev_bits(rev_bits(v) + 1);
}

static void emit_bucket(const ht_node_t *e, ht_scan_fn fn, void *arg)
{
    while (e) {
        const ht_node_t *next = e->next;
        fn(arg, e);
        e = next;
    }
}

size_t ht_scan(ht_t *ht, size_t v, ht_scan_fn fn, void *arg)
{
    if (ht_len(ht) == 0)
        return 0;
    if (!ht_is_rehashing(ht)) {
        size_t m0 = ht->size[0] - 1;
        emit_bucket(ht->tab[0][v & m0], fn, arg);
        return next_cursor(v, m0);
    }
    int small = ht->size[0] <= ht->size[1] ? 0 : 1, big = !small;
    size_t m0 = ht->size[small] - 1, m1 = ht->size[big] - 1;
    emit_bucket(ht->tab[small][v & m0], fn, arg);
    /* Then every bucket of the bigger table that expands that one. */
    do {
        emit_bucket(ht->tab[big][v & m1], fn, arg);
        v = next_cursor(v, m1);
    } while (v & (m0 ^ m1));
    return v;
}

void ht_iter_init(ht_iter_t *it, ht_t *ht)
{
    it->ht = ht;
    it->next = NULL;
    it->idx = 0;
    it->table = 0;
}

ht_node_t *ht_iter_next(ht_iter_t *it)
{
    ht_t *ht = it->ht;
    while (!it->next) {
        if (it->idx >= ht->size[it->table]) {
            if (it->table == 1 || !ht->tab[1])
                return NULL;
            it->table = 1;
            it->idx = 0;
            continue;
        }
        it->next = ht->tab[it->table][it->idx++];
    }
    ht_node_t *n = it->next;
    it->next = n->next;
    return n;
}
