/*
 * conn.h - the connection actor: its state, shared by the files of the
 * connection pipeline in this folder (conn.c: socket I/O and lifetime;
 * route.c: where each command goes; dispatch.c: batches to shards and
 * replies in order; merge.c: gathering fanned-out replies; txn.c: holding
 * shards; multi.c: transactions; agent.c: the per-worker agent), and the
 * module's lifetime.  The commands a connection answers itself (PING,
 * CLIENT, INFO...) live above, in net/server/, and reach the pipeline
 * through route.h's table hook.
 *
 * Everything here is touched only by the connection's worker thread.
 */
#ifndef FLASHKV_CONN_H
#define FLASHKV_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "net/core/server.h"
#include "net/proto/resp.h"
#include "net/shard/shard.h"
#include "store/base/reply.h"

/* How the parts of a fanned-out command become one reply. */
enum merge_kind {
	MERGE_ONE,       /* a single part: its reply as is */
	MERGE_SUM,       /* integers added (DEL, EXISTS, DBSIZE...) */
	MERGE_OK,        /* +OK unless a part failed (MSET, FLUSHALL) */
	MERGE_CONCAT,    /* arrays concatenated (KEYS) */
	MERGE_BYKEY,     /* elements put back in key order (MGET) */
	MERGE_ANY,       /* first non-null reply (RANDOMKEY) */
	MERGE_FOLD,      /* every part kept; req->fold makes the reply (INFO) */
	MERGE_TRUE,      /* :1 unless a part failed (MSETNX across shards) */
	MERGE_SCAN,      /* one shard's SCAN page, cursor made global */
	MERGE_CLIENTS,   /* CLIENT LIST: every worker's lines, concatenated */
	MERGE_KILL_OLD,  /* CLIENT KILL addr: +OK if any was killed */
};

struct conn;

/* One request (command) of a connection, waiting for its reply. */
typedef struct req {
	reply_t buf;           /* the finished reply, or gathered parts */
	uint32_t parts_left;
	uint8_t merge;
	bool done;
	bool failed;           /* MERGE_OK/SUM: an error reply is in buf */
	bool is_write;         /* its parts count in pending_writes */
	bool silent;           /* CLIENT REPLY OFF/SKIP: drop the reply */
	uint32_t seq;
	long long acc;         /* MERGE_SUM; MERGE_SCAN: the shard */
	uint16_t nparts;
	uint16_t *key_part;    /* MERGE_BYKEY: part of each key, in order */
	uint32_t nkeys;
	reply_t *parts;        /* MERGE_BYKEY/CONCAT/INFO: each part's reply */
	void *extra;           /* MERGE_FOLD: fold's argument (freed with req) */
	/* MERGE_FOLD: writes req->buf from req->parts once all are in. */
	void (*fold)(struct conn *c, struct req *req);
} req_t;

/* Commands bound for one remote shard from one read. */
typedef struct outbatch {
	char *buf;
	size_t len, cap;
	uint32_t n;
} outbatch_t;

typedef struct conn {
	act_actor_t *self;
	int fd;
	act_fd_t *watch;
	int worker;
	uint64_t id;
	char peer[64];
	char local[64];
	char name[128];
	uint64_t created_ms;
	uint64_t last_ms;         /* last command, for timeout and CLIENT LIST */
	int db;
	int proto;                /* 2 or 3 */
	bool authed;              /* requirepass satisfied (or none set) */
	bool reply_off;           /* CLIENT REPLY OFF */
	int reply_skip;           /* CLIENT REPLY SKIP: commands to silence */
	bool reply_force;         /* CLIENT REPLY ON: answer even if it was off */
	bool stalled_silent;

	char *qbuf;               /* bytes read, not yet parsed */
	size_t qlen, qcap, qpos;
	bool q_shared;            /* qbuf is the worker's shared read buffer */
	resp_parser_t parser;
	resp_limits_t limits;

	reply_t out;              /* replies to write, in order */
	size_t out_sent;

	req_t *ring;              /* outstanding requests, seq & ring_mask */
	uint32_t ring_mask;
	uint32_t head, tail;      /* seq of the oldest and next request */
	uint32_t reply_avg;       /* moving average of reply bytes (ring) */

	outbatch_t *ob;           /* [nshards] */
	uint32_t *inflight;       /* [nshards] parts sent by message, unanswered */
	uint32_t *pending_writes; /* [nshards] write parts in flight */
	uint32_t pending_writes_total;

	/* Shards taken for the command being routed (txn.c). */
	uint8_t *want, *held;     /* [nshards] sets */
	int nheld;
	int acquire_next;         /* next shard to examine, ascending */
	bool acquiring;           /* a hold is on its way: everything waits */
	bool must_wait;           /* a connection command could not run yet */
	bool in_exec;             /* routing EXEC's commands: nothing blocks */

	/* A blocking command waiting (blocking.c) */
	struct waiter *blk;       /* its waiter, NULL when not waiting */
	uint32_t blk_seq;         /* its request */
	uint8_t blk_action;       /* holds on their way for: 0, wake or end */
	uint8_t blk_end;          /* enum block_end, for an end */
	act_timer_t *blk_timer;   /* its timeout, NULL if none or fired */
	char *wake_key;           /* MSG_WAKE's key, for the try */
	size_t wake_klen;
	const cmd_t *last_cmd;    /* CLIENT LIST's cmd=: the row (subcommand's
				   * for containers), NULL if unknown */

	/* MULTI/EXEC/WATCH (multi.c) */
	bool in_multi;
	bool multi_failed;        /* a command was refused while queueing */
	struct queued_cmd *queued;
	int nqueued, queued_cap;
	struct watched_key *watched;
	int nwatched, watched_cap;

	/* A write that must wait for writes in flight on other shards. */
	cmd_arg_t *stalled_argv;
	int stalled_argc;
	char *stalled_bytes;

	struct ps_client *ps;     /* Pub/Sub, once subscribed (subscribe.c) */
	bool closing;             /* close once the output is written */
	bool peer_gone;           /* socket error: close without writing */
	bool read_eof;            /* peer half-closed: answer what came, close */
	bool closed;
	bool draining;            /* server shutdown: no new commands */
	struct conn *next, *prev; /* the worker's connection list */
} conn_t;

/* MSG_ACCEPTED: acceptor -> new conn actor. */
typedef struct accepted_msg {
	act_msg_t hdr;
	int fd;
	char peer[64];          /* "ip:port" */
	char local[64];
} accepted_msg_t;

/* conn.c */
/* The module's lifetime, from main: init before the shards and the
 * acceptor; start spawns the per-worker agents (agent.c); release after
 * the workers stopped, before the system is destroyed; fini last. */
int conn_module_init(void);
int conn_module_start(void);
void conn_module_release(void);
void conn_module_fini(void);
/* A connection actor on @worker, waiting for its MSG_ACCEPTED. */
act_actor_t *conn_spawn(int worker);
/* Any thread: every connection finishes what is in flight and closes. */
void conn_drain_all(void);
conn_t *conn_first(int worker);     /* the worker's connection list */
void conn_kick(conn_t *c);          /* parse, dispatch and write what we can */
size_t conn_unsent(const conn_t *c);
/* The worker's scratch reply buffer, emptied: for a reply that is used
 * (copied) before the next call on that worker. */
reply_t *conn_scratch(int worker, int proto);

static inline uint32_t conn_outstanding(const conn_t *c)
{
	return c->tail - c->head;
}

/* Whether a part for shard @s runs here and now, inline: a shard we hold,
 * or a free one of our worker with nothing of ours in flight to it. */
static inline bool conn_runs_inline(const conn_t *c, int s)
{
	const shard_t *sh = srv.shards[s];
	if (sh->worker == c->worker && shard_is_free(sh) && c->inflight[s] == 0)
		return true; /* the common case first: it is the hot path */
	return c->nheld > 0 && c->held[s];
}

#endif
