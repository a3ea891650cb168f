/*
 * server.h - the server-wide state every actor may read: the settings in
 * force, the shards and their slots, the workers' counters, clocks.  This
 * is the one header through which the shard actors and the connection
 * pipeline reach the server as a whole; what each actor does is in its
 * own folder (shard/, conn/, server/).
 *
 * Actors: one acceptor (listening sockets), one connection actor per client
 * (on the worker that owns its socket), shard actors (each owns a slice of
 * the keyspace exclusively) and one sweeper (ticks the shards `hz` times a
 * second).  `srv` (server.c) is written by main() before the workers start
 * and is read-only afterwards, except the counters, which are atomics, and
 * `live`, the settings in force, which CONFIG SET replaces
 * (server/cfglive.c): actors read them through server_cfg(), main() reads
 * srv.cfg.
 */
#ifndef FLASHKV_SERVER_H
#define FLASHKV_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <ck_pr.h>
#include <flashkv/act.h>

#include "net/config/config.h"
#include "store/cmd/cmd.h"

#define SERVER_SLOTS 16384
#define SERVER_MAX_SHARDS 256

typedef struct shard shard_t; /* net/shard/shard.h */

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
	act_actor_t *saver;                /* net/persist/saver.c */
	worker_stats_t *wstats;            /* [nworkers] */
	uint64_t start_ms;                 /* unix ms at start */
	uint64_t start_mono_ns;
	uint64_t start_ticks;
	char run_id[41];
	char executable[1024];
	char config_file[1024];

	/* atomics */
	int connected_clients;
	int blocked_clients;       /* waiting in a blocking command */
	uint64_t total_connections;
	uint64_t rejected_connections;
	uint64_t next_client_id;
	int shutdown_save;         /* enum server_shutdown_save */
	int loading;               /* the RDB file is being loaded: -LOADING */
	int loads_pending;         /* shards yet to confirm their last load batch */
	int load_failed;           /* a shard refused a loaded key (duplicate, OOM) */
} server_t;

extern server_t srv;

/* What the shutdown saves (srv.shutdown_save): SIGTERM/SIGINT save when
 * there are save points; SHUTDOWN says it saved or must not. */
enum server_shutdown_save {
	SHUTDOWN_SAVE_POINTS = 0,   /* save if save points are configured */
	SHUTDOWN_SAVED = 1,         /* saved: again only what changed since */
	SHUTDOWN_NO_SAVE = 2,       /* NOSAVE, FORCE after a failure, no points */
};

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
/* The two command tables whose rows server_count_call counts (the store's
 * and the connection's), in the order of worker_stats_t.cmdstats; set
 * before the workers start. */
void server_count_tables(const cmd_t *store, size_t nstore, const cmd_t *conn,
			 size_t nconn);

static inline size_t server_pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}


static inline int server_key_shard(const char *key, size_t len)
{
	extern uint16_t slot_of_key(const char *key, size_t len);
	if (srv.nshards == 1)
		return 0; /* the CRC costs 6% of a pipelined GET: skip it */
	return srv.slot_shard[slot_of_key(key, len)];
}

#endif
