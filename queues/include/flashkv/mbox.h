/*
 * mbox.h - intrusive multi-producer, single-consumer mailbox.
 *
 * A thin, documented layer over liburcu's wait-free concurrent queue
 * (wfcqueue).  Nodes are embedded in the caller's objects (intrusive), so the
 * mailbox never allocates.
 *
 * Concurrency contract
 *
 *   operation          may run concurrently with
 *   ----------------   ------------------------------------------------------
 *   mbox_push          any number of mbox_push, and with one consumer call
 *   mbox_pop           mbox_push only (one consumer thread at a time)
 *   mbox_splice        mbox_push only (one consumer thread at a time)
 *   mbox_is_empty      anything (a hint: may be stale when it returns)
 *   mbox_init/destroy  nothing
 *
 * mbox_push is wait-free: one atomic exchange and one store.  It reports
 * whether the mailbox was empty before the push; that is the one moment to
 * schedule the consumer, so exactly one producer sees "was empty" for each
 * transition from empty to non-empty.
 *
 * The consumer side never blocks.  liburcu's _blocking dequeue may sleep for
 * 10 ms when a producer is preempted between its exchange and its link store;
 * mbox_pop instead returns MBOX_BUSY, meaning "not empty, but the next node is
 * not linked yet: come back later".  The mailbox is then still non-empty as
 * far as producers are concerned, so the consumer stays responsible for it.
 *
 * Memory ordering: everything a producer wrote into its node (and anything
 * else) before mbox_push is visible to the consumer once mbox_pop returns that
 * node; the exchange in push is a full barrier.
 */
#ifndef FLASHKV_MBOX_H
#define FLASHKV_MBOX_H

#include <stdbool.h>
#include <stddef.h>

#ifndef _LGPL_SOURCE
#define _LGPL_SOURCE 1 /* inline wfcqueue calls; FlashKV is MIT licensed */
#endif
#include <urcu/wfcqueue.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ThreadSanitizer cannot see liburcu's x86 inline assembly (the exchange in
 * push, the compare-exchange in pop), so it would see no happens-before
 * edge through the mailbox.  Under TSan, two edges are annotated, the two
 * the exchange provides:
 *   - producer to consumer: push releases the node's address, a pop that
 *     returns the node acquires it (nodes moved by mbox_splice are
 *     acquired when popped from the destination);
 *   - consumer to the next "was empty" producer: every pop and splice
 *     releases the tail's address before it may empty the mailbox, and a
 *     push that reports "was empty" acquires it (the exchange read the
 *     tail the emptying pop wrote).  This is the hand-over of whatever
 *     the "was empty" producer then owns, e.g. an actor's run-queue link.
 * The races TSan still reports inside liburcu's own queue code (its link
 * and tail words) are suppressed by name in tests/tsan.supp.  Without TSan
 * these compile to nothing.
 */
#if defined(__SANITIZE_THREAD__)
#define MBOX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MBOX_TSAN 1
#endif
#endif
#ifdef MBOX_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define mbox__tsan_release(node) __tsan_release(node)
#define mbox__tsan_acquire(node) __tsan_acquire(node)
#else
#define mbox__tsan_release(node) ((void)0)
#define mbox__tsan_acquire(node) ((void)0)
#endif

/* A node embedded in every queued object.  Owned by the mailbox from a
 * successful mbox_push until mbox_pop returns it. */
typedef struct cds_wfcq_node mbox_node_t;

typedef struct mbox {
	struct __cds_wfcq_head head; /* consumer side: no lock, one consumer */
	struct cds_wfcq_tail tail;   /* producer side: exchanged by push */
} mbox_t;

/* Returned by mbox_pop when a producer is mid-push: retry later. */
#define MBOX_BUSY ((mbox_node_t *)CDS_WFCQ_WOULDBLOCK)

/* Flags set by mbox_pop_state in *state. */
enum { MBOX_POPPED_LAST = CDS_WFCQ_STATE_LAST };

static inline void mbox_init(mbox_t *mb)
{
	__cds_wfcq_init(&mb->head, &mb->tail);
}

/* Nothing to free; present so every init has its pair. */
static inline void mbox_destroy(mbox_t *mb)
{
	(void)mb;
}

static inline void mbox_node_init(mbox_node_t *node)
{
	cds_wfcq_node_init(node);
}

/* Append @node.  Returns true if the mailbox was empty before this push:
 * the caller is then the one producer that must wake/schedule the consumer. */
static inline bool mbox_push(mbox_t *mb, mbox_node_t *node)
{
	cds_wfcq_node_init(node);
	mbox__tsan_release(node);
	bool was_empty = !cds_wfcq_enqueue(&mb->head, &mb->tail, node);
	if (was_empty)
		mbox__tsan_acquire(&mb->tail);
	return was_empty;
}

/* Remove the oldest node.  Returns the node, NULL if the mailbox is empty, or
 * MBOX_BUSY if a producer has claimed a slot but not linked it yet.  If
 * @state is not NULL it receives MBOX_POPPED_LAST when the returned node was
 * the last one: the mailbox has become empty and the next push reports it. */
static inline mbox_node_t *mbox_pop_state(mbox_t *mb, int *state)
{
	mbox__tsan_release(&mb->tail);
	mbox_node_t *node = __cds_wfcq_dequeue_with_state_nonblocking(
		&mb->head, &mb->tail, state);
	if (node != NULL && node != MBOX_BUSY)
		mbox__tsan_acquire(node);
	return node;
}

static inline mbox_node_t *mbox_pop(mbox_t *mb)
{
	return mbox_pop_state(mb, NULL);
}

/* Move every node of @src to the end of @dst (consumer of @src only; @dst
 * must not be in use by anyone else).  Returns false if @src was busy
 * (MBOX_BUSY semantics) and nothing moved.  A drained @src is empty again,
 * so the next push into it reports "was empty". */
static inline bool mbox_splice(mbox_t *dst, mbox_t *src)
{
	mbox__tsan_release(&src->tail);
	enum cds_wfcq_ret r = __cds_wfcq_splice_nonblocking(
		&dst->head, &dst->tail, &src->head, &src->tail);
	return r != CDS_WFCQ_RET_WOULDBLOCK;
}

/* A hint for the consumer or for a sleeper's re-check. */
static inline bool mbox_is_empty(mbox_t *mb)
{
	return cds_wfcq_empty(&mb->head, &mb->tail);
}

/* Recover the containing object of a node. */
#define mbox_entry(node, type, member) caa_container_of(node, type, member)

#ifdef __cplusplus
}
#endif
#endif
