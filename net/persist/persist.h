/*
 * persist.h - RDB snapshots for the server: the state INFO persistence
 * reports, the save points, and the file itself (rdb_file.c: written to a
 * temporary name, fsynced, renamed over `dbfilename` in `dir`; read at
 * start).  The bytes are store/persist's; this folder owns files and
 * threads.
 *
 * Who saves: whoever owns every shard's data for the time of the save:
 * SAVE and SHUTDOWN hold all shards from their connection (the hold
 * protocol, docs/atomicity.md); BGSAVE and the save points ask the saver
 * actor (saver.c), which takes the same holds; main saves on SIGTERM
 * after the workers have stopped.  So a snapshot is one consistent cut
 * and two saves never overlap.  The snapshot is written while the shards
 * wait (they keep their clients' requests queued): BGSAVE is background
 * for the client that asks, not yet for the others.
 *
 * Concurrency: the state is atomics, read by INFO and LASTSAVE from any
 * worker; it is written only by the one that owns all shards.
 */
#ifndef FLASHKV_NET_PERSIST_H
#define FLASHKV_NET_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/base/reply.h"

/* Save every shard's databases to `dbfilename` now.  The caller owns all
 * shards' data (holds them all, or the workers are stopped).  0, or -1
 * with the reason logged and in err. */
int persist_save(char *err, size_t errlen);

/* Load `dbfilename` if it exists, on main's thread, while the workers
 * run and answer -LOADING (srv.loading set by the caller).  0 (also when
 * there is no file), or -1 with err naming the file and the byte where
 * reading stopped: the server must not start on a partial dataset. */
int persist_load(char *err, size_t errlen);

/* Changes of keys since the last successful save (INFO's
 * rdb_changes_since_last_save; the save points compare it). */
uint64_t persist_changes(void);
/* Unix seconds of the last successful save (LASTSAVE), or of the start. */
int64_t persist_lastsave(void);
/* Whether a background save is on its way (asked for, holding, writing). */
bool persist_bgsave_running(void);
/* Whether the last background save wrote its file (rdb_last_bgsave_status). */
bool persist_last_bgsave_ok(void);
/* Whether a save point is due now (Redis's serverCron rule). */
bool persist_save_point_due(int64_t now_s);
/* MISCONF: the last background save failed, stop-writes-on-bgsave-error
 * is on and there are save points: writes are refused. */
bool persist_refuses_writes(void);

/* BGSAVE: ask the saver for a snapshot.  0: started; -EBUSY: one is
 * already running (with schedule, one more is then queued: 1). */
int persist_bgsave(bool schedule);

/* FLUSHALL with save points, holding every shard just after the flush:
 * a background save in progress is cancelled (its cut predates the
 * flush) and the emptied dataset saved now, as Redis. */
void persist_after_flushall(void);

/* Shutdown: a background save in progress finishes without writing
 * its file (main then waits for persist_bgsave_running to clear). */
void persist_abort_bgsave(void);

/* INFO's "# Persistence" section. */
void persist_info(reply_t *out);

/* The saver actor (saver.c): BGSAVE and the save points.  Started with
 * the other actors; NULL on ENOMEM. */
struct act_actor;
struct act_actor *saver_start(void);

/* Inside net/persist: mark a background save begun / ended (ok: it wrote
 * the file), take a scheduled one; record a good save (dirty_at_cut: the
 * change counter when its data was taken) or a load; the change counter
 * and the memory of every shard (read by their owner). */
void persist__bgsave_begin(void);
void persist__bgsave_end(bool ok, int64_t started_ms);
/* Whether the running background save was cancelled (it then drops its
 * file without counting as a failure); cleared when the next begins. */
bool persist__bgsave_cancelled(void);
bool persist__take_scheduled(void);
bool persist__aborting(void);
void persist__saved(uint64_t dirty_at_cut);
void persist__loaded(uint64_t loaded, uint64_t expired);
uint64_t persist__dirty_total(void);
size_t persist__used_mem(void);
/* Loading's progress, for INFO: the file's size, the used-mem it
 * recorded, keys read so far of those its RESIZEDBs announced. */
void persist__loading_begin(uint64_t total_bytes);
void persist__loading_used_mem(uint64_t bytes);
void persist__loading_progress(uint64_t keys_done, uint64_t keys_total);

#endif
