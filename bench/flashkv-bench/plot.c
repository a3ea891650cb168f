/*
 * plot.c - gnuplot scripts for the --plot pictures (plot.h).
 */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char dir[4096];
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n && n < sizeof(dir) - 10) {
			memcpy(dir, path, n);
			strcpy(dir + n, "/gnuplot");
			if (access(dir, X_OK) == 0)
				return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}

static const char *terminal(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && !strcmp(dot, ".svg"))
		return "svg size 1000,600 dynamic noenhanced font 'sans,12'";
	if (dot && !strcmp(dot, ".pdf"))
		return "pdfcairo size 10in,6in noenhanced font 'sans,10'";
	return "pngcairo size 1000,600 noenhanced font 'sans,11'";
}

/* Single quotes end a gnuplot string: spell them out. */
static void qstr(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/* Runs the script through gnuplot, or saves it as @path.gp. */
static int finish(const char *path, char *script, size_t len, char *msg,
    size_t msglen)
{
	if (!have_gnuplot()) {
		char gp[4096];
		snprintf(gp, sizeof(gp), "%s.gp", path);
		FILE *f = fopen(gp, "w");
		if (!f || fwrite(script, 1, len, f) != len) {
			int rc = -errno;
			if (f)
				fclose(f);
			snprintf(msg, msglen, "cannot write %s", gp);
			return rc ? rc : -EIO;
		}
		fclose(f);
		snprintf(msg, msglen, "gnuplot is not installed: wrote %s "
		    "(run 'gnuplot %s' where it is)", gp, gp);
		return 1;
	}
	FILE *p = popen("gnuplot", "w");
	if (!p) {
		snprintf(msg, msglen, "cannot start gnuplot");
		return -errno;
	}
	fwrite(script, 1, len, p);
	int st = pclose(p);
	if (st != 0) {
		snprintf(msg, msglen, "gnuplot failed (status %d)", st);
		return -EIO;
	}
	snprintf(msg, msglen, "wrote %s", path);
	return 0;
}

static void head(FILE *f, const char *path, const char *title)
{
	fprintf(f, "set terminal %s\nset output ", terminal(path));
	qstr(f, path);
	fprintf(f, "\nset title ");
	qstr(f, title ? title : "");
	fprintf(f, "\nset grid\nset key top left box opaque\n");
}

int plot_percentiles(const char *path, const char *title,
    const plot_series_t *s, int n, char *msg, size_t msglen)
{
	char *script = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&script, &len);
	if (!f)
		return -ENOMEM;
	uint64_t total = 0, p50 = UINT64_MAX, max = 0;
	for (int i = 0; i < n; i++) {
		if (s[i].h->total > total)
			total = s[i].h->total;
		uint64_t m = hist_percentile(s[i].h, 50);
		if (s[i].h->total && m < p50)
			p50 = m;
		if (s[i].h->max > max)
			max = s[i].h->max;
	}
	/* The percentile axis ends where the data can still tell percentiles
	 * apart: 1/(1-p) reaches the sample count. */
	int decades = total > 1 ? (int)ceil(log10((double)total)) : 2;
	if (decades < 2)
		decades = 2;
	if (decades > 7)
		decades = 7;
	double xmax = pow(10, decades);
	head(f, path, title);
	fprintf(f, "set logscale x\nset xrange [1:%g]\nset xtics (", xmax);
	/* Tic labels are gnuplot format strings: %% is a percent sign. */
	static const char *names[] = {"0%%", "90%%", "99%%", "99.9%%", "99.99%%",
	    "99.999%%", "99.9999%%", "99.99999%%"};
	for (int d = 0; d <= decades; d++)
		fprintf(f, "%s'%s' %g", d ? ", " : "", names[d], pow(10, d));
	fprintf(f, ")\nset xlabel 'percentile'\nset ylabel 'latency (ms)'\n");
	/* A stall and a median of 0.1 ms do not fit one linear axis. */
	if (p50 != UINT64_MAX && p50 > 0 && (double)max / (double)p50 > 30)
		fprintf(f, "set logscale y\n");
	else
		fprintf(f, "set yrange [0:*]\n");
	for (int i = 0; i < n; i++) {
		hist_iter_t it;
		fprintf(f, "$d%d << EOD\n", i);
		hist_iter_init(&it, s[i].h, 5);
		while (hist_iter_next(&it)) {
			double x = it.percentile < 100 ? 100.0 / (100.0 - it.percentile) : xmax;
			if (x > xmax)
				x = xmax;
			fprintf(f, "%.9g %.6f\n", x, (double)it.value / 1e6);
		}
		fprintf(f, "EOD\n");
	}
	fprintf(f, "plot ");
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s$d%d using 1:2 with lines lw 2 title ", i ? ", " : "", i);
		qstr(f, s[i].label);
	}
	fprintf(f, "\n");
	fclose(f);
	int rc = finish(path, script, len, msg, msglen);
	free(script);
	return rc;
}

int plot_sweep(const char *path, const char *title, const sweep_t *sw,
    char *msg, size_t msglen)
{
	char *script = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&script, &len);
	if (!f)
		return -ENOMEM;
	head(f, path, title);
	fprintf(f, "set logscale y\nset xlabel 'throughput (requests/s)'\n"
	    "set ylabel 'corrected latency (ms)'\nset xrange [0:*]\n");
	for (int t = 0; t < sw->ntargets; t++) {
		fprintf(f, "$s%d << EOD\n", t);
		for (int i = 0; i < sw->npts[t]; i++) {
			const sweep_point_t *p = &sw->pts[t][i];
			fprintf(f, "%.3f %.6f %.6f %.6f\n", p->throughput,
			    (double)p->p50 / 1e6, (double)p->p99 / 1e6,
			    (double)p->p999 / 1e6);
		}
		fprintf(f, "EOD\n");
	}
	fprintf(f, "plot ");
	static const char *what[] = {"p50", "p99", "p99.9"};
	for (int t = 0; t < sw->ntargets; t++) {
		for (int k = 0; k < 3; k++) {
			char name[128];
			snprintf(name, sizeof(name), "%s %s", sw->label[t], what[k]);
			fprintf(f, "%s$s%d using 1:%d with linespoints lw 2 dt %d lc %d "
			    "title ", t || k ? ", " : "", t, k + 2, k + 1, t + 1);
			qstr(f, name);
		}
	}
	fprintf(f, "\n");
	fclose(f);
	int rc = finish(path, script, len, msg, msglen);
	free(script);
	return rc;
}
