/*
 * chan.h - bounded channel of pointers on Concurrency Kit's ck_ring.
 *
 * For the places that want a fixed capacity rather than a mailbox: a full
 * channel refuses the push and the caller decides (retry, drop, push back).
 * The ring holds `capacity - 1` entries (ck_ring keeps one slot free).
 *
 * Concurrency contract
 *
 *   operation            may run concurrently with
 *   ------------------   -----------------------------------------------
 *   chan_push_sp         one chan_pop (single producer, single consumer)
 *   chan_push_mp         chan_push_mp from any thread, and one chan_pop
 *   chan_pop             producers only (one consumer thread at a time)
 *   chan_init/destroy    nothing
 *
 * Do not mix chan_push_sp and chan_push_mp on one channel.  A successful pop
 * sees everything the producer wrote before its push.
 */
#ifndef FLASHKV_CHAN_H
#define FLASHKV_CHAN_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <ck_ring.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chan {
	struct ck_ring ring;
	struct ck_ring_buffer *slots;
} chan_t;

/* @capacity must be a power of two >= 4.  Returns 0, -EINVAL or -ENOMEM. */
static inline int chan_init(chan_t *ch, unsigned capacity)
{
	if (capacity < 4 || (capacity & (capacity - 1)))
		return -EINVAL;
	ch->slots = calloc(capacity, sizeof(*ch->slots));
	if (!ch->slots)
		return -ENOMEM;
	ck_ring_init(&ch->ring, capacity);
	return 0;
}

static inline void chan_destroy(chan_t *ch)
{
	free(ch->slots);
	ch->slots = NULL;
}

/* Returns false when full: nothing was pushed. */
static inline bool chan_push_sp(chan_t *ch, void *item)
{
	return ck_ring_enqueue_spsc(&ch->ring, ch->slots, item);
}

static inline bool chan_push_mp(chan_t *ch, void *item)
{
	return ck_ring_enqueue_mpsc(&ch->ring, ch->slots, item);
}

/* Returns false when empty. */
static inline bool chan_pop(chan_t *ch, void **item)
{
	return ck_ring_dequeue_spsc(&ch->ring, ch->slots, item);
}

static inline unsigned chan_size(chan_t *ch)
{
	return ck_ring_size(&ch->ring);
}

#ifdef __cplusplus
}
#endif
#endif
