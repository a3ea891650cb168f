/*
 * hist.c - layout, merging, percentiles and the .hgrm text of hist_t (see
 * hist.h; recording is inline there).  Single-threaded like the histogram.
 */
#include "hist.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int hist_init(hist_t *h, uint64_t highest, int sig_digits)
{
	memset(h, 0, sizeof(*h));
	if (sig_digits < 1 || sig_digits > 5 || highest < 2)
		return -EINVAL;
	/* Bucket 0 must resolve every integer up to 2 * 10^digits so that each
	 * later slot, half as fine relative to its value, is still within one
	 * part in 10^digits. */
	uint64_t single = 2;
	for (int i = 0; i < sig_digits; i++)
		single *= 10;
	int mag = 64 - __builtin_clzll(single - 1); /* ceil(log2(single)) */
	h->sub_half_log2 = (mag > 1 ? mag : 1) - 1;
	h->sub_half = 1 << h->sub_half_log2;
	h->sub_count = h->sub_half * 2;
	h->sub_mask = (uint64_t)h->sub_count - 1;
	if (highest < (uint64_t)h->sub_count * 2)
		highest = (uint64_t)h->sub_count * 2;
	/* Buckets until the first untrackable value exceeds highest. */
	int buckets = 1;
	uint64_t untrackable = (uint64_t)h->sub_count;
	while (untrackable <= highest) {
		if (untrackable > UINT64_MAX / 4) {
			buckets++;
			break;
		}
		untrackable <<= 1;
		buckets++;
	}
	h->bucket_count = buckets;
	h->counts_len = (buckets + 1) * h->sub_half;
	h->highest = highest;
	h->sig_digits = sig_digits;
	h->counts = calloc((size_t)h->counts_len, sizeof(*h->counts));
	if (!h->counts)
		return -ENOMEM;
	hist_reset(h);
	return 0;
}

void hist_fini(hist_t *h)
{
	free(h->counts);
	h->counts = NULL;
}

void hist_reset(hist_t *h)
{
	if (h->hi_idx >= 0 && h->lo_idx >= 0)
		memset(h->counts + h->lo_idx, 0,
		    (size_t)(h->hi_idx - h->lo_idx + 1) * sizeof(*h->counts));
	h->total = 0;
	h->clamped = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0;
	h->lo_idx = -1;
	h->hi_idx = -1;
}

int hist_add(hist_t *dst, const hist_t *src)
{
	if (dst->counts_len != src->counts_len || dst->sub_count != src->sub_count)
		return -EINVAL;
	if (src->total == 0)
		return 0;
	for (int32_t i = src->lo_idx; i <= src->hi_idx; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->clamped += src->clamped;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	if (dst->lo_idx < 0 || src->lo_idx < dst->lo_idx)
		dst->lo_idx = src->lo_idx;
	if (src->hi_idx > dst->hi_idx)
		dst->hi_idx = src->hi_idx;
	return 0;
}

/* Lowest value of slot @i. */
static uint64_t slot_value(const hist_t *h, int32_t i)
{
	int32_t bucket = (i >> h->sub_half_log2) - 1;
	int32_t sub = (i & (h->sub_half - 1)) + h->sub_half;
	if (bucket < 0) {
		sub -= h->sub_half;
		bucket = 0;
	}
	return (uint64_t)sub << bucket;
}

static uint64_t slot_width(const hist_t *h, uint64_t v)
{
	int32_t bucket = 63 - h->sub_half_log2 - __builtin_clzll(v | h->sub_mask);
	return (uint64_t)1 << bucket;
}

uint64_t hist_lowest_equivalent(const hist_t *h, uint64_t v)
{
	if (v > h->highest)
		v = h->highest;
	return slot_value(h, hist_index_of(h, v));
}

uint64_t hist_highest_equivalent(const hist_t *h, uint64_t v)
{
	uint64_t lo = hist_lowest_equivalent(h, v);
	return lo + slot_width(h, lo) - 1;
}

/* The 1-based rank of percentile @p among @n values (nearest rank).  The
 * tolerance keeps 99.9% of 1000 at rank 999 although 99.9/100*1000 is
 * 999.0000000000001 in binary floating point. */
static uint64_t rank_of(double p, uint64_t n)
{
	if (p <= 0)
		return 1;
	if (p >= 100)
		return n;
	double r = p / 100.0 * (double)n;
	uint64_t k = (uint64_t)r;
	if (r - (double)k > 1e-9 * (r > 1 ? r : 1))
		k++;
	return k ? k : 1;
}

uint64_t hist_percentile(const hist_t *h, double p)
{
	if (h->total == 0)
		return 0;
	uint64_t want = rank_of(p, h->total), cum = 0;
	for (int32_t i = h->lo_idx; i <= h->hi_idx; i++) {
		cum += h->counts[i];
		if (cum >= want) {
			uint64_t v = hist_highest_equivalent(h, slot_value(h, i));
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

double hist_mean(const hist_t *h)
{
	return h->total ? (double)h->sum / (double)h->total : 0.0;
}

double hist_stddev(const hist_t *h)
{
	if (h->total == 0)
		return 0.0;
	/* From the slots, as HdrHistogram does: the exact sum of squares would
	 * overflow and nobody reads stddev to more than 3 digits. */
	double mean = hist_mean(h), acc = 0;
	for (int32_t i = h->lo_idx; i <= h->hi_idx; i++) {
		if (!h->counts[i])
			continue;
		uint64_t lo = slot_value(h, i);
		double mid = (double)lo + (double)(slot_width(h, lo) / 2);
		acc += (mid - mean) * (mid - mean) * (double)h->counts[i];
	}
	return sqrt(acc / (double)h->total);
}

void hist_iter_init(hist_iter_t *it, const hist_t *h, int ticks)
{
	memset(it, 0, sizeof(*it));
	it->h = h;
	it->idx = h->lo_idx < 0 ? 0 : h->lo_idx;
	it->ticks = ticks > 0 ? ticks : 5;
	it->fresh = true;
}

/* HdrHistogram's percentile iterator: report when the cumulative share at
 * the current slot reaches the next level; levels get closer together by
 * a factor of two each time the distance to 100% halves. */
bool hist_iter_next(hist_iter_t *it)
{
	const hist_t *h = it->h;
	if (h->total == 0 || it->last_done)
		return false;
	if (it->cum >= h->total && it->level < 100.0 && !it->fresh) {
		/* Everything counted: one last line at 100%. */
		it->level = 100.0;
	}
	while (it->idx <= h->hi_idx) {
		uint64_t c = h->counts[it->idx];
		if (it->fresh) {
			it->cum += c;
			it->fresh = false;
		}
		double cur = 100.0 * (double)it->cum / (double)h->total;
		if (c != 0 && cur >= it->level) {
			uint64_t v = hist_highest_equivalent(h, slot_value(h, it->idx));
			it->value = v < h->max ? v : h->max;
			it->percentile = it->level;
			it->count = it->cum;
			if (it->level >= 100.0) {
				it->last_done = true;
			} else {
				double dist = 100.0 / (100.0 - it->level);
				long half = (long)(log(dist) / log(2.0)) + 1;
				double ticks = it->ticks * pow(2.0, (double)half);
				it->level += 100.0 / ticks;
			}
			return true;
		}
		it->idx++;
		it->fresh = true;
	}
	return false;
}

int hist_write_hgrm(const hist_t *h, FILE *f, double scale)
{
	hist_iter_t it;
	int d = h->sig_digits;

	fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile",
	    "TotalCount", "1/(1-Percentile)");
	hist_iter_init(&it, h, 5);
	while (hist_iter_next(&it)) {
		double p = it.percentile / 100.0;
		if (it.percentile < 100.0)
			fprintf(f, "%12.*f %2.12f %10llu %14.2f\n", d,
			    (double)it.value / scale, p,
			    (unsigned long long)it.count, 1.0 / (1.0 - p));
		else
			fprintf(f, "%12.*f %2.12f %10llu\n", d,
			    (double)it.value / scale, p,
			    (unsigned long long)it.count);
	}
	fprintf(f, "#[Mean    = %12.*f, StdDeviation   = %12.*f]\n", d,
	    hist_mean(h) / scale, d, hist_stddev(h) / scale);
	fprintf(f, "#[Max     = %12.*f, Total count    = %12llu]\n", d,
	    (double)h->max / scale, (unsigned long long)h->total);
	fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n",
	    h->bucket_count, h->sub_count);
	return ferror(f) ? -EIO : 0;
}
