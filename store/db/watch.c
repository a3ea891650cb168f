/*
 * watch.c - the watched keys of one keyspace (see watch.h).
 *
 * Concurrency: none; the thread that owns the keyspace.
 */
#include "watch.h"

#include <errno.h>
#include <string.h>

/* A record is the value of its dict entry: an EMB string of these bytes
 * right after the key (entry.h), read and written with memcpy because
 * the key length leaves it unaligned. */
typedef struct rec {
    uint64_t version;
    uint64_t refs;
} rec_t;

_Static_assert(sizeof(rec_t) <= ENTRY_EMB_MAX, "a watch record must be stored inline");

static rec_t rec_get(const entry_t *e)
{
    rec_t r;
    memcpy(&r, e->key + e->klen, sizeof r);
    return r;
}

static void rec_put(entry_t *e, rec_t r)
{
    memcpy(e->key + e->klen, &r, sizeof r);
}

void watch_init(watch_t *w, uint64_t seed)
{
    w->n = 0;
    dict_init(&w->keys, seed);
}

void watch_release(watch_t *w)
{
    dict_release(&w->keys);
    w->n = 0;
}

int watch_ref(watch_t *w, const void *key, size_t klen, uint64_t *version)
{
    entry_t *e = dict_find(&w->keys, key, klen);
    if (e) {
        rec_t r = rec_get(e);
        r.refs++;
        rec_put(e, r);
        *version = r.version;
        return 0;
    }
    rec_t r = {.version = 0, .refs = 1};
    e = entry_new_str(key, klen, &r, sizeof r);
    if (!e)
        return -ENOMEM;
    if (dict_add(&w->keys, e) != 0) {
        entry_free(e);
        return -ENOMEM;
    }
    w->n++;
    *version = 0;
    return 0;
}

void watch_unref(watch_t *w, const void *key, size_t klen)
{
    entry_t *e = dict_find(&w->keys, key, klen);
    if (!e)
        return;
    rec_t r = rec_get(e);
    if (--r.refs > 0) {
        rec_put(e, r);
        return;
    }
    dict_unlink(&w->keys, key, klen);
    entry_free(e);
    w->n--;
}

bool watch_version(watch_t *w, const void *key, size_t klen, uint64_t *version)
{
    entry_t *e = dict_find(&w->keys, key, klen);
    if (!e)
        return false;
    *version = rec_get(e).version;
    return true;
}

static void bump(entry_t *e)
{
    rec_t r = rec_get(e);
    r.version++;
    rec_put(e, r);
}

void watch_bump(watch_t *w, const void *key, size_t klen)
{
    entry_t *e = dict_find(&w->keys, key, klen);
    if (e)
        bump(e);
}

typedef struct bump_if {
    watch_pred_fn pred;
    void *arg;
} bump_if_t;

static void bump_if_cb(void *arg, entry_t *e)
{
    bump_if_t *b = arg;
    if (b->pred(b->arg, e->key, e->klen))
        bump(e);
}

void watch_bump_if(watch_t *w, watch_pred_fn pred, void *arg)
{
    bump_if_t b = {pred, arg};
    size_t cursor = 0;

    /* A full scan with no insert or delete in between (bumps only rewrite
     * values in place) reports every record exactly once. */
    do {
        cursor = dict_scan(&w->keys, cursor, bump_if_cb, &b);
    } while (cursor != 0);
}

void watch_swap(watch_t *a, watch_t *b)
{
    /* A dict holds no pointer into itself: swapping by value is enough. */
    watch_t t = *a;
    *a = *b;
    *b = t;
}
