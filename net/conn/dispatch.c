/*
 * dispatch.c - carry commands to shards and replies back, in order.
 *
 * Requests live in a ring in request order; a reply answered while earlier
 * ones are outstanding waits there, and finished requests at the head move
 * to the output.  A command for a shard of this worker runs inline, with
 * no message; commands for a remote shard are appended to that shard's
 * batch, and each batch leaves as one message when the read has been
 * parsed (dispatch_flush); replies come back as one message per batch.
 * Where each command goes is route.c's decision.
 *
 * Slot = CRC16(key) mod 16384 ({hashtags} honoured); slot -> shard.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "dispatch.h"
#include "merge.h"
#include "subscribe.h"
#include "net/core/log.h"

#define BATCH_FLUSH_BYTES (64 * 1024)
#define EXPECT_REPLY_NS 50000

/* ---- requests and their order ---------------------------------------- */

/* Double the ring, keeping each request at seq & mask.  Only between
 * commands: no req_t pointer is held across dispatch_new_req. */
static void grow_ring(conn_t *c)
{
	uint32_t size = (c->ring_mask + 1) * 2;
	req_t *ring = calloc(size, sizeof(*ring));
	if (!ring) {
		log_warning("out of memory growing a connection's requests");
		abort();
	}
	for (uint32_t s = c->head; s != c->tail; s++) {
		req_t *old = &c->ring[s & c->ring_mask];
		ring[s & (size - 1)] = *old;
		memset(&old->buf, 0, sizeof(old->buf)); /* moved, not freed */
	}
	for (uint32_t i = 0; i <= c->ring_mask; i++)
		reply_free(&c->ring[i].buf); /* spare buffers of done slots */
	free(c->ring);
	c->ring = ring;
	c->ring_mask = size - 1;
}

req_t *dispatch_new_req(conn_t *c, uint8_t merge, uint16_t nparts)
{
	if (conn_outstanding(c) == c->ring_mask)
		grow_ring(c);
	req_t *req = &c->ring[c->tail & c->ring_mask];
	req->seq = c->tail++;
	req->is_write = false;
	req->silent = false;
	if (!req->buf.buf)
		reply_init(&req->buf, c->proto);
	req->buf.proto = c->proto;
	req->merge = merge;
	req->parts_left = nparts;
	req->nparts = nparts;
	req->done = false;
	req->failed = false;
	req->acc = 0;
	return req;
}

reply_t *dispatch_reply_now(conn_t *c, req_t **req)
{
	if (conn_outstanding(c) == 0) {
		*req = NULL;
		return &c->out;
	}
	*req = dispatch_new_req(c, MERGE_ONE, 0);
	return &(*req)->buf;
}

/* Move finished requests at the head of the ring to the output. */
static void drain_head(conn_t *c)
{
	while (c->head != c->tail) {
		req_t *req = &c->ring[c->head & c->ring_mask];
		if (!req->done)
			return;
		if (!req->silent)
			reply_raw(&c->out, req->buf.buf, req->buf.len);
		c->reply_avg = c->reply_avg - c->reply_avg / 8 +
			       (uint32_t)(req->buf.len < (1u << 28) ? req->buf.len
								    : 1u << 28) / 8;
		merge_free(req);
		reply_reset(&req->buf);
		if (req->buf.cap > 16 * 1024) {
			reply_free(&req->buf);
			memset(&req->buf, 0, sizeof(req->buf));
		}
		c->head++;
	}
}

void dispatch_finish_now(conn_t *c, req_t *req)
{
	if (!req)
		return;
	req->done = true;
	drain_head(c);
}

void dispatch_release(conn_t *c)
{
	if (c->ring)
		for (uint32_t i = 0; i <= c->ring_mask; i++)
			reply_free(&c->ring[i].buf);
	if (c->ob)
		for (int s = 0; s < srv.nshards; s++)
			free(c->ob[s].buf);
	free(c->ob);
	free(c->inflight);
	free(c->want);
	free(c->held);
	free(c->stalled_argv);
	free(c->stalled_bytes);
}

/* ---- batches to remote shards ------------------------------------------ */

static int ob_reserve(outbatch_t *ob, size_t n)
{
	if (ob->len + n <= ob->cap)
		return 0;
	size_t cap = ob->cap ? ob->cap : 4096;
	while (cap < ob->len + n)
		cap *= 2;
	char *b = realloc(ob->buf, cap);
	if (!b)
		return -ENOMEM;
	ob->buf = b;
	ob->cap = cap;
	return 0;
}

static void flush_shard(conn_t *c, int s)
{
	outbatch_t *ob = &c->ob[s];
	if (ob->n == 0)
		return;
	req_batch_t *m = (req_batch_t *)act_msg_new(sizeof(*m) + ob->len,
						    MSG_REQ_BATCH);
	if (!m) {
		log_warning("out of memory sending a request batch");
		abort(); /* replies would be lost: the conn could never finish */
	}
	m->reply_to = c->self;
	m->conn = c;
	m->n = ob->n;
	m->len = (uint32_t)ob->len;
	memcpy(m->data, ob->buf, ob->len);
	ob->len = 0;
	ob->n = 0;
	worker_stats_t *ws = &srv.wstats[c->worker];
	ck_pr_store_64(&ws->remote_batches, ws->remote_batches + 1);
	act_send(srv.shards[s]->actor, &m->hdr);
}

void dispatch_flush(conn_t *c)
{
	bool sent = false;
	for (int s = 0; s < srv.nshards; s++) {
		sent |= c->ob[s].n > 0;
		flush_shard(c, s);
	}
	/* The replies come back within microseconds when the shard's worker
	 * is awake: wait for them spinning rather than asleep. */
	if (sent)
		act_expect_message(c->self, EXPECT_REPLY_NS);
}

static void append_entry(conn_t *c, int s, uint32_t seq, uint16_t part,
			 const cmd_t *cmd, int argc, const cmd_arg_t *argv)
{
	outbatch_t *ob = &c->ob[s];
	size_t size = sizeof(req_entry_t);
	for (int i = 0; i < argc; i++)
		size += 8 + server_pad8(argv[i].len);
	if (ob_reserve(ob, size) < 0) {
		log_warning("out of memory batching a request");
		abort();
	}
	req_entry_t *e = (req_entry_t *)(ob->buf + ob->len);
	e->seq = seq;
	e->part = part;
	e->db = (uint16_t)c->db;
	e->cmd = cmd;
	e->argc = (uint32_t)argc;
	e->size = (uint32_t)size;
	e->proto = (uint32_t)c->proto;
	char *p = (char *)(e + 1);
	for (int i = 0; i < argc; i++) {
		uint64_t len = argv[i].len;
		memcpy(p, &len, 8);
		memcpy(p + 8, argv[i].ptr, argv[i].len);
		p += 8 + server_pad8(argv[i].len);
	}
	ob->len += size;
	ob->n++;
	c->inflight[s]++;
	if (ob->len >= BATCH_FLUSH_BYTES)
		flush_shard(c, s);
}

/* Send one part of @req to shard @s, or run it here if @s is local. */
void dispatch_to_shard(conn_t *c, req_t *req, int s, uint16_t part,
		       const cmd_t *cmd, int argc, const cmd_arg_t *argv)
{
	shard_t *sh = srv.shards[s];
	uint32_t seq = req->seq;
	if (req->is_write) {
		c->pending_writes[s]++;
		c->pending_writes_total++;
	}
	if (conn_runs_inline(c, s)) {
		/* Local or held: run it now.  A lone part writes its reply in place;
		 * parts to gather go through a scratch buffer. */
		worker_stats_t *ws = &srv.wstats[c->worker];
		ck_pr_store_64(&ws->inline_cmds, ws->inline_cmds + 1);
		if (req->merge == MERGE_ONE) {
			shard_exec(sh, cmd, c->db, argc, argv, &req->buf);
			req->parts_left--;
			req->done = true;
		} else {
			reply_t *scratch = conn_scratch(c->worker, c->proto);
			shard_exec(sh, cmd, c->db, argc, argv, scratch);
			rep_entry_t e = { .seq = seq, .part = part,
					  .shard = (uint16_t)s,
					  .len = (uint32_t)scratch->len };
			merge_part(c, req, &e, scratch->buf);
		}
		if (req->is_write) {
			c->pending_writes[s]--;
			c->pending_writes_total--;
		}
		if (req->done)
			drain_head(c);
		return;
	}
	append_entry(c, s, seq, part, cmd, argc, argv);
}

void dispatch_on_replies(conn_t *c, rep_batch_t *rb)
{
	const char *p = rb->data;
	if (rb->n == 0 && c->ps) /* Pub/Sub messages were queued for us */
		subscribe_flushed(c);
	for (uint32_t i = 0; i < rb->n; i++) {
		const rep_entry_t *e = (const rep_entry_t *)p;
		const char *bytes = (const char *)(e + 1);
		req_t *req = &c->ring[e->seq & c->ring_mask];
		if (e->shard != REP_NO_SHARD) /* agents, channel owners */
			c->inflight[e->shard]--;
		if (req->is_write) {
			c->pending_writes[e->shard]--;
			c->pending_writes_total--;
		}
		merge_part(c, req, e, bytes);
		p = bytes + server_pad8(e->len);
	}
	drain_head(c);
}

