/*
 * hist.h - a latency histogram in the manner of HdrHistogram: log-linear
 * buckets that keep a fixed number of significant decimal digits over the
 * whole range, so that p50 of 2 ms and max of 3 s are both exact to 0.1%.
 *
 * Layout
 *   Values are unsigned integers (flashkv-bench records nanoseconds) from 0
 *   to `highest`.  The first bucket counts 0 .. sub_count-1 one by one;
 *   every further bucket covers twice the range of the one before with the
 *   upper half of sub_count slots, so a slot is never wider than
 *   value / (sub_count / 2).  With 3 significant digits sub_count is 2048 and
 *   the relative error stays below 1/1024.
 *
 * Threads
 *   A histogram belongs to one thread at a time: hist_record is a plain
 *   increment, not an atomic one, which is what keeps it at a few ns.  Give
 *   each thread its own histogram and hist_add them together afterwards
 *   (or under a lock the recording thread also holds).
 *
 * Errors: 0 or a negative errno; hist_init allocates and can fail, nothing
 * else can.
 */
#ifndef FKB_HIST_H
#define FKB_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct hist {
	uint64_t *counts;    /* counts_len slots, owned */
	int32_t counts_len;
	int32_t sub_count;   /* slots of bucket 0 (a power of two) */
	int32_t sub_half;    /* sub_count / 2: slots of every other bucket */
	int32_t sub_half_log2;
	int32_t bucket_count;
	int32_t sig_digits;
	uint64_t sub_mask;   /* sub_count - 1 */
	uint64_t highest;    /* larger values are clamped to this */
	uint64_t total;      /* values recorded */
	uint64_t clamped;    /* how many of them exceeded `highest` */
	uint64_t min;        /* exact; UINT64_MAX while empty */
	uint64_t max;        /* exact; 0 while empty */
	unsigned __int128 sum; /* exact: no run can overflow it */
	int32_t lo_idx;      /* lowest and highest slot in use, to keep */
	int32_t hi_idx;      /* merges and scans short; -1 while empty */
} hist_t;

/* One line of a percentile walk (see hist_iter_next). */
typedef struct hist_iter {
	const hist_t *h;
	int32_t idx;         /* current slot */
	uint64_t cum;        /* count up to and including idx */
	double level;        /* next percentile level to report, 0..100 */
	int ticks;           /* reporting ticks per half distance to 100% */
	bool fresh;          /* idx's count not yet added to cum */
	bool last_done;      /* the final 100% line was produced */
	/* outputs of the last hist_iter_next */
	uint64_t value;      /* highest value equivalent to the slot */
	double percentile;   /* the level this line reports, 0..100 */
	uint64_t count;      /* values <= value */
} hist_iter_t;

/* Sets up @h for values 0..@highest (>= 2) at @sig_digits (1..5) significant
 * decimal digits.  Returns 0, -EINVAL or -ENOMEM.  Free with hist_fini. */
int hist_init(hist_t *h, uint64_t highest, int sig_digits);
void hist_fini(hist_t *h);

/* Forgets every recorded value, keeps the layout. */
void hist_reset(hist_t *h);

/* Adds every value of @src into @dst.  Both must come from hist_init with
 * the same highest and sig_digits; returns -EINVAL otherwise. */
int hist_add(hist_t *dst, const hist_t *src);

/* Slot of @v; v must be <= h->highest. */
static inline int32_t hist_index_of(const hist_t *h, uint64_t v)
{
	/* The bucket is how far the top bit of v sits above the top bit of
	 * bucket 0; or-ing sub_mask makes everything in bucket 0 land on 0. */
	int32_t bucket = 63 - h->sub_half_log2 - __builtin_clzll(v | h->sub_mask);
	int32_t sub = (int32_t)(v >> bucket);
	return ((bucket + 1) << h->sub_half_log2) + sub - h->sub_half;
}

/* Records @n occurrences of @v.  Values above highest count as highest. */
static inline void hist_record_n(hist_t *h, uint64_t v, uint64_t n)
{
	if (v > h->highest) {
		v = h->highest;
		h->clamped += n;
	}
	int32_t i = hist_index_of(h, v);
	h->counts[i] += n;
	h->total += n;
	h->sum += (unsigned __int128)v * n;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	if (i < h->lo_idx || h->lo_idx < 0)
		h->lo_idx = i;
	if (i > h->hi_idx)
		h->hi_idx = i;
}

static inline void hist_record(hist_t *h, uint64_t v)
{
	hist_record_n(h, v, 1);
}

/* Smallest and largest value that share @v's slot. */
uint64_t hist_lowest_equivalent(const hist_t *h, uint64_t v);
uint64_t hist_highest_equivalent(const hist_t *h, uint64_t v);

/* The value below or at which @p percent (0..100) of the values lie,
 * nearest-rank: the ceil(p/100 * total)-th smallest value, reported as the
 * highest value of its slot (so never below the exact answer), capped at
 * the exact max.  0 when empty. */
uint64_t hist_percentile(const hist_t *h, double p);

double hist_mean(const hist_t *h);
double hist_stddev(const hist_t *h);

/* Walks the percentile distribution the way HdrHistogram prints it: @ticks
 * lines per halving of the distance to 100%, then one line at 100%.
 * Returns false when the walk is over. */
void hist_iter_init(hist_iter_t *it, const hist_t *h, int ticks);
bool hist_iter_next(hist_iter_t *it);

/* Writes the HdrHistogram percentile-distribution text (".hgrm"), values
 * divided by @scale (1e6 turns ns into ms, the unit plotters expect).
 * Returns 0 or -EIO. */
int hist_write_hgrm(const hist_t *h, FILE *f, double scale);

#endif
