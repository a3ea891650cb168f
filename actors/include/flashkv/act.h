/*
 * act.h - the FlashKV actor runtime: pinned workers, actors with MPSC
 * mailboxes, timers and file-descriptor readiness delivered as messages.
 *
 * Model
 *   A system runs N workers, one OS thread each, pinned to the CPUs of the
 *   process's affinity mask.  An actor is state + a receive function + a
 *   mailbox, bound to one worker for life.  Messages sent to an actor are
 *   appended to its mailbox (wait-free); the send that finds the mailbox
 *   empty schedules the actor on its worker, which runs at most `batch`
 *   messages before giving the other ready actors their turn.  One actor
 *   runs on one thread at a time, so its state needs no lock.
 *
 * Threads
 *   act_send, act_actor_ref/unref, act_stop and act_msg_* may be called from
 *   any thread.  act_timer_*, act_fd_* and act_self_* act on the calling
 *   actor and must be called from inside its receive function (or on_start).
 *   act_system_* are called by the thread that owns the system.
 *
 * Message ownership
 *   1. act_msg_new: the caller owns the message.
 *   2. act_send: ownership passes to the runtime, always (even on error: a
 *      message to a stopped actor is freed and -ESRCH returned).
 *   3. receive(): the handler borrows the message; the runtime frees it when
 *      the handler returns, unless the handler called act_msg_claim(), after
 *      which the handler owns it again (it may send it on, or act_msg_free).
 *   Messages are allocated from per-worker pools and go back to the pool of
 *   the worker that allocated them, wherever they are freed: no global lock
 *   and no malloc per message in steady state.
 *
 * Errors: 0 or a pointer on success, a negative errno on failure.  The
 * library never prints and never exits.
 */
#ifndef FLASHKV_ACT_H
#define FLASHKV_ACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flashkv/mbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the library's public functions: the shared library is built with
 * hidden visibility, so only these are exported. */
#if defined(__GNUC__)
#define ACT_API __attribute__((visibility("default")))
#else
#define ACT_API
#endif

typedef struct act_system act_system_t; /* opaque */
typedef struct act_actor act_actor_t;   /* opaque, reference counted */
typedef struct act_timer act_timer_t;   /* opaque, owned by its actor */
typedef struct act_fd act_fd_t;         /* opaque, owned by its actor */

/* Every message starts with this header (first member).  Fields are the
 * runtime's except `type`, which is the user's to set and read. */
typedef struct act_msg {
	mbox_node_t node;     /* mailbox link */
	uint32_t type;        /* user message type; >= ACT_MSG_RUNTIME reserved */
	uint16_t size_class;  /* runtime: pool size class */
	uint16_t flags;       /* runtime */
	void *home;           /* runtime: pool the memory returns to */
} act_msg_t;

/* Message types the runtime delivers. */
enum {
	ACT_MSG_RUNTIME = 0xffff0000u,
	ACT_MSG_TIMER,  /* act_timer_msg_t */
	ACT_MSG_FD,     /* act_fd_msg_t */
};

typedef struct act_timer_msg {
	act_msg_t hdr;
	act_timer_t *timer;
	uint64_t tag;      /* the tag given to act_timer_start */
	uint64_t expired;  /* periods elapsed since the last delivery (>= 1) */
} act_timer_msg_t;

/* Readiness bits of act_fd_msg_t.events and act_fd_watch's @events. */
enum {
	ACT_FD_READ = 1u << 0,
	ACT_FD_WRITE = 1u << 1,
	ACT_FD_HUP = 1u << 2,   /* peer closed or error: read to find out */
};

typedef struct act_fd_msg {
	act_msg_t hdr;
	act_fd_t *watch;
	uint64_t tag;      /* the tag given to act_fd_watch */
	uint32_t events;   /* ACT_FD_* bits that became ready */
} act_fd_msg_t;

/* What an actor does.  Kept by pointer: must outlive the actor. */
typedef struct act_behaviour {
	const char *name;
	/* Called once on the actor's worker before any message. Optional. */
	void (*on_start)(act_actor_t *self, void *state);
	/* Called for each message, on the actor's worker. */
	void (*receive)(act_actor_t *self, void *state, act_msg_t *msg);
	/* Called once when the actor stops (act_stop, or system shutdown),
	 * on its worker; frees @state if it owns it.  Timers and fd watches
	 * are already cancelled.  Optional. */
	void (*on_stop)(act_actor_t *self, void *state);
} act_behaviour_t;

typedef struct act_config {
	int workers;          /* 0: one per CPU of the affinity mask */
	bool pin;             /* pin worker i to the i-th CPU of the mask */
	unsigned batch;       /* messages per actor turn; 0: 100 */
	uint64_t spin_ns;     /* busy-poll before parking; 0: none */
	unsigned msg_cache;   /* pooled messages kept per size class; 0: 4096 */
} act_config_t;

/* Defaults: workers from the affinity mask, pinned, batch 100, 20 us spin. */
ACT_API void act_config_default(act_config_t *cfg);

/* Create a system; workers are not running yet.  Returns 0 and sets *out,
 * or -EINVAL / -ENOMEM / other -errno. */
ACT_API int act_system_create(const act_config_t *cfg, act_system_t **out);
/* Start the worker threads. */
ACT_API int act_system_start(act_system_t *sys);
/* Ask every worker to stop and wait for them.  Shutdown rule: messages still
 * in mailboxes or in flight are freed without being delivered; every live
 * actor gets on_stop on its worker; later sends return -ESRCH. */
ACT_API int act_system_shutdown(act_system_t *sys);
/* Free the system; any actor handle still held becomes invalid. */
ACT_API void act_system_destroy(act_system_t *sys);
ACT_API int act_system_workers(const act_system_t *sys);
/* The CPU worker @i is pinned to, or -1. */
ACT_API int act_system_worker_cpu(const act_system_t *sys, int i);

/* Counters of one worker, for monitoring (read while it runs: each value
 * is exact at some recent moment, not all at the same moment). */
typedef struct act_worker_stats {
	uint64_t messages;   /* messages delivered to receive() */
	uint64_t turns;      /* actor turns run */
	uint64_t parks;      /* times the worker slept in epoll_wait */
	uint64_t wakeups;    /* eventfd writes other threads made to wake it */
	uint64_t fd_events;  /* readiness events delivered */
	uint64_t timers;     /* timer expirations delivered */
} act_worker_stats_t;

/* Fill @out for worker @i.  0, or -EINVAL. */
ACT_API int act_system_worker_stats(const act_system_t *sys, int i,
			    act_worker_stats_t *out);

/* Spawn an actor on worker @worker (-1: round-robin).  The returned handle
 * holds one reference, owned by the caller (release it with act_actor_unref
 * when no longer needed; the actor keeps running).  NULL on failure. */
ACT_API act_actor_t *act_spawn(act_system_t *sys, const act_behaviour_t *behaviour,
		       void *state, int worker);
ACT_API act_actor_t *act_actor_ref(act_actor_t *actor);
ACT_API void act_actor_unref(act_actor_t *actor);
/* Index of the worker the actor is bound to. */
ACT_API int act_actor_worker(const act_actor_t *actor);
ACT_API act_system_t *act_actor_system(const act_actor_t *actor);

/* Send @msg to @to.  Always takes ownership of @msg.  Returns 0, or
 * -ESRCH if @to has stopped (the message is freed).  Any thread. */
ACT_API int act_send(act_actor_t *to, act_msg_t *msg);

/* Stop @actor.  The stop takes effect on its worker, after the message being
 * handled (if any): timers and fd watches are cancelled, on_stop runs, and
 * messages not yet delivered are freed undelivered, as are later sends
 * (which return -ESRCH once the stop is visible).  Idempotent.  Any thread;
 * an actor may stop itself.  The handle stays valid until unreferenced. */
ACT_API void act_stop(act_actor_t *actor);

/* Allocate a message of @size bytes (>= sizeof(act_msg_t)), header
 * initialised with @type, body uninitialised.  NULL on out of memory. */
ACT_API act_msg_t *act_msg_new(size_t size, uint32_t type);
/* Free a message the caller owns.  Any thread. */
ACT_API void act_msg_free(act_msg_t *msg);
/* Inside receive(): keep the message being handled (see ownership). */
ACT_API void act_msg_claim(act_msg_t *msg);

/* From inside an actor that just sent a request and expects the answer
 * soon: let its worker busy-poll for up to @within_ns (rather than sleep
 * at once) once it runs out of work, so the answer is picked up without
 * a wake-up.  Costs CPU only while waiting; the configured spin_ns still
 * applies otherwise. */
ACT_API void act_expect_message(act_actor_t *self, uint64_t within_ns);

/* The worker index of the calling thread, or -1 if not a worker. */
ACT_API int act_current_worker(void);
/* Monotonic time in nanoseconds, as the timers see it. */
ACT_API uint64_t act_now_ns(void);

/* Timers (from inside the actor).  After @delay_ns, then every @period_ns
 * if non-zero, the actor receives an ACT_MSG_TIMER message.  A periodic
 * timer whose message has not been handled yet does not queue another; it
 * counts the missed periods in `expired`.  Returns 0 and sets *out (may be
 * NULL for fire-and-forget one-shots), or -ENOMEM. */
ACT_API int act_timer_start(act_actor_t *self, uint64_t delay_ns, uint64_t period_ns,
		    uint64_t tag, act_timer_t **out);
/* Cancel; no message is delivered for it afterwards.  The handle dies, as
 * does a one-shot timer's once its message has been handled: do not cancel
 * a one-shot that has fired. */
ACT_API void act_timer_cancel(act_actor_t *self, act_timer_t *timer);

/* Watch @fd for readiness (edge-triggered: on a message, read or write until
 * EAGAIN).  @events is ACT_FD_READ and/or ACT_FD_WRITE.  The fd stays the
 * caller's; unwatch before closing it.  Returns 0 or -errno. */
ACT_API int act_fd_watch(act_actor_t *self, int fd, uint32_t events, uint64_t tag,
		 act_fd_t **out);
ACT_API int act_fd_modify(act_actor_t *self, act_fd_t *watch, uint32_t events);
ACT_API void act_fd_unwatch(act_actor_t *self, act_fd_t *watch);

#ifdef __cplusplus
}
#endif
#endif
