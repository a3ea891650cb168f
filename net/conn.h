/*
 * conn.h - the connection actor's state, shared by the files that make it
 * up: conn.c (socket I/O and lifetime), dispatch.c (routing commands to
 * shards, batching, write order), merge.c (gathering fanned-out replies)
 * and srvcmd.c (commands the connection answers itself).
 *
 * Everything here is touched only by the connection's worker thread.
 */
#ifndef FLASHKV_CONN_H
#define FLASHKV_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "resp.h"
#include "server.h"

/* How the parts of a fanned-out command become one reply. */
enum merge_kind {
	MERGE_ONE,       /* a single part: its reply as is */
	MERGE_SUM,       /* integers added (DEL, EXISTS, DBSIZE...) */
	MERGE_OK,        /* +OK unless a part failed (MSET, FLUSHALL) */
	MERGE_CONCAT,    /* arrays concatenated (KEYS) */
	MERGE_BYKEY,     /* elements put back in key order (MGET) */
	MERGE_ANY,       /* first non-null reply (RANDOMKEY) */
	MERGE_INFO,      /* shard statistics folded into INFO */
	MERGE_TRUE,      /* :1 unless a part failed (MSETNX across shards) */
	MERGE_SCAN,      /* one shard's SCAN page, cursor made global */
	MERGE_CLIENTS,   /* CLIENT LIST: every worker's lines, concatenated */
	MERGE_KILL_OLD,  /* CLIENT KILL addr: +OK if any was killed */
};

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
	void *extra;           /* MERGE_INFO: the INFO section argument */
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

	bool closing;             /* close once the output is written */
	bool peer_gone;           /* socket error: close without writing */
	bool read_eof;            /* peer half-closed: answer what came, close */
	bool closed;
	bool draining;            /* server shutdown: no new commands */
	struct conn *next, *prev; /* the worker's connection list */
} conn_t;

/* conn.c */
conn_t *conn_first(int worker);     /* the worker's connection list */
void conn_kick(conn_t *c);          /* parse, dispatch and write what we can */
size_t conn_unsent(const conn_t *c);
/* The worker's scratch reply buffer, emptied: for a reply that is used
 * (copied) before the next call on that worker. */
reply_t *conn_scratch(int worker, int proto);
void conn_list_fill(int worker, reply_t *r, const conn_t *only);
/* CLIENT LIST: a request whose parts are every worker's list, gathered
 * through the per-worker agents (MERGE_CLIENTS). */
void conn_list_all(conn_t *c);
/* CLIENT KILL: every worker's agent closes its matching connections; the
 * reply sums them (@merge MERGE_SUM), or is +OK / "No such client"
 * (MERGE_KILL_OLD).  @filter's request fields are filled here. */
void conn_kill_all(conn_t *c, const kill_msg_t *filter, uint8_t merge);

/* dispatch.c */
void dispatch_command(conn_t *c, int argc, const cmd_arg_t *argv);
void dispatch_count_command(conn_t *c);
bool dispatch_retry_stalled(conn_t *c);
void dispatch_flush(conn_t *c);
void dispatch_on_replies(conn_t *c, rep_batch_t *rb);
/* Reply target for a command answered now: the output buffer when nothing
 * is outstanding, else a new done request in order. */
reply_t *dispatch_reply_now(conn_t *c, req_t **req);
void dispatch_finish_now(conn_t *c, req_t *req);
req_t *dispatch_new_req(conn_t *c, uint8_t merge, uint16_t nparts);
void dispatch_to_shard(conn_t *c, req_t *req, int shard, uint16_t part,
		       const cmd_t *cmd, int argc, const cmd_arg_t *argv);
void dispatch_release(conn_t *c);
static inline uint32_t conn_outstanding(const conn_t *c)
{
	return c->tail - c->head;
}

/* prefetch.c: hint the keys of the next CONN_PREFETCH_BATCH buffered
 * commands into the cache. */
#define CONN_PREFETCH_BATCH 32
void conn_prefetch_keys(const conn_t *c);

/* merge.c */
void merge_part(conn_t *c, req_t *req, const rep_entry_t *e, const char *bytes);
void merge_free(req_t *req);

/* srvcmd.c: commands the connection runs itself (PING, INFO, ...). */
typedef void (*srvcmd_proc_t)(conn_t *c, int argc, const cmd_arg_t *argv);
const cmd_t *srvcmd_lookup(const char *name, size_t len, srvcmd_proc_t *proc);
size_t srvcmd_count(void);
const cmd_t *srvcmd_at(size_t i);

/* Whether a part for shard @s runs here and now, inline: a shard we hold,
 * or a free one of our worker with nothing of ours in flight to it. */
static inline bool conn_runs_inline(const conn_t *c, int s)
{
	const shard_t *sh = srv.shards[s];
	if (sh->worker == c->worker && shard_is_free(sh) && c->inflight[s] == 0)
		return true; /* the common case first: it is the hot path */
	return c->nheld > 0 && c->held[s];
}
/* txn.c: the hold protocol. */
/* Hold every shard of @want (a [nshards] set).  true: all are held, run
 * the command (the top-level route releases them after it).  false: holds
 * are on their way; route the command again when they are. */
bool txn_hold(conn_t *c, const uint8_t *want);
void txn_on_held(conn_t *c, const hold_msg_t *m);
void txn_release(conn_t *c);

/* multi.c: MULTI, EXEC, DISCARD, WATCH, UNWATCH. */
/* In MULTI, a command that is queued rather than run (false for EXEC,
 * DISCARD, MULTI, WATCH, QUIT, RESET). */
bool multi_queues(const conn_t *c, const cmd_t *cmd);
void multi_queue(conn_t *c, const cmd_t *cmd, int argc, const cmd_arg_t *argv);
/* A command was refused while queueing: EXEC will abort. */
void multi_refused(conn_t *c);
/* Forget the transaction and the watched keys (RESET, closing).  false:
 * holds are on their way; call again. */
bool multi_reset(conn_t *c);
void multi_free(conn_t *c);
void multi_cmd_multi(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_exec(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_discard(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_watch(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_unwatch(conn_t *c, int argc, const cmd_arg_t *argv);
/* route.c: route one command from inside EXEC (all its shards held). */
void route_in_exec(conn_t *c, int argc, const cmd_arg_t *argv);

/* info.c */
void info_build(conn_t *c, req_t *req);
extern const cmd_t info_shard_cmd;

#endif
