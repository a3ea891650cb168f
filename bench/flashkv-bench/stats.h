/*
 * stats.h - what one driver thread measured, and how threads' and rounds'
 * measurements add up.
 *
 * Latencies are nanoseconds.  "corrected" counts from the intended send
 * time (open loop: the schedule, or the actual send if that was earlier;
 * closed loop: the actual send), "raw" from
 * the moment the request was actually written, which is what a closed-loop
 * tool reports and what hides a stall.
 *
 * Threads: a stats_t is written by its driver thread only and read after
 * the thread is joined.  stats_live_t is the one shared piece: the driver
 * records into it under its mutex, the progress printer takes and resets it
 * under the same mutex once a second.
 */
#ifndef FKB_STATS_H
#define FKB_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "hist.h"
#include "wl.h"

/* Highest latency tracked: 10 minutes; longer ones count as 10 minutes. */
#define STATS_HIGHEST_NS (600ull * 1000 * 1000 * 1000)

typedef struct stats_cmd {
	hist_t corr, raw;
	uint64_t ok, err;       /* measured replies: fine ones, error ones */
} stats_cmd_t;

typedef struct stats {
	int ncmd;
	stats_cmd_t cmd[WL_MAX_CMDS];
	hist_t lag;             /* open loop: actual - intended send time */
	uint64_t sent;          /* every request written, warm-up included */
	uint64_t replies;       /* every reply read, warm-up included */
	uint64_t conn_errors;   /* measured requests lost with a connection
	                         * (in flight when it broke, or due on one
	                         * that was given up) */
	uint64_t reconnects;
	uint64_t unfinished;    /* measured requests without reply at the end */
	uint64_t last_ns;       /* time of the last measured reply */
} stats_t;

typedef struct stats_live {
	pthread_mutex_t mu;
	hist_t h;               /* corrected latency since the last take */
	uint64_t ok, err;
} stats_live_t;

/* 0 or -ENOMEM; stats_fini frees whatever was set up. */
int stats_init(stats_t *s, int ncmd);
void stats_fini(stats_t *s);

/* Adds @src into @dst (same ncmd).  0 or -EINVAL. */
int stats_add(stats_t *dst, const stats_t *src);

/* Sums over all commands into @corr and @raw (from hist_init). */
void stats_sum(const stats_t *s, hist_t *corr, hist_t *raw);

uint64_t stats_ok(const stats_t *s);
/* Measured replies, error replies included (what throughput counts). */
uint64_t stats_answered(const stats_t *s);
/* Error replies + requests lost with a connection + unfinished ones. */
uint64_t stats_errors(const stats_t *s);

int stats_live_init(stats_live_t *l);
void stats_live_fini(stats_live_t *l);

/* Moves everything recorded in @l into @into and the counters, then resets
 * @l.  Takes @l's mutex. */
void stats_live_take(stats_live_t *l, hist_t *into, uint64_t *ok, uint64_t *err);

#endif
