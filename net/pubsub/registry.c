/*
 * registry.c - a worker's subscribers per channel (registry.h).
 *
 * Members are kept in an array, removed by moving the last one into the
 * hole: delivery walks a dense array, and order among subscribers is not
 * something Redis promises either.
 */
#include <stdlib.h>

#include "registry.h"

bool registry_add(chanmap_t *m, const char *name, size_t len,
		  struct ps_client *cl)
{
	bool created;
	chan_entry_t *e = chanmap_add(m, name, len, &created);
	if (!e)
		return false;
	if (created && !(e->value = calloc(1, sizeof(subs_set_t)))) {
		chanmap_remove(m, name, len);
		return false;
	}
	subs_set_t *s = e->value;
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 4;
		struct ps_client **subs = realloc(s->subs, cap * sizeof(*subs));
		if (!subs)
			return false;
		s->subs = subs;
		s->cap = cap;
	}
	s->subs[s->n++] = cl;
	return true;
}

void registry_remove(chanmap_t *m, const char *name, size_t len,
		     struct ps_client *cl)
{
	chan_entry_t *e = chanmap_find(m, name, len);
	subs_set_t *s = e ? e->value : NULL;
	for (uint32_t i = 0; s && i < s->n; i++) {
		if (s->subs[i] != cl)
			continue;
		s->subs[i] = s->subs[--s->n];
		if (s->n == 0) {
			chanmap_remove(m, name, len);
			free(s->subs);
			free(s);
		}
		return;
	}
}

const subs_set_t *registry_find(const chanmap_t *m, const char *name,
				size_t len)
{
	chan_entry_t *e = chanmap_find(m, name, len);
	return e ? e->value : NULL;
}

void registry_free(chanmap_t *m)
{
	chanmap_iter_t it = { 0 };
	chan_entry_t *e;
	while ((e = chanmap_next(m, &it))) {
		subs_set_t *s = e->value;
		free(s->subs);
		free(s);
	}
	chanmap_free(m);
}
