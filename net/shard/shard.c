/*
 * shard.c - shard actors: each owns one slice of the keyspace (one ks_t per
 * database) and is the only code that touches it.
 *
 * A shard runs commands two ways, both on its own worker's thread: inline,
 * called by a connection actor of the same worker (shard_exec), and from
 * request batches sent by connections on other workers, answered with one
 * reply batch each.  Sweeper ticks run the active-expiry cycle and a few
 * steps of incremental rehash and reclaim.
 *
 * Holds (txn.c has the protocol): a connection running a command over
 * several shards takes each of them with MSG_HOLD.  While held, the data
 * belongs to that connection, which runs the command on it from its own
 * thread; the shard touches none of it: it keeps every request batch and
 * hold that arrives, in order, skips expiry ticks, and carries on with
 * what it kept when MSG_RELEASE hands the data back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"
#include "waiter.h"
#include "net/core/log.h"
#include "store/db/ks_reclaim.h"

#define EXPIRE_CYCLE_PERC 25  /* % of CPU the expiry cycle may use (Redis) */
/* Entries, nodes or buckets freed per database per MSG_RECLAIM turn: well
 * under a millisecond, so the commands queued behind it barely wait. */
#define RECLAIM_BUDGET 4096
#define ARGV_STACK 32

static void shard_receive(act_actor_t *self, void *state, act_msg_t *msg);

static const act_behaviour_t shard_behaviour = {
	.name = "shard",
	.receive = shard_receive,
};

shard_t *shard_of_worker(int w)
{
	for (int i = 0; i < srv.nshards; i++)
		if (srv.shards[i]->worker == w)
			return srv.shards[i];
	return NULL;
}

int shard_create_all(void)
{
	for (int i = 0; i < srv.nshards; i++) {
		shard_t *sh = calloc(1, sizeof(*sh));
		if (!sh)
			return -ENOMEM;
		srv.shards[i] = sh;
		sh->index = i;
		sh->worker = i % srv.nworkers;
		sh->ndbs = srv.cfg.databases;
		sh->dbs = calloc((size_t)sh->ndbs, sizeof(ks_t *));
		if (!sh->dbs)
			return -ENOMEM;
		for (int d = 0; d < sh->ndbs; d++) {
			if (!(sh->dbs[d] = ks_create(0)))
				return -ENOMEM;
			ks_share_dirty(sh->dbs[d], &sh->dirty);
		}
		reply_init(&sh->scratch, 2);
		reply_init(&sh->serve_out, 2);
		sh->actor = act_spawn(srv.sys, &shard_behaviour, sh, sh->worker);
		if (!sh->actor)
			return -ENOMEM;
	}
	for (int s = 0; s < SERVER_SLOTS; s++)
		srv.slot_shard[s] = (uint16_t)(s % srv.nshards);
	return 0;
}

/* After the workers have stopped. */
void shard_destroy_all(void)
{
	for (int i = 0; i < srv.nshards; i++) {
		shard_t *sh = srv.shards[i];
		if (!sh)
			continue;
		if (sh->actor)
			act_actor_unref(sh->actor);
		for (int d = 0; d < sh->ndbs && sh->dbs; d++)
			ks_destroy(sh->dbs[d]);
		free(sh->dbs);
		reply_free(&sh->scratch);
		reply_free(&sh->serve_out);
		rdb_buf_free(&sh->snap.out);
		for (uint32_t k = 0; k < sh->defer_len; k++)
			act_msg_free(sh->deferred[(sh->defer_head + k) %
						  sh->defer_cap]);
		free(sh->deferred);
		free(sh);
		srv.shards[i] = NULL;
	}
}

/* Run one command and count it for INFO commandstats. */
static void run(cmd_ctx_t *ctx, const cmd_t *cmd)
{
	reply_t *out = ctx->reply;
	uint64_t t0 = server_ticks();
	size_t at = out->len;
	cmd_exec(cmd, ctx);
	server_count_call(cmd, server_ticks() - t0,
			  out->len > at && out->buf[at] == '-');
}

void shard_exec(shard_t *sh, const cmd_t *cmd, int db, int argc,
		const cmd_arg_t *argv, reply_t *out)
{
	cmd_ctx_t ctx = {
		.ks = sh->dbs[db],
		.dbs = sh->dbs,
		.ndbs = sh->ndbs,
		.argc = argc,
		.argv = argv,
		.reply = out,
		.now_ms = server_now_ms(),
		.cfg = &server_cfg()->store,
	};
	run(&ctx, cmd);
	/* Its waiters get what the command gave them before anything else
	 * runs here, as in Redis (held: when the holder gives it back). */
	if (__builtin_expect(sh->nwaiting != 0, 0) && sh->held_by == NULL)
		shard_serve_waiters(sh);
}

static void exec_spanning(const int *shard_of_arg, const cmd_t *cmd, int db,
			  int argc, const cmd_arg_t *argv, bool may_block,
			  const cmd_arg_t *ready, reply_t *out)
{
	ks_t *stack[ARGV_STACK];
	ks_t **kss = argc <= ARGV_STACK ? stack : malloc((size_t)argc * sizeof(*kss));
	if (!kss) {
		log_warning("out of memory running a command over shards");
		abort();
	}
	for (int i = 0; i < argc; i++)
		kss[i] = srv.shards[shard_of_arg[i]]->dbs[db];
	shard_t *home = srv.shards[shard_of_arg[0]];
	shard_t *second = srv.shards[shard_of_arg[argc > 2 ? 2 : 0]];
	cmd_ctx_t ctx = {
		.ks = kss[0],
		.dbs = home->dbs,
		.ndbs = home->ndbs,
		.kss = kss,
		.dbs2 = second != home ? second->dbs : NULL,
		.argc = argc,
		.argv = argv,
		.reply = out,
		.now_ms = server_now_ms(),
		.cfg = &server_cfg()->store,
		.may_block = may_block,
		.ready_key = ready,
	};
	run(&ctx, cmd);
	if (kss != stack)
		free(kss);
}

void shard_exec_spanning(const int *shard_of_arg, const cmd_t *cmd, int db,
			 int argc, const cmd_arg_t *argv, reply_t *out)
{
	exec_spanning(shard_of_arg, cmd, db, argc, argv, false, NULL, out);
}

void shard_exec_blocking(const int *shard_of_arg, const cmd_t *cmd, int db,
			 int argc, const cmd_arg_t *argv, const cmd_arg_t *ready,
			 reply_t *out)
{
	exec_spanning(shard_of_arg, cmd, db, argc, argv, true, ready, out);
}

static void run_batch(shard_t *sh, req_batch_t *rb)
{
	reply_t *out = &sh->scratch;
	reply_reset(out);
	const char *p = rb->data;
	cmd_arg_t stack_argv[ARGV_STACK];
	for (uint32_t i = 0; i < rb->n; i++) {
		const req_entry_t *e = (const req_entry_t *)p;
		cmd_arg_t *argv = e->argc <= ARGV_STACK
			? stack_argv : malloc(e->argc * sizeof(cmd_arg_t));
		if (!argv) {
			log_warning("out of memory running a batch");
			abort();
		}
		const char *a = (const char *)(e + 1);
		for (uint32_t k = 0; k < e->argc; k++) {
			uint64_t len;
			memcpy(&len, a, 8);
			argv[k].ptr = a + 8;
			argv[k].len = len;
			a += 8 + server_pad8(len);
		}
		size_t at = out->len;
		rep_entry_t hdr = { .seq = e->seq, .part = e->part,
				    .shard = (uint16_t)sh->index };
		reply_raw(out, &hdr, sizeof(hdr));
		out->proto = (int)e->proto;
		shard_exec(sh, e->cmd, e->db, (int)e->argc, argv, out);
		size_t len = out->len - at - sizeof(hdr);
		((rep_entry_t *)(out->buf + at))->len = (uint32_t)len;
		static const char zeros[8];
		reply_raw(out, zeros, server_pad8(len) - len);
		if (argv != stack_argv)
			free(argv);
		p += e->size;
	}
	if (reply_failed(out)) {
		log_warning("out of memory building a reply batch");
		abort();
	}
	rep_batch_t *m = (rep_batch_t *)act_msg_new(sizeof(*m) + out->len,
						    MSG_REPLY_BATCH);
	if (!m) {
		log_warning("out of memory sending a reply batch");
		abort();
	}
	m->conn = rb->conn;
	m->n = rb->n;
	m->len = (uint32_t)out->len;
	memcpy(m->data, out->buf, out->len);
	if (out->cap > 256 * 1024) {
		reply_free(out);
		reply_init(out, 2);
	}
	act_send(rb->reply_to, &m->hdr);
}

static bool reclaim_pending(const shard_t *sh)
{
	for (int d = 0; d < sh->ndbs; d++)
		if (ks_reclaim_pending(sh->dbs[d]))
			return true;
	return false;
}

/* Give ourselves another turn for freeing, after what is queued now. */
static void reclaim_later(shard_t *sh)
{
	if (sh->reclaiming || !reclaim_pending(sh))
		return;
	act_msg_t *m = act_msg_new(sizeof(*m), MSG_RECLAIM);
	if (!m)
		return; /* the next tick tries again */
	sh->reclaiming = true;
	act_send(sh->actor, m);
}

static void reclaim(shard_t *sh)
{
	sh->reclaiming = false;
	for (int d = 0; d < sh->ndbs; d++)
		ks_reclaim_step(sh->dbs[d], RECLAIM_BUDGET);
	reclaim_later(sh);
}

static void tick(shard_t *sh)
{
	uint64_t budget_us = 1000000ull * EXPIRE_CYCLE_PERC / 100 /
			     (uint64_t)server_cfg()->hz / (uint64_t)sh->ndbs;
	int64_t now = server_mstime();
	for (int d = 0; d < sh->ndbs; d++) {
		ks_t *ks = sh->dbs[d];
		if (ks_expires(ks) > 0) {
			ks_cycle_t cyc;
			ks_expire_cycle(ks, now, budget_us, &cyc);
		}
		ks_rehash_step(ks, 100);
	}
	reclaim_later(sh);
}

/* ---- holds ------------------------------------------------------------- */

static void defer(shard_t *sh, act_msg_t *msg)
{
	if (sh->defer_len == sh->defer_cap) {
		uint32_t cap = sh->defer_cap ? sh->defer_cap * 2 : 16;
		act_msg_t **d = malloc(cap * sizeof(*d));
		if (!d) {
			log_warning("out of memory keeping a message for later");
			abort(); /* its sender would wait forever */
		}
		for (uint32_t i = 0; i < sh->defer_len; i++)
			d[i] = sh->deferred[(sh->defer_head + i) % sh->defer_cap];
		free(sh->deferred);
		sh->deferred = d;
		sh->defer_head = 0;
		sh->defer_cap = cap;
	}
	act_msg_claim(msg);
	sh->deferred[(sh->defer_head + sh->defer_len) % sh->defer_cap] = msg;
	sh->defer_len++;
}

void rep_send_one(act_actor_t *to, void *conn, uint32_t seq, uint16_t part,
		  const void *bytes, size_t len)
{
	rep_batch_t *m = (rep_batch_t *)act_msg_new(
		sizeof(*m) + sizeof(rep_entry_t) + server_pad8(len), MSG_REPLY_BATCH);
	if (!m) {
		log_warning("out of memory answering a connection");
		abort();
	}
	m->conn = conn;
	m->n = 1;
	m->len = (uint32_t)(sizeof(rep_entry_t) + server_pad8(len));
	rep_entry_t *e = (rep_entry_t *)m->data;
	*e = (rep_entry_t){ .seq = seq, .part = part, .shard = REP_NO_SHARD,
			    .len = (uint32_t)len };
	if (len)
		memcpy(e + 1, bytes, len);
	act_send(to, &m->hdr);
}

static void grant(shard_t *sh, hold_msg_t *h)
{
	sh->held_by = h->conn;
	hold_msg_t *m = (hold_msg_t *)act_msg_new(sizeof(*m), MSG_HELD);
	if (!m) {
		log_warning("out of memory answering a hold");
		abort();
	}
	m->reply_to = NULL;
	m->conn = h->conn;
	m->shard = sh->index;
	act_send(h->reply_to, &m->hdr);
}

/* A request batch or a hold, when the shard is not held. */
static void serve(shard_t *sh, act_msg_t *msg)
{
	if (msg->type == MSG_REQ_BATCH)
		run_batch(sh, (req_batch_t *)msg);
	else if (msg->type == MSG_SNAP_PULL)
		shard_snap_pull(sh);
	else if (msg->type == MSG_LOAD_BATCH)
		shard_load_batch(sh, (load_batch_msg_t *)msg);
	else
		grant(sh, (hold_msg_t *)msg);
}

/* Serve what was kept, in order, until a kept hold is granted. */
static void serve_deferred(shard_t *sh)
{
	while (sh->held_by == NULL && sh->defer_len > 0) {
		act_msg_t *msg = sh->deferred[sh->defer_head];
		sh->defer_head = (sh->defer_head + 1) % sh->defer_cap;
		sh->defer_len--;
		serve(sh, msg);
		act_msg_free(msg);
	}
}

static void shard_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	shard_t *sh = state;
	server_clock_refresh();
	/* A conn of this worker may have released us directly (txn.c): what
	 * was kept goes first. */
	serve_deferred(sh);
	switch (msg->type) {
	case MSG_REQ_BATCH:
	case MSG_HOLD:
	case MSG_SNAP_PULL:
	case MSG_LOAD_BATCH:
		if (shard_is_free(sh))
			serve(sh, msg);
		else
			defer(sh, msg);
		break;
	case MSG_RELEASE:
		sh->held_by = NULL;
		shard_serve_waiters(sh);
		serve_deferred(sh);
		break;
	case MSG_RESUME: /* done above */
		break;
	case MSG_TICK:
		if (sh->held_by == NULL)
			tick(sh);
		break;
	case MSG_RECLAIM:
		if (sh->held_by == NULL)
			reclaim(sh);
		else
			sh->reclaiming = false; /* the next tick asks again */
		break;
	}
	(void)self;
}
