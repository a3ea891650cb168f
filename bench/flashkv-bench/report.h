/*
 * report.h - what flashkv-bench prints for people: the progress line every
 * second, the final latency table (with ratios when comparing), and the
 * sweep table.  Machine-readable output is json.h's, plots are plot.h's.
 */
#ifndef FKB_REPORT_H
#define FKB_REPORT_H

#include <stdio.h>

#include "opt.h"
#include "run.h"
#include "sweep.h"

void report_progress(FILE *f, const char *label, const run_sample_t *s);

/* The settings line that heads every table. */
void report_header(FILE *f, const opt_t *o, const wl_t *wl);

/* Final table of one server's results (run_result_finish done). */
void report_table(FILE *f, const opt_t *o, const wl_t *wl, const char *label,
    const run_result_t *r);

/* Side by side: @b against @a, with b/a ratios. */
void report_compare(FILE *f, const opt_t *o, const run_result_t *a,
    const run_result_t *b);

void report_sweep(FILE *f, const opt_t *o, const sweep_t *s);

#endif
