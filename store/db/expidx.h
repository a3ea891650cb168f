/*
 * expidx.h - index of the keys that have a TTL, for active expiry.
 *
 * A dense array of (entry, expire time) records. Each entry with a TTL
 * stores its position + 1 in entry->xslot, so add, remove and "what is this
 * key's TTL" are O(1), and a uniformly random volatile key is one random
 * index: exactly what the adaptive expiry cycle samples. Removal moves the
 * last record into the hole (and fixes that entry's xslot).
 *
 * The array is segmented in fixed chunks, so growing it never copies the
 * records (only the small chunk directory doubles): no pause that grows
 * with the number of keys.
 *
 * Ownership: records point at entries owned by the keyspace's dict; the
 * index never frees entries.
 * Concurrency: none; the owning shard thread only.
 */
#ifndef FLASHKV_STORE_EXPIDX_H
#define FLASHKV_STORE_EXPIDX_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

#define EXPIDX_CHUNK 1024   /* records per chunk (16 KiB) */

typedef struct expidx_rec {
    entry_t *e;
    int64_t when;           /* absolute unix time in ms */
} expidx_rec_t;

typedef struct expidx {
    expidx_rec_t **chunks;  /* directory; chunks[i] holds EXPIDX_CHUNK records */
    size_t nchunks;         /* allocated chunks */
    size_t dircap;          /* directory capacity */
    size_t n;               /* records in use */
} expidx_t;

void expidx_init(expidx_t *x);
/* Free the chunks (not the entries). */
void expidx_release(expidx_t *x);

static inline size_t expidx_size(const expidx_t *x) { return x->n; }

static inline expidx_rec_t *expidx_at(const expidx_t *x, size_t i)
{
    return &x->chunks[i / EXPIDX_CHUNK][i % EXPIDX_CHUNK];
}

/* Record for e, which must have a TTL (e->xslot != 0). */
static inline expidx_rec_t *expidx_of(const expidx_t *x, const entry_t *e)
{
    return expidx_at(x, e->xslot - 1);
}

/* Set e's expire time, adding it to the index if needed. 0 or -ENOMEM. */
int expidx_set(expidx_t *x, entry_t *e, int64_t when);

/* Make room for one more record, so the next expidx_set of an entry
 * without a TTL cannot fail. 0 or -ENOMEM. */
int expidx_reserve(expidx_t *x);

/* Remove e (which must have a TTL) from the index; e->xslot becomes 0. */
void expidx_del(expidx_t *x, entry_t *e);

/* e was replaced by neu (same xslot): point the record at neu. */
static inline void expidx_relink(expidx_t *x, entry_t *neu)
{
    if (neu->xslot)
        expidx_of(x, neu)->e = neu;
}

/* Bytes held by the index. */
static inline size_t expidx_mem(const expidx_t *x)
{
    return x->nchunks * EXPIDX_CHUNK * sizeof(expidx_rec_t) +
           x->dircap * sizeof(expidx_rec_t *);
}

#endif
