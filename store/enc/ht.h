/*
 * ht.h - chained hash table of set members or hash field/value pairs.
 *
 * The encoding of big sets and hashes ("hashtable"). Each element is ONE
 * allocation, the chain pointer followed by the bytes:
 *
 *   set mode:  next | varint klen | key
 *   map mode:  next | varint klen | key | varint vlen | value
 *
 * (varint: 7 bits per byte, low bits first, high bit = more; one byte
 * below 128.) So an element costs one small malloc chunk plus its bucket
 * slot, against Redis's dictEntry plus one or two sds strings. The hash is
 * not stored: rehashing recomputes it. Keys and values are binary-safe;
 * length 0 is fine.
 *
 * Resizing copies the keyspace dict's rules (store/db/dict.c): grow when
 * elements == buckets, shrink (never below 4 buckets) when under 10% full,
 * and move the elements incrementally: every write moves one bucket
 * (skipping at most 10 empty ones) and ht_rehash_step moves more in idle
 * time. Reads (ht_find, the random picks, scans, iteration) never move
 * nodes nor change ht_mem: the keyspace counts a collection's memory at
 * its writes, so a read must leave it as it was. While rehashing, lookups look in both tables and inserts go to the
 * new one. No call does work proportional to the table size except
 * ht_free; the new bucket array comes from calloc, which maps zero pages
 * lazily.
 *
 * Ownership: the table owns its linked nodes. Node pointers stay valid
 * until that node is deleted, unlinked or moved by ht_set_val (which
 * returns the new pointer); rehashing moves nodes between buckets but
 * never reallocates them.
 *
 * Implementation: ht.c (nodes, lookups, updates, resizing) and ht_walk.c
 * (random access, scan, iteration); build and link both.
 *
 * Concurrency: none. A table belongs to one thread. ht_t's fields are
 * private to ht.c/ht_walk.c (exposed for embedding and the tests' checks).
 */
#ifndef FLASHKV_STORE_ENC_HT_H
#define FLASHKV_STORE_ENC_HT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/base/hash.h"

typedef struct ht_node {
    struct ht_node *next;   /* hash chain; owned by ht.c */
    unsigned char data[];   /* varint klen, key [, varint vlen, value] */
} ht_node_t;

typedef struct ht {
    ht_node_t **tab[2];     /* tab[1] is non-NULL only while rehashing */
    size_t size[2];         /* bucket counts: 0 or a power of two */
    size_t used[2];         /* nodes linked in each table */
    long rehashidx;         /* next tab[0] bucket to move; -1 = not rehashing */
    size_t mem;             /* running total reported by ht_mem */
    size_t free_idx;        /* progress of ht_free_step */
    unsigned paused;        /* ht_pause_rehash nesting depth */
    bool map;               /* nodes carry a value */
    hash_seed_t seed;
    uint64_t rng;           /* splitmix64 state for the random functions */
} ht_t;

/* Callback for ht_scan. It must not add, remove or reallocate nodes. */
typedef void (*ht_scan_fn)(void *arg, const ht_node_t *n);

/* Plain iterator: see ht_iter_init. Fields private. */
typedef struct ht_iter {
    ht_t *ht;
    ht_node_t *next;        /* next node to return (read ahead) */
    size_t idx;             /* next bucket of tab[table] to load */
    int table;
} ht_iter_t;

/* ---- lifetime ---- */

/* Empty table, set mode (members only) or map mode (field + value). seed
 * 0 picks a random hash seed; a fixed one makes tests reproducible. No
 * bucket array until the first insert. NULL on allocation failure. */
ht_t *ht_new(bool map, uint64_t seed);

/* Free the table and every node (NULL is fine). O(n): for small tables
 * and teardown; big ones go through ht_free_step. */
void ht_free(ht_t *ht);

/* Free at most *budget units of work (a unit: one node freed or one empty
 * bucket skipped), decreasing *budget; any budget > 0 makes progress.
 * Returns true once everything, the ht_t included, is freed (ht is then
 * invalid). After the first call, only ht_free_step may be used on ht.
 * Bounded work here; glibc's free() itself can stall once when it
 * consolidates millions of freed small chunks (mallopt M_MXFAST 0 avoids
 * that). */
bool ht_free_step(ht_t *ht, size_t *budget);

/* ---- size and memory ---- */

static inline size_t ht_len(const ht_t *ht) { return ht->used[0] + ht->used[1]; }
static inline bool ht_is_map(const ht_t *ht) { return ht->map; }
static inline bool ht_is_rehashing(const ht_t *ht) { return ht->rehashidx != -1; }

/* Bytes held: sizeof(ht_t), 8 per bucket of both arrays, and
 * malloc_usable_size of every linked node. O(1) (a running total). */
static inline size_t ht_mem(const ht_t *ht) { return ht->mem; }

/* Bytes the node occupies (malloc_usable_size), for MEMORY USAGE. */
size_t ht_node_mem(const ht_node_t *n);

/* The table's hash of a key (which bucket it selects). */
uint64_t ht_hash(const ht_t *ht, const void *key, size_t klen);

/* ---- nodes ---- */

/* A varint at p (see the layout above): its value in *v; returns the
 * byte after it. */
static inline const unsigned char *ht__varint_get(const unsigned char *p, size_t *v)
{
    size_t r = 0;
    unsigned shift = 0;
    while (*p & 0x80) {
        r |= (size_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *v = r | (size_t)*p++ << shift;
    return p;
}

/* The key bytes of a node and their length. Valid while the node is.
 * Inline: the big sorted set's order compares members through it. */
static inline const char *ht_key(const ht_node_t *n, size_t *len)
{
    return (const char *)ht__varint_get(n->data, len);
}

/* The value bytes of a node and their length. Map-mode nodes only: a set
 * node has nothing after its key and does not know its mode (the caller
 * does: ht_is_map). */
const char *ht_val(const ht_node_t *n, size_t *len);

/* Free a node the caller got from ht_unlink / ht_unlink_node /
 * ht_pop_random (NULL is fine). */
void ht_node_free(ht_node_t *n);

/* ---- lookup (no rehash step) and update (one step unless paused) ---- */

/* Node with this key, or NULL. Average O(1). */
ht_node_t *ht_find(ht_t *ht, const void *key, size_t klen);

/* Insert a copy of key (and, in map mode, of val; ignored in set mode).
 * The key must not be present. Returns the new node, or NULL on
 * allocation failure (or a length over 2^40) with the table unchanged. A failed growth of the
 * bucket array is not a failure: chains just get longer for a while. */
ht_node_t *ht_add(ht_t *ht, const void *key, size_t klen, const void *val, size_t vlen);

/* A node for this table holding copies of key (and val in map mode),
 * not linked: ht_link it, or ht_node_free it.  ht_add is ht_node_new and
 * ht_link; apart, a caller can make a node first and link it only once
 * everything else it needs has succeeded.  NULL on allocation failure
 * (or a length over 2^40). */
ht_node_t *ht_node_new(const ht_t *ht, const void *key, size_t klen, const void *val,
                       size_t vlen);

/* Replace the value of a map-mode node n of this table. Written in place
 * when it fits malloc_usable_size(n) (so most HINCRBY steps allocate
 * nothing) unless that would waste over half of a node bigger than 64
 * bytes; otherwise the node is reallocated and relinked, which
 * invalidates n. Returns the node to use from now on; NULL on allocation
 * failure (or in set mode), with n unchanged and still linked. val must
 * not point into n. No rehash step (the node's position is unaffected). */
ht_node_t *ht_set_val(ht_t *ht, ht_node_t *n, const void *val, size_t vlen);

/* Remove and free the node with this key. false if absent. */
bool ht_delete(ht_t *ht, const void *key, size_t klen);

/* Remove the node with this key and hand it to the caller (free with
 * ht_node_free, or ht_link it into another table of the same mode).
 * NULL if absent. */
ht_node_t *ht_unlink(ht_t *ht, const void *key, size_t klen);

/* Remove node n, which must be linked in this table, and hand it to the
 * caller. Other node pointers (e.g. from ht_sample) stay valid. */
void ht_unlink_node(ht_t *ht, ht_node_t *n);

/* Link an unlinked node (same mode as this table; its key must be
 * absent) without copying it. 0, or -ENOMEM if the first bucket array
 * could not be allocated (n then remains the caller's). */
int ht_link(ht_t *ht, ht_node_t *n);

/* ---- rehashing ---- */

/* Move up to n buckets to the new table (idle time); nothing while
 * paused. Returns true while rehashing remains. O(n). */
bool ht_rehash_step(ht_t *ht, size_t n);

/* While paused (calls nest), no call moves nodes between buckets: resizes
 * may start but progress waits for ht_resume_rehash. */
static inline void ht_pause_rehash(ht_t *ht) { ht->paused++; }
static inline void ht_resume_rehash(ht_t *ht) { ht->paused--; }

/* ---- random access ---- */

/* A random node, NULL if empty: a uniformly random non-empty bucket (of
 * both tables while rehashing), then a uniformly random node of its
 * chain. A node in a chain of L is thus picked with probability
 * 1 / (non-empty buckets * L): slightly biased against collisions, which
 * are rare at load factor <= 1. Expected O(1) probes since the table is
 * at least 10% full (transiently less while a shrink is in progress). */
ht_node_t *ht_random(ht_t *ht);

/* A random node with less chain-length bias (Redis's "fair" random, for
 * SRANDMEMBER/HRANDFIELD): one of up to 20 nodes from ht_sample, chosen
 * uniformly; ht_random if the sample came back empty. */
ht_node_t *ht_random_fair(ht_t *ht);

/* Store up to n DISTINCT nodes in out and return how many (min(n, len)
 * normally; fewer, possibly 0, when the table is sparse). Cheap, not a
 * uniform sample: it walks consecutive bucket indexes from a random one
 * (both tables while rehashing) and takes whole chains, visiting at most
 * max(10 n, 100) indexes and never the same bucket twice. Every node is
 * about equally likely to be included, but the nodes of one call are
 * neighbours in the table, so they are correlated (fine for SPOP /
 * SRANDMEMBER with a count, which only promise "random"). The nodes may
 * be unlinked one by one afterwards (ht_unlink_node). O(n). */
size_t ht_sample(ht_t *ht, ht_node_t **out, size_t n);

/* A random node, unlinked and handed to the caller (ht_node_free), or
 * NULL if empty. For SPOP. */
ht_node_t *ht_pop_random(ht_t *ht);

/* ---- traversal ---- */

/* Reverse-binary-cursor scan (Redis's algorithm). Start with cursor 0;
 * each call reports the nodes of one bucket (while rehashing: a bucket of
 * the smaller table and all buckets of the bigger one it maps to) and
 * returns the next cursor, 0 when done. Every node present for the whole
 * scan is reported at least once, even if the table grows, shrinks or
 * rehashes between calls; one may be reported twice only if the table
 * shrank. Does no rehash step. */
size_t ht_scan(ht_t *ht, size_t cursor, ht_scan_fn fn, void *arg);

/* Iterate over every node once (SMEMBERS, HGETALL, conversions). Valid
 * while the table is not modified. Because ht_find moves a bucket when
 * rehashing, looking up the SAME table during the loop (SINTER s s) needs
 * ht_pause_rehash around it; while paused, the loop may also ht_set_val or
 * unlink/delete the node just returned. */
void ht_iter_init(ht_iter_t *it, ht_t *ht);

/* Next node, NULL at the end. */
ht_node_t *ht_iter_next(ht_iter_t *it);

#endif
