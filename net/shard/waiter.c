/*
 * waiter.c - clients waiting on keys, on the shards' side (see waiter.h).
 *
 * Concurrency: a shard's registrations on its thread, or on the thread of
 * the connection that holds it; waiter_t as waiter.h says.
 */
#include "waiter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/core/log.h"
#include "store/cmd/cmd_meta.h"
#include "store/db/keyspace.h"

waiter_t *waiter_new(act_actor_t *conn_actor, void *conn, const cmd_t *cmd,
		     int db, int proto, int argc, const cmd_arg_t *argv,
		     const int *shard_of_arg)
{
	waiter_t *w = calloc(1, sizeof(*w));
	size_t bytes = 0;
	for (int i = 0; i < argc; i++)
		bytes += argv[i].len;
	if (!w)
		return NULL;
	w->argv = malloc((size_t)argc * sizeof(*w->argv));
	w->bytes = malloc(bytes ? bytes : 1);
	w->shard_of_arg = malloc((size_t)argc * sizeof(int));
	w->regs = malloc((size_t)argc * sizeof(*w->regs));
	if (!w->argv || !w->bytes || !w->shard_of_arg || !w->regs) {
		waiter_free(w);
		return NULL;
	}
	char *p = w->bytes;
	w->single = true;
	for (int i = 0; i < argc; i++) {
		memcpy(p, argv[i].ptr, argv[i].len);
		w->argv[i] = (cmd_arg_t){p, argv[i].len};
		p += argv[i].len;
		w->shard_of_arg[i] = shard_of_arg[i];
		w->single &= shard_of_arg[i] == shard_of_arg[0];
	}
	w->conn_actor = conn_actor;
	w->conn = conn;
	w->cmd = cmd;
	w->db = db;
	w->proto = proto;
	w->argc = argc;
	w->want_type = (cmd->acl & ACL_SORTEDSET) ? OBJ_ZSET : OBJ_LIST;
	return w;
}

void waiter_free(waiter_t *w)
{
	if (!w)
		return;
	free(w->argv);
	free(w->bytes);
	free(w->shard_of_arg);
	free(w->regs);
	free(w);
}

static block_t *blocks_of(const waiter_t *w, int shard)
{
	return ks_blocking(srv.shards[shard]->dbs[w->db]);
}

/* The keys a blocking command waits on: every key position but BLMOVE's
 * and BRPOPLPUSH's destination (argv[2] when first_key == 1 and last_key
 * == 2), each once. */
static bool is_wait_key(const waiter_t *w, int i, const int *pos, int n)
{
	if (w->cmd->first_key == 1 && w->cmd->last_key == 2 && i == 2)
		return false;
	for (int k = 0; k < n; k++)
		if (w->argv[pos[k]].len == w->argv[i].len &&
		    memcmp(w->argv[pos[k]].ptr, w->argv[i].ptr, w->argv[i].len) == 0)
			return false;
	return true;
}

int waiter_register(waiter_t *w)
{
	cmd_keyref_t *refs = malloc((size_t)w->argc * sizeof(*refs));
	int *pos = malloc((size_t)w->argc * sizeof(*pos)), n;
	if (!refs || !pos) {
		free(refs);
		free(pos);
		return -ENOMEM;
	}
	if (cmd_movable_keys(w->cmd)) {
		n = cmd_getkeys(w->cmd, w->argc, w->argv, refs, w->argc);
		for (int k = 0; k < n; k++)
			pos[k] = refs[k].pos;
	} else {
		n = cmd_key_positions(w->cmd, w->argc, pos, w->argc);
	}
	free(refs);
	int kept = 0;
	w->nregs = 0;
	for (int k = 0; k < n && pos[k] < w->argc; k++) {
		int i = pos[k];
		if (!is_wait_key(w, i, pos, kept))
			continue;
		pos[kept++] = i;
		int s = w->shard_of_arg[i];
		block_reg_t *r = block_add(blocks_of(w, s), w->argv[i].ptr,
					   w->argv[i].len, w);
		if (!r) {
			free(pos);
			waiter_unregister(w);
			return -ENOMEM;
		}
		w->regs[w->nregs++] = (waiter_reg_t){s, r};
		srv.shards[s]->nwaiting++;
	}
	free(pos);
	return 0;
}

void waiter_unregister(waiter_t *w)
{
	for (int k = 0; k < w->nregs; k++) {
		block_del(blocks_of(w, w->regs[k].shard), w->regs[k].reg);
		srv.shards[w->regs[k].shard]->nwaiting--;
	}
	w->nregs = 0;
}

void waiter_rearm(waiter_t *w)
{
	for (int k = 0; k < w->nregs; k++)
		block_set_woken(blocks_of(w, w->regs[k].shard), w->regs[k].reg,
				false);
}

void waiter_try(waiter_t *w, const cmd_arg_t *ready, reply_t *out)
{
	out->proto = w->proto;
	shard_exec_blocking(w->shard_of_arg, w->cmd, w->db, w->argc, w->argv,
			    ready, out);
}

/* Whether the key of r holds a value of the type w pops. */
static bool has_data_for(shard_t *sh, const waiter_t *w, const block_reg_t *r)
{
	size_t klen;
	const char *key = block_key(r, &klen);
	entry_t *e = ks_find(sh->dbs[w->db], key, klen);
	return e && e->otype == w->want_type;
}

static void send_served(waiter_t *w, const reply_t *out)
{
	served_msg_t *m = (served_msg_t *)act_msg_new(sizeof(*m) + out->len,
						      MSG_SERVED);
	if (!m) {
		log_warning("out of memory handing a blocked client its element");
		abort(); /* the element is taken: it must reach the client */
	}
	m->w = w;
	m->len = (uint32_t)out->len;
	memcpy(m->bytes, out->buf, out->len);
	act_send(w->conn_actor, &m->hdr);
}

static void send_wake(waiter_t *w, const block_reg_t *r)
{
	size_t klen;
	const char *key = block_key(r, &klen);
	wake_msg_t *m = (wake_msg_t *)act_msg_new(sizeof(*m) + klen, MSG_WAKE);
	if (!m) {
		log_warning("out of memory waking a blocked client");
		abort(); /* the key's later waiters would wait for it forever */
	}
	m->w = w;
	m->klen = (uint32_t)klen;
	memcpy(m->key, key, klen);
	act_send(w->conn_actor, &m->hdr);
}

/* Serve the waiters of the ready key whose first registration is r, in
 * order, while it has data; stop at a waiter over several shards (told
 * to decide). */
static void serve_key(shard_t *sh, block_t *b, block_reg_t *r)
{
	reply_t *out = &sh->serve_out;
	while (r) {
		block_reg_t *next = block_next(r);
		waiter_t *w = block_waiter(r);
		if (block_woken(r))
			return; /* still deciding: the rest wait for it */
		if (!has_data_for(sh, w, r)) {
			r = next;
			continue;
		}
		if (!w->single) {
			block_set_woken(b, r, true);
			send_wake(w, r);
			return;
		}
		size_t klen;
		const char *key = block_key(r, &klen);
		cmd_arg_t ready = {key, klen};
		reply_reset(out);
		waiter_try(w, &ready, out);
		if (out->len > 0) {
			w->served = true;
			waiter_unregister(w); /* r goes, maybe its key record too */
			send_served(w, out);
		}
		r = next;
	}
}

void shard_serve_waiters(shard_t *sh)
{
	if (sh->nwaiting == 0)
		return;
	for (int d = 0; d < sh->ndbs; d++) {
		block_t *b = ks_blocking(sh->dbs[d]);
		block_reg_t *r;
		/* Serving may feed more keys (BLMOVE's destination): the loop
		 * takes those too. */
		while ((r = block_take_ready(b)))
			serve_key(sh, b, r);
	}
}
