/*
 * run.c - one run from resolve to join (run.h).  The main thread sets the
 * clock only after every connection is up, so connecting never counts as
 * latency, and then just samples progress until the drivers are done.
 */
#include "run.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "drv.h"
#include "mono.h"
#include "report.h"

atomic_bool run_interrupted;

int run_result_init(run_result_t *r, int ncmd)
{
	memset(r, 0, sizeof(*r));
	int rc = stats_init(&r->st, ncmd);
	if (!rc)
		rc = hist_init(&r->corr, STATS_HIGHEST_NS, 3);
	if (!rc)
		rc = hist_init(&r->raw, STATS_HIGHEST_NS, 3);
	if (rc)
		run_result_fini(r);
	return rc;
}

void run_result_fini(run_result_t *r)
{
	stats_fini(&r->st);
	hist_fini(&r->corr);
	hist_fini(&r->raw);
	free(r->samples);
	r->samples = NULL;
}

void run_result_finish(run_result_t *r)
{
	hist_reset(&r->corr);
	hist_reset(&r->raw);
	stats_sum(&r->st, &r->corr, &r->raw);
}

double run_result_throughput(const run_result_t *r)
{
	return r->window > 0 ? (double)stats_answered(&r->st) / r->window : 0;
}

static int resolve(const run_cfg_t *cfg, drv_plan_t *p, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	char port[16];
	snprintf(port, sizeof(port), "%d", cfg->port);
	int rc = getaddrinfo(cfg->host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "%s: %s", cfg->host, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(&p->addr, res->ai_addr, res->ai_addrlen);
	p->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void add_sample(run_result_t *acc, const run_sample_t *s)
{
	if (acc->nsamples == acc->cap) {
		int cap = acc->cap ? acc->cap * 2 : 64;
		run_sample_t *n = realloc(acc->samples, (size_t)cap * sizeof(*n));
		if (!n)
			return; /* the timeline is a nicety; the run goes on */
		acc->samples = n;
		acc->cap = cap;
	}
	acc->samples[acc->nsamples++] = *s;
}

/* Samples the drivers once a second until all have finished. */
static void watch(const run_cfg_t *cfg, drv_plan_t *plan, drv_t *d, int n,
    run_result_t *acc, hist_t *tick)
{
	uint64_t next = plan->t0 + MONO_S, last = plan->t0;
	for (;;) {
		int done = 0;
		for (int i = 0; i < n; i++)
			done += atomic_load(&d[i].finished);
		if (done == n)
			return;
		if (atomic_load(&run_interrupted))
			atomic_store(&plan->stop, true);
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
		uint64_t now = mono_now_ns();
		if (now < next)
			continue;
		uint64_t ok = 0, errs = 0;
		hist_reset(tick);
		for (int i = 0; i < n; i++)
			stats_live_take(&d[i].live, tick, &ok, &errs);
		run_sample_t s = {
			.t = (double)(now - plan->t0) / 1e9,
			.ops = (double)(ok + errs) * 1e9 / (double)(now - last),
			.errors = errs,
			.p50 = hist_percentile(tick, 50),
			.p99 = hist_percentile(tick, 99),
			.max = tick->total ? tick->max : 0,
			.warmup = now < plan->measure,
		};
		add_sample(acc, &s);
		if (cfg->progress)
			report_progress(stderr, cfg->label, &s);
		last = now;
		next += MONO_S;
		if (next < now)
			next = now + MONO_S;
	}
}

static void split(const run_cfg_t *cfg, int threads, int i, int *nconns,
    uint64_t *quota)
{
	*nconns = cfg->conns / threads + (i < cfg->conns % threads);
	uint64_t q = cfg->requests / (uint64_t)cfg->conns * (uint64_t)*nconns;
	/* The remainder goes to thread 0 so the total is exact. */
	if (i == 0)
		q += cfg->requests % (uint64_t)cfg->conns;
	*quota = q;
}

int run_once(const run_cfg_t *cfg, const wl_t *wl, run_result_t *acc,
    char *err, size_t errlen)
{
	int threads = cfg->threads < cfg->conns ? cfg->threads : cfg->conns;
	drv_plan_t *plan = calloc(1, sizeof(*plan));
	drv_t *d = calloc((size_t)threads, sizeof(*d));
	hist_t tick = {0};
	int rc = -ENOMEM, ninit = 0;
	if (!plan || !d || hist_init(&tick, STATS_HIGHEST_NS, 3)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	plan->wl = wl;
	plan->pipeline = cfg->pipeline;
	plan->conns = cfg->conns;
	plan->threads = threads;
	plan->rate = cfg->rate;
	plan->resp3 = cfg->resp3;
	plan->fixed_cmd = cfg->fixed_cmd;
	plan->seed = cfg->seed;
	plan->requests = cfg->requests;
	rc = resolve(cfg, plan, err, errlen);
	if (rc)
		goto out;
	for (int i = 0; i < threads; i++) {
		int nconns;
		uint64_t quota;
		split(cfg, threads, i, &nconns, &quota);
		rc = drv_init(&d[i], plan, i, nconns, quota);
		if (rc) {
			snprintf(err, errlen, "driver: %s", strerror(-rc));
			goto out;
		}
		ninit++;
	}
	pthread_barrier_init(&plan->gate, NULL, (unsigned)threads + 1);
	double cpu0 = cpu_seconds();
	for (int i = 0; i < threads; i++) {
		rc = pthread_create(&d[i].tid, NULL, drv_main, &d[i]);
		if (rc) {
			/* The threads already started wait at a barrier sized for
			 * all of them: nothing sensible is left to do. */
			fprintf(stderr, "flashkv-bench: thread: %s\n", strerror(rc));
			exit(1);
		}
	}
	pthread_barrier_wait(&plan->gate); /* all connected, or failed */
	rc = 0;
	for (int i = 0; i < threads; i++) {
		if (d[i].rc && !rc) {
			rc = d[i].rc;
			snprintf(err, errlen, "%s:%d: %s", cfg->host, cfg->port, d[i].err);
		}
	}
	if (rc)
		atomic_store(&plan->stop, true);
	/* Leave the threads a moment between the barrier and their first send
	 * so that t0 is not already in the past for all of them. */
	plan->t0 = mono_now_ns() + MONO_MS;
	plan->measure = plan->t0 + (uint64_t)(cfg->warmup * 1e9);
	plan->end = cfg->requests ? UINT64_MAX :
	    plan->measure + (uint64_t)(cfg->duration * 1e9);
	plan->drain = (uint64_t)(cfg->drain * 1e9);
	pthread_barrier_wait(&plan->gate); /* go */
	if (!rc)
		watch(cfg, plan, d, threads, acc, &tick);
	for (int i = 0; i < threads; i++)
		pthread_join(d[i].tid, NULL);
	acc->cpu += cpu_seconds() - cpu0;
	pthread_barrier_destroy(&plan->gate);
	if (rc)
		goto out;
	uint64_t last = 0;
	for (int i = 0; i < threads; i++) {
		if (d[i].rc && !rc) {
			rc = d[i].rc;
			snprintf(err, errlen, "%s:%d: %s", cfg->host, cfg->port, d[i].err);
		}
		stats_add(&acc->st, &d[i].st);
		acc->replies += d[i].st.replies;
		if (d[i].st.last_ns > last)
			last = d[i].st.last_ns;
	}
	if (last > plan->measure)
		acc->window += (double)(last - plan->measure) / 1e9;
	acc->runs++;
out:
	for (int i = 0; i < ninit; i++)
		drv_fini(&d[i]);
	free(d);
	free(plan);
	hist_fini(&tick);
	return rc;
}
