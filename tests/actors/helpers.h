/*
 * helpers.h - shared by the actor runtime's Criterion tests.
 *
 * The tests talk to actors from the test's main thread: actors publish what
 * they saw through atomics in their state, and the main thread polls with
 * WAIT_UNTIL, which fails the test after a generous timeout (the machine is
 * small and noisy; a correct runtime answers within milliseconds).
 * Criterion's assertions work on the test's main thread only: code that
 * runs on workers counts what went wrong in its state instead, and the main
 * thread asserts on those counts.
 */
#ifndef FLASHKV_TESTS_ACTORS_HELPERS_H
#define FLASHKV_TESTS_ACTORS_HELPERS_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <flashkv/act.h>

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)

#define MS 1000000ull /* nanoseconds */

/* Poll @cond every millisecond for up to @ms; assert it became true. */
#define WAIT_UNTIL(cond, ms)                                              \
	do {                                                              \
		uint64_t wu_deadline_ = act_now_ns() + (uint64_t)(ms) * MS;  \
		while (!(cond) && act_now_ns() < wu_deadline_)            \
			usleep(1000);                                     \
		cr_assert((cond), "timed out after %u ms waiting for %s", \
			  (unsigned)(ms), #cond);                         \
	} while (0)

static inline unsigned stress_scale(void)
{
	const char *s = getenv("FLASHKV_STRESS_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;
	return v >= 1 && v <= 1000 ? (unsigned)v : 1;
}

static inline act_system_t *make_system(int workers, uint64_t spin_ns,
					unsigned batch, bool start)
{
	act_config_t cfg;
	act_config_default(&cfg);
	cfg.workers = workers;
	cfg.spin_ns = spin_ns;
	if (batch)
		cfg.batch = batch;
	act_system_t *sys = NULL;
	cr_assert_eq(act_system_create(&cfg, &sys), 0);
	cr_assert_not_null(sys);
	if (start)
		cr_assert_eq(act_system_start(sys), 0);
	return sys;
}

static inline void end_system(act_system_t *sys)
{
	cr_assert_eq(act_system_shutdown(sys), 0);
	act_system_destroy(sys);
}

/* A plain message with a sender id and a sequence number.  The senders
 * below may run on any thread: out of memory aborts. */
enum { T_SEQ = 1, T_KICK, T_CMD, T_DATA };

typedef struct seq_msg {
	act_msg_t hdr;
	uint32_t sender;
	uint32_t cmd;
	uint64_t seq;
	void *ptr;
} seq_msg_t;

static inline int send_seq(act_actor_t *to, uint32_t type, uint32_t sender,
			   uint64_t seq)
{
	seq_msg_t *m = (seq_msg_t *)act_msg_new(sizeof(*m), type);
	if (!m)
		abort();
	m->sender = sender;
	m->cmd = 0;
	m->seq = seq;
	m->ptr = NULL;
	return act_send(to, &m->hdr);
}

static inline int send_cmd(act_actor_t *to, uint32_t cmd, void *ptr)
{
	seq_msg_t *m = (seq_msg_t *)act_msg_new(sizeof(*m), T_CMD);
	if (!m)
		abort();
	m->sender = 0;
	m->cmd = cmd;
	m->seq = 0;
	m->ptr = ptr;
	return act_send(to, &m->hdr);
}

#endif
