/*
 * ks_internal.h - the keyspace's state and the helpers its files share
 * (keyspace.c, ks_move.c, ks_watch.c).  Not for use outside store/db/.
 *
 * Concurrency: none; the owning shard thread only.
 */
#ifndef FLASHKV_STORE_KS_INTERNAL_H
#define FLASHKV_STORE_KS_INTERNAL_H

#include <stdatomic.h>

#include "block.h"
#include "ks_snap.h"
#include "dict.h"
#include "expidx.h"
#include "keyspace.h"
#include "watch.h"

/* A flushed table waiting to be freed. */
typedef struct grave {
    struct grave *next;
    dict_t dict;
    expidx_t exp;
    size_t mem;             /* bytes still held */
} grave_t;

/* A big collection value whose key is gone, waiting to be freed in steps
 * (ks_reclaim_step). */
typedef struct lazy_value {
    struct lazy_value *next;
    unsigned type, enc;
    void *obj;
    size_t mem;             /* bytes still held (estimated while freeing) */
} lazy_value_t;

struct ks {
    dict_t dict;
    expidx_t exp;
    int64_t now_ms;
    uint32_t lru_now;       /* entry_lru_clock(now_ms) */
    size_t entry_mem;       /* sum of entry_mem over linked entries */
    uint64_t expired_keys;
    long long avg_ttl;
    uint64_t rng;
    ks_clock_fn clock;
    void *clock_arg;
    grave_t *graves;        /* oldest first */
    lazy_value_t *lazy;     /* oldest first */
    lazy_value_t **lazy_tail;
    size_t grave_mem;       /* bytes of graves and lazy values */
    watch_t watch;          /* watched keys (WATCH), by database number */
    block_t block;          /* keys clients wait on (BLPOP...), by database number */
    /* Changes of keys ever made (Redis's server.dirty, for save points):
     * written by the owner only, read by any thread (ks_dirty), so relaxed
     * loads and stores, which cost a plain increment.  *dirty is
     * own_dirty unless the databases of a shard share one counter
     * (ks_share_dirty). */
    _Atomic uint64_t *dirty;
    _Atomic uint64_t own_dirty;
    ks_snap_t snap;         /* a point-in-time snapshot in progress (ks_snap.h) */
};


/* Count a change of key for WATCH, and mark it ready for its waiters. Every write calls this, so the common
 * case (nothing watched in this keyspace) is one load and a branch
 * predicted not taken. */
static inline void ks__dirty_add(ks_t *ks, uint64_t n)
{
    atomic_store_explicit(ks->dirty, atomic_load_explicit(ks->dirty, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline void touch(ks_t *ks, const void *key, size_t klen)
{
    ks__dirty_add(ks, 1);
    if (__builtin_expect(ks->watch.n != 0, 0))
        watch_bump(&ks->watch, key, klen);
    if (__builtin_expect(ks->block.n != 0, 0))
        block_signal(&ks->block, key, klen);
}

static inline void touch_entry(ks_t *ks, const entry_t *e)
{
    touch(ks, e->key, e->klen);
}

/* Free an entry unlinked from the table; a big collection value goes to
 * the lazy list and is freed in steps. */
void ks__free_entry(ks_t *ks, entry_t *e);
/* Give up a collection object detached from its entry: freed now if
 * small, else queued on the lazy list. */
void ks__release_obj(ks_t *ks, unsigned type, unsigned enc, void *obj);

/* Unlink a linked entry from the table and the TTL index, uncounting its
 * memory; the caller frees it. No WATCH bump (ks_delete_entry does it). */
void ks__unlink(ks_t *ks, entry_t *e);
/* Link a new entry (NULL passes through), counting it and touching its
 * key; frees it and returns NULL if the table cannot take it. */
entry_t *ks__link(ks_t *ks, entry_t *e);

#endif
