/*
 * test_chan.c - the bounded channel: capacity rules, full and empty,
 * FIFO, and many producers against one consumer (per-producer FIFO, no
 * loss, no duplicate).
 *
 * chan_push_mp is ck_ring's MPMC enqueue, which is not lock-free: after
 * reserving a slot a producer spins until every earlier reservation is
 * published.  With more producer threads than CPUs a producer preempted
 * between reserve and publish stalls all the others for a time slice, and
 * the stall repeats (measured here: 20 000 messages from 4 producers on 2
 * CPUs took 20 to 60 s in 2 runs of 30, against 0.02 s normally).  The 4-
 * and 8-producer tests therefore push in bursts of 64, each burst under one
 * of two permits (a semaphore), so that at most two producers are inside
 * chan_push_mp at once while all of them interleave; they check the
 * contract (FIFO per producer, no loss, no duplicate), not the speed.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include <flashkv/chan.h>

static unsigned stress_scale(void)
{
	const char *s = getenv("FLASHKV_STRESS_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;
	return v >= 1 && v <= 1000 ? (unsigned)v : 1;
}

Test(chan, capacity_must_be_a_power_of_two_of_at_least_4)
{
	chan_t ch;
	cr_assert_eq(chan_init(&ch, 0), -EINVAL);
	cr_assert_eq(chan_init(&ch, 2), -EINVAL);
	cr_assert_eq(chan_init(&ch, 6), -EINVAL);
	cr_assert_eq(chan_init(&ch, 100), -EINVAL);
	cr_assert_eq(chan_init(&ch, 4), 0);
	chan_destroy(&ch);
	cr_assert_null(ch.slots);
}

/* Fill, refuse when full, empty in FIFO order, refuse when empty, and
 * wrap around many times.  @mp selects chan_push_mp (the two push kinds
 * must not be mixed on one channel). */
static void full_and_empty(bool mp)
{
	chan_t ch;
	cr_assert_eq(chan_init(&ch, 8), 0);
	void *item = NULL;
	cr_assert_not(chan_pop(&ch, &item), "new channel is empty");
	cr_assert_eq(chan_size(&ch), 0);

	/* capacity - 1 entries fit */
	for (uintptr_t i = 1; i <= 7; i++)
		cr_assert(mp ? chan_push_mp(&ch, (void *)i) : chan_push_sp(&ch, (void *)i),
			  "push %lu", (unsigned long)i);
	cr_assert_eq(chan_size(&ch), 7);
	cr_assert_not(mp ? chan_push_mp(&ch, (void *)99) : chan_push_sp(&ch, (void *)99),
		      "full");
	cr_assert_eq(chan_size(&ch), 7);

	for (uintptr_t i = 1; i <= 7; i++) {
		cr_assert(chan_pop(&ch, &item));
		cr_assert_eq((uintptr_t)item, i, "FIFO");
	}
	cr_assert_not(chan_pop(&ch, &item));

	for (uintptr_t i = 0; i < 1000; i++) {
		for (uintptr_t k = 0; k < 5; k++)
			cr_assert(mp ? chan_push_mp(&ch, (void *)(i + k + 1))
				     : chan_push_sp(&ch, (void *)(i + k + 1)));
		for (uintptr_t k = 0; k < 5; k++) {
			cr_assert(chan_pop(&ch, &item));
			cr_assert_eq((uintptr_t)item, i + k + 1);
		}
	}
	cr_assert_eq(chan_size(&ch), 0);
	chan_destroy(&ch);
}

Test(chan, full_and_empty_sp)
{
	full_and_empty(false);
}

Test(chan, full_and_empty_mp)
{
	full_and_empty(true);
}

/* ---- producers against one consumer -------------------------------- */

#define MAXP 8
#define SEQ_BITS 24 /* item = producer << SEQ_BITS | seq, never 0 */

typedef struct run {
	chan_t ch;
	unsigned nproducers;
	unsigned per_producer;
	bool sp;
	unsigned burst;         /* pushes per permit; 0: no permits */
	sem_t permits;
	int go;
} run_t;

typedef struct parg {
	run_t *run;
	unsigned id;
} parg_t;

static void *producer(void *p)
{
	parg_t *a = p;
	run_t *run = a->run;
	while (!__atomic_load_n(&run->go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (unsigned i = 1; i <= run->per_producer; i++) {
		if (run->burst && i % run->burst == 1)
			sem_wait(&run->permits);
		void *item = (void *)(((uintptr_t)a->id << SEQ_BITS) | i);
		while (!(run->sp ? chan_push_sp(&run->ch, item)
				 : chan_push_mp(&run->ch, item)))
			sched_yield(); /* full: the caller decides, we retry */
		if (run->burst &&
		    (i % run->burst == 0 || i == run->per_producer))
			sem_post(&run->permits);
	}
	return NULL;
}

static void run_producers(unsigned nproducers, unsigned total, bool sp,
			  unsigned burst)
{
	run_t run = { .nproducers = nproducers, .sp = sp, .burst = burst };
	run.per_producer = total / nproducers;
	cr_assert_lt(run.per_producer, 1u << SEQ_BITS);
	cr_assert_eq(chan_init(&run.ch, 1024), 0);
	cr_assert_eq(sem_init(&run.permits, 0, 2), 0);
	pthread_t th[MAXP];
	parg_t args[MAXP];
	for (unsigned p = 0; p < nproducers; p++) {
		args[p] = (parg_t){ &run, p };
		cr_assert_eq(pthread_create(&th[p], NULL, producer, &args[p]), 0);
	}
	__atomic_store_n(&run.go, 1, __ATOMIC_RELEASE);
	unsigned next[MAXP];
	for (unsigned p = 0; p < MAXP; p++)
		next[p] = 1;
	uint64_t want = (uint64_t)run.per_producer * nproducers;
	for (uint64_t got = 0; got < want;) {
		void *item;
		if (!chan_pop(&run.ch, &item)) {
			sched_yield();
			continue;
		}
		uintptr_t v = (uintptr_t)item;
		unsigned p = (unsigned)(v >> SEQ_BITS);
		unsigned seq = (unsigned)(v & ((1u << SEQ_BITS) - 1));
		cr_assert_lt(p, nproducers);
		cr_assert_eq(seq, next[p], "producer %u: seq %u, expected %u",
			     p, seq, next[p]);
		next[p]++;
		got++;
	}
	for (unsigned p = 0; p < nproducers; p++)
		pthread_join(th[p], NULL);
	void *extra;
	cr_assert_not(chan_pop(&run.ch, &extra), "nothing left over");
	for (unsigned p = 0; p < nproducers; p++)
		cr_assert_eq(next[p], run.per_producer + 1);
	chan_destroy(&run.ch);
	sem_destroy(&run.permits);
}

Test(chan_mp, one_producer_sp, .timeout = 60)
{
	run_producers(1, 1000000u * stress_scale(), true, 0);
}

Test(chan_mp, two_producers, .timeout = 60)
{
	run_producers(2, 1000000u * stress_scale(), false, 0);
}

Test(chan_mp, four_producers, .timeout = 60)
{
	run_producers(4, 200000u * stress_scale(), false, 64);
}

Test(chan_mp, eight_producers, .timeout = 60)
{
	run_producers(8, 200000u * stress_scale(), false, 64);
}
