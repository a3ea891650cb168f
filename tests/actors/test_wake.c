/*
 * test_wake.c - a parked worker wakes up for a message; batch fairness on
 * one worker; the worker count follows the affinity mask.
 */
#include <pthread.h>
#include <sched.h>

#include "helpers.h"

typedef struct count_state {
	uint64_t received;
	uint64_t at_ns;          /* when the last message arrived */
} count_state_t;

static void count_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	count_state_t *s = st;
	STORE(&s->at_ns, act_now_ns());
	ADD(&s->received, 1);
	(void)self;
	(void)msg;
}

static const act_behaviour_t count_beh = { .name = "count",
					   .receive = count_receive };

static uint64_t parks(act_system_t *sys, int w)
{
	act_worker_stats_t st;
	cr_assert_eq(act_system_worker_stats(sys, w, &st), 0);
	return st.parks;
}

Test(wake, parked_worker_wakes_for_a_foreign_send)
{
	act_system_t *sys = make_system(1, 0, 0, true); /* spin 0: parks */
	count_state_t s = { 0 };
	act_actor_t *a = act_spawn(sys, &count_beh, &s, 0);
	uint64_t worst = 0;
	WAIT_UNTIL(parks(sys, 0) >= 1, 2000);
	for (int round = 0; round < 50; round++) {
		/* Sent while the worker sleeps, or is just going to sleep. */
		usleep((useconds_t)((round % 7) * 300));
		uint64_t p0 = parks(sys, 0);
		uint64_t sent_at = act_now_ns();
		cr_assert_eq(send_seq(a, T_SEQ, 0, (uint64_t)round), 0);
		WAIT_UNTIL(LOAD(&s.received) == (uint64_t)round + 1, 2000);
		/* It handled the message and parks again. */
		WAIT_UNTIL(parks(sys, 0) > p0, 2000);
		uint64_t lat = LOAD(&s.at_ns) - sent_at;
		if (lat > worst)
			worst = lat;
	}
	act_worker_stats_t st;
	act_system_worker_stats(sys, 0, &st);
	cr_assert_geq(st.parks, 50, "the worker did park");
	cr_assert_geq(st.wakeups, 1, "and was woken through its eventfd");
	cr_assert_lt(worst, 1000 * MS, "worst wake-up %lu ns",
		     (unsigned long)worst);
	act_actor_unref(a);
	end_system(sys);
}

/* An actor on worker 0 sends to one on a parked worker 1. */
typedef struct relay_state {
	act_actor_t *to;
} relay_state_t;

static void relay_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	relay_state_t *s = st;
	act_msg_claim(msg);
	act_send(s->to, msg); /* forward the same message */
	(void)self;
}

static const act_behaviour_t relay_beh = { .name = "relay",
					   .receive = relay_receive };

Test(wake, parked_worker_wakes_for_a_worker_send)
{
	act_system_t *sys = make_system(2, 0, 0, true);
	count_state_t s = { 0 };
	act_actor_t *dst = act_spawn(sys, &count_beh, &s, 1);
	relay_state_t rs = { dst };
	act_actor_t *relay = act_spawn(sys, &relay_beh, &rs, 0);
	for (int round = 0; round < 50; round++) {
		usleep((useconds_t)(300 + (round % 5) * 400));
		cr_assert_eq(send_seq(relay, T_SEQ, 0, (uint64_t)round), 0);
		WAIT_UNTIL(LOAD(&s.received) == (uint64_t)round + 1, 2000);
	}
	cr_assert_geq(parks(sys, 1), 10);
	act_actor_unref(relay);
	act_actor_unref(dst);
	end_system(sys);
}

/* ---- batch fairness -------------------------------------------------- */

typedef struct flooder {
	uint64_t count;
	int stop;
} flooder_t;

/* Every message makes another: the mailbox is never empty. */
static void flood_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	flooder_t *f = st;
	ADD(&f->count, 1);
	if (!LOAD(&f->stop)) {
		act_msg_claim(msg);
		act_send(self, msg);
	}
}

static const act_behaviour_t flooder_beh = { .name = "flooder",
					     .receive = flood_receive };

typedef struct victim {
	int got;
	uint64_t flood_seen;     /* the flooder's count when we ran */
	flooder_t *f;
} victim_t;

static void victim_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	victim_t *v = st;
	v->flood_seen = LOAD(&v->f->count);
	STORE(&v->got, 1);
	(void)self;
	(void)msg;
}

static const act_behaviour_t victim_beh = { .name = "victim",
					    .receive = victim_receive };

Test(wake, flooding_actor_does_not_starve_its_neighbour)
{
	enum { BATCH = 16 };
	act_system_t *sys = make_system(1, 20000, BATCH, true);
	flooder_t f = { 0 };
	victim_t v = { .f = &f };
	act_actor_t *fa = act_spawn(sys, &flooder_beh, &f, 0);
	act_actor_t *va = act_spawn(sys, &victim_beh, &v, 0);
	for (int i = 0; i < 4; i++) /* four balls in flight */
		send_seq(fa, T_SEQ, 0, 0);
	WAIT_UNTIL(LOAD(&f.count) > 100000, 10000);
	act_worker_stats_t before;
	act_system_worker_stats(sys, 0, &before);
	uint64_t sent_at = LOAD(&f.count);
	send_seq(va, T_SEQ, 0, 0);
	WAIT_UNTIL(LOAD(&v.got), 2000);
	/* The victim ran while the flood went on. */
	uint64_t after_victim = LOAD(&f.count);
	WAIT_UNTIL(LOAD(&f.count) > after_victim + 1000, 5000);
	STORE(&f.stop, 1);
	/* The flood's turns are bounded by the batch: messages per turn.
	 * The counters are published at different moments (per turn, per
	 * run of turns): read them once the worker is idle. */
	uint64_t settled;
	do {
		settled = LOAD(&f.count);
		usleep(20000);
	} while (LOAD(&f.count) != settled);
	act_worker_stats_t now;
	act_system_worker_stats(sys, 0, &now);
	uint64_t msgs = now.messages - before.messages;
	uint64_t turns = now.turns - before.turns;
	cr_assert_gt(turns, 0);
	cr_assert_leq(msgs / turns, BATCH, "%lu messages in %lu turns",
		      (unsigned long)msgs, (unsigned long)turns);
	cr_assert_geq(v.flood_seen, sent_at);
	act_actor_unref(fa);
	act_actor_unref(va);
	end_system(sys);
}

/* ---- affinity -------------------------------------------------------- */

Test(wake, default_workers_follow_the_affinity_mask)
{
	cpu_set_t all, one;
	cr_assert_eq(sched_getaffinity(0, sizeof(all), &all), 0);
	int first = -1;
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &all))
			first = c;
	cr_assert_geq(first, 0);

	/* As the process sees it: `taskset -c <first>`. */
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	act_config_t cfg;
	act_config_default(&cfg);
	act_system_t *sys;
	cr_assert_eq(act_system_create(&cfg, &sys), 0);
	cr_assert_eq(act_system_workers(sys), 1);
	cr_assert_eq(act_system_worker_cpu(sys, 0), first);
	act_system_destroy(sys);

	/* The whole mask again: one worker per allowed CPU, in order. */
	cr_assert_eq(sched_setaffinity(0, sizeof(all), &all), 0);
	cr_assert_eq(act_system_create(&cfg, &sys), 0);
	cr_assert_eq(act_system_workers(sys), CPU_COUNT(&all));
	int prev = -1;
	for (int i = 0; i < act_system_workers(sys); i++) {
		int cpu = act_system_worker_cpu(sys, i);
		cr_assert(CPU_ISSET(cpu, &all));
		cr_assert_gt(cpu, prev);
		prev = cpu;
	}
	act_system_destroy(sys);

	/* Unpinned: no CPU. */
	cfg.pin = false;
	cfg.workers = 2;
	cr_assert_eq(act_system_create(&cfg, &sys), 0);
	cr_assert_eq(act_system_worker_cpu(sys, 0), -1);
	act_system_destroy(sys);
}
