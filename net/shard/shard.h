/*
 * shard.h - the shard actor: it owns one slice of the keyspace (one ks_t
 * per database) and runs the commands sent to it in request batches, in
 * order; it can be held by one connection for a command over several
 * shards (the hold protocol, conn/txn.c), and runs expiry on each tick of
 * the sweeper.  The messages it takes and sends are declared here.
 *
 * Ownership: a batch belongs to the runtime once sent (act.h); the shard
 * copies every reply into its reply batch.  Concurrency: a shard's data is
 * touched only on its worker, or by the connection that holds it.
 */
#ifndef FLASHKV_NET_SHARD_H
#define FLASHKV_NET_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include <flashkv/act.h>

#include "net/core/msg.h"
#include "net/core/server.h"
#include "store/base/reply.h"
#include "store/db/keyspace.h"
#include "store/persist/rdb.h"

/* One command inside a request batch: header, then argc x (u32 len, bytes),
 * each argument padded to 8 bytes. */
typedef struct req_entry {
	uint32_t seq;           /* the conn's request number */
	uint16_t part;          /* which part of a fanned-out command */
	uint16_t db;            /* selected database */
	const cmd_t *cmd;       /* resolved by the conn (table is static) */
	uint32_t argc;
	uint32_t size;          /* bytes of this entry, header included */
	uint32_t proto;         /* RESP version of the conn's replies */
} req_entry_t;

typedef struct req_batch {
	act_msg_t hdr;
	act_actor_t *reply_to;  /* conn actor: alive while it awaits replies */
	void *conn;             /* its state, echoed back */
	uint32_t n;
	uint32_t len;           /* bytes in data */
	char data[];            /* req_entry_t... */
} req_batch_t;

typedef struct rep_entry {
	uint32_t seq;
	uint16_t part;
	uint16_t shard;
	uint32_t len;           /* reply bytes that follow (padded to 8) */
	uint32_t pad;
} rep_entry_t;

typedef struct rep_batch {
	act_msg_t hdr;
	void *conn;
	uint32_t n;
	uint32_t len;
	char data[];            /* rep_entry_t + bytes... */
} rep_batch_t;

/* rep_entry_t.shard of an answer that comes from no shard (a per-worker
 * agent's, a channel owner's): not counted as in flight anywhere. */
#define REP_NO_SHARD UINT16_MAX

/* Send the connection state @conn, at actor @to, a reply batch holding
 * one answer (@bytes) to its request @seq / @part, from no shard.  Out of
 * memory aborts: the connection would wait for it forever. */
void rep_send_one(act_actor_t *to, void *conn, uint32_t seq, uint16_t part,
		  const void *bytes, size_t len);

/* MSG_HOLD and MSG_HELD (see txn.c for the protocol). */
typedef struct hold_msg {
	act_msg_t hdr;
	act_actor_t *reply_to;  /* the conn actor asking */
	void *conn;             /* its state: the holder */
	int shard;
} hold_msg_t;

/* MSG_SNAP_CHUNK: a shard's records for a background snapshot
 * (shard_snap.c), answering the saver's MSG_SNAP_PULL. */
typedef struct snap_chunk_msg {
	act_msg_t hdr;
	int shard;
	bool done;              /* every key of the cut is in this or earlier ones */
	bool failed;            /* out of memory encoding: the snapshot is lost */
	uint64_t keys;          /* records in buf */
	rdb_buf_t buf;          /* the receiver's, to free */
} snap_chunk_msg_t;

/* MSG_LOAD_BATCH: keys loaded from the RDB file at start, for one shard
 * (shard_load.c).  n == 0: the last one; the shard then decrements
 * srv.loads_pending. */
typedef struct load_item {
	entry_t *e;             /* the shard's from now on */
	int64_t expire_ms;      /* -1: none */
	int db;
} load_item_t;

typedef struct load_batch_msg {
	act_msg_t hdr;
	uint32_t n;
	load_item_t items[];
} load_batch_msg_t;

/* A shard's side of a background snapshot, owned like its data. */
typedef struct shard_snap {
	bool active;
	bool compress;
	bool failed;
	int out_db;             /* database of the last record in out, -1: none */
	int walk_db;            /* database being walked */
	uint64_t keys;
	rdb_buf_t out;          /* records not sent yet */
	act_actor_t *saver;
} shard_snap_t;

struct shard {
	int index;
	int worker;
	act_actor_t *actor;
	ks_t **dbs;            /* [cfg.databases] */
	int ndbs;
	reply_t scratch;       /* replies of one batch, before packing */
	/* Hold protocol (txn.c), touched only on this shard's worker: */
	void *held_by;         /* the conn that owns the data now, or NULL */
	act_msg_t **deferred;  /* messages that came while held, in order */
	bool reclaiming;       /* a MSG_RECLAIM to itself is on its way */
	/* Blocked clients (waiter.c): registrations on this shard's keys, and
	 * the buffer a waiter's reply is built in. */
	int nwaiting;
	reply_t serve_out;
	uint32_t defer_head, defer_len, defer_cap;
	/* Changes of keys in all its databases (ks_share_dirty): written by
	 * whoever owns the data, read by any thread (save points, INFO). */
	_Atomic uint64_t dirty;
	shard_snap_t snap;     /* shard_snap.c */
};

/* Whether a conn of this shard's worker may run a command on it now,
 * inline: nobody holds it and nothing waits to run before. */
static inline bool shard_is_free(const shard_t *sh)
{
	return sh->held_by == NULL && sh->defer_len == 0;
}

int shard_create_all(void);
void shard_destroy_all(void);
/* Run one command inline on a shard of the calling worker, or on one the
 * calling conn holds. */
void shard_exec(shard_t *sh, const cmd_t *cmd, int db, int argc,
		const cmd_arg_t *argv, reply_t *out);  /* out->proto is used */
/* The same for a command over keys of several shards, all held by the
 * calling conn: argv[i] (a key) lives on shard shard_of_arg[i] (argc of
 * them; non-key positions name any of the shards); shard_of_arg[0] is the
 * shard of the first key, whose keyspace is the command's own. */
void shard_exec_spanning(const int *shard_of_arg, const cmd_t *cmd, int db,
			 int argc, const cmd_arg_t *argv, reply_t *out);
/* As shard_exec_spanning, for a blocking command that may wait
 * (ctx.may_block: nothing written means nothing to take) or a waiter
 * being served (@ready: the key that received data, else NULL). */
void shard_exec_blocking(const int *shard_of_arg, const cmd_t *cmd, int db,
			 int argc, const cmd_arg_t *argv, const cmd_arg_t *ready,
			 reply_t *out);
/* Background snapshots (shard_snap.c): take the cut of every database
 * (the caller owns the shard's data: it holds it), and, on the shard's
 * worker, answer a pull with the next chunk of records. */
void shard_snap_begin(shard_t *sh, act_actor_t *saver, bool compress);
void shard_snap_pull(shard_t *sh);
/* Link a batch of loaded keys (the shard's worker, the shard free). */
void shard_load_batch(shard_t *sh, load_batch_msg_t *m);
/* First shard living on worker @w, or NULL. */
shard_t *shard_of_worker(int w);

#endif
