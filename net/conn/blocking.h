/*
 * blocking.h - a connection waiting on keys (BLPOP, BLMOVE, BZPOPMIN...):
 * from the command that found nothing to the reply that ends the wait.
 *
 *   try: hold every shard of the command, run it (ctx.may_block): a reply
 *        ends it; nothing means wait: register a waiter on its keys
 *        (net/shard/waiter.h) while still holding, so no push can slip in
 *        between, start the timeout, stop parsing the client's commands;
 *   served: MSG_SERVED from the shard that served it alone, or, for a
 *        waiter over several shards, MSG_WAKE: hold its shards, try with
 *        the key that received data; served, or back to waiting;
 *   ended otherwise: timeout, CLIENT UNBLOCK, the client leaving: hold its
 *        shards, unregister (unless a shard served it meanwhile: then its
 *        reply, already on its way, wins), answer as Redis does.
 * Holds are taken in the order of the hold protocol (txn.c), so a waiter
 * deadlocks nobody.  While the connection waits it takes no command, as
 * in Redis, but still reads, to see the client leave.
 *
 * Concurrency: the connection's worker only.
 */
#ifndef FLASHKV_NET_BLOCKING_H
#define FLASHKV_NET_BLOCKING_H

#include <stdbool.h>

#include "conn.h"

/* How a wait ends when it is not served. */
enum block_end {
	BLOCK_TIMEOUT = 1,  /* the command's timeout: its null reply */
	BLOCK_UNBLOCK_ERR,  /* CLIENT UNBLOCK ... ERROR */
	BLOCK_CLOSE,        /* the client is leaving: no reply */
};

/* MSG_UNBLOCK: agent -> conn, CLIENT UNBLOCK (TIMEOUT or ERROR). */
typedef struct unblock_msg {
	act_msg_t hdr;
	bool error;
} unblock_msg_t;

/* Route a blocking command (CMD_BLOCKING, outside EXEC) whose keys live
 * on shard_of_arg[].  false: it must wait for holds (route again). */
bool blocking_route(conn_t *c, const cmd_t *cmd, int argc, const cmd_arg_t *argv,
		    const int *shard_of_arg);
/* MSG_SERVED, MSG_WAKE, the timeout's timer (ACT_MSG_TIMER: the only
 * timer of a connection), MSG_UNBLOCK. */
void blocking_receive(conn_t *c, const act_msg_t *m);
/* End the wait (if any) as @how says; true when it has ended (or there
 * was none), false while holds are on their way. */
bool blocking_end(conn_t *c, enum block_end how);
/* Holds asked for by this module have arrived: carry on.  false if the
 * connection has no such business. */
bool blocking_on_held(conn_t *c);

#endif
