/*
 * ks_snap.h - point-in-time snapshots of a keyspace without fork and
 * without copying it: the keyspace keeps serving while its keys are
 * written out in bounded steps, and a key about to change that has not
 * been written yet is written first, with its value as it was at the cut.
 *
 * The cut (ks_snap_begin) flips the keyspace's epoch: from then on a key
 * is "pending" while its entry's snap bit differs from the epoch.  Keys
 * added after the cut get the new epoch (they are not in the snapshot);
 * a pending key is handed to the snapshot's callback exactly once, by
 * whichever comes first: the walk (ks_snap_step, an exactly-once table
 * iteration), or the owner announcing a change (ks_snap_key before a write
 * of that key, ks_snap_all before a write of the whole keyspace: FLUSHDB,
 * SWAPDB...).  A pending key deleted by expiry is simply not written (it
 * had expired).  So the callbacks together see every key that existed at
 * the cut, each once, with its value of that instant.
 *
 * Several keyspaces (a shard's databases, every shard) take one cut by
 * calling ks_snap_begin on all of them while nothing runs in between
 * (the hold protocol gives that).
 *
 * Concurrency: none; the keyspace's owner.  ks_snaps_running is read by
 * any thread (one relaxed load on every write command: 0 almost always).
 */
#ifndef FLASHKV_STORE_KS_SNAP_H
#define FLASHKV_STORE_KS_SNAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"

typedef struct ks ks_t;

/* Write one key of the snapshot: e as it is now, which is as it was at
 * the cut.  expire_ms: its TTL (-1: none).  e must not be changed. */
typedef void (*ks_snap_fn)(void *arg, ks_t *ks, const entry_t *e, int64_t expire_ms);

/* Per keyspace; fields private to ks_snap.c. */
typedef struct ks_snap {
    ks_snap_fn fn;          /* NULL: no snapshot in progress */
    void *arg;
    size_t cursor;          /* the walk's table cursor */
    bool walking;
    uint8_t epoch;          /* 0 or 1 */
} ks_snap_t;

/* Keyspaces with a snapshot in progress, process wide. */
extern _Atomic int ks_snaps_running;

static inline bool ks_snaps_any(void)
{
    return atomic_load_explicit(&ks_snaps_running, memory_order_relaxed) != 0;
}

/* Take the cut: every key now present is pending. */
void ks_snap_begin(ks_t *ks, ks_snap_fn fn, void *arg);
/* Walk up to max_buckets buckets, writing the pending keys met.  true
 * once the walk is complete (every key of the cut has been written); the
 * snapshot is then over (as ks_snap_end). */
bool ks_snap_step(ks_t *ks, size_t max_buckets);
/* Before key changes: write it if it is pending. */
void ks_snap_key(ks_t *ks, const void *key, size_t klen);
/* Before the whole keyspace changes: write every pending key now. */
void ks_snap_all(ks_t *ks);
/* Abandon (or finish) the snapshot; pending keys stay unwritten. */
void ks_snap_end(ks_t *ks);
bool ks_snapping(const ks_t *ks);

#endif
