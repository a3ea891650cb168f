/*
 * server.h - the FlashKV server's shared state and the messages its actors
 * exchange.
 *
 * Actors: one acceptor (listening sockets), one connection actor per client
 * (on the worker that owns its socket), shard actors (each owns a slice of
 * the keyspace exclusively) and one sweeper (ticks the shards `hz` times a
 * second).  `srv` is written by main() before the workers start and is
 * read-only afterwards, except the counters, which are atomics, and
 * `live`, the settings in force, which CONFIG SET replaces (cfglive.c):
 * actors read them through server_cfg(), main() reads srv.cfg.
 */
#ifndef FLASHKV_SERVER_H
#define FLASHKV_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <ck_pr.h>
#include <flashkv/act.h>

#include "config.h"
#include "cmd.h"
#include "keyspace.h"
#include "reply.h"

#define SERVER_SLOTS 16384
#define SERVER_MAX_SHARDS 256

typedef struct shard shard_t;

/* Counters kept per worker, written only by that worker (relaxed atomics so
 * INFO may read them from anywhere). */
/* Per command, per worker: INFO commandstats. */
typedef struct cmdstat {
	uint64_t calls, ticks, failed;
} cmdstat_t;

typedef struct worker_stats {
	uint64_t commands;        /* commands executed by shards and conns */
	uint64_t conns_served;    /* connection actors started here */
	uint64_t net_in, net_out; /* bytes */
	uint64_t remote_batches;  /* request batches sent to other workers */
	uint64_t inline_cmds;     /* commands run on the conn's own worker */
	cmdstat_t *cmdstats;      /* [cmd_count() + srvcmd_count()] */
	char pad[8];
} worker_stats_t;

typedef struct server {
	config_t cfg;       /* as started; immutable settings are read here */
	config_t *live;     /* in force: server_cfg(), never directly */
	act_system_t *sys;
	int nworkers;
	int nshards;
	shard_t *shards[SERVER_MAX_SHARDS];
	uint16_t slot_shard[SERVER_SLOTS]; /* slot -> shard index */
	act_actor_t *acceptor;
	act_actor_t *sweeper;
	worker_stats_t *wstats;            /* [nworkers] */
	uint64_t start_ms;                 /* unix ms at start */
	uint64_t start_mono_ns;
	uint64_t start_ticks;
	char run_id[41];
	char executable[1024];
	char config_file[1024];

	/* atomics */
	int connected_clients;
	uint64_t total_connections;
	uint64_t rejected_connections;
	uint64_t next_client_id;
} server_t;

extern server_t srv;

/* The settings in force: an immutable snapshot that CONFIG SET replaces
 * as a whole (cfglive.c).  For actors only (any worker thread), and only
 * within one turn: never keep the pointer across messages, since a
 * replaced snapshot is freed once every worker has begun a new turn. */
static inline const config_t *server_cfg(void)
{
	const config_t *c = ck_pr_load_ptr(&srv.live);
	ck_pr_fence_load_depends();
	return c;
}

/* Unix time in ms (wall clock, as Redis's mstime). */
int64_t server_mstime(void);
/* The same, cached per thread: refreshed once per actor turn that runs
 * commands (server_clock_refresh), as Redis caches it per command batch. */
extern __thread int64_t server_cached_ms;
static inline void server_clock_refresh(void)
{
	server_cached_ms = server_mstime();
}
static inline int64_t server_now_ms(void)
{
	return server_cached_ms;
}
/* Cheap timestamps for INFO commandstats (TSC ticks on x86). */
static inline uint64_t server_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return act_now_ns();
#endif
}
/* Nanoseconds per tick, measured against the monotonic clock since start. */
double server_ns_per_tick(void);

/* The shard that owns @key. */
static inline int server_key_shard(const char *key, size_t len);

/* Count one call of @cmd on the calling worker (INFO commandstats). */
void server_count_call(const cmd_t *cmd, uint64_t ticks, bool failed);

/* ---- messages -------------------------------------------------------- */

enum {
	MSG_REQ_BATCH = 1,  /* conn -> shard: commands to run, in order */
	MSG_REPLY_BATCH,    /* shard -> conn: their replies, in order */
	MSG_ACCEPTED,       /* acceptor -> new conn actor: its socket */
	MSG_TICK,           /* sweeper -> shard: active expiry cycle */
	MSG_SHUTDOWN,       /* main -> per-worker agent -> its conns: drain */
	MSG_CLIENT_LIST,    /* conn -> per-worker agent: list your conns */
	MSG_CLIENT_KILL,    /* conn -> per-worker agent: close matching conns */
	MSG_KILL,           /* agent -> conn: close (after what is in flight) */
	MSG_HOLD,           /* conn -> shard: hold yourself for me (hold_msg_t) */
	MSG_HELD,           /* shard -> conn: held; the data is yours */
	MSG_RELEASE,        /* conn -> shard: take your data back, go on */
	MSG_RESUME,         /* conn -> shard of its worker, released directly:
			     * serve what you kept */
	MSG_CONFIG_SYNC,    /* CONFIG SET -> per-worker agent: new settings */
	MSG_IDLE_CHECK,     /* agent -> conn: close if idle past `timeout` */
	MSG_HZ,             /* CONFIG SET -> sweeper: `hz` changed */
	MSG_LISTENERS,      /* CONFIG SET -> acceptor: new listening sockets */
};

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

typedef struct list_msg {
	act_msg_t hdr;
	act_actor_t *reply_to;
	void *conn;
	uint32_t seq;
	uint16_t part;
} list_msg_t;

/* CLIENT KILL's filters; the agent answers ":<killed>" like a shard. */
typedef struct kill_msg {
	list_msg_t req;         /* reply_to, conn, seq, part */
	uint64_t caller;        /* id of the asking connection */
	uint64_t id;            /* 0: any */
	bool skipme;
	bool none;              /* a USER/TYPE filter nothing matches */
	char addr[64];          /* "" : any */
	char laddr[64];
} kill_msg_t;

/* MSG_HOLD and MSG_HELD (see txn.c for the protocol). */
typedef struct hold_msg {
	act_msg_t hdr;
	act_actor_t *reply_to;  /* the conn actor asking */
	void *conn;             /* its state: the holder */
	int shard;
} hold_msg_t;

/* A settings snapshot replaced by CONFIG SET, freed by the last agent. */
typedef struct cfglive_retired cfglive_retired_t;

typedef struct config_sync_msg {
	act_msg_t hdr;
	cfglive_retired_t *retired;
} config_sync_msg_t;

typedef struct accepted_msg {
	act_msg_t hdr;
	int fd;
	char peer[64];          /* "ip:port" */
	char local[64];
} accepted_msg_t;

static inline size_t server_pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* ---- shard ------------------------------------------------------------- */

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
	uint32_t defer_head, defer_len, defer_cap;
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
/* The same for a command whose second key (argv[2]: RENAME, COPY, LCS)
 * lives on shard @sh2, also held. */
void shard_exec_pair(shard_t *sh, shard_t *sh2, const cmd_t *cmd, int db,
		     int argc, const cmd_arg_t *argv, reply_t *out);
/* First shard living on worker @w, or NULL. */
shard_t *shard_of_worker(int w);

/* ---- conns, acceptor, sweeper ---------------------------------------- */

act_actor_t *acceptor_start(char *err, size_t errlen);
/* CONFIG SET port / bind, with CONFIG SET's lock held: listening sockets
 * for @cfg's port and addresses, opened now (those the acceptor has already
 * are kept, not reopened).  0, or -errno with @err set and nothing changed.
 * Then exactly one of acceptor_commit (the acceptor takes them and closes
 * the ones it no longer needs) or acceptor_abort (closed again). */
typedef struct acceptor_set acceptor_set_t;
int acceptor_prepare(const config_t *cfg, acceptor_set_t **out, char *err,
		     size_t errlen);
void acceptor_commit(acceptor_set_t *set);
void acceptor_abort(acceptor_set_t *set);
act_actor_t *sweeper_start(void);
act_actor_t *conn_spawn(int worker);
int conn_module_init(void);     /* before the shards and the acceptor */
int conn_module_start(void);    /* spawns the per-worker agents */
/* Any thread: every connection finishes what is in flight and closes. */
void conn_drain_all(void);
void conn_module_release(void); /* after shutdown, before destroy */
/* CONFIG SET published new settings: every worker's agent applies them to
 * its connections (limits, idle check), then releases @retired (if not
 * NULL). */
void conn_config_sync(cfglive_retired_t *retired);

/* ---- settings (cfglive.c) ---------------------------------------------- */

/* srv.live from srv.cfg: before the workers start.  0 or -ENOMEM. */
int cfglive_init(void);
/* After the workers have stopped: frees every snapshot. */
void cfglive_fini(void);
/* CONFIG SET name value [name value ...] (argv[0] is CONFIG): +OK or
 * Redis's error in @r.  Any worker. */
void cfglive_config_set(reply_t *r, int argc, const cmd_arg_t *argv);
/* An agent has handled the MSG_CONFIG_SYNC carrying @retired. */
void cfglive_synced(cfglive_retired_t *retired);
/* Redis's adjustOpenFilesLimit: raise RLIMIT_NOFILE for @maxclients
 * (+32 reserved descriptors) as far as the system allows; returns the
 * number of clients the limit allows, at most @maxclients (logs why when
 * less). */
unsigned cfglive_adjust_nofile(unsigned maxclients);
void conn_module_fini(void);

static inline int server_key_shard(const char *key, size_t len)
{
	extern uint16_t slot_of_key(const char *key, size_t len);
	if (srv.nshards == 1)
		return 0; /* the CRC costs 6% of a pipelined GET: skip it */
	return srv.slot_shard[slot_of_key(key, len)];
}

#endif
