/*
 * worker.c - one pinned thread: run ready actors, poll fds, fire timers,
 * spin briefly, then park in epoll_wait until woken.
 *
 * The park/wake handshake (why no wake-up is lost)
 *
 *   worker (parking)                     sender (act__schedule, was empty)
 *   W1 store sleeping = 1                S1 exchange runq tail (push actor)
 *   W2 full fence                        S2 full fence
 *   W3 load runq: empty? -> epoll_wait   S3 load sleeping: 1? -> eventfd
 *
 * This is Dekker's pattern.  With full fences at W2 and S2, the four
 * accesses have a single total order in which W1 precedes W3 and S1 precedes
 * S3.  If W3 reads "empty", W3 precedes S1, so W1 precedes S3 and the sender
 * reads sleeping == 1 and writes the eventfd; epoll_wait then returns at once
 * (the eventfd stays readable until the worker reads it).  Otherwise W3 sees
 * the actor and the worker does not sleep.  Either way the message is run.
 * Only the push that finds the run queue empty needs S2/S3: a later push onto
 * a non-empty queue is covered by the earlier pusher's check, or by the
 * worker itself being awake and not yet at W3.  tests/actors/stress_wake.c
 * hammers exactly this window.
 *
 * A worker's own pushes (local sends, timers, fds) skip S2/S3: it is awake.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "act_internal.h"

#define MAX_EVENTS 256
#define TURNS_BETWEEN_POLLS 64
/* ... or this long, whichever comes first: a run of long turns (a shard
 * walking its tables for a snapshot, one chunk a turn) must not keep the
 * sockets unheard for tens of milliseconds.  The clock is read once per
 * batch of TURNS_PER_BATCH turns. */
#define NS_BETWEEN_POLLS 200000ull
#define TURNS_PER_BATCH 16

uint64_t act_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int act_current_worker(void)
{
	return act__self_worker ? act__self_worker->index : -1;
}

void act__worker_wake(act_worker_t *w)
{
	/* Only one sender pays for the syscall per park. */
	if (ck_pr_load_int(&w->sleeping) && ck_pr_cas_int(&w->sleeping, 1, 0)) {
		uint64_t one = 1;
		ck_pr_inc_64(&w->stats.wakeups);
		ssize_t r = write(w->efd, &one, sizeof(one));
		(void)r; /* EAGAIN: counter saturated, already readable */
	}
}

void act__schedule(act_actor_t *a)
{
	act_worker_t *w = a->worker;
	bool was_empty = mbox_push(&w->runq, &a->runq_node);
	if (!was_empty || act__self_worker == w)
		return;
	ck_pr_fence_memory(); /* S2: order the push before reading sleeping */
	act__worker_wake(w);
}

int act__worker_init(act_system_t *sys, act_worker_t *w, int index, int cpu)
{
	memset(w, 0, sizeof(*w));
	w->sys = sys;
	w->index = index;
	w->cpu = cpu;
	mbox_init(&w->runq);
	act__pool_init(&w->pool, sys->cfg.msg_cache);
	act__list_init(&w->actors);
	pthread_mutex_init(&w->list_lock, NULL);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -errno;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		int err = -errno;
		close(w->epfd);
		return err;
	}
	/* data.ptr == NULL marks the eventfd among the fd watches. */
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->efd, &ev) < 0) {
		int err = -errno;
		close(w->efd);
		close(w->epfd);
		return err;
	}
	return 0;
}

void act__worker_destroy(act_worker_t *w)
{
	free(w->heap);
	close(w->efd);
	close(w->epfd);
	pthread_mutex_destroy(&w->list_lock);
}

/* Run ready actors for up to @turns turns.  Returns how many ran. */
static unsigned run_ready(act_worker_t *w, unsigned turns)
{
	unsigned ran = 0;
	while (ran < turns) {
		mbox_node_t *n = mbox_pop(&w->runq);
		if (n == NULL || n == MBOX_BUSY)
			break;
		act__run(w, mbox_entry(n, act_actor_t, runq_node));
		ran++;
	}
	if (ran)
		ck_pr_store_64(&w->stats.turns, w->stats.turns + ran);
	return ran;
}

/* epoll_pwait2 (Linux 5.11) takes a nanosecond timeout; where it is
 * missing (older kernels, valgrind) fall back to epoll_wait, rounding the
 * timeout up to whole milliseconds so timers never fire early. */
static int wait_events(int epfd, struct epoll_event *evs, int max,
		       const struct timespec *timeout)
{
	static int have_pwait2 = 1;
	if (ck_pr_load_int(&have_pwait2)) {
		int n = epoll_pwait2(epfd, evs, max, timeout, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		ck_pr_store_int(&have_pwait2, 0);
	}
	int ms = -1;
	if (timeout) {
		uint64_t ns = (uint64_t)timeout->tv_sec * 1000000000u +
			      (uint64_t)timeout->tv_nsec;
		uint64_t rounded = (ns + 999999) / 1000000;
		ms = rounded > INT32_MAX ? INT32_MAX : (int)rounded;
	}
	return epoll_wait(epfd, evs, max, ms);
}

/* Poll epoll with @timeout (NULL: forever); deliver fd readiness. */
static void poll_events(act_worker_t *w, const struct timespec *timeout)
{
	struct epoll_event evs[MAX_EVENTS];
	int n = wait_events(w->epfd, evs, MAX_EVENTS, timeout);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL) {
			uint64_t v;
			ssize_t r = read(w->efd, &v, sizeof(v));
			(void)r;
			continue;
		}
		act__fd_event(w, evs[i].data.ptr, evs[i].events);
	}
	if (n > 0)
		ck_pr_store_64(&w->stats.fd_events, w->stats.fd_events + (uint64_t)n);
}

static const struct timespec zero_timeout = { 0, 0 };

void act_expect_message(act_actor_t *self, uint64_t within_ns)
{
	act_worker_t *w = self->worker;
	if (act__self_worker != w)
		return;
	uint64_t until = act_now_ns() + within_ns;
	if (until > w->spin_until_ns)
		w->spin_until_ns = until;
}

/* Spin for up to spin_ns (or until an expected message's deadline) waiting
 * for work; true if work arrived. */
static bool spin(act_worker_t *w)
{
	uint64_t now = act_now_ns();
	uint64_t until = now + w->sys->cfg.spin_ns;
	if (w->spin_until_ns > until)
		until = w->spin_until_ns;
	w->spin_until_ns = 0;
	if (until <= now)
		return false;
	for (unsigned i = 1;; i++) {
		if (!mbox_is_empty(&w->runq) || ck_pr_load_int(&w->stop))
			return true;
		ck_pr_stall();
		if ((i & 63) == 0) {
			if (act_now_ns() >= until)
				return false;
			/* A syscall: only every ~10 us, and only if there are
			 * sockets to hear from. */
			if ((i & 1023) == 0 && w->nwatches)
				poll_events(w, &zero_timeout);
		}
	}
}

static void park(act_worker_t *w)
{
	ck_pr_store_int(&w->sleeping, 1);          /* W1 */
	ck_pr_fence_memory();                      /* W2 */
	if (!mbox_is_empty(&w->runq) || ck_pr_load_int(&w->stop)) { /* W3 */
		ck_pr_store_int(&w->sleeping, 0);
		return;
	}
	uint64_t next = act__timers_next(w);
	struct timespec ts, *timeout = NULL;
	if (next != UINT64_MAX) {
		ts.tv_sec = (time_t)(next / 1000000000u);
		ts.tv_nsec = (long)(next % 1000000000u);
		timeout = &ts;
	}
	ck_pr_store_64(&w->stats.parks, w->stats.parks + 1);
	poll_events(w, timeout);
	ck_pr_store_int(&w->sleeping, 0);
}

/* Shutdown: stop every actor of this worker and free what they hold. */
static void stop_all(act_worker_t *w)
{
	pthread_mutex_lock(&w->list_lock);
	for (act__list_t *l = w->actors.next; l != &w->actors; l = l->next) {
		act_actor_t *a = act__container(l, act_actor_t, link);
		act__stop_now(a);
	}
	pthread_mutex_unlock(&w->list_lock);
}

void *act__worker_main(void *arg)
{
	act_worker_t *w = arg;
	act__self_worker = w;
	if (w->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	unsigned since_poll = 0;
	uint64_t last_poll = act_now_ns();
	while (!ck_pr_load_int(&w->stop)) {
		unsigned ran = run_ready(w, TURNS_PER_BATCH);
		act__timers_fire(w);
		if (ran > 0) {
			/* Busy: still hear from sockets every so many turns,
			 * or every so long. */
			since_poll += ran;
			if (w->nwatches && (since_poll >= TURNS_BETWEEN_POLLS ||
					    act_now_ns() - last_poll >= NS_BETWEEN_POLLS)) {
				poll_events(w, &zero_timeout);
				since_poll = 0;
				last_poll = act_now_ns();
			}
			continue;
		}
		since_poll = 0;
		last_poll = act_now_ns();
		/* Out of work: send frees of other workers' messages home
		 * before spinning or sleeping (see msg.c). */
		act__msg_flush(w);
		if (!mbox_is_empty(&w->runq))
			continue; /* BUSY: a producer is mid-push */
		if (w->nwatches)
			poll_events(w, &zero_timeout);
		if (!mbox_is_empty(&w->runq) || spin(w))
			continue;
		park(w);
	}
	stop_all(w);
	act__msg_flush(w);
	act__self_worker = NULL;
	return NULL;
}
