/*
 * main.c - flashkv-bench: measures latency and throughput of any RESP
 * server, closed loop like redis-benchmark or open loop at a fixed rate
 * with coordinated-omission-corrected percentiles.  This file only wires
 * the modes together: options (opt), runs (run), sweep, and the outputs
 * (report, json, hist's .hgrm, plot).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "json.h"
#include "mono.h"
#include "opt.h"
#include "plot.h"
#include "report.h"
#include "run.h"
#include "sweep.h"
#include "wl.h"

static void on_sigint(int sig)
{
	(void)sig;
	atomic_store(&run_interrupted, true);
}


/* SETs every key of the key space once, in order, so GETs find values. */
static int fill(const opt_t *o, int t)
{
	keys_t k;
	wl_t w;
	run_result_t r;
	char err[256];
	int rc = keys_init(&k, KEYS_SEQ, o->keyspace, 0);
	if (!rc)
		rc = wl_init(&w, &k, o->key_prefix, o->vmin, o->vmax, 1);
	if (rc)
		return rc;
	rc = wl_add_builtin(&w, "set", 1);
	if (!rc)
		rc = wl_finish(&w);
	if (!rc)
		rc = run_result_init(&r, w.ncmd);
	if (rc) {
		wl_fini(&w);
		return rc;
	}
	run_cfg_t c = opt_run_cfg(o, t);
	c.rate = 0;
	c.conns = o->conns < 16 ? o->conns : 16;
	c.threads = 1;
	c.pipeline = 64;
	c.requests = o->keyspace;
	c.duration = 0;
	c.warmup = 0;
	c.fixed_cmd = 0;
	c.progress = false;
	uint64_t t0 = mono_now_ns();
	fprintf(stderr, "filling %llu keys on %s ...", (unsigned long long)o->keyspace, c.label);
	rc = run_once(&c, &w, &r, err, sizeof(err));
	if (rc)
		fprintf(stderr, " %s\n", err);
	else
		fprintf(stderr, " done in %.1f s\n", (double)(mono_now_ns() - t0) / 1e9);
	run_result_fini(&r);
	wl_fini(&w);
	return rc;
}

/* "out.hgrm" + "-compare" -> "out-compare.hgrm" */
static void derive(const char *path, const char *suffix, char *out, size_t n)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		dot = path + strlen(path);
	snprintf(out, n, "%.*s%s%s", (int)(dot - path), path, suffix, dot);
}

static void write_hgrm(const char *path, const hist_t *h)
{
	FILE *f = fopen(path, "w");
	if (!f || hist_write_hgrm(h, f, 1e6)) {
		fprintf(stderr, "flashkv-bench: cannot write %s\n", path);
	} else {
		fprintf(stderr, "wrote %s\n", path);
	}
	if (f)
		fclose(f);
}

static int do_sweep(const opt_t *o, const wl_t *wl)
{
	sweep_t s;
	char err[256], msg[512];
	int rc = sweep_run(o, wl, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "flashkv-bench: %s\n", err);
		sweep_fini(&s);
		return 1;
	}
	report_header(stdout, o, wl);
	report_sweep(stdout, o, &s);
	fflush(stdout);
	if (o->json) {
		json_target_t t[2] = {{o->label, o->host, o->port, NULL},
		    {o->cmp_label, o->cmp_host, o->cmp_port, NULL}};
		if (json_write(o->json, o, wl, t, s.ntargets, &s))
			fprintf(stderr, "flashkv-bench: cannot write %s\n", o->json);
	}
	if (o->plot) {
		rc = plot_sweep(o->plot, o->title ? o->title :
		    "latency vs throughput (open loop, corrected)", &s, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
	}
	if (o->hgrm)
		fprintf(stderr, "flashkv-bench: --hgrm is not written for a sweep\n");
	sweep_fini(&s);
	return 0;
}

static int do_runs(const opt_t *o, const wl_t *wl)
{
	int n = o->compare ? 2 : 1, rc = 0;
	run_result_t r[2];
	char err[256], msg[512];
	for (int t = 0; t < n; t++)
		if (run_result_init(&r[t], wl->ncmd)) {
			fprintf(stderr, "flashkv-bench: out of memory\n");
			return 1;
		}
	/* Alternate the servers round by round so that drift in the machine
	 * (other load, CPU frequency) hits both alike. */
	for (int round = 0; round < o->rounds && !rc; round++) {
		for (int t = 0; t < n && !rc; t++) {
			run_cfg_t c = opt_run_cfg(o, t);
			if (o->rounds > 1 && !o->quiet)
				fprintf(stderr, "-- round %d/%d: %s\n", round + 1, o->rounds, c.label);
			rc = run_once(&c, wl, &r[t], err, sizeof(err));
			if (rc)
				fprintf(stderr, "flashkv-bench: %s\n", err);
			if (atomic_load(&run_interrupted))
				round = o->rounds;
		}
	}
	if (!rc) {
		report_header(stdout, o, wl);
		for (int t = 0; t < n; t++) {
			run_result_finish(&r[t]);
			report_table(stdout, o, wl, t ? o->cmp_label : o->label, &r[t]);
		}
		if (n == 2)
			report_compare(stdout, o, &r[0], &r[1]);
		fflush(stdout);
		if (o->hgrm) {
			char p[4096];
			for (int t = 0; t < n; t++) {
				derive(o->hgrm, t ? "-compare" : "", p, sizeof(p));
				write_hgrm(p, &r[t].corr);
				if (o->rate > 0) {
					derive(o->hgrm, t ? "-compare-uncorrected" : "-uncorrected",
					    p, sizeof(p));
					write_hgrm(p, &r[t].raw);
				}
			}
		}
		if (o->json) {
			json_target_t jt[2] = {{o->label, o->host, o->port, &r[0]},
			    {o->cmp_label, o->cmp_host, o->cmp_port, &r[1]}};
			if (json_write(o->json, o, wl, jt, n, NULL))
				fprintf(stderr, "flashkv-bench: cannot write %s\n", o->json);
			else
				fprintf(stderr, "wrote %s\n", o->json);
		}
		if (o->plot) {
			plot_series_t s[3];
			int k = 0;
			char l0[128];
			snprintf(l0, sizeof(l0), "%s%s", o->label,
			    o->rate > 0 && n == 1 ? " corrected" : "");
			s[k++] = (plot_series_t){l0, &r[0].corr};
			if (n == 2)
				s[k++] = (plot_series_t){o->cmp_label, &r[1].corr};
			else if (o->rate > 0)
				s[k++] = (plot_series_t){"uncorrected (from actual send)", &r[0].raw};
			char title[256], mode[64];
			if (o->rate > 0)
				snprintf(mode, sizeof(mode), "open loop at %.0f requests/s", o->rate);
			else
				snprintf(mode, sizeof(mode), "closed loop");
			snprintf(title, sizeof(title), "latency by percentile: %s, "
			    "%d connections, pipeline %d", mode, o->conns, o->pipeline);
			if (plot_percentiles(o->plot, o->title ? o->title : title, s, k,
			    msg, sizeof(msg)) < 0)
				rc = -EIO;
			fprintf(stderr, "%s\n", msg);
		}
	}
	for (int t = 0; t < n; t++)
		run_result_fini(&r[t]);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	opt_t o;
	wl_t wl;
	int rc = opt_parse(&o, argc, argv);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (opt_build_workload(&o, &wl))
		return 2;
	struct sigaction sa = {.sa_handler = on_sigint};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int t = 0; o.fill && t < (o.compare ? 2 : 1); t++)
		if (fill(&o, t)) {
			wl_fini(&wl);
			return 1;
		}
	rc = o.sweep ? do_sweep(&o, &wl) : do_runs(&o, &wl);
	wl_fini(&wl);
	return rc;
}
