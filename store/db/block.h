/*
 * block.h - the keys clients wait on in one keyspace (the store side of
 * BLPOP, BLMOVE, BZPOPMIN...): per key, the waiters in arrival order, and
 * the keys written since they were last looked at ("ready").
 *
 * A waiter is the caller's (net/shard's) object: the table only keeps its
 * pointer in a registration, one per key it waits on (a key given twice is
 * registered once, by the caller).  keyspace.c marks a key ready on every
 * write of it while anyone waits on it (the same hook as WATCH's), so the
 * shard can serve the key's waiters after the command that fed it.
 *
 * Storage: a dict (dict.h) of the waited-on keys, each entry's inline
 * value pointing at its record (queue head and tail, ready links).
 *
 * Ownership: the table owns its records and registrations, not the
 * waiters.  A registration pointer is valid until block_del.
 * Concurrency: none; the thread that owns the keyspace.  block_t is
 * embeddable; only `n` is read outside block.c (on every write).
 */
#ifndef FLASHKV_STORE_BLOCK_H
#define FLASHKV_STORE_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"

typedef struct block_key block_key_t;
typedef struct block_reg block_reg_t;

typedef struct block {
    size_t n;                   /* waited-on keys: "anyone waiting?" is one load */
    dict_t keys;
    block_key_t *ready_head, *ready_tail;
} block_t;

void block_init(block_t *b, uint64_t seed);
/* Free every record and registration (the waiters are not touched). */
void block_release(block_t *b);

/* Register waiter on key, last in its queue.  NULL on ENOMEM (nothing
 * registered). */
block_reg_t *block_add(block_t *b, const void *key, size_t klen, void *waiter);
/* Remove a registration; the key's record goes with its last one.  A
 * registration that was woken (block_set_woken) leaves its key ready, so
 * the waiters after it get their turn. */
void block_del(block_t *b, block_reg_t *r);

void *block_waiter(const block_reg_t *r);
const char *block_key(const block_reg_t *r, size_t *klen);
/* The next registration on the same key, in arrival order; NULL last. */
block_reg_t *block_next(const block_reg_t *r);
/* A waiter of several shards, told that this key has data, is deciding:
 * the key's later waiters wait for it.  Clearing it makes the key ready. */
bool block_woken(const block_reg_t *r);
void block_set_woken(block_t *b, block_reg_t *r, bool woken);

/* Mark key ready if anyone waits on it (every write of key calls this). */
void block_signal(block_t *b, const void *key, size_t klen);
/* Mark every waited-on key ready (SWAPDB: data changed under them). */
void block_signal_all(block_t *b);
/* Take the oldest ready key off the ready list: its first registration,
 * or NULL when no key is ready. */
block_reg_t *block_take_ready(block_t *b);
static inline bool block_any_ready(const block_t *b) { return b->ready_head != NULL; }

/* Exchange two tables (SWAPDB: waits belong to the database number). */
void block_swap(block_t *a, block_t *b);

#endif
