/*
 * ks_snap.c - point-in-time snapshots of one keyspace (ks_snap.h).
 */
#include "ks_snap.h"

#include "ks_internal.h"

_Atomic int ks_snaps_running;

static void running_add(int n)
{
    atomic_fetch_add_explicit(&ks_snaps_running, n, memory_order_relaxed);
}

static bool pending(const ks_t *ks, const entry_t *e)
{
    return e->snap != ks->snap.epoch;
}

/* Hand a pending entry to the snapshot, once. */
static void write_one(ks_t *ks, entry_t *e)
{
    e->snap = ks->snap.epoch;
    if (ks_is_expired(ks, e))
        return; /* a loader would drop it */
    ks->snap.fn(ks->snap.arg, ks, e, ks_ttl_get(ks, e));
}

void ks_snap_begin(ks_t *ks, ks_snap_fn fn, void *arg)
{
    if (ks->snap.fn)
        ks_snap_end(ks);
    ks->snap.fn = fn;
    ks->snap.arg = arg;
    ks->snap.epoch ^= 1;
    ks->snap.cursor = 0;
    ks->snap.walking = true;
    /* While the walk is on, the table does not shrink: no key is met
     * twice (dict_scan's rule), and none is missed. */
    dict_pause_shrink(&ks->dict);
    running_add(1);
}

static void walk_cb(void *arg, entry_t *e)
{
    ks_t *ks = arg;
    if (pending(ks, e))
        write_one(ks, e);
}

bool ks_snap_step(ks_t *ks, size_t max_buckets)
{
    if (!ks->snap.fn)
        return true;
    if (max_buckets == 0)
        max_buckets = 1;
    do {
        ks->snap.cursor = dict_scan(&ks->dict, ks->snap.cursor, walk_cb, ks);
        if (ks->snap.cursor == 0) {
            ks_snap_end(ks);
            return true;
        }
    } while (--max_buckets);
    return false;
}

void ks_snap_key(ks_t *ks, const void *key, size_t klen)
{
    if (!ks->snap.fn)
        return;
    entry_t *e = dict_find(&ks->dict, key, klen);
    if (e && pending(ks, e))
        write_one(ks, e);
}

void ks_snap_all(ks_t *ks)
{
    while (!ks_snap_step(ks, 1024))
        ;
}

void ks_snap_end(ks_t *ks)
{
    if (!ks->snap.fn)
        return;
    ks->snap.fn = NULL;
    ks->snap.arg = NULL;
    if (ks->snap.walking) {
        ks->snap.walking = false;
        dict_resume_shrink(&ks->dict);
    }
    running_add(-1);
}

bool ks_snapping(const ks_t *ks)
{
    return ks->snap.fn != NULL;
}
