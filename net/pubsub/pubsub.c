/*
 * pubsub.c - the per-worker pubsub actors: channel owners and local
 * registries (pubsub.h says who does what; docs/pubsub.md why).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "pubsub.h"
#include "registry.h"
#include "net/core/log.h"
#include "net/core/server.h"
#include "net/shard/shard.h"
#include "store/base/glob.h"

/* Owner side: subscribers per worker of one channel (or pattern). */
typedef struct owned {
	uint32_t total;
	uint32_t per[];         /* [nworkers] */
} owned_t;

typedef struct ps_worker {
	int index;
	act_actor_t *actor;
	chanmap_t owned[PS_KINDS];  /* patterns: every one, on every worker */
	chanmap_t local[PS_KINDS];
	uint64_t stat[PS_KINDS];    /* chanmap_count(owned[k]), for INFO */
	reply_t scratch;
} ps_worker_t;

typedef struct sub_msg {
	act_msg_t hdr;
	ps_ack_t ack;
	int8_t kind, delta;
	int16_t from;
	uint32_t len;
	char name[];
} sub_msg_t;

/* MSG_PS_PUBLISH and MSG_PS_DELIVER: channel then message bytes.  A
 * delivery may carry the publisher's count (ack, receivers): see
 * owner_publish. */
typedef struct pub_msg {
	act_msg_t hdr;
	ps_ack_t ack;
	int kind;
	int from;               /* MSG_PS_PUBLISH: the publisher's worker */
	long long receivers;
	uint32_t clen, mlen;
	char data[];
} pub_msg_t;

typedef struct query_msg {
	act_msg_t hdr;
	ps_ack_t ack;
	int what, argc, proto;
	char data[];            /* argc x (u64 len, bytes) */
} query_msg_t;

static ps_worker_t *workers;          /* [nworkers], each its worker's */
static ps_deliver_fn deliver_hook;

int pubsub_owner(const char *name, size_t len)
{
	return srv.shards[server_key_shard(name, len)]->worker;
}

static _Noreturn void oom(void)
{
	log_warning("out of memory in pub/sub");
	abort(); /* a lost count or acknowledgement would hang a client */
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		oom();
	return p;
}

/* ---- answers to connections ------------------------------------------ */

static void answer(const ps_ack_t *ack, const char *bytes, size_t len)
{
	if (!ack->reply_to)
		return;
	rep_send_one(ack->reply_to, ack->conn, ack->seq, ack->part, bytes, len);
}

static void answer_count(const ps_ack_t *ack, long long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), ":%lld\r\n", n);
	answer(ack, buf, (size_t)len);
}

/* ---- owner side -------------------------------------------------------- */

static void owner_count(ps_worker_t *pw, int kind, const char *name,
			size_t len, int from, int delta)
{
	chanmap_t *m = &pw->owned[kind];
	if (delta > 0) {
		bool created;
		chan_entry_t *e = chanmap_add(m, name, len, &created);
		if (!e)
			oom(); /* aborts */
		if (created) {
			e->value = calloc(1, sizeof(owned_t) +
					  (size_t)srv.nworkers * sizeof(uint32_t));
			if (!e->value)
				oom();
		}
		owned_t *o = e->value;
		o->total++;
		o->per[from]++;
	} else {
		chan_entry_t *e = chanmap_find(m, name, len);
		owned_t *o = e ? e->value : NULL;
		if (!o || o->per[from] == 0)
			return; /* cannot happen: counted when subscribed */
		o->per[from]--;
		if (--o->total == 0)
			free(chanmap_remove(m, name, len));
	}
	ck_pr_store_64(&pw->stat[kind], (uint64_t)chanmap_count(m));
}

static void local_deliver(ps_worker_t *pw, int kind, const char *ch,
			  size_t clen, const char *msg, size_t mlen);

static void send_deliver(int w, int kind, const char *ch, size_t clen,
			 const char *msg, size_t mlen, const ps_ack_t *ack,
			 long long receivers)
{
	pub_msg_t *m = (pub_msg_t *)act_msg_new(sizeof(*m) + clen + mlen,
						MSG_PS_DELIVER);
	if (!m) {
		log_warning("out of memory delivering a message: dropped");
		return;
	}
	m->ack = ack ? *ack : (ps_ack_t){ 0 };
	m->receivers = receivers;
	m->kind = kind;
	m->clen = (uint32_t)clen;
	m->mlen = (uint32_t)mlen;
	memcpy(m->data, ch, clen);
	memcpy(m->data + clen, msg, mlen);
	act_send(workers[w].actor, &m->hdr);
}

/* The owner's part of a publish: count the receivers, then one delivery
 * per worker that has any (this worker's directly).  The count goes to
 * @ack (a publisher on worker @from), after the delivery to its worker if
 * there is one: a publisher subscribed to its channel gets the message
 * before the count, as in Redis. */
static long long owner_publish(ps_worker_t *pw, int kind, const char *ch,
			       size_t clen, const char *msg, size_t mlen,
			       const ps_ack_t *ack, int from)
{
	long long receivers = 0;
	bool stack_want[64];
	bool *want = srv.nworkers <= 64 ? stack_want
					: xmalloc((size_t)srv.nworkers);
	memset(want, 0, (size_t)srv.nworkers);
	chan_entry_t *e = chanmap_find(&pw->owned[kind], ch, clen);
	if (e) {
		owned_t *o = e->value;
		receivers += o->total;
		for (int w = 0; w < srv.nworkers; w++)
			want[w] |= o->per[w] > 0;
	}
	if (kind == PS_CHANNEL && chanmap_count(&pw->owned[PS_PATTERN])) {
		chanmap_iter_t it = { 0 };
		while ((e = chanmap_next(&pw->owned[PS_PATTERN], &it))) {
			if (!glob_match(e->name, e->len, ch, clen, false))
				continue;
			owned_t *o = e->value;
			receivers += o->total;
			for (int w = 0; w < srv.nworkers; w++)
				want[w] |= o->per[w] > 0;
		}
	}
	bool answered = false;
	for (int w = 0; w < srv.nworkers; w++) {
		if (!want[w])
			continue;
		if (w == pw->index) {
			local_deliver(pw, kind, ch, clen, msg, mlen);
			continue;
		}
		bool with_ack = ack && w == from;
		send_deliver(w, kind, ch, clen, msg, mlen, with_ack ? ack : NULL,
			     receivers);
		answered |= with_ack;
	}
	if (want != stack_want)
		free(want);
	if (ack && !answered)
		answer_count(ack, receivers);
	return receivers;
}

static void owner_query(ps_worker_t *pw, int what, int argc,
			const ps_arg_t *argv, reply_t *r)
{
	if (what == PS_Q_CHANNELS || what == PS_Q_SHARDCHANNELS) {
		chanmap_t *m = &pw->owned[what == PS_Q_CHANNELS ? PS_CHANNEL
								 : PS_SHARD];
		size_t mark = reply_array_begin(r), n = 0;
		chanmap_iter_t it = { 0 };
		chan_entry_t *e;
		while ((e = chanmap_next(m, &it))) {
			if (argc > 0 && !glob_match(argv[0].ptr, argv[0].len,
						    e->name, e->len, false))
				continue;
			reply_bulk(r, e->name, e->len);
			n++;
		}
		reply_array_end(r, mark, n);
		return;
	}
	int kind = what == PS_Q_NUMSUB ? PS_CHANNEL : PS_SHARD;
	reply_array(r, (size_t)argc);
	for (int i = 0; i < argc; i++) {
		chan_entry_t *e = chanmap_find(&pw->owned[kind], argv[i].ptr,
					       argv[i].len);
		reply_int(r, e ? ((owned_t *)e->value)->total : 0);
	}
}

/* ---- registry side ----------------------------------------------------- */

/* Channel subscribers first, then pattern ones, as Redis: a connection
 * with both gets "message" then "pmessage". */
static void local_deliver(ps_worker_t *pw, int kind, const char *ch,
			  size_t clen, const char *msg, size_t mlen)
{
	const subs_set_t *l = registry_find(&pw->local[kind], ch, clen);
	chan_entry_t *e;
	if (l) {
		for (uint32_t i = 0; i < l->n; i++)
			deliver_hook(l->subs[i]->conn, kind, NULL, 0, ch, clen,
				     msg, mlen);
	}
	if (kind != PS_CHANNEL || chanmap_count(&pw->local[PS_PATTERN]) == 0)
		return;
	chanmap_iter_t it = { 0 };
	while ((e = chanmap_next(&pw->local[PS_PATTERN], &it))) {
		if (!glob_match(e->name, e->len, ch, clen, false))
			continue;
		l = e->value;
		for (uint32_t i = 0; i < l->n; i++)
			deliver_hook(l->subs[i]->conn, PS_PATTERN, e->name,
				     e->len, ch, clen, msg, mlen);
	}
}

/* ---- the connection's calls (its own worker) ------------------------- */

/* Tell owner @w that worker @from has one subscriber more or less; with
 * an acknowledgement to @ack if not NULL.  true: done here, now. */
static bool tell_owner(int w, int from, int kind, const char *name,
		       size_t len, int delta, const ps_ack_t *ack)
{
	if (w == from) {
		owner_count(&workers[w], kind, name, len, from, delta);
		return true;
	}
	sub_msg_t *m = (sub_msg_t *)act_msg_new(sizeof(*m) + len, MSG_PS_SUB);
	if (!m) {
		log_warning("out of memory registering a subscription");
		abort(); /* the owner's counts would be wrong forever */
	}
	m->ack = ack ? *ack : (ps_ack_t){ 0 };
	m->kind = (int8_t)kind;
	m->delta = (int8_t)delta;
	m->from = (int16_t)from;
	m->len = (uint32_t)len;
	memcpy(m->name, name, len);
	act_send(workers[w].actor, &m->hdr);
	return false;
}

int pubsub_subscribe(ps_client_t *cl, int kind, const char *name, size_t len,
		     const ps_ack_t *ack)
{
	bool created;
	if (!chanmap_add(&cl->mine[kind], name, len, &created))
		oom();
	if (!created)
		return -1;
	if (!registry_add(&workers[cl->worker].local[kind], name, len, cl))
		oom();
	int acks = 0;
	if (kind != PS_PATTERN)
		return tell_owner(pubsub_owner(name, len), cl->worker, kind, name,
				  len, +1, ack) ? 0 : 1;
	for (int w = 0; w < srv.nworkers; w++)
		acks += !tell_owner(w, cl->worker, kind, name, len, +1, ack);
	return acks;
}

/* Out of the registry now; the owners are told (with @ack, if not NULL:
 * returns how many acknowledgements will come). */
static int forget(ps_client_t *cl, int kind, const char *name, size_t len,
		  bool tell_owners, const ps_ack_t *ack)
{
	registry_remove(&workers[cl->worker].local[kind], name, len, cl);
	if (!tell_owners)
		return 0;
	if (kind != PS_PATTERN)
		return !tell_owner(pubsub_owner(name, len), cl->worker, kind, name,
				   len, -1, ack);
	int acks = 0;
	for (int w = 0; w < srv.nworkers; w++)
		acks += !tell_owner(w, cl->worker, kind, name, len, -1, ack);
	return acks;
}

int pubsub_unsubscribe(ps_client_t *cl, int kind, const char *name,
		       size_t len, const ps_ack_t *ack)
{
	if (!chanmap_find(&cl->mine[kind], name, len))
		return -1;
	chanmap_remove(&cl->mine[kind], name, len);
	return forget(cl, kind, name, len, true, ack);
}

int pubsub_unsubscribe_all(ps_client_t *cl, int kind,
			   void (*each)(void *arg, const char *name, size_t len),
			   void *arg, const ps_ack_t *ack)
{
	chanmap_t *m = &cl->mine[kind];
	chanmap_iter_t it = { 0 };
	chan_entry_t *e;
	int acks = 0;
	while ((e = chanmap_next(m, &it))) {
		acks += forget(cl, kind, e->name, e->len, true, ack);
		/* Counted down before the reply, as Redis. */
		m->count--;
		if (each)
			each(arg, e->name, e->len);
		m->count++;
		chanmap_remove(m, e->name, e->len);
	}
	return acks;
}

int pubsub_client_drop(ps_client_t *cl, bool tell_owners, const ps_ack_t *ack)
{
	int acks = 0;
	for (int k = 0; k < PS_KINDS; k++) {
		chanmap_iter_t it = { 0 };
		chan_entry_t *e;
		while (workers && (e = chanmap_next(&cl->mine[k], &it)))
			acks += forget(cl, k, e->name, e->len, tell_owners, ack);
		chanmap_free(&cl->mine[k]);
	}
	return acks;
}

bool pubsub_publish(int w, int kind, const char *ch, size_t clen,
		    const char *msg, size_t mlen, const ps_ack_t *ack,
		    long long *receivers)
{
	int owner = pubsub_owner(ch, clen);
	if (owner == w) {
		*receivers = owner_publish(&workers[w], kind, ch, clen, msg, mlen,
					   NULL, w);
		return true;
	}
	pub_msg_t *m = (pub_msg_t *)act_msg_new(sizeof(*m) + clen + mlen,
						MSG_PS_PUBLISH);
	if (!m) {
		log_warning("out of memory publishing a message");
		abort(); /* the publisher would wait forever */
	}
	m->ack = *ack;
	m->kind = kind;
	m->from = w;
	m->clen = (uint32_t)clen;
	m->mlen = (uint32_t)mlen;
	memcpy(m->data, ch, clen);
	memcpy(m->data + clen, msg, mlen);
	act_send(workers[owner].actor, &m->hdr);
	return false;
}

bool pubsub_query(int w, int owner, int what, int argc, const ps_arg_t *argv,
		  const ps_ack_t *ack, reply_t *now)
{
	if (owner == w) {
		owner_query(&workers[w], what, argc, argv, now);
		return true;
	}
	size_t size = 0;
	for (int i = 0; i < argc; i++)
		size += 8 + argv[i].len;
	query_msg_t *m = (query_msg_t *)act_msg_new(sizeof(*m) + size,
						    MSG_PS_QUERY);
	if (!m) {
		log_warning("out of memory asking for PUBSUB");
		abort();
	}
	m->ack = *ack;
	m->what = what;
	m->argc = argc;
	m->proto = now->proto;
	char *p = m->data;
	for (int i = 0; i < argc; i++) {
		uint64_t len = argv[i].len;
		memcpy(p, &len, 8);
		memcpy(p + 8, argv[i].ptr, argv[i].len);
		p += 8 + argv[i].len;
	}
	act_send(workers[owner].actor, &m->hdr);
	return false;
}

long long pubsub_numpat(int w)
{
	return (long long)chanmap_count(&workers[w].owned[PS_PATTERN]);
}

static long long stat_sum(int kind)
{
	long long n = 0;
	for (int w = 0; workers && w < srv.nworkers; w++)
		n += (long long)ck_pr_load_64(&workers[w].stat[kind]);
	return n;
}

long long pubsub_stat_channels(void) { return stat_sum(PS_CHANNEL); }
long long pubsub_stat_shard_channels(void) { return stat_sum(PS_SHARD); }

long long pubsub_stat_patterns(void)
{
	/* Every worker keeps every pattern: worker 0's count is the count. */
	return workers ? (long long)ck_pr_load_64(&workers[0].stat[PS_PATTERN])
		       : 0;
}

/* ---- the actor --------------------------------------------------------- */

static void on_query(ps_worker_t *pw, const query_msg_t *m)
{
	ps_arg_t stack[16] = { { NULL, 0 } };
	ps_arg_t *argv = m->argc <= 16 ? stack
				       : xmalloc((size_t)m->argc * sizeof(*argv));
	const char *p = m->data;
	for (int i = 0; i < m->argc; i++) {
		uint64_t len;
		memcpy(&len, p, 8);
		argv[i] = (ps_arg_t){ p + 8, (size_t)len };
		p += 8 + len;
	}
	reply_t *r = &pw->scratch;
	reply_reset(r);
	r->proto = m->proto;
	owner_query(pw, m->what, m->argc, argv, r);
	answer(&m->ack, r->buf ? r->buf : "", r->len);
	if (argv != stack)
		free(argv);
}

static void ps_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	ps_worker_t *pw = state;
	(void)self;
	switch (msg->type) {
	case MSG_PS_SUB: {
		const sub_msg_t *m = (const sub_msg_t *)msg;
		owner_count(pw, m->kind, m->name, m->len, m->from, m->delta);
		answer(&m->ack, "", 0);
		return;
	}
	case MSG_PS_PUBLISH: {
		const pub_msg_t *m = (const pub_msg_t *)msg;
		owner_publish(pw, m->kind, m->data, m->clen, m->data + m->clen,
			      m->mlen, &m->ack, m->from);
		return;
	}
	case MSG_PS_DELIVER: {
		const pub_msg_t *m = (const pub_msg_t *)msg;
		local_deliver(pw, m->kind, m->data, m->clen, m->data + m->clen,
			      m->mlen);
		if (m->ack.reply_to)
			answer_count(&m->ack, m->receivers);
		return;
	}
	case MSG_PS_QUERY:
		on_query(pw, (const query_msg_t *)msg);
		return;
	}
}

static const act_behaviour_t ps_behaviour = {
	.name = "pubsub",
	.receive = ps_receive,
};

int pubsub_start(ps_deliver_fn deliver)
{
	deliver_hook = deliver;
	workers = calloc((size_t)srv.nworkers, sizeof(*workers));
	if (!workers)
		return -ENOMEM;
	for (int w = 0; w < srv.nworkers; w++) {
		ps_worker_t *pw = &workers[w];
		pw->index = w;
		for (int k = 0; k < PS_KINDS; k++) {
			chanmap_init(&pw->owned[k]);
			chanmap_init(&pw->local[k]);
		}
		reply_init(&pw->scratch, 2);
		if (!(pw->actor = act_spawn(srv.sys, &ps_behaviour, pw, w)))
			return -ENOMEM;
	}
	return 0;
}

static void free_owned(chanmap_t *m)
{
	chanmap_iter_t it = { 0 };
	chan_entry_t *e;
	while ((e = chanmap_next(m, &it)))
		free(e->value);
	chanmap_free(m);
}

/* After the workers stopped, before act_system_destroy. */
void pubsub_release(void)
{
	for (int w = 0; workers && w < srv.nworkers; w++) {
		ps_worker_t *pw = &workers[w];
		if (pw->actor)
			act_actor_unref(pw->actor);
		for (int k = 0; k < PS_KINDS; k++) {
			free_owned(&pw->owned[k]);
			registry_free(&pw->local[k]);
		}
		reply_free(&pw->scratch);
	}
	free(workers);
	workers = NULL;
}
