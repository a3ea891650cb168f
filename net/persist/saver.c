/*
 * saver.c - the saver actor: BGSAVE and the save points, as a snapshot
 * taken without fork while every shard keeps serving.
 *
 *   1. The cut.  Ten times a second the saver checks the save points
 *      (Redis's serverCron rule); when one is due, or BGSAVE asks, it
 *      holds every shard in ascending order, like a connection running a
 *      command over all of them (the hold protocol: no deadlock with the
 *      connections, docs/atomicity.md).  Holding them all, it starts a
 *      point-in-time snapshot of every database (shard_snap_begin: an
 *      epoch flip, no copy), notes the change counter, opens the file
 *      (writer.c) and gives the shards back at once.
 *   2. The walk.  It asks each shard for chunks of records (MSG_SNAP_PULL);
 *      a shard answers between its clients' commands, and encodes a key's
 *      old value first if a client changes it before the walk gets there
 *      (store/db/ks_snap.h).  Chunks go to the writer thread in arrival
 *      order (RDB lets SELECTDB repeat, so shards' chunks interleave); at
 *      most SNAP_QUEUE_MAX bytes wait for the disk, beyond which the saver
 *      stops pulling until the writer catches up.
 *   3. The end.  Once every shard is done, the writer writes EOF and the
 *      CRC, fsyncs and renames; the saver records the outcome.
 */
#include <stdlib.h>
#include <string.h>

#include "persist.h"
#include "rdb_file.h"
#include "writer.h"
#include "net/core/log.h"
#include "net/core/msg.h"
#include "net/core/server.h"
#include "net/shard/shard.h"

#define CHECK_NS 100000000ull           /* save points checked every 100 ms */
#define SNAP_QUEUE_MAX (8u << 20)       /* bytes waiting for the writer */

typedef struct saver {
	act_actor_t *self;
	act_timer_t *timer;
	int next;               /* the shard to hold next */
	bool holding;           /* step 1 */
	bool walking;           /* steps 2 and 3 */
	int64_t started_ms;
	uint64_t dirty_at_cut;
	uint64_t keys;
	bool failed;
	int shards_left;
	size_t queued;
	writer_t *w;
	uint8_t starved[SERVER_MAX_SHARDS]; /* a pull held back by the queue */
} saver_t;

static void send_to_shard(saver_t *sv, int s, uint32_t type)
{
	hold_msg_t *m = (hold_msg_t *)act_msg_new(sizeof(*m), type);
	if (!m) {
		log_warning("out of memory messaging a shard");
		abort(); /* a shard left held would stall every client */
	}
	m->reply_to = sv->self;
	m->conn = sv;
	m->shard = s;
	act_send(srv.shards[s]->actor, &m->hdr);
}

static void begin(saver_t *sv)
{
	persist__bgsave_begin();
	sv->started_ms = server_mstime();
	sv->holding = true;
	sv->next = 0;
	log_notice("Background saving started");
	send_to_shard(sv, 0, MSG_HOLD);
}

static void end(saver_t *sv, bool ok)
{
	bool cancelled = persist__bgsave_cancelled();
	persist__bgsave_end(ok, sv->started_ms);
	if (cancelled) {
		log_notice("Background saving cancelled (FLUSHALL saved after it)");
	} else if (ok) {
		persist__saved(sv->dirty_at_cut);
		log_notice("DB saved on disk (%llu keys, %lld ms)",
			   (unsigned long long)sv->keys,
			   (long long)(server_mstime() - sv->started_ms));
		log_notice("Background saving terminated with success");
	} else {
		log_warning("Background saving error");
	}
	if (persist__take_scheduled())
		begin(sv);
}

/* Step 1, every shard held: the cut. */
static void cut(saver_t *sv)
{
	const config_t *cfg = server_cfg();
	char err[512];
	rdb_buf_t header = { 0 };
	server_clock_refresh();
	sv->dirty_at_cut = persist__dirty_total();
	if (rdbf_header(&header, persist__used_mem()) == 0) {
		sv->w = writer_start(sv->self, header, err, sizeof(err));
		header = (rdb_buf_t){ 0 }; /* the writer's now, in every case */
	}
	if (sv->w)
		for (int s = 0; s < srv.nshards; s++)
			shard_snap_begin(srv.shards[s], sv->self,
					 cfg->store.rdbcompression);
	for (int s = 0; s < srv.nshards; s++)
		send_to_shard(sv, s, MSG_RELEASE);
	sv->holding = false;
	rdb_buf_free(&header);
	if (!sv->w) {
		end(sv, false);
		return;
	}
	sv->walking = true;
	sv->keys = 0;
	sv->failed = false;
	sv->queued = 0;
	sv->shards_left = srv.nshards;
	memset(sv->starved, 0, sizeof(sv->starved));
	/* Behind the release in each mailbox: served once the shard is free. */
	for (int s = 0; s < srv.nshards; s++)
		send_to_shard(sv, s, MSG_SNAP_PULL);
}

static void on_chunk(saver_t *sv, snap_chunk_msg_t *m)
{
	sv->keys += m->keys;
	sv->failed |= m->failed;
	sv->queued += m->buf.len;
	writer_put(sv->w, m->buf);
	m->buf = (rdb_buf_t){ 0 };
	if (m->done) {
		if (--sv->shards_left == 0) {
			const config_t *cfg = server_cfg();
			writer_finish(sv->w, cfg->dbfilename, cfg->rdbchecksum,
				      sv->failed || persist__aborting() ||
				      persist__bgsave_cancelled());
		}
	} else if (sv->queued < SNAP_QUEUE_MAX) {
		send_to_shard(sv, m->shard, MSG_SNAP_PULL);
	} else {
		sv->starved[m->shard] = 1;
	}
}

static void on_written(saver_t *sv, const snap_written_msg_t *m)
{
	sv->queued -= m->bytes;
	for (int s = 0; s < srv.nshards && sv->queued < SNAP_QUEUE_MAX; s++)
		if (sv->starved[s]) {
			sv->starved[s] = 0;
			send_to_shard(sv, s, MSG_SNAP_PULL);
		}
	if (!m->final)
		return;
	writer_join(sv->w);
	sv->w = NULL;
	sv->walking = false;
	end(sv, m->ok);
}

static void saver_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	saver_t *sv = state;
	(void)self;
	server_clock_refresh();
	switch (msg->type) {
	case MSG_BGSAVE:
		if (!sv->holding && !sv->walking)
			begin(sv);
		break;
	case MSG_HELD:
		if (++sv->next < srv.nshards)
			send_to_shard(sv, sv->next, MSG_HOLD);
		else
			cut(sv);
		break;
	case MSG_SNAP_CHUNK:
		on_chunk(sv, (snap_chunk_msg_t *)msg);
		break;
	case MSG_SNAP_WRITTEN:
		on_written(sv, (snap_written_msg_t *)msg);
		break;
	case ACT_MSG_TIMER:
		/* Taken like BGSAVE, so SAVE and BGSAVE see it running; the
		 * MSG_BGSAVE it sends us starts it. */
		if (!sv->holding && !sv->walking && !ck_pr_load_int(&srv.loading) &&
		    persist_save_point_due(server_mstime() / 1000))
			(void)persist_bgsave(false);
		break;
	}
}

static void saver_on_start(act_actor_t *self, void *state)
{
	saver_t *sv = state;
	sv->self = self;
	if (act_timer_start(self, CHECK_NS, CHECK_NS, 0, &sv->timer) < 0)
		log_warning("Cannot start the save points timer");
}

static void saver_on_stop(act_actor_t *self, void *state)
{
	saver_t *sv = state;
	/* Stopped mid-snapshot (shutdown): the writer thread waits for more;
	 * tell it to drop the file, then reap it. */
	if (sv->w) {
		writer_finish(sv->w, "", false, true);
		writer_join(sv->w);
	}
	free(state);
	(void)self;
}

static const act_behaviour_t saver_behaviour = {
	.name = "saver",
	.on_start = saver_on_start,
	.receive = saver_receive,
	.on_stop = saver_on_stop,
};

act_actor_t *saver_start(void)
{
	saver_t *sv = calloc(1, sizeof(*sv));
	if (!sv)
		return NULL;
	act_actor_t *a = act_spawn(srv.sys, &saver_behaviour, sv, -1);
	if (!a)
		free(sv);
	return a;
}
