/*
 * chanmap.h - a map from channel names (any bytes) to a pointer: the
 * registries of net/pubsub (who subscribes to what) are built from it.
 *
 * Chained buckets, doubled when the map holds more entries than buckets,
 * so lookups stay O(1) and removal frees at once (a subscriber that leaves
 * gives its memory back).  Iteration order is unspecified, as Redis's dict.
 *
 * Concurrency: none; each map belongs to one worker's actor.
 */
#ifndef FLASHKV_PUBSUB_CHANMAP_H
#define FLASHKV_PUBSUB_CHANMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct chan_entry {
	struct chan_entry *next;
	uint64_t hash;
	void *value;
	size_t len;
	char name[];            /* len bytes (not terminated) */
} chan_entry_t;

typedef struct chanmap {
	chan_entry_t **buckets;
	size_t nbuckets;        /* 0 or a power of two */
	size_t count;
} chanmap_t;

void chanmap_init(chanmap_t *m);
/* Frees the entries (not their values). */
void chanmap_free(chanmap_t *m);
/* The entry of @name, or NULL. */
chan_entry_t *chanmap_find(const chanmap_t *m, const char *name, size_t len);
/* The entry of @name, created with value NULL if it was missing (*created
 * says which); NULL when out of memory. */
chan_entry_t *chanmap_add(chanmap_t *m, const char *name, size_t len,
			  bool *created);
/* Removes @name; returns its value (NULL if it was not there). */
void *chanmap_remove(chanmap_t *m, const char *name, size_t len);
static inline size_t chanmap_count(const chanmap_t *m) { return m->count; }

/* Iteration: start with it = {0}; next returns NULL at the end.  The map
 * must not change meanwhile, except removing the entry just returned. */
typedef struct chanmap_iter {
	size_t bucket;
	chan_entry_t *next;
} chanmap_iter_t;
chan_entry_t *chanmap_next(const chanmap_t *m, chanmap_iter_t *it);

#endif
