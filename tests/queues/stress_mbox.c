/*
 * stress_mbox.c - multi-producer mailbox stress, built to run under
 * ThreadSanitizer (plain main(), no Criterion).
 *
 * Rounds of 1, 2, 4 or 8 producers pushing sequenced nodes at random
 * moments into one mailbox, and one consumer that sleeps on an eventfd
 * (EFD_SEMAPHORE: one token per write) whenever the mailbox is "not its
 * business": the producer whose push reports "was empty" writes one token.
 * That is the protocol the actor runtime builds on, and it is checked
 * strictly:
 *   - pop rounds: per token, the consumer pops until a pop reports
 *     MBOX_POPPED_LAST; an empty pop (NULL) while it holds a token means a
 *     spurious or duplicated "was empty", a token never coming (a hang,
 *     caught by the watchdog) means a lost one;
 *   - splice rounds: per token, exactly one mbox_splice, which must move
 *     at least one node;
 *   - every producer's nodes arrive in order, none lost, none twice.
 * MBOX_BUSY (a producer between its exchange and its link) is retried.
 *
 * Runs rounds until a time budget (2 s x FLASHKV_STRESS_SCALE, at least 8
 * rounds) is spent.  Exit 0 on success, 1 on failure (message on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <flashkv/mbox.h>

#define MAXP 8

typedef struct item {
	mbox_node_t node;
	uint32_t producer;
	uint32_t seq;
} item_t;

typedef struct round {
	mbox_t mb;
	int efd;
	item_t *items;
	unsigned nproducers;
	unsigned per_producer;
	int go;
} round_t;

typedef struct parg {
	round_t *r;
	unsigned id;
	uint64_t rng;
} parg_t;

static uint64_t progress; /* messages consumed, for the watchdog */

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "stress_mbox: FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Pause for a random while: mostly nothing, sometimes a spin, a yield or
 * a short sleep, so that the mailbox empties and refills at random. */
static void random_pause(uint64_t *rng)
{
	uint64_t r = xorshift(rng);
	switch (r & 63) {
	case 0:
		usleep((useconds_t)((r >> 8) % 50));
		break;
	case 1: case 2: case 3:
		sched_yield();
		break;
	case 4: case 5: case 6: case 7:
		for (volatile unsigned i = (unsigned)((r >> 8) % 2000); i; i--)
			;
		break;
	default:
		break;
	}
}

static void *producer(void *p)
{
	parg_t *a = p;
	round_t *r = a->r;
	item_t *mine = r->items + (size_t)a->id * r->per_producer;
	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (unsigned i = 0; i < r->per_producer; i++) {
		mine[i].producer = a->id;
		mine[i].seq = i;
		if (mbox_push(&r->mb, &mine[i].node)) {
			uint64_t one = 1;
			if (write(r->efd, &one, sizeof(one)) != sizeof(one))
				fail("eventfd write failed");
		}
		random_pause(&a->rng);
	}
	return NULL;
}

static void *watchdog(void *arg)
{
	unsigned limit_s = *(unsigned *)arg;
	uint64_t last = (uint64_t)-1;
	unsigned still = 0;
	for (;;) {
		sleep(1);
		uint64_t now = __atomic_load_n(&progress, __ATOMIC_RELAXED);
		still = now == last ? still + 1 : 0;
		last = now;
		if (still >= limit_s) {
			fprintf(stderr, "stress_mbox: FAIL: no progress for %u s "
				"(lost wake-up token?)\n", limit_s);
			_exit(1);
		}
	}
	return NULL;
}

static void take_token(int efd)
{
	uint64_t v;
	for (;;) {
		ssize_t n = read(efd, &v, sizeof(v));
		if (n == sizeof(v))
			return;
		if (n < 0 && errno == EINTR)
			continue;
		fail("eventfd read failed (%zd)", n);
	}
}

static void check(round_t *r, unsigned *next, mbox_node_t *n)
{
	item_t *it = mbox_entry(n, item_t, node);
	if (it->producer >= r->nproducers)
		fail("bad producer %u (of %u)", it->producer, r->nproducers);
	if (it->seq != next[it->producer])
		fail("producer %u: seq %u, expected %u", it->producer, it->seq,
		     next[it->producer]);
	next[it->producer]++;
	__atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED);
}

/* Consume one round; @splice selects the batch-drain consumer. */
static void consume(round_t *r, bool splice)
{
	unsigned next[MAXP] = { 0 };
	uint64_t want = (uint64_t)r->nproducers * r->per_producer, got = 0;
	mbox_t local;
	mbox_init(&local);
	while (got < want) {
		take_token(r->efd);
		if (splice) {
			while (!mbox_splice(&local, &r->mb))
				sched_yield(); /* BUSY */
			if (mbox_is_empty(&local))
				fail("token but nothing to splice (%u/%u)",
				     (unsigned)got, (unsigned)want);
			mbox_node_t *n;
			while ((n = mbox_pop(&local)) != NULL) {
				if (n == MBOX_BUSY) {
					sched_yield();
					continue;
				}
				check(r, next, n);
				got++;
			}
			continue;
		}
		for (;;) {
			int state = 0;
			mbox_node_t *n = mbox_pop_state(&r->mb, &state);
			if (n == MBOX_BUSY) {
				sched_yield();
				continue;
			}
			if (n == NULL)
				fail("token but empty mailbox (%u/%u)",
				     (unsigned)got, (unsigned)want);
			check(r, next, n);
			got++;
			if (state & MBOX_POPPED_LAST)
				break; /* the next push brings a new token */
		}
	}
	for (unsigned p = 0; p < r->nproducers; p++)
		if (next[p] != r->per_producer)
			fail("producer %u: %u of %u", p, next[p], r->per_producer);
	if (!mbox_is_empty(&r->mb) || !mbox_is_empty(&local))
		fail("left over messages");
	/* Every token was taken: no push reported "was empty" twice. */
	uint64_t v;
	if (fcntl(r->efd, F_SETFL, O_NONBLOCK) < 0 ||
	    read(r->efd, &v, sizeof(v)) >= 0)
		fail("a token too many");
}

int main(void)
{
	const char *s = getenv("FLASHKV_STRESS_SCALE");
	unsigned scale = s && atoi(s) > 0 ? (unsigned)atoi(s) : 1;
	uint64_t budget = 2000000000ull * scale;
	static unsigned limit_s = 20;
	pthread_t wd;
	if (pthread_create(&wd, NULL, watchdog, &limit_s) != 0)
		return 1;
	pthread_detach(wd);

	static const unsigned nps[] = { 1, 2, 4, 8 };
	uint64_t start = now_ns();
	unsigned rounds = 0;
	while (rounds < 8 || now_ns() - start < budget) {
		round_t r = { .nproducers = nps[rounds % 4] };
		bool splice = (rounds / 4) % 2;
		r.per_producer = 40000 / r.nproducers;
		r.items = calloc((size_t)r.nproducers * r.per_producer,
				 sizeof(item_t));
		r.efd = eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC);
		if (!r.items || r.efd < 0)
			fail("setup");
		mbox_init(&r.mb);
		pthread_t th[MAXP];
		parg_t args[MAXP];
		for (unsigned p = 0; p < r.nproducers; p++) {
			args[p] = (parg_t){ &r, p, 0x9e3779b97f4a7c15ull * (p + 1 + rounds) };
			if (pthread_create(&th[p], NULL, producer, &args[p]) != 0)
				fail("pthread_create");
		}
		__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
		consume(&r, splice);
		for (unsigned p = 0; p < r.nproducers; p++)
			pthread_join(th[p], NULL);
		close(r.efd);
		free(r.items);
		rounds++;
	}
	return 0;
}
