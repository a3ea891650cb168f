/*
 * keys.c - key distributions (keys.h).  The zipfian generator is the one of
 * Gray et al., "Quickly generating billion-record synthetic databases"
 * (SIGMOD 1994), which YCSB also uses, so skews are comparable.
 */
#include "keys.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* sum_{i=1..n} i^-theta.  Exact for the first million terms, then the
 * integral of x^-theta with the midpoint correction: the error is far
 * below what a benchmark can notice and a 10^9-key space costs no time. */
static double zeta(uint64_t n, double theta)
{
	const uint64_t exact = 1000000;
	double s = 0;
	uint64_t m = n < exact ? n : exact;
	for (uint64_t i = 1; i <= m; i++)
		s += pow((double)i, -theta);
	if (n > m) {
		double a = (double)m + 0.5, b = (double)n + 0.5;
		s += (pow(b, 1 - theta) - pow(a, 1 - theta)) / (1 - theta);
	}
	return s;
}

int keys_init(keys_t *k, keys_dist_t dist, uint64_t n, double theta)
{
	memset(k, 0, sizeof(*k));
	if (n == 0)
		return -EINVAL;
	k->dist = dist;
	k->n = n;
	if (dist != KEYS_ZIPF)
		return 0;
	if (!(theta > 0 && theta < 1))
		return -EINVAL;
	k->theta = theta;
	k->zetan = zeta(n, theta);
	double zeta2 = zeta(2, theta);
	k->alpha = 1.0 / (1.0 - theta);
	k->eta = (1 - pow(2.0 / (double)n, 1 - theta)) / (1 - zeta2 / k->zetan);
	k->half_pow_theta = 1.0 + pow(0.5, theta);
	return 0;
}

int keys_parse_dist(const char *s, keys_dist_t *dist, double *theta)
{
	if (!strcmp(s, "uniform")) {
		*dist = KEYS_UNIFORM;
	} else if (!strcmp(s, "seq") || !strcmp(s, "sequential")) {
		*dist = KEYS_SEQ;
	} else if (!strncmp(s, "zipf", 4)) {
		*dist = KEYS_ZIPF;
		*theta = 0.99;
		if (s[4] == ':') {
			char *end;
			*theta = strtod(s + 5, &end);
			if (*end || !(*theta > 0 && *theta < 1))
				return -EINVAL;
		} else if (s[4]) {
			return -EINVAL;
		}
	} else {
		return -EINVAL;
	}
	return 0;
}

void keys_cursor_init(const keys_t *k, keys_cursor_t *c, int part, int parts)
{
	c->next = parts > 0 ? k->n / (uint64_t)parts * (uint64_t)part : 0;
}

uint64_t keys_next(const keys_t *k, keys_cursor_t *c, rng_t *r)
{
	switch (k->dist) {
	case KEYS_SEQ: {
		uint64_t i = c->next++;
		if (c->next >= k->n)
			c->next = 0;
		return i;
	}
	case KEYS_ZIPF: {
		double u = rng_unit(r), uz = u * k->zetan;
		if (uz < 1.0)
			return 0;
		if (uz < k->half_pow_theta)
			return k->n > 1 ? 1 : 0;
		uint64_t i = (uint64_t)((double)k->n *
		    pow(k->eta * u - k->eta + 1, k->alpha));
		return i < k->n ? i : k->n - 1;
	}
	default:
		return rng_below(r, k->n);
	}
}

size_t keys_format(uint64_t idx, char *out)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + idx % 10);
		idx /= 10;
	} while (idx);
	size_t len = n < 12 ? 12 : n;
	memset(out, '0', len - n);
	for (size_t i = 0; i < n; i++)
		out[len - 1 - i] = tmp[i];
	return len;
}
