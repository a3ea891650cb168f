/*
 * persist.c - the persistence state (what INFO persistence, LASTSAVE and
 * MISCONF read), the save points, and BGSAVE requests to the saver.
 *
 * Every field is an atomic: the writer is whoever owns all shards at the
 * time (one at a time, by the hold protocol), readers are any worker.
 */
#include "persist.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "net/core/log.h"
#include "net/core/msg.h"
#include "net/core/server.h"
#include "net/shard/shard.h"

/* Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed save, the save
 * points wait this long before trying again. */
#define BGSAVE_RETRY_S 5

static struct {
	uint64_t dirty_at_save;     /* dirty_total() at the last good save */
	uint64_t lastsave_s;        /* unix s of the last good save (or start) */
	uint64_t last_try_s;        /* unix s of the last background try */
	uint64_t saves;             /* rdb_saves */
	uint64_t last_bg_ms;        /* duration of the last background save, +1 (0: none) */
	uint64_t bg_start_ms;       /* the running one's start */
	int bg_running;
	int bg_scheduled;
	int bg_failed;              /* rdb_last_bgsave_status:err */
	int aborting;               /* shutting down: drop the file */
	int cancelled;              /* FLUSHALL: the running one drops its file */
	uint64_t load_loaded, load_expired;
	uint64_t load_start_s, load_bytes, load_used_mem, load_done, load_total;
} st;

uint64_t persist__dirty_total(void)
{
	uint64_t n = 0;
	for (int s = 0; s < srv.nshards; s++)
		n += atomic_load_explicit(&srv.shards[s]->dirty, memory_order_relaxed);
	return n;
}

void persist__saved(uint64_t dirty_before)
{
	ck_pr_store_64(&st.dirty_at_save, dirty_before);
	ck_pr_store_64(&st.lastsave_s, (uint64_t)(server_mstime() / 1000));
	ck_pr_store_64(&st.saves, ck_pr_load_64(&st.saves) + 1);
}

void persist__loaded(uint64_t loaded, uint64_t expired)
{
	ck_pr_store_64(&st.load_loaded, loaded);
	ck_pr_store_64(&st.load_expired, expired);
	/* Loading is not a change to save again (Redis resets dirty). */
	ck_pr_store_64(&st.dirty_at_save, persist__dirty_total());
}

void persist__loading_begin(uint64_t total_bytes)
{
	ck_pr_store_64(&st.load_start_s, (uint64_t)(server_mstime() / 1000));
	ck_pr_store_64(&st.load_bytes, total_bytes);
}

void persist__loading_used_mem(uint64_t bytes)
{
	ck_pr_store_64(&st.load_used_mem, bytes);
}

void persist__loading_progress(uint64_t keys_done, uint64_t keys_total)
{
	ck_pr_store_64(&st.load_done, keys_done);
	ck_pr_store_64(&st.load_total, keys_total);
}

/* Redis's loading_* fields, estimated from keys read of those announced. */
static void loading_info(reply_t *t)
{
	uint64_t done = ck_pr_load_64(&st.load_done), total = ck_pr_load_64(&st.load_total);
	uint64_t bytes = ck_pr_load_64(&st.load_bytes), start = ck_pr_load_64(&st.load_start_s);
	double perc = total ? (double)(done < total ? done : total) / (double)total : 0;
	long long elapsed = server_mstime() / 1000 - (long long)start;
	long long eta = perc > 0 ? (long long)((double)elapsed * (1 - perc) / perc) : 1;
	reply_rawf(t, "loading_start_time:%llu\r\nloading_total_bytes:%llu\r\n"
		   "loading_rdb_used_mem:%llu\r\nloading_loaded_bytes:%llu\r\n"
		   "loading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
		   (unsigned long long)start, (unsigned long long)bytes,
		   (unsigned long long)ck_pr_load_64(&st.load_used_mem),
		   (unsigned long long)((double)bytes * perc), perc * 100, eta);
}

uint64_t persist_changes(void)
{
	uint64_t d = persist__dirty_total(), base = ck_pr_load_64(&st.dirty_at_save);
	return d > base ? d - base : 0;
}

int64_t persist_lastsave(void)
{
	uint64_t s = ck_pr_load_64(&st.lastsave_s);
	return (int64_t)(s ? s : srv.start_ms / 1000);
}

bool persist_bgsave_running(void)
{
	return ck_pr_load_int(&st.bg_running) != 0;
}

bool persist_last_bgsave_ok(void)
{
	return !ck_pr_load_int(&st.bg_failed);
}

/* The save points of the settings in force: pairs "secs changes ...". */
bool persist_save_point_due(int64_t now_s)
{
	const char *p = server_cfg()->save;
	uint64_t changes = persist_changes();
	int64_t since = now_s - persist_lastsave();
	bool may_retry = !ck_pr_load_int(&st.bg_failed) ||
		now_s - (int64_t)ck_pr_load_64(&st.last_try_s) > BGSAVE_RETRY_S;
	long long secs, n;
	int used;
	while (sscanf(p, "%lld %lld%n", &secs, &n, &used) == 2) {
		if (changes >= (uint64_t)n && since > secs && may_retry)
			return true;
		p += used;
	}
	return false;
}

bool persist_refuses_writes(void)
{
	if (!ck_pr_load_int(&st.bg_failed))
		return false; /* the common case: one load */
	const config_t *cfg = server_cfg();
	return cfg->stop_writes_on_bgsave_error && cfg->save[0];
}

int persist_bgsave(bool schedule)
{
	if (persist__aborting())
		return -EBUSY;
	if (!ck_pr_cas_int(&st.bg_running, 0, 1)) {
		if (!schedule)
			return -EBUSY;
		ck_pr_store_int(&st.bg_scheduled, 1);
		return 1;
	}
	act_msg_t *m = act_msg_new(sizeof(*m), MSG_BGSAVE);
	if (!m) {
		ck_pr_store_int(&st.bg_running, 0);
		return -ENOMEM;
	}
	act_send(srv.saver, m);
	return 0;
}

void persist_after_flushall(void)
{
	char err[512];
	if (persist_bgsave_running())
		ck_pr_store_int(&st.cancelled, 1);
	(void)persist_save(err, sizeof(err)); /* a failure is logged, as Redis */
}

bool persist__bgsave_cancelled(void)
{
	return ck_pr_load_int(&st.cancelled) != 0;
}

void persist__bgsave_begin(void)
{
	ck_pr_store_int(&st.cancelled, 0);
	ck_pr_store_int(&st.bg_running, 1);
	ck_pr_store_64(&st.bg_start_ms, (uint64_t)server_mstime());
	ck_pr_store_64(&st.last_try_s, (uint64_t)(server_mstime() / 1000));
}

void persist__bgsave_end(bool ok, int64_t started_ms)
{
	int64_t took = server_mstime() - started_ms;
	ck_pr_store_64(&st.last_bg_ms, (uint64_t)(took < 0 ? 0 : took) + 1);
	if (!persist__bgsave_cancelled()) /* Redis: a killed child is no error */
		ck_pr_store_int(&st.bg_failed, !ok);
	ck_pr_store_int(&st.bg_running, 0);
}

void persist_abort_bgsave(void)
{
	ck_pr_store_int(&st.aborting, 1);
	ck_pr_store_int(&st.bg_scheduled, 0);
}

bool persist__aborting(void)
{
	return ck_pr_load_int(&st.aborting) != 0;
}

bool persist__take_scheduled(void)
{
	return ck_pr_fas_int(&st.bg_scheduled, 0) != 0;
}

void persist_info(reply_t *t)
{
	bool running = persist_bgsave_running();
	uint64_t last = ck_pr_load_64(&st.last_bg_ms);
	long long cur = running
		? (server_mstime() - (int64_t)ck_pr_load_64(&st.bg_start_ms)) / 1000 : -1;
	bool loading = ck_pr_load_int(&srv.loading) != 0;
	reply_rawf(t, "# Persistence\r\nloading:%d\r\nasync_loading:0\r\n", loading);
	reply_rawf(t, "current_cow_peak:0\r\ncurrent_cow_size:0\r\n"
	    "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\n"
	    "current_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n");
	reply_rawf(t, "rdb_changes_since_last_save:%llu\r\nrdb_bgsave_in_progress:%d\r\n"
	    "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\n"
	    "rdb_last_bgsave_time_sec:%lld\r\nrdb_current_bgsave_time_sec:%lld\r\n",
	    (unsigned long long)persist_changes(), running,
	    (long long)persist_lastsave(),
	    ck_pr_load_int(&st.bg_failed) ? "err" : "ok",
	    last ? (long long)(last - 1) / 1000 : -1LL, cur);
	reply_rawf(t, "rdb_saves:%llu\r\nrdb_last_cow_size:0\r\n"
	    "rdb_last_load_keys_expired:%llu\r\nrdb_last_load_keys_loaded:%llu\r\n",
	    (unsigned long long)ck_pr_load_64(&st.saves),
	    (unsigned long long)ck_pr_load_64(&st.load_expired),
	    (unsigned long long)ck_pr_load_64(&st.load_loaded));
	reply_rawf(t, "aof_enabled:0\r\naof_rewrite_in_progress:0\r\n"
	    "aof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\n"
	    "aof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\n"
	    "aof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\n");
	reply_rawf(t, "aof_last_write_status:ok\r\naof_last_cow_size:0\r\n"
	    "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
	if (loading) /* last, as Redis */
		loading_info(t);
	reply_rawf(t, "\r\n");
}
