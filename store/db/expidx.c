/*
 * expidx.c - dense, chunked index of volatile keys (see expidx.h).
 *
 * Concurrency: none; the owning shard thread only.
 */
#include "expidx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void expidx_init(expidx_t *x)
{
    memset(x, 0, sizeof *x);
}

void expidx_release(expidx_t *x)
{
    for (size_t i = 0; i < x->nchunks; i++)
        free(x->chunks[i]);
    free(x->chunks);
    memset(x, 0, sizeof *x);
}

static int grow(expidx_t *x)
{
    if (x->nchunks == x->dircap) {
        size_t cap = x->dircap ? x->dircap * 2 : 4;
        expidx_rec_t **dir = realloc(x->chunks, cap * sizeof *dir);
        if (!dir)
            return -ENOMEM;
        x->chunks = dir;
        x->dircap = cap;
    }
    expidx_rec_t *c = malloc(EXPIDX_CHUNK * sizeof *c);
    if (!c)
        return -ENOMEM;
    x->chunks[x->nchunks++] = c;
    return 0;
}

int expidx_reserve(expidx_t *x)
{
    return x->n < x->nchunks * EXPIDX_CHUNK ? 0 : grow(x);
}

int expidx_set(expidx_t *x, entry_t *e, int64_t when)
{
    if (e->xslot) {
        expidx_of(x, e)->when = when;
        return 0;
    }
    if (x->n == x->nchunks * EXPIDX_CHUNK && grow(x) != 0)
        return -ENOMEM;
    expidx_rec_t *r = expidx_at(x, x->n);
    r->e = e;
    r->when = when;
    e->xslot = (uint32_t)++x->n;
    return 0;
}

void expidx_del(expidx_t *x, entry_t *e)
{
    size_t i = e->xslot - 1, last = x->n - 1;
    if (i != last) {
        expidx_rec_t *hole = expidx_at(x, i), *tail = expidx_at(x, last);
        *hole = *tail;
        hole->e->xslot = (uint32_t)(i + 1);
    }
    e->xslot = 0;
    x->n--;
    /* Keep one spare chunk so a key flapping at a chunk boundary does not
     * allocate and free every time. */
    if (x->nchunks >= 2 && x->n + 2 * EXPIDX_CHUNK <= x->nchunks * EXPIDX_CHUNK) {
        free(x->chunks[--x->nchunks]);
    }
}
