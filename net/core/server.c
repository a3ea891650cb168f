/*
 * server.c - the server-wide state (see server.h): `srv`, the clocks and
 * the commandstats counters.
 *
 * Concurrency: srv is filled by main before the workers start; counters
 * are written by their own worker and read anywhere (relaxed atomics).
 */
#include "server.h"

#include <sys/time.h>

#include <ck_pr.h>

server_t srv;

int64_t server_mstime(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

__thread int64_t server_cached_ms;

double server_ns_per_tick(void)
{
	uint64_t ns = act_now_ns() - srv.start_mono_ns;
	uint64_t ticks = server_ticks() - srv.start_ticks;
	return ticks ? (double)ns / (double)ticks : 1.0;
}

/* The two command tables, for the commandstats index of a cmd_t (set
 * before the workers start; this is on every command's path). */
static const cmd_t *store_cmds, *conn_cmds;
static size_t nstore_cmds, nconn_cmds;
/* The calling thread's worker index, looked up once per thread (the
 * runtime's own is a call through the shared library's TLS). */
static __thread int this_worker = -2;

void server_count_call(const cmd_t *cmd, uint64_t ticks, bool failed)
{
	if (this_worker == -2)
		this_worker = act_current_worker();
	int w = this_worker;
	if (w < 0)
		return;
	size_t i;
	if (cmd >= store_cmds && cmd < store_cmds + nstore_cmds)
		i = (size_t)(cmd - store_cmds);
	else if (cmd >= conn_cmds && cmd < conn_cmds + nconn_cmds)
		i = nstore_cmds + (size_t)(cmd - conn_cmds);
	else
		return; /* internal commands (__shardinfo) and subcommands */
	cmdstat_t *st = &srv.wstats[w].cmdstats[i];
	ck_pr_store_64(&st->calls, st->calls + 1);
	ck_pr_store_64(&st->ticks, st->ticks + ticks);
	if (failed)
		ck_pr_store_64(&st->failed, st->failed + 1);
}

void server_count_tables(const cmd_t *store, size_t nstore, const cmd_t *conn,
			 size_t nconn)
{
	store_cmds = store;
	nstore_cmds = nstore;
	conn_cmds = conn;
	nconn_cmds = nconn;
}
