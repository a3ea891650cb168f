/*
 * actor.c - spawn, send, stop and the run of one actor's turn.
 *
 * Scheduling invariant: an actor is in its worker's run queue, or running,
 * exactly when its mailbox is non-empty.  The push that finds the mailbox
 * empty schedules it (one producer sees "was empty" per transition).  The
 * worker pops messages; when a pop reports that it took the last one, the
 * mailbox is empty again and the actor is no longer scheduled: the next push
 * schedules it afresh.  When a pop is BUSY (a producer is between its
 * exchange and its link), the mailbox is non-empty to producers, so nobody
 * else will schedule the actor: the worker requeues it itself.
 *
 * Lifetime: `refs` counts handles plus one "alive" reference dropped when the
 * stop is processed.  When it reaches zero nobody can send any more, and the
 * embedded ctl_free message is pushed; it is necessarily the last message,
 * and the worker frees the actor when it reaches it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "act_internal.h"

act_actor_t *act_spawn(act_system_t *sys, const act_behaviour_t *beh,
		       void *state, int worker)
{
	if (!sys || !beh || !beh->receive || sys->down)
		return NULL;
	if (worker < 0)
		worker = (int)(ck_pr_faa_uint(&sys->next_worker, 1) %
			       (unsigned)sys->nworkers);
	if (worker >= sys->nworkers)
		return NULL;
	act_actor_t *a = aligned_alloc(64, sizeof(*a)); /* see act_internal.h */
	if (!a)
		return NULL;
	memset(a, 0, sizeof(*a));
	mbox_init(&a->mbox);
	a->worker = &sys->workers[worker];
	a->beh = beh;
	a->state = state;
	a->refs = 2; /* the caller's handle + alive */
	act__list_init(&a->timers);
	act__list_init(&a->fds);
	act__msg_init_embedded(&a->ctl_start, ACT__CTL_START);
	act__msg_init_embedded(&a->ctl_stop, ACT__CTL_STOP);
	act__msg_init_embedded(&a->ctl_free, ACT__CTL_FREE);

	pthread_mutex_lock(&a->worker->list_lock);
	act__list_add(&a->worker->actors, &a->link);
	pthread_mutex_unlock(&a->worker->list_lock);

	act__push(a, &a->ctl_start);
	return a;
}

act_actor_t *act_actor_ref(act_actor_t *a)
{
	ck_pr_inc_int(&a->refs);
	return a;
}

void act_actor_unref(act_actor_t *a)
{
	if (!a)
		return;
	bool zero;
	ck_pr_dec_int_zero(&a->refs, &zero);
	if (zero)
		act__push(a, &a->ctl_free);
}

int act_actor_worker(const act_actor_t *a)
{
	return a->worker->index;
}

act_system_t *act_actor_system(const act_actor_t *a)
{
	return a->worker->sys;
}

/* Append and schedule if this push made the mailbox non-empty. */
void act__push(act_actor_t *to, act_msg_t *msg)
{
	if (mbox_push(&to->mbox, &msg->node))
		act__schedule(to);
}

int act_send(act_actor_t *to, act_msg_t *msg)
{
	if (ck_pr_load_int(&to->stopped)) {
		act_msg_free(msg);
		return -ESRCH;
	}
	act__push(to, msg);
	return 0;
}

void act_stop(act_actor_t *a)
{
	if (ck_pr_cas_int(&a->stop_requested, 0, 1))
		act__push(a, &a->ctl_stop);
}

/* On the actor's worker: cancel its event sources and run on_stop once. */
void act__stop_now(act_actor_t *a)
{
	if (ck_pr_load_int(&a->stopped))
		return;
	ck_pr_store_int(&a->stopped, 1);
	ck_pr_store_int(&a->stop_requested, 1);
	act__timers_cancel_all(a);
	act__fds_unwatch_all(a);
	if (a->beh->on_stop)
		a->beh->on_stop(a, a->state);
	a->state = NULL;
}

/* Free a message that will never be delivered (stopped actor, shutdown). */
static void drop(act_actor_t *a, act_msg_t *m)
{
	if (!(m->flags & ACT__MSGF_EMBEDDED)) {
		act_msg_free(m);
		return;
	}
	if (m->type == ACT_MSG_TIMER)
		act__timer_drop(((act_timer_msg_t *)m)->timer);
	else if (m->type == ACT_MSG_FD)
		act__fd_drop(((act_fd_msg_t *)m)->watch);
	(void)a;
}

/* After shutdown, with every worker joined: free what is still queued. */
void act__drain_undelivered(act_actor_t *a)
{
	mbox_node_t *n;
	while ((n = mbox_pop(&a->mbox)) != NULL && n != MBOX_BUSY)
		drop(a, mbox_entry(n, act_msg_t, node));
}

void act__free(act_actor_t *a)
{
	act_worker_t *w = a->worker;
	pthread_mutex_lock(&w->list_lock);
	act__list_del(&a->link);
	pthread_mutex_unlock(&w->list_lock);
	mbox_destroy(&a->mbox);
	free(a);
}

/* Handle one message.  Returns false if the actor was freed. */
static bool dispatch(act_actor_t *a, act_msg_t *m)
{
	/* A requested stop takes effect before the next message, as act.h
	 * promises: messages still queued ahead of ctl_stop (an actor that
	 * stops itself usually has some) are freed undelivered below, not
	 * handed to an actor that has asked to stop.  ctl_stop itself only
	 * makes sure the actor runs to notice; it is ignored when it comes
	 * out.  The caller of act_stop holds a handle (or is the actor), so
	 * dropping the alive reference here cannot free the actor before
	 * ctl_stop is pushed.  Not before on_start: a stop never overtakes
	 * the start. */
	if (!a->stopped && a->started && ck_pr_load_int(&a->stop_requested)) {
		act__stop_now(a);
		act_actor_unref(a); /* the alive reference */
	}
	if (a->stopped) {
		if (m->type == ACT__CTL_FREE && (m->flags & ACT__MSGF_EMBEDDED)) {
			act__free(a);
			return false;
		}
		if (!(m->flags & ACT__MSGF_EMBEDDED) ||
		    m->type == ACT_MSG_TIMER || m->type == ACT_MSG_FD)
			drop(a, m);
		return true;
	}
	if (m->flags & ACT__MSGF_EMBEDDED) {
		switch (m->type) {
		case ACT__CTL_START:
			a->started = true;
			if (a->beh->on_start)
				a->beh->on_start(a, a->state);
			return true;
		case ACT__CTL_STOP:
			act__stop_now(a);
			act_actor_unref(a); /* the alive reference */
			return true;
		case ACT__CTL_FREE: /* only pushed after the stop: see above */
			return true;
		case ACT_MSG_TIMER:
			act__timer_dispatch(a, (act_timer_msg_t *)m);
			return true;
		case ACT_MSG_FD:
			act__fd_dispatch(a, (act_fd_msg_t *)m);
			return true;
		}
		return true;
	}
	/* After receive() returns, @m is touched only if it was not claimed:
	 * a claimed message may already belong to another worker. */
	act_worker_t *w = a->worker;
	w->handling = m;
	w->claimed = false;
	a->beh->receive(a, a->state, m);
	bool claimed = w->claimed;
	w->handling = NULL;
	w->claimed = false;
	if (!claimed)
		act_msg_free(m);
	return true;
}

/* One turn of actor @a on its worker: at most `batch` messages. */
void act__run(act_worker_t *w, act_actor_t *a)
{
	unsigned batch = w->sys->cfg.batch;
	unsigned i;
	for (i = 0; i < batch; i++) {
		int state = 0;
		mbox_node_t *n = mbox_pop_state(&a->mbox, &state);
		if (n == NULL)
			goto out; /* cannot happen while scheduled; be safe */
		if (n == MBOX_BUSY)
			break;  /* still ours to run: requeue below */
		/* The next message (pushed from another CPU) is cold: fetch
		 * it while this one is handled.  Not after the last one: the
		 * head's link is then the next producer's to write. */
		if (!(state & MBOX_POPPED_LAST))
			__builtin_prefetch(a->mbox.head.node.next, 0, 3);
		if (!dispatch(a, mbox_entry(n, act_msg_t, node))) {
			i++;
			goto out; /* freed */
		}
		if (state & MBOX_POPPED_LAST) {
			i++;
			goto out; /* the next push schedules it again */
		}
	}
	act__schedule(a);
out:
	ck_pr_store_64(&w->stats.messages, w->stats.messages + i);
}
