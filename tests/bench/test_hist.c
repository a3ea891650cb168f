/*
 * test_hist.c - hist_t against the truth: percentiles of exact sorted
 * samples, merging across "threads", the mean, clamping, and the .hgrm
 * text.  A percentile must land in the same slot as the exact value,
 * never below it, and within 3 significant digits of it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "rng.h"

#define HIGHEST (600ull * 1000 * 1000 * 1000)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank, in integers: the ceil(ppm / 1e6 * n)-th smallest. */
static uint64_t exact_at(const uint64_t *sorted, uint64_t n, uint64_t ppm)
{
	uint64_t rank = (ppm * n + 999999) / 1000000;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

typedef uint64_t (*gen_fn)(rng_t *r);

static uint64_t gen_small(rng_t *r) { return rng_below(r, 5000); }
static uint64_t gen_latency(rng_t *r)
{
	/* Lognormal around 200 us with a long tail, in ns. */
	double u1 = rng_unit(r) + 1e-12, u2 = rng_unit(r);
	double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
	return (uint64_t)(200000 * exp(1.2 * z));
}
static uint64_t gen_wide(rng_t *r)
{
	/* Every magnitude from 1 ns to ~100 s. */
	return rng_next(r) >> (27 + rng_below(r, 37));
}
static uint64_t gen_bimodal(rng_t *r)
{
	/* 99% fast, 1% stalled: the shape of a server with a stall. */
	return rng_below(r, 100) ? 2000000 + rng_below(r, 100000) :
	    300000000 + rng_below(r, 1000000);
}

static const uint64_t ppms[] = {0, 1, 10000, 100000, 250000, 500000, 750000,
    900000, 950000, 990000, 999000, 999900, 999990, 999999, 1000000};

static void check_against_sorted(gen_fn gen, uint64_t n, uint64_t seed)
{
	hist_t h;
	rng_t r;
	cr_assert_eq(hist_init(&h, HIGHEST, 3), 0);
	rng_seed(&r, seed);
	uint64_t *v = malloc(n * sizeof(*v));
	long double sum = 0;
	for (uint64_t i = 0; i < n; i++) {
		v[i] = gen(&r);
		sum += v[i];
		hist_record(&h, v[i]);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	cr_assert_eq(h.total, n);
	cr_assert_eq(h.min, v[0]);
	cr_assert_eq(h.max, v[n - 1]);
	double mean = (double)(sum / n);
	cr_assert(fabs(hist_mean(&h) - mean) <= 1e-9 * mean + 1e-9,
	    "mean %f vs exact %f", hist_mean(&h), mean);
	for (size_t i = 0; i < sizeof(ppms) / sizeof(*ppms); i++) {
		double p = (double)ppms[i] / 1e4;
		uint64_t want = exact_at(v, n, ppms[i]);
		uint64_t got = hist_percentile(&h, p);
		cr_assert_geq(got, want, "p%g: %llu below exact %llu", p,
		    (unsigned long long)got, (unsigned long long)want);
		cr_assert_eq(hist_lowest_equivalent(&h, got),
		    hist_lowest_equivalent(&h, want), "p%g: %llu not in the slot of %llu",
		    p, (unsigned long long)got, (unsigned long long)want);
		/* 3 significant digits: off by less than one part in 1000. */
		cr_assert_leq((got - want) * 1000, want, "p%g: %llu vs %llu", p,
		    (unsigned long long)got, (unsigned long long)want);
	}
	free(v);
	hist_fini(&h);
}

Test(hist, percentiles_small_integers_are_exact)
{
	check_against_sorted(gen_small, 200000, 1);
	/* Below 2048 every value has its own slot: exact, not just close. */
	hist_t h;
	cr_assert_eq(hist_init(&h, HIGHEST, 3), 0);
	for (uint64_t i = 1; i <= 1000; i++)
		hist_record(&h, i);
	/* Nearest rank: the ceil(p/100 * n)-th value, at every boundary. */
	cr_assert_eq(hist_percentile(&h, 0), 1);
	cr_assert_eq(hist_percentile(&h, 0.05), 1);
	cr_assert_eq(hist_percentile(&h, 0.15), 2);
	cr_assert_eq(hist_percentile(&h, 50), 500);
	cr_assert_eq(hist_percentile(&h, 50.05), 501);
	cr_assert_eq(hist_percentile(&h, 99.9), 999);
	cr_assert_eq(hist_percentile(&h, 99.95), 1000);
	cr_assert_eq(hist_percentile(&h, 100), 1000);
	hist_fini(&h);
}

Test(hist, percentiles_lognormal_latencies)
{
	check_against_sorted(gen_latency, 1000000, 2);
}

Test(hist, percentiles_every_magnitude)
{
	check_against_sorted(gen_wide, 500000, 3);
}

Test(hist, percentiles_bimodal_stall)
{
	check_against_sorted(gen_bimodal, 300000, 4);
}

Test(hist, slots_keep_three_digits)
{
	hist_t h;
	cr_assert_eq(hist_init(&h, HIGHEST, 3), 0);
	for (uint64_t v = 1; v < HIGHEST; v = v * 3 / 2 + 1) {
		uint64_t lo = hist_lowest_equivalent(&h, v);
		uint64_t hi = hist_highest_equivalent(&h, v);
		cr_assert(lo <= v && v <= hi);
		cr_assert(hi - lo + 1 == 1 || (hi - lo + 1) * 1024 <= lo,
		    "slot of %llu is %llu..%llu", (unsigned long long)v,
		    (unsigned long long)lo, (unsigned long long)hi);
	}
	hist_fini(&h);
}

Test(hist, merge_equals_one_histogram)
{
	enum { T = 4, N = 400000 };
	hist_t all, part[T], merged;
	rng_t r;
	rng_seed(&r, 5);
	cr_assert_eq(hist_init(&all, HIGHEST, 3), 0);
	cr_assert_eq(hist_init(&merged, HIGHEST, 3), 0);
	for (int t = 0; t < T; t++)
		cr_assert_eq(hist_init(&part[t], HIGHEST, 3), 0);
	for (int i = 0; i < N; i++) {
		uint64_t v = gen_latency(&r);
		hist_record(&all, v);
		hist_record(&part[i % T], v);
	}
	for (int t = 0; t < T; t++)
		cr_assert_eq(hist_add(&merged, &part[t]), 0);
	cr_assert_eq(merged.total, all.total);
	cr_assert_eq(merged.min, all.min);
	cr_assert_eq(merged.max, all.max);
	cr_assert(merged.sum == all.sum);
	cr_assert_eq(memcmp(merged.counts, all.counts,
	    (size_t)all.counts_len * sizeof(*all.counts)), 0);
	for (size_t i = 0; i < sizeof(ppms) / sizeof(*ppms); i++)
		cr_assert_eq(hist_percentile(&merged, ppms[i] / 1e4),
		    hist_percentile(&all, ppms[i] / 1e4));
	/* Different layouts do not merge. */
	hist_t other;
	cr_assert_eq(hist_init(&other, HIGHEST, 2), 0);
	cr_assert_eq(hist_add(&other, &all), -EINVAL);
	hist_fini(&other);
	for (int t = 0; t < T; t++)
		hist_fini(&part[t]);
	hist_fini(&all);
	hist_fini(&merged);
}

Test(hist, reset_empty_and_clamp)
{
	hist_t h;
	cr_assert_eq(hist_init(&h, 1000000, 3), 0);
	cr_assert_eq(hist_percentile(&h, 50), 0);
	cr_assert_eq(hist_mean(&h), 0);
	hist_record(&h, 10);
	hist_record(&h, 5000000); /* above highest: counted as highest */
	cr_assert_eq(h.total, 2);
	cr_assert_eq(h.clamped, 1);
	cr_assert_eq(h.max, h.highest);
	hist_reset(&h);
	cr_assert_eq(h.total, 0);
	cr_assert_eq(hist_percentile(&h, 99), 0);
	for (int32_t i = 0; i < h.counts_len; i++)
		cr_assert_eq(h.counts[i], 0);
	hist_fini(&h);
	hist_t bad;
	cr_assert_eq(hist_init(&bad, 1000, 0), -EINVAL);
	cr_assert_eq(hist_init(&bad, 1000, 6), -EINVAL);
}

Test(hist, hgrm_text)
{
	hist_t h;
	rng_t r;
	rng_seed(&r, 6);
	cr_assert_eq(hist_init(&h, HIGHEST, 3), 0);
	for (int i = 0; i < 100000; i++)
		hist_record(&h, gen_latency(&r));
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cr_assert_eq(hist_write_hgrm(&h, f, 1e6), 0);
	fclose(f);
	cr_assert(strstr(text, "Value     Percentile TotalCount 1/(1-Percentile)") != NULL);
	cr_assert(strstr(text, "#[Buckets = ") != NULL);
	char total[64];
	snprintf(total, sizeof(total), "Total count    = %12d]", 100000);
	cr_assert(strstr(text, total) != NULL, "%s", text);
	/* Rows: value and percentile never decrease; the last is 100%. */
	double pv = -1, pp = -1, v, p;
	unsigned long long c, lastc = 0;
	int rows = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "%lf %lf %llu", &v, &p, &c) != 3)
			continue;
		cr_assert_geq(v, pv);
		cr_assert_geq(p, pp);
		pv = v;
		pp = p;
		lastc = c;
		rows++;
	}
	cr_assert_gt(rows, 50);
	cr_assert_eq(pp, 1.0);
	cr_assert_eq(lastc, 100000);
	cr_assert(fabs(pv - (double)h.max / 1e6) < 1e-3);
	free(text);
	hist_fini(&h);
}
