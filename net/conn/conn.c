/*
 * conn.c - the connection actor: socket I/O, parsing, backpressure, close.
 *
 * One actor per client, on the worker that owns the socket.  A read batch is
 * parsed command by command and handed to dispatch.c; after the batch the
 * replies that are ready are written straight away, and EPOLLOUT matters
 * only when the socket is full (the watch is edge-triggered for both).
 *
 * Backpressure: the connection stops parsing (and so reading: TCP pushes
 * back) while it has too many requests outstanding or too much output not
 * yet written, and resumes when replies or writes free room.  Output over
 * the configured hard limit closes the client, as Redis does.
 *
 * Lifetime: the actor stops only when no reply is outstanding, so shards
 * never send to a stopped connection; messages then still queued (none in
 * practice) are dropped by the runtime without being looked at.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ck_pr.h>

#include "conn.h"
#include "blocking.h"
#include "dispatch.h"
#include "merge.h"
#include "multi.h"
#include "prefetch.h"
#include "route.h"
#include "subscribe.h"
#include "txn.h"
#include "net/core/log.h"
#include "store/base/errors.h"

#define READ_CHUNK (16 * 1024)
#define RING_MAX 1024                  /* requests outstanding per conn */
#define RING_START 4                   /* grows by doubling up to RING_MAX */
#define SHARED_READ (64 * 1024)
#define OUT_PAUSE (1024 * 1024)        /* unsent bytes that pause parsing */
#define OUT_TRIM (64 * 1024)           /* keep at most this much capacity */

static conn_t **worker_conns;          /* [nworkers], each its worker's */
static char **worker_read_bufs;        /* [nworkers]: shared read buffers */
static reply_t *worker_scratch;        /* [nworkers]: see conn_scratch */

static void conn_on_start(act_actor_t *self, void *state);
static void conn_receive(act_actor_t *self, void *state, act_msg_t *msg);
static void conn_on_stop(act_actor_t *self, void *state);

static const act_behaviour_t conn_behaviour = {
	.name = "conn",
	.on_start = conn_on_start,
	.receive = conn_receive,
	.on_stop = conn_on_stop,
};

int conn_module_init(void)
{
	worker_conns = calloc((size_t)srv.nworkers, sizeof(*worker_conns));
	worker_read_bufs = calloc((size_t)srv.nworkers, sizeof(char *));
	worker_scratch = calloc((size_t)srv.nworkers, sizeof(reply_t));
	if (!worker_conns || !worker_read_bufs || !worker_scratch)
		return -ENOMEM;
	for (int w = 0; w < srv.nworkers; w++)
		if (!(worker_read_bufs[w] = malloc(SHARED_READ)))
			return -ENOMEM;
	return 0;
}

/* After the workers have stopped. */
void conn_module_fini(void)
{
	for (int w = 0; worker_read_bufs && w < srv.nworkers; w++)
		free(worker_read_bufs[w]);
	for (int w = 0; worker_scratch && w < srv.nworkers; w++)
		reply_free(&worker_scratch[w]);
	free(worker_scratch);
	worker_scratch = NULL;
	free(worker_read_bufs);
	free(worker_conns);
	worker_read_bufs = NULL;
	worker_conns = NULL;
}

reply_t *conn_scratch(int worker, int proto)
{
	reply_t *r = &worker_scratch[worker];
	reply_reset(r);
	r->proto = proto;
	return r;
}

act_actor_t *conn_spawn(int worker)
{
	conn_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = -1;
	c->worker = worker;
	act_actor_t *a = act_spawn(srv.sys, &conn_behaviour, c, worker);
	if (!a)
		free(c);
	return a;
}

static void conn_on_start(act_actor_t *self, void *state)
{
	conn_t *c = state;
	c->self = self;
	c->proto = 2;
	const config_t *cfg = server_cfg();
	c->authed = cfg->requirepass[0] == '\0';
	/* Until replies show their size, assume big ones: few in flight at
	 * first, more as small replies come back (like TCP's slow start). */
	c->reply_avg = 64 * 1024;
	c->id = ck_pr_faa_64(&srv.next_client_id, 1) + 1;
	c->created_ms = c->last_ms = (uint64_t)server_mstime();
	resp_parser_init(&c->parser);
	c->limits = RESP_LIMITS_DEFAULT;
	c->limits.max_bulk_len = cfg->proto_max_bulk_len;
	c->limits.auth_required = !c->authed;
	reply_init(&c->out, 2);
	c->ring = calloc(RING_START, sizeof(*c->ring));
	c->ring_mask = RING_START - 1;
	c->ob = calloc((size_t)srv.nshards, sizeof(*c->ob));
	c->pending_writes = calloc((size_t)srv.nshards, sizeof(uint32_t));
	c->inflight = calloc((size_t)srv.nshards, sizeof(uint32_t));
	c->want = calloc((size_t)srv.nshards, 1);
	c->held = calloc((size_t)srv.nshards, 1);
	c->next = worker_conns[c->worker];
	if (c->next)
		c->next->prev = c;
	worker_conns[c->worker] = c;
	if (!c->ring || !c->ob || !c->pending_writes || !c->inflight ||
	    !c->want || !c->held)
		c->closing = c->peer_gone = true;
}

static void unlink_conn(conn_t *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (worker_conns[c->worker] == c)
		worker_conns[c->worker] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static void conn_on_stop(act_actor_t *self, void *state)
{
	conn_t *c = state;
	(void)self;
	if (!c->closed && c->fd >= 0) {
		/* The runtime has already cancelled the watch (act.h). */
		close(c->fd);
		ck_pr_dec_int(&srv.connected_clients);
	}
	unlink_conn(c);
	subscribe_free(c); /* at shutdown: the owners are going too */
	for (uint32_t s = c->head; s != c->tail; s++)
		merge_free(&c->ring[s & c->ring_mask]);
	multi_free(c);
	dispatch_release(c);
	free(c->ring);
	free(c->pending_writes);
	reply_free(&c->out);
	resp_parser_free(&c->parser);
	free(c->qbuf);
	free(c);
}

size_t conn_unsent(const conn_t *c)
{
	return c->out.len - c->out_sent;
}

/* Close the socket and stop, once nothing is outstanding: no reply, no
 * hold on its way, no watched key left registered on a shard. */
static void maybe_finish(conn_t *c)
{
	/* A client leaving while it waits: end the wait first (its holds). */
	if (c->blk && (c->peer_gone || c->closing || c->read_eof) &&
	    !blocking_end(c, BLOCK_CLOSE))
		return;
	if (c->closed || conn_outstanding(c) > 0 || c->acquiring ||
	    c->stalled_argv)
		return;
	bool flushed = conn_unsent(c) == 0;
	if (!c->peer_gone && !((c->closing || c->read_eof) && flushed))
		return;
	if (!multi_reset(c))
		return; /* holds on their way: MSG_HELD comes back here */
	txn_release(c);
	subscribe_reset(c);
	c->closed = true;
	act_fd_unwatch(c->self, c->watch);
	c->watch = NULL;
	close(c->fd);
	ck_pr_dec_int(&srv.connected_clients);
	unlink_conn(c);
	act_stop(c->self);
}

static void write_out(conn_t *c)
{
	worker_stats_t *ws = &srv.wstats[c->worker];
	while (conn_unsent(c) > 0 && !c->peer_gone) {
		ssize_t n = send(c->fd, c->out.buf + c->out_sent, conn_unsent(c),
				 MSG_NOSIGNAL);
		if (n > 0) {
			c->out_sent += (size_t)n;
			ck_pr_store_64(&ws->net_out, ws->net_out + (uint64_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* EPOLLOUT will call us again */
		c->peer_gone = true; /* EPIPE, ECONNRESET... */
		return;
	}
	c->out_sent = 0;
	c->out.len = 0;
	if (c->out.cap > OUT_TRIM) {
		reply_free(&c->out);
		reply_init(&c->out, c->proto);
	}
}

static bool over_output_limit(conn_t *c)
{
	unsigned long long hard =
		server_cfg()->obuf_limit[CONFIG_CLIENT_NORMAL].hard;
	return hard && conn_unsent(c) > hard;
}

/* Requests we let be in flight: fewer when replies are big, so that what
 * comes back stays near OUT_PAUSE however deep the client pipelines. */
static uint32_t max_outstanding(const conn_t *c)
{
	uint32_t n = c->reply_avg ? OUT_PAUSE / c->reply_avg : RING_MAX;
	return n < 4 ? 4 : n > RING_MAX - 1 ? RING_MAX - 1 : n;
}

static bool may_parse(conn_t *c)
{
	/* A waiting client's commands wait too (as in Redis). */
	return !c->closing && !c->peer_gone && !c->draining && !c->blk &&
	       !c->stalled_argv && conn_outstanding(c) < max_outstanding(c) &&
	       conn_unsent(c) < OUT_PAUSE;
}

static void protocol_error(conn_t *c, int err)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	char msg[128];
	snprintf(msg, sizeof(msg), ERRF_PROTOCOL, resp_parser_strerror(&c->parser, err));
	reply_error(r, msg);
	dispatch_finish_now(c, req);
	log_verbose("Protocol error (%s) from client: id=%llu addr=%s",
		    resp_parser_strerror(&c->parser, err),
		    (unsigned long long)c->id, c->peer);
	c->closing = true;
}

/* Parse and dispatch as many buffered commands as the limits allow. */
static void parse_buffered(conn_t *c)
{
	int until_prefetch = 0;
	while (may_parse(c) && c->qpos < c->qlen) {
		if (until_prefetch-- == 0) {
			conn_prefetch_keys(c);
			until_prefetch = CONN_PREFETCH_BATCH - 1;
		}
		const resp_arg_t *argv;
		int argc;
		size_t used = 0;
		int r = resp_parse(&c->parser, c->qbuf + c->qpos, c->qlen - c->qpos,
				   &c->limits, &argv, &argc, &used);
		c->qpos += used;
		if (r == RESP_NEED_MORE)
			break;
		if (r == -ENOMEM) {
			log_warning("Out of memory parsing a command from client "
				    "id=%llu addr=%s: closing it",
				    (unsigned long long)c->id, c->peer);
			c->peer_gone = true;
			break;
		}
		if (r != RESP_OK) {
			protocol_error(c, r);
			break;
		}
		c->last_ms = (uint64_t)server_now_ms();
		route_command(c, argc, (const cmd_arg_t *)argv);
	}
	if (c->qpos == c->qlen) {
		c->qpos = c->qlen = 0;
		if (!c->q_shared && c->qcap > 0 && c->qcap <= SHARED_READ) {
			/* Idle connections hold no buffer: reads go to the
			 * worker's shared one until a command spans reads. */
			free(c->qbuf);
			c->qbuf = NULL;
			c->qcap = 0;
		}
	} else if (c->qpos > 0 && (c->qpos > c->qcap / 2 || c->qlen == c->qcap)) {
		memmove(c->qbuf, c->qbuf + c->qpos, c->qlen - c->qpos);
		c->qlen -= c->qpos;
		c->qpos = 0;
	}
}

/* Parse @n bytes just read into the shared buffer; keep what is left (a
 * command that spans reads, or commands held back by backpressure) in a
 * buffer of the connection's own. */
static void parse_shared(conn_t *c, size_t n)
{
	c->qbuf = worker_read_bufs[c->worker];
	c->qcap = SHARED_READ;
	c->qlen = n;
	c->qpos = 0;
	c->q_shared = true;
	parse_buffered(c);
	c->q_shared = false;
	size_t left = c->qlen - c->qpos;
	const char *from = c->qbuf + c->qpos;
	c->qbuf = NULL;
	c->qcap = c->qlen = c->qpos = 0;
	if (!left)
		return;
	size_t cap = READ_CHUNK * 2;
	while (cap < left + READ_CHUNK)
		cap *= 2;
	char *own = malloc(cap);
	if (!own) {
		c->peer_gone = true;
		return;
	}
	memcpy(own, from, left);
	c->qbuf = own;
	c->qcap = cap;
	c->qlen = left;
}

/* Room for the next read in the connection's own buffer.  false: the
 * client went over client-query-buffer-limit, or out of memory. */
static bool own_buffer_room(conn_t *c)
{
	/* Checked before every read, as Redis after every read: not only when
	 * the buffer grows (doubling could leave it far past the limit). */
	size_t want = c->qlen + READ_CHUNK;
	if ((long long)want > server_cfg()->client_query_buffer_limit + READ_CHUNK) {
		log_warning("Closing client that reached max query buffer "
			    "length: id=%llu addr=%s", (unsigned long long)c->id,
			    c->peer);
		return false;
	}
	if (c->qcap - c->qlen >= READ_CHUNK)
		return true;
	size_t cap = c->qcap ? c->qcap * 2 : READ_CHUNK * 2;
	while (cap < want)
		cap *= 2;
	char *q = realloc(c->qbuf, cap);
	if (!q)
		return false;
	c->qbuf = q;
	c->qcap = cap;
	return true;
}

/* Read what the socket has (while we may use it), parsing as we go.  Most
 * reads hold whole commands: with no bytes pending they go into the
 * worker's shared buffer, so idle connections hold no buffer at all.
 * Returns true when the socket is drained (EAGAIN) or done (EOF, error),
 * false when we stopped early for backpressure and must come back. */
static bool read_socket(conn_t *c)
{
	worker_stats_t *ws = &srv.wstats[c->worker];
	/* While it waits in a blocking command, a client's bytes are only
	 * kept, but the socket is still read: that is how its leaving shows. */
	while ((may_parse(c) || (c->blk && !c->closing && !c->peer_gone)) &&
	       !c->read_eof) {
		bool shared = c->qbuf == NULL;
		if (!shared && !own_buffer_room(c)) {
			c->peer_gone = true;
			return true;
		}
		char *dst = shared ? worker_read_bufs[c->worker] : c->qbuf + c->qlen;
		size_t room = shared ? SHARED_READ : c->qcap - c->qlen;
		ssize_t n = recv(c->fd, dst, room, 0);
		if (n > 0) {
			ck_pr_store_64(&ws->net_in, ws->net_in + (uint64_t)n);
			if (shared) {
				parse_shared(c, (size_t)n);
			} else {
				c->qlen += (size_t)n;
				parse_buffered(c);
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n == 0)
			c->read_eof = true; /* still answer what was sent */
		else
			c->peer_gone = true; /* ECONNRESET... */
		return true;
	}
	return c->peer_gone || c->closing || c->read_eof;
}

void conn_kick(conn_t *c)
{
	if (c->closed)
		return;
	/* Edge-triggered: once reading stopped early for backpressure, no
	 * new event comes for the bytes still in the socket, so go round
	 * again as long as writing out made room. */
	for (;;) {
		route_retry_stalled(c);
		parse_buffered(c);
		bool drained = read_socket(c);
		dispatch_flush(c);
		write_out(c);
		if (drained || !may_parse(c))
			break;
	}
	if (over_output_limit(c)) {
		log_warning("Client id=%llu addr=%s closed for overcoming of "
			    "output buffer limits.", (unsigned long long)c->id,
			    c->peer);
		c->peer_gone = true;
	}
	maybe_finish(c);
}

static void on_accepted(conn_t *c, accepted_msg_t *m)
{
	c->fd = m->fd;
	snprintf(c->peer, sizeof(c->peer), "%s", m->peer);
	snprintf(c->local, sizeof(c->local), "%s", m->local);
	int err = act_fd_watch(c->self, c->fd, ACT_FD_READ | ACT_FD_WRITE, 0,
			       &c->watch);
	if (err < 0) {
		close(c->fd);
		c->fd = -1;
		c->closed = true;
		ck_pr_dec_int(&srv.connected_clients);
		unlink_conn(c);
		act_stop(c->self);
	}
	/* The watch reports the socket's current readiness: reading starts
	 * with that message. */
}

static void conn_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	conn_t *c = state;
	int idle;
	server_clock_refresh();
	switch (msg->type) {
	case MSG_ACCEPTED:
		on_accepted(c, (accepted_msg_t *)msg);
		return;
	case ACT_MSG_FD:
		conn_kick(c);
		return;
	case MSG_REPLY_BATCH:
		dispatch_on_replies(c, (rep_batch_t *)msg);
		conn_kick(c);
		return;
	case MSG_HELD:
		txn_on_held(c, (hold_msg_t *)msg);
		if (blocking_on_held(c)) {
			if (!c->acquiring)
				conn_kick(c);
			return;
		}
		if (c->acquiring)
			return;
		/* What waited for the holds runs now: a stalled command, or
		 * else the close that unregisters the watched keys (nothing
		 * else may run while they are held). */
		if (c->stalled_argv)
			conn_kick(c);
		else
			maybe_finish(c);
		return;
	case MSG_SERVED:
	case MSG_WAKE:
	case ACT_MSG_TIMER: /* a blocking command's timeout */
	case MSG_UNBLOCK:
		blocking_receive(c, msg);
		conn_kick(c);
		return;
	case MSG_KILL: /* CLIENT KILL: close after what is in flight */
		c->closing = true;
		conn_kick(c);
		return;
	case MSG_SHUTDOWN: /* finish what is in flight, write it, close */
		c->draining = true;
		c->closing = true;
		conn_kick(c);
		return;
	case MSG_IDLE_CHECK: /* from the agent's once-a-second look */
		if ((idle = server_cfg()->timeout) > 0 &&
		    (uint64_t)server_mstime() - c->last_ms >
		    (uint64_t)idle * 1000 && conn_outstanding(c) == 0) {
			log_verbose("Closing idle client id=%llu addr=%s",
				    (unsigned long long)c->id, c->peer);
			c->peer_gone = true;
			conn_kick(c);
		}
		return;
	}
	(void)self;
}

conn_t *conn_first(int worker)
{
	return worker_conns[worker];
}

