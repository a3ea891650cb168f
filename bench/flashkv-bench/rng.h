/*
 * rng.h - a small, fast pseudo-random generator (xoshiro256**, seeded with
 * splitmix64) for picking keys, commands and value sizes.  Benchmarks need
 * speed and reproducible streams per thread, not cryptographic quality.
 *
 * Threads: one rng_t per thread; nothing is shared.
 */
#ifndef FKB_RNG_H
#define FKB_RNG_H

#include <stdint.h>

typedef struct rng {
	uint64_t s[4];
} rng_t;

static inline uint64_t rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void rng_seed(rng_t *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&seed);
}

static inline uint64_t rng_next(rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t out = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return out;
}

/* Uniform in [0, n) for n >= 1 (Lemire's multiply-shift; the bias for the
 * key-space sizes used here is below 2^-32 and does not matter). */
static inline uint64_t rng_below(rng_t *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [0, 1). */
static inline double rng_unit(rng_t *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

#endif
