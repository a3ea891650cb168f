/*
 * ks_reclaim.c - flushing and freeing in steps (see ks_reclaim.h).
 *
 * Concurrency: none; the owning shard thread only.
 */
#include "ks_reclaim.h"

#include <stdlib.h>

#include "ks_internal.h"

void ks__release_obj(ks_t *ks, unsigned type, unsigned enc, void *obj)
{
    lazy_value_t *lz = NULL;
    if (value_len(type, enc, obj) > VALUE_LAZY_FREE_MIN)
        lz = malloc(sizeof *lz);
    if (!lz) {
        value_free(type, enc, obj);
        return;
    }
    *lz = (lazy_value_t){NULL, type, enc, obj, value_mem(type, enc, obj)};
    ks->grave_mem += lz->mem;
    *ks->lazy_tail = lz;
    ks->lazy_tail = &lz->next;
}

void ks__free_entry(ks_t *ks, entry_t *e)
{
    if (!entry_is_str(e)) {
        unsigned type = e->otype, enc = e->type;
        ks__release_obj(ks, type, enc, entry_take_obj(e));
    }
    entry_free(e);
}

/* watch_pred_fn: key is in the dict arg (live or expired). */
static bool in_dict(void *arg, const void *key, size_t klen)
{
    return dict_find(arg, key, klen) != NULL;
}

void ks_flush(ks_t *ks)
{
    /* Redis's touchAllWatchedKeysInDb: only the keys that existed change. */
    if (__builtin_expect(ks->watch.n != 0, 0))
        watch_bump_if(&ks->watch, in_dict, &ks->dict);
    ks->avg_ttl = 0; /* Redis's emptyDbStructure starts the estimate over */
    ks__dirty_add(ks, dict_size(&ks->dict)); /* Redis: dirty += keys removed */

    grave_t *g = calloc(1, sizeof *g);
    if (!g) {
        /* No memory for the bookkeeping: free synchronously instead. */
        dict_release(&ks->dict);
        expidx_release(&ks->exp);
        ks->entry_mem = 0;
        return;
    }
    dict_move(&g->dict, &ks->dict);
    g->exp = ks->exp;
    expidx_init(&ks->exp);
    g->mem = ks->entry_mem + dict_mem(&g->dict) + expidx_mem(&g->exp);
    ks->grave_mem += g->mem;
    ks->entry_mem = 0;
    grave_t **tail = &ks->graves;
    while (*tail)
        tail = &(*tail)->next;
    *tail = g;
}

/* dict_free_fn for flushed tables: big collections join the lazy list. */
static void free_flushed(void *arg, entry_t *e)
{
    ks_t *ks = arg;
    if (!entry_is_str(e) && value_len(e->otype, e->type, e->v.obj) > VALUE_LAZY_FREE_MIN) {
        unsigned type = e->otype, enc = e->type;
        ks__release_obj(ks, type, enc, entry_take_obj(e));
    }
    entry_free(e);
}

/* Free lazy values for up to budget elements (or nodes).  A value's bytes
 * count until it is freed whole. */
static void reclaim_lazy(ks_t *ks, size_t *budget)
{
    while (ks->lazy && *budget) {
        lazy_value_t *lz = ks->lazy;
        if (!value_free_step(lz->type, lz->enc, lz->obj, budget))
            return;
        ks->grave_mem -= lz->mem;
        ks->lazy = lz->next;
        if (!ks->lazy)
            ks->lazy_tail = &ks->lazy;
        free(lz);
    }
}

bool ks_reclaim_pending(const ks_t *ks)
{
    return ks->lazy || ks->graves;
}

bool ks_reclaim_step(ks_t *ks, size_t budget)
{
    reclaim_lazy(ks, &budget);
    while (ks->graves && budget) {
        grave_t *g = ks->graves;
        size_t freed = 0;
        bool done = dict_clear_step(&g->dict, &budget, &freed, free_flushed, ks);
        g->mem -= freed;
        ks->grave_mem -= freed;
        if (!done)
            return false;
        ks->grave_mem -= g->mem;    /* tables and TTL index */
        expidx_release(&g->exp);
        ks->graves = g->next;
        free(g);
    }
    reclaim_lazy(ks, &budget);
    return !ks_reclaim_pending(ks);
}
