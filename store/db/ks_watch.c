/*
 * ks_watch.c - WATCH on one keyspace (see ks_watch.h).
 *
 * Concurrency: none; the owning shard thread only.
 */
#include "ks_watch.h"

#include "ks_internal.h"

int ks_watch(ks_t *ks, const void *key, size_t klen, uint64_t *version, bool *expired)
{
    int rc = watch_ref(&ks->watch, key, klen, version);
    if (rc != 0)
        return rc;
    /* Redis's keyIsExpired: look without deleting, WATCH writes nothing. */
    entry_t *e = dict_find(&ks->dict, key, klen);
    *expired = e && ks_is_expired(ks, e);
    return 0;
}

void ks_unwatch(ks_t *ks, const void *key, size_t klen)
{
    watch_unref(&ks->watch, key, klen);
}

bool ks_watch_touched(ks_t *ks, const void *key, size_t klen, uint64_t version, bool expired)
{
    uint64_t now;
    if (!watch_version(&ks->watch, key, klen, &now))
        return true;
    entry_t *e = dict_find(&ks->dict, key, klen);
    bool past_ttl = e && ks_is_expired(ks, e);
    if (now == version)
        return !expired && past_ttl;
    /* Redis forgives the first touch of a key expired at WATCH if it left
     * the key gone (or, after SWAPDB, still expired) by clearing
     * watchedKey.expired; any later touch flags the client. Deleting an
     * expired key is exactly one bump, so "the only change since" is
     * version + 1. */
    return !(expired && now == version + 1 && (!e || past_ttl));
}

typedef struct two_dicts {
    dict_t *a, *b;
} two_dicts_t;

/* watch_pred_fn: key is in either dict (live or expired). */
static bool in_either(void *arg, const void *key, size_t klen)
{
    two_dicts_t *d = arg;
    return dict_find(d->a, key, klen) || dict_find(d->b, key, klen);
}

void ks_watch_swapdb(ks_t *a, ks_t *b)
{
    if (a == b)
        return;
    watch_swap(&a->watch, &b->watch);
    /* Redis's touchAllWatchedKeysInDb(emptied, replaced_with) for both
     * databases: a key changes if it was in either before the swap. */
    two_dicts_t d = {&a->dict, &b->dict};
    if (a->watch.n)
        watch_bump_if(&a->watch, in_either, &d);
    if (b->watch.n)
        watch_bump_if(&b->watch, in_either, &d);
}

size_t ks_watched(const ks_t *ks) { return ks->watch.n; }
