/*
 * bench_mbox.c - mailbox throughput: ns per message with 1, 2 and 4
 * producers and one consumer, for the MPSC mailbox (consumer popping one by
 * one, or draining in batches with mbox_splice), beside a mutex-protected
 * intrusive list (one by one, or the whole list at once) and a pipe, in the
 * same run.  Variants alternate within each repetition, so that drift of a
 * noisy machine hits them all alike; the last lines give the median of the
 * repetitions.
 *
 *   bench_mbox [--msgs N] [--pipe-msgs N] [--producers 1,2,4] [--repeat R]
 *              [--variants mbox-pop,mbox-splice,mutex-pop,mutex-batch,pipe]
 *              [--backoff N] [--pin]
 *
 * One line per variant and run:
 *   mbox variant=mbox-splice producers=1 msgs=4000000 ns_per_msg=9.8 mmsgs_per_s=102.0 run=1
 * Producers push preallocated nodes as fast as they can; the consumer
 * spins when it finds nothing; the batch-draining consumers (mbox-splice,
 * mutex-batch), after a batch of fewer than 64 messages, spin --backoff
 * pause hints (default 256, about 1-2 us here) so that a batch can build
 * up, as it does for a worker busy with other actors.  Time runs from the release of all threads
 * to the consumer's last message.  With --pin the consumer runs on the
 * first CPU of the affinity mask and the producers on the others.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <flashkv/mbox.h>

#define MAXP 16

typedef struct node {
	mbox_node_t mb;          /* mbox link */
	struct node *next;       /* mutex list link */
	uint64_t seq;
	uint64_t pad;
} node_t;

typedef struct mlist {
	pthread_mutex_t lock;
	node_t *head, *tail;
} mlist_t;

enum kind { K_MBOX_POP, K_MBOX_SPLICE, K_MUTEX_POP, K_MUTEX_BATCH, K_PIPE, K_N };
static const char *const kind_name[K_N] = {
	"mbox-pop", "mbox-splice", "mutex-pop", "mutex-batch", "pipe",
};

typedef struct run {
	enum kind kind;
	unsigned nproducers;
	uint64_t per_producer;
	node_t *nodes;
	mbox_t mb;
	mlist_t ml;
	int pipefd[2];
	int go;
	int ready;
	uint64_t t0;
} run_t;

typedef struct parg {
	run_t *r;
	unsigned id;
	int cpu;
} parg_t;

/* Batch drain: after a splice of fewer than batch_min messages, pause for
 * `backoff` spin-loop hints before the next one (--backoff 0: never). */
static unsigned batch_min = 64, backoff = 256;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pin_to(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static void *producer(void *p)
{
	parg_t *a = p;
	run_t *r = a->r;
	pin_to(a->cpu);
	node_t *mine = r->nodes + (size_t)a->id * r->per_producer;
	__atomic_fetch_add(&r->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		cpu_relax();
	switch (r->kind) {
	case K_MBOX_POP:
	case K_MBOX_SPLICE:
		for (uint64_t i = 0; i < r->per_producer; i++)
			mbox_push(&r->mb, &mine[i].mb);
		break;
	case K_MUTEX_POP:
	case K_MUTEX_BATCH:
		for (uint64_t i = 0; i < r->per_producer; i++) {
			node_t *n = &mine[i];
			n->next = NULL;
			pthread_mutex_lock(&r->ml.lock);
			if (r->ml.tail)
				r->ml.tail->next = n;
			else
				r->ml.head = n;
			r->ml.tail = n;
			pthread_mutex_unlock(&r->ml.lock);
		}
		break;
	case K_PIPE:
		for (uint64_t i = 0; i < r->per_producer; i++) {
			node_t *n = &mine[i];
			if (write(r->pipefd[1], &n, sizeof(n)) != sizeof(n)) {
				perror("write");
				exit(1);
			}
		}
		break;
	default:
		break;
	}
	return NULL;
}

/* Consume everything; returns a checksum so nothing is optimised away. */
static uint64_t consume(run_t *r, uint64_t total)
{
	uint64_t got = 0, sum = 0;
	switch (r->kind) {
	case K_MBOX_POP:
		while (got < total) {
			mbox_node_t *n = mbox_pop(&r->mb);
			if (n == NULL || n == MBOX_BUSY) {
				cpu_relax();
				continue;
			}
			sum += mbox_entry(n, node_t, mb)->seq;
			got++;
		}
		break;
	case K_MBOX_SPLICE: {
		mbox_t local;
		mbox_init(&local);
		while (got < total) {
			if (!mbox_splice(&local, &r->mb)) {
				cpu_relax();
				continue;
			}
			mbox_node_t *n;
			uint64_t before = got;
			while ((n = mbox_pop(&local)) != NULL) {
				if (n == MBOX_BUSY) {
					cpu_relax();
					continue;
				}
				sum += mbox_entry(n, node_t, mb)->seq;
				got++;
			}
			/* A short batch: let messages accumulate rather than
			 * fight the producers for the mailbox's cache lines
			 * one message at a time (a worker does useful work
			 * here instead). */
			if (got - before < batch_min)
				for (unsigned i = 0; i < backoff; i++)
					cpu_relax();
		}
		break;
	}
	case K_MUTEX_POP:
		while (got < total) {
			pthread_mutex_lock(&r->ml.lock);
			node_t *n = r->ml.head;
			if (n) {
				r->ml.head = n->next;
				if (!r->ml.head)
					r->ml.tail = NULL;
			}
			pthread_mutex_unlock(&r->ml.lock);
			if (!n) {
				cpu_relax();
				continue;
			}
			sum += n->seq;
			got++;
		}
		break;
	case K_MUTEX_BATCH:
		while (got < total) {
			pthread_mutex_lock(&r->ml.lock);
			node_t *n = r->ml.head;
			r->ml.head = r->ml.tail = NULL;
			pthread_mutex_unlock(&r->ml.lock);
			if (!n) {
				cpu_relax();
				continue;
			}
			uint64_t before = got;
			for (; n; n = n->next) {
				sum += n->seq;
				got++;
			}
			if (got - before < batch_min) /* as mbox-splice */
				for (unsigned i = 0; i < backoff; i++)
					cpu_relax();
		}
		break;
	case K_PIPE: {
		node_t *buf[512];
		while (got < total) {
			ssize_t k = read(r->pipefd[0], buf, sizeof(buf));
			if (k <= 0) {
				if (k < 0 && errno == EINTR)
					continue;
				perror("read");
				exit(1);
			}
			for (ssize_t i = 0; i < k / (ssize_t)sizeof(buf[0]); i++) {
				sum += buf[i]->seq;
				got++;
			}
		}
		break;
	}
	default:
		break;
	}
	return sum;
}

static double run_once(enum kind kind, unsigned np, uint64_t msgs,
		       node_t *nodes, bool pin, const int *cpus, int ncpus)
{
	run_t r = { .kind = kind, .nproducers = np, .nodes = nodes };
	r.per_producer = msgs / np;
	uint64_t total = r.per_producer * np;
	for (uint64_t i = 0; i < total; i++)
		nodes[i].seq = i;
	mbox_init(&r.mb);
	pthread_mutex_init(&r.ml.lock, NULL);
	if (kind == K_PIPE && pipe(r.pipefd) < 0) {
		perror("pipe");
		exit(1);
	}
	pthread_t th[MAXP];
	parg_t args[MAXP];
	for (unsigned p = 0; p < np; p++) {
		int cpu = -1;
		if (pin && ncpus > 1)
			cpu = cpus[1 + (int)p % (ncpus - 1)];
		args[p] = (parg_t){ &r, p, cpu };
		if (pthread_create(&th[p], NULL, producer, &args[p]) != 0) {
			perror("pthread_create");
			exit(1);
		}
	}
	while (__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE) < (int)np)
		sched_yield();
	uint64_t t0 = now_ns();
	__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
	uint64_t sum = consume(&r, total);
	uint64_t t1 = now_ns();
	for (unsigned p = 0; p < np; p++)
		pthread_join(th[p], NULL);
	if (sum != total * (total - 1) / 2) {
		fprintf(stderr, "bench_mbox: %s lost messages\n", kind_name[kind]);
		exit(1);
	}
	if (kind == K_PIPE) {
		close(r.pipefd[0]);
		close(r.pipefd[1]);
	}
	pthread_mutex_destroy(&r.ml.lock);
	return (double)(t1 - t0) / (double)total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static unsigned parse_list(const char *s, unsigned *out, unsigned max)
{
	unsigned n = 0;
	while (*s && n < max) {
		out[n++] = (unsigned)strtoul(s, (char **)&s, 10);
		if (*s == ',')
			s++;
	}
	return n;
}

int main(int argc, char **argv)
{
	uint64_t msgs = 4000000, pipe_msgs = 200000;
	unsigned prods[8] = { 1, 2, 4 }, nprods = 3, repeat = 3;
	bool use[K_N] = { true, true, true, true, true };
	bool pin = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--msgs") && v)
			msgs = strtoull(v, NULL, 10), i++;
		else if (!strcmp(a, "--pipe-msgs") && v)
			pipe_msgs = strtoull(v, NULL, 10), i++;
		else if (!strcmp(a, "--producers") && v)
			nprods = parse_list(v, prods, 8), i++;
		else if (!strcmp(a, "--repeat") && v)
			repeat = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--backoff") && v)
			backoff = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--variants") && v) {
			for (int k = 0; k < K_N; k++)
				use[k] = strstr(v, kind_name[k]) != NULL;
			i++;
		} else if (!strcmp(a, "--pin")) {
			pin = true;
		} else {
			fprintf(stderr, "usage: %s [--msgs N] [--pipe-msgs N] "
				"[--producers 1,2,4] [--repeat R] "
				"[--variants a,b,...] [--backoff N] [--pin]\n",
				argv[0]);
			return 2;
		}
	}
	if (repeat == 0 || repeat > 100 || msgs == 0 || pipe_msgs == 0)
		return 2;
	for (unsigned k = 0; k < nprods; k++)
		if (prods[k] == 0 || prods[k] > MAXP)
			return 2;

	cpu_set_t set;
	int cpus[CPU_SETSIZE], ncpus = 0;
	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[ncpus++] = c;
	if (pin)
		pin_to(cpus[0]);

	uint64_t maxmsgs = msgs > pipe_msgs ? msgs : pipe_msgs;
	node_t *nodes = calloc(maxmsgs, sizeof(node_t)); /* touched once here */
	if (!nodes) {
		perror("calloc");
		return 1;
	}
	double res[K_N][8][100];
	for (unsigned rep = 0; rep < repeat; rep++)
		for (unsigned pi = 0; pi < nprods; pi++)
			for (int k = 0; k < K_N; k++) {
				if (!use[k])
					continue;
				uint64_t n = k == K_PIPE ? pipe_msgs : msgs;
				double ns = run_once((enum kind)k, prods[pi], n, nodes,
						     pin, cpus, ncpus);
				res[k][pi][rep] = ns;
				printf("mbox variant=%s producers=%u msgs=%llu "
				       "ns_per_msg=%.2f mmsgs_per_s=%.1f run=%u\n",
				       kind_name[k], prods[pi], (unsigned long long)n,
				       ns, 1e3 / ns, rep + 1);
				fflush(stdout);
			}
	for (unsigned pi = 0; pi < nprods; pi++)
		for (int k = 0; k < K_N; k++) {
			if (!use[k])
				continue;
			qsort(res[k][pi], repeat, sizeof(double), cmp_double);
			double med = res[k][pi][repeat / 2];
			printf("mbox median variant=%s producers=%u ns_per_msg=%.2f "
			       "mmsgs_per_s=%.1f runs=%u\n", kind_name[k], prods[pi],
			       med, 1e3 / med, repeat);
		}
	free(nodes);
	return 0;
}
