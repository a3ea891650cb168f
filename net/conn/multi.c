/*
 * multi.c - MULTI, EXEC, DISCARD, WATCH and UNWATCH, as Redis 7.0.
 *
 * MULTI queues commands (copied) until EXEC; a command refused while
 * queueing (unknown, wrong arity, NOAUTH, not allowed in a transaction)
 * makes EXEC answer EXECABORT.  EXEC holds every shard its commands touch,
 * and the shards of the watched keys, with the hold protocol (txn.c), then
 * runs them one after the other, inline: no other client's command runs on
 * those shards in between, whichever shards they are.
 *
 * WATCH registers each key with its shard's keyspace (ks_watch), which
 * bumps the key's version on every change, expiry included; EXEC compares
 * the versions under the hold and answers a null array if any key was
 * touched.  Registering, checking and forgetting watched keys all touch
 * shard data, so they too run with those shards held.
 *
 * Connection worker only.
 */
#include <stdlib.h>
#include <string.h>

#include "multi.h"
#include "dispatch.h"
#include "route.h"
#include "txn.h"
#include "net/core/log.h"
#include "store/base/errors.h"
#include "store/commands.h"
#include "store/db/ks_watch.h"

typedef struct queued_cmd {
	int argc;
	cmd_arg_t *argv;          /* points into the same allocation */
} queued_cmd_t;

typedef struct watched_key {
	int db, shard;
	uint64_t version;         /* ks_watch's answer */
	bool expired;
	size_t len;
	char *key;
} watched_key_t;

static void *grow(void *arr, int *cap, size_t elem)
{
	int n = *cap ? *cap * 2 : 4;
	void *p = realloc(arr, (size_t)n * elem);
	if (!p) {
		log_warning("out of memory in a transaction");
		abort();
	}
	*cap = n;
	return p;
}

static void answer_ok(conn_t *c)
{
	req_t *req;
	reply_ok(dispatch_reply_now(c, &req));
	dispatch_finish_now(c, req);
}

static void answer_error(conn_t *c, const char *msg)
{
	req_t *req;
	reply_error(dispatch_reply_now(c, &req), msg);
	dispatch_finish_now(c, req);
}

/* ---- queueing ---------------------------------------------------------- */

bool multi_queues(const conn_t *c, const cmd_t *cmd)
{
	static const char *const run_now[] = {
		"exec", "discard", "multi", "watch", "quit", "reset", NULL,
	};
	(void)c;
	for (int i = 0; run_now[i]; i++)
		if (!strcmp(cmd->name, run_now[i]))
			return false;
	return true;
}

void multi_refused(conn_t *c)
{
	if (c->in_multi)
		c->multi_failed = true;
}

void multi_queue(conn_t *c, const cmd_t *cmd, int argc, const cmd_arg_t *argv)
{
	if (cmd->flags & CMD_NO_MULTI) {
		answer_error(c, ERR_NOT_ALLOWED_IN_MULTI);
		c->multi_failed = true;
		return;
	}
	size_t bytes = 0;
	for (int i = 0; i < argc; i++)
		bytes += argv[i].len;
	cmd_arg_t *copy = malloc((size_t)argc * sizeof(*copy) + bytes + 1);
	if (!copy) {
		log_warning("out of memory queueing a command");
		abort();
	}
	char *p = (char *)(copy + argc);
	for (int i = 0; i < argc; i++) {
		memcpy(p, argv[i].ptr, argv[i].len);
		copy[i] = (cmd_arg_t){ p, argv[i].len };
		p += argv[i].len;
	}
	if (c->nqueued == c->queued_cap)
		c->queued = grow(c->queued, &c->queued_cap, sizeof(*c->queued));
	c->queued[c->nqueued++] = (queued_cmd_t){ argc, copy };
	req_t *req;
	reply_simple(dispatch_reply_now(c, &req), "QUEUED", 6);
	dispatch_finish_now(c, req);
}

static void forget_queue(conn_t *c)
{
	for (int i = 0; i < c->nqueued; i++)
		free(c->queued[i].argv);
	c->nqueued = 0;
	c->in_multi = false;
	c->multi_failed = false;
}

/* ---- the shards a transaction needs ------------------------------------ */

/* Add the shards of one queued command to @want: its keys' shards, every
 * shard for a keyless store command (KEYS, FLUSHALL...), none for the
 * connection's own commands (PING, SELECT...). */
static void want_command(const queued_cmd_t *q, uint8_t *want)
{
	const cmd_t *keys = cmd_lookup(q->argv[0].ptr, q->argv[0].len);
	if (!keys)
		return; /* connection command */
	if (keys->subs) {
		keys = cmd_subcommand(keys, q->argc, q->argv);
		if (!keys)
			return; /* answered with an error, on any shard */
	}
	int *shard_of_arg = malloc((size_t)q->argc * sizeof(int));
	if (!shard_of_arg) {
		log_warning("out of memory starting a transaction");
		abort();
	}
	bool spans;
	if (route_key_shards(keys, q->argc, q->argv, shard_of_arg, &spans) == 0)
		memset(want, 1, (size_t)srv.nshards);
	else
		for (int i = 0; i < q->argc; i++)
			want[shard_of_arg[i]] = 1;
	free(shard_of_arg);
}

static void want_watched(const conn_t *c, uint8_t *want)
{
	for (int i = 0; i < c->nwatched; i++)
		want[c->watched[i].shard] = 1;
}

static ks_t *watched_ks(const watched_key_t *w)
{
	return srv.shards[w->shard]->dbs[w->db];
}

/* Forget the watched keys; their shards must be held. */
static void unwatch_held(conn_t *c)
{
	for (int i = 0; i < c->nwatched; i++) {
		watched_key_t *w = &c->watched[i];
		ks_unwatch(watched_ks(w), w->key, w->len);
		free(w->key);
	}
	c->nwatched = 0;
}

/* Hold the shards of the watched keys and forget them.  false: holds on
 * their way. */
static bool unwatch_all(conn_t *c)
{
	if (c->nwatched == 0)
		return true;
	uint8_t want[SERVER_MAX_SHARDS] = { 0 };
	want_watched(c, want);
	if (!txn_hold(c, want))
		return false;
	unwatch_held(c);
	return true;
}

/* Whether a watched key was touched since WATCH; shards held. */
static bool any_touched(conn_t *c)
{
	for (int i = 0; i < c->nwatched; i++) {
		watched_key_t *w = &c->watched[i];
		ks_t *ks = watched_ks(w);
		ks_set_now(ks, server_now_ms());
		if (ks_watch_touched(ks, w->key, w->len, w->version, w->expired))
			return true;
	}
	return false;
}

/* ---- the commands ------------------------------------------------------ */

void multi_cmd_multi(conn_t *c, int argc, const cmd_arg_t *argv)
{
	(void)argc, (void)argv;
	if (c->in_multi) {
		answer_error(c, ERR_MULTI_NESTED);
		return;
	}
	c->in_multi = true;
	c->multi_failed = false;
	answer_ok(c);
}

void multi_cmd_discard(conn_t *c, int argc, const cmd_arg_t *argv)
{
	(void)argc, (void)argv;
	if (!c->in_multi) {
		answer_error(c, ERR_DISCARD_NO_MULTI);
		return;
	}
	if (!unwatch_all(c)) {
		c->must_wait = true;
		return;
	}
	forget_queue(c);
	answer_ok(c);
}

static bool any_write(const conn_t *c)
{
	for (int i = 0; i < c->nqueued; i++) {
		const queued_cmd_t *q = &c->queued[i];
		const cmd_t *cmd = cmd_lookup(q->argv[0].ptr, q->argv[0].len);
		if (cmd && (cmd->flags & CMD_WRITE))
			return true;
	}
	return false;
}

void multi_cmd_exec(conn_t *c, int argc, const cmd_arg_t *argv)
{
	(void)argc, (void)argv;
	if (!c->in_multi) {
		answer_error(c, ERR_EXEC_NO_MULTI);
		return;
	}
	uint8_t want[SERVER_MAX_SHARDS] = { 0 };
	want_watched(c, want);
	if (!c->multi_failed)
		for (int i = 0; i < c->nqueued; i++)
			want_command(&c->queued[i], want);
	/* Our writes in flight land first (route.c's order rule). */
	if ((any_write(c) && c->pending_writes_total > 0) || !txn_hold(c, want)) {
		c->must_wait = true;
		return;
	}
	if (c->multi_failed) {
		unwatch_held(c);
		forget_queue(c);
		answer_error(c, ERR_EXECABORT);
		return;
	}
	bool touched = any_touched(c);
	unwatch_held(c);
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (touched) {
		reply_null_array(r);
		dispatch_finish_now(c, req);
		forget_queue(c);
		return;
	}
	reply_array(r, (size_t)c->nqueued);
	dispatch_finish_now(c, req);
	c->in_multi = false; /* the commands run now rather than queue */
	for (int i = 0; i < c->nqueued; i++)
		route_in_exec(c, c->queued[i].argc, c->queued[i].argv);
	forget_queue(c);
}

static bool is_watched(const conn_t *c, int db, const cmd_arg_t *key)
{
	for (int i = 0; i < c->nwatched; i++) {
		const watched_key_t *w = &c->watched[i];
		if (w->db == db && w->len == key->len &&
		    !memcmp(w->key, key->ptr, key->len))
			return true;
	}
	return false;
}

void multi_cmd_watch(conn_t *c, int argc, const cmd_arg_t *argv)
{
	if (c->in_multi) {
		answer_error(c, ERR_WATCH_IN_MULTI);
		return;
	}
	uint8_t want[SERVER_MAX_SHARDS] = { 0 };
	for (int i = 1; i < argc; i++)
		want[server_key_shard(argv[i].ptr, argv[i].len)] = 1;
	if (!txn_hold(c, want)) {
		c->must_wait = true;
		return;
	}
	for (int i = 1; i < argc; i++) {
		if (is_watched(c, c->db, &argv[i]))
			continue;
		if (c->nwatched == c->watched_cap)
			c->watched = grow(c->watched, &c->watched_cap,
					  sizeof(*c->watched));
		watched_key_t *w = &c->watched[c->nwatched];
		w->db = c->db;
		w->shard = server_key_shard(argv[i].ptr, argv[i].len);
		w->len = argv[i].len;
		w->key = malloc(argv[i].len + 1);
		if (!w->key)
			abort();
		memcpy(w->key, argv[i].ptr, argv[i].len);
		ks_t *ks = watched_ks(w);
		ks_set_now(ks, server_now_ms());
		if (ks_watch(ks, w->key, w->len, &w->version, &w->expired) < 0) {
			free(w->key);
			answer_error(c, ERR_OOM);
			return;
		}
		c->nwatched++;
	}
	answer_ok(c);
}

void multi_cmd_unwatch(conn_t *c, int argc, const cmd_arg_t *argv)
{
	(void)argc, (void)argv;
	if (!unwatch_all(c)) {
		c->must_wait = true;
		return;
	}
	answer_ok(c);
}

bool multi_reset(conn_t *c)
{
	if (!unwatch_all(c))
		return false;
	forget_queue(c);
	return true;
}

void multi_free(conn_t *c)
{
	forget_queue(c);
	for (int i = 0; i < c->nwatched; i++)
		free(c->watched[i].key);
	free(c->queued);
	free(c->watched);
}
