/*
 * dict.h - chained hash table of entries with incremental rehashing.
 *
 * Keys are binary-safe byte strings stored inside the entries (entry.h).
 * Growth and shrinking never stop the world: resizing allocates the new
 * bucket array and then moves one bucket per table operation (visiting at
 * most 10 empty buckets), plus whatever dict_rehash_step is given in idle
 * time, as Redis's dict.c does. While rehashing, lookups consult both
 * tables and inserts go to the new one.
 *
 * The table grows when it holds as many entries as buckets and shrinks,
 * also incrementally, when under 10% full (the size never drops below 4).
 *
 * Ownership: the dict links entries but does not own them in the API
 * sense: dict_unlink hands an entry back to the caller, who frees it.
 * dict_release and dict_clear_step free every entry still linked.
 *
 * Concurrency: none. A dict belongs to one thread (its shard actor).
 * dict_t is embeddable; its fields are private to dict.c.
 */
#ifndef FLASHKV_STORE_DICT_H
#define FLASHKV_STORE_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "store/base/hash.h"

typedef struct dict {
    entry_t **tab[2];       /* tab[1] is non-NULL only while rehashing */
    size_t size[2];         /* bucket counts: 0 or a power of two */
    size_t used[2];         /* entries linked in each table */
    long rehashidx;         /* next tab[0] bucket to move, -1 = not rehashing */
    unsigned shrink_paused; /* > 0: do not start shrinking (see dict_pause_shrink) */
    size_t clear_idx;       /* progress of dict_clear_step */
    hash_seed_t seed;
    uint64_t rng;           /* state for dict_random */
} dict_t;

/* Frees an entry for dict_clear_step (NULL there: entry_free). */
typedef void (*dict_free_fn)(void *arg, entry_t *e);

/* Callback for dict_scan. It must not add or remove entries. */
typedef void (*dict_scan_fn)(void *arg, entry_t *e);

/* Empty table; no memory is allocated until the first insert. seed 0 picks
 * a random hash seed. */
void dict_init(dict_t *d, uint64_t seed);

/* Free every entry and the bucket arrays; the dict is left empty and
 * reusable. Takes time proportional to the size: for teardown. */
void dict_release(dict_t *d);

/* Free up to *budget entries or visited buckets, decrementing *budget and
 * adding the bytes freed (entry_mem, counted before free_fn runs: a
 * free_fn that keeps part of the entry for later accounts for it) to
 * *freed. Returns true once
 * everything is freed (the dict is then empty and reusable). Meant for a
 * dict detached from use (see dict_move): after the first call, only
 * dict_clear_step may be used on it until it returns true. */
bool dict_clear_step(dict_t *d, size_t *budget, size_t *freed,
                     dict_free_fn free_fn, void *arg);

/* Move src's contents to dst in O(1) and leave src empty, keeping src's
 * seed and shrink pause (so a scan paused on src stays paused). dst is
 * overwritten without being freed; free it with dict_clear_step. */
void dict_move(dict_t *dst, dict_t *src);

static inline size_t dict_size(const dict_t *d) { return d->used[0] + d->used[1]; }
static inline bool dict_is_rehashing(const dict_t *d) { return d->rehashidx != -1; }

/* Bytes used by the bucket arrays (entries are accounted by the caller). */
static inline size_t dict_mem(const dict_t *d)
{
    return (d->size[0] + d->size[1]) * sizeof(entry_t *);
}

/* The table's hash of a key. */
uint64_t dict_hash(const dict_t *d, const void *key, size_t klen);

/* Ask the CPU for what a lookup of hash h will read, without waiting: the
 * bucket, then (once the bucket is likely cached) the first entry of its
 * chain. A batch of lookups calls the first for all of them, then the
 * second, so the cache misses overlap. Harmless hints: no effect on the
 * table. */
void dict_prefetch_bucket(const dict_t *d, uint64_t h);
void dict_prefetch_entry(const dict_t *d, uint64_t h);

/* Entry with this key, or NULL. Does one rehash step if rehashing. */
entry_t *dict_find(dict_t *d, const void *key, size_t klen);

/* Link e (whose key must not be present yet). 0 on success; -ENOMEM only
 * if the very first bucket array could not be allocated (a failed growth
 * just leaves the table fuller). */
int dict_add(dict_t *d, entry_t *e);

/* Remove the entry with this key and return it (caller frees), or NULL. */
entry_t *dict_unlink(dict_t *d, const void *key, size_t klen);

/* Put neu (same key as old) where old is linked. old must be in the table;
 * it is unlinked but not freed. Used when a value outgrows its entry. */
void dict_replace(dict_t *d, entry_t *old, entry_t *neu);

/* Move up to n buckets to the new table (idle-time rehashing). Returns
 * true while more rehashing remains. */
bool dict_rehash_step(dict_t *d, size_t n);

/* A random entry, NULL if empty. Picks a random non-empty bucket, then a
 * random element of its chain: chains are short (load factor <= 1) so the
 * bias is small. */
entry_t *dict_random(dict_t *d);

/* Reverse-binary-cursor scan (Redis's algorithm). Start with cursor 0;
 * calls fn for the entries of one bucket (and, while rehashing, of its
 * expansions in the bigger table) and returns the next cursor, 0 when the
 * scan is complete. Every entry present for the whole scan is reported at
 * least once even if the table grows, shrinks or rehashes between calls;
 * an entry may be reported twice only if the table shrank. */
size_t dict_scan(dict_t *d, size_t cursor, dict_scan_fn fn, void *arg);

/* While paused (calls nest), deletions do not start a shrink, so a scan
 * in progress reports no duplicates. Growth is unaffected. */
static inline void dict_pause_shrink(dict_t *d) { d->shrink_paused++; }
static inline void dict_resume_shrink(dict_t *d) { d->shrink_paused--; }

#endif
