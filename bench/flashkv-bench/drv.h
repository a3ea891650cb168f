/*
 * drv.h - a driver thread: one epoll loop over its share of the
 * connections, sending requests closed-loop (each reply frees a slot of the
 * pipeline) or open-loop (a fixed schedule of intended send times), and
 * timing every reply.
 *
 * Open loop: the thread's requests k = 0, 1, 2 ... are intended at
 * t0 + k * interval and go round-robin to its connections.  A request that
 * finds its connection's pipeline full waits in a backlog and is sent as
 * soon as a slot frees; its corrected latency still counts from its
 * intended time, so a server stall shows in the percentiles instead of
 * silently slowing the client down (coordinated omission).  Timer wake-ups
 * come late (tens of us in a VM), so the loop asks to be woken that much
 * early (learned, at most 200 us) and may send a request that little
 * ahead of its time; such a request is timed from its actual send, so
 * sending early can never make the server look faster.
 *
 * Life: drv_init, then a thread runs drv_main, which connects, waits at
 * plan->gate until the main thread has set plan->t0 and the windows,
 * drives, drains and returns.  Results are in drv_t.st after the join.
 *
 * Threads: plan is written by the main thread before the second wait at
 * plan->gate and read-only afterwards, except plan->stop (atomic).
 * drv_t.live is shared with the progress printer (see stats.h).
 */
#ifndef FKB_DRV_H
#define FKB_DRV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conn.h"
#include "stats.h"
#include "wl.h"

typedef struct drv_plan {
	const wl_t *wl;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int pipeline;          /* requests in flight per connection */
	int conns;             /* over all threads */
	int threads;
	double rate;           /* requests/s over all threads; 0 = closed loop */
	bool resp3;            /* send HELLO 3 first on every connection */
	int fixed_cmd;         /* >= 0: always this command (the fill) */
	uint64_t seed;
	uint64_t requests;     /* measured requests over all threads; 0 = by time */
	/* Set by the main thread between the two gate waits: */
	uint64_t t0;           /* schedule start, CLOCK_MONOTONIC ns */
	uint64_t measure;      /* requests intended from here on are measured */
	uint64_t end;          /* nothing intended from here on is sent */
	uint64_t drain;        /* how long after the last send to await replies */
	pthread_barrier_t gate; /* threads + 1: "connected", then "go" */
	atomic_bool stop;      /* the user pressed ^C: wrap up now */
} drv_plan_t;

typedef struct drv {
	drv_plan_t *plan;
	int id;
	int nconns;
	conn_t *conns;
	conn_t **dirty;        /* connections to fill this turn */
	int ndirty;
	uint64_t quota;        /* requests mode: measured requests to send */
	uint64_t quota_used;
	double interval;       /* open loop: ns between this thread's requests */
	uint64_t t0;           /* this thread's schedule start */
	uint64_t k_next;       /* open loop: next request to assign */
	uint64_t next_due;     /* its intended time */
	uint64_t lead;         /* how late timed wake-ups come (EWMA, ns) */
	bool sched_done;       /* nothing more will be assigned */
	bool stopping;         /* draining */
	uint64_t deadline;     /* end of the drain */
	uint64_t inflight;     /* requests written, reply not yet read */
	uint64_t backlog;      /* open loop: assigned, not yet written */
	int nclosed;           /* connections waiting to reconnect */
	int ndead;
	int epfd;
	int rc;                /* 0, or why the thread failed */
	char err[160];
	wl_gen_t gen;
	stats_t st;
	stats_live_t live;
	pthread_t tid;
	atomic_bool finished;  /* drv_main has returned its results */
} drv_t;

/* Thread @id drives @nconns connections and, in requests mode, @quota of
 * the measured requests.  0 or -errno. */
int drv_init(drv_t *d, drv_plan_t *plan, int id, int nconns, uint64_t quota);
void drv_fini(drv_t *d);

/* Thread body (pthread signature); sets d->rc and d->err. */
void *drv_main(void *arg);

#endif
