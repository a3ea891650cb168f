/*
 * msg.c - message memory: per-worker pools with cross-thread return.
 *
 * A message allocated on a worker comes from that worker's pool (power-of-two
 * size classes from 64 B to 16 KiB) and records the pool as its `home`.
 * Freeing it on the home worker pushes it on a local free list: no atomics.
 * Freeing it on another worker chains it in that worker's return batch for
 * the home pool and size class; a batch goes home with one CAS onto the
 * pool's `remote[class]` stack when it holds 32 messages, when its slot is
 * needed for another pool, or when the freeing worker runs out of work (so
 * nothing waits in a batch while its worker sleeps).  A thread that is no
 * worker pushes single messages.  The home worker takes a whole class stack
 * with one exchange when its local list of that class runs dry, and uses
 * the chain as its new local list without walking it (walking meant one
 * cache miss per message, all in a row).  So in steady state a message
 * costs no malloc and takes no lock, and a cross-worker message one shared
 * cache-line transfer per 32.  Threads that are not workers, and sizes above
 * 16 KiB, allocate with malloc directly (home == NULL).
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

/* Only after every thread that could free into this pool has stopped (and
 * flushed its return batches). */
void act__pool_destroy(act_pool_t *pool)
{
	for (unsigned c = 0; c < ACT__NCLASS; c++) {
		free_chain(pool->free[c]);
		pool->free[c] = NULL;
		pool->count[c] = 0;
		free_chain(ck_pr_fas_ptr(&pool->remote[c], NULL));
	}
}

/* Push the chain @head..@tail onto the home pool's stack of class @c. */
static void give_remote(act_pool_t *pool, unsigned c, act_msg_t *head,
			act_msg_t *tail)
{
	act_msg_t *old;
	do {
		old = ck_pr_load_ptr(&pool->remote[c]);
		tail->node.next = (mbox_node_t *)old;
		/* CAS is a full barrier: the links are visible first. */
	} while (!ck_pr_cas_ptr(&pool->remote[c], old, head));
}

static void flush_slot(act__rbatch_t *b)
{
	if (b->n)
		give_remote(b->pool, b->cls, b->head, b->tail);
	b->pool = NULL;
	b->head = b->tail = NULL;
	b->n = 0;
}

void act__msg_flush(act_worker_t *w)
{
	for (unsigned i = 0; i < ACT__RBATCH_SLOTS; i++)
		if (w->rbatch[i].n)
			flush_slot(&w->rbatch[i]);
}

/* On worker @w, free @m whose home is another worker's @pool. */
static void batch_remote(act_worker_t *w, act_pool_t *pool, act_msg_t *m)
{
	unsigned c = m->size_class;
	uintptr_t key = ((uintptr_t)pool >> 6) + c;
	act__rbatch_t *b = &w->rbatch[key % ACT__RBATCH_SLOTS];
	if (b->pool != pool || b->cls != c) {
		flush_slot(b);
		b->pool = pool;
		b->cls = c;
	}
	m->node.next = (mbox_node_t *)b->head;
	b->head = m;
	if (!b->tail)
		b->tail = m;
	if (++b->n >= ACT__RBATCH_MAX)
		flush_slot(b);
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
		if (!pool->free[c] && ck_pr_load_ptr(&pool->remote[c])) {
			/* The exchange pairs with the CAS in give_remote: the
			 * links were written before the push published them. */
			pool->free[c] = ck_pr_fas_ptr(&pool->remote[c], NULL);
			ck_pr_fence_load();
		}
		m = pool->free[c];
		if (m) {
			act_msg_t *next = (act_msg_t *)m->node.next;
			pool->free[c] = next;
			/* Returned messages arrive cold from other CPUs: fetch
			 * the next one while this one is filled and sent. */
			if (next)
				__builtin_prefetch(next, 1, 3);
			if (pool->count[c])
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
	if (w)
		batch_remote(w, pool, m);
	else
		give_remote(pool, m->size_class, m, m);
}

void act_msg_claim(act_msg_t *m)
{
	/* The claim is recorded on the worker, not in the message: once it
	 * has claimed the message, the handler may send it on, and another
	 * worker may then handle and free it before this handler returns, so
	 * dispatch must not read or write the message again.  Only the
	 * message being handled, from its handler, can be claimed; embedded
	 * (timer, fd) messages are never handed to dispatch's free. */
	act_worker_t *w = act__self_worker;
	if (w && m && m == w->handling)
		w->claimed = true;
}

void act__msg_init_embedded(act_msg_t *m, uint32_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->flags = ACT__MSGF_EMBEDDED;
	m->size_class = ACT__CLASS_NONE;
}
