/*
 * keyspace.h - one database of one shard: keys, values, TTLs, expiry.
 *
 * A ks_t is one Redis database (SELECT n) for one shard. A shard that
 * serves several databases holds an array of them; everything here is per
 * database, including stats, so a shard sums them for INFO.
 *
 * Time: expiry decisions use the keyspace's cached clock, set by the caller
 * once per batch with ks_set_now (unix ms), the way Redis caches mstime per
 * command. A key is expired once now > its expire time (Redis's rule).
 *
 * Access time: ks_find stamps the entry with the LRU clock of the cached
 * time (Redis's lookupKey); ks_find_notouch is Redis's LOOKUP_NOTOUCH
 * (EXISTS, TYPE, TTL, OBJECT). New values get the current clock.
 *
 * Lookups (ks_find) delete expired keys as they meet them (lazy expiry);
 * ks_expire_cycle samples keys that have a TTL and deletes expired ones
 * under a time budget (active expiry). Flushing detaches the whole table in
 * O(1) and ks_reclaim_step frees it in bounded chunks.
 *
 * WATCH: a keyspace keeps a table of watched keys, each with a version
 * that every change of the key bumps (every write below, lazy and active
 * expiry, flush); EXEC compares versions (ks_watch_touched). While no key
 * is watched, a write pays one load and one predicted branch for it.
 *
 * Memory: ks_memory counts the allocator's usable size of every entry and
 * value buffer, the bucket arrays, the TTL index and not-yet-reclaimed
 * flushed data, updated on every change.
 *
 * Ownership: the keyspace owns its entries. entry_t pointers returned here
 * are borrowed and valid until the next call that may write this keyspace.
 * Functions taking an entry_t * require one that is currently linked.
 *
 * Concurrency: none. A keyspace belongs to exactly one thread (its shard
 * actor); nothing here locks. ks_take/ks_put blobs may cross threads.
 */
#ifndef FLASHKV_STORE_KEYSPACE_H
#define FLASHKV_STORE_KEYSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "entry.h"

typedef struct ks ks_t;

/* A value detached from its key for a cross-shard move (ks_take/ks_put). */
typedef struct entry ks_blob_t;

/* Monotonic clock in microseconds, for the expiry cycle's time budget. */
typedef uint64_t (*ks_clock_fn)(void *arg);

typedef struct ks_stats {
    size_t keys;            /* keys in the table (expired ones not yet met included, as Redis) */
    size_t expires;         /* keys with a TTL */
    long long avg_ttl;      /* running estimate in ms from expiry sampling, 0 = unknown */
    uint64_t expired_keys;  /* keys deleted because their TTL passed */
    size_t memory;          /* == ks_memory, the sum of the three below */
    size_t mem_data;        /* entries: keys and values */
    size_t mem_overhead;    /* bucket arrays, TTL index, the ks_t itself */
    size_t mem_flushing;    /* flushed data not yet reclaimed */
} ks_stats_t;

typedef struct ks_cycle {
    size_t sampled;         /* keys with a TTL examined */
    size_t expired;         /* of which deleted */
    bool timed_out;         /* stopped by the time budget */
} ks_cycle_t;

/* Incremental iteration over all keys, for KEYS/SCAN over big shards. */
typedef struct ks_iter {
    size_t cursor;
    bool active;
} ks_iter_t;

typedef void (*ks_key_fn)(void *arg, const entry_t *e);

/* ---- lifetime ---------------------------------------------------------- */

/* New empty keyspace. seed 0 picks a random hash seed. NULL on ENOMEM. */
ks_t *ks_create(uint64_t seed);
/* Free everything at once (shutdown). NULL is a no-op. */
void ks_destroy(ks_t *ks);

/* ---- clock ------------------------------------------------------------- */

void ks_set_now(ks_t *ks, int64_t now_ms);
int64_t ks_now(const ks_t *ks);
/* Replace the budget clock (tests use a fake one). NULL restores
 * CLOCK_MONOTONIC. */
void ks_set_clock(ks_t *ks, ks_clock_fn fn, void *arg);

/* ---- reading ----------------------------------------------------------- */

/* The live entry for key, or NULL. Deletes it first if it has expired.
 * Records the access (LRU clock) on the entry found. */
entry_t *ks_find(ks_t *ks, const void *key, size_t klen);
/* As ks_find without recording the access. */
entry_t *ks_find_notouch(ks_t *ks, const void *key, size_t klen);
/* The entry for key even if its TTL has passed (nothing is deleted or
 * recorded: MEMORY USAGE looks at the table this way). NULL if absent. */
entry_t *ks_peek(ks_t *ks, const void *key, size_t klen);

/* Prefetch hints for a batch of lookups (see dict_prefetch_bucket): the
 * hash of key here, then the bucket, then the entry. No effect on the
 * keyspace. */
uint64_t ks_hash(const ks_t *ks, const void *key, size_t klen);
void ks_prefetch_bucket(const ks_t *ks, uint64_t h);
void ks_prefetch_entry(const ks_t *ks, uint64_t h);

/* Whether e's TTL has passed (without deleting it; KEYS uses this). */
bool ks_is_expired(const ks_t *ks, const entry_t *e);

/* e's absolute expire time in unix ms, or -1 if it has no TTL. */
int64_t ks_ttl_get(const ks_t *ks, const entry_t *e);

/* A random live key (RANDOMKEY): expired keys met on the way are deleted.
 * NULL if the keyspace is empty. */
entry_t *ks_random(ks_t *ks);

/* ---- writing ----------------------------------------------------------- */

/* Add key with a string value (key must be absent: ks_find returned NULL).
 * Returns the new entry, NULL on ENOMEM. */
entry_t *ks_add(ks_t *ks, const void *key, size_t klen, const void *val, size_t vlen);
entry_t *ks_add_int(ks_t *ks, const void *key, size_t klen, int64_t v);
/* As ks_add, but never in the INT encoding (see entry_new_str). */
entry_t *ks_add_str(ks_t *ks, const void *key, size_t klen, const void *val, size_t vlen);
/* Add key with a zero-filled value of vlen bytes. NULL on ENOMEM. */
entry_t *ks_add_zeroed(ks_t *ks, const void *key, size_t klen, size_t vlen);

/* Add key holding the collection obj of type otype in encoding enc (key
 * must be absent). Consumes obj in every case: on ENOMEM it is freed and
 * NULL returned. */
entry_t *ks_add_obj(ks_t *ks, const void *key, size_t klen, unsigned otype, unsigned enc,
                    void *obj);
/* After changing e's collection in place (or giving e a new object or
 * encoding: entry fields v.obj and type), with mem_before = entry_mem(e)
 * taken before the change: counts the memory and touches the key for
 * WATCH. A collection left empty must be deleted (ks_delete_entry), as
 * Redis never keeps an empty one. */
void ks_changed(ks_t *ks, entry_t *e, size_t mem_before);

/* Replace e's value with a string (e may hold any type: a collection is
 * released); the TTL is kept unless clear_ttl. Returns the entry
 * (it may have moved: use the returned pointer), NULL on ENOMEM (e and its
 * value unchanged). */
entry_t *ks_overwrite(ks_t *ks, entry_t *e, const void *val, size_t vlen, bool clear_ttl);
/* As ks_overwrite, but never in the INT encoding. */
entry_t *ks_overwrite_str(ks_t *ks, entry_t *e, const void *val, size_t vlen, bool clear_ttl);
/* Give e an integer value, in place, TTL kept. */
void ks_set_int(ks_t *ks, entry_t *e, int64_t v);
/* Make e's value newlen bytes long (keeping its bytes, zero-filling growth)
 * and return a writable pointer to them; in place, TTL kept. NULL on
 * ENOMEM. */
char *ks_resize(ks_t *ks, entry_t *e, size_t newlen);

/* SET semantics: add or overwrite key; drops the TTL unless keep_ttl.
 * Returns the entry, NULL on ENOMEM. */
entry_t *ks_set(ks_t *ks, const void *key, size_t klen, const void *val, size_t vlen,
                bool keep_ttl);

/* Delete key if present (expired keys count as absent). */
bool ks_delete(ks_t *ks, const void *key, size_t klen);
/* Delete a linked entry. */
void ks_delete_entry(ks_t *ks, entry_t *e);

/* Set e's absolute expire time (unix ms). 0 or -ENOMEM. */
int ks_ttl_set(ks_t *ks, entry_t *e, int64_t when_ms);
/* Remove e's TTL; returns whether it had one. */
bool ks_ttl_clear(ks_t *ks, entry_t *e);

/* ---- whole keyspace ---------------------------------------------------- */

size_t ks_size(const ks_t *ks);
size_t ks_expires(const ks_t *ks);
/* Changes of keys made so far (writes, deletes, expiry, flushes): Redis's
 * dirty counter, which save points compare.  Any thread may read it (a
 * relaxed load: a count, not a synchronisation point). */
uint64_t ks_dirty(const ks_t *ks);
/* Count this keyspace's changes in *counter from now on (a shard's
 * databases share one, which survives SWAPDB); NULL: its own again.  The
 * counter is written only by the keyspace's owner. */
void ks_share_dirty(ks_t *ks, _Atomic uint64_t *counter);
size_t ks_memory(const ks_t *ks);
/* Bytes held for one key (MEMORY USAGE): the entry's allocations (usable
 * sizes: key, value, header), its bucket slot and its TTL record. */
size_t ks_entry_usage(const ks_t *ks, const entry_t *e);
void ks_stats(const ks_t *ks, ks_stats_t *st);

/* Active expiry (Redis's adaptive cycle): sample up to 20 keys with a TTL,
 * delete the expired ones, repeat while more than 25% of a sample had
 * expired; check the budget clock every 16 rounds and stop past budget_us.
 * Sets the cached clock to now_ms and advances any pending rehash by one
 * step. Fills *out if non-NULL. */
void ks_expire_cycle(ks_t *ks, int64_t now_ms, uint64_t budget_us, ks_cycle_t *out);

/* Rehash work for idle time: up to n buckets. true while more remains. */
bool ks_rehash_step(ks_t *ks, size_t n);

/* One step of a full scan (dict_scan semantics: every key present for the
 * whole scan is reported at least once; duplicates are possible if the
 * table shrank). Expired keys are reported too: check ks_is_expired.
 * fn must not write the keyspace. Returns the next cursor, 0 when done. */
size_t ks_scan(ks_t *ks, size_t cursor, ks_key_fn fn, void *arg);

/* Exactly-once iteration in bounded chunks (KEYS over a big shard): while
 * an iterator is active the table does not shrink, so no key is reported
 * twice; keys added or removed meanwhile may or may not be reported. Other
 * commands may run between steps, but fn must not write the keyspace.
 * ks_iter_step visits up to max_buckets buckets and returns true when the
 * iteration is complete (the iterator is then ended). An iteration
 * abandoned early must be ended with ks_iter_end. */
void ks_iter_begin(ks_t *ks, ks_iter_t *it);
bool ks_iter_step(ks_t *ks, ks_iter_t *it, size_t max_buckets, ks_key_fn fn, void *arg);
void ks_iter_end(ks_t *ks, ks_iter_t *it);

/* ---- blocking (BLPOP...) ----------------------------------------------- */

struct block;
/* The keyspace's table of waited-on keys (block.h): every write of a key
 * with waiters marks it ready there. */
struct block *ks_blocking(ks_t *ks);
/* SWAPDB: after the caller has swapped its two ks_t pointers, swap the
 * waits back to their database numbers and mark every waited-on key of
 * both ready. a == b is a no-op. */
void ks_blocking_swapdb(ks_t *a, ks_t *b);

#endif
