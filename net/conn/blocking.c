/*
 * blocking.c - a connection waiting on keys (see blocking.h).
 *
 * Concurrency: the connection's worker only.  The waiter's registrations
 * are touched only while this connection holds their shards.
 */
#include "blocking.h"

#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "dispatch.h"
#include "txn.h"
#include "net/core/log.h"
#include "net/shard/waiter.h"
#include "store/base/errors.h"
#include "store/cmd/block.h"

enum { ACTION_NONE, ACTION_WAKE, ACTION_END };

static void finish_req(conn_t *c, req_t *req)
{
	req->parts_left = 0;
	dispatch_finish_now(c, req);
}

static req_t *blocked_req(conn_t *c)
{
	return &c->ring[c->blk_seq & c->ring_mask];
}

/* The wait is over (the request has its reply): forget the waiter. */
static void end_wait(conn_t *c)
{
	if (c->blk_timer) {
		act_timer_cancel(c->self, c->blk_timer);
		c->blk_timer = NULL;
	}
	waiter_free(c->blk);
	c->blk = NULL;
	free(c->wake_key);
	c->wake_key = NULL;
	ck_pr_dec_int(&srv.blocked_clients);
}

/* Hold every shard of the waiter's command.  false: holds on their way. */
static bool hold_shards(conn_t *c, const int *shard_of_arg, int argc)
{
	uint8_t want[SERVER_MAX_SHARDS];
	memset(want, 0, (size_t)srv.nshards);
	for (int i = 0; i < argc; i++)
		want[shard_of_arg[i]] = 1;
	return txn_hold(c, want);
}

bool blocking_route(conn_t *c, const cmd_t *cmd, int argc, const cmd_arg_t *argv,
		    const int *shard_of_arg)
{
	/* A write: it must not overtake this client's writes in flight. */
	if (c->pending_writes_total > 0 || !hold_shards(c, shard_of_arg, argc))
		return false;
	req_t *req = dispatch_new_req(c, MERGE_ONE, 1);
	req->buf.proto = c->proto;
	shard_exec_blocking(shard_of_arg, cmd, c->db, argc, argv, NULL, &req->buf);
	if (req->buf.len > 0 || reply_failed(&req->buf)) {
		finish_req(c, req);
		return true; /* answered now; the router releases the holds */
	}
	/* Nothing to take: wait, registered while the holds keep every push
	 * out, so none can come between the try and the registration. */
	waiter_t *w = waiter_new(c->self, c, cmd, c->db, c->proto, argc, argv,
				 shard_of_arg);
	if (!w || waiter_register(w) < 0) {
		waiter_free(w);
		reply_error(&req->buf, ERR_OOM);
		finish_req(c, req);
		return true;
	}
	c->blk = w;
	c->blk_seq = req->seq;
	ck_pr_inc_int(&srv.blocked_clients);
	long long ms = 0;
	int at = cmd_block_timeout_pos(cmd, argc);
	(void)cmd_block_timeout(&argv[at], &ms); /* the command checked it */
	if (ms > 0 && act_timer_start(c->self, (uint64_t)ms * 1000000ull, 0, 0,
				      &c->blk_timer) < 0) {
		c->blk_timer = NULL;
		log_warning("out of memory timing a blocked client: it waits "
			    "until served");
	}
	return true;
}

static void on_served(conn_t *c, const act_msg_t *m)
{
	const served_msg_t *sm = (const served_msg_t *)m;
	if (c->blk != sm->w) {
		log_warning("a blocked client's element for a wait that is over");
		return; /* cannot happen: a served waiter is ours until here */
	}
	req_t *req = blocked_req(c);
	reply_raw(&req->buf, sm->bytes, sm->len);
	end_wait(c);
	finish_req(c, req);
}

/* With the waiter's shards held: try with the key that received data. */
static void do_wake(conn_t *c)
{
	waiter_t *w = c->blk;
	req_t *req = blocked_req(c);
	cmd_arg_t ready = {c->wake_key, c->wake_klen};
	waiter_try(w, &ready, &req->buf);
	if (req->buf.len > 0 || reply_failed(&req->buf)) {
		waiter_unregister(w);
		end_wait(c);
		finish_req(c, req);
	} else {
		waiter_rearm(w); /* someone was quicker: wait on */
	}
}

/* With the waiter's shards held: end the wait as c->blk_end says. */
static void do_end(conn_t *c)
{
	waiter_t *w = c->blk;
	if (w->served)
		return; /* its reply is on its way: MSG_SERVED ends the wait */
	waiter_unregister(w);
	req_t *req = blocked_req(c);
	if (c->blk_end == BLOCK_TIMEOUT)
		cmd_block_timeout_reply(w->cmd, &req->buf);
	else if (c->blk_end == BLOCK_UNBLOCK_ERR)
		reply_error(&req->buf, ERR_UNBLOCKED);
	end_wait(c);
	finish_req(c, req);
}

/* Holds are all here: do what they were asked for, give them back. */
static void act_now(conn_t *c)
{
	uint8_t action = c->blk_action;
	c->blk_action = ACTION_NONE;
	if (c->blk && action == ACTION_WAKE)
		do_wake(c);
	else if (c->blk && action == ACTION_END)
		do_end(c);
	txn_release(c);
}

/* Start @action, holding the waiter's shards first. */
static void start(conn_t *c, uint8_t action)
{
	c->blk_action = action;
	if (hold_shards(c, c->blk->shard_of_arg, c->blk->argc))
		act_now(c);
}

static void on_wake(conn_t *c, const act_msg_t *m)
{
	const wake_msg_t *wm = (const wake_msg_t *)m;
	if (c->blk != wm->w || c->blk_action != ACTION_NONE)
		return; /* deciding already, or ending: that covers this key */
	char *key = malloc(wm->klen ? wm->klen : 1);
	if (!key) {
		/* Without the key, try the keys in order: same outcome but
		 * for which of two fed keys serves. */
		free(c->wake_key);
		c->wake_key = NULL;
		c->wake_klen = 0;
	} else {
		memcpy(key, wm->key, wm->klen);
		free(c->wake_key);
		c->wake_key = key;
		c->wake_klen = wm->klen;
	}
	start(c, ACTION_WAKE);
}

bool blocking_end(conn_t *c, enum block_end how)
{
	if (!c->blk)
		return true;
	c->blk_end = (uint8_t)how;
	if (c->blk_action != ACTION_NONE) {
		c->blk_action = ACTION_END; /* the same holds serve the end */
		return false;
	}
	start(c, ACTION_END);
	return c->blk == NULL;
}

static void on_timer(conn_t *c)
{
	c->blk_timer = NULL; /* a fired one-shot: its handle is gone */
	if (c->blk)
		blocking_end(c, BLOCK_TIMEOUT);
}

void blocking_receive(conn_t *c, const act_msg_t *m)
{
	switch (m->type) {
	case MSG_SERVED:
		on_served(c, m);
		break;
	case MSG_WAKE:
		on_wake(c, m);
		break;
	case ACT_MSG_TIMER:
		on_timer(c);
		break;
	case MSG_UNBLOCK:
		blocking_end(c, ((const unblock_msg_t *)m)->error
				? BLOCK_UNBLOCK_ERR : BLOCK_TIMEOUT);
		break;
	}
}

bool blocking_on_held(conn_t *c)
{
	if (c->blk_action == ACTION_NONE)
		return false;
	if (!c->acquiring)
		act_now(c);
	return true;
}
