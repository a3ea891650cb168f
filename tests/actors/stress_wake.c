/*
 * stress_wake.c - hammer the park/wake handshake of actors/worker.c
 * (plain main(), so that it also runs under ThreadSanitizer).
 *
 * Two workers that never spin (spin_ns = 0): whenever they run out of work
 * they park in epoll_wait at once.  Rounds of: the workers go idle; three
 * foreign threads, released together, send a few messages each at random
 * moments (at once, after a short spin, after a yield or a sleep) to actors
 * on both workers; some messages are relayed by actors to the other worker
 * (the same message, claimed, or a new one from the relaying worker's pool,
 * freed back to it across threads), so workers also wake each other.  Every message must arrive: the round
 * ends when every delivery has been counted.  A lost wake-up leaves a
 * message in the run queue of a sleeping worker, which without timers
 * sleeps forever: a watchdog thread fails the program when no delivery
 * happens for 10 s.
 *
 * Then a churn phase: actors are stopped (by the main thread, or by
 * themselves) and released while another thread still sends to them.
 *
 * Bounded by time: rounds run for 3 s x FLASHKV_STRESS_SCALE (at least 200
 * rounds).  Exit 0 on success, 1 on failure (message on stderr).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flashkv/act.h>

#define NACTORS 8      /* 4 per worker */
#define NSENDERS 3
#define MAX_BURST 4

typedef struct hop_msg {
	act_msg_t hdr;
	uint32_t hops;     /* relays still to do */
} hop_msg_t;

typedef struct actor_state {
	act_actor_t *self;
	act_actor_t **peers;    /* the actors of the other worker */
	uint64_t rng;
	uint64_t delivered;     /* written by the actor, read by main */
} actor_state_t;

static act_actor_t *actors[NACTORS];
static actor_state_t states[NACTORS];
static uint64_t expected;            /* deliveries sent so far (atomic) */
static uint64_t delivered_total;     /* deliveries counted (atomic) */
static pthread_barrier_t start_line, finish_line;
static int quit;

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void die(const char *what)
{
	fprintf(stderr, "stress_wake: FAIL: %s\n", what);
	exit(1);
}

static void receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	actor_state_t *s = st;
	hop_msg_t *m = (hop_msg_t *)msg;
	__atomic_store_n(&s->delivered, s->delivered + 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&delivered_total, 1, __ATOMIC_RELEASE);
	if (m->hops > 0) {
		/* Across workers: this worker wakes the other one.  Either the
		 * same message goes on (claimed), or a new one from this
		 * worker's pool, which the other worker frees back to it. */
		act_actor_t *to = s->peers[xorshift(&s->rng) % (NACTORS / 2)];
		hop_msg_t *next = m;
		if (xorshift(&s->rng) & 1) {
			act_msg_claim(msg);
		} else {
			next = (hop_msg_t *)act_msg_new(sizeof(*next), 1);
			if (!next)
				die("out of memory");
			next->hops = m->hops;
		}
		next->hops--;
		if (act_send(to, &next->hdr) != 0)
			die("relay send refused");
	}
	(void)self;
}

static const act_behaviour_t beh = { .name = "stress", .receive = receive };

/* Wait a random while: nothing, a spin, a yield or a short sleep. */
static void random_pause(uint64_t *rng)
{
	uint64_t r = xorshift(rng);
	switch (r & 7) {
	case 0: case 1:
		break;
	case 2: case 3:
		for (volatile unsigned i = (unsigned)((r >> 8) % 20000); i; i--)
			;
		break;
	case 4:
		sched_yield();
		break;
	default:
		usleep((useconds_t)((r >> 8) % 300));
		break;
	}
}

static void *sender(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	for (;;) {
		pthread_barrier_wait(&start_line);
		if (__atomic_load_n(&quit, __ATOMIC_ACQUIRE))
			return NULL;
		unsigned burst = 1 + (unsigned)(xorshift(&rng) % MAX_BURST);
		for (unsigned i = 0; i < burst; i++) {
			random_pause(&rng);
			hop_msg_t *m = (hop_msg_t *)act_msg_new(sizeof(*m), 1);
			if (!m)
				die("out of memory");
			m->hops = (uint32_t)(xorshift(&rng) % 3);
			__atomic_fetch_add(&expected, m->hops + 1, __ATOMIC_RELEASE);
			if (act_send(actors[xorshift(&rng) % NACTORS], &m->hdr) != 0)
				die("send refused");
		}
		pthread_barrier_wait(&finish_line);
	}
}

static void *watchdog(void *arg)
{
	(void)arg;
	uint64_t last = (uint64_t)-1;
	int still = 0;
	for (;;) {
		sleep(1);
		uint64_t d = __atomic_load_n(&delivered_total, __ATOMIC_ACQUIRE);
		uint64_t e = __atomic_load_n(&expected, __ATOMIC_ACQUIRE);
		still = (d == last && d < e) ? still + 1 : 0;
		last = d;
		if (still >= 10) {
			fprintf(stderr, "stress_wake: FAIL: %llu of %llu messages "
				"delivered, none for 10 s: lost wake-up\n",
				(unsigned long long)d, (unsigned long long)e);
			_exit(1);
		}
	}
	return NULL;
}

/* ---- churn: spawn, send, stop and release from several threads -------- */

static int churn_stops;

static void churn_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	(void)st;
	(void)msg;
	/* Now and then an actor stops itself in the middle of the stream. */
	if (((hop_msg_t *)msg)->hops == 7)
		act_stop(self);
}

static void churn_stop(act_actor_t *self, void *st)
{
	(void)self;
	(void)st;
	__atomic_fetch_add(&churn_stops, 1, __ATOMIC_RELAXED);
}

static const act_behaviour_t churn_beh = {
	.name = "churn", .receive = churn_receive, .on_stop = churn_stop,
};

static void *churn_sender(void *arg)
{
	act_actor_t *a = arg; /* a reference of its own */
	uint64_t rng = (uintptr_t)arg | 1;
	for (unsigned i = 0; i < 64; i++) {
		hop_msg_t *m = (hop_msg_t *)act_msg_new(sizeof(*m), 1);
		if (!m)
			die("out of memory");
		m->hops = (uint32_t)(xorshift(&rng) % 16);
		if (act_send(a, &m->hdr) == -ESRCH)
			break; /* stopped: the runtime freed the message */
	}
	act_actor_unref(a);
	return NULL;
}

/* Actors stopped (by another thread or by themselves) and released while
 * messages are still being sent to them: the refcount, the stop hand-over
 * and the final free race with each other. */
static void churn(act_system_t *sys)
{
	enum { ROUNDS = 200 };
	for (int r = 0; r < ROUNDS; r++) {
		act_actor_t *a = act_spawn(sys, &churn_beh, NULL, r % 2);
		if (!a)
			die("act_spawn");
		pthread_t t;
		if (pthread_create(&t, NULL, churn_sender, act_actor_ref(a)) != 0)
			die("pthread_create");
		if (r & 1)
			usleep((useconds_t)(r % 50));
		act_stop(a);
		act_actor_unref(a);
		pthread_join(t, NULL);
	}
	uint64_t deadline = act_now_ns() + 10000000000ull;
	while (__atomic_load_n(&churn_stops, __ATOMIC_RELAXED) < ROUNDS &&
	       act_now_ns() < deadline)
		usleep(1000);
	if (__atomic_load_n(&churn_stops, __ATOMIC_RELAXED) != ROUNDS)
		die("churn: on_stop not called once per actor");
}

static uint64_t now_ns(void)
{
	return act_now_ns();
}

int main(void)
{
	const char *sc = getenv("FLASHKV_STRESS_SCALE");
	unsigned scale = sc && atoi(sc) > 0 ? (unsigned)atoi(sc) : 1;
	uint64_t budget = 3000000000ull * scale;

	act_config_t cfg;
	act_config_default(&cfg);
	cfg.workers = 2;
	cfg.spin_ns = 0; /* park as soon as idle: the window we want */
	act_system_t *sys;
	if (act_system_create(&cfg, &sys) != 0)
		die("act_system_create");
	for (int i = 0; i < NACTORS; i++) {
		states[i].rng = 0x1234567ull * (uint64_t)(i + 1);
		/* even: worker 0, odd: worker 1; peers are the other parity */
		actors[i] = act_spawn(sys, &beh, &states[i], i % 2);
		if (!actors[i])
			die("act_spawn");
	}
	static act_actor_t *on[2][NACTORS / 2];
	for (int i = 0; i < NACTORS; i++)
		on[i % 2][i / 2] = actors[i];
	for (int i = 0; i < NACTORS; i++)
		states[i].peers = on[(i + 1) % 2];
	if (act_system_start(sys) != 0)
		die("act_system_start");

	pthread_t wd, th[NSENDERS];
	pthread_barrier_init(&start_line, NULL, NSENDERS + 1);
	pthread_barrier_init(&finish_line, NULL, NSENDERS + 1);
	if (pthread_create(&wd, NULL, watchdog, NULL) != 0)
		die("pthread_create");
	pthread_detach(wd);
	for (uintptr_t i = 0; i < NSENDERS; i++)
		if (pthread_create(&th[i], NULL, sender, (void *)(i + 1)) != 0)
			die("pthread_create");

	uint64_t start = now_ns(), rng = 42;
	unsigned rounds = 0;
	while (rounds < 200 || now_ns() - start < budget) {
		pthread_barrier_wait(&start_line);
		pthread_barrier_wait(&finish_line);
		/* Every delivery of this round, relays included. */
		uint64_t want = __atomic_load_n(&expected, __ATOMIC_ACQUIRE);
		while (__atomic_load_n(&delivered_total, __ATOMIC_ACQUIRE) < want)
			usleep(50);
		/* Let both workers go back to sleep, for a random while. */
		usleep((useconds_t)(xorshift(&rng) % 400));
		rounds++;
	}
	__atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&start_line);
	for (int i = 0; i < NSENDERS; i++)
		pthread_join(th[i], NULL);

	uint64_t sum = 0;
	for (int i = 0; i < NACTORS; i++)
		sum += __atomic_load_n(&states[i].delivered, __ATOMIC_RELAXED);
	if (sum != expected || delivered_total != expected)
		die("delivery count mismatch");
	churn(sys);

	act_worker_stats_t w0, w1;
	act_system_worker_stats(sys, 0, &w0);
	act_system_worker_stats(sys, 1, &w1);
	if (w0.wakeups + w1.wakeups == 0)
		die("no wake-up happened: the test did not test anything");
	for (int i = 0; i < NACTORS; i++)
		act_actor_unref(actors[i]);
	act_system_shutdown(sys);
	act_system_destroy(sys);
	pthread_barrier_destroy(&start_line);
	pthread_barrier_destroy(&finish_line);
	return 0;
}
