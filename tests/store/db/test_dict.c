/*
 * test_dict.c - hash table: lookups during incremental rehash, bounded
 * rehash work, shrink, scan guarantees under growth and shrink, random,
 * replace, incremental clearing, and the hash function.
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db/dict.h"

static size_t keyname(char *buf, long i)
{
    return (size_t)snprintf(buf, 32, "key:%ld", i);
}

static entry_t *mk(long i)
{
    char k[32];
    size_t n = keyname(k, i);
    return entry_new_int(k, n, i);
}

static entry_t *find(dict_t *d, long i)
{
    char k[32];
    size_t n = keyname(k, i);
    return dict_find(d, k, n);
}

/* Walk both tables: the counts match used[] and each entry sits in the
 * bucket its hash selects (in tab[0] only at or above rehashidx). */
static void check_invariants(const dict_t *d)
{
    for (int t = 0; t < 2; t++) {
        size_t n = 0;
        for (size_t b = 0; b < d->size[t]; b++) {
            for (entry_t *e = d->tab[t][b]; e; e = e->next) {
                uint64_t h = dict_hash(d, e->key, e->klen);
                cr_assert_eq(h & (d->size[t] - 1), b);
                if (t == 0 && dict_is_rehashing(d))
                    cr_assert_geq((long)b, d->rehashidx);
                n++;
            }
        }
        cr_assert_eq(n, d->used[t], "table %d: %zu linked, used %zu", t, n, d->used[t]);
    }
    if (!dict_is_rehashing(d))
        cr_assert_eq(d->tab[1], NULL);
}

Test(dict, empty_table)
{
    dict_t d;
    dict_init(&d, 1);
    cr_assert_eq(dict_size(&d), 0);
    cr_assert_eq(dict_find(&d, "a", 1), NULL);
    cr_assert_eq(dict_unlink(&d, "a", 1), NULL);
    cr_assert_eq(dict_random(&d), NULL);
    cr_assert_eq(dict_scan(&d, 0, NULL, NULL), 0);
    cr_assert_eq(dict_mem(&d), 0);
    dict_release(&d);
}

Test(dict, binary_keys)
{
    dict_t d;
    dict_init(&d, 1);
    const char k1[] = "a\0b", k2[] = "a\0c";
    cr_assert_eq(dict_add(&d, entry_new(k1, 3, "1", 1)), 0);
    cr_assert_eq(dict_add(&d, entry_new(k2, 3, "2", 1)), 0);
    cr_assert_eq(dict_add(&d, entry_new("", 0, "3", 1)), 0);
    cr_assert_eq(dict_find(&d, k1, 3)->v.i, 1);
    cr_assert_eq(dict_find(&d, k2, 3)->v.i, 2);
    cr_assert_eq(dict_find(&d, "", 0)->v.i, 3);
    cr_assert_eq(dict_find(&d, "a", 1), NULL);
    dict_release(&d);
}

Test(dict, grow_200k_every_key_findable_during_rehash)
{
    dict_t d;
    dict_init(&d, 42);
    const long N = 200000;
    size_t rehash_checks = 0;
    for (long i = 0; i < N; i++) {
        cr_assert_eq(dict_add(&d, mk(i)), 0);
        /* While a rehash is in flight, every key inserted so far must be
         * found: probe a sample, and everything at a few points. */
        if (dict_is_rehashing(&d)) {
            cr_assert_neq(find(&d, i), NULL);
            cr_assert_neq(find(&d, i / 2), NULL);
            cr_assert_neq(find(&d, (i * 7919) % (i + 1)), NULL);
            if (i == 65536 + 10 || i == 131072 + 1000) {
                check_invariants(&d);
                for (long j = 0; j <= i; j++)
                    cr_assert_neq(find(&d, j), NULL, "key %ld lost at %ld", j, i);
                rehash_checks++;
            }
        }
    }
    cr_assert_eq(rehash_checks, 2);
    cr_assert_eq(dict_size(&d), (size_t)N);
    while (dict_rehash_step(&d, 100))
        ;
    check_invariants(&d);
    cr_assert_eq(d.size[0], 262144);
    cr_assert_eq(dict_mem(&d), 262144 * sizeof(entry_t *));
    for (long i = 0; i < N; i++)
        cr_assert_eq(find(&d, i)->v.i, i);
    cr_assert_eq(find(&d, N), NULL);
    dict_release(&d);
    cr_assert_eq(dict_size(&d), 0);
}

Test(dict, delete_during_rehash_keeps_counts)
{
    /* Inserts during a rehash land in the new table whatever their old
     * bucket; unlinking them must decrement the right table's count. */
    for (uint64_t seed = 1; seed <= 10; seed++) {
        dict_t d;
        dict_init(&d, seed);
        for (long i = 0; i < 1000; i++) {
            dict_add(&d, mk(i));
            if (i % 3 == 0) {
                char k[32];
                size_t n = keyname(k, i / 2);
                entry_free(dict_unlink(&d, k, n));
                dict_add(&d, mk(i / 2));
            }
            if (dict_is_rehashing(&d))
                check_invariants(&d);
        }
        for (long i = 0; i < 1000; i++) {
            char k[32];
            size_t n = keyname(k, i);
            entry_t *e = dict_unlink(&d, k, n);
            cr_assert_neq(e, NULL);
            cr_assert_eq(e->v.i, i);
            entry_free(e);
            if (i % 97 == 0)
                check_invariants(&d);
        }
        cr_assert_eq(dict_size(&d), 0);
        dict_release(&d);
    }
}

Test(dict, rehash_work_is_bounded)
{
    dict_t d;
    dict_init(&d, 7);
    long i = 0;
    while (!dict_is_rehashing(&d))
        dict_add(&d, mk(i++));
    /* One step moves one bucket, skipping at most 10 empty ones. */
    while (dict_is_rehashing(&d)) {
        long before = d.rehashidx;
        size_t moved_before = d.used[1];
        dict_rehash_step(&d, 1);
        if (!dict_is_rehashing(&d))
            break;
        cr_assert_leq(d.rehashidx - before, 11);
        cr_assert_leq(d.used[1] - moved_before, 8);    /* one short chain */
    }
    check_invariants(&d);
    dict_release(&d);
}

Test(dict, shrinks_incrementally_when_mostly_empty)
{
    dict_t d;
    dict_init(&d, 3);
    for (long i = 0; i < 50000; i++)
        dict_add(&d, mk(i));
    while (dict_rehash_step(&d, 1000))
        ;
    cr_assert_eq(d.size[0], 65536);
    for (long i = 0; i < 50000; i++) {
        if (i % 1000 == 0)
            continue;   /* keep 50 keys */
        char k[32];
        size_t n = keyname(k, i);
        entry_free(dict_unlink(&d, k, n));
        /* Remaining keys stay findable while the shrink is in flight. */
        if (dict_is_rehashing(&d) && i % 101 == 0) {
            cr_assert_neq(find(&d, 0), NULL);
            cr_assert_neq(find(&d, (i / 1000) * 1000), NULL);
        }
    }
    while (dict_rehash_step(&d, 1000))
        ;
    check_invariants(&d);
    cr_assert_eq(dict_size(&d), 50);
    cr_assert_leq(d.size[0], 512);
    for (long i = 0; i < 50000; i += 1000)
        cr_assert_neq(find(&d, i), NULL);
    /* Delete the rest: down to the minimum size. */
    for (long i = 0; i < 50000; i += 1000) {
        char k[32];
        size_t n = keyname(k, i);
        entry_free(dict_unlink(&d, k, n));
    }
    while (dict_rehash_step(&d, 1000))
        ;
    cr_assert_eq(dict_size(&d), 0);
    cr_assert_eq(d.size[0], 4);
    dict_release(&d);
}

Test(dict, pause_shrink)
{
    dict_t d;
    dict_init(&d, 3);
    for (long i = 0; i < 1000; i++)
        dict_add(&d, mk(i));
    while (dict_rehash_step(&d, 1000))
        ;
    dict_pause_shrink(&d);
    for (long i = 0; i < 990; i++) {
        char k[32];
        size_t n = keyname(k, i);
        entry_free(dict_unlink(&d, k, n));
    }
    cr_assert_not(dict_is_rehashing(&d));
    cr_assert_eq(d.size[0], 1024);
    dict_resume_shrink(&d);
    entry_free(dict_unlink(&d, "key:990", 7));
    cr_assert(dict_is_rehashing(&d));
    dict_release(&d);
}

/* ---- scan ------------------------------------------------------------- */

typedef struct seen {
    unsigned char *count;
    long n;
} seen_t;

static void count_cb(void *arg, entry_t *e)
{
    seen_t *s = arg;
    long i = e->v.i;
    if (i >= 0 && i < s->n && s->count[i] < 255)
        s->count[i]++;
}

Test(dict, scan_without_changes_reports_each_once)
{
    dict_t d;
    dict_init(&d, 11);
    const long N = 10000;
    for (long i = 0; i < N; i++)
        dict_add(&d, mk(i));
    /* Also mid-rehash: stop inserting right after a growth starts. */
    for (int phase = 0; phase < 2; phase++) {
        seen_t s = {calloc((size_t)N, 1), N};
        size_t cur = 0;
        do
            cur = dict_scan(&d, cur, count_cb, &s);
        while (cur);
        for (long i = 0; i < N; i++)
            cr_assert_eq(s.count[i], 1, "phase %d key %ld seen %d times", phase, i, s.count[i]);
        free(s.count);
        while (dict_rehash_step(&d, 100))
            ;
    }
    dict_release(&d);
}

Test(dict, scan_guarantee_while_growing)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        dict_t d;
        dict_init(&d, seed);
        const long N = 1000, EXTRA = 60000;
        for (long i = 0; i < N; i++)
            dict_add(&d, mk(i));
        seen_t s = {calloc((size_t)(N + EXTRA), 1), N + EXTRA};
        size_t cur = 0;
        long next = N;
        int steps = 0;
        do {
            cur = dict_scan(&d, cur, count_cb, &s);
            /* Grow a lot between calls: several doublings mid-scan. */
            for (int k = 0; k < 40 && next < N + EXTRA; k++)
                dict_add(&d, mk(next++));
            steps++;
        } while (cur);
        for (long i = 0; i < N; i++)
            cr_assert_eq(s.count[i], 1, "seed %llu: key %ld seen %d times",
                         (unsigned long long)seed, i, s.count[i]);
        cr_assert_gt(steps, 10);
        free(s.count);
        dict_release(&d);
    }
}

Test(dict, scan_guarantee_while_shrinking)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        dict_t d;
        dict_init(&d, seed);
        const long KEEP = 300, N = 40000;
        for (long i = 0; i < N; i++)
            dict_add(&d, mk(i));
        while (dict_rehash_step(&d, 1000))
            ;
        seen_t s = {calloc((size_t)N, 1), N};
        size_t cur = 0;
        long next_del = KEEP;
        bool shrank = false;
        do {
            cur = dict_scan(&d, cur, count_cb, &s);
            /* Delete all but the first KEEP keys, spread over the scan, so
             * the table shrinks (and rehashes) several times mid-scan. */
            for (int k = 0; k < 200 && next_del < N; k++) {
                char key[32];
                size_t n = keyname(key, next_del++);
                entry_free(dict_unlink(&d, key, n));
            }
            shrank |= dict_is_rehashing(&d);
        } while (cur);
        cr_assert(shrank);
        for (long i = 0; i < KEEP; i++)
            cr_assert_geq(s.count[i], 1, "seed %llu: key %ld missed", (unsigned long long)seed, i);
        free(s.count);
        dict_release(&d);
    }
}

/* ---- random, replace, clear ------------------------------------------- */

Test(dict, random_reaches_every_key)
{
    dict_t d;
    dict_init(&d, 5);
    const long N = 100;
    for (long i = 0; i < N; i++)
        dict_add(&d, mk(i));
    seen_t s = {calloc((size_t)N, 1), N};
    for (int k = 0; k < 20000; k++) {
        entry_t *e = dict_random(&d);
        cr_assert_neq(e, NULL);
        count_cb(&s, e);
    }
    for (long i = 0; i < N; i++)
        cr_assert_gt(s.count[i], 50, "key %ld drawn %d times", i, s.count[i]);
    free(s.count);
    dict_release(&d);
}

Test(dict, random_during_rehash)
{
    dict_t d;
    dict_init(&d, 5);
    long i = 0;
    while (!dict_is_rehashing(&d) || d.size[1] < 1024)
        dict_add(&d, mk(i++));
    for (int k = 0; k < 1000; k++) {
        entry_t *e = dict_random(&d);
        cr_assert_neq(e, NULL);
        cr_assert_eq(find(&d, e->v.i), e);
    }
    dict_release(&d);
}

Test(dict, replace_in_either_table)
{
    for (uint64_t seed = 1; seed <= 10; seed++) {
        dict_t d;
        dict_init(&d, seed);
        long i = 0;
        while (!dict_is_rehashing(&d) || d.size[1] < 256)
            dict_add(&d, mk(i++));
        /* Keys in both tables (moved, not yet moved, added mid-rehash). */
        for (long j = 0; j < i; j++) {
            entry_t *old = find(&d, j);
            entry_t *neu = mk(j);
            neu->v.i = j + 1000000;
            dict_replace(&d, old, neu);
            entry_free(old);
        }
        check_invariants(&d);
        for (long j = 0; j < i; j++)
            cr_assert_eq(find(&d, j)->v.i, j + 1000000);
        dict_release(&d);
    }
}

Test(dict, clear_in_bounded_steps)
{
    dict_t d, dead;
    dict_init(&d, 9);
    for (long i = 0; i < 10000; i++)
        dict_add(&d, mk(i));
    size_t expect = 0;
    for (long i = 0; i < 10000; i++)
        expect += entry_mem(find(&d, i));
    dict_move(&dead, &d);
    cr_assert_eq(dict_size(&d), 0);
    cr_assert_eq(find(&d, 1), NULL);
    dict_add(&d, mk(1));
    int steps = 0;
    size_t freed = 0;
    for (;;) {
        size_t budget = 100;
        bool done = dict_clear_step(&dead, &budget, &freed, NULL, NULL);
        steps++;
        if (done)
            break;
        cr_assert_eq(budget, 0);
    }
    cr_assert_gt(steps, 100);
    cr_assert_eq(freed, expect);
    cr_assert_eq(dead.tab[0], NULL);
    cr_assert_eq(find(&d, 1)->v.i, 1);
    dict_release(&d);
}

/* A budget of one still makes progress on every call: each call frees an
 * entry or passes an empty bucket (it once spent the unit on the bucket
 * and looped forever). */
Test(dict, clear_step_with_budget_one_progresses)
{
    dict_t d, dead;
    dict_init(&d, 5);
    for (long i = 0; i < 300; i++)
        dict_add(&d, mk(i));
    dict_move(&dead, &d);
    size_t freed = 0, calls = 0;
    for (;;) {
        size_t budget = 1;
        calls++;
        cr_assert_lt(calls, 100000, "no progress with budget 1");
        if (dict_clear_step(&dead, &budget, &freed, NULL, NULL))
            break;
        cr_assert_eq(budget, 0);
    }
    cr_assert_geq(calls, 300);
    dict_release(&d);
}

/* ---- hash -------------------------------------------------------------- */

Test(dict, hash_depends_on_every_byte_and_seed)
{
    hash_seed_t s1, s2;
    hash_seed_init(&s1, 1);
    hash_seed_init(&s2, 2);
    unsigned char buf[200];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 31 + 7);
    for (size_t len = 0; len <= sizeof buf; len++) {
        uint64_t h = hash_bytes(buf, len, &s1);
        cr_assert_eq(h, hash_bytes(buf, len, &s1));
        cr_assert_neq(h, hash_bytes(buf, len, &s2));
        if (len > 0) {
            cr_assert_neq(h, hash_bytes(buf, len - 1, &s1));
            for (size_t i = 0; i < len; i++) {
                buf[i] ^= 0x01;
                cr_assert_neq(h, hash_bytes(buf, len, &s1), "len %zu byte %zu", len, i);
                buf[i] ^= 0x01;
            }
        }
    }
}

Test(dict, hash_spreads_sequential_keys)
{
    /* 64k sequential keys into 64k buckets: a random function leaves about
     * 1/e of buckets empty; a weak one far more. */
    hash_seed_t s;
    hash_seed_init(&s, 3);
    enum { N = 65536 };
    static unsigned char used[N];
    memset(used, 0, sizeof used);
    char k[32];
    for (long i = 0; i < N; i++) {
        size_t n = keyname(k, i);
        used[hash_bytes(k, n, &s) & (N - 1)] = 1;
    }
    size_t empty = 0;
    for (size_t i = 0; i < N; i++)
        empty += !used[i];
    cr_assert(empty > N * 0.34 && empty < N * 0.40, "empty buckets: %zu", empty);
}
