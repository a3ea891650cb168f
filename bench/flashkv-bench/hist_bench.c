/*
 * hist_bench.c - how long hist_record takes (the driver calls it three
 * times per reply, so it must stay at a few ns), and hist_percentile and
 * hist_add for scale.  Prints one line per variant.
 *
 *   hist_bench [N]    N values per variant (default 50 million)
 */
#include <stdio.h>
#include <stdlib.h>

#include "hist.h"
#include "mono.h"
#include "rng.h"

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000ull;
	hist_t h, h2;
	rng_t r;
	if (hist_init(&h, 600ull * MONO_S, 3) || hist_init(&h2, 600ull * MONO_S, 3))
		return 1;
	rng_seed(&r, 42);
	/* Latency-like values, 50 us .. ~50 ms, made up front so that the
	 * loop times the histogram, not the generator. */
	enum { NV = 1 << 16 };
	static uint64_t v[NV];
	for (int i = 0; i < NV; i++)
		v[i] = 50000 + (rng_next(&r) >> (40 + (rng_next(&r) & 15)));

	uint64_t t0 = mono_now_ns();
	for (uint64_t i = 0; i < n; i++)
		hist_record(&h, v[i & (NV - 1)]);
	uint64_t t1 = mono_now_ns();
	printf("hist_record        %6.2f ns/value (%llu values)\n",
	    (double)(t1 - t0) / (double)n, (unsigned long long)n);

	t0 = mono_now_ns();
	uint64_t sink = 0;
	for (int i = 0; i < 1000; i++)
		sink += hist_percentile(&h, 99.9);
	t1 = mono_now_ns();
	printf("hist_percentile    %6.2f us/call (p99.9 = %.3f ms)\n",
	    (double)(t1 - t0) / 1000 / 1e3, (double)(sink / 1000) / 1e6);

	t0 = mono_now_ns();
	for (int i = 0; i < 1000; i++)
		hist_add(&h2, &h);
	t1 = mono_now_ns();
	printf("hist_add           %6.2f us/call (%d slots)\n",
	    (double)(t1 - t0) / 1000 / 1e3, h.counts_len);
	hist_fini(&h);
	hist_fini(&h2);
	return 0;
}
