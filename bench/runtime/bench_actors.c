/*
 * bench_actors.c - the actor runtime end to end.
 *
 *   pingpong-cross  two actors on two workers bat a message back and forth:
 *                   round-trip time p50 / p99 (both workers spin: a long
 *                   spin_ns, so neither parks between hits)
 *   pingpong-park   the same with spin_ns = 0: every hit wakes a sleeping
 *                   worker (eventfd + epoll_wait)
 *   pingpong-local  both actors on one worker
 *   fanout          per worker one hub actor and L leaf actors on the next
 *                   worker; each hub keeps W requests in flight per leaf,
 *                   every request is answered: actor messages delivered per
 *                   second, all of them crossing workers
 *
 *   bench_actors [--rounds N] [--spin-us U] [--leaves L] [--window W]
 *                [--duration-ms D] [--repeat R] [--reuse]
 *                [--variants pingpong-cross,pingpong-park,pingpong-local,fanout]
 *
 * Every hop allocates a new message (the per-worker pools: freed on the
 * other worker, back to its home pool through the remote stack), unless
 * --reuse, which sends the received message back (act_msg_claim).
 * Variants alternate within each repetition; the last lines are medians.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flashkv/act.h>

enum { MSG_GO = 1, MSG_BALL, MSG_REQ, MSG_REP };

typedef struct ball {
	act_msg_t hdr;
	uint64_t n;
} ball_t;

static bool reuse;

/* Send a ball: a new message, or @old (claimed) when --reuse. */
static void hit(act_actor_t *to, act_msg_t *old, uint32_t type, uint64_t n)
{
	ball_t *b;
	if (reuse && old) {
		act_msg_claim(old);
		b = (ball_t *)old;
		b->hdr.type = type;
	} else {
		b = (ball_t *)act_msg_new(sizeof(*b), type);
		if (!b)
			abort();
	}
	b->n = n;
	act_send(to, &b->hdr);
}

/* ---- ping-pong ------------------------------------------------------- */

typedef struct pp {
	act_actor_t *partner;
	uint64_t rounds, warmup;
	uint64_t *samples;
	uint64_t done_rounds;
	uint64_t sent_at;
	int done;
} pp_t;

static void ping_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	pp_t *p = st;
	uint64_t now = act_now_ns();
	if (msg->type == MSG_BALL) {
		uint64_t i = p->done_rounds++;
		if (i >= p->warmup)
			p->samples[i - p->warmup] = now - p->sent_at;
		if (p->done_rounds == p->rounds + p->warmup) {
			__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
			return;
		}
	}
	p->sent_at = act_now_ns();
	hit(p->partner, msg->type == MSG_BALL ? msg : NULL, MSG_BALL, 0);
	(void)self;
}

static void pong_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	pp_t *p = st;
	hit(p->partner, msg, MSG_BALL, 0);
	(void)self;
}

static const act_behaviour_t ping_beh = { .name = "ping", .receive = ping_receive };
static const act_behaviour_t pong_beh = { .name = "pong", .receive = pong_receive };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static act_system_t *make(int workers, uint64_t spin_ns)
{
	act_config_t cfg;
	act_config_default(&cfg);
	cfg.workers = workers;
	cfg.spin_ns = spin_ns;
	act_system_t *sys;
	if (act_system_create(&cfg, &sys) != 0 || act_system_start(sys) != 0) {
		fprintf(stderr, "bench_actors: cannot start a system\n");
		exit(1);
	}
	return sys;
}

/* Returns p50 in *p50 and p99 in *p99 (ns); mean as the result. */
static double pingpong(int workers, int pong_worker, uint64_t spin_ns,
		       uint64_t rounds, uint64_t *p50, uint64_t *p99)
{
	act_system_t *sys = make(workers, spin_ns);
	pp_t ping = { .rounds = rounds, .warmup = rounds / 10 + 100 };
	pp_t pong = { 0 };
	ping.samples = calloc(rounds, sizeof(uint64_t));
	act_actor_t *b = act_spawn(sys, &pong_beh, &pong, pong_worker);
	act_actor_t *a = act_spawn(sys, &ping_beh, &ping, 0);
	ping.partner = b;
	pong.partner = a;
	act_msg_t *go = act_msg_new(sizeof(ball_t), MSG_GO);
	act_send(a, go);
	while (!__atomic_load_n(&ping.done, __ATOMIC_ACQUIRE))
		usleep(1000);
	act_actor_unref(a);
	act_actor_unref(b);
	act_system_shutdown(sys);
	act_system_destroy(sys);
	double sum = 0;
	for (uint64_t i = 0; i < rounds; i++)
		sum += (double)ping.samples[i];
	qsort(ping.samples, rounds, sizeof(uint64_t), cmp_u64);
	*p50 = ping.samples[rounds / 2];
	*p99 = ping.samples[rounds * 99 / 100];
	free(ping.samples);
	return sum / (double)rounds;
}

/* ---- fan-out / fan-in ------------------------------------------------ */

#define MAXLEAVES 64

typedef struct counter {
	uint64_t n;
	char pad[56];
} counter_t;

typedef struct hub {
	act_actor_t *leaves[MAXLEAVES];
	unsigned nleaves, window;
	int *stop;
	counter_t replies;
} hub_t;

typedef struct leaf {
	act_actor_t *hub;
	counter_t requests;
} leaf_t;

static void hub_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	hub_t *h = st;
	if (msg->type == MSG_GO) {
		for (unsigned l = 0; l < h->nleaves; l++)
			for (unsigned w = 0; w < h->window; w++)
				hit(h->leaves[l], NULL, MSG_REQ, l);
		return;
	}
	/* A reply: count it, send the next request to the same leaf. */
	__atomic_store_n(&h->replies.n, h->replies.n + 1, __ATOMIC_RELAXED);
	if (!__atomic_load_n(h->stop, __ATOMIC_RELAXED))
		hit(h->leaves[((ball_t *)msg)->n], msg, MSG_REQ, ((ball_t *)msg)->n);
	(void)self;
}

static void leaf_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	leaf_t *l = st;
	__atomic_store_n(&l->requests.n, l->requests.n + 1, __ATOMIC_RELAXED);
	hit(l->hub, msg, MSG_REP, ((ball_t *)msg)->n);
	(void)self;
}

static const act_behaviour_t hub_beh = { .name = "hub", .receive = hub_receive };
static const act_behaviour_t leaf_beh = { .name = "leaf", .receive = leaf_receive };

static uint64_t total(hub_t *hubs, leaf_t *leaves, int nw, unsigned nl)
{
	uint64_t t = 0;
	for (int w = 0; w < nw; w++) {
		t += __atomic_load_n(&hubs[w].replies.n, __ATOMIC_RELAXED);
		for (unsigned l = 0; l < nl; l++)
			t += __atomic_load_n(&leaves[w * nl + l].requests.n,
					     __ATOMIC_RELAXED);
	}
	return t;
}

/* Messages delivered per second, all workers together. */
static double fanout(unsigned nleaves, unsigned window, uint64_t spin_ns,
		     unsigned duration_ms)
{
	act_system_t *sys = make(0, spin_ns);
	int nw = act_system_workers(sys);
	int stop = 0;
	hub_t *hubs = calloc((size_t)nw, sizeof(hub_t));
	leaf_t *leaves = calloc((size_t)nw * nleaves, sizeof(leaf_t));
	act_actor_t **handles = calloc((size_t)nw * (nleaves + 1), sizeof(*handles));
	for (int w = 0; w < nw; w++) {
		hubs[w].nleaves = nleaves;
		hubs[w].window = window;
		hubs[w].stop = &stop;
		handles[w] = act_spawn(sys, &hub_beh, &hubs[w], w);
	}
	for (int w = 0; w < nw; w++)
		for (unsigned l = 0; l < nleaves; l++) {
			/* hub w's leaves live on the next worker */
			leaf_t *lf = &leaves[w * nleaves + l];
			lf->hub = handles[w];
			act_actor_t *h = act_spawn(sys, &leaf_beh, lf, (w + 1) % nw);
			hubs[w].leaves[l] = h;
			handles[nw + w * nleaves + l] = h;
		}
	for (int w = 0; w < nw; w++)
		act_send(handles[w], act_msg_new(sizeof(ball_t), MSG_GO));
	usleep(200000); /* warm up: pools filled, caches hot */
	uint64_t c0 = total(hubs, leaves, nw, nleaves), t0 = act_now_ns();
	usleep(duration_ms * 1000u);
	uint64_t c1 = total(hubs, leaves, nw, nleaves), t1 = act_now_ns();
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nw * (int)(nleaves + 1); i++)
		act_actor_unref(handles[i]);
	act_system_shutdown(sys); /* requests still in flight: freed */
	act_system_destroy(sys);
	free(handles);
	free(leaves);
	free(hubs);
	return (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
}

/* ---- main -------------------------------------------------------------- */

enum { V_CROSS, V_PARK, V_LOCAL, V_FANOUT, V_N };
static const char *const vname[V_N] = {
	"pingpong-cross", "pingpong-park", "pingpong-local", "fanout",
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t rounds = 200000, spin_us = 1000;
	unsigned leaves = 4, window = 64, duration_ms = 1000, repeat = 3;
	bool use[V_N] = { true, true, true, true };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--rounds") && v)
			rounds = strtoull(v, NULL, 10), i++;
		else if (!strcmp(a, "--spin-us") && v)
			spin_us = strtoull(v, NULL, 10), i++;
		else if (!strcmp(a, "--leaves") && v)
			leaves = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--window") && v)
			window = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--duration-ms") && v)
			duration_ms = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--repeat") && v)
			repeat = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--reuse"))
			reuse = true;
		else if (!strcmp(a, "--variants") && v) {
			for (int k = 0; k < V_N; k++)
				use[k] = strstr(v, vname[k]) != NULL;
			i++;
		} else {
			fprintf(stderr, "usage: %s [--rounds N] [--spin-us U] "
				"[--leaves L] [--window W] [--duration-ms D] "
				"[--repeat R] [--reuse] [--variants a,b,...]\n",
				argv[0]);
			return 2;
		}
	}
	if (rounds < 100 || repeat == 0 || repeat > 100 || leaves == 0 ||
	    leaves > MAXLEAVES || window == 0 || duration_ms == 0)
		return 2;

	double med[V_N][3][100]; /* p50, p99, rate */
	for (unsigned rep = 0; rep < repeat; rep++)
		for (int k = 0; k < V_N; k++) {
			if (!use[k])
				continue;
			uint64_t p50 = 0, p99 = 0;
			double mean;
			switch (k) {
			case V_CROSS:
			case V_PARK:
			case V_LOCAL: {
				int local = k == V_LOCAL;
				uint64_t spin = k == V_PARK ? 0 : spin_us * 1000;
				mean = pingpong(local ? 1 : 2, local ? 0 : 1, spin,
						rounds, &p50, &p99);
				med[k][0][rep] = (double)p50;
				med[k][1][rep] = (double)p99;
				printf("actors variant=%s rounds=%llu spin_us=%llu "
				       "rtt_p50_ns=%llu rtt_p99_ns=%llu rtt_mean_ns=%.0f "
				       "run=%u\n", vname[k], (unsigned long long)rounds,
				       (unsigned long long)(spin / 1000),
				       (unsigned long long)p50, (unsigned long long)p99,
				       mean, rep + 1);
				break;
			}
			case V_FANOUT: {
				double rate = fanout(leaves, window, spin_us * 1000,
						     duration_ms);
				med[k][2][rep] = rate;
				printf("actors variant=fanout leaves=%u window=%u "
				       "msgs_per_s=%.0f mmsgs_per_s=%.2f run=%u\n",
				       leaves, window, rate, rate / 1e6, rep + 1);
				break;
			}
			}
			fflush(stdout);
		}
	for (int k = 0; k < V_N; k++) {
		if (!use[k])
			continue;
		for (int m = 0; m < 3; m++)
			qsort(med[k][m], repeat, sizeof(double), cmp_double);
		if (k == V_FANOUT)
			printf("actors median variant=fanout mmsgs_per_s=%.2f runs=%u\n",
			       med[k][2][repeat / 2] / 1e6, repeat);
		else
			printf("actors median variant=%s rtt_p50_ns=%.0f "
			       "rtt_p99_ns=%.0f runs=%u\n", vname[k],
			       med[k][0][repeat / 2], med[k][1][repeat / 2], repeat);
	}
	return 0;
}
