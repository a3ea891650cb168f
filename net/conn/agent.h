/*
 * agent.h - the per-worker agent actor: it reaches every connection of
 * its worker for what concerns them all (CLIENT LIST and KILL, new
 * settings, idle timeouts, shutdown).  The functions below may be called
 * by a connection (any worker) or, for conn_config_sync, by CONFIG SET.
 */
#ifndef FLASHKV_NET_AGENT_H
#define FLASHKV_NET_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"

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
	uint8_t unblock;        /* CLIENT UNBLOCK: 0 (KILL), UNBLOCK_TIMEOUT or
				 * UNBLOCK_ERROR: end the wait of client `id` */
} kill_msg_t;
enum { UNBLOCK_TIMEOUT = 1, UNBLOCK_ERROR = 2 };

/* MSG_CONFIG_SYNC: new settings were published; once the agent has
 * applied them, it calls synced(arg) (if not NULL). */
typedef struct config_sync_msg {
	act_msg_t hdr;
	void (*synced)(void *arg);
	void *arg;
} config_sync_msg_t;

/* CLIENT LIST lines of worker @w's connections (or just @only). */
void conn_list_fill(int worker, reply_t *r, const conn_t *only);
/* CLIENT LIST: a request whose parts are every worker's list, gathered
 * through the per-worker agents (MERGE_CLIENTS). */
void conn_list_all(conn_t *c);
/* CLIENT KILL: every worker's agent closes its matching connections; the
 * reply sums them (@merge MERGE_SUM), or is +OK / "No such client"
 * (MERGE_KILL_OLD).  @filter's request fields are filled here. */
void conn_kill_all(conn_t *c, const kill_msg_t *filter, uint8_t merge);
/* CONFIG SET published new settings: every worker's agent applies them to
 * its connections (limits, idle check), then calls @synced(@arg) (if not
 * NULL): the caller counts the calls to know every worker has moved on. */
void conn_config_sync(void (*synced)(void *arg), void *arg);

#endif
