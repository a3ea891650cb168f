/*
 * registry.h - a worker's subscribers: per channel (or pattern), the set
 * of its connections (their ps_client_t) listening to it.  A pure
 * structure over chanmap, unit-tested alone; pubsub.c keeps one per kind
 * per worker and hands each message to the set of its channel.
 *
 * Concurrency: none; each registry belongs to one worker.
 */
#ifndef FLASHKV_PUBSUB_REGISTRY_H
#define FLASHKV_PUBSUB_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chanmap.h"

struct ps_client;

/* The value of a registry entry. */
typedef struct subs_set {
	struct ps_client **subs;
	uint32_t n, cap;
} subs_set_t;

/* Add @cl to @name's set; false when out of memory. */
bool registry_add(chanmap_t *m, const char *name, size_t len,
		  struct ps_client *cl);
/* Remove @cl from @name's set (the entry goes with its last member). */
void registry_remove(chanmap_t *m, const char *name, size_t len,
		     struct ps_client *cl);
/* The set of @name, or NULL. */
const subs_set_t *registry_find(const chanmap_t *m, const char *name,
				size_t len);
/* Free every entry and set. */
void registry_free(chanmap_t *m);

#endif
