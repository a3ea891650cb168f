/*
 * watch.h - the watched keys of one keyspace (the store side of WATCH).
 *
 * Maps a key to a record {version, refs}: refs counts the WATCHes that hold
 * the key (the record goes when the last one is dropped) and version counts
 * the changes of the key since the record was made. keyspace.c bumps the
 * version on every write of a watched key; EXEC compares it with the one
 * seen at WATCH (the rules are in keyspace.h, ks_watch_touched). A version
 * only ever grows while anyone watches the key, so equal means unchanged.
 *
 * Storage: a dict (dict.h) whose entries carry the record as a 16-byte
 * inline value, so lookups, growth and shrinking are incremental like
 * those of the keyspace's own table.
 *
 * Ownership: the table owns its records and copies the keys it is given.
 * Concurrency: none; the thread that owns the keyspace. watch_t is
 * embeddable; its fields are private to watch.c, except n, which
 * keyspace.c reads on every write.
 */
#ifndef FLASHKV_STORE_WATCH_H
#define FLASHKV_STORE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"

typedef struct watch {
    size_t n;               /* keys in the table, == dict_size(&keys): kept
                             * apart so "is anything watched?" is one load */
    dict_t keys;
} watch_t;

/* For watch_bump_if: whether to bump this key. Must not change the table. */
typedef bool (*watch_pred_fn)(void *arg, const void *key, size_t klen);

/* Empty table (allocates nothing). seed as dict_init. */
void watch_init(watch_t *w, uint64_t seed);
/* Free every record; the table is left empty and reusable. */
void watch_release(watch_t *w);

/* One more reference to key's record, made with version 0 if new. Sets
 * *version to the record's version. 0 or -ENOMEM (table unchanged). */
int watch_ref(watch_t *w, const void *key, size_t klen, uint64_t *version);
/* One reference fewer; the record is freed at zero. No-op if not watched. */
void watch_unref(watch_t *w, const void *key, size_t klen);

/* key's version in *version; false if key is not watched. */
bool watch_version(watch_t *w, const void *key, size_t klen, uint64_t *version);

/* Count one change of key. No-op if key is not watched. */
void watch_bump(watch_t *w, const void *key, size_t klen);
/* Count one change of every watched key for which pred says yes, each
 * exactly once. Visits the whole table: O(watched keys), as Redis's
 * touchAllWatchedKeysInDb (FLUSHDB, SWAPDB). */
void watch_bump_if(watch_t *w, watch_pred_fn pred, void *arg);

/* Exchange the contents of two tables (records are not copied). */
void watch_swap(watch_t *a, watch_t *b);

#endif
