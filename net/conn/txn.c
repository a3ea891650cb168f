/*
 * txn.c - the hold protocol: how a connection runs one command over several
 * shards so that no other client sees it half done (MSET, MGET, RENAME,
 * MULTI/EXEC... across shards), with no lock on the data and no deadlock.
 *
 *   conn                       shard s (ascending order, one at a time)
 *    |--- MSG_HOLD ------------->|  free: held_by = conn, answer at once;
 *    |<-- MSG_HELD --------------|  held: keep the hold in line (FIFO)
 *    |   ... every shard held: run the command on their data ...
 *    |--- MSG_RELEASE ---------->|  held_by = NULL, serve what was kept
 *
 * While a shard is held its data belongs to the holder, which runs the
 * command on it from the holder's own thread, as if the shard were local;
 * the shard keeps every other batch and hold for later and skips expiry.
 * The hand-over is the message itself: the mailbox's enqueue and dequeue
 * order the shard's writes before the holder's reads, and the holder's
 * writes before the shard's next ones.  A shard of the connection's own
 * worker is taken and given back directly when it is free (no message),
 * so on one worker a command over several shards costs no message at all.
 *
 * Why no deadlock: a connection takes shards in ascending index order and
 * asks for one at a time, so if T waits for shard s held by U, U holds s
 * and waits (if at all) only for a shard above s.  A cycle of waits would
 * need shard indexes rising all the way round it: impossible.  A holder
 * that has all its shards waits for nothing: it runs the command to the
 * end in one turn and releases.  Shards grant holds in arrival order, so
 * every hold is granted after finitely many others.  docs/atomicity.md has
 * the longer argument.
 *
 * Order with the connection's own commands: before its first hold it
 * sends out every batch it has queued, so its earlier commands on a shard
 * run before the hold is granted (one sender's messages stay in order);
 * a local shard is taken directly only with none of its commands in
 * flight there.
 */
#include <stdlib.h>
#include <string.h>

#include "txn.h"
#include "dispatch.h"
#include "net/core/log.h"
#include "net/shard/waiter.h"

static void send_to_shard(shard_t *sh, uint32_t type, conn_t *c)
{
	hold_msg_t *m = (hold_msg_t *)act_msg_new(sizeof(*m), type);
	if (!m) {
		log_warning("out of memory sending a hold message");
		abort(); /* a shard left held would stall every client */
	}
	m->reply_to = c->self;
	m->conn = c;
	m->shard = sh->index;
	act_send(sh->actor, &m->hdr);
}

static void take(conn_t *c, int s)
{
	c->held[s] = 1;
	c->nheld++;
}

/* Take the wanted shards from acquire_next up, directly while they are
 * local and free; stop at the first that needs a message. */
static void acquire(conn_t *c)
{
	for (; c->acquire_next < srv.nshards; c->acquire_next++) {
		int s = c->acquire_next;
		if (!c->want[s] || c->held[s])
			continue;
		shard_t *sh = srv.shards[s];
		if (sh->worker == c->worker && shard_is_free(sh) &&
		    c->inflight[s] == 0) {
			sh->held_by = c;
			take(c, s);
			continue;
		}
		send_to_shard(sh, MSG_HOLD, c);
		c->acquiring = true;
		return;
	}
	c->acquiring = false;
}

bool txn_hold(conn_t *c, const uint8_t *want)
{
	bool all = true;
	for (int s = 0; s < srv.nshards && all; s++)
		all = !want[s] || c->held[s];
	if (all)
		return true;
	if (c->acquiring)
		return false;
	if (c->nheld > 0) {
		/* Taking more while holding could break the ascending order:
		 * every route under one hold needs only what it holds. */
		log_warning("hold protocol misuse: more shards while holding");
		abort();
	}
	if (want != c->want)
		memcpy(c->want, want, (size_t)srv.nshards);
	c->acquire_next = 0;
	dispatch_flush(c); /* our earlier commands reach each shard first */
	acquire(c);
	return !c->acquiring;
}

void txn_on_held(conn_t *c, const hold_msg_t *m)
{
	take(c, m->shard);
	c->acquire_next = m->shard + 1;
	acquire(c);
}

void txn_release(conn_t *c)
{
	if (c->nheld == 0)
		return;
	for (int s = 0; s < srv.nshards; s++) {
		if (!c->held[s])
			continue;
		c->held[s] = 0;
		shard_t *sh = srv.shards[s];
		if (sh->worker != c->worker) {
			send_to_shard(sh, MSG_RELEASE, c);
			continue;
		}
		sh->held_by = NULL; /* our own worker's shard: directly */
		shard_serve_waiters(sh); /* what we fed its waiters */
		if (sh->defer_len > 0)
			send_to_shard(sh, MSG_RESUME, c);
	}
	c->nheld = 0;
}
