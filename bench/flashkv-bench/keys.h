/*
 * keys.h - which key a request touches: uniform, zipfian or sequential over
 * a key space of n keys, and how a key index is spelled.
 *
 * A keys_t is built once (zipfian needs a sum over the whole key space) and
 * then read by every thread; the per-thread part is a keys_cursor_t.
 */
#ifndef FKB_KEYS_H
#define FKB_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

typedef enum keys_dist {
	KEYS_UNIFORM,
	KEYS_ZIPF,
	KEYS_SEQ,
} keys_dist_t;

typedef struct keys {
	keys_dist_t dist;
	uint64_t n;        /* key space size, >= 1 */
	double theta;      /* zipf skew, 0 < theta < 1 */
	double zetan, alpha, eta, half_pow_theta;  /* zipf constants */
} keys_t;

typedef struct keys_cursor {
	uint64_t next;     /* sequential: the next index */
} keys_cursor_t;

/* Prepares @k.  theta is read only for KEYS_ZIPF.  Returns 0 or -EINVAL. */
int keys_init(keys_t *k, keys_dist_t dist, uint64_t n, double theta);

/* Parses "uniform", "seq"/"sequential", "zipf" or "zipf:THETA".
 * Returns 0 or -EINVAL. */
int keys_parse_dist(const char *s, keys_dist_t *dist, double *theta);

/* Starts a cursor; sequential cursors of different threads start at
 * different points (@part of @parts) so they walk disjoint stretches. */
void keys_cursor_init(const keys_t *k, keys_cursor_t *c, int part, int parts);

/* The next key index in [0, n).  Zipfian index 0 is the hottest key. */
uint64_t keys_next(const keys_t *k, keys_cursor_t *c, rng_t *r);

/* Writes @idx as 12 zero-padded decimal digits (the spelling of
 * redis-benchmark's __rand_int__, so both tools touch the same keys).
 * Indexes of more than 12 digits keep all their digits.  Returns the
 * number of bytes written; @out needs 20. */
size_t keys_format(uint64_t idx, char *out);

#endif
