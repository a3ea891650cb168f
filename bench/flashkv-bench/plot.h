/*
 * plot.h - pictures of results through gnuplot: latency by percentile (the
 * HdrHistogram view, percentile axis in log scale so the tail has room),
 * and the latency-throughput curve of a sweep.  The gnuplot script carries
 * its data inline; when gnuplot is not installed it is saved as FILE.gp to
 * be plotted elsewhere.  The output format follows FILE's extension: .png,
 * .svg or .pdf.
 */
#ifndef FKB_PLOT_H
#define FKB_PLOT_H

#include <stddef.h>

#include "hist.h"
#include "sweep.h"

typedef struct plot_series {
	const char *label;
	const hist_t *h;
} plot_series_t;

/* Returns 0 when @path was drawn, 1 when gnuplot is missing and @path.gp was
 * written instead, or -errno.  @msg says what happened. */
int plot_percentiles(const char *path, const char *title,
    const plot_series_t *s, int n, char *msg, size_t msglen);

int plot_sweep(const char *path, const char *title, const sweep_t *sw,
    char *msg, size_t msglen);

#endif
