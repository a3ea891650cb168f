/*
 * msg.c - message memory: per-worker pools with cross-thread return.
 *
 * A message allocated on a worker comes from that worker's pool (power-of-two
 * size classes from 64 B to 16 KiB) and records the pool as its `home`.
 * Freeing it on the home worker pushes it on a local free list: no atomics.
 * Freeing it on any other thread pushes it on the home pool's `remote` stack
 * with one CAS; the home worker takes the whole stack with one exchange when
 * its local list runs dry.  So in steady state a message costs no malloc and
 * takes no lock.  Threads that are not workers, and sizes above 16 KiB, use
 * malloc/free directly (home == NULL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "act_internal.h"

__thread act_worker_t *act__self_worker;

static inline unsigned size_class(size_t size)
{
	size_t cls_size = (size_t)1 << ACT__MIN_CLASS_SHIFT;
	for (unsigned c = 0; c < ACT__NCLASS; c++, cls_size <<= 1)
		if (size <= cls_size)
			return c;
	return ACT__CLASS_NONE;
}

static inline size_t class_bytes(unsigned cls)
{
	return (size_t)1 << (cls + ACT__MIN_CLASS_SHIFT);
}

void act__pool_init(act_pool_t *pool, unsigned cap)
{
	memset(pool, 0, sizeof(*pool));
	pool->cap = cap;
}

static void free_chain(act_msg_t *m)
{
	while (m) {
		act_msg_t *next = (act_msg_t *)m->node.next;
		free(m);
		m = next;
	}
}

/* Only after every thread that could free into this pool has stopped. */
void act__pool_destroy(act_pool_t *pool)
{
	for (unsigned c = 0; c < ACT__NCLASS; c++) {
		free_chain(pool->free[c]);
		pool->free[c] = NULL;
		pool->count[c] = 0;
	}
	free_chain(ck_pr_fas_ptr(&pool->remote, NULL));
}

/* Move everything other threads returned onto the local lists. */
static void take_remote(act_pool_t *pool)
{
	act_msg_t *m = ck_pr_fas_ptr(&pool->remote, NULL);
	/* The exchange pairs with the CAS in give_remote: the links we walk
	 * were written before the pushes that published them. */
	ck_pr_fence_load();
	while (m) {
		act_msg_t *next = (act_msg_t *)m->node.next;
		unsigned c = m->size_class;
		m->node.next = (mbox_node_t *)pool->free[c];
		pool->free[c] = m;
		pool->count[c]++;
		m = next;
	}
}

static void give_remote(act_pool_t *pool, act_msg_t *m)
{
	act_msg_t *head;
	do {
		head = ck_pr_load_ptr(&pool->remote);
		m->node.next = (mbox_node_t *)head;
		/* CAS is a full barrier: the link store is visible first. */
	} while (!ck_pr_cas_ptr(&pool->remote, head, m));
}

act_msg_t *act_msg_new(size_t size, uint32_t type)
{
	if (size < sizeof(act_msg_t))
		size = sizeof(act_msg_t);
	act_worker_t *w = act__self_worker;
	unsigned c = size_class(size);
	act_msg_t *m = NULL;

	if (w && c != ACT__CLASS_NONE) {
		act_pool_t *pool = &w->pool;
		if (!pool->free[c])
			take_remote(pool);
		m = pool->free[c];
		if (m) {
			pool->free[c] = (act_msg_t *)m->node.next;
			pool->count[c]--;
		} else {
			m = malloc(class_bytes(c));
			if (!m)
				return NULL;
		}
		m->home = pool;
		m->size_class = (uint16_t)c;
	} else {
		m = malloc(size);
		if (!m)
			return NULL;
		m->home = NULL;
		m->size_class = ACT__CLASS_NONE;
	}
	m->type = type;
	m->flags = 0;
	mbox_node_init(&m->node);
	return m;
}

void act_msg_free(act_msg_t *m)
{
	if (!m || (m->flags & ACT__MSGF_EMBEDDED))
		return;
	act_pool_t *pool = m->home;
	if (!pool) {
		free(m);
		return;
	}
	act_worker_t *w = act__self_worker;
	if (w && &w->pool == pool) {
		unsigned c = m->size_class;
		if (pool->count[c] >= pool->cap) {
			free(m);
			return;
		}
		m->node.next = (mbox_node_t *)pool->free[c];
		pool->free[c] = m;
		pool->count[c]++;
		return;
	}
	give_remote(pool, m);
}

void act_msg_claim(act_msg_t *m)
{
	if (!(m->flags & ACT__MSGF_EMBEDDED))
		m->flags |= ACT__MSGF_CLAIMED;
}

void act__msg_init_embedded(act_msg_t *m, uint32_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->flags = ACT__MSGF_EMBEDDED;
	m->size_class = ACT__CLASS_NONE;
}
