/*
 * waiter.h - a client waiting on keys (BLPOP, BLMOVE, BZPOPMIN...), on the
 * shards' side: its registrations in the keyspaces' tables of waited-on
 * keys (store/db/block.h), and how a shard serves the waiters of a key
 * that received data.
 *
 * The connection makes a waiter when a blocking command found nothing,
 * holding every shard of the command (net/conn/blocking.c), and registers
 * it there; from then on:
 *  - a waiter whose keys (and BLMOVE's destination) all live on one shard
 *    ("single") is served by that shard alone, right after the command or
 *    hold that fed one of its keys: the shard runs the command for it with
 *    ctx.ready_key, unregisters it and sends the reply (MSG_SERVED);
 *  - a waiter over several shards is told (MSG_WAKE, once per wake), and
 *    the key's later waiters wait for it: the connection takes its shards,
 *    tries, and either is served or clears the wake (waiter_rearm).
 * Waiters of a key are served in arrival order; one whose type does not
 * match the key's value (BLPOP on a key that became a sorted set) is
 * passed over and keeps waiting, as in Redis.
 *
 * Ownership and threads: the connection owns the waiter and frees it.
 * Its fields are written before it is registered and only read after
 * (the hold hand-over orders that), except `served`, written by the
 * single shard that serves it before it sends MSG_SERVED.  Registrations
 * are shard data: touched by the shard, or by a connection holding it.
 */
#ifndef FLASHKV_NET_WAITER_H
#define FLASHKV_NET_WAITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flashkv/act.h>

#include "shard.h"
#include "store/db/block.h"

typedef struct waiter_reg {
	int shard;
	block_reg_t *reg;
} waiter_reg_t;

typedef struct waiter {
	act_actor_t *conn_actor;   /* where MSG_SERVED / MSG_WAKE go */
	void *conn;
	const cmd_t *cmd;
	int db, proto;
	int argc;
	cmd_arg_t *argv;           /* copies, in `bytes` */
	char *bytes;
	int *shard_of_arg;         /* [argc] */
	unsigned want_type;        /* OBJ_LIST or OBJ_ZSET */
	bool single;               /* served by shard_of_arg[0] alone */
	bool served;               /* by that shard: MSG_SERVED is on its way */
	int nregs;
	waiter_reg_t *regs;
} waiter_t;

/* MSG_SERVED: shard -> conn, the waiter's reply. */
typedef struct served_msg {
	act_msg_t hdr;
	waiter_t *w;
	uint32_t len;
	char bytes[];
} served_msg_t;

/* MSG_WAKE: shard -> conn, key has data for a waiter over shards. */
typedef struct wake_msg {
	act_msg_t hdr;
	waiter_t *w;
	uint32_t klen;
	char key[];
} wake_msg_t;

/* A waiter for the command in argv (copied), whose keys live on
 * shard_of_arg[] (copied; as route_key_shards fills it).  NULL on ENOMEM.
 * Registers nothing yet. */
waiter_t *waiter_new(act_actor_t *conn_actor, void *conn, const cmd_t *cmd,
		     int db, int proto, int argc, const cmd_arg_t *argv,
		     const int *shard_of_arg);
void waiter_free(waiter_t *w);

/* With every shard of w held (or on their threads): register w on each
 * of its keys, once per distinct key.  0, or -ENOMEM with nothing left
 * registered. */
int waiter_register(waiter_t *w);
/* The same: remove every registration of w. */
void waiter_unregister(waiter_t *w);
/* The same: w was woken and was not served: let the keys' later waiters
 * have their turn (each woken key becomes ready again). */
void waiter_rearm(waiter_t *w);

/* Run w's command for it now, on the held shards (ready: the key that
 * received data, or NULL to try its keys in order), with may_block: the
 * reply goes to out; nothing written means nothing to take yet. */
void waiter_try(waiter_t *w, const cmd_arg_t *ready, reply_t *out);

/* On a free shard, on its thread: serve the waiters of the keys that
 * received data since (see above).  Cheap when nobody waits here. */
void shard_serve_waiters(shard_t *sh);

#endif
