/*
 * ks_reclaim.h - emptying a keyspace and freeing what it let go of, in
 * bounded steps: FLUSHDB detaches the whole table in O(1), and a big
 * collection that is deleted, overwritten or expired is queued rather
 * than freed inside the command; ks_reclaim_step frees both a little at a
 * time, between commands.
 *
 * Concurrency: none; the keyspace's owning thread.
 */
#ifndef FLASHKV_STORE_KS_RECLAIM_H
#define FLASHKV_STORE_KS_RECLAIM_H

#include <stdbool.h>
#include <stddef.h>

#include "keyspace.h"

/* Empty the keyspace in O(1): the old table and TTL index are detached
 * and freed later by ks_reclaim_step (their memory still counts until
 * then). avg_ttl restarts at 0 (as Redis); other stats are kept. */
void ks_flush(ks_t *ks);
/* Free up to `budget` entries/buckets of flushed data and of big
 * collections deleted or overwritten (those with more than
 * VALUE_LAZY_FREE_MIN elements are freed here, in steps, never inside the
 * command that dropped them). Returns true when nothing is left to free. */
bool ks_reclaim_step(ks_t *ks, size_t budget);
/* Whether ks_reclaim_step has work left. */
bool ks_reclaim_pending(const ks_t *ks);

#endif
