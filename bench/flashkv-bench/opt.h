/*
 * opt.h - the command line of flashkv-bench.  Short options follow
 * redis-benchmark where both tools have the knob (-h -p -c -n -P -d -r -t
 * -q), so a redis-benchmark line mostly works as it is.
 */
#ifndef FKB_OPT_H
#define FKB_OPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "keys.h"
#include "run.h"
#include "wl.h"

typedef struct opt {
	char host[256];
	int port;
	char label[64];
	bool compare;           /* --compare HOST:PORT */
	char cmp_host[256];
	int cmp_port;
	char cmp_label[64];
	int rounds;             /* runs per server, alternating when comparing */
	int conns, threads, pipeline;
	double rate;            /* 0 = closed loop */
	double duration, warmup, drain;
	uint64_t requests;      /* 0 = by duration */
	const char *tests;      /* -t get,set,... */
	const char *ratio;      /* --ratio set:get=1:10 */
	const char *commands[WL_MAX_CMDS];
	int ncommands;
	uint64_t keyspace;
	keys_dist_t dist;
	double theta;
	size_t vmin, vmax;
	int mget_keys;
	char key_prefix[64];
	bool fill;              /* SET every key before measuring */
	bool resp3;
	uint64_t seed;
	bool quiet;
	const char *json, *hgrm, *plot, *title;
	bool sweep;
	int sweep_steps;
	double sweep_max;       /* 0 = find it with a closed-loop probe */
} opt_t;

/* Parses argv into @o.  Returns 0, 1 when --help was printed (exit 0), or
 * -EINVAL after printing why to stderr. */
int opt_parse(opt_t *o, int argc, char **argv);

void opt_usage(FILE *f);

/* Builds the workload the options describe.  0 or -errno (printed). */
int opt_build_workload(const opt_t *o, wl_t *w);

/* The run settings of @o for target @t (0: the server, 1: --compare's). */
run_cfg_t opt_run_cfg(const opt_t *o, int t);

#endif
