/*
 * subscribe.c - the connection's side of Pub/Sub (subscribe.h).
 *
 * Confirmations: the replies of (P|S)(UN)SUBSCRIBE are written at once,
 * in a request that stays open until every owner on another worker has
 * acknowledged (an empty part each): once the client reads "subscribe"
 * the owners count it, once it reads "unsubscribe" they no longer do.
 * Leaving takes effect here at once: this worker's registry hands nothing
 * over after the reply.  RESET and QUIT leave the same way.
 *
 * Messages: the registry of this worker calls subscribe_deliver in its
 * own turn; the message goes behind the replies already due (into the
 * output, or into the last request of the ring if replies are still
 * outstanding), and one empty reply batch wakes the connection to write
 * them.  A connection gets its ps_client_t with its first subscription:
 * the others carry none.  Over client-output-buffer-limit pubsub, the
 * connection is cut and what it had queued is freed; nothing waits for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "subscribe.h"
#include "dispatch.h"
#include "merge.h"
#include "multi.h"
#include "net/core/log.h"
#include "net/proto/resp_reply.h"
#include "store/base/errors.h"
#include "store/base/num.h"

size_t subscribe_count(const conn_t *c, int kind)
{
	return c->ps ? pubsub_count(c->ps, kind) : 0;
}

static ps_client_t *ps_of(conn_t *c)
{
	if (!c->ps && !(c->ps = calloc(1, sizeof(*c->ps)))) {
		log_warning("out of memory subscribing");
		abort();
	}
	c->ps->conn = c;
	c->ps->worker = c->worker;
	return c->ps;
}

static void update_mode(conn_t *c)
{
	c->ps->mode = subscribe_count(c, PS_CHANNEL) +
		      subscribe_count(c, PS_PATTERN) +
		      subscribe_count(c, PS_SHARD) > 0;
}

/* The count Redis puts in (un)subscribe replies: channels and patterns
 * together, shard channels apart. */
static long long sub_count(const conn_t *c, int kind)
{
	if (kind == PS_SHARD)
		return (long long)subscribe_count(c, PS_SHARD);
	return (long long)(subscribe_count(c, PS_CHANNEL) +
			   subscribe_count(c, PS_PATTERN));
}

/* A push in RESP3, an array in RESP2. */
static void push_header(reply_t *r, int proto, int n)
{
	char h[16];
	int len = snprintf(h, sizeof(h), "%c%d\r\n", proto == 3 ? '>' : '*', n);
	reply_raw(r, h, (size_t)len);
}

static void confirm(reply_t *r, int proto, const char *what,
		    const char *name, size_t len, long long count)
{
	push_header(r, proto, 3);
	reply_bulk(r, what, strlen(what));
	if (name)
		reply_bulk(r, name, len);
	else
		reply_null(r);
	reply_int(r, count);
}

static const char *const sub_word[] = { "subscribe", "ssubscribe",
					"psubscribe" };
static const char *const unsub_word[] = { "unsubscribe", "sunsubscribe",
					  "punsubscribe" };

/* The request's reply is written: it is done once @acks acknowledgements
 * came (the owners count the change), at once if none is to come. */
static void finish_acked(conn_t *c, req_t *req, uint32_t acks)
{
	req->parts_left = acks;
	req->nparts = 0;
	if (acks == 0)
		dispatch_finish_now(c, req);
	else
		act_expect_message(c->self, 50000);
}

static void subscribe_kind(conn_t *c, int kind, int argc,
			   const cmd_arg_t *argv)
{
	req_t *req = dispatch_new_req(c, MERGE_ONE, 0);
	uint32_t seq = req->seq;
	ps_ack_t ack = { .reply_to = c->self, .conn = c, .seq = seq };
	uint32_t acks = 0;
	for (int i = 1; i < argc; i++) {
		int n = pubsub_subscribe(ps_of(c), kind, argv[i].ptr, argv[i].len,
					 &ack);
		if (n > 0)
			acks += (uint32_t)n;
		confirm(&req->buf, c->proto, sub_word[kind], argv[i].ptr,
			argv[i].len, sub_count(c, kind));
	}
	update_mode(c);
	finish_acked(c, req, acks);
}

struct unsub_all {
	conn_t *c;
	reply_t *r;
	int kind;
};

static void unsub_one(void *arg, const char *name, size_t len)
{
	struct unsub_all *u = arg;
	confirm(u->r, u->c->proto, unsub_word[u->kind], name, len,
		sub_count(u->c, u->kind));
}

static void unsubscribe_kind(conn_t *c, int kind, int argc,
			     const cmd_arg_t *argv)
{
	req_t *req = dispatch_new_req(c, MERGE_ONE, 0);
	uint32_t seq = req->seq;
	ps_ack_t ack = { .reply_to = c->self, .conn = c, .seq = seq };
	int acks = 0;
	if (argc == 1) {
		if (subscribe_count(c, kind) == 0) {
			confirm(&req->buf, c->proto, unsub_word[kind], NULL, 0,
				sub_count(c, kind));
		} else {
			struct unsub_all u = { c, &req->buf, kind };
			acks += pubsub_unsubscribe_all(c->ps, kind, unsub_one, &u,
						       &ack);
		}
	}
	for (int i = 1; i < argc; i++) {
		int n = c->ps ? pubsub_unsubscribe(c->ps, kind, argv[i].ptr,
						   argv[i].len, &ack) : -1;
		if (n > 0)
			acks += n;
		confirm(&req->buf, c->proto, unsub_word[kind], argv[i].ptr,
			argv[i].len, sub_count(c, kind));
	}
	if (c->ps)
		update_mode(c);
	finish_acked(c, req, (uint32_t)acks);
}

void subscribe_cmd_subscribe(conn_t *c, int argc, const cmd_arg_t *argv)
{
	subscribe_kind(c, PS_CHANNEL, argc, argv);
}

void subscribe_cmd_psubscribe(conn_t *c, int argc, const cmd_arg_t *argv)
{
	subscribe_kind(c, PS_PATTERN, argc, argv);
}

void subscribe_cmd_ssubscribe(conn_t *c, int argc, const cmd_arg_t *argv)
{
	subscribe_kind(c, PS_SHARD, argc, argv);
}

void subscribe_cmd_unsubscribe(conn_t *c, int argc, const cmd_arg_t *argv)
{
	unsubscribe_kind(c, PS_CHANNEL, argc, argv);
}

void subscribe_cmd_punsubscribe(conn_t *c, int argc, const cmd_arg_t *argv)
{
	unsubscribe_kind(c, PS_PATTERN, argc, argv);
}

void subscribe_cmd_sunsubscribe(conn_t *c, int argc, const cmd_arg_t *argv)
{
	unsubscribe_kind(c, PS_SHARD, argc, argv);
}

static void publish_kind(conn_t *c, int kind, const cmd_arg_t *argv)
{
	long long n;
	const cmd_arg_t *ch = &argv[1], *msg = &argv[2];
	if (pubsub_owner(ch->ptr, ch->len) == c->worker) {
		/* Owned here: our own subscription's message (RESP3) comes
		 * before the count, as in Redis. */
		pubsub_publish(c->worker, kind, ch->ptr, ch->len, msg->ptr,
			       msg->len, NULL, &n);
		req_t *req;
		reply_int(dispatch_reply_now(c, &req), n);
		dispatch_finish_now(c, req);
		return;
	}
	req_t *req = dispatch_new_req(c, MERGE_ONE, 1);
	ps_ack_t ack = { .reply_to = c->self, .conn = c, .seq = req->seq };
	if (c->ps)
		c->ps->pub_seq = req->seq; /* our own message goes before the count */
	pubsub_publish(c->worker, kind, ch->ptr, ch->len, msg->ptr, msg->len,
		       &ack, &n);
	act_expect_message(c->self, 50000);
}

void subscribe_cmd_publish(conn_t *c, int argc, const cmd_arg_t *argv)
{
	publish_kind(c, PS_CHANNEL, argv);
	(void)argc;
}

void subscribe_cmd_spublish(conn_t *c, int argc, const cmd_arg_t *argv)
{
	publish_kind(c, PS_SHARD, argv);
	(void)argc;
}

/* ---- PUBSUB ------------------------------------------------------------ */

static const char *const pubsub_help[] = {
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
	NULL,
};

/* The integers of an array reply "*n\r\n:a\r\n:b\r\n...", into @out. */
static void parse_ints(const reply_t *p, long long *out, int n)
{
	const char *s = p->buf, *end = p->buf + p->len;
	const char *nl = s ? memchr(s, '\n', p->len) : NULL;
	for (int i = 0; nl && i < n; i++) {
		s = nl + 1;
		nl = memchr(s, '\n', (size_t)(end - s));
		long long v = 0;
		if (nl && *s == ':' && num_parse_ll(s + 1, (size_t)(nl - 1 - s - 1), &v))
			out[i] += v;
	}
}

/* NUMSUB's fold: each owner counted the channels it owns. */
static void fold_numsub(conn_t *c, req_t *req)
{
	const char *names = req->extra;
	uint32_t n;
	memcpy(&n, names, 4);
	long long *sum = calloc(n ? n : 1, sizeof(*sum));
	if (!sum) {
		log_warning("out of memory answering PUBSUB NUMSUB");
		abort();
	}
	for (unsigned i = 0; i < req->nparts; i++)
		parse_ints(&req->parts[i], sum, (int)n);
	reply_array(&req->buf, (size_t)n * 2);
	const char *p = names + 4;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		memcpy(&len, p, 4);
		reply_bulk(&req->buf, p + 4, len);
		reply_int(&req->buf, sum[i]);
		p += 4 + len;
	}
	free(sum);
	(void)c;
}

/* Ask every owner; @what a PS_Q_* query over argv[2..]. */
static void pubsub_fanout(conn_t *c, int what, int argc,
			  const cmd_arg_t *argv)
{
	bool numsub = what == PS_Q_NUMSUB || what == PS_Q_SHARDNUMSUB;
	req_t *req = dispatch_new_req(c, numsub ? MERGE_FOLD : MERGE_CONCAT,
				      (uint16_t)srv.nworkers);
	req->parts = calloc((size_t)srv.nworkers, sizeof(reply_t));
	if (!req->parts) {
		log_warning("out of memory answering PUBSUB");
		abort();
	}
	if (numsub) {
		size_t size = 4;
		for (int i = 2; i < argc; i++)
			size += 4 + argv[i].len;
		char *names = malloc(size), *p = names + 4;
		if (!names) {
			log_warning("out of memory answering PUBSUB");
			abort();
		}
		uint32_t n = (uint32_t)(argc - 2);
		memcpy(names, &n, 4);
		for (int i = 2; i < argc; i++) {
			uint32_t len = (uint32_t)argv[i].len;
			memcpy(p, &len, 4);
			memcpy(p + 4, argv[i].ptr, len);
			p += 4 + len;
		}
		req->extra = names;
		req->fold = fold_numsub;
	}
	uint32_t seq = req->seq;
	for (int w = 0; w < srv.nworkers; w++) {
		ps_ack_t ack = { .reply_to = c->self, .conn = c, .seq = seq,
				 .part = (uint16_t)w };
		reply_t *now = conn_scratch(c->worker, c->proto);
		if (!pubsub_query(c->worker, w, what, argc - 2,
				  (const ps_arg_t *)(argv + 2), &ack, now))
			continue;
		rep_entry_t e = { .seq = seq, .part = (uint16_t)w,
				  .len = (uint32_t)now->len };
		merge_part(c, &c->ring[seq & c->ring_mask], &e,
			   now->buf ? now->buf : "");
	}
	req = &c->ring[seq & c->ring_mask];
	if (req->done)
		dispatch_finish_now(c, req);
}

void subscribe_cmd_pubsub(conn_t *c, int argc, const cmd_arg_t *argv)
{
	/* route() checked the subcommand and its arity. */
	const char *sub = c->last_cmd ? c->last_cmd->name : "";
	if (!strcmp(sub, "pubsub|channels") && argc <= 3) {
		pubsub_fanout(c, PS_Q_CHANNELS, argc, argv);
		return;
	}
	if (!strcmp(sub, "pubsub|shardchannels") && argc <= 3) {
		pubsub_fanout(c, PS_Q_SHARDCHANNELS, argc, argv);
		return;
	}
	if (!strcmp(sub, "pubsub|numsub")) {
		pubsub_fanout(c, PS_Q_NUMSUB, argc, argv);
		return;
	}
	if (!strcmp(sub, "pubsub|shardnumsub")) {
		pubsub_fanout(c, PS_Q_SHARDNUMSUB, argc, argv);
		return;
	}
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (!strcmp(sub, "pubsub|numpat")) {
		reply_int(r, pubsub_numpat(c->worker));
	} else if (!strcmp(sub, "pubsub|help")) {
		size_t n = 0;
		while (pubsub_help[n])
			n++;
		reply_array(r, n);
		for (size_t i = 0; i < n; i++)
			reply_simple(r, pubsub_help[i], strlen(pubsub_help[i]));
	} else {
		char name[129];
		size_t n = argv[1].len < 128 ? argv[1].len : 128;
		memcpy(name, argv[1].ptr, n);
		name[n] = '\0';
		reply_errorf(r, ERRF_SUBCOMMAND_SYNTAX, name, "PUBSUB");
	}
	dispatch_finish_now(c, req);
}

/* ---- subscribed mode, replies, messages ------------------------------- */

bool subscribe_refuses(conn_t *c, const cmd_t *cmd, const cmd_t *row)
{
	static const char *const allowed[] = {
		"subscribe", "unsubscribe", "psubscribe", "punsubscribe",
		"ssubscribe", "sunsubscribe", "ping", "quit", "reset", NULL,
	};
	/* Inside EXEC nothing is refused: Redis checks when it queues. */
	if (!c->ps->mode || c->proto != 2 || c->in_exec)
		return false;
	for (int i = 0; allowed[i]; i++)
		if (!strcmp(cmd->name, allowed[i]))
			return false;
	char msg[256];
	snprintf(msg, sizeof(msg), ERRF_PUBSUB_CONTEXT,
		 row ? row->name : cmd->name);
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (!strcmp(cmd->name, "exec")) /* Redis's execCommandAbort */
		reply_errorf(r, "EXECABORT Transaction discarded because of: %s",
			     msg + 4);
	else
		reply_error(r, msg);
	dispatch_finish_now(c, req);
	multi_refused(c);
	return true;
}

static int drop(conn_t *c, bool tell_owners, const ps_ack_t *ack)
{
	if (!c->ps)
		return 0;
	int acks = pubsub_client_drop(c->ps, tell_owners, ack);
	free(c->ps);
	c->ps = NULL;
	return acks;
}

void subscribe_leave(conn_t *c)
{
	if (!c->ps)
		return;
	req_t *req = dispatch_new_req(c, MERGE_ONE, 0); /* no bytes of its own */
	ps_ack_t ack = { .reply_to = c->self, .conn = c, .seq = req->seq };
	finish_acked(c, req, (uint32_t)drop(c, true, &ack));
}

void subscribe_reset(conn_t *c)
{
	drop(c, true, NULL);
}

void subscribe_free(conn_t *c)
{
	drop(c, false, NULL);
}

void subscribe_flushed(conn_t *c)
{
	c->ps->flush_pending = false;
	/* A subscriber that never quite catches up never empties its output:
	 * drop what was sent, or the buffer only grows.  (Here, between
	 * commands: nothing holds an offset into the output.) */
	if (c->out_sent >= 64 * 1024 && c->out_sent * 2 >= c->out.len) {
		memmove(c->out.buf, c->out.buf + c->out_sent, conn_unsent(c));
		c->out.len -= c->out_sent;
		c->out_sent = 0;
	}
}

/* Where a message goes: behind every reply due, without a request of its
 * own when the last one is already a message's. */
static reply_t *push_target(conn_t *c)
{
	if (conn_outstanding(c) == 0)
		return &c->out;
	req_t *last = &c->ring[(c->tail - 1) & c->ring_mask];
	if (c->ps->pub_seq == c->tail - 1 && !last->done && last->merge == MERGE_ONE)
		return &last->buf; /* our PUBLISH: the message, then the count */
	if (c->ps->push_open && c->ps->push_seq == c->tail - 1)
		return &c->ring[c->ps->push_seq & c->ring_mask].buf;
	req_t *req = dispatch_new_req(c, MERGE_ONE, 0);
	req->done = true;
	c->ps->push_open = true;
	c->ps->push_seq = req->seq;
	return &req->buf;
}

static size_t queued_bytes(const conn_t *c)
{
	size_t n = conn_unsent(c);
	for (uint32_t s = c->head; s != c->tail; s++)
		n += c->ring[s & c->ring_mask].buf.len;
	return n;
}

/* client-output-buffer-limit pubsub: hard, or soft for longer than its
 * seconds (Redis's checkClientOutputBufferLimits). */
static bool over_pubsub_limit(conn_t *c)
{
	const config_obuf_limit_t *lim =
		&server_cfg()->obuf_limit[CONFIG_CLIENT_PUBSUB];
	size_t used = c->ps->push_open ? queued_bytes(c) : conn_unsent(c);
	if (lim->hard && used >= lim->hard)
		return true;
	if (!lim->soft || used < lim->soft) {
		c->ps->soft_since = 0;
		return false;
	}
	uint64_t now = (uint64_t)server_mstime();
	if (c->ps->soft_since == 0) {
		c->ps->soft_since = now;
		return false;
	}
	return now - c->ps->soft_since > (uint64_t)lim->soft_seconds * 1000;
}

void subscribe_deliver(void *conn, int kind, const char *pat, size_t plen,
		       const char *ch, size_t clen, const char *msg,
		       size_t mlen)
{
	conn_t *c = conn;
	if (c->closed || c->peer_gone || c->closing)
		return;
	reply_t *r = push_target(c);
	static const char *const word[] = { "message", "smessage", "pmessage" };
	push_header(r, c->proto, kind == PS_PATTERN ? 4 : 3);
	reply_bulk(r, word[kind], strlen(word[kind]));
	if (kind == PS_PATTERN)
		reply_bulk(r, pat, plen);
	reply_bulk(r, ch, clen);
	reply_bulk(r, msg, mlen);
	if (over_pubsub_limit(c)) {
		log_warning("Client id=%llu addr=%s closed for overcoming of "
			    "output buffer limits.", (unsigned long long)c->id,
			    c->peer);
		c->peer_gone = true; /* its queued output is freed on close */
	}
	if (c->ps->flush_pending)
		return;
	rep_batch_t *m = (rep_batch_t *)act_msg_new(sizeof(*m), MSG_REPLY_BATCH);
	if (!m)
		return; /* written with the next reply or event */
	m->conn = c;
	m->n = 0;
	m->len = 0;
	c->ps->flush_pending = true;
	act_send(c->self, &m->hdr);
}
