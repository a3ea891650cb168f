/*
 * agent.c - one small agent actor per worker for what concerns all the
 * connections of a worker: CLIENT LIST, CLIENT KILL, the drain at
 * shutdown, the idle `timeout` check, and CONFIG SET's new settings.  A
 * worker's connection list is that worker's alone, so it is read only by
 * its agent (or its connections), on that worker's thread; answers go back
 * to the asking connection as reply batches, like a shard's, and are
 * gathered by merge.c.
 *
 * Idle clients: while `timeout` is set, each agent looks at its worker's
 * connections once a second (Redis's clientsCron does the same) and tells
 * those idle for longer to check and close themselves (MSG_IDLE_CHECK):
 * one timer per worker, none per connection, and a CONFIG SET timeout
 * reaches the connections that were already there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "blocking.h"
#include "dispatch.h"
#include "merge.h"
#include "subscribe.h"
#include "net/core/log.h"

static act_actor_t **worker_agents;    /* [nworkers] */

typedef struct agent {
	act_timer_t *idle_timer; /* running while `timeout` > 0 */
} agent_t;

static agent_t *agent_states;          /* [nworkers], each its worker's */

/* Answer a CLIENT LIST part: this worker's lines. */
static void agent_list(int w, const list_msg_t *lm);

/* Send a request part's answer (@bytes) back to the asking connection. */
static void agent_answer(const list_msg_t *lm, const char *bytes, size_t len)
{
	rep_send_one(lm->reply_to, lm->conn, lm->seq, lm->part, bytes, len);
}

static void agent_list(int w, const list_msg_t *lm)
{
	reply_t *text = conn_scratch(w, 2);
	conn_list_fill(w, text, NULL);
	agent_answer(lm, text->buf ? text->buf : "", text->len);
}

static bool kill_matches(const conn_t *c, const kill_msg_t *k)
{
	if (k->none || c->closed || c->closing || c->peer_gone)
		return false;
	if (k->skipme && c->id == k->caller)
		return false;
	if (k->id && c->id != k->id)
		return false;
	if (k->addr[0] && strcmp(k->addr, c->peer))
		return false;
	if (k->laddr[0] && strcmp(k->laddr, c->local))
		return false;
	return true;
}

/* CLIENT UNBLOCK: 1 if client `id` is here and waiting (told to end the
 * wait), else 0. */
static long long agent_unblock(int w, const kill_msg_t *k)
{
	for (conn_t *c = conn_first(w); c; c = c->next) {
		if (c->id != k->id || !c->blk || c->closed)
			continue;
		unblock_msg_t *m = (unblock_msg_t *)act_msg_new(sizeof(*m), MSG_UNBLOCK);
		if (!m)
			return 0;
		m->error = k->unblock == UNBLOCK_ERROR;
		act_send(c->self, &m->hdr);
		return 1;
	}
	return 0;
}

static void agent_kill(int w, const kill_msg_t *k)
{
	long long killed = 0;
	if (k->unblock) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), ":%lld\r\n", agent_unblock(w, k));
		agent_answer(&k->req, buf, (size_t)n);
		return;
	}
	for (conn_t *c = conn_first(w); c; c = c->next) {
		if (!kill_matches(c, k))
			continue;
		act_msg_t *m = act_msg_new(sizeof(*m), MSG_KILL);
		if (m) {
			act_send(c->self, m);
			killed++;
		}
	}
	char buf[32];
	int n = snprintf(buf, sizeof(buf), ":%lld\r\n", killed);
	agent_answer(&k->req, buf, (size_t)n);
}

/* Start or stop the once-a-second idle check as `timeout` says. */
static void idle_timer_update(act_actor_t *self, agent_t *ag)
{
	bool want = server_cfg()->timeout > 0;
	if (want && !ag->idle_timer) {
		if (act_timer_start(self, 1000000000ull, 1000000000ull, 0,
				    &ag->idle_timer) < 0) {
			log_warning("Cannot start the idle client timer");
			ag->idle_timer = NULL;
		}
	} else if (!want && ag->idle_timer) {
		act_timer_cancel(self, ag->idle_timer);
		ag->idle_timer = NULL;
	}
}

/* Redis's clientsCronHandleTimeout, for this worker's connections: the
 * connection checks again when the message arrives (it may have had a
 * command since), then closes. */
static void idle_check(int w)
{
	long long timeout = server_cfg()->timeout;
	uint64_t now = (uint64_t)server_mstime();
	if (timeout <= 0)
		return;
	for (conn_t *c = conn_first(w); c; c = c->next) {
		if (c->closed || c->closing || c->peer_gone ||
		    conn_outstanding(c) > 0 ||
		    now - c->last_ms <= (uint64_t)timeout * 1000)
			continue;
		act_msg_t *m = act_msg_new(sizeof(*m), MSG_IDLE_CHECK);
		if (m)
			act_send(c->self, m);
	}
}

/* CONFIG SET: what each connection copied from the settings follows them:
 * the bulk length limit and the unauthenticated limits (Redis reads both
 * afresh for every command it parses). */
static void config_sync(act_actor_t *self, agent_t *ag, int w,
			const config_sync_msg_t *m)
{
	const config_t *cfg = server_cfg();
	for (conn_t *c = conn_first(w); c; c = c->next) {
		c->limits.max_bulk_len = cfg->proto_max_bulk_len;
		c->limits.auth_required = !c->authed && cfg->requirepass[0];
	}
	idle_timer_update(self, ag);
	/* This worker's turns that could hold the old settings are over. */
	if (m->synced)
		m->synced(m->arg);
}

static void agent_on_start(act_actor_t *self, void *state)
{
	idle_timer_update(self, state);
}

static void agent_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	int w = act_actor_worker(self);
	if (msg->type == MSG_CONFIG_SYNC) {
		config_sync(self, state, w, (const config_sync_msg_t *)msg);
		return;
	}
	if (msg->type == ACT_MSG_TIMER) {
		idle_check(w);
		return;
	}
	if (msg->type == MSG_CLIENT_LIST) {
		agent_list(w, (const list_msg_t *)msg);
		return;
	}
	if (msg->type == MSG_CLIENT_KILL) {
		agent_kill(w, (const kill_msg_t *)msg);
		return;
	}
	for (conn_t *c = conn_first(w); c && msg->type == MSG_SHUTDOWN;
	     c = c->next) {
		act_msg_t *m = act_msg_new(sizeof(*m), MSG_SHUTDOWN);
		if (m)
			act_send(c->self, m);
	}
}

void conn_config_sync(void (*synced)(void *arg), void *arg)
{
	for (int w = 0; w < srv.nworkers; w++) {
		config_sync_msg_t *m = (config_sync_msg_t *)act_msg_new(
			sizeof(*m), MSG_CONFIG_SYNC);
		if (!m) {
			/* Never released early: freed at exit instead. */
			log_warning("out of memory announcing new settings");
			continue;
		}
		m->synced = synced;
		m->arg = arg;
		act_send(worker_agents[w], &m->hdr);
	}
}

void conn_list_all(conn_t *c)
{
	req_t *req = dispatch_new_req(c, MERGE_CLIENTS, (uint16_t)srv.nworkers);
	req->parts = calloc((size_t)srv.nworkers, sizeof(reply_t));
	if (!req->parts) {
		log_warning("out of memory gathering CLIENT LIST");
		abort();
	}
	for (int w = 0; w < srv.nworkers; w++) {
		if (w == c->worker) {
			reply_t *text = conn_scratch(w, 2);
			conn_list_fill(w, text, NULL);
			rep_entry_t e = { .seq = req->seq, .part = (uint16_t)w,
					  .len = (uint32_t)text->len };
			merge_part(c, req, &e, text->buf ? text->buf : "");
			continue;
		}
		list_msg_t *m = (list_msg_t *)act_msg_new(sizeof(*m),
							  MSG_CLIENT_LIST);
		if (!m) {
			log_warning("out of memory gathering CLIENT LIST");
			abort();
		}
		m->reply_to = c->self;
		m->conn = c;
		m->seq = req->seq;
		m->part = (uint16_t)w;
		act_send(worker_agents[w], &m->hdr);
	}
	if (req->done) /* one worker: answered already */
		dispatch_finish_now(c, req);
}

void conn_kill_all(conn_t *c, const kill_msg_t *filter, uint8_t merge)
{
	req_t *req = dispatch_new_req(c, merge, (uint16_t)srv.nworkers);
	for (int w = 0; w < srv.nworkers; w++) {
		kill_msg_t *m = (kill_msg_t *)act_msg_new(sizeof(*m),
							  MSG_CLIENT_KILL);
		if (!m) {
			log_warning("out of memory sending CLIENT KILL");
			abort();
		}
		memcpy((char *)m + sizeof(act_msg_t),
		       (const char *)filter + sizeof(act_msg_t),
		       sizeof(*m) - sizeof(act_msg_t));
		m->req.reply_to = c->self;
		m->req.conn = c;
		m->req.seq = req->seq;
		m->req.part = (uint16_t)w;
		m->caller = c->id;
		act_send(worker_agents[w], &m->req.hdr);
	}
}

static const act_behaviour_t agent_behaviour = {
	.name = "conn-agent",
	.on_start = agent_on_start,
	.receive = agent_receive,
};

int conn_module_start(void)
{
	worker_agents = calloc((size_t)srv.nworkers, sizeof(*worker_agents));
	agent_states = calloc((size_t)srv.nworkers, sizeof(*agent_states));
	if (!worker_agents || !agent_states)
		return -ENOMEM;
	for (int w = 0; w < srv.nworkers; w++)
		if (!(worker_agents[w] = act_spawn(srv.sys, &agent_behaviour,
						   &agent_states[w], w)))
			return -ENOMEM;
	return pubsub_start(subscribe_deliver);
}

void conn_drain_all(void)
{
	for (int w = 0; worker_agents && w < srv.nworkers; w++) {
		act_msg_t *m = act_msg_new(sizeof(*m), MSG_SHUTDOWN);
		if (m)
			act_send(worker_agents[w], m);
	}
}

/* Before act_system_destroy (handles die with the system). */
void conn_module_release(void)
{
	for (int w = 0; worker_agents && w < srv.nworkers; w++)
		if (worker_agents[w])
			act_actor_unref(worker_agents[w]);
	free(worker_agents);
	worker_agents = NULL;
	free(agent_states);
	agent_states = NULL;
	pubsub_release();
}

/* CLIENT LIST lines for the conns of worker @w (or just @only). */
void conn_list_fill(int w, reply_t *r, const conn_t *only)
{
	uint64_t now = (uint64_t)server_mstime();
	for (conn_t *c = only ? (conn_t *)only : conn_first(w); c;
	     c = only ? NULL : c->next) {
		char line[512], flags[8], *f = flags;
		if (c->ps && c->ps->mode)
			*f++ = 'P';
		if (c->in_multi)
			*f++ = 'x';
		if (c->blk)
			*f++ = 'b';
		if (f == flags)
			*f++ = 'N';
		*f = '\0';
		int n = snprintf(line, sizeof(line),
			"id=%llu addr=%s laddr=%s fd=%d name=%s age=%llu "
			"idle=%llu flags=%s db=%d sub=%zu psub=%zu ssub=%zu multi=%d "
			"qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu "
			"rbp=0 obl=%zu oll=0 omem=0 tot-mem=%zu events=r "
			"cmd=%s user=default redir=-1 resp=%d\n",
			(unsigned long long)c->id, c->peer, c->local, c->fd,
			c->name, (unsigned long long)((now - c->created_ms) / 1000),
			(unsigned long long)((now - c->last_ms) / 1000),
			flags, c->db, subscribe_count(c, PS_CHANNEL),
			subscribe_count(c, PS_PATTERN),
			subscribe_count(c, PS_SHARD),
			c->in_multi ? c->nqueued : -1,
			c->qlen - c->qpos, c->qcap - c->qlen, c->qcap,
			conn_unsent(c), c->qcap + c->out.cap,
			c->last_cmd ? c->last_cmd->name : "NULL", c->proto);
		if (n > 0)
			reply_raw(r, line, (size_t)n < sizeof(line) ? (size_t)n
								    : sizeof(line) - 1);
	}
}

