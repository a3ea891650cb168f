/*
 * ks_watch.h - WATCH on one keyspace: which keys are watched, and whether
 * one was touched since (Redis 7.0's rules).  The versions live in
 * watch.c's table; every write of keyspace.c bumps them.
 *
 * Concurrency: none; the keyspace's owning thread.
 */
#ifndef FLASHKV_STORE_KS_WATCH_H
#define FLASHKV_STORE_KS_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyspace.h"

/* Register one more watcher of key: refcounted, so N WATCHes of the same
 * key (from N connections) need N ks_unwatch. Sets *version to the key's
 * current version and *expired to whether the key is present but past its
 * TTL at the cached clock (Redis's watchedKey.expired); nothing is
 * deleted. 0, or -ENOMEM with nothing registered. */
int ks_watch(ks_t *ks, const void *key, size_t klen, uint64_t *version, bool *expired);
/* Drop one watcher of key; the table forgets the key at zero. A key not
 * watched is a no-op. */
void ks_unwatch(ks_t *ks, const void *key, size_t klen);
/* EXEC's check of one key that this caller registered with ks_watch and
 * still holds, given what ks_watch reported. True if the key was touched
 * since:
 *  - any change bumps the version: touched, except when the key was
 *    already expired at WATCH and the one change since left it logically
 *    absent (gone, or still expired after SWAPDB): Redis counts deleting
 *    an expired key as no change;
 *  - unchanged, but live at WATCH and past its TTL now (at the cached
 *    clock: ks_set_now first): touched (Redis's isWatchedKeyExpired).
 * A key with no watcher at all answers true: it cannot be vouched for. */
bool ks_watch_touched(ks_t *ks, const void *key, size_t klen, uint64_t version, bool expired);
/* SWAPDB: watches belong to the database number, not to the data. After
 * the caller has swapped its two ks_t pointers, this swaps the watch
 * tables back and bumps every watched key present (live or expired) in
 * either database. O(watched keys of both). a == b is a no-op. */
void ks_watch_swapdb(ks_t *a, ks_t *b);
/* Keys in the watch table (tests, INFO). */
size_t ks_watched(const ks_t *ks);

#endif
