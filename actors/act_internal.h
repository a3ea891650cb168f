/*
 * act_internal.h - structures shared by the runtime's files (not installed).
 *
 * Names here use the second tier `act__`.  Everything that hangs off a worker
 * (run loop, pool free lists, timer heap, epoll set, actor lists of timers
 * and fd watches) is touched only by that worker's thread, except the fields
 * marked "any thread".
 */
#ifndef FLASHKV_ACT_INTERNAL_H
#define FLASHKV_ACT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <flashkv/act.h>

/* act_msg_t.flags */
enum {
	ACT__MSGF_EMBEDDED = 1u << 0, /* part of an actor/timer/watch: never freed */
};

/* Runtime control messages, embedded in each actor. */
enum {
	ACT__CTL_START = ACT_MSG_RUNTIME + 0x100,
	ACT__CTL_STOP,
	ACT__CTL_FREE,
};

#define ACT__NCLASS 9            /* 64 B .. 16 KiB, powers of two */
#define ACT__MIN_CLASS_SHIFT 6
#define ACT__CLASS_NONE 0xffffu  /* allocated with malloc, freed with free */

typedef struct act_worker act_worker_t;

/* Per-worker message pool.  Local lists are worker-only.  `remote[c]` is a
 * Treiber stack per size class that other threads push freed messages onto
 * (chains, with one CAS) and the owner empties in one exchange, so there is
 * no ABA (no one pops singly) and no walk: the taken chain becomes the
 * local list as it is. */
typedef struct act_pool {
	act_msg_t *free[ACT__NCLASS];   /* worker only, linked by node.next */
	unsigned count[ACT__NCLASS];    /* worker only: cached by local frees */
	unsigned cap;                   /* max cached per class (local frees) */
	char pad0[64];
	act_msg_t *remote[ACT__NCLASS]; /* any thread pushes */
	char pad1[64];
} act_pool_t;

/* A worker's pending returns to one other pool's size class: frees of
 * messages from other workers are chained here and pushed home 32 at a
 * time (or when the worker goes idle), one CAS per chain instead of one per
 * message.  A small direct-mapped table: a collision flushes. */
#define ACT__RBATCH_SLOTS 16
#define ACT__RBATCH_MAX 32
typedef struct act__rbatch {
	act_pool_t *pool;
	act_msg_t *head, *tail;
	unsigned cls, n;
} act__rbatch_t;

typedef struct act__list {
	struct act__list *prev, *next;
} act__list_t;

struct act_timer {
	act_actor_t *owner;
	uint64_t deadline_ns;
	uint64_t period_ns;
	unsigned heap_index;     /* position in the worker heap, or UINT_MAX */
	bool queued;             /* msg is in the owner's mailbox */
	bool dead;               /* cancelled while queued: free on dispatch */
	act__list_t link;        /* owner's timer list */
	act_timer_msg_t msg;
};

struct act_fd {
	act_actor_t *owner;
	int fd;
	bool queued;
	bool dead;
	act__list_t link;        /* owner's watch list */
	act_fd_msg_t msg;
};

struct act_actor {
	/* What senders touch, together: the mailbox, the run-queue link, the
	 * worker pointer and the flags and counts they read or change.  The
	 * worker's own fields live on the next cache lines: had senders to
	 * pull `stopped` out of a line the worker writes on every message
	 * (state, started), each send would cost one more cache miss
	 * (bench_actors fanout, 2 CPUs shared with other load: 5.8-6.1 ->
	 * 7.5-7.9 M msgs/s). */
	mbox_t mbox;                     /* any thread pushes */
	mbox_node_t runq_node;           /* link in the worker's run queue */
	act_worker_t *worker;
	int refs;                        /* any thread: handles + 1 while alive */
	int stop_requested;              /* any thread: CAS guard for ctl_stop */
	int stopped;                     /* set by the worker; read by senders */
	/* The worker's own, from the next cache line (aligned_alloc(64)). */
	const act_behaviour_t *beh __attribute__((aligned(64)));
	void *state;
	bool started;                    /* worker only */
	act__list_t link;                /* worker's actor list (under list_lock) */
	act__list_t timers;              /* worker only */
	act__list_t fds;                 /* worker only */
	act_msg_t ctl_start, ctl_stop, ctl_free;
};

struct act_worker {
	/* Written by other threads: keep apart from the worker's own fields. */
	mbox_t runq;                     /* actors ready to run */
	int sleeping;                    /* 1 while parked (or about to) */
	char pad0[64];

	act_system_t *sys;
	int index;
	int cpu;                         /* -1: not pinned */
	int epfd;
	int efd;                         /* eventfd: wakes a parked worker */
	int stop;                        /* any thread sets */
	pthread_t thread;
	act_pool_t pool;
	act__rbatch_t rbatch[ACT__RBATCH_SLOTS]; /* worker only */
	struct act_timer **heap;         /* min-heap on deadline_ns */
	unsigned heap_len, heap_cap;
	pthread_mutex_t list_lock;       /* guards `actors` (spawn vs free) */
	act__list_t actors;
	unsigned nwatches;               /* live fd watches */
	uint64_t spin_until_ns;          /* act_expect_message's deadline */
	act_msg_t *handling;             /* the message receive() is handling */
	bool claimed;                    /* act_msg_claim(handling) was called */
	act_worker_stats_t stats;        /* worker writes; wakeups: any thread */
};

struct act_system {
	act_config_t cfg;
	int nworkers;
	act_worker_t *workers;
	unsigned next_worker;            /* round-robin spawn, atomic */
	bool started;
	bool down;
};

/* The worker the calling thread runs, or NULL. */
extern __thread act_worker_t *act__self_worker;

static inline void act__list_init(act__list_t *l) { l->prev = l->next = l; }
static inline bool act__list_empty(const act__list_t *l) { return l->next == l; }
static inline void act__list_add(act__list_t *head, act__list_t *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}
static inline void act__list_del(act__list_t *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}
#define act__container(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* msg.c */
void act__pool_init(act_pool_t *pool, unsigned cap);
void act__pool_destroy(act_pool_t *pool);
void act__msg_init_embedded(act_msg_t *msg, uint32_t type);
/* Push the worker's pending remote frees home (idle, exit, destroy). */
void act__msg_flush(act_worker_t *w);

/* actor.c */
void act__push(act_actor_t *to, act_msg_t *msg);
void act__run(act_worker_t *w, act_actor_t *a);
void act__stop_now(act_actor_t *a);
void act__drain_undelivered(act_actor_t *a);
void act__free(act_actor_t *a);

/* worker.c */
void act__schedule(act_actor_t *a);
int act__worker_init(act_system_t *sys, act_worker_t *w, int index, int cpu);
void act__worker_destroy(act_worker_t *w);
void *act__worker_main(void *arg);
void act__worker_wake(act_worker_t *w);

/* timer.c */
void act__timers_fire(act_worker_t *w);
/* Nanoseconds until the next deadline, or UINT64_MAX when none. */
uint64_t act__timers_next(act_worker_t *w);
void act__timer_dispatch(act_actor_t *a, act_timer_msg_t *m);
void act__timers_cancel_all(act_actor_t *a);
void act__timer_drop(act_timer_t *t);

/* fd.c */
void act__fd_event(act_worker_t *w, act_fd_t *watch, uint32_t epoll_events);
void act__fd_dispatch(act_actor_t *a, act_fd_msg_t *m);
void act__fds_unwatch_all(act_actor_t *a);
void act__fd_drop(act_fd_t *f);

#endif
