/*
 * run.h - one measured run against one server: resolve, start the driver
 * threads, set the clock, print progress once a second, join, and add what
 * they measured into a run_result_t (several runs, e.g. the rounds of a
 * comparison, can accumulate into one result).
 *
 * Threads: called from the main thread; it owns the result.
 */
#ifndef FKB_RUN_H
#define FKB_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hist.h"
#include "stats.h"
#include "wl.h"

typedef struct run_cfg {
	const char *host;
	int port;
	int conns, threads, pipeline;
	double rate;          /* requests/s in total; 0 = closed loop */
	double duration;      /* seconds measured (when requests == 0) */
	double warmup;        /* seconds before measuring */
	double drain;         /* seconds to await replies after the end */
	uint64_t requests;    /* measured requests in total; 0 = by duration */
	bool resp3;
	uint64_t seed;
	int fixed_cmd;        /* >= 0: only this command (the fill) */
	bool progress;        /* one line per second on stderr */
	const char *label;    /* names the server in progress lines */
} run_cfg_t;

/* One progress line's worth, kept for the JSON timeline. */
typedef struct run_sample {
	double t;             /* seconds since the run started */
	double ops;           /* replies per second in that second */
	uint64_t errors;
	uint64_t p50, p99, max; /* corrected latency, ns */
	bool warmup;
} run_sample_t;

typedef struct run_result {
	stats_t st;           /* everything measured, per command */
	hist_t corr, raw;     /* all commands together (run_result_finish) */
	double window;        /* seconds of measurement, over all runs */
	double cpu;           /* client CPU seconds (user+sys), over all runs */
	uint64_t replies;     /* replies read, warm-up included */
	int runs;
	run_sample_t *samples;
	int nsamples, cap;
} run_result_t;

/* Set by the SIGINT handler; a run then wraps up at once. */
extern atomic_bool run_interrupted;

int run_result_init(run_result_t *r, int ncmd);
void run_result_fini(run_result_t *r);

/* Measures once and adds into @acc.  0, or -errno with a message in @err. */
int run_once(const run_cfg_t *cfg, const wl_t *wl, run_result_t *acc,
    char *err, size_t errlen);

/* Fills acc->corr and acc->raw from the per-command histograms. */
void run_result_finish(run_result_t *r);

/* Measured replies per second. */
double run_result_throughput(const run_result_t *r);

#endif
