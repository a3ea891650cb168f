/*
 * pubsub.h - Pub/Sub without locks: channel owners and per-worker fan-out.
 *
 * One pubsub actor per worker plays two parts (docs/pubsub.md):
 *   - owner of the channels whose slot's shard lives on its worker (CRC16,
 *     hash tags: server_key_shard, like a key).  Per channel it keeps how
 *     many subscribers each worker has, not the connections; PUBLISH goes
 *     to the owner, which counts the receivers and sends ONE message per
 *     worker that has any.  Every owner also keeps every pattern (with its
 *     count per worker), so the owner of a channel alone decides who gets
 *     a message and the publisher's count.
 *   - the registry of its worker's subscribers: which local connections
 *     listen to what; it hands each message to them (the deliver hook,
 *     which the connection layer registers).
 * A connection touches only its own worker's registry (same thread); all
 * else is messages.  Nothing is locked and nothing is shared between
 * workers except the statistics counters INFO reads.
 *
 * Order: one publisher's messages to one channel go through one owner, and
 * the owner's messages to one worker stay in order: every subscriber sees
 * them in publish order.  (UN)SUBSCRIBE's confirmation waits for the
 * owners' acknowledgements, so what is published after a client saw it
 * counts (or no longer counts) that client.
 */
#ifndef FLASHKV_PUBSUB_H
#define FLASHKV_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flashkv/act.h>

#include "chanmap.h"
#include "store/base/reply.h"

enum ps_kind { PS_CHANNEL, PS_SHARD, PS_PATTERN, PS_KINDS };

/* Message types of this module, numbered apart from net/core/msg.h's. */
enum {
	MSG_PS_SUB = 0x7000, /* conn -> owner: worker W +-1 subscriber */
	MSG_PS_PUBLISH,      /* conn -> owner: publish (reply: the count) */
	MSG_PS_DELIVER,      /* owner -> worker: hand this to your subscribers */
	MSG_PS_QUERY,        /* conn -> owner: PUBSUB CHANNELS / NUMSUB */
};
/* Answers to connections are MSG_REPLY_BATCHes (shard REP_NO_SHARD); an
 * empty one tells a connection that messages were queued for it. */

/* Where an answer goes: the asking connection's request. */
typedef struct ps_ack {
	act_actor_t *reply_to;  /* NULL: no answer wanted */
	void *conn;
	uint32_t seq;
	uint16_t part;
} ps_ack_t;

/* A connection's side: what it subscribes to.  Owned by the connection,
 * touched on its worker only. */
typedef struct ps_client {
	void *conn;             /* handed to the deliver hook */
	int worker;
	chanmap_t mine[PS_KINDS];
	/* The connection's own (net/conn/subscribe.c): subscribed mode, a
	 * wake-up on its way, where messages go among its replies, since
	 * when it is over the soft output limit (ms). */
	bool mode, flush_pending, push_open;
	uint32_t push_seq, pub_seq;
	uint64_t soft_since;
} ps_client_t;

/* Write one message to @conn's output: kind PS_CHANNEL ("message"),
 * PS_SHARD ("smessage") or PS_PATTERN ("pmessage" of pattern @pat). */
typedef void (*ps_deliver_fn)(void *conn, int kind, const char *pat,
			      size_t plen, const char *ch, size_t clen,
			      const char *msg, size_t mlen);

/* Spawn the actors (from conn_module_start); release before the system
 * is destroyed. */
int pubsub_start(ps_deliver_fn deliver);
void pubsub_release(void);

/* The worker whose actor owns channel @name (its slot's shard's). */
int pubsub_owner(const char *name, size_t len);

static inline size_t pubsub_count(const ps_client_t *cl, int kind)
{
	return chanmap_count(&cl->mine[kind]);
}

/* Subscribe @cl.  -1: it already was (nothing to do); else the number of
 * acknowledgements that will come to @ack (empty MSG_PS_REPLY entries):
 * 0 when every owner concerned is on this worker. */
int pubsub_subscribe(ps_client_t *cl, int kind, const char *name, size_t len,
		     const ps_ack_t *ack);
/* Unsubscribe @cl: at once from this worker's registry; the owners are
 * told, with @ack if not NULL.  -1: it was not subscribed; else the number
 * of acknowledgements that will come to @ack. */
int pubsub_unsubscribe(ps_client_t *cl, int kind, const char *name,
		       size_t len, const ps_ack_t *ack);
/* Every name @cl subscribes to of @kind, for the replies of UNSUBSCRIBE
 * without arguments: calls @each(arg, name, len) as each goes; returns the
 * acknowledgements to come, as pubsub_unsubscribe. */
int pubsub_unsubscribe_all(ps_client_t *cl, int kind,
			   void (*each)(void *arg, const char *name, size_t len),
			   void *arg, const ps_ack_t *ack);
/* Forget everything (RESET, QUIT, closing): @tell_owners false only at
 * shutdown, when the actors may be gone; acknowledgements as above. */
int pubsub_client_drop(ps_client_t *cl, bool tell_owners, const ps_ack_t *ack);

/* PUBLISH (@kind PS_CHANNEL) or SPUBLISH (PS_SHARD) from worker @w.
 * true: done, *receivers set; false: the count comes to @ack as ":n". */
bool pubsub_publish(int w, int kind, const char *ch, size_t clen,
		    const char *msg, size_t mlen, const ps_ack_t *ack,
		    long long *receivers);

/* PUBSUB queries, one part per owner (worker @owner):
 *   PS_Q_CHANNELS / PS_Q_SHARDCHANNELS: an array of its channels matching
 *   argv[0] (argc 0: all); PS_Q_NUMSUB / PS_Q_SHARDNUMSUB: an array of one
 *   integer per channel of argv (0 for those it does not own).
 * true: written to @now (owner on worker @w); false: comes to @ack. */
enum { PS_Q_CHANNELS, PS_Q_SHARDCHANNELS, PS_Q_NUMSUB, PS_Q_SHARDNUMSUB };
typedef struct ps_arg { const char *ptr; size_t len; } ps_arg_t;
bool pubsub_query(int w, int owner, int what, int argc, const ps_arg_t *argv,
		  const ps_ack_t *ack, reply_t *now);
/* PUBSUB NUMPAT, answered by worker @w's copy of the patterns. */
long long pubsub_numpat(int w);

/* INFO (any thread): channels and shard channels with subscribers, and
 * distinct patterns. */
long long pubsub_stat_channels(void);
long long pubsub_stat_shard_channels(void);
long long pubsub_stat_patterns(void);

#endif
