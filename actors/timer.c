/*
 * timer.c - one-shot and periodic timers, delivered as messages.
 *
 * Each worker keeps a binary min-heap of its actors' timers, touched only by
 * that worker's thread (timers are started and cancelled from inside the
 * owning actor).  A timer carries its own message, so firing allocates
 * nothing; a periodic timer whose message is still queued counts the missed
 * period in `expired` instead of queueing a second message.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include <ck_pr.h>

#include "act_internal.h"

#define NOT_IN_HEAP UINT_MAX

static void heap_swap(act_worker_t *w, unsigned i, unsigned j)
{
	act_timer_t *t = w->heap[i];
	w->heap[i] = w->heap[j];
	w->heap[j] = t;
	w->heap[i]->heap_index = i;
	w->heap[j]->heap_index = j;
}

static void sift_up(act_worker_t *w, unsigned i)
{
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (w->heap[parent]->deadline_ns <= w->heap[i]->deadline_ns)
			break;
		heap_swap(w, i, parent);
		i = parent;
	}
}

static void sift_down(act_worker_t *w, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		if (l < w->heap_len &&
		    w->heap[l]->deadline_ns < w->heap[m]->deadline_ns)
			m = l;
		if (r < w->heap_len &&
		    w->heap[r]->deadline_ns < w->heap[m]->deadline_ns)
			m = r;
		if (m == i)
			return;
		heap_swap(w, i, m);
		i = m;
	}
}

static int heap_insert(act_worker_t *w, act_timer_t *t)
{
	if (w->heap_len == w->heap_cap) {
		unsigned cap = w->heap_cap ? w->heap_cap * 2 : 64;
		act_timer_t **h = realloc(w->heap, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		w->heap = h;
		w->heap_cap = cap;
	}
	t->heap_index = w->heap_len;
	w->heap[w->heap_len++] = t;
	sift_up(w, t->heap_index);
	return 0;
}

static void heap_remove(act_worker_t *w, act_timer_t *t)
{
	unsigned i = t->heap_index;
	if (i == NOT_IN_HEAP)
		return;
	t->heap_index = NOT_IN_HEAP;
	w->heap_len--;
	if (i == w->heap_len)
		return;
	w->heap[i] = w->heap[w->heap_len];
	w->heap[i]->heap_index = i;
	sift_down(w, i);
	sift_up(w, w->heap[i]->heap_index);
}

int act_timer_start(act_actor_t *self, uint64_t delay_ns, uint64_t period_ns,
		    uint64_t tag, act_timer_t **out)
{
	act_worker_t *w = self->worker;
	if (act__self_worker != w)
		return -EPERM;
	act_timer_t *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->owner = self;
	t->deadline_ns = act_now_ns() + delay_ns;
	t->period_ns = period_ns;
	act__msg_init_embedded(&t->msg.hdr, ACT_MSG_TIMER);
	t->msg.timer = t;
	t->msg.tag = tag;
	if (heap_insert(w, t) < 0) {
		free(t);
		return -ENOMEM;
	}
	act__list_add(&self->timers, &t->link);
	if (out)
		*out = t;
	return 0;
}

/* Forget @t: off the heap and the owner's list; freed now, or when its
 * queued message comes out of the mailbox. */
static void retire(act_timer_t *t)
{
	heap_remove(t->owner->worker, t);
	act__list_del(&t->link);
	if (t->queued)
		t->dead = true;
	else
		free(t);
}

void act_timer_cancel(act_actor_t *self, act_timer_t *t)
{
	if (t && !t->dead && t->owner == self)
		retire(t);
}

void act__timers_cancel_all(act_actor_t *a)
{
	while (!act__list_empty(&a->timers))
		retire(act__container(a->timers.next, act_timer_t, link));
}

void act__timer_drop(act_timer_t *t)
{
	t->queued = false;
	if (t->dead)
		free(t);
}

uint64_t act__timers_next(act_worker_t *w)
{
	if (w->heap_len == 0)
		return UINT64_MAX;
	uint64_t now = act_now_ns();
	uint64_t d = w->heap[0]->deadline_ns;
	return d > now ? d - now : 0;
}

void act__timers_fire(act_worker_t *w)
{
	if (w->heap_len == 0)
		return;
	uint64_t now = act_now_ns();
	while (w->heap_len > 0 && w->heap[0]->deadline_ns <= now) {
		act_timer_t *t = w->heap[0];
		uint64_t periods = 1;
		if (t->period_ns) {
			/* Skip periods missed while the worker was busy. */
			uint64_t late = now - t->deadline_ns;
			periods += late / t->period_ns;
			t->deadline_ns += periods * t->period_ns;
			sift_down(w, 0);
		} else {
			heap_remove(w, t);
		}
		ck_pr_store_64(&w->stats.timers, w->stats.timers + 1);
		if (t->queued) {
			t->msg.expired += periods;
		} else {
			t->msg.expired = periods;
			t->queued = true;
			act__push(t->owner, &t->msg.hdr);
		}
	}
}

void act__timer_dispatch(act_actor_t *a, act_timer_msg_t *m)
{
	act_timer_t *t = m->timer;
	if (t->dead) {
		free(t);
		return;
	}
	/* Still "queued" while the handler runs, so that a cancel from inside
	 * it marks the timer dead instead of freeing it under our feet. */
	a->beh->receive(a, a->state, &m->hdr);
	t->queued = false;
	if (t->dead)
		free(t);
	else if (!t->period_ns)
		retire(t); /* a one-shot is done once delivered */
}
