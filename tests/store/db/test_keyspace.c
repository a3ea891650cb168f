/*
 * test_keyspace.c - one database: lazy and active expiry with a fake
 * clock (the adaptive loop and its time budget), memory accounting kept
 * exact across every kind of write, incremental flush, rename and the
 * cross-shard take/put, MOVE and COPY between databases, access times,
 * exactly-once iteration, random keys.
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db/keyspace.h"
#include "store/db/ks_move.h"
#include "store/db/ks_reclaim.h"

static size_t kn(char *buf, const char *prefix, long i)
{
    return (size_t)snprintf(buf, 48, "%s:%ld", prefix, i);
}

static entry_t *add(ks_t *ks, const char *prefix, long i, const char *val)
{
    char k[48];
    size_t n = kn(k, prefix, i);
    entry_t *e = ks_add(ks, k, n, val, strlen(val));
    cr_assert_neq(e, NULL);
    return e;
}

static entry_t *get(ks_t *ks, const char *prefix, long i)
{
    char k[48];
    size_t n = kn(k, prefix, i);
    return ks_find(ks, k, n);
}

/* ---- expiry ------------------------------------------------------------ */

Test(keyspace, lazy_expiry_uses_the_cached_clock)
{
    ks_t *ks = ks_create(1);
    ks_set_now(ks, 1000);
    entry_t *e = add(ks, "k", 1, "v");
    cr_assert_eq(ks_ttl_set(ks, e, 1500), 0);
    cr_assert_eq(ks_ttl_get(ks, e), 1500);
    cr_assert_eq(ks_expires(ks), 1);

    ks_set_now(ks, 1500);           /* expired only once now > when */
    cr_assert_neq(get(ks, "k", 1), NULL);
    ks_set_now(ks, 1501);
    cr_assert(ks_is_expired(ks, e));
    cr_assert_eq(get(ks, "k", 1), NULL);
    cr_assert_eq(ks_size(ks), 0);
    cr_assert_eq(ks_expires(ks), 0);
    ks_stats_t st;
    ks_stats(ks, &st);
    cr_assert_eq(st.expired_keys, 1);
    cr_assert_eq(st.mem_data, 0);
    ks_destroy(ks);
}

Test(keyspace, ttl_survives_value_changes_and_clears)
{
    ks_t *ks = ks_create(2);
    ks_set_now(ks, 0);
    entry_t *e = add(ks, "k", 1, "12");
    ks_ttl_set(ks, e, 5000);
    /* INT -> long EMB -> RAW -> INT: the entry may move, the TTL follows. */
    e = ks_overwrite(ks, e, "a value of some thirty bytes..", 30, false);
    cr_assert_eq(ks_ttl_get(ks, e), 5000);
    char big[300];
    memset(big, 'x', sizeof big);
    e = ks_overwrite(ks, e, big, sizeof big, false);
    cr_assert_eq(ks_ttl_get(ks, e), 5000);
    ks_set_int(ks, e, 7);
    cr_assert_eq(ks_ttl_get(ks, get(ks, "k", 1)), 5000);
    e = ks_overwrite(ks, get(ks, "k", 1), "x", 1, true);
    cr_assert_eq(ks_ttl_get(ks, e), -1);
    cr_assert_eq(ks_expires(ks), 0);
    cr_assert_not(ks_ttl_clear(ks, e));
    ks_destroy(ks);
}

static uint64_t fake_us;
static uint64_t fake_step;
static uint64_t fake_clock(void *arg)
{
    (void)arg;
    uint64_t t = fake_us;
    fake_us += fake_step;
    return t;
}

Test(keyspace, active_expiry_removes_expired_and_keeps_live)
{
    ks_t *ks = ks_create(3);
    ks_set_now(ks, 1000);
    for (long i = 0; i < 10000; i++) {
        entry_t *e = add(ks, "k", i, "v");
        if (i < 5000)
            ks_ttl_set(ks, e, 500 + i % 400);       /* already expired */
        else if (i < 7000)
            ks_ttl_set(ks, e, 100000 + i);          /* live, with TTL */
    }
    cr_assert_eq(ks_expires(ks), 7000);
    size_t expired = 0, sampled = 0;
    for (int c = 0; c < 1000 && ks_expires(ks) > 2000; c++) {
        ks_cycle_t st;
        ks_expire_cycle(ks, 1000, 1000000, &st);
        expired += st.expired;
        sampled += st.sampled;
        cr_assert_leq(st.expired, st.sampled);
    }
    cr_assert_eq(ks_expires(ks), 2000);
    cr_assert_eq(ks_size(ks), 5000);
    cr_assert_eq(expired, 5000);
    cr_assert_geq(sampled, 5000);
    for (long i = 5000; i < 10000; i++)
        cr_assert_neq(get(ks, "k", i), NULL);
    ks_stats_t st;
    ks_stats(ks, &st);
    cr_assert_eq(st.expired_keys, 5000);
    /* avg_ttl follows the live samples: their TTLs are about 104000 ms. */
    cr_assert(st.avg_ttl > 50000 && st.avg_ttl < 110000, "avg_ttl %lld", st.avg_ttl);
    /* FLUSHDB starts the estimate over, as Redis does. */
    ks_flush(ks);
    ks_stats(ks, &st);
    cr_assert_eq(st.avg_ttl, 0);
    ks_destroy(ks);
}

Test(keyspace, adaptive_cycle_repeats_only_while_over_25_percent)
{
    ks_t *ks = ks_create(4);
    ks_set_now(ks, 1000);
    for (long i = 0; i < 10000; i++)
        ks_ttl_set(ks, add(ks, "k", i, "v"), 100000);   /* none expired */
    ks_cycle_t st;
    ks_expire_cycle(ks, 1000, 1000000, &st);
    cr_assert_eq(st.sampled, 20);       /* one round: nothing to chase */
    cr_assert_eq(st.expired, 0);
    cr_assert_not(st.timed_out);

    ks_t *empty = ks_create(5);
    ks_expire_cycle(empty, 1000, 1000, &st);
    cr_assert_eq(st.sampled, 0);
    ks_destroy(empty);
    ks_destroy(ks);
}

Test(keyspace, adaptive_cycle_stops_at_the_time_budget)
{
    ks_t *ks = ks_create(6);
    ks_set_now(ks, 1000);
    for (long i = 0; i < 100000; i++)
        ks_ttl_set(ks, add(ks, "k", i, "v"), 10);       /* all expired */
    /* Each clock read advances 50 us; the clock is read at the start and
     * every 16 rounds: 50 us at round 16, 100 at 32 (not over 100), 150 at
     * round 48: stop. Every sampled key had expired. */
    fake_us = 0;
    fake_step = 50;
    ks_set_clock(ks, fake_clock, NULL);
    ks_cycle_t st;
    ks_expire_cycle(ks, 1000, 100, &st);
    cr_assert(st.timed_out);
    cr_assert_eq(st.sampled, 48 * 20);
    cr_assert_eq(st.expired, 48 * 20);
    cr_assert_eq(ks_size(ks), 100000 - 48 * 20);
    /* A generous budget finishes the job without timing out. */
    ks_set_clock(ks, NULL, NULL);
    while (ks_expires(ks) > 0) {
        ks_expire_cycle(ks, 1000, 10000000, &st);
        cr_assert_not(st.timed_out);
    }
    cr_assert_eq(ks_size(ks), 0);
    ks_destroy(ks);
}

/* ---- memory ------------------------------------------------------------ */

static void sum_cb(void *arg, const entry_t *e)
{
    *(size_t *)arg += entry_mem(e);
}

static void check_memory(ks_t *ks)
{
    size_t sum = 0, cur = 0;
    do
        cur = ks_scan(ks, cur, sum_cb, &sum);
    while (cur);
    /* The scan may report a key twice only after a shrink; none here. */
    ks_stats_t st;
    ks_stats(ks, &st);
    cr_assert_eq(st.mem_data, sum, "tracked %zu, actual %zu", st.mem_data, sum);
    cr_assert_eq(st.memory, st.mem_data + st.mem_overhead + st.mem_flushing);
}

Test(keyspace, memory_accounting_is_exact)
{
    ks_t *ks = ks_create(7);
    ks_set_now(ks, 0);
    size_t base = ks_memory(ks);
    char big[5000];
    memset(big, 'b', sizeof big);
    for (long i = 0; i < 3000; i++) {
        char k[48];
        size_t n = kn(k, "key", i);
        switch (i % 6) {
        case 0: ks_add_int(ks, k, n, i); break;
        case 1: ks_add(ks, k, n, "short", 5); break;
        case 2: ks_add(ks, k, n, big, 100 + (size_t)i); break;
        case 3: ks_add_zeroed(ks, k, n, 77); break;
        case 4: ks_ttl_set(ks, ks_add(ks, k, n, "t", 1), 1000000); break;
        default: ks_set(ks, k, n, "1234", 4, false); break;
        }
    }
    check_memory(ks);
    /* Every kind of change. */
    for (long i = 0; i < 3000; i++) {
        char k[48];
        size_t n = kn(k, "key", i);
        entry_t *e = ks_find(ks, k, n);
        switch (i % 5) {
        case 0: ks_overwrite(ks, e, big, 60, false); break;
        case 1: ks_overwrite(ks, e, "9", 1, true); break;
        case 2: ks_resize(ks, e, entry_strlen(e) + 1000); break;
        case 3: ks_set_int(ks, e, -i); break;
        default: ks_delete(ks, k, n); break;
        }
    }
    check_memory(ks);
    cr_assert_gt(ks_memory(ks), base + 3000 * 40);
    for (long i = 0; i < 3000; i++) {
        char k[48];
        size_t n = kn(k, "key", i);
        ks_delete(ks, k, n);
    }
    check_memory(ks);
    ks_stats_t st;
    ks_stats(ks, &st);
    cr_assert_eq(st.mem_data, 0);
    cr_assert_lt(ks_memory(ks), base + 20000);      /* min table + spare index chunk */
    ks_destroy(ks);
}

Test(keyspace, flush_is_o1_and_reclaimed_in_steps)
{
    ks_t *ks = ks_create(8);
    ks_set_now(ks, 0);
    size_t base = ks_memory(ks);
    for (long i = 0; i < 50000; i++) {
        entry_t *e = add(ks, "k", i, "some value");
        if (i % 2)
            ks_ttl_set(ks, e, 99999);
    }
    size_t full = ks_memory(ks);
    ks_flush(ks);
    cr_assert_eq(ks_size(ks), 0);
    cr_assert_eq(ks_expires(ks), 0);
    cr_assert_eq(get(ks, "k", 1), NULL);
    cr_assert_geq(ks_memory(ks), full - 100);   /* not freed yet */
    /* The keyspace is usable while old data is reclaimed. */
    add(ks, "new", 1, "x");
    ks_flush(ks);                   /* a second pending flush */
    add(ks, "new", 2, "y");
    int steps = 0;
    size_t prev = ks_memory(ks);
    while (!ks_reclaim_step(ks, 1000)) {
        steps++;
        size_t now = ks_memory(ks);
        cr_assert_leq(now, prev);
        prev = now;
        check_memory(ks);
    }
    cr_assert_gt(steps, 40);
    ks_stats_t st;
    ks_stats(ks, &st);
    cr_assert_eq(st.mem_flushing, 0);
    cr_assert_lt(ks_memory(ks), base + 20000);
    cr_assert_neq(get(ks, "new", 2), NULL);
    cr_assert(ks_reclaim_step(ks, 10));
    ks_destroy(ks);
}

/* ---- moving values ------------------------------------------------------ */

Test(keyspace, rename_keeps_ttl_and_replaces_destination)
{
    ks_t *ks = ks_create(9);
    ks_set_now(ks, 0);
    ks_ttl_set(ks, add(ks, "src", 1, "hello"), 777);
    ks_ttl_set(ks, add(ks, "dst", 1, "old"), 555);
    cr_assert_eq(ks_rename(ks, "src:1", 5, "dst:1", 5, true), -EEXIST);
    cr_assert_eq(ks_rename(ks, "src:1", 5, "dst:1", 5, false), 0);
    cr_assert_eq(get(ks, "src", 1), NULL);
    entry_t *e = get(ks, "dst", 1);
    char tmp[NUM_LL_BUF];
    size_t len;
    const char *p = entry_str(e, tmp, &len);
    cr_assert(len == 5 && memcmp(p, "hello", 5) == 0);
    cr_assert_eq(ks_ttl_get(ks, e), 777);
    cr_assert_eq(ks_expires(ks), 1);
    cr_assert_eq(ks_rename(ks, "nope", 4, "x", 1, false), -ENOENT);
    cr_assert_eq(ks_rename(ks, "dst:1", 5, "dst:1", 5, false), 0);
    cr_assert_eq(ks_rename(ks, "dst:1", 5, "dst:1", 5, true), -EEXIST);
    check_memory(ks);
    ks_destroy(ks);
}

Test(keyspace, take_and_put_move_values_between_shards)
{
    ks_t *a = ks_create(10), *b = ks_create(11);
    ks_set_now(a, 0);
    ks_set_now(b, 0);
    char big[1000];
    memset(big, 'z', sizeof big);
    ks_add_int(a, "i", 1, -42);
    ks_add(a, "e", 1, "embedded", 8);
    ks_ttl_set(a, ks_add(a, "r", 1, big, sizeof big), 12345);
    ks_add(b, "r2", 2, "existing", 8);
    const char *keys[] = {"i", "e", "r"}, *dsts[] = {"i2", "e2", "r2"};
    for (int i = 0; i < 3; i++) {
        ks_blob_t *blob;
        int64_t when;
        cr_assert_eq(ks_take(a, keys[i], 1, &blob, &when), 0);
        cr_assert_eq(ks_put(b, dsts[i], 2, blob, when), 0);
    }
    cr_assert_eq(ks_size(a), 0);
    cr_assert_eq(ks_expires(a), 0);
    cr_assert_eq(ks_size(b), 3);
    char tmp[NUM_LL_BUF];
    size_t len;
    entry_t *e = ks_find(b, "i2", 2);
    cr_assert(e->type == ENTRY_INT && e->v.i == -42);
    e = ks_find(b, "e2", 2);
    const char *p = entry_str(e, tmp, &len);
    cr_assert(len == 8 && memcmp(p, "embedded", 8) == 0);
    e = ks_find(b, "r2", 2);
    p = entry_str(e, tmp, &len);
    cr_assert(len == sizeof big && memcmp(p, big, len) == 0);
    cr_assert_eq(ks_ttl_get(b, e), 12345);
    ks_stats_t st;
    ks_stats(a, &st);
    cr_assert_eq(st.mem_data, 0);
    check_memory(b);

    ks_blob_t *blob;
    int64_t when;
    cr_assert_eq(ks_take(a, "nope", 4, &blob, &when), -ENOENT);
    cr_assert_eq(ks_take(b, "i2", 2, &blob, &when), 0);
    cr_assert_eq(when, -1);
    ks_blob_free(blob);
    ks_destroy(a);
    ks_destroy(b);
}

Test(keyspace, move_relinks_the_entry_with_its_ttl)
{
    ks_t *a = ks_create(12), *b = ks_create(13);
    ks_set_now(a, 5000);
    ks_set_now(b, 5000);
    char big[300];
    memset(big, 'm', sizeof big);
    entry_t *r = ks_add(a, "r", 1, big, sizeof big);
    ks_ttl_set(a, r, 99999);
    entry_t *i = ks_add_int(a, "i", 1, 7);
    cr_assert_eq(ks_move(a, r, b), 0);
    cr_assert_eq(ks_move(a, i, b), 0);
    cr_assert_eq(ks_size(a), 0);
    cr_assert_eq(ks_expires(a), 0);
    cr_assert_eq(ks_find(b, "r", 1), r);        /* the same entry, not a copy */
    cr_assert_eq(ks_ttl_get(b, r), 99999);
    cr_assert_eq(ks_find(b, "i", 1), i);
    cr_assert_eq(ks_ttl_get(b, i), -1);
    ks_stats_t st;
    ks_stats(a, &st);
    cr_assert_eq(st.mem_data, 0);
    check_memory(b);
    /* Into an empty keyspace that has no bucket array yet, and back. */
    ks_t *c = ks_create(14);
    ks_set_now(c, 5000);
    cr_assert_eq(ks_move(b, r, c), 0);
    cr_assert_eq(ks_ttl_get(c, r), 99999);
    cr_assert_eq(ks_expires(b), 0);
    check_memory(b);
    check_memory(c);
    ks_destroy(a);
    ks_destroy(b);
    ks_destroy(c);
}

Test(keyspace, add_dup_copies_value_encoding_and_ttl)
{
    ks_t *a = ks_create(15), *b = ks_create(16);
    ks_set_now(a, 0);
    ks_set_now(b, 0);
    char big[100];
    memset(big, 'd', sizeof big);
    entry_t *src[4] = {
        ks_add_int(a, "i", 1, 5), ks_add(a, "e", 1, "emb", 3),
        ks_add(a, "r", 1, big, sizeof big), ks_add_zeroed(a, "z", 1, 3),
    };
    ks_ttl_set(a, src[2], 777);
    ks_add(b, "i", 1, "old", 3);
    ks_ttl_set(b, ks_add(b, "e", 1, "old", 3), 555);
    const char *keys = "ierz";
    for (int k = 0; k < 4; k++) {
        entry_t *n = ks_add_dup(b, &keys[k], 1, src[k], ks_ttl_get(a, src[k]));
        cr_assert_neq(n, NULL);
        cr_assert_neq(n, src[k]);
        cr_assert_eq(n->type, src[k]->type);
        cr_assert_str_eq(entry_encoding(n), entry_encoding(src[k]));
        char t1[NUM_LL_BUF], t2[NUM_LL_BUF];
        size_t l1, l2;
        const char *p1 = entry_str(n, t1, &l1), *p2 = entry_str(src[k], t2, &l2);
        cr_assert(l1 == l2 && memcmp(p1, p2, l1) == 0);
        cr_assert_eq(ks_ttl_get(b, n), ks_ttl_get(a, src[k]));
    }
    /* A copied small integer is not Redis's shared object any more. */
    cr_assert_eq(entry_refcount(src[0]), 2147483647);
    cr_assert_eq(entry_refcount(ks_find(b, "i", 1)), 1);
    cr_assert_eq(ks_size(b), 4);
    cr_assert_eq(ks_expires(b), 1);     /* "e"'s old TTL went with the old value */
    /* Within one keyspace. */
    cr_assert_neq(ks_add_dup(a, "r2", 2, src[2], -1), NULL);
    cr_assert_eq(ks_ttl_get(a, ks_find(a, "r2", 2)), -1);
    check_memory(a);
    check_memory(b);
    ks_destroy(a);
    ks_destroy(b);
}

Test(keyspace, lookups_record_access_time_unless_notouch)
{
    ks_t *ks = ks_create(17);
    ks_set_now(ks, 1000000);
    entry_t *e = add(ks, "k", 1, "v");
    cr_assert_eq(entry_idle_ms(e, 1000000), 0);
    ks_set_now(ks, 1009999);
    cr_assert_eq(ks_find_notouch(ks, "k:1", 3), e);
    cr_assert_eq(ks_peek(ks, "k:1", 3), e);
    cr_assert_eq(entry_idle_ms(e, 1009999), 9000);
    cr_assert_eq(get(ks, "k", 1), e);
    cr_assert_eq(entry_idle_ms(e, 1012000), 3000);
    /* Wrap of the 24-bit second clock: Redis's estimate. */
    e->lru = ENTRY_LRU_MAX - 1;
    cr_assert_eq(entry_idle_ms(e, 3000), (uint64_t)(3 + 1) * 1000);
    /* ks_peek does not expire; ks_find_notouch does. */
    ks_ttl_set(ks, e, 1012000);
    ks_set_now(ks, 1012001);
    cr_assert_eq(ks_peek(ks, "k:1", 3), e);
    cr_assert_eq(ks_size(ks), 1);
    cr_assert_eq(ks_find_notouch(ks, "k:1", 3), NULL);
    cr_assert_eq(ks_size(ks), 0);
    ks_destroy(ks);
}

/* ---- iteration and random ------------------------------------------------ */

typedef struct seen {
    unsigned char c[4000];
} seen_t;

static void seen_cb(void *arg, const entry_t *e)
{
    seen_t *s = arg;
    if (e->klen > 5 && memcmp(e->key, "keep:", 5) == 0) {
        long i = strtol(e->key + 5, NULL, 10);
        s->c[i]++;
    }
}

Test(keyspace, iteration_reports_each_key_exactly_once)
{
    ks_t *ks = ks_create(13);
    ks_set_now(ks, 0);
    for (long i = 0; i < 4000; i++)
        add(ks, "keep", i, "v");
    for (long i = 0; i < 30000; i++)
        add(ks, "tmp", i, "v");
    static seen_t s;
    memset(&s, 0, sizeof s);
    ks_iter_t it;
    ks_iter_begin(ks, &it);
    long added = 30000, removed = 0;
    /* Between chunks other work grows the table and deletes most keys,
     * which would shrink it without the iterator's pause. */
    while (!ks_iter_step(ks, &it, 7, seen_cb, &s)) {
        for (int k = 0; k < 50 && removed < 30000; k++) {
            char key[48];
            size_t n = kn(key, "tmp", removed++);
            ks_delete(ks, key, n);
        }
        for (int k = 0; k < 10; k++)
            add(ks, "tmp", added++, "v");
    }
    for (long i = 0; i < 4000; i++)
        cr_assert_eq(s.c[i], 1, "keep:%ld seen %d times", i, s.c[i]);
    cr_assert_not(it.active);
    ks_iter_end(ks, &it);       /* harmless after completion */
    ks_destroy(ks);
}

Test(keyspace, random_skips_and_deletes_expired)
{
    ks_t *ks = ks_create(14);
    ks_set_now(ks, 100);
    cr_assert_eq(ks_random(ks), NULL);
    for (long i = 0; i < 200; i++)
        ks_ttl_set(ks, add(ks, "dead", i, "v"), 50);
    add(ks, "live", 0, "v");
    for (int k = 0; k < 20; k++) {
        entry_t *e = ks_random(ks);
        cr_assert_neq(e, NULL);
        cr_assert(e->klen == 6 && memcmp(e->key, "live:0", 6) == 0);
    }
    ks_stats_t st;
    ks_stats(ks, &st);
    cr_assert_gt(st.expired_keys, 0);
    cr_assert_eq(ks_size(ks) + st.expired_keys, 201);
    ks_destroy(ks);
}
