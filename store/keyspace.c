/*
 * keyspace.c - one database of one shard (see keyspace.h).
 *
 * Concurrency: none; the owning shard thread only.
 */
#include "keyspace.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dict.h"
#include "expidx.h"
#include "watch.h"

/* Active expiry tuning (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP and the
 * every-16-iterations clock check). */
#define CYCLE_KEYS 20
#define CYCLE_CLOCK_EVERY 16
/* RANDOMKEY gives up after deleting this many expired keys in a row. */
#define RANDOM_MAX_TRIES 1000

/* A flushed table waiting to be freed. */
typedef struct grave {
    struct grave *next;
    dict_t dict;
    expidx_t exp;
    size_t mem;             /* bytes still held */
} grave_t;

struct ks {
    dict_t dict;
    expidx_t exp;
    int64_t now_ms;
    uint32_t lru_now;       /* entry_lru_clock(now_ms) */
    size_t entry_mem;       /* sum of entry_mem over linked entries */
    uint64_t expired_keys;
    long long avg_ttl;
    uint64_t rng;
    ks_clock_fn clock;
    void *clock_arg;
    grave_t *graves;        /* oldest first */
    size_t grave_mem;
    watch_t watch;          /* watched keys (WATCH), by database number */
};

static uint64_t mono_us(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

ks_t *ks_create(uint64_t seed)
{
    ks_t *ks = calloc(1, sizeof *ks);
    if (!ks)
        return NULL;
    dict_init(&ks->dict, seed);
    expidx_init(&ks->exp);
    watch_init(&ks->watch, seed);
    ks->rng = ks->dict.seed.k0 * 0x9e3779b97f4a7c15ull + 1;
    ks->clock = mono_us;
    return ks;
}

void ks_destroy(ks_t *ks)
{
    if (!ks)
        return;
    while (!ks_reclaim_step(ks, SIZE_MAX))
        ;
    dict_release(&ks->dict);
    expidx_release(&ks->exp);
    watch_release(&ks->watch);
    free(ks);
}

void ks_set_now(ks_t *ks, int64_t now_ms)
{
    ks->now_ms = now_ms;
    ks->lru_now = entry_lru_clock(now_ms);
}

int64_t ks_now(const ks_t *ks) { return ks->now_ms; }

void ks_set_clock(ks_t *ks, ks_clock_fn fn, void *arg)
{
    ks->clock = fn ? fn : mono_us;
    ks->clock_arg = arg;
}

/* ---- internal helpers -------------------------------------------------- */

/* Count a change of key for WATCH. Every write calls this, so the common
 * case (nothing watched in this keyspace) is one load and a branch
 * predicted not taken. */
static inline void touch(ks_t *ks, const void *key, size_t klen)
{
    if (__builtin_expect(ks->watch.n != 0, 0))
        watch_bump(&ks->watch, key, klen);
}

static inline void touch_entry(ks_t *ks, const entry_t *e)
{
    touch(ks, e->key, e->klen);
}

static void unlink_entry(ks_t *ks, entry_t *e)
{
    entry_t *got = dict_unlink(&ks->dict, e->key, e->klen);
    (void)got;
    if (e->xslot)
        expidx_del(&ks->exp, e);
    ks->entry_mem -= entry_mem(e);
}

/* Every deletion of a linked key ends here (DEL, lazy and active expiry,
 * a key replaced by ks_put or ks_add_dup), so this is where it is touched. */
void ks_delete_entry(ks_t *ks, entry_t *e)
{
    touch_entry(ks, e);
    unlink_entry(ks, e);
    entry_free(e);
}

static entry_t *link_new(ks_t *ks, entry_t *e)
{
    if (!e)
        return NULL;
    if (dict_add(&ks->dict, e) != 0) {
        entry_free(e);
        return NULL;
    }
    ks->entry_mem += entry_mem(e);
    e->lru = ks->lru_now;
    touch_entry(ks, e);
    return e;
}

/* ---- reading ----------------------------------------------------------- */

bool ks_is_expired(const ks_t *ks, const entry_t *e)
{
    return e->xslot && expidx_of(&ks->exp, e)->when < ks->now_ms;
}

entry_t *ks_find_notouch(ks_t *ks, const void *key, size_t klen)
{
    entry_t *e = dict_find(&ks->dict, key, klen);
    if (e && ks_is_expired(ks, e)) {
        ks_delete_entry(ks, e);
        ks->expired_keys++;
        return NULL;
    }
    return e;
}

entry_t *ks_find(ks_t *ks, const void *key, size_t klen)
{
    entry_t *e = ks_find_notouch(ks, key, klen);
    if (e)
        e->lru = ks->lru_now;
    return e;
}

entry_t *ks_peek(ks_t *ks, const void *key, size_t klen)
{
    return dict_find(&ks->dict, key, klen);
}

int64_t ks_ttl_get(const ks_t *ks, const entry_t *e)
{
    return e->xslot ? expidx_of(&ks->exp, e)->when : -1;
}

entry_t *ks_random(ks_t *ks)
{
    for (int tries = 0; tries < RANDOM_MAX_TRIES; tries++) {
        entry_t *e = dict_random(&ks->dict);
        if (!e || !ks_is_expired(ks, e))
            return e;
        ks_delete_entry(ks, e);
        ks->expired_keys++;
    }
    return NULL;
}

/* ---- writing ----------------------------------------------------------- */

entry_t *ks_add(ks_t *ks, const void *key, size_t klen, const void *val, size_t vlen)
{
    return link_new(ks, entry_new(key, klen, val, vlen));
}

entry_t *ks_add_str(ks_t *ks, const void *key, size_t klen, const void *val, size_t vlen)
{
    return link_new(ks, entry_new_str(key, klen, val, vlen));
}

entry_t *ks_add_int(ks_t *ks, const void *key, size_t klen, int64_t v)
{
    return link_new(ks, entry_new_int(key, klen, v));
}

entry_t *ks_add_zeroed(ks_t *ks, const void *key, size_t klen, size_t vlen)
{
    return link_new(ks, entry_new_zeroed(key, klen, vlen));
}

static entry_t *overwrite(ks_t *ks, entry_t *e, const void *val, size_t vlen, bool clear_ttl,
                          bool try_int)
{
    size_t before = entry_mem(e);
    entry_t *n = try_int ? entry_set_val(e, val, vlen) : entry_set_str(e, val, vlen);
    if (!n)
        return NULL;
    if (n != e) {
        dict_replace(&ks->dict, e, n);
        expidx_relink(&ks->exp, n);
        e->xslot = 0;
        entry_free(e);
    }
    ks->entry_mem = ks->entry_mem - before + entry_mem(n);
    n->lru = ks->lru_now;   /* a new value object in Redis */
    touch_entry(ks, n);
    if (clear_ttl)
        ks_ttl_clear(ks, n);
    return n;
}

entry_t *ks_overwrite(ks_t *ks, entry_t *e, const void *val, size_t vlen, bool clear_ttl)
{
    return overwrite(ks, e, val, vlen, clear_ttl, true);
}

entry_t *ks_overwrite_str(ks_t *ks, entry_t *e, const void *val, size_t vlen, bool clear_ttl)
{
    return overwrite(ks, e, val, vlen, clear_ttl, false);
}

void ks_set_int(ks_t *ks, entry_t *e, int64_t v)
{
    size_t before = entry_mem(e);
    entry_set_int(e, v);
    ks->entry_mem = ks->entry_mem - before + entry_mem(e);
    touch_entry(ks, e);
}

char *ks_resize(ks_t *ks, entry_t *e, size_t newlen)
{
    size_t before = entry_mem(e);
    if (entry_resize(e, newlen) != 0)
        return NULL;
    ks->entry_mem = ks->entry_mem - before + entry_mem(e);
    /* Counted before the caller writes the bytes: EXEC compares later. */
    touch_entry(ks, e);
    return entry_raw(e);
}

entry_t *ks_set(ks_t *ks, const void *key, size_t klen, const void *val, size_t vlen,
                bool keep_ttl)
{
    entry_t *e = ks_find(ks, key, klen);
    if (e)
        return ks_overwrite(ks, e, val, vlen, !keep_ttl);
    return ks_add(ks, key, klen, val, vlen);
}

bool ks_delete(ks_t *ks, const void *key, size_t klen)
{
    entry_t *e = ks_find(ks, key, klen);
    if (!e)
        return false;
    ks_delete_entry(ks, e);
    return true;
}

int ks_ttl_set(ks_t *ks, entry_t *e, int64_t when_ms)
{
    int rc = expidx_set(&ks->exp, e, when_ms);
    if (rc == 0)
        touch_entry(ks, e);
    return rc;
}

bool ks_ttl_clear(ks_t *ks, entry_t *e)
{
    if (!e->xslot)
        return false;
    expidx_del(&ks->exp, e);
    touch_entry(ks, e);
    return true;
}

/* ---- moving values between keys ---------------------------------------- */

int ks_take(ks_t *ks, const void *key, size_t klen, ks_blob_t **blob, int64_t *pexpire_at)
{
    entry_t *e = ks_find(ks, key, klen);
    if (!e)
        return -ENOENT;
    *pexpire_at = ks_ttl_get(ks, e);
    touch_entry(ks, e);
    unlink_entry(ks, e);
    *blob = e;
    return 0;
}

/* A new entry under key carrying blob's value; the value buffer moves over
 * without copying. Consumes blob. */
static entry_t *rekey(ks_blob_t *blob, const void *key, size_t klen)
{
    entry_t *n;

    switch (blob->type) {
    case ENTRY_INT:
        n = entry_new_int(key, klen, blob->v.i);
        break;
    case ENTRY_EMB:
        n = entry_new_str(key, klen, blob->key + blob->klen, blob->vlen);
        break;
    default:
        n = entry_new_int(key, klen, 0);
        if (n) {
            n->type = ENTRY_RAW;
            n->v.raw = blob->v.raw;
            n->vlen = blob->vlen;
            n->vcap = blob->vcap;
            blob->type = ENTRY_INT;     /* the buffer now belongs to n */
        }
        break;
    }
    if (n) {
        n->unshared = blob->unshared;
        n->lru = blob->lru;
    }
    entry_free(blob);
    return n;
}

int ks_put(ks_t *ks, const void *key, size_t klen, ks_blob_t *blob, int64_t pexpire_at)
{
    entry_t *old = dict_find(&ks->dict, key, klen);
    entry_t *n = rekey(blob, key, klen);
    if (!n)
        return -ENOMEM;
    if (old)
        ks_delete_entry(ks, old);
    uint32_t lru = n->lru;
    if (!link_new(ks, n))
        return -ENOMEM;
    n->lru = lru;           /* the same value object, moved */
    if (pexpire_at != -1 && ks_ttl_set(ks, n, pexpire_at) != 0) {
        ks_delete_entry(ks, n);
        return -ENOMEM;
    }
    return 0;
}

void ks_blob_free(ks_blob_t *blob)
{
    entry_free(blob);
}

int ks_move(ks_t *src, entry_t *e, ks_t *dst)
{
    int64_t when = ks_ttl_get(src, e);

    /* Reserve the TTL record first so nothing can fail once e has left
     * src, except dst's very first bucket array (then e goes back). */
    if (when != -1 && expidx_reserve(&dst->exp) != 0)
        return -ENOMEM;
    unlink_entry(src, e);
    if (dict_add(&dst->dict, e) != 0) {
        /* src keeps its bucket array once it has one, and its TTL index
         * just gave back a record: neither step can fail. */
        (void)dict_add(&src->dict, e);
        src->entry_mem += entry_mem(e);
        if (when != -1)
            (void)expidx_set(&src->exp, e, when);
        return -ENOMEM;
    }
    dst->entry_mem += entry_mem(e);
    if (when != -1)
        (void)expidx_set(&dst->exp, e, when);
    touch_entry(src, e);
    touch_entry(dst, e);
    return 0;
}

entry_t *ks_add_dup(ks_t *dst, const void *key, size_t klen, const entry_t *src,
                    int64_t pexpire_at)
{
    /* Allocate everything first: once the old value is gone, nothing may
     * fail (dst has a bucket array if it held the key). */
    if (pexpire_at != -1 && expidx_reserve(&dst->exp) != 0)
        return NULL;
    entry_t *n = entry_dup(src, key, klen);
    if (!n)
        return NULL;
    entry_t *old = dict_find(&dst->dict, key, klen);
    if (old)
        ks_delete_entry(dst, old);
    if (!link_new(dst, n))
        return NULL;
    if (pexpire_at != -1)
        (void)ks_ttl_set(dst, n, pexpire_at);
    return n;
}

int ks_rename(ks_t *ks, const void *src, size_t slen, const void *dst, size_t dlen, bool nx)
{
    ks_blob_t *blob;
    int64_t when;

    if (!ks_find(ks, src, slen))
        return -ENOENT;
    if (slen == dlen && memcmp(src, dst, slen) == 0)
        return nx ? -EEXIST : 0;
    if (nx && ks_find(ks, dst, dlen))
        return -EEXIST;
    ks_take(ks, src, slen, &blob, &when);
    return ks_put(ks, dst, dlen, blob, when);
}

/* ---- whole keyspace ---------------------------------------------------- */

size_t ks_size(const ks_t *ks) { return dict_size(&ks->dict); }

uint64_t ks_hash(const ks_t *ks, const void *key, size_t klen)
{
    return dict_hash(&ks->dict, key, klen);
}

void ks_prefetch_bucket(const ks_t *ks, uint64_t h) { dict_prefetch_bucket(&ks->dict, h); }
void ks_prefetch_entry(const ks_t *ks, uint64_t h) { dict_prefetch_entry(&ks->dict, h); }
size_t ks_expires(const ks_t *ks) { return expidx_size(&ks->exp); }

static size_t overhead(const ks_t *ks)
{
    return malloc_usable_size((void *)ks) + dict_mem(&ks->dict) + expidx_mem(&ks->exp);
}

size_t ks_entry_usage(const ks_t *ks, const entry_t *e)
{
    (void)ks;
    return entry_mem(e) + sizeof(entry_t *) + (e->xslot ? sizeof(expidx_rec_t) : 0);
}

size_t ks_memory(const ks_t *ks)
{
    return ks->entry_mem + overhead(ks) + ks->grave_mem;
}

void ks_stats(const ks_t *ks, ks_stats_t *st)
{
    st->keys = ks_size(ks);
    st->expires = ks_expires(ks);
    st->avg_ttl = ks->avg_ttl;
    st->expired_keys = ks->expired_keys;
    st->mem_data = ks->entry_mem;
    st->mem_overhead = overhead(ks);
    st->mem_flushing = ks->grave_mem;
    st->memory = ks_memory(ks);
}

void ks_expire_cycle(ks_t *ks, int64_t now_ms, uint64_t budget_us, ks_cycle_t *out)
{
    ks_cycle_t st = {0};
    uint64_t start = ks->clock(ks->clock_arg);
    unsigned rounds = 0;
    size_t sampled, expired;

    ks_set_now(ks, now_ms);
    dict_rehash_step(&ks->dict, 1);
    do {
        size_t n = expidx_size(&ks->exp);
        if (n == 0)
            break;
        size_t num = n < CYCLE_KEYS ? n : CYCLE_KEYS;
        long long ttl_sum = 0, ttl_samples = 0;
        sampled = expired = 0;
        while (num-- && expidx_size(&ks->exp)) {
            size_t i = hash_rand_next(&ks->rng) % expidx_size(&ks->exp);
            expidx_rec_t *r = expidx_at(&ks->exp, i);
            sampled++;
            if (r->when < now_ms) {
                ks_delete_entry(ks, r->e);
                ks->expired_keys++;
                expired++;
            } else {
                ttl_sum += r->when - now_ms;
                ttl_samples++;
            }
        }
        st.sampled += sampled;
        st.expired += expired;
        if (ttl_samples) {
            /* Redis's running estimate: each cycle moves it 2% toward the
             * sample average. */
            long long avg = ttl_sum / ttl_samples;
            ks->avg_ttl = ks->avg_ttl ? (ks->avg_ttl / 50) * 49 + avg / 50 : avg;
        }
        if ((++rounds % CYCLE_CLOCK_EVERY) == 0 &&
            ks->clock(ks->clock_arg) - start > budget_us) {
            st.timed_out = true;
            break;
        }
    } while (expired * 4 > sampled);
    if (out)
        *out = st;
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

bool ks_reclaim_step(ks_t *ks, size_t budget)
{
    while (ks->graves) {
        grave_t *g = ks->graves;
        size_t freed = 0;
        bool done = dict_clear_step(&g->dict, &budget, &freed);
        g->mem -= freed;
        ks->grave_mem -= freed;
        if (!done)
            return false;
        ks->grave_mem -= g->mem;    /* tables and TTL index */
        expidx_release(&g->exp);
        ks->graves = g->next;
        free(g);
        if (budget == 0)
            return ks->graves == NULL;
    }
    return true;
}

bool ks_rehash_step(ks_t *ks, size_t n)
{
    return dict_rehash_step(&ks->dict, n);
}

typedef struct scan_adapter {
    ks_key_fn fn;
    void *arg;
} scan_adapter_t;

static void scan_cb(void *arg, entry_t *e)
{
    scan_adapter_t *a = arg;
    a->fn(a->arg, e);
}

size_t ks_scan(ks_t *ks, size_t cursor, ks_key_fn fn, void *arg)
{
    scan_adapter_t a = {fn, arg};
    return dict_scan(&ks->dict, cursor, scan_cb, &a);
}

void ks_iter_begin(ks_t *ks, ks_iter_t *it)
{
    it->cursor = 0;
    it->active = true;
    dict_pause_shrink(&ks->dict);
}

void ks_iter_end(ks_t *ks, ks_iter_t *it)
{
    if (it->active) {
        it->active = false;
        dict_resume_shrink(&ks->dict);
    }
}

bool ks_iter_step(ks_t *ks, ks_iter_t *it, size_t max_buckets, ks_key_fn fn, void *arg)
{
    if (!it->active)
        return true;
    if (max_buckets == 0)
        max_buckets = 1;
    do {
        it->cursor = ks_scan(ks, it->cursor, fn, arg);
        if (it->cursor == 0) {
            ks_iter_end(ks, it);
            return true;
        }
    } while (--max_buckets > 0);
    return false;
}

/* ---- WATCH ------------------------------------------------------------- */

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
