/*
 * sweep.c - rising-rate open-loop runs (sweep.h).  The rates are fixed up
 * front, evenly spaced up to 1.2 x the best closed-loop throughput (or
 * --sweep-max), so two servers are compared at the same offered loads.
 */
#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* Saturated: it delivered less than 90% of the rate asked for. */
#define SATURATED 0.9


static int one(const run_cfg_t *c, const wl_t *wl, run_result_t *r,
    char *err, size_t errlen)
{
	int rc = run_result_init(r, wl->ncmd);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	rc = run_once(c, wl, r, err, errlen);
	if (!rc)
		run_result_finish(r);
	return rc;
}

int sweep_run(const opt_t *o, const wl_t *wl, sweep_t *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->ntargets = o->compare ? 2 : 1;
	s->label[0] = o->label;
	s->label[1] = o->cmp_label;
	double top = o->sweep_max;
	int rc;
	for (int t = 0; !top && t < s->ntargets; t++) {
		run_cfg_t c = opt_run_cfg(o, t);
		c.rate = 0; /* closed loop: find the saturation rate */
		c.requests = 0;
		c.duration = o->duration < 3 ? o->duration : 3;
		c.warmup = 0.5;
		run_result_t r;
		if ((rc = one(&c, wl, &r, err, errlen))) {
			run_result_fini(&r);
			return rc;
		}
		s->probe[t] = run_result_throughput(&r);
		run_result_fini(&r);
	}
	if (!top)
		top = 1.2 * (s->probe[0] > s->probe[1] ? s->probe[0] : s->probe[1]);
	if (!(top > 0)) {
		snprintf(err, errlen, "the probe measured no throughput");
		return -EIO;
	}
	for (int t = 0; t < s->ntargets; t++) {
		s->pts[t] = calloc((size_t)o->sweep_steps, sizeof(sweep_point_t));
		if (!s->pts[t])
			return -ENOMEM;
	}
	int saturated[2] = {0, 0};
	for (int i = 1; i <= o->sweep_steps; i++) {
		double rate = top * i / o->sweep_steps;
		int active = 0;
		for (int t = 0; t < s->ntargets; t++) {
			/* Two saturated steps in a row: past the knee, stop. */
			if (saturated[t] >= 2)
				continue;
			active++;
			run_cfg_t c = opt_run_cfg(o, t);
			c.rate = rate;
			c.requests = 0;
			run_result_t r;
			if ((rc = one(&c, wl, &r, err, errlen))) {
				run_result_fini(&r);
				return rc;
			}
			sweep_point_t *p = &s->pts[t][s->npts[t]++];
			p->target = rate;
			p->throughput = run_result_throughput(&r);
			p->p50 = hist_percentile(&r.corr, 50);
			p->p99 = hist_percentile(&r.corr, 99);
			p->p999 = hist_percentile(&r.corr, 99.9);
			p->max = r.corr.total ? r.corr.max : 0;
			p->errors = stats_errors(&r.st);
			run_result_fini(&r);
			saturated[t] = p->throughput < SATURATED * rate ? saturated[t] + 1 : 0;
			if (atomic_load(&run_interrupted))
				return 0;
		}
		if (!active)
			break;
	}
	return 0;
}

void sweep_fini(sweep_t *s)
{
	free(s->pts[0]);
	free(s->pts[1]);
	memset(s, 0, sizeof(*s));
}
