/*
 * json.h - everything a run measured, as one JSON document (--json): the
 * settings, per server the summary, corrected and uncorrected percentiles,
 * the full percentile distribution, per-command figures and the one-second
 * timeline, and the sweep points.  Latencies are in microseconds.
 */
#ifndef FKB_JSON_H
#define FKB_JSON_H

#include "opt.h"
#include "run.h"
#include "sweep.h"

typedef struct json_target {
	const char *label, *host;
	int port;
	const run_result_t *r;   /* NULL in sweep mode */
} json_target_t;

/* Writes @path.  0 or -errno. */
int json_write(const char *path, const opt_t *o, const wl_t *wl,
    const json_target_t *t, int n, const sweep_t *sw);

#endif
