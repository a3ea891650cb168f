/*
 * shard_snap.c - a shard's part of a background snapshot (net/persist/
 * saver.c runs the whole).  At the cut, taken while the saver holds every
 * shard, each database gets a point-in-time snapshot (store/db/ks_snap.h)
 * whose keys are encoded here as RDB records (store/persist/rdb.h).  Then
 * the shard serves its clients as usual, and each MSG_SNAP_PULL from the
 * saver walks its tables a little further: up to SNAP_CHUNK bytes of records
 * or SNAP_STEP_NS of work per pull, sent back in one MSG_SNAP_CHUNK, so a
 * snapshot costs the shard's clients short steps, never a long pause.  A write to a key
 * not yet walked first encodes the key's old value (cmd_snap.c), into the
 * same buffer, which goes out with the next chunk.
 *
 * Records carry their database: a chunk starts with SELECTDB and has
 * another wherever the database changes (RDB allows SELECTDB again).
 */
#include <stdlib.h>

#include "shard.h"
#include "net/core/log.h"
#include "store/db/ks_snap.h"

/* A pull stops at this many bytes of records or this much time, so a
 * snapshot costs the shard's clients (and the sockets of its worker)
 * steps of at most about 50 us. */
#define SNAP_CHUNK (64u << 10)
#define SNAP_STEP_NS 50000u
/* Buckets walked between checks of the chunk's size. */
#define SNAP_STEP 16

static int db_of(const shard_t *sh, const ks_t *ks)
{
	for (int d = 0; d < sh->ndbs; d++)
		if (sh->dbs[d] == ks)
			return d;
	return 0;
}

static void put_record(void *arg, ks_t *ks, const entry_t *e, int64_t expire_ms)
{
	shard_t *sh = arg;
	shard_snap_t *sn = &sh->snap;
	int d = db_of(sh, ks);
	int rc = 0;
	if (d != sn->out_db) {
		rc = rdb_put_selectdb(&sn->out, d, ks_size(ks), ks_expires(ks));
		sn->out_db = d;
	}
	if (!rc)
		rc = rdb_put_key(&sn->out, e, expire_ms, sn->compress);
	if (rc < 0)
		sn->failed = true; /* the saver drops the file */
	sn->keys++;
}

void shard_snap_begin(shard_t *sh, act_actor_t *saver, bool compress)
{
	shard_snap_t *sn = &sh->snap;
	sn->saver = saver;
	sn->compress = compress;
	sn->failed = false;
	sn->keys = 0;
	sn->out.len = 0;
	sn->out_db = -1;
	sn->walk_db = 0;
	sn->active = true;
	for (int d = 0; d < sh->ndbs; d++)
		ks_snap_begin(sh->dbs[d], put_record, sh);
}

void shard_snap_pull(shard_t *sh)
{
	shard_snap_t *sn = &sh->snap;
	uint64_t until = act_now_ns() + SNAP_STEP_NS;
	while (sn->active && sn->out.len < SNAP_CHUNK && sn->walk_db < sh->ndbs &&
	       act_now_ns() < until) {
		ks_t *ks = sh->dbs[sn->walk_db];
		ks_set_now(ks, server_now_ms());
		if (ks_snap_step(ks, SNAP_STEP))
			sn->walk_db++;
	}
	snap_chunk_msg_t *m = (snap_chunk_msg_t *)act_msg_new(sizeof(*m), MSG_SNAP_CHUNK);
	if (!m) {
		log_warning("out of memory sending a snapshot chunk");
		abort(); /* the saver would wait for it forever */
	}
	m->shard = sh->index;
	m->done = !sn->active || sn->walk_db >= sh->ndbs;
	m->failed = sn->failed;
	m->keys = sn->keys;
	m->buf = sn->out;       /* the records go with the message */
	sn->out = (rdb_buf_t){ 0 };
	sn->out_db = -1;        /* the next chunk starts with SELECTDB */
	sn->keys = 0;
	if (m->done)
		sn->active = false;
	act_send(sn->saver, &m->hdr);
}
