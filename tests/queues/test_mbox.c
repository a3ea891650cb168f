/*
 * test_mbox.c - the MPSC mailbox: "was empty" reporting, FIFO per producer
 * with no loss and no duplicate under 1, 2, 4 and 8 producers, the BUSY
 * state of a half-finished push, and splice.
 *
 * Message counts scale with FLASHKV_STRESS_SCALE (meson option
 * stress_scale); at scale 1 each test takes well under 5 s on 2 cores, also
 * under AddressSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include <flashkv/mbox.h>

typedef struct item {
	mbox_node_t node;
	uint32_t producer;
	uint32_t seq;
} item_t;

static unsigned stress_scale(void)
{
	const char *s = getenv("FLASHKV_STRESS_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;
	return v >= 1 && v <= 1000 ? (unsigned)v : 1;
}

static item_t *item_of(mbox_node_t *n)
{
	return mbox_entry(n, item_t, node);
}

/*
 * The first half of a push, as a producer preempted between its exchange
 * and its link store leaves it: the tail names @node, the old tail's next
 * is still NULL.  Returns the old tail, to finish with finish_push().
 */
static mbox_node_t *start_push(mbox_t *mb, mbox_node_t *node)
{
	mbox_node_init(node);
	return uatomic_xchg(&mb->tail.p, node);
}

static void finish_push(mbox_node_t *old_tail, mbox_node_t *node)
{
	CMM_STORE_SHARED(old_tail->next, node);
}

Test(mbox, empty_pop_returns_null)
{
	mbox_t mb;
	mbox_init(&mb);
	cr_assert(mbox_is_empty(&mb));
	cr_assert_null(mbox_pop(&mb));
	int state = 0x55;
	cr_assert_null(mbox_pop_state(&mb, &state));
	cr_assert_eq(state, 0);
	mbox_destroy(&mb);
}

Test(mbox, push_reports_was_empty_once_per_transition)
{
	mbox_t mb;
	item_t it[3];
	mbox_init(&mb);
	cr_assert(mbox_push(&mb, &it[0].node), "first push sees empty");
	cr_assert_not(mbox_push(&mb, &it[1].node));
	cr_assert_not(mbox_push(&mb, &it[2].node));
	cr_assert_not(mbox_is_empty(&mb));

	int state = -1;
	cr_assert_eq(mbox_pop_state(&mb, &state), &it[0].node);
	cr_assert_eq(state & MBOX_POPPED_LAST, 0);
	cr_assert_eq(mbox_pop_state(&mb, &state), &it[1].node);
	cr_assert_eq(state & MBOX_POPPED_LAST, 0);
	cr_assert_eq(mbox_pop_state(&mb, &state), &it[2].node);
	cr_assert_neq(state & MBOX_POPPED_LAST, 0, "last pop says so");
	cr_assert(mbox_is_empty(&mb));

	/* Empty again: the next push is the one that must notify. */
	cr_assert(mbox_push(&mb, &it[1].node));
	cr_assert_eq(mbox_pop_state(&mb, &state), &it[1].node);
	cr_assert_neq(state & MBOX_POPPED_LAST, 0);
	cr_assert_null(mbox_pop(&mb));
}

Test(mbox, busy_while_a_push_is_half_done)
{
	mbox_t mb;
	item_t a, b;
	mbox_init(&mb);

	/* Only node half-pushed: not empty, but nothing to take yet. */
	mbox_node_t *old = start_push(&mb, &a.node);
	cr_assert_eq(old, &mb.head.node, "exchange saw the empty queue");
	cr_assert_not(mbox_is_empty(&mb));
	cr_assert_eq(mbox_pop(&mb), MBOX_BUSY);
	cr_assert_eq(mbox_pop(&mb), MBOX_BUSY, "BUSY leaves the state alone");
	finish_push(old, &a.node);
	cr_assert_eq(mbox_pop(&mb), &a.node);
	cr_assert_null(mbox_pop(&mb));

	/* A complete node followed by a half-pushed one: the complete one
	 * cannot be taken (its successor is unknown) until the link lands,
	 * and nothing is lost or reordered meanwhile. */
	cr_assert(mbox_push(&mb, &a.node));
	old = start_push(&mb, &b.node);
	cr_assert_eq(old, &a.node);
	int state = 0;
	cr_assert_eq(mbox_pop_state(&mb, &state), MBOX_BUSY);
	cr_assert_not(mbox_is_empty(&mb));
	finish_push(old, &b.node);
	cr_assert_eq(mbox_pop_state(&mb, &state), &a.node);
	cr_assert_eq(state & MBOX_POPPED_LAST, 0);
	cr_assert_eq(mbox_pop_state(&mb, &state), &b.node);
	cr_assert_neq(state & MBOX_POPPED_LAST, 0);
	cr_assert(mbox_is_empty(&mb));
}

Test(mbox, splice_moves_everything_in_order)
{
	enum { N = 100 };
	static item_t it[2 * N];
	mbox_t src, dst;
	mbox_init(&src);
	mbox_init(&dst);

	/* Splicing an empty source is a successful no-op. */
	cr_assert(mbox_splice(&dst, &src));
	cr_assert(mbox_is_empty(&dst));

	for (int i = 0; i < 2 * N; i++)
		it[i].seq = (uint32_t)i;
	for (int i = 0; i < N; i++)
		mbox_push(&dst, &it[i].node); /* dst already holds 0..N-1 */
	for (int i = N; i < 2 * N; i++)
		mbox_push(&src, &it[i].node);
	cr_assert(mbox_splice(&dst, &src));
	cr_assert(mbox_is_empty(&src));
	item_t extra;
	cr_assert(mbox_push(&src, &extra.node) == true,
		  "a drained source reports was-empty again");
	cr_assert_eq(mbox_pop(&src), &extra.node);

	for (int i = 0; i < 2 * N; i++) {
		mbox_node_t *n = mbox_pop(&dst);
		cr_assert(n != NULL && n != MBOX_BUSY);
		cr_assert_eq(item_of(n)->seq, (uint32_t)i);
	}
	cr_assert_null(mbox_pop(&dst));
}

Test(mbox, splice_with_a_push_half_done)
{
	mbox_t src, dst;
	item_t a, b;
	mbox_init(&src);
	mbox_init(&dst);

	/* The first node is half-pushed: nothing can move yet. */
	mbox_node_t *old = start_push(&src, &a.node);
	cr_assert_not(mbox_splice(&dst, &src), "busy: nothing moves");
	cr_assert(mbox_is_empty(&dst));
	cr_assert_not(mbox_is_empty(&src));
	finish_push(old, &a.node);

	/* A linked first node and a half-pushed second: the splice takes
	 * the whole chain, the unlinked end included, so the destination
	 * is BUSY until the producer's link store lands there. */
	old = start_push(&src, &b.node);
	cr_assert(mbox_splice(&dst, &src));
	cr_assert(mbox_is_empty(&src));
	cr_assert_eq(mbox_pop(&dst), MBOX_BUSY);
	finish_push(old, &b.node);
	cr_assert_eq(mbox_pop(&dst), &a.node);
	cr_assert_eq(mbox_pop(&dst), &b.node);
	cr_assert_null(mbox_pop(&dst));
}

/* ---- many producers, one consumer ---------------------------------- */

typedef struct mp_run {
	mbox_t mb;
	item_t *items;          /* nproducers * per_producer */
	unsigned nproducers;
	unsigned per_producer;
	int go;
	unsigned was_empty;     /* pushes that reported was-empty */
} mp_run_t;

typedef struct producer_arg {
	mp_run_t *run;
	unsigned id;
} producer_arg_t;

static void *producer(void *p)
{
	producer_arg_t *arg = p;
	mp_run_t *run = arg->run;
	item_t *mine = run->items + (size_t)arg->id * run->per_producer;
	unsigned was_empty = 0;
	while (!__atomic_load_n(&run->go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (unsigned i = 0; i < run->per_producer; i++) {
		mine[i].producer = arg->id;
		mine[i].seq = i;
		if (mbox_push(&run->mb, &mine[i].node))
			was_empty++;
		if ((i & 4095) == 4095)
			sched_yield(); /* 8 producers on 2 CPUs: let others in */
	}
	__atomic_fetch_add(&run->was_empty, was_empty, __ATOMIC_RELAXED);
	return NULL;
}

/* Check one received item against the per-producer expectation. */
static void check_item(mp_run_t *run, unsigned *next, item_t *it)
{
	cr_assert_lt(it->producer, run->nproducers);
	cr_assert_eq(it->seq, next[it->producer],
		     "producer %u: got seq %u, expected %u (dup, loss or reorder)",
		     it->producer, it->seq, next[it->producer]);
	next[it->producer]++;
}

/*
 * Run @nproducers producers against one consumer that takes messages one
 * by one (@splice false) or drains them in batches with mbox_splice.
 * Every producer's messages must arrive in order, none lost, none twice.
 */
static void run_mp(unsigned nproducers, unsigned total, bool splice)
{
	mp_run_t run = { .nproducers = nproducers };
	run.per_producer = total / nproducers;
	run.items = calloc((size_t)nproducers * run.per_producer, sizeof(item_t));
	cr_assert_not_null(run.items);
	mbox_init(&run.mb);

	pthread_t th[8];
	producer_arg_t args[8];
	for (unsigned p = 0; p < nproducers; p++) {
		args[p] = (producer_arg_t){ &run, p };
		cr_assert_eq(pthread_create(&th[p], NULL, producer, &args[p]), 0);
	}
	unsigned next[8] = { 0 };
	uint64_t got = 0, want = (uint64_t)nproducers * run.per_producer;
	unsigned transitions = 0, busy = 0;
	mbox_t local;
	mbox_init(&local);
	__atomic_store_n(&run.go, 1, __ATOMIC_RELEASE);

	while (got < want) {
		mbox_node_t *n;
		if (splice) {
			if (!mbox_splice(&local, &run.mb)) {
				busy++;
				sched_yield();
				continue;
			}
			/* The spliced chain can end in a node whose producer
			 * is still between its exchange and its link: then
			 * the private queue is BUSY for a moment too. */
			while ((n = mbox_pop(&local)) != NULL) {
				if (n == MBOX_BUSY) {
					busy++;
					sched_yield();
					continue;
				}
				check_item(&run, next, item_of(n));
				got++;
			}
			sched_yield();
			continue;
		}
		int state = 0;
		n = mbox_pop_state(&run.mb, &state);
		if (n == NULL || n == MBOX_BUSY) {
			busy += n == MBOX_BUSY;
			sched_yield();
			continue;
		}
		check_item(&run, next, item_of(n));
		got++;
		if (state & MBOX_POPPED_LAST)
			transitions++;
	}
	for (unsigned p = 0; p < nproducers; p++)
		pthread_join(th[p], NULL);
	cr_assert(mbox_is_empty(&run.mb));
	cr_assert_null(mbox_pop(&run.mb));
	for (unsigned p = 0; p < nproducers; p++)
		cr_assert_eq(next[p], run.per_producer, "producer %u incomplete", p);
	/* One was-empty report per empty -> non-empty transition: in pop mode
	 * exactly as many as pops that reported "popped last" (the run starts
	 * and ends empty, so the two kinds of transition pair up). */
	if (!splice)
		cr_assert_eq(run.was_empty, transitions,
			     "was-empty reports %u != empty transitions %u",
			     run.was_empty, transitions);
	else
		cr_assert_geq(run.was_empty, 1);
	cr_assert(mbox_is_empty(&local));
	free(run.items);
	(void)busy;
}

#define MP_TEST(np, mode, splice)                                        \
	Test(mbox_mp, np##_producers_##mode, .timeout = 60)              \
	{                                                                \
		run_mp(np, 1000000u * stress_scale(), splice);          \
	}

MP_TEST(1, pop, false)
MP_TEST(2, pop, false)
MP_TEST(4, pop, false)
MP_TEST(8, pop, false)
MP_TEST(1, splice, true)
MP_TEST(2, splice, true)
MP_TEST(4, splice, true)
MP_TEST(8, splice, true)
