/*
 * shard.c - shard actors: each owns one slice of the keyspace (one ks_t per
 * database) and is the only code that touches it.
 *
 * A shard runs commands two ways, both on its own worker's thread: inline,
 * called by a connection actor of the same worker (shard_exec), and from
 * request batches sent by connections on other workers, answered with one
 * reply batch each.  Sweeper ticks run the active-expiry cycle and a few
 * steps of incremental rehash and reclaim.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server.h"

#define EXPIRE_CYCLE_PERC 25  /* % of CPU the expiry cycle may use (Redis) */
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
		for (int d = 0; d < sh->ndbs; d++)
			if (!(sh->dbs[d] = ks_create(0)))
				return -ENOMEM;
		reply_init(&sh->scratch, 2);
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
		free(sh);
		srv.shards[i] = NULL;
	}
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
	};
	uint64_t t0 = server_ticks();
	size_t at = out->len;
	cmd_exec(cmd, &ctx);
	server_count_call(cmd, server_ticks() - t0,
			  out->len > at && out->buf[at] == '-');
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
		ks_reclaim_step(ks, 1000);
	}
}

static void shard_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	shard_t *sh = state;
	server_clock_refresh();
	switch (msg->type) {
	case MSG_REQ_BATCH:
		run_batch(sh, (req_batch_t *)msg);
		break;
	case MSG_TICK:
		tick(sh);
		break;
	}
	(void)self;
}
