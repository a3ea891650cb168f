/*
 * route.c - decide where each command goes: inline on a shard of this
 * worker, in a batch to a remote shard, or, when it spans several shards
 * (MGET, MSET, DEL, RENAME, KEYS, DBSIZE, FLUSHALL...), run with all of
 * them held (txn.c) so that no other client sees it half done; and hold
 * back what must wait.
 *
 * Order: a write may start only when no write of this connection is in
 * flight on a shard it does not touch, so another client never sees a
 * later write of ours without the earlier ones (Redis's order guarantee).
 * Writes to one shard keep their order through that shard's mailbox, so
 * runs of them still batch; reads never wait for writes elsewhere.  While
 * holds are on their way nothing else is routed.  A command that must
 * wait is copied aside ("stalled") and parsing pauses until the replies or
 * holds in flight return.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "route.h"
#include "blocking.h"
#include "dispatch.h"
#include "multi.h"
#include "subscribe.h"
#include "txn.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "store/base/errors.h"
#include "store/cmd/cmd_meta.h"
#include "store/commands.h"

#define MAX_PARTS_STACK 64

/* The commands a connection answers itself (net/server/srvcmd.c). */
static conn_cmd_lookup_t conn_cmds;

void route_set_conn_commands(conn_cmd_lookup_t lookup)
{
	conn_cmds = lookup;
}

/* Would a write to shard @s alone have to wait for writes of this
 * connection in flight on other shards?  (Writes touching several shards
 * wait for every write in flight: pending_writes_total > 0.) */
static bool write_must_wait(const conn_t *c, int s)
{
	return c->pending_writes_total > c->pending_writes[s];
}

static uint8_t merge_of(const cmd_t *cmd)
{
	const char *n = cmd->name;
	if (!strcmp(n, "mget"))
		return MERGE_BYKEY;
	if (!strcmp(n, "mset") || !strcmp(n, "flushdb") ||
	    !strcmp(n, "flushall") || !strcmp(n, "swapdb"))
		return MERGE_OK;
	if (!strcmp(n, "keys"))
		return MERGE_CONCAT;
	if (!strcmp(n, "randomkey"))
		return MERGE_ANY;
	return MERGE_SUM; /* del unlink exists touch dbsize */
}

/* A command whose keys all live on shard @s.  false: must wait. */
static bool route_single(conn_t *c, const cmd_t *cmd, int s, int argc,
			 const cmd_arg_t *argv)
{
	bool write = cmd->flags & CMD_WRITE;
	if (write && write_must_wait(c, s))
		return false;
	if (conn_runs_inline(c, s) && conn_outstanding(c) == 0) {
		/* The fast path: nothing before us, reply straight out. */
		worker_stats_t *ws = &srv.wstats[c->worker];
		ck_pr_store_64(&ws->inline_cmds, ws->inline_cmds + 1);
		shard_exec(srv.shards[s], cmd, c->db, argc, argv, &c->out);
		return true;
	}
	req_t *req = dispatch_new_req(c, MERGE_ONE, 1);
	req->is_write = write;
	dispatch_to_shard(c, req, s, 0, cmd, argc, argv);
	return true;
}

/* SCAN: the global cursor names a shard and that shard's own cursor. */
static bool route_scan(conn_t *c, const cmd_t *cmd, int argc,
		       const cmd_arg_t *argv)
{
	char buf[24];
	unsigned long long cursor = 0;
	bool ok = argv[1].len > 0 && argv[1].len < sizeof(buf);
	if (ok) {
		memcpy(buf, argv[1].ptr, argv[1].len);
		buf[argv[1].len] = '\0';
		char *end;
		errno = 0;
		cursor = strtoull(buf, &end, 10);
		ok = *end == '\0' && errno == 0 && buf[0] != '-';
	}
	if (!ok) {
		req_t *req;
		reply_t *r = dispatch_reply_now(c, &req);
		reply_error(r, ERR_INVALID_CURSOR);
		dispatch_finish_now(c, req);
		return true;
	}
	int shard = (int)(cursor & 0xff);
	if (shard >= srv.nshards) {
		req_t *req;
		reply_t *r = dispatch_reply_now(c, &req);
		reply_array(r, 2);
		reply_bulk(r, "0", 1);
		reply_array(r, 0);
		dispatch_finish_now(c, req);
		return true;
	}
	int n = snprintf(buf, sizeof(buf), "%llu", cursor >> 8);
	cmd_arg_t *sub = malloc((size_t)argc * sizeof(*sub));
	if (!sub)
		abort();
	memcpy(sub, argv, (size_t)argc * sizeof(*sub));
	sub[1] = (cmd_arg_t){ buf, (size_t)n };
	req_t *req = dispatch_new_req(c, MERGE_SCAN, 1);
	req->acc = shard;
	dispatch_to_shard(c, req, shard, 0, cmd, argc, sub);
	free(sub);
	return true;
}

/* Keyless store commands run on every shard (DBSIZE, KEYS, FLUSHALL...). */
static void route_all(conn_t *c, const cmd_t *cmd, int argc,
		      const cmd_arg_t *argv)
{
	bool write = cmd->flags & CMD_WRITE;
	req_t *req = dispatch_new_req(c, merge_of(cmd), (uint16_t)srv.nshards);
	req->is_write = write;
	if (req->merge == MERGE_CONCAT || req->merge == MERGE_ANY) {
		req->parts = calloc(srv.nshards, sizeof(reply_t));
		if (!req->parts) {
			log_warning("out of memory fanning out a command");
			abort();
		}
	}
	for (int s = 0; s < srv.nshards; s++)
		dispatch_to_shard(c, req, s, (uint16_t)s, cmd, argc, argv);
}

/* Which shards the keys of a split command touch, and each one's part. */
static int split_parts(const cmd_t *cmd, int argc, const int *shard_of_arg,
		       uint8_t *in_set, int *part_of)
{
	int nparts = 0;
	int step = cmd->key_step > 0 ? cmd->key_step : 1;
	memset(in_set, 0, SERVER_MAX_SHARDS);
	for (int i = cmd->first_key; i < argc; i += step) {
		int s = shard_of_arg[i];
		if (!in_set[s]) {
			in_set[s] = 1;
			part_of[s] = nparts++;
		}
	}
	return nparts;
}

/* Send one part per shard of a multi-key command. */
static void split(conn_t *c, req_t *req, const cmd_t *cmd, int argc,
		  const cmd_arg_t *argv, const int *shard_of_arg)
{
	uint8_t in_set[SERVER_MAX_SHARDS];
	int part_of[SERVER_MAX_SHARDS];
	int nparts = split_parts(cmd, argc, shard_of_arg, in_set, part_of);
	int step = cmd->key_step > 0 ? cmd->key_step : 1;
	req->nparts = (uint16_t)nparts;
	req->parts_left += (uint32_t)nparts;
	uint32_t nkeys = (uint32_t)((argc - cmd->first_key + step - 1) / step);
	if (req->merge == MERGE_BYKEY) {
		req->parts = calloc((size_t)nparts, sizeof(reply_t));
		req->key_part = malloc(nkeys * sizeof(uint16_t));
		req->nkeys = nkeys;
		for (uint32_t k = 0; k < nkeys; k++)
			req->key_part[k] = (uint16_t)part_of[
				shard_of_arg[cmd->first_key + (int)k * step]];
	}
	cmd_arg_t *sub = malloc((size_t)argc * sizeof(*sub));
	if (!sub || (req->merge == MERGE_BYKEY && (!req->parts || !req->key_part))) {
		log_warning("out of memory splitting a command");
		abort();
	}
	for (int s = 0; s < srv.nshards; s++) {
		if (!in_set[s])
			continue;
		int n = 0;
		sub[n++] = argv[0];
		for (int i = cmd->first_key; i < argc; i += step)
			if (shard_of_arg[i] == s)
				for (int j = 0; j < step; j++)
					sub[n++] = argv[i + j];
		dispatch_to_shard(c, req, s, (uint16_t)part_of[s], cmd, n, sub);
	}
	free(sub);
}

/* A multi-key command, one part per shard. */
static void route_split(conn_t *c, const cmd_t *cmd, uint8_t merge, int argc,
			const cmd_arg_t *argv, const int *shard_of_arg)
{
	req_t *req = dispatch_new_req(c, merge, 0);
	req->is_write = cmd->flags & CMD_WRITE;
	split(c, req, cmd, argc, argv, shard_of_arg);
}

/* MSETNX over held shards: nothing is set if any key exists. */
static void msetnx_held(conn_t *c, const cmd_t *cmd, int argc,
			const cmd_arg_t *argv, const int *shard_of_arg)
{
	for (int i = 1; i < argc; i += 2) {
		ks_t *ks = srv.shards[shard_of_arg[i]]->dbs[c->db];
		ks_set_now(ks, server_now_ms());
		if (ks_find(ks, argv[i].ptr, argv[i].len)) {
			req_t *req;
			reply_int(dispatch_reply_now(c, &req), 0);
			dispatch_finish_now(c, req);
			return;
		}
	}
	route_split(c, cmd, MERGE_TRUE, argc, argv, shard_of_arg);
}

/* A command that runs once over its keys' shards, all held (RENAME, COPY,
 * SMOVE, SINTER...): the store sees each key's keyspace. */
static void run_spanning(conn_t *c, const cmd_t *cmd, int argc,
			 const cmd_arg_t *argv, const int *shard_of_arg)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	shard_exec_spanning(shard_of_arg, cmd, c->db, argc, argv, r);
	dispatch_finish_now(c, req);
}

/* Whether a command over several shards goes to each shard in parts
 * (MGET, MSET, DEL, EXISTS...: Redis's request_policy:multi_shard) rather
 * than running once over all of them. */
static bool splits_by_shard(const cmd_t *cmd)
{
	return strstr(cmd->tips, "request_policy:multi_shard") != NULL;
}

int route_key_shards(const cmd_t *keys, int argc, const cmd_arg_t *argv,
		     int *shard_of_arg, bool *spans)
{
	int stack_pos[MAX_PARTS_STACK];
	int *pos = stack_pos, n;
	cmd_keyref_t *refs = NULL;
	*spans = false;
	if (cmd_movable_keys(keys)) {
		/* Keys found through key specs: numkeys, keywords (LMPOP,
		 * ZUNIONSTORE's sources...). */
		refs = malloc((size_t)argc * sizeof(*refs));
		pos = malloc((size_t)argc * sizeof(*pos));
		if (!refs || !pos) {
			log_warning("out of memory routing a command");
			abort();
		}
		n = cmd_getkeys(keys, argc, argv, refs, argc);
		for (int k = 0; k < n; k++)
			pos[k] = refs[k].pos;
	} else {
		if (argc > MAX_PARTS_STACK && !(pos = malloc((size_t)argc * sizeof(*pos)))) {
			log_warning("out of memory routing a command");
			abort();
		}
		n = cmd_key_positions(keys, argc, pos, argc);
	}
	for (int k = 0; k < n; k++) {
		int s = server_key_shard(argv[pos[k]].ptr, argv[pos[k]].len);
		if (k == 0)
			for (int i = 0; i < argc; i++)
				shard_of_arg[i] = s;
		else if (s != shard_of_arg[0])
			*spans = true;
		shard_of_arg[pos[k]] = s;
	}
	if (pos != stack_pos)
		free(pos);
	free(refs);
	return n;
}

/* A command over several shards (@shard_of_arg NULL: every shard), run
 * with all of them held.  false: it must wait, for holds on their way or
 * for our writes in flight (its effects on one shard must not become
 * visible before an earlier write of ours on another). */
static bool route_held(conn_t *c, const cmd_t *cmd, const cmd_t *keys,
		       int argc, const cmd_arg_t *argv, const int *shard_of_arg)
{
	if ((cmd->flags & CMD_WRITE) && c->pending_writes_total > 0)
		return false;
	uint8_t want[SERVER_MAX_SHARDS];
	memset(want, shard_of_arg ? 0 : 1, (size_t)srv.nshards);
	for (int i = 0; shard_of_arg && i < argc; i++)
		want[shard_of_arg[i]] = 1;
	/* FLUSHALL with save points saves the emptied dataset right away, as
	 * Redis does (a crash after it must not bring the keys back): under
	 * the hold of every shard, even of a single one. */
	bool save_after = !shard_of_arg && !strcmp(cmd->name, "flushall") &&
			  server_cfg()->save[0];
	/* One shard runs any command whole: no hold needed. */
	if ((srv.nshards > 1 || save_after) && !txn_hold(c, want))
		return false;
	if (!shard_of_arg) {
		route_all(c, cmd, argc, argv);
		if (save_after)
			persist_after_flushall();
	} else if (!splits_by_shard(keys))
		run_spanning(c, cmd, argc, argv, shard_of_arg);
	else if (!strcmp(cmd->name, "msetnx"))
		msetnx_held(c, cmd, argc, argv, shard_of_arg);
	else
		route_split(c, cmd, merge_of(cmd), argc, argv, shard_of_arg);
	return true;
}

/* A shard of this worker if there is one (keyless calls that any shard
 * can answer), else shard 0. */
static int local_shard(const conn_t *c)
{
	shard_t *sh = shard_of_worker(c->worker);
	return sh ? sh->index : 0;
}

static bool arity_fits(const cmd_t *cmd, int argc)
{
	return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

/* Refuse a command with an error reply (and make a pending EXEC abort). */
static bool refuse(conn_t *c, int argc, const cmd_arg_t *argv,
		   const cmd_t *cmd)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (!cmd)
		cmd_reply_unknown(r, argc, argv);
	else if (cmd_resolve(cmd, argc, argv, r)) /* else it wrote the error */
		reply_error(r, ERR_NOAUTH);
	dispatch_finish_now(c, req);
	multi_refused(c);
	return true;
}

/* A command refused by the server's state: -LOADING while the RDB file
 * loads (unless the command may run then), -MISCONF while the last
 * background save failed and stop-writes-on-bgsave-error is on (writes,
 * and PING, as Redis). */
static bool refuse_with(conn_t *c, const char *error)
{
	req_t *req;
	reply_error(dispatch_reply_now(c, &req), error);
	dispatch_finish_now(c, req);
	multi_refused(c);
	return true;
}

/* Route one command.  false: it must wait (nothing done): for holds on
 * their way, or a write behind writes in flight on other shards. */
static bool route(conn_t *c, int argc, const cmd_arg_t *argv)
{
	if (c->acquiring)
		return false;
	conn_cmd_proc_t sproc = NULL;
	const cmd_t *cmd = cmd_lookup(argv[0].ptr, argv[0].len);
	if (!cmd)
		cmd = conn_cmds(argv[0].ptr, argv[0].len, &sproc);
	c->last_cmd = cmd && cmd->subs && argc >= 2
		? cmd_subcommand(cmd, argc, argv) : cmd;
	if (!cmd)
		return refuse(c, argc, argv, NULL);
	/* Checked before anything runs or is queued, in Redis's order: an
	 * unknown subcommand, the arity (the subcommand's), then AUTH. */
	const cmd_t *row = c->last_cmd;
	bool valid = row && arity_fits(row, argc) &&
		     (row == cmd || arity_fits(cmd, argc));
	if (!valid || (!c->authed && !(cmd->flags & CMD_NO_AUTH) &&
		       server_cfg()->requirepass[0])) /* authRequired() */
		return refuse(c, argc, argv, cmd);
	if (__builtin_expect(ck_pr_load_int(&srv.loading), 0) &&
	    !((row ? row : cmd)->flags & CMD_LOADING))
		return refuse_with(c, ERR_LOADING);
	if (__builtin_expect(persist_refuses_writes(), 0) &&
	    ((cmd->flags & CMD_WRITE) || !strcmp(cmd->name, "ping")))
		return refuse_with(c, ERR_MISCONF);
	if (__builtin_expect(c->ps != NULL, 0) && subscribe_refuses(c, cmd, row))
		return true; /* RESP2 subscribed mode */
	if (c->in_multi && multi_queues(c, cmd)) {
		multi_queue(c, cmd, argc, argv);
		return true;
	}
	if (sproc) {
		uint64_t t0 = server_ticks();
		c->must_wait = false;
		sproc(c, argc, argv);
		if (c->must_wait)
			return false;
		server_count_call(cmd, server_ticks() - t0, false);
		return true;
	}
	/* Containers (OBJECT, MEMORY): route by the subcommand's keys, run
	 * the container (it dispatches and reports unknown subcommands). */
	const cmd_t *keys = cmd;
	if (cmd->subs) {
		keys = cmd_subcommand(cmd, argc, argv);
		if (!keys || keys->first_key == 0 || keys->first_key >= argc)
			return route_single(c, cmd, local_shard(c), argc, argv);
	}
	bool movable = cmd_movable_keys(keys);
	if (keys->first_key == 0 && !strcmp(cmd->name, "scan"))
		return route_scan(c, cmd, argc, argv);
	/* PFSELFTEST tests code, not data: one shard runs it. */
	if (keys->first_key == 0 && !movable && !strcmp(cmd->name, "pfselftest"))
		return route_single(c, cmd, local_shard(c), argc, argv);
	if (keys->first_key == 0 && !movable)
		return route_held(c, cmd, keys, argc, argv, NULL);
	int step = keys->key_step > 0 ? keys->key_step : 1;
	if (keys->last_key < 0 && step > 1 && (argc - keys->first_key) % step) {
		/* MSET k v k: Redis checks the pairs as an arity error. */
		req_t *req;
		reply_t *r = dispatch_reply_now(c, &req);
		reply_errorf(r, ERRF_ARITY, cmd->name);
		dispatch_finish_now(c, req);
		return true;
	}

	if (!movable && keys->first_key == keys->last_key &&
	    keys->first_key < argc) {
		/* One key (GET, SET, LPUSH...): the hot path, no key list. */
		const cmd_arg_t *k = &argv[keys->first_key];
		return route_single(c, cmd, server_key_shard(k->ptr, k->len),
				    argc, argv);
	}
	int stack_shards[MAX_PARTS_STACK];
	int *shard_of_arg = argc <= MAX_PARTS_STACK
		? stack_shards : malloc((size_t)argc * sizeof(int));
	if (!shard_of_arg) {
		log_warning("out of memory routing a command");
		abort();
	}
	bool spans = false;
	int nkeys = route_key_shards(keys, argc, argv, shard_of_arg, &spans);
	int first_shard = nkeys ? shard_of_arg[0] : local_shard(c);
	if ((cmd->flags & CMD_BLOCKING) && !c->in_exec && nkeys > 0) {
		bool routed = blocking_route(c, cmd, argc, argv, shard_of_arg);
		if (shard_of_arg != stack_shards)
			free(shard_of_arg);
		return routed;
	}
	bool ok = spans
		? route_held(c, cmd, keys, argc, argv, shard_of_arg)
		: route_single(c, cmd, first_shard, argc, argv);
	if (shard_of_arg != stack_shards)
		free(shard_of_arg);
	return ok;
}

void route_in_exec(conn_t *c, int argc, const cmd_arg_t *argv)
{
	const cmd_t *exec = c->last_cmd; /* CLIENT LIST shows EXEC throughout */
	c->in_exec = true; /* a blocking command answers as on a timeout */
	bool routed = route(c, argc, argv);
	c->in_exec = false;
	c->last_cmd = exec;
	if (routed)
		return;
	/* Cannot happen: EXEC holds every shard its commands touch, and
	 * commands under a hold run inline, leaving no write in flight. */
	log_warning("a command inside EXEC could not run");
	req_t *req;
	reply_error(dispatch_reply_now(c, &req), ERR_EXEC_INTERNAL);
	dispatch_finish_now(c, req);
}

static void stall(conn_t *c, int argc, const cmd_arg_t *argv)
{
	size_t bytes = 0;
	for (int i = 0; i < argc; i++)
		bytes += argv[i].len;
	c->stalled_argv = malloc((size_t)argc * sizeof(cmd_arg_t));
	c->stalled_bytes = malloc(bytes ? bytes : 1);
	if (!c->stalled_argv || !c->stalled_bytes) {
		log_warning("out of memory holding a command");
		abort();
	}
	char *p = c->stalled_bytes;
	for (int i = 0; i < argc; i++) {
		memcpy(p, argv[i].ptr, argv[i].len);
		c->stalled_argv[i].ptr = p;
		c->stalled_argv[i].len = argv[i].len;
		p += argv[i].len;
	}
	c->stalled_argc = argc;
	dispatch_flush(c); /* the writes we wait for must be on their way */
}

/* Route, dropping the reply when CLIENT REPLY says so: a reply written
 * straight to the output is cut off again; one that waits in the ring is
 * marked and skipped when its turn comes.  false: it must wait. */
static bool route_maybe_silent(conn_t *c, int argc, const cmd_arg_t *argv,
			       bool silent)
{
	size_t out_len = c->out.len;
	uint32_t tail = c->tail;
	c->reply_force = false;
	bool routed = route(c, argc, argv);
	if (c->nheld > 0 && !c->acquiring)
		txn_release(c); /* the command ran: its shards go back */
	if (!routed)
		return false;
	if (!silent || c->reply_force)
		return true;
	if (c->tail != tail)
		c->ring[(c->tail - 1) & c->ring_mask].silent = true;
	else if (c->out.len >= out_len)
		c->out.len = out_len;
	return true;
}

void route_command(conn_t *c, int argc, const cmd_arg_t *argv)
{
	worker_stats_t *ws = &srv.wstats[c->worker];
	ck_pr_store_64(&ws->commands, ws->commands + 1);
	bool silent = c->reply_off || c->reply_skip > 0;
	if (c->reply_skip > 0)
		c->reply_skip--;
	if (!route_maybe_silent(c, argc, argv, silent)) {
		stall(c, argc, argv);
		c->stalled_silent = silent;
	}
}

bool route_retry_stalled(conn_t *c)
{
	if (!c->stalled_argv ||
	    !route_maybe_silent(c, c->stalled_argc, c->stalled_argv,
				c->stalled_silent))
		return false;
	free(c->stalled_argv);
	free(c->stalled_bytes);
	c->stalled_argv = NULL;
	c->stalled_bytes = NULL;
	return true;
}

