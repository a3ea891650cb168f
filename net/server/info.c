/*
 * info.c - INFO: Redis 7.0's sections (server, clients, memory,
 * persistence, stats, keyspace, commandstats) plus a "workers" section for FlashKV's workers,
 * shards and mailboxes.
 *
 * Shard figures (keys, memory, expiries) are owned by the shard actors, so
 * INFO asks every shard with the internal command __shardinfo and folds the
 * answers here, on the connection's worker.  Worker counters are relaxed
 * atomics read directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ck_pr.h>

#include "info.h"
#include "srvcmd.h"
#include "net/persist/persist.h"
#include "net/pubsub/pubsub.h"
#include "store/commands.h"

/* One line per database: "db keys expires avg_ttl memory expired". */
static void shard_info_proc(cmd_ctx_t *ctx)
{
	char buf[128];
	reply_t text;
	reply_init(&text, 2);
	for (int d = 0; d < ctx->ndbs; d++) {
		ks_stats_t st;
		ks_stats(ctx->dbs[d], &st);
		int n = snprintf(buf, sizeof(buf), "%d %zu %zu %lld %zu %llu\n", d,
				 st.keys, st.expires, st.avg_ttl, st.memory,
				 (unsigned long long)st.expired_keys);
		reply_raw(&text, buf, (size_t)n);
	}
	reply_bulk(ctx->reply, text.buf ? text.buf : "", text.len);
	reply_free(&text);
}

const cmd_t info_shard_cmd = {
	.name = "__shardinfo", .proc = shard_info_proc, .arity = 1,
	.flags = CMD_READONLY, .tips = "",
};

typedef struct db_sum {
	unsigned long long keys, expires, memory, expired;
	long long avg_ttl_sum;
	int avg_ttl_n;
} db_sum_t;

/* Is @word one of the space-separated words of @list (" a b ")? */
static bool listed(const char *list, const char *word)
{
	char key[64];
	snprintf(key, sizeof(key), " %s ", word);
	return strstr(list, key) != NULL;
}

/* @sec: the section arguments as " a b " (NULL: none given). */
static bool want(const char *sec, const char *name, bool in_default)
{
	if (!sec)
		return in_default;
	if (listed(sec, "all") || listed(sec, "everything") || listed(sec, name))
		return true;
	return in_default && listed(sec, "default");
}

static void human(char *out, size_t cap, unsigned long long bytes)
{
	if (bytes < 1024)
		snprintf(out, cap, "%lluB", bytes);
	else if (bytes < 1024 * 1024)
		snprintf(out, cap, "%.2fK", bytes / 1024.0);
	else if (bytes < 1024ull * 1024 * 1024)
		snprintf(out, cap, "%.2fM", bytes / (1024.0 * 1024));
	else
		snprintf(out, cap, "%.2fG", bytes / (1024.0 * 1024 * 1024));
}

static unsigned long long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%llu %llu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (unsigned long long)sysconf(_SC_PAGESIZE);
}

void info_build(conn_t *c, req_t *req)
{
	const char *sec = req->extra;
	db_sum_t *dbs = calloc((size_t)srv.cfg.databases, sizeof(*dbs));
	unsigned long long used = 0, expired = 0;
	unsigned long long shard_keys[SERVER_MAX_SHARDS] = { 0 };
	unsigned long long shard_mem[SERVER_MAX_SHARDS] = { 0 };
	for (unsigned p = 0; p < req->nparts; p++) {
		const reply_t *part = &req->parts[p];
		const char *s = part->buf ? memchr(part->buf, '\n', part->len) : NULL;
		if (!s)
			continue;
		const char *end = part->buf + part->len;
		for (s++; s < end && *s != '\r';) {
			int d;
			unsigned long long k, e, m, x;
			long long ttl;
			/* The part is not NUL-terminated: scan a copy of the line. */
			char line[160];
			const char *eol = memchr(s, '\n', (size_t)(end - s));
			size_t ll = (size_t)((eol ? eol : end) - s);
			if (ll >= sizeof(line))
				ll = sizeof(line) - 1;
			memcpy(line, s, ll);
			line[ll] = '\0';
			if (sscanf(line, "%d %llu %llu %lld %llu %llu", &d, &k, &e,
				   &ttl, &m, &x) == 6 && dbs && d >= 0 &&
			    d < srv.cfg.databases) {
				dbs[d].keys += k;
				dbs[d].expires += e;
				dbs[d].memory += m;
				if (ttl > 0) {
					dbs[d].avg_ttl_sum += ttl;
					dbs[d].avg_ttl_n++;
				}
				used += m;
				expired += x;
				shard_keys[p] += k;
				shard_mem[p] += m;
			}
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			if (!nl)
				break;
			s = nl + 1;
		}
	}

	const config_t *cfg = server_cfg();
	reply_t t;
	reply_init(&t, 2);
	uint64_t now_ms = (uint64_t)server_mstime();
	uint64_t uptime = (now_ms - srv.start_ms) / 1000;
	if (want(sec, "server", true)) {
		struct utsname un;
		uname(&un);
		reply_rawf(&t, "# Server\r\nredis_version:7.0.15\r\nflashkv_version:0.1.0\r\n"
			"redis_mode:standalone\r\nos:%s %s %s\r\narch_bits:64\r\n"
			"multiplexing_api:epoll\r\nprocess_id:%d\r\nrun_id:%s\r\n"
			"tcp_port:%d\r\nserver_time_usec:%llu\r\n"
			"uptime_in_seconds:%llu\r\nuptime_in_days:%llu\r\nhz:%d\r\n"
			"executable:%s\r\nconfig_file:%s\r\n\r\n",
			un.sysname, un.release, un.machine, (int)getpid(),
			srv.run_id, cfg->port,
			(unsigned long long)now_ms * 1000,
			(unsigned long long)uptime,
			(unsigned long long)uptime / 86400, cfg->hz,
			srv.executable, srv.config_file);
	}
	if (want(sec, "clients", true)) {
		reply_rawf(&t, "# Clients\r\nconnected_clients:%d\r\nmaxclients:%u\r\n"
			"blocked_clients:%d\r\n\r\n",
			ck_pr_load_int(&srv.connected_clients), cfg->maxclients,
			ck_pr_load_int(&srv.blocked_clients));
	}
	if (want(sec, "memory", true)) {
		char h1[32], h2[32];
		unsigned long long rss = rss_bytes();
		human(h1, sizeof(h1), used);
		human(h2, sizeof(h2), rss);
		reply_rawf(&t, "# Memory\r\nused_memory:%llu\r\nused_memory_human:%s\r\n"
			"used_memory_rss:%llu\r\nused_memory_rss_human:%s\r\n"
			"maxmemory:0\r\nmaxmemory_policy:noeviction\r\n"
			"mem_allocator:libc\r\n\r\n", used, h1, rss, h2);
	}
	if (want(sec, "persistence", true))
		persist_info(&t);
	if (want(sec, "stats", true)) {
		unsigned long long cmds = 0, in = 0, out = 0;
		for (int w = 0; w < srv.nworkers; w++) {
			cmds += ck_pr_load_64(&srv.wstats[w].commands);
			in += ck_pr_load_64(&srv.wstats[w].net_in);
			out += ck_pr_load_64(&srv.wstats[w].net_out);
		}
		reply_rawf(&t, "# Stats\r\ntotal_connections_received:%llu\r\n"
			"total_commands_processed:%llu\r\ntotal_net_input_bytes:%llu\r\n"
			"total_net_output_bytes:%llu\r\nrejected_connections:%llu\r\n"
			"expired_keys:%llu\r\nevicted_keys:0\r\n"
			"pubsub_channels:%lld\r\npubsub_patterns:%lld\r\n"
			"pubsubshard_channels:%lld\r\n\r\n",
			(unsigned long long)ck_pr_load_64(&srv.total_connections),
			cmds, in, out,
			(unsigned long long)ck_pr_load_64(&srv.rejected_connections),
			expired, pubsub_stat_channels(), pubsub_stat_patterns(),
			pubsub_stat_shard_channels());
	}
	if (want(sec, "workers", true)) {
		reply_rawf(&t, "# Workers\r\nworkers:%d\r\nshards:%d\r\n", srv.nworkers,
		    srv.nshards);
		for (int w = 0; w < srv.nworkers; w++) {
			const worker_stats_t *ws = &srv.wstats[w];
			act_worker_stats_t as = { 0 };
			act_system_worker_stats(srv.sys, w, &as);
			reply_rawf(&t, "worker%d:cpu=%d,commands=%llu,inline_commands=%llu,"
				"remote_batches=%llu,mailbox_messages=%llu,"
				"actor_turns=%llu,parks=%llu,wakeups=%llu,"
				"fd_events=%llu,timer_events=%llu\r\n", w,
				act_system_worker_cpu(srv.sys, w),
				(unsigned long long)ck_pr_load_64(&ws->commands),
				(unsigned long long)ck_pr_load_64(&ws->inline_cmds),
				(unsigned long long)ck_pr_load_64(&ws->remote_batches),
				(unsigned long long)as.messages,
				(unsigned long long)as.turns,
				(unsigned long long)as.parks,
				(unsigned long long)as.wakeups,
				(unsigned long long)as.fd_events,
				(unsigned long long)as.timers);
		}
		for (int s = 0; s < srv.nshards; s++)
			reply_rawf(&t, "shard%d:worker=%d,keys=%llu,used_memory=%llu\r\n",
			    s, srv.shards[s]->worker, shard_keys[s], shard_mem[s]);
		reply_rawf(&t, "\r\n");
	}
	if (want(sec, "commandstats", false)) {
		reply_rawf(&t, "# Commandstats\r\n");
		size_t n = cmd_count() + srvcmd_count();
		double ns_per_tick = server_ns_per_tick();
		for (size_t i = 0; i < n; i++) {
			unsigned long long calls = 0, ticks = 0, failed = 0;
			for (int w = 0; w < srv.nworkers; w++) {
				const cmdstat_t *st = &srv.wstats[w].cmdstats[i];
				calls += ck_pr_load_64(&st->calls);
				ticks += ck_pr_load_64(&st->ticks);
				failed += ck_pr_load_64(&st->failed);
			}
			if (!calls)
				continue;
			double usec = (double)ticks * ns_per_tick / 1000.0;
			const cmd_t *cmd = i < cmd_count() ? cmd_at(i)
					   : srvcmd_at(i - cmd_count());
			reply_rawf(&t, "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,"
				"rejected_calls=0,failed_calls=%llu\r\n", cmd->name,
			    calls, (unsigned long long)usec, usec / (double)calls,
			    failed);
		}
		reply_rawf(&t, "\r\n");
	}
	if (want(sec, "keyspace", true)) {
		reply_rawf(&t, "# Keyspace\r\n");
		for (int d = 0; dbs && d < srv.cfg.databases; d++)
			if (dbs[d].keys)
				reply_rawf(&t, "db%d:keys=%llu,expires=%llu,avg_ttl=%lld\r\n",
				    d, dbs[d].keys, dbs[d].expires,
				    dbs[d].avg_ttl_n ? dbs[d].avg_ttl_sum /
							   dbs[d].avg_ttl_n : 0);
	}
	/* Redis ends the text without the blank line of the last section. */
	if (t.len >= 4 && !memcmp(t.buf + t.len - 4, "\r\n\r\n", 4))
		t.len -= 2;
	reply_verbatim(&req->buf, t.buf ? t.buf : "", t.len, "txt");
	reply_free(&t);
	free(dbs);
	(void)c;
}
