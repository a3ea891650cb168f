/*
 * mono.h - the one clock of flashkv-bench: CLOCK_MONOTONIC in nanoseconds
 * (a vDSO call, ~20 ns, never steps back when the wall clock is set).
 */
#ifndef FKB_MONO_H
#define FKB_MONO_H

#include <stdint.h>
#include <time.h>

#define MONO_MS (1000ull * 1000)
#define MONO_S (1000ull * 1000 * 1000)

static inline uint64_t mono_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MONO_S + (uint64_t)ts.tv_nsec;
}

#endif
