/*
 * report.c - tables and progress lines for people (report.h).  Latencies
 * are printed in milliseconds with 3 decimals throughout, so columns of
 * different runs can be compared by eye.
 */
#include "report.h"

#include <string.h>

static const struct {
	const char *name;
	double p;
} cols[] = {
	{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99},
};
#define NCOLS (sizeof(cols) / sizeof(*cols))

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

void report_progress(FILE *f, const char *label, const run_sample_t *s)
{
	fprintf(f, "%-22s %5.0fs %10.0f ops/s  p50 %8.3f ms  p99 %8.3f ms  "
	    "max %8.3f ms  errors %llu%s\n", label, s->t, s->ops, ms(s->p50),
	    ms(s->p99), ms(s->max), (unsigned long long)s->errors,
	    s->warmup ? "  (warm-up)" : "");
}

void report_header(FILE *f, const opt_t *o, const wl_t *wl)
{
	if (o->sweep)
		fprintf(f, "sweep: open loop at %d rising rates", o->sweep_steps);
	else if (o->rate > 0)
		fprintf(f, "open loop at %.0f requests/s", o->rate);
	else
		fprintf(f, "closed loop");
	fprintf(f, ", %d connections on %d thread%s, pipeline %d\n", o->conns,
	    o->threads, o->threads > 1 ? "s" : "", o->pipeline);
	if (o->requests)
		fprintf(f, "%llu requests", (unsigned long long)o->requests);
	else
		fprintf(f, "%.1f s", o->duration);
	fprintf(f, " measured after %.1f s warm-up", o->warmup);
	if (o->sweep)
		fprintf(f, " per step");
	else if (o->rounds > 1)
		fprintf(f, ", %d rounds per server", o->rounds);
	fprintf(f, "\nworkload:");
	for (int i = 0; i < wl->ncmd; i++)
		fprintf(f, " %s %.0f%%", wl->cmd[i].name,
		    100 * (wl->cum[i] - (i ? wl->cum[i - 1] : 0)));
	static const char *dn[] = {"uniform", "zipfian", "sequential"};
	fprintf(f, "; %llu keys %s", (unsigned long long)o->keyspace, dn[o->dist]);
	if (o->dist == KEYS_ZIPF)
		fprintf(f, " (theta %.2f)", o->theta);
	if (o->vmin == o->vmax)
		fprintf(f, "; values %zu B\n", o->vmin);
	else
		fprintf(f, "; values %zu-%zu B\n", o->vmin, o->vmax);
}

static void row(FILE *f, const char *name, const hist_t *h)
{
	fprintf(f, "  %-18s %9.3f", name, hist_mean(h) / 1e6);
	for (size_t i = 0; i < NCOLS; i++)
		fprintf(f, " %9.3f", ms(hist_percentile(h, cols[i].p)));
	fprintf(f, " %9.3f\n", ms(h->total ? h->max : 0));
}

void report_table(FILE *f, const opt_t *o, const wl_t *wl, const char *label,
    const run_result_t *r)
{
	bool open = o->rate > 0;
	fprintf(f, "\n== %s ==\n", label);
	fprintf(f, "  %-18s %9s", "latency (ms)", "mean");
	for (size_t i = 0; i < NCOLS; i++)
		fprintf(f, " %9s", cols[i].name);
	fprintf(f, " %9s\n", "max");
	row(f, open ? "corrected" : "all", &r->corr);
	if (open)
		row(f, "uncorrected", &r->raw);
	for (int i = 0; wl->ncmd > 1 && i < wl->ncmd; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s%s", wl->cmd[i].name,
		    open ? " corr." : "");
		row(f, name, &r->st.cmd[i].corr);
	}
	const stats_t *s = &r->st;
	uint64_t err_replies = 0;
	for (int i = 0; i < s->ncmd; i++)
		err_replies += s->cmd[i].err;
	fprintf(f, "  throughput         %.0f requests/s (%llu replies in %.2f s)\n",
	    run_result_throughput(r), (unsigned long long)stats_answered(s), r->window);
	fprintf(f, "  errors             %llu (error replies %llu, lost with a "
	    "connection %llu, unfinished %llu); reconnects %llu\n",
	    (unsigned long long)stats_errors(s), (unsigned long long)err_replies,
	    (unsigned long long)s->conn_errors, (unsigned long long)s->unfinished,
	    (unsigned long long)s->reconnects);
	if (open)
		fprintf(f, "  send lag           p50 %.3f ms, p99 %.3f ms, max %.3f ms "
		    "(how late the tool noticed a request was due)\n", ms(hist_percentile(&s->lag, 50)),
		    ms(hist_percentile(&s->lag, 99)), ms(s->lag.total ? s->lag.max : 0));
	fprintf(f, "  client CPU         %.2f s for %llu requests: %.0f requests "
	    "per CPU-second\n", r->cpu, (unsigned long long)r->replies,
	    r->cpu > 0 ? (double)r->replies / r->cpu : 0);
	if (!open)
		fprintf(f, "  (closed loop: latency counts from the actual send, so a "
		    "stalled server gets\n   fewer requests and its stall mostly "
		    "vanishes; --rate measures it)\n");
}

static void ratio_row(FILE *f, const char *name, double a, double b)
{
	fprintf(f, "  %-14s %20.3f %20.3f %9.2fx\n", name, a, b, a > 0 ? b / a : 0);
}

void report_compare(FILE *f, const opt_t *o, const run_result_t *a,
    const run_result_t *b)
{
	bool open = o->rate > 0;
	fprintf(f, "\n== %s vs %s (%s latency, ms; ratio = second / first) ==\n",
	    o->label, o->cmp_label, open ? "corrected" : "closed-loop");
	fprintf(f, "  %-14s %20.20s %20.20s %10s\n", "", o->label, o->cmp_label, "ratio");
	fprintf(f, "  %-14s %20.0f %20.0f %9.2fx\n", "throughput/s",
	    run_result_throughput(a), run_result_throughput(b),
	    run_result_throughput(a) > 0 ?
	    run_result_throughput(b) / run_result_throughput(a) : 0);
	ratio_row(f, "mean", hist_mean(&a->corr) / 1e6, hist_mean(&b->corr) / 1e6);
	for (size_t i = 0; i < NCOLS; i++)
		ratio_row(f, cols[i].name, ms(hist_percentile(&a->corr, cols[i].p)),
		    ms(hist_percentile(&b->corr, cols[i].p)));
	ratio_row(f, "max", ms(a->corr.max), ms(b->corr.max));
	fprintf(f, "  %-14s %20llu %20llu\n", "errors",
	    (unsigned long long)stats_errors(&a->st),
	    (unsigned long long)stats_errors(&b->st));
}

void report_sweep(FILE *f, const opt_t *o, const sweep_t *s)
{
	for (int t = 0; t < s->ntargets; t++) {
		fprintf(f, "\n== sweep: %s (open loop, corrected latency, ms) ==\n",
		    s->label[t]);
		if (s->probe[t] > 0)
			fprintf(f, "  closed-loop probe: %.0f requests/s\n", s->probe[t]);
		fprintf(f, "  %12s %12s %9s %9s %9s %9s %8s\n", "target/s",
		    "achieved/s", "p50", "p99", "p99.9", "max", "errors");
		for (int i = 0; i < s->npts[t]; i++) {
			const sweep_point_t *p = &s->pts[t][i];
			fprintf(f, "  %12.0f %12.0f %9.3f %9.3f %9.3f %9.3f %8llu%s\n",
			    p->target, p->throughput, ms(p->p50), ms(p->p99),
			    ms(p->p999), ms(p->max), (unsigned long long)p->errors,
			    p->throughput < 0.9 * p->target ? "  saturated" : "");
		}
	}
}
