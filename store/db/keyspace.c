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

#include "ks_internal.h"
#include "ks_reclaim.h"

/* Active expiry tuning (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP and the
 * every-16-iterations clock check). */
#define CYCLE_KEYS 20
#define CYCLE_CLOCK_EVERY 16
/* RANDOMKEY gives up after deleting this many expired keys in a row. */
#define RANDOM_MAX_TRIES 1000

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
    block_init(&ks->block, seed);
    ks->rng = ks->dict.seed.k0 * 0x9e3779b97f4a7c15ull + 1;
    ks->clock = mono_us;
    ks->lazy_tail = &ks->lazy;
    ks->dirty = &ks->own_dirty;
    return ks;
}

void ks_destroy(ks_t *ks)
{
    if (!ks)
        return;
    ks_snap_end(ks);
    while (!ks_reclaim_step(ks, SIZE_MAX))
        ;
    dict_release(&ks->dict);
    expidx_release(&ks->exp);
    watch_release(&ks->watch);
    block_release(&ks->block);
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
void ks__unlink(ks_t *ks, entry_t *e)
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
    ks__unlink(ks, e);
    ks__free_entry(ks, e);
}

entry_t *ks__link(ks_t *ks, entry_t *e)
{
    if (!e)
        return NULL;
    if (dict_add(&ks->dict, e) != 0) {
        entry_free(e);
        return NULL;
    }
    ks->entry_mem += entry_mem(e);
    e->lru = ks->lru_now;
    e->snap = ks->snap.epoch;   /* new since any snapshot's cut: not in it */
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
    return ks__link(ks, entry_new(key, klen, val, vlen));
}

entry_t *ks_add_str(ks_t *ks, const void *key, size_t klen, const void *val, size_t vlen)
{
    return ks__link(ks, entry_new_str(key, klen, val, vlen));
}

entry_t *ks_add_int(ks_t *ks, const void *key, size_t klen, int64_t v)
{
    return ks__link(ks, entry_new_int(key, klen, v));
}

entry_t *ks_add_zeroed(ks_t *ks, const void *key, size_t klen, size_t vlen)
{
    return ks__link(ks, entry_new_zeroed(key, klen, vlen));
}

entry_t *ks_add_obj(ks_t *ks, const void *key, size_t klen, unsigned otype, unsigned enc,
                    void *obj)
{
    entry_t *e = entry_new_obj(key, klen, otype, enc, obj);
    if (!e) {
        value_free(otype, enc, obj);
        return NULL;
    }
    return ks__link(ks, e);
}

void ks_changed(ks_t *ks, entry_t *e, size_t mem_before)
{
    ks->entry_mem = ks->entry_mem - mem_before + entry_mem(e);
    touch_entry(ks, e);
}

static entry_t *overwrite(ks_t *ks, entry_t *e, const void *val, size_t vlen, bool clear_ttl,
                          bool try_int)
{
    size_t before = entry_mem(e);
    if (!entry_is_str(e)) {
        /* SET over a collection: the old value goes first, as in Redis. */
        unsigned type = e->otype, enc = e->type;
        ks__release_obj(ks, type, enc, entry_take_obj(e));
    }
    entry_t *n = try_int ? entry_set_val(e, val, vlen) : entry_set_str(e, val, vlen);
    if (!n) {
        ks->entry_mem = ks->entry_mem - before + entry_mem(e);
        return NULL;
    }
    if (n != e) {
        n->snap = e->snap;  /* the same key, as far as a snapshot goes */
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

/* ---- whole keyspace ---------------------------------------------------- */

size_t ks_size(const ks_t *ks) { return dict_size(&ks->dict); }

uint64_t ks_hash(const ks_t *ks, const void *key, size_t klen)
{
    return dict_hash(&ks->dict, key, klen);
}

void ks_prefetch_bucket(const ks_t *ks, uint64_t h) { dict_prefetch_bucket(&ks->dict, h); }
void ks_prefetch_entry(const ks_t *ks, uint64_t h) { dict_prefetch_entry(&ks->dict, h); }
size_t ks_expires(const ks_t *ks) { return expidx_size(&ks->exp); }
uint64_t ks_dirty(const ks_t *ks)
{
    return atomic_load_explicit(ks->dirty, memory_order_relaxed);
}

void ks_share_dirty(ks_t *ks, _Atomic uint64_t *counter)
{
    ks->dirty = counter ? counter : &ks->own_dirty;
}

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

block_t *ks_blocking(ks_t *ks) { return &ks->block; }

void ks_blocking_swapdb(ks_t *a, ks_t *b)
{
    if (a == b)
        return;
    /* Waits belong to the database number, like watches; every waited-on
     * key of both may hold data now. */
    block_swap(&a->block, &b->block);
    block_signal_all(&a->block);
    block_signal_all(&b->block);
}
