/*
 * chanmap.c - the channel-name map (see chanmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "chanmap.h"

/* FNV-1a: channel names are short and chosen by clients that cannot
 * learn the bucket layout from anything the server tells them. */
static uint64_t hash_name(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

void chanmap_init(chanmap_t *m)
{
	m->buckets = NULL;
	m->nbuckets = 0;
	m->count = 0;
}

void chanmap_free(chanmap_t *m)
{
	for (size_t b = 0; b < m->nbuckets; b++) {
		chan_entry_t *e = m->buckets[b];
		while (e) {
			chan_entry_t *next = e->next;
			free(e);
			e = next;
		}
	}
	free(m->buckets);
	chanmap_init(m);
}

chan_entry_t *chanmap_find(const chanmap_t *m, const char *name, size_t len)
{
	if (m->nbuckets == 0)
		return NULL;
	uint64_t h = hash_name(name, len);
	for (chan_entry_t *e = m->buckets[h & (m->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static bool grow(chanmap_t *m)
{
	size_t n = m->nbuckets ? m->nbuckets * 2 : 8;
	chan_entry_t **b = calloc(n, sizeof(*b));
	if (!b)
		return false;
	for (size_t i = 0; i < m->nbuckets; i++) {
		chan_entry_t *e = m->buckets[i];
		while (e) {
			chan_entry_t *next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
	return true;
}

chan_entry_t *chanmap_add(chanmap_t *m, const char *name, size_t len,
			  bool *created)
{
	chan_entry_t *e = chanmap_find(m, name, len);
	*created = false;
	if (e)
		return e;
	if (m->count >= m->nbuckets && !grow(m) && m->nbuckets == 0)
		return NULL;
	e = malloc(sizeof(*e) + (len ? len : 1));
	if (!e)
		return NULL;
	e->hash = hash_name(name, len);
	e->value = NULL;
	e->len = len;
	if (len)
		memcpy(e->name, name, len);
	chan_entry_t **head = &m->buckets[e->hash & (m->nbuckets - 1)];
	e->next = *head;
	*head = e;
	m->count++;
	*created = true;
	return e;
}

void *chanmap_remove(chanmap_t *m, const char *name, size_t len)
{
	if (m->nbuckets == 0)
		return NULL;
	uint64_t h = hash_name(name, len);
	for (chan_entry_t **p = &m->buckets[h & (m->nbuckets - 1)]; *p;
	     p = &(*p)->next) {
		chan_entry_t *e = *p;
		if (e->hash != h || e->len != len || memcmp(e->name, name, len))
			continue;
		*p = e->next;
		void *v = e->value;
		free(e);
		m->count--;
		if (m->count == 0)
			chanmap_free(m); /* an empty map holds no memory */
		return v;
	}
	return NULL;
}

chan_entry_t *chanmap_next(const chanmap_t *m, chanmap_iter_t *it)
{
	while (!it->next) {
		if (it->bucket >= m->nbuckets)
			return NULL;
		it->next = m->buckets[it->bucket++];
	}
	chan_entry_t *e = it->next;
	it->next = e->next;
	return e;
}
