/*
 * json.c - the --json document (json.h), written straight with stdio: the
 * shape is fixed and small, a JSON library would be the larger part.
 */
#include "json.h"

#include <errno.h>
#include <stdio.h>

static void str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static double us(uint64_t ns)
{
	return (double)ns / 1e3;
}

/* {"count":..,"mean_us":..,"p50_us":..,...,"distribution":[[us,pct,count]..]} */
static void lat(FILE *f, const hist_t *h, bool dist)
{
	static const struct {
		const char *k;
		double p;
	} ps[] = {
		{"p50_us", 50}, {"p75_us", 75}, {"p90_us", 90}, {"p99_us", 99},
		{"p99_9_us", 99.9}, {"p99_99_us", 99.99}, {"p99_999_us", 99.999},
	};
	fprintf(f, "{\"count\": %llu, \"mean_us\": %.3f, \"stddev_us\": %.3f, "
	    "\"min_us\": %.3f", (unsigned long long)h->total, hist_mean(h) / 1e3,
	    hist_stddev(h) / 1e3, us(h->total ? h->min : 0));
	for (size_t i = 0; i < sizeof(ps) / sizeof(*ps); i++)
		fprintf(f, ", \"%s\": %.3f", ps[i].k, us(hist_percentile(h, ps[i].p)));
	fprintf(f, ", \"max_us\": %.3f", us(h->total ? h->max : 0));
	if (dist) {
		hist_iter_t it;
		const char *sep = "";
		fprintf(f, ", \"distribution\": [");
		hist_iter_init(&it, h, 5);
		while (hist_iter_next(&it)) {
			fprintf(f, "%s[%.3f, %.12g, %llu]", sep, us(it.value),
			    it.percentile, (unsigned long long)it.count);
			sep = ", ";
		}
		fputc(']', f);
	}
	fputc('}', f);
}

static void config(FILE *f, const opt_t *o, const wl_t *wl)
{
	static const char *dn[] = {"uniform", "zipfian", "sequential"};
	fprintf(f, "\"config\": {\"mode\": \"%s\", \"rate\": %.3f, "
	    "\"connections\": %d, \"threads\": %d, \"pipeline\": %d, "
	    "\"duration_s\": %.3f, \"requests\": %llu, \"warmup_s\": %.3f, "
	    "\"rounds\": %d, \"keyspace\": %llu, \"distribution\": \"%s\", "
	    "\"zipf_theta\": %.3f, \"value_size_min\": %zu, "
	    "\"value_size_max\": %zu, \"resp3\": %s, \"workload\": [",
	    o->rate > 0 ? "open" : "closed", o->rate, o->conns, o->threads,
	    o->pipeline, o->requests ? 0.0 : o->duration,
	    (unsigned long long)o->requests, o->warmup, o->rounds,
	    (unsigned long long)o->keyspace, dn[o->dist],
	    o->dist == KEYS_ZIPF ? o->theta : 0.0, o->vmin, o->vmax,
	    o->resp3 ? "true" : "false");
	for (int i = 0; i < wl->ncmd; i++) {
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		str(f, wl->cmd[i].name);
		fprintf(f, ", \"share\": %.6f}", wl->cum[i] - (i ? wl->cum[i - 1] : 0));
	}
	fprintf(f, "]}");
}

static void result(FILE *f, const wl_t *wl, const json_target_t *t)
{
	const run_result_t *r = t->r;
	const stats_t *s = &r->st;
	uint64_t err_replies = 0;
	for (int i = 0; i < s->ncmd; i++)
		err_replies += s->cmd[i].err;
	fprintf(f, "{\"label\": ");
	str(f, t->label);
	fprintf(f, ", \"host\": ");
	str(f, t->host);
	fprintf(f, ", \"port\": %d, \"runs\": %d, \"window_s\": %.6f, "
	    "\"throughput\": %.3f, \"replies\": %llu, \"errors\": %llu, "
	    "\"error_replies\": %llu, \"lost_with_connection\": %llu, "
	    "\"unfinished\": %llu, \"reconnects\": %llu, \"client_cpu_s\": %.6f, "
	    "\"requests_per_cpu_s\": %.1f,\n   \"corrected\": ",
	    t->port, r->runs, r->window, run_result_throughput(r),
	    (unsigned long long)stats_answered(s), (unsigned long long)stats_errors(s),
	    (unsigned long long)err_replies, (unsigned long long)s->conn_errors,
	    (unsigned long long)s->unfinished, (unsigned long long)s->reconnects,
	    r->cpu, r->cpu > 0 ? (double)r->replies / r->cpu : 0.0);
	lat(f, &r->corr, true);
	fprintf(f, ",\n   \"uncorrected\": ");
	lat(f, &r->raw, true);
	fprintf(f, ",\n   \"send_lag\": ");
	lat(f, &s->lag, false);
	fprintf(f, ",\n   \"commands\": [");
	for (int i = 0; i < wl->ncmd; i++) {
		fprintf(f, "%s{\"name\": ", i ? ",\n     " : "");
		str(f, wl->cmd[i].name);
		fprintf(f, ", \"replies\": %llu, \"error_replies\": %llu, \"corrected\": ",
		    (unsigned long long)(s->cmd[i].ok + s->cmd[i].err),
		    (unsigned long long)s->cmd[i].err);
		lat(f, &s->cmd[i].corr, false);
		fprintf(f, ", \"uncorrected\": ");
		lat(f, &s->cmd[i].raw, false);
		fputc('}', f);
	}
	fprintf(f, "],\n   \"timeline\": [");
	for (int i = 0; i < r->nsamples; i++) {
		const run_sample_t *p = &r->samples[i];
		fprintf(f, "%s{\"t\": %.3f, \"ops\": %.1f, \"errors\": %llu, "
		    "\"p50_us\": %.3f, \"p99_us\": %.3f, \"max_us\": %.3f, "
		    "\"warmup\": %s}", i ? ",\n     " : "", p->t, p->ops,
		    (unsigned long long)p->errors, us(p->p50), us(p->p99), us(p->max),
		    p->warmup ? "true" : "false");
	}
	fprintf(f, "]}");
}

static void sweep(FILE *f, const sweep_t *sw)
{
	fprintf(f, "\"sweep\": [");
	for (int t = 0; t < sw->ntargets; t++) {
		fprintf(f, "%s{\"label\": ", t ? ",\n   " : "");
		str(f, sw->label[t]);
		fprintf(f, ", \"probe_throughput\": %.3f, \"points\": [", sw->probe[t]);
		for (int i = 0; i < sw->npts[t]; i++) {
			const sweep_point_t *p = &sw->pts[t][i];
			fprintf(f, "%s{\"target\": %.3f, \"throughput\": %.3f, "
			    "\"p50_us\": %.3f, \"p99_us\": %.3f, \"p99_9_us\": %.3f, "
			    "\"max_us\": %.3f, \"errors\": %llu}", i ? ",\n     " : "",
			    p->target, p->throughput, us(p->p50), us(p->p99),
			    us(p->p999), us(p->max), (unsigned long long)p->errors);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
}

int json_write(const char *path, const opt_t *o, const wl_t *wl,
    const json_target_t *t, int n, const sweep_t *sw)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\"tool\": \"flashkv-bench\", \"latency_unit\": \"us\",\n ");
	config(f, o, wl);
	fprintf(f, ",\n \"results\": [");
	for (int i = 0; i < n; i++) {
		if (!t[i].r)
			continue;
		fprintf(f, "%s\n  ", i ? "," : "");
		result(f, wl, &t[i]);
	}
	fprintf(f, "]");
	if (n == 2 && t[0].r && t[1].r) {
		double a = run_result_throughput(t[0].r), b = run_result_throughput(t[1].r);
		double a99 = (double)hist_percentile(&t[0].r->corr, 99);
		double b99 = (double)hist_percentile(&t[1].r->corr, 99);
		double a50 = (double)hist_percentile(&t[0].r->corr, 50);
		double b50 = (double)hist_percentile(&t[1].r->corr, 50);
		fprintf(f, ",\n \"ratio_second_to_first\": {\"throughput\": %.4f, "
		    "\"p50\": %.4f, \"p99\": %.4f}", a > 0 ? b / a : 0,
		    a50 > 0 ? b50 / a50 : 0, a99 > 0 ? b99 / a99 : 0);
	}
	if (sw) {
		fprintf(f, ",\n ");
		sweep(f, sw);
	}
	fprintf(f, "\n}\n");
	int rc = ferror(f) ? -EIO : 0;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}
