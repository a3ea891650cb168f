/*
 * sweep.h - the latency-throughput curve: open-loop runs at rising rates
 * until the server saturates (it no longer delivers the rate asked for),
 * recording throughput against corrected p50, p99 and p99.9 at each step.
 * With --compare, both servers are swept at the same rates, alternating.
 */
#ifndef FKB_SWEEP_H
#define FKB_SWEEP_H

#include <stdint.h>

#include "opt.h"
#include "wl.h"

typedef struct sweep_point {
	double target;       /* requests/s asked for */
	double throughput;   /* replies/s measured */
	uint64_t p50, p99, p999, max;  /* corrected latency, ns */
	uint64_t errors;
} sweep_point_t;

typedef struct sweep {
	int ntargets;        /* 1, or 2 with --compare */
	const char *label[2];
	double probe[2];     /* closed-loop throughput found first (0: none) */
	sweep_point_t *pts[2];
	int npts[2];
} sweep_t;

/* Runs the sweep the options describe.  0, or -errno with @err set. */
int sweep_run(const opt_t *o, const wl_t *wl, sweep_t *s, char *err, size_t errlen);
void sweep_fini(sweep_t *s);

#endif
