/*
 * drv.c - the driver thread's loop (drv.h): schedule, send, read, time.
 *
 * Each turn: read the clock, assign the requests that fell due (open loop),
 * fill and flush the connections that got work, then wait in epoll until
 * the next intended send time or a socket is ready.  Replies are timed with
 * one clock read per read() call, shared by every reply in that read.
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "net/proto/resp_reply.h"
#include "mono.h"

#define MAX_EVENTS 256
#define IDLE_WAIT_NS (100 * MONO_MS)   /* wake at least this often */
#define CONNECT_WAIT_NS (5 * MONO_S)
#define RETRY_NS (100 * MONO_MS)
#define MAX_FAILURES 50
#define MAX_LEAD_NS (200 * 1000)     /* never send more than this early */

static const char hello3[] = "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n";

int drv_init(drv_t *d, drv_plan_t *plan, int id, int nconns, uint64_t quota)
{
	memset(d, 0, sizeof(*d));
	d->plan = plan;
	d->id = id;
	d->nconns = nconns;
	d->quota = quota;
	d->epfd = -1;
	int rc = stats_init(&d->st, plan->wl->ncmd);
	if (rc)
		return rc;
	rc = stats_live_init(&d->live);
	if (rc) {
		stats_fini(&d->st);
		return rc;
	}
	d->conns = calloc((size_t)nconns, sizeof(*d->conns));
	d->dirty = calloc((size_t)nconns, sizeof(*d->dirty));
	if (!d->conns || !d->dirty)
		goto nomem;
	for (int i = 0; i < nconns; i++)
		if (conn_init(&d->conns[i], (uint32_t)i, (uint32_t)plan->pipeline + 1))
			goto nomem;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		rc = -errno;
		drv_fini(d);
		return rc;
	}
	wl_gen_init(plan->wl, &d->gen, plan->seed, id, plan->threads);
	return 0;
nomem:
	drv_fini(d);
	return -ENOMEM;
}

void drv_fini(drv_t *d)
{
	for (int i = 0; d->conns && i < d->nconns; i++)
		conn_fini(&d->conns[i]);
	free(d->conns);
	free(d->dirty);
	d->conns = NULL;
	d->dirty = NULL;
	if (d->epfd >= 0)
		close(d->epfd);
	d->epfd = -1;
	stats_fini(&d->st);
	stats_live_fini(&d->live);
}

static bool open_loop(const drv_t *d)
{
	return d->plan->rate > 0;
}

/* Intended send time of this thread's request number @k. */
static uint64_t intended_of(const drv_t *d, uint64_t k)
{
	return d->t0 + (uint64_t)((double)k * d->interval);
}

static void mark_dirty(drv_t *d, conn_t *c)
{
	if (!c->dirty) {
		c->dirty = true;
		d->dirty[d->ndirty++] = c;
	}
}

/* A connection broke: what it had in flight is lost (counted), the rest of
 * its due work waits for the reconnect. */
static void fail_conn(drv_t *d, conn_t *c, uint64_t now)
{
	for (uint32_t k = 0; k < c->count; k++) {
		conn_req_t *r = conn_peek(c, k);
		if (r->cmd >= 0 && r->measured)
			d->st.conn_errors++;
	}
	d->inflight -= c->count;
	conn_close(c, d->epfd);
	c->failures++;
	if (c->failures >= MAX_FAILURES) {
		c->state = CONN_DEAD;
		d->ndead++;
		d->backlog -= c->due - c->issued;
		c->issued = c->due;
		return;
	}
	uint32_t f = c->failures < 10 ? c->failures : 10;
	c->retry_at = now + RETRY_NS * f;
	d->nclosed++;
}

/* Starts the connection: HELLO 3 goes first when asked for, so the
 * requests pipelined behind it already get RESP3 replies. */
static int start_conn(drv_t *d, conn_t *c)
{
	int rc = conn_open(c, d->epfd, (struct sockaddr *)&d->plan->addr,
	    d->plan->addrlen);
	if (rc)
		return rc;
	if (d->plan->resp3) {
		if (buf_reserve(&c->out, sizeof(hello3)))
			return -ENOMEM;
		memcpy(c->out.data + c->out.len, hello3, sizeof(hello3) - 1);
		c->out.len += sizeof(hello3) - 1;
		*conn_push(c) = (conn_req_t){0, 0, -1, 0};
		d->inflight++;
	}
	return 0;
}

/* Closed loop: may one more request go out now? */
static bool closed_may_send(const drv_t *d, uint64_t now)
{
	if (d->stopping || now >= d->plan->end)
		return false;
	return !d->quota || now < d->plan->measure || d->quota_used < d->quota;
}

/* Writes as many requests as the pipeline and the schedule allow. */
static int fill(drv_t *d, conn_t *c, uint64_t now)
{
	const drv_plan_t *p = d->plan;
	bool open = open_loop(d);
	if (c->state != CONN_READY)
		return 0;
	/* The send time is read here, not taken from the loop's clock: the
	 * connections filled before this one took time that is not the
	 * server's. */
	if (c->count < (uint32_t)p->pipeline)
		now = mono_now_ns();
	while (c->count < (uint32_t)p->pipeline) {
		uint64_t intended;
		if (open) {
			if (c->issued >= c->due)
				break;
			intended = intended_of(d, c->issued * (uint64_t)d->nconns + c->idx);
		} else {
			if (!closed_may_send(d, now))
				break;
			intended = now;
		}
		bool measured = intended >= p->measure;
		int ci = p->fixed_cmd >= 0 ?
		    wl_emit_cmd(p->wl, &d->gen, p->fixed_cmd, &c->out) :
		    wl_emit(p->wl, &d->gen, &c->out);
		if (ci < 0)
			return ci;
		*conn_push(c) = (conn_req_t){intended, now, (int16_t)ci, measured};
		c->issued++;
		d->inflight++;
		d->st.sent++;
		if (open)
			d->backlog--;
		else if (measured)
			d->quota_used++;
	}
	return conn_flush(c, d->epfd);
}

/* Open loop: hands every request whose intended time has come to its
 * connection (round-robin), then fills those connections. */
static void schedule(drv_t *d, uint64_t now)
{
	const drv_plan_t *p = d->plan;
	while (!d->sched_done) {
		uint64_t t = intended_of(d, d->k_next);
		if (t >= p->end || d->stopping) {
			d->sched_done = true;
			break;
		}
		/* Up to `lead` early: the wake-up that brings us here is late by
		 * about that much (see wait_events), and a request sent early is
		 * timed from its actual send (on_reply), so it cannot look
		 * faster than the server was. */
		if (t > now + d->lead) {
			d->next_due = t;
			break;
		}
		bool measured = t >= p->measure;
		/* How late the loop noticed the request was due: the tool's own
		 * lateness, as opposed to waiting for a full pipeline. */
		if (measured)
			hist_record(&d->st.lag, now > t ? now - t : 0);
		if (measured && d->quota) {
			if (d->quota_used == d->quota) {
				d->sched_done = true;
				break;
			}
			d->quota_used++;
		}
		conn_t *c = &d->conns[d->k_next % (uint64_t)d->nconns];
		d->k_next++;
		if (c->state == CONN_DEAD) {
			if (measured)
				d->st.conn_errors++; /* never sent: lost all the same */
			continue;
		}
		c->due++;
		d->backlog++;
		mark_dirty(d, c);
	}
}

static void flush_dirty(drv_t *d, uint64_t now)
{
	for (int i = 0; i < d->ndirty; i++) {
		conn_t *c = d->dirty[i];
		c->dirty = false;
		if (fill(d, c, now))
			fail_conn(d, c, now);
	}
	d->ndirty = 0;
}

/* Accounts one reply to the oldest request of @c. */
static void on_reply(drv_t *d, conn_t *c, uint64_t now, bool err)
{
	conn_req_t r = conn_pop(c);
	d->inflight--;
	d->st.replies++;
	if (r.cmd < 0)
		return;
	/* From the intended send time, or from the actual one when the
	 * request left early (see schedule). */
	uint64_t lat = now - (r.sent < r.intended ? r.sent : r.intended);
	hist_record(&d->live.h, lat);
	if (err)
		d->live.err++;
	else
		d->live.ok++;
	if (!r.measured)
		return;
	stats_cmd_t *sc = &d->st.cmd[r.cmd];
	hist_record(&sc->corr, lat);
	hist_record(&sc->raw, now - r.sent);
	if (err)
		sc->err++;
	else
		sc->ok++;
	d->st.last_ns = now;
}

/* Reads what arrived and accounts every complete reply.  0, or -errno when
 * the connection has to go (EOF, error, protocol error). */
static int on_readable(drv_t *d, conn_t *c)
{
	long n = conn_read(c);
	if (n == -EAGAIN)
		return 0;
	if (n <= 0)
		return n ? (int)n : -ECONNRESET;
	uint64_t now = mono_now_ns();
	int rc = 0;
	pthread_mutex_lock(&d->live.mu);
	for (;;) {
		resp_reply_info_t info;
		long len = resp_reply_scan(c->in.data + c->in.off,
		    buf_avail(&c->in), &info);
		if (len == 0)
			break;
		if (len < 0) {
			rc = -EPROTO;
			break;
		}
		buf_consume(&c->in, (size_t)len);
		if (info.flags & RESP_REPLY_PUSH)
			continue; /* out of band, answers no request */
		if (c->count == 0) {
			rc = -EPROTO; /* a reply nobody asked for */
			break;
		}
		on_reply(d, c, now, info.flags & RESP_REPLY_ERROR);
	}
	pthread_mutex_unlock(&d->live.mu);
	if (rc == 0)
		mark_dirty(d, c);
	return rc;
}

static void on_event(drv_t *d, conn_t *c, uint32_t ev, uint64_t now)
{
	int rc = 0;
	if (c->state == CONN_CONNECTING) {
		rc = conn_finish_connect(c, d->epfd);
		if (rc == 0) {
			c->failures = 0;
			mark_dirty(d, c);
		}
	} else if (c->state == CONN_READY) {
		if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
			rc = on_readable(d, c);
		if (rc == 0 && (ev & EPOLLOUT))
			rc = conn_flush(c, d->epfd);
	}
	if (rc)
		fail_conn(d, c, now);
}

static void retry_closed(drv_t *d, uint64_t now)
{
	for (int i = 0; i < d->nconns && d->nclosed; i++) {
		conn_t *c = &d->conns[i];
		if (c->state != CONN_CLOSED || c->retry_at > now)
			continue;
		d->nclosed--;
		d->st.reconnects++;
		if (start_conn(d, c))
			fail_conn(d, c, now);
		else
			mark_dirty(d, c);
	}
}

/* Waits for socket events until @until at the latest, and handles them. */
static int wait_events(drv_t *d, uint64_t now, uint64_t until)
{
	struct epoll_event ev[MAX_EVENTS];
	uint64_t wait = until > now ? until - now : 0;
	struct timespec ts = {(time_t)(wait / MONO_S), (long)(wait % MONO_S)};
	int n = epoll_pwait2(d->epfd, ev, MAX_EVENTS, &ts, NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	uint64_t woke = mono_now_ns();
	if (n == 0 && wait && until - now < IDLE_WAIT_NS) {
		/* A timed wake-up for the schedule: learn how late such wake-ups
		 * come (tens of us in a VM, whatever the timer slack), so the
		 * next ones can be asked for that much earlier. */
		uint64_t late = woke > until ? woke - until : 0;
		if (late > MAX_LEAD_NS)
			late = MAX_LEAD_NS;
		d->lead = (d->lead * 7 + late) / 8;
	}
	now = woke;
	for (int i = 0; i < n; i++)
		on_event(d, ev[i].data.ptr, ev[i].events, now);
	return n;
}

/* Opens every connection and waits until all are up (and have answered
 * HELLO, if sent).  0 or -errno with d->err set. */
static int connect_all(drv_t *d)
{
	for (int i = 0; i < d->nconns; i++) {
		int rc = start_conn(d, &d->conns[i]);
		if (rc) {
			snprintf(d->err, sizeof(d->err), "connect: %s", strerror(-rc));
			return rc;
		}
		mark_dirty(d, &d->conns[i]); /* flushes a HELLO if already up */
	}
	uint64_t until = mono_now_ns() + CONNECT_WAIT_NS;
	for (;;) {
		uint64_t now = mono_now_ns();
		for (int i = 0; i < d->ndirty; i++) {
			d->dirty[i]->dirty = false;
			if (conn_flush(d->dirty[i], d->epfd))
				fail_conn(d, d->dirty[i], now);
		}
		d->ndirty = 0;
		int ready = 0;
		for (int i = 0; i < d->nconns; i++) {
			conn_t *c = &d->conns[i];
			if (c->state == CONN_CLOSED || c->state == CONN_DEAD) {
				snprintf(d->err, sizeof(d->err), "connection refused or reset");
				return -ECONNREFUSED;
			}
			ready += c->state == CONN_READY && c->count == 0;
		}
		if (ready == d->nconns)
			break;
		if (now >= until) {
			snprintf(d->err, sizeof(d->err), "connect: timed out");
			return -ETIMEDOUT;
		}
		int rc = wait_events(d, now, until);
		if (rc < 0)
			return rc;
	}
	/* Replies to set-up commands (HELLO) are not workload. */
	d->st.replies = 0;
	return 0;
}

/* At the end of the drain: requests still without reply were measured
 * from their intended time to now at least; count them so (a lower bound)
 * rather than leave them out, and say how many there were. */
static void give_up(drv_t *d, uint64_t now, bool record)
{
	const drv_plan_t *p = d->plan;
	for (int i = 0; i < d->nconns; i++) {
		conn_t *c = &d->conns[i];
		for (uint32_t k = 0; k < c->count; k++) {
			conn_req_t *r = conn_peek(c, k);
			if (r->cmd < 0 || !r->measured)
				continue;
			d->st.unfinished++;
			if (record) {
				hist_record(&d->st.cmd[r->cmd].corr, now -
				    (r->sent < r->intended ? r->sent : r->intended));
				hist_record(&d->st.cmd[r->cmd].raw, now - r->sent);
			}
		}
		for (uint64_t j = c->issued; j < c->due; j++) {
			uint64_t t = intended_of(d, j * (uint64_t)d->nconns + c->idx);
			if (t < p->measure)
				continue;
			d->st.unfinished++;
			if (record)
				hist_record(&d->st.cmd[wl_pick(p->wl, &d->gen)].corr, now - t);
		}
	}
}

static int drive(drv_t *d)
{
	const drv_plan_t *p = d->plan;
	bool open = open_loop(d);
	/* Start on the clock, not before: an early request would fall
	 * outside the measured window. */
	struct timespec at = {(time_t)(p->t0 / MONO_S), (long)(p->t0 % MONO_S)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
	if (open) {
		double rate = p->rate * d->nconns / p->conns;
		d->interval = 1e9 / rate;
		/* Threads interleave their schedules instead of bursting together. */
		d->t0 = p->t0 + (uint64_t)(d->interval * d->id / p->threads);
		/* Sleeping 50 us late (the default slack) would be charged to the
		 * server as latency. */
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	} else {
		d->sched_done = true;
		for (int i = 0; i < d->nconns; i++)
			mark_dirty(d, &d->conns[i]);
	}
	for (;;) {
		uint64_t now = mono_now_ns();
		bool user_stop = atomic_load_explicit(&p->stop, memory_order_relaxed);
		if (!d->stopping && (user_stop || now >= p->end ||
		    (open && d->sched_done) ||
		    (!open && d->quota && d->quota_used >= d->quota))) {
			d->stopping = true;
			d->deadline = now + (user_stop ? 0 : p->drain);
		}
		if (user_stop && d->deadline > now)
			d->deadline = now;
		if (open && !d->sched_done)
			schedule(d, now);
		if (d->ndirty)
			flush_dirty(d, now);
		if (d->nclosed)
			retry_closed(d, now);
		if (d->ndead == d->nconns) {
			snprintf(d->err, sizeof(d->err), "every connection failed");
			return -ECONNREFUSED;
		}
		if (d->stopping && d->inflight == 0 && d->backlog == 0)
			return 0;
		if (d->stopping && now >= d->deadline) {
			give_up(d, now, !user_stop);
			return 0;
		}
		uint64_t until = now + IDLE_WAIT_NS;
		if (open && !d->sched_done && d->next_due - d->lead < until)
			until = d->next_due - d->lead;
		if (d->stopping && d->deadline < until)
			until = d->deadline;
		int rc = wait_events(d, now, until);
		if (rc < 0) {
			snprintf(d->err, sizeof(d->err), "epoll: %s", strerror(-rc));
			return rc;
		}
	}
}

void *drv_main(void *arg)
{
	drv_t *d = arg;
	drv_plan_t *p = d->plan;
	d->rc = connect_all(d);
	pthread_barrier_wait(&p->gate); /* connected (or failed: see rc) */
	pthread_barrier_wait(&p->gate); /* go: t0 and the windows are set */
	if (d->rc == 0 && !atomic_load(&p->stop))
		d->rc = drive(d);
	atomic_store(&d->finished, true);
	return NULL;
}
