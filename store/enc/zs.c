/*
 * zs.c - the big form of a sorted set (see zs.h): the member index, which
 * is a map-mode hash table of store/enc/ht.h (member -> 8-byte score, so
 * its rules are ht.c's: incremental rehash on writes only, Redis's scan
 * cursor), and the glue to the B+tree of zs_tree.c / zs_tree_del.c (the
 * order, ranks, iteration), whose leaves point at the index's nodes.
 *
 * Every write (insert, update, delete) does one step of the index's
 * rehashing, as a write to an ht does; reads do none, so zs_mem changes
 * only at writes.
 *
 * Fan-out (zs_tree.h), measured on 1M members of 16 bytes (test_zs's
 * speed test, -O2): leaves of 28, 60 and 124 pointers with inner nodes of
 * 16, 32 and 64 children; 60/32 is the best mix of rank/find/range speed
 * and memory (see the numbers in the test's output), 124 saves ~2 bytes
 * per member but costs more per insert and delete (longer moves).
 *
 * Concurrency: none; the owning thread only.
 */
#include "store/enc/zs.h"

#include <malloc.h>
#include <stdlib.h>

#include "store/base/hash.h"
#include "store/enc/ht.h"
#include "store/enc/zs_tree.h"

struct zs {
    zt_t tree;
    ht_t *index;            /* NULL once zs_free_step has freed it */
    bool freeing;           /* zs_free_step has started */
};

static ht_node_t *as_ht(zs_node_t *n)
{
    return (ht_node_t *)n;
}

static zs_node_t *as_zs(ht_node_t *n)
{
    return (zs_node_t *)n;
}

double zs_score(const zs_node_t *n)
{
    return zn_score(n);
}

const char *zs_member(const zs_node_t *n, size_t *len)
{
    return (const char *)zn_member(n, len);
}

/* ---- lifetime ---- */

zs_t *zs_new_fanout(uint64_t seed, unsigned leaf, unsigned inner)
{
    if (leaf < 4 || leaf > ZS_LEAF_CAP || inner < 4 || inner > ZS_INNER_CAP)
        return NULL;
    zs_t *zs = calloc(1, sizeof *zs);
    if (!zs)
        return NULL;
    zs->index = ht_new(true, seed);
    if (!zs->index) {
        free(zs);
        return NULL;
    }
    zs->tree.lcap = leaf;
    zs->tree.icap = inner;
    return zs;
}

zs_t *zs_new(uint64_t seed)
{
    return zs_new_fanout(seed, ZS_LEAF_CAP, ZS_INNER_CAP);
}

bool zs_free_step(zs_t *zs, size_t *budget)
{
    /* The index owns the nodes: free it first (a unit per node and per
     * empty bucket); the tree's leaves then hold dangling pointers, which
     * it frees a leaf at a time without reading them. */
    zs->freeing = true;
    if (zs->index) {
        if (!ht_free_step(zs->index, budget))
            return false;
        zs->index = NULL;
    }
    if (!zt_free_step(&zs->tree, budget, NULL, NULL))
        return false;
    free(zs);
    return true;
}

void zs_free(zs_t *zs)
{
    size_t budget = SIZE_MAX;
    if (zs)
        zs_free_step(zs, &budget);
}

/* ---- size ---- */

size_t zs_len(const zs_t *zs)
{
    return zs->tree.len;
}

size_t zs_mem(const zs_t *zs)
{
    return malloc_usable_size((void *)zs) + ht_mem(zs->index) + zs->tree.mem;
}

void zs_index_sizes(const zs_t *zs, size_t size[2])
{
    size[0] = zs->index->size[0];
    size[1] = zs->index->size[1];
}

/* ---- by member ---- */

zs_node_t *zs_find(zs_t *zs, const char *m, size_t len)
{
    return as_zs(ht_find(zs->index, m, len));
}

zs_node_t *zs_insert(zs_t *zs, const char *m, size_t len, double score)
{
    /* Node, then its place in the tree, then the index (whose only failure
     * is its first bucket array): each failure undoes what came before,
     * so the set and zs_mem are as they were. */
    ht_node_t *h = ht_node_new(zs->index, m, len, &score, sizeof score);
    if (!h)
        return NULL;
    zs_node_t *n = as_zs(h);
    zt_key_t k = {.s = score};
    k.m = zn_member(n, &k.len);
    size_t rank;
    if (zt_insert(&zs->tree, n, &k, &rank) != 0) {
        ht_node_free(h);
        return NULL;
    }
    if (ht_link(zs->index, h) != 0) {
        zt_remove(&zs->tree, rank, 1, NULL, NULL);
        ht_node_free(h);
        return NULL;
    }
    return n;
}

int zs_update(zs_t *zs, zs_node_t *n, double score)
{
    int rc = zt_move(&zs->tree, n, score);
    if (rc == 0)
        (void)ht_rehash_step(zs->index, 1);
    return rc;
}

/* Take n out of the index and free it (ht_unlink_node: a write's step). */
static void drop_node(void *arg, zs_node_t *n)
{
    zs_t *zs = arg;
    ht_unlink_node(zs->index, as_ht(n));
    ht_node_free(as_ht(n));
}

void zs_delete(zs_t *zs, zs_node_t *n)
{
    zt_remove(&zs->tree, zt_rank(&zs->tree, n), 1, drop_node, zs);
}

/* ---- by rank ---- */

size_t zs_rank(zs_t *zs, const zs_node_t *n)
{
    return zt_rank(&zs->tree, n);
}

zs_node_t *zs_at(zs_t *zs, size_t rank)
{
    return zt_at(&zs->tree, rank);
}

size_t zs_lower_score(zs_t *zs, double s, bool excl)
{
    return zt_lower_score(&zs->tree, s, excl);
}

size_t zs_lower_lex(zs_t *zs, const char *m, size_t len, bool excl)
{
    return zt_lower_lex(&zs->tree, (const unsigned char *)m, len, excl);
}

size_t zs_delete_range(zs_t *zs, size_t start, size_t count)
{
    size_t len = zs_len(zs);
    if (start >= len)
        return 0;
    if (count > len - start)
        count = len - start;
    zt_remove(&zs->tree, start, count, drop_node, zs);
    return count;
}

/* ---- iteration ---- */

/* priv[0]: the leaf (NULL: ended), priv[1]: the position in it, priv[2]:
 * non-NULL going up. */
void zs_iter_init(zs_iter_t *it, zs_t *zs, size_t rank, bool up)
{
    it->priv[0] = NULL;
    it->priv[1] = NULL;
    it->priv[2] = up ? it : NULL;
    it->priv[3] = NULL;
    if (rank >= zs_len(zs))
        return;
    zt_path_t p;
    zt_seek(&zs->tree, rank, &p);
    it->priv[0] = p.leaf;
    it->priv[1] = (void *)(uintptr_t)p.pos;
}

zs_node_t *zs_iter_next(zs_iter_t *it)
{
    zt_leaf_t *lf = it->priv[0];
    if (!lf)
        return NULL;
    uintptr_t pos = (uintptr_t)it->priv[1];
    zs_node_t *n = lf->e[pos];
    if (it->priv[2]) {
        if (++pos == lf->n) {
            it->priv[0] = lf->next;
            pos = 0;
        }
    } else if (pos == 0) {
        it->priv[0] = lf = lf->prev;
        pos = lf ? lf->n - 1 : 0;
    } else {
        pos--;
    }
    it->priv[1] = (void *)pos;
    return n;
}

/* ---- random and scan ---- */

zs_node_t *zs_random(zs_t *zs, uint64_t *rng)
{
    size_t len = zs_len(zs);
    if (len == 0)
        return NULL;
    size_t r = (size_t)(((unsigned __int128)hash_rand_next(rng) * len) >> 64);
    return zt_at(&zs->tree, r);
}

struct scan_arg {
    zs_scan_fn fn;
    void *arg;
};

static void scan_one(void *arg, const ht_node_t *n)
{
    struct scan_arg *a = arg;
    a->fn(a->arg, (const zs_node_t *)n);
}

size_t zs_scan(zs_t *zs, size_t cursor, zs_scan_fn fn, void *arg)
{
    struct scan_arg a = {fn, arg};
    return ht_scan(zs->index, cursor, scan_one, &a);
}

/* ---- checks ---- */

bool zs_validate(const zs_t *zs)
{
    if (zs->freeing || !zt_validate(&zs->tree) || ht_len(zs->index) != zs_len(zs))
        return false;
    /* Every member in the order is the node the index finds (the index's
     * own shape is test_ht's business). */
    zs_t *w = (zs_t *)zs;   /* ht_find and the iterator change nothing */
    zs_iter_t it;
    zs_iter_init(&it, w, 0, true);
    for (zs_node_t *n; (n = zs_iter_next(&it));) {
        size_t len;
        const char *m = zs_member(n, &len);
        if (zs_find(w, m, len) != n)
            return false;
    }
    return true;
}
