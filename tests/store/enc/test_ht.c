/*
 * test_ht.c - collection hash table: node layout and binary safety,
 * in-place and reallocating value updates, incremental rehash in both
 * directions with lookups in between, bounded work per call, bounded
 * freeing, the scan guarantee under growth/shrink/rehash, random and
 * sampling, iteration, node relinking, allocation failure, seeded
 * model-based random tests with an invariant check after every step, and
 * bytes per element for a million members.
 *
 * Allocation failures are injected through the linker (alloc_fail.h).
 * Seeds: HT_SEED=<n> reruns the model
 * and scan tests with one seed; failures print the seed.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/enc/ht.h"

/* ---- allocation failure injection ---- */

#include "alloc_fail.h"
#include "test_keys.h"

/* ---- keys, values, invariants ---- */

static ht_node_t *find_id(ht_t *ht, unsigned id)
{
    char k[256];
    size_t n = test_key(k, id);
    return ht_find(ht, k, n);
}

static ht_node_t *add_id(ht_t *ht, unsigned id, const char *v, size_t vlen)
{
    char k[256];
    size_t n = test_key(k, id);
    return ht_add(ht, k, n, v, vlen);
}

static bool del_id(ht_t *ht, unsigned id)
{
    char k[256];
    size_t n = test_key(k, id);
    return ht_delete(ht, k, n);
}

static bool is_pow2(size_t n) { return n && !(n & (n - 1)); }

/* Walk both tables: counts match used[], each node sits in the bucket its
 * hash selects (tab[0] only at or above rehashidx while rehashing), sizes
 * are powers of two, the mem total equals the recomputed sum, and an idle
 * table is at least 10% full. Returns the longest chain. */
static size_t check(const ht_t *ht)
{
    size_t mem = sizeof(ht_t), longest = 0;
    for (int t = 0; t < 2; t++) {
        size_t n = 0;
        cr_assert(ht->size[t] == 0 || is_pow2(ht->size[t]));
        cr_assert_eq(ht->tab[t] == NULL, ht->size[t] == 0);
        for (size_t b = 0; b < ht->size[t]; b++) {
            size_t chain = 0;
            for (const ht_node_t *e = ht->tab[t][b]; e; e = e->next) {
                size_t klen;
                const char *k = ht_key(e, &klen);
                cr_assert_eq(ht_hash(ht, k, klen) & (ht->size[t] - 1), b,
                             "table %d: node in bucket %zu, hash says otherwise", t, b);
                if (t == 0 && ht_is_rehashing(ht))
                    cr_assert_geq((long)b, ht->rehashidx);
                mem += malloc_usable_size((void *)e);
                n++;
                chain++;
            }
            if (chain > longest)
                longest = chain;
        }
        cr_assert_eq(n, ht->used[t], "table %d: %zu linked, used %zu", t, n, ht->used[t]);
        mem += ht->size[t] * sizeof(ht_node_t *);
    }
    cr_assert_eq(ht_mem(ht), mem, "mem %zu, recomputed %zu", ht_mem(ht), mem);
    if (!ht_is_rehashing(ht)) {
        cr_assert_null(ht->tab[1]);
        cr_assert_eq(ht->used[1], 0);
        if (ht->size[0] > 4)
            cr_assert_geq(ht->used[0] * 10, ht->size[0], "idle table under 10%% full");
    } else {
        cr_assert_lt((size_t)ht->rehashidx, ht->size[0]);
    }
    return longest;
}

static ht_t *mkset(size_t n)
{
    ht_t *ht = ht_new(false, 42);
    cr_assert_not_null(ht);
    for (unsigned i = 0; i < n; i++)
        cr_assert_not_null(add_id(ht, i, NULL, 0));
    return ht;
}

/* ---- basics ---- */

Test(ht, empty_table)
{
    ht_t *ht = ht_new(true, 1);
    ht_node_t *out[4];
    ht_iter_t it;

    cr_assert_eq(ht_len(ht), 0);
    cr_assert(ht_is_map(ht));
    cr_assert_eq(ht_mem(ht), sizeof(ht_t));
    cr_assert_null(ht_find(ht, "a", 1));
    cr_assert_null(ht_find(ht, NULL, 0));
    cr_assert_not(ht_delete(ht, "a", 1));
    cr_assert_null(ht_unlink(ht, "a", 1));
    cr_assert_null(ht_random(ht));
    cr_assert_null(ht_random_fair(ht));
    cr_assert_null(ht_pop_random(ht));
    cr_assert_eq(ht_sample(ht, out, 4), 0);
    cr_assert_eq(ht_scan(ht, 0, NULL, NULL), 0);
    cr_assert_not(ht_rehash_step(ht, 100));
    ht_iter_init(&it, ht);
    cr_assert_null(ht_iter_next(&it));
    check(ht);
    ht_free(ht);
    ht_free(NULL);
    ht_node_free(NULL);
}

Test(ht, set_mode_basics)
{
    ht_t *ht = ht_new(false, 7);
    cr_assert_not(ht_is_map(ht));
    ht_node_t *n = ht_add(ht, "member:1", 8, "ignored", 7);
    cr_assert_not_null(n);
    size_t len;
    const char *k = ht_key(n, &len);
    cr_assert_eq(len, 8);
    cr_assert(memcmp(k, "member:1", 8) == 0);
    /* Layout: next pointer, 1-byte length, the key, nothing else. */
    cr_assert_eq(n->data[0], 8);
    cr_assert_eq(k, (const char *)n->data + 1);
    cr_assert_geq(ht_node_mem(n), sizeof(ht_node_t) + 9);
    cr_assert_eq(ht_find(ht, "member:1", 8), n);
    cr_assert_null(ht_find(ht, "member:2", 8));
    cr_assert_null(ht_find(ht, "member:", 7));
    cr_assert_null(ht_set_val(ht, n, "v", 1), "set mode has no values");
    cr_assert_eq(ht_mem(ht), sizeof(ht_t) + 4 * sizeof(void *) + ht_node_mem(n));
    check(ht);
    cr_assert(ht_delete(ht, "member:1", 8));
    cr_assert_not(ht_delete(ht, "member:1", 8));
    cr_assert_eq(ht_len(ht), 0);
    check(ht);
    ht_free(ht);
}

Test(ht, map_mode_layout)
{
    ht_t *ht = ht_new(true, 7);
    ht_node_t *n = ht_add(ht, "field:1", 7, "value:12", 8);
    size_t kl, vl;
    const char *k = ht_key(n, &kl), *v = ht_val(n, &vl);
    cr_assert_eq(kl, 7);
    cr_assert_eq(vl, 8);
    cr_assert(memcmp(k, "field:1", 7) == 0 && memcmp(v, "value:12", 8) == 0);
    const unsigned char want[] = "\x07" "field:1" "\x08" "value:12";
    cr_assert(memcmp(n->data, want, sizeof want - 1) == 0, "varint klen, key, varint vlen, value");
    ht_free(ht);
}

Test(ht, empty_and_binary_keys_values)
{
    ht_t *ht = ht_new(true, 3);
    const char k1[] = "a\0b", k2[] = "a\0c", k3[] = "a";
    cr_assert_not_null(ht_add(ht, NULL, 0, NULL, 0));  /* "" -> "" */
    cr_assert_not_null(ht_add(ht, k1, 3, "\0\0", 2));
    cr_assert_not_null(ht_add(ht, k2, 3, "", 0));
    cr_assert_not_null(ht_add(ht, k3, 1, "x", 1));
    cr_assert_not_null(ht_add(ht, k3, 2, "y", 1));     /* "a\0" */
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)(255 - i);
    cr_assert_not_null(ht_add(ht, all, 256, all, 256));
    cr_assert_eq(ht_len(ht), 6);

    size_t len;
    ht_node_t *n = ht_find(ht, "", 0);
    cr_assert_not_null(n);
    ht_key(n, &len);
    cr_assert_eq(len, 0);
    ht_val(n, &len);
    cr_assert_eq(len, 0);
    const char *v = ht_val(ht_find(ht, k1, 3), &len);
    cr_assert(len == 2 && v[0] == 0 && v[1] == 0);
    cr_assert_eq(*ht_val(ht_find(ht, k3, 1), &len), 'x');
    cr_assert_eq(*ht_val(ht_find(ht, "a\0", 2), &len), 'y');
    cr_assert_null(ht_find(ht, "a\0d", 3));
    v = ht_val(ht_find(ht, all, 256), &len);
    cr_assert(len == 256 && memcmp(v, all, 256) == 0);
    check(ht);
    cr_assert(ht_delete(ht, NULL, 0));
    cr_assert_null(ht_find(ht, "", 0));
    cr_assert_not_null(ht_find(ht, "a", 1));
    check(ht);
    ht_free(ht);
}

/* Key and value lengths at each varint width boundary. */
Test(ht, varint_length_boundaries)
{
    const size_t lens[] = {0, 1, 127, 128, 129, 16383, 16384, 16385, 2097151, 2097152};
    const size_t nl = sizeof lens / sizeof *lens;
    char *buf = malloc(2097152 + 8);
    for (size_t i = 0; i < 2097152 + 8; i++)
        buf[i] = (char)(i * 31 + 7);
    ht_t *ht = ht_new(true, 5);
    for (size_t i = 0; i < nl; i++) {
        /* Key: lens[i] bytes after a distinguishing first byte. */
        buf[0] = (char)i;
        size_t klen = lens[i] + 1, vlen = lens[nl - 1 - i];
        ht_node_t *n = ht_add(ht, buf, klen, buf + 1, vlen);
        cr_assert_not_null(n);
        size_t need = sizeof(ht_node_t) + klen + vlen + (klen < 128 ? 1 : klen < 16384 ? 2 : 3) +
                      (vlen < 128 ? 1 : vlen < 16384 ? 2 : vlen < 2097152 ? 3 : 4);
        cr_assert_geq(ht_node_mem(n), need);
    }
    for (size_t i = 0; i < nl; i++) {
        buf[0] = (char)i;
        size_t klen = lens[i] + 1, vlen = lens[nl - 1 - i], kl, vl;
        ht_node_t *n = ht_find(ht, buf, klen);
        cr_assert_not_null(n, "key length %zu", klen);
        const char *k = ht_key(n, &kl), *v = ht_val(n, &vl);
        cr_assert(kl == klen && memcmp(k, buf, klen) == 0);
        cr_assert(vl == vlen && memcmp(v, buf + 1, vlen) == 0, "value length %zu", vlen);
    }
    check(ht);
    ht_free(ht);
    free(buf);
}

/* A 16 MB + 1 value (4-byte varint); with HT_BIG=1 the largest a client
 * can send (proto-max-bulk-len, 512 MB: 5-byte varint), which costs
 * seconds of page faults, too slow for every run. */
Test(ht, huge_value)
{
    bool full = getenv("HT_BIG") != NULL;
    size_t big = full ? (size_t)512 << 20 : ((size_t)16 << 20) + 1;
    char *v = calloc(1, big);
    if (!v)
        cr_skip_test("no memory for a 512 MB buffer");
    v[0] = 'a';
    v[big - 1] = 'z';
    ht_t *ht = ht_new(true, 5);
    ht_node_t *n = ht_add(ht, "f", 1, v, big);
    cr_assert_not_null(n);
    size_t vl;
    const char *p = ht_val(n, &vl);
    cr_assert(vl == big && p[0] == 'a' && p[big - 1] == 'z' && p[big / 2] == 0);
    int vbytes = full ? 5 : 4;
    for (int i = 2; i < 1 + vbytes; i++)
        cr_assert_eq(n->data[i] & 0x80, 0x80, "%d-byte varint", vbytes);
    cr_assert_eq(n->data[1 + vbytes] & 0x80, 0);
    cr_assert_geq(ht_mem(ht), big);
    n = ht_set_val(ht, n, "small", 5);
    cr_assert_not_null(n);
    cr_assert_lt(ht_mem(ht), 4096, "shrunk value gives the memory back");
    check(ht);
    ht_free(ht);
    free(v);
}

/* ---- value updates ---- */

Test(ht, set_val_in_place_and_realloc)
{
    ht_t *ht = ht_new(true, 9);
    ht_node_t *n = ht_add(ht, "field:123456", 12, "1", 1);
    size_t have = ht_node_mem(n), fixed = sizeof(ht_node_t) + 1 + 12 + 1;
    /* Every length that still fits the usable size is written in place. */
    char v[2048];
    memset(v, '7', sizeof v);
    for (size_t l = 0; fixed + l <= have; l++) {
        size_t mem = ht_mem(ht);
        ht_node_t *r = ht_set_val(ht, n, v, l);
        cr_assert_eq(r, n, "length %zu fits %zu usable bytes: no realloc", l, have);
        cr_assert_eq(ht_mem(ht), mem);
        size_t vl;
        ht_val(n, &vl);
        cr_assert_eq(vl, l);
    }
    /* One byte more: a new node, relinked, with the key kept. */
    size_t l = have - fixed + 1;
    v[0] = 'X';
    ht_node_t *r = ht_set_val(ht, n, v, l);
    cr_assert_not_null(r);
    n = r;
    cr_assert_geq(ht_node_mem(n), fixed + l);
    cr_assert_eq(ht_find(ht, "field:123456", 12), n);
    size_t vl, kl;
    cr_assert(ht_val(n, &vl)[0] == 'X' && vl == l);
    cr_assert(memcmp(ht_key(n, &kl), "field:123456", 12) == 0 && kl == 12);
    check(ht);
    /* Grow big, then shrink: memory is given back once over half unused. */
    n = ht_set_val(ht, n, v, 2000);
    cr_assert_geq(ht_node_mem(n), 2000);
    check(ht);
    n = ht_set_val(ht, n, v, 1500);          /* > half: stays */
    cr_assert_geq(ht_node_mem(n), 2000);
    n = ht_set_val(ht, n, "ab", 2);          /* shrinks */
    cr_assert_lt(ht_node_mem(n), 64);
    cr_assert(memcmp(ht_val(n, &vl), "ab", 2) == 0 && vl == 2);
    cr_assert_eq(ht_find(ht, "field:123456", 12), n);
    check(ht);
    ht_free(ht);
}

/* HINCRBY-like: values "0".."99999" in a big hash mostly stay in place. */
Test(ht, incr_mostly_in_place)
{
    ht_t *ht = ht_new(true, 9);
    char k[32];
    for (int i = 0; i < 1000; i++)
        ht_add(ht, k, (size_t)snprintf(k, sizeof k, "field:%d", i), "0", 1);
    ht_node_t *n = ht_find(ht, "field:500", 9);
    int moves = 0;
    for (long x = 1; x < 100000; x++) {
        char v[32];
        size_t vl = (size_t)snprintf(v, sizeof v, "%ld", x);
        ht_node_t *r = ht_set_val(ht, n, v, vl);
        moves += r != n;
        n = r;
    }
    size_t vl;
    cr_assert(memcmp(ht_val(n, &vl), "99999", 5) == 0 && vl == 5);
    cr_assert_leq(moves, 5, "%d reallocations for 100000 increments", moves);
    check(ht);
    ht_free(ht);
}

/* set_val relinks correctly wherever the node is while rehashing. */
Test(ht, set_val_while_rehashing)
{
    ht_t *ht = ht_new(true, 11);
    for (unsigned i = 0; i < 65; i++)
        add_id(ht, i, "v", 1);
    cr_assert(ht_is_rehashing(ht));
    ht_rehash_step(ht, 20);         /* nodes now in both tables */
    ht_pause_rehash(ht);
    cr_assert(ht->used[0] > 0 && ht->used[1] > 0);
    char big[100];
    memset(big, 'b', sizeof big);
    for (unsigned i = 0; i < 65; i++) {
        if (i == 40)
            ht_resume_rehash(ht);   /* and while it moves on */
        ht_node_t *n = find_id(ht, i);
        cr_assert_not_null(n);
        n = ht_set_val(ht, n, big, 20 + i);
        cr_assert_eq(find_id(ht, i), n);
        check(ht);
    }
    for (unsigned i = 0; i < 65; i++) {
        size_t vl;
        ht_val(find_id(ht, i), &vl);
        cr_assert_eq(vl, 20 + i);
    }
    ht_free(ht);
}

/* ---- rehashing ---- */

Test(ht, grow_and_shrink_with_finds_between)
{
    ht_t *ht = ht_new(false, 13);
    size_t saw_grow = 0, saw_shrink = 0;
    for (unsigned i = 0; i < 5000; i++) {
        cr_assert_not_null(add_id(ht, i, NULL, 0));
        if (ht_is_rehashing(ht)) {
            saw_grow++;
            cr_assert_gt(ht->size[1], ht->size[0]);
        }
        if (i % 97 == 0) {
            for (unsigned j = 0; j <= i; j++)
                cr_assert_not_null(find_id(ht, j), "after %u adds, %u missing", i, j);
            cr_assert_null(find_id(ht, i + 1));
            check(ht);
        }
    }
    cr_assert_gt(saw_grow, 100);
    for (unsigned i = 0; i < 4990; i++) {
        cr_assert(del_id(ht, i));
        if (ht_is_rehashing(ht) && ht->size[1] < ht->size[0])
            saw_shrink++;
        if (i % 89 == 0) {
            for (unsigned j = 0; j < 5000; j++)
                cr_assert_eq(find_id(ht, j) != NULL, j > i, "after deleting 0..%u, %u", i, j);
            check(ht);
        }
    }
    cr_assert_gt(saw_shrink, 10);
    while (ht_rehash_step(ht, 1))
        ;
    cr_assert_eq(ht->size[0], 16, "10 elements: the smallest power of two >= 10");
    cr_assert_eq(ht_len(ht), 10);
    for (unsigned i = 0; i < 10; i++)
        cr_assert(del_id(ht, 4990 + i));
    while (ht_rehash_step(ht, 1))
        ;
    cr_assert_eq(ht->size[0], 4, "never below 4 buckets");
    check(ht);
    ht_free(ht);
}

/* Watch every operation of a 2^17-element table through growth and
 * shrink: no call moves more than one bucket or skips more than 10 empty
 * ones, and ht_rehash_step(n) moves at most n buckets. */
Test(ht, bounded_work_per_call)
{
    const unsigned n = 1u << 17;
    ht_t *ht = ht_new(false, 17);
    size_t longest = 4;
    for (unsigned i = 0; i < 2 * n; i++) {
        long idx = ht->rehashidx;
        size_t u0 = ht->used[0], s0 = ht->size[0], s1 = ht->size[1];
        bool was = ht_is_rehashing(ht);
        add_id(ht, i, NULL, 0);
        bool same = ht->size[0] == s0 && ht->size[1] == s1;
        if (was && ht_is_rehashing(ht) && same) {
            cr_assert_leq(ht->rehashidx - idx, 10);
            cr_assert_leq(u0 - ht->used[0], longest);
        } else if (!was && ht_is_rehashing(ht)) {
            cr_assert_eq(ht->size[1], 2 * s0, "grows by doubling");
            cr_assert_eq(ht->rehashidx, 0, "starting a resize moves nothing");
            cr_assert_eq(ht->used[0], u0);
            longest = check(ht) + 2;
        }
    }
    /* Delete 95%: shrink, watching finds and deletes. */
    for (unsigned i = 0; i < 2 * n - n / 10; i++) {
        long idx = ht->rehashidx;
        size_t u0 = ht->used[0], s0 = ht->size[0], s1 = ht->size[1];
        bool was = ht_is_rehashing(ht);
        find_id(ht, i + 1);
        if (was && ht_is_rehashing(ht) && ht->size[0] == s0 && ht->size[1] == s1) {
            cr_assert_leq(ht->rehashidx - idx, 10);
            cr_assert_leq(u0 - ht->used[0], longest);
        }
        idx = ht->rehashidx;
        was = ht_is_rehashing(ht);
        s0 = ht->size[0];
        cr_assert(del_id(ht, i));
        if (was && ht_is_rehashing(ht) && ht->size[0] == s0)
            cr_assert_leq(ht->rehashidx - idx, 10);
        if (!was && ht_is_rehashing(ht) && ht->size[1] < ht->size[0]) {
            cr_assert_eq(ht->rehashidx, 0);
            /* Idle time: exactly n buckets (plus skipped empties) each. */
            for (size_t step = 1; step <= 64 && ht_is_rehashing(ht); step *= 2) {
                idx = ht->rehashidx;
                ht_rehash_step(ht, step);
                if (ht_is_rehashing(ht))
                    cr_assert_leq((size_t)(ht->rehashidx - idx), step * 11);
            }
        }
    }
    check(ht);
    ht_free(ht);
}

Test(ht, rehash_step_idle_and_pause)
{
    ht_t *ht = mkset(2049);     /* 2048 buckets, growing to 4096 */
    cr_assert(ht_is_rehashing(ht));
    ht_pause_rehash(ht);
    ht_pause_rehash(ht);        /* nests */
    long idx = ht->rehashidx;
    for (unsigned i = 0; i < 3000; i++)
        cr_assert_eq(find_id(ht, i) != NULL, i < 2049);
    cr_assert_eq(ht->rehashidx, idx, "no step while paused");
    cr_assert(ht_rehash_step(ht, 100000), "paused: still rehashing");
    cr_assert_eq(ht->rehashidx, idx);
    ht_random(ht);
    ht_node_t *s[8];
    ht_sample(ht, s, 8);
    cr_assert_eq(ht->rehashidx, idx);
    ht_resume_rehash(ht);
    ht_rehash_step(ht, 100000);
    cr_assert_eq(ht->rehashidx, idx);
    ht_resume_rehash(ht);
    cr_assert_not(ht_rehash_step(ht, 100000), "done in one big idle step");
    cr_assert_eq(ht->size[0], 4096);
    check(ht);
    ht_free(ht);
}

/* ---- freeing ---- */

static void free_in_steps(ht_t *ht, size_t per_call)
{
    size_t work = ht_len(ht) + ht->size[0] + ht->size[1], calls = 0;
    for (;;) {
        size_t budget = per_call;
        bool done = ht_free_step(ht, &budget);
        cr_assert_leq(budget, per_call);
        calls++;
        if (done)
            break;
        cr_assert_eq(budget, 0, "stops only when the budget is used up");
        cr_assert_leq(calls, work / per_call + 2, "no progress");
    }
    cr_assert_geq(calls, work / per_call / 2);
}

Test(ht, free_step_bounded)
{
    free_in_steps(mkset(10000), 100);
    ht_t *ht = mkset(8193);            /* rehashing: both tables */
    cr_assert(ht_is_rehashing(ht));
    free_in_steps(ht, 7);
    free_in_steps(mkset(0), 1);
    free_in_steps(mkset(3), 1);
    ht = mkset(100);
    size_t zero = 0;
    cr_assert_not(ht_free_step(ht, &zero));
    free_in_steps(ht, 1000000);
    /* One unit of work per call. */
    ht = ht_new(false, 1);
    for (unsigned i = 0; i < 4; i++)
        add_id(ht, i, NULL, 0);
    free_in_steps(ht, 1);
}

/* ---- scan ---- */

struct scan_seen {
    unsigned *count;    /* per stable id */
    unsigned nstable;
};

static void scan_cb(void *arg, const ht_node_t *n)
{
    struct scan_seen *s = arg;
    size_t len;
    const char *k = ht_key(n, &len);
    unsigned id = test_key_id(k, len);
    if (id < s->nstable)
        s->count[id]++;
}

Test(ht, scan_static_exactly_once)
{
    for (unsigned n = 0; n < 300; n += 37) {
        ht_t *ht = mkset(n);
        for (int phase = 0; phase < 2; phase++) {
            if (phase == 1)     /* phase 0 may be mid-rehash; 1 is not */
                while (ht_rehash_step(ht, 100))
                    ;
            unsigned count[300] = {0};
            struct scan_seen s = {count, n};
            size_t cur = 0;
            do {
                cur = ht_scan(ht, cur, scan_cb, &s);
            } while (cur);
            for (unsigned i = 0; i < n; i++)
                cr_assert_eq(count[i], 1, "n %u phase %d: id %u seen %u times", n, phase, i, count[i]);
        }
        ht_free(ht);
    }
}

/* The scan guarantee: ids [0, nstable) are present throughout; between
 * scan calls the table grows (temporary ids added), shrinks (temporary
 * ids deleted), rehashes idle or through lookups. Every stable id must be
 * reported; twice only if a shrink was seen during the scan. */
static void scan_run(uint64_t seed)
{
    uint64_t st = seed;
    unsigned nstable = (unsigned)(hash_rand_next(&st) % 1000);
    unsigned *count = calloc(nstable + 1, sizeof *count);
    ht_t *ht = ht_new(false, seed);
    unsigned tmp_next = 1000000, tmp_lo = 1000000;
    struct scan_seen s = {count, nstable};
    bool shrank = false;
    size_t ups = 0, downs = 0, dups = 0;    /* statistics (HT_VERBOSE) */

    for (unsigned i = 0; i < nstable; i++)
        add_id(ht, i, NULL, 0);
    size_t cur = 0, calls = 0;
    do {
        if (ht_is_rehashing(ht) && ht->size[1] < ht->size[0])
            shrank = true;
        size_t before = ht->size[0], target = ht->size[ht_is_rehashing(ht)];
        cur = ht_scan(ht, cur, scan_cb, &s);
        calls++;
        uint64_t r = hash_rand_next(&st);
        /* Small steps each call, and about 8 big ones per scan (a scan
         * takes about as many calls as there are buckets). Shrinking needs
         * the temporaries to outnumber the stable ids 10 to 1. */
        size_t len = ht_len(ht), k = 0, cap = 16384;
        size_t buckets = ht->size[0] + ht->size[1] + 1;
        if ((r >> 40) % buckets < 8) {
            if ((r >> 20) & 1)              /* grow a lot: ~10x */
                k = len < cap ? (9 * len + 100 < cap - len ? 9 * len + 100 : cap - len) : 0;
            else                            /* shrink a lot */
                while (tmp_lo < tmp_next)
                    cr_assert(del_id(ht, tmp_lo++));
        } else switch (r % 16) {
        case 0: case 1: case 2: case 3:     /* grow a little */
            k = len < cap ? (r >> 8) % 16 : 0;
            break;
        case 5: case 6: case 7:             /* shrink a little */
            for (size_t d = (r >> 8) % 32; d-- && tmp_lo < tmp_next;)
                cr_assert(del_id(ht, tmp_lo++));
            break;
        case 9: case 10:
            ht_rehash_step(ht, (r >> 8) % 64);
            break;
        case 11:
            for (int i = 0; i < 20; i++)
                find_id(ht, (unsigned)(r >> 16) % (nstable + 1));
            break;
        default:
            break;
        }
        while (k--)
            add_id(ht, tmp_next++, NULL, 0);
        /* A shrink may also start and finish within one action. */
        if ((ht_is_rehashing(ht) && ht->size[1] < ht->size[0]) || ht->size[0] < before)
            shrank = true;
        ups += ht->size[ht_is_rehashing(ht)] > target;
        downs += ht->size[ht_is_rehashing(ht)] < target;
        cr_assert_lt(calls, 10000000, "seed %" PRIu64 ": scan does not end", seed);
    } while (cur);
    for (unsigned i = 0; i < nstable; i++) {
        dups += count[i] > 1;
        cr_assert_geq(count[i], 1, "seed %" PRIu64 ": stable id %u never reported", seed, i);
        if (!shrank)
            cr_assert_eq(count[i], 1, "seed %" PRIu64 ": id %u reported %u times without a shrink",
                         seed, i, count[i]);
    }
    if (getenv("HT_VERBOSE"))
        fprintf(stderr, "scan seed %" PRIu64 ": %u stable, %zu calls, %zu grows, %zu shrinks, "
                "%zu reported twice\n", seed, nstable, calls, ups, downs, dups);
    check(ht);
    ht_free(ht);
    free(count);
}

Test(ht, scan_guarantee_under_resizing)
{
    const char *env = getenv("HT_SEED");
    if (env) {
        scan_run(strtoull(env, NULL, 0));
        return;
    }
    for (uint64_t seed = 1; seed <= 60; seed++)
        scan_run(seed);
}

/* Growth only: a scan never reports anything twice. */
Test(ht, scan_growth_no_duplicates)
{
    unsigned count[3000] = {0};
    struct scan_seen s = {count, 3000};
    ht_t *ht = ht_new(false, 99);
    for (unsigned i = 0; i < 100; i++)
        add_id(ht, i, NULL, 0);
    size_t cur = 0;
    unsigned next = 100;
    do {
        cur = ht_scan(ht, cur, scan_cb, &s);
        for (int k = 0; k < 7 && next < 3000; k++)
            add_id(ht, next++, NULL, 0);
    } while (cur);
    for (unsigned i = 0; i < 3000; i++)
        cr_assert_leq(count[i], 1, "id %u reported %u times", i, count[i]);
    for (unsigned i = 0; i < 100; i++)
        cr_assert_eq(count[i], 1);
    ht_free(ht);
}

/* ---- random, sample, pop ---- */

static void random_coverage(ht_t *ht, unsigned n, bool fair)
{
    unsigned *hits = calloc(n, sizeof *hits);
    for (unsigned d = 0; d < 200 * n; d++) {
        ht_node_t *e = fair ? ht_random_fair(ht) : ht_random(ht);
        cr_assert_not_null(e);
        size_t len;
        const char *k = ht_key(e, &len);
        unsigned id = test_key_id(k, len);
        cr_assert_lt(id, n);
        hits[id]++;
    }
    /* Expected 200 each; chain bias can halve or third it for a few. */
    for (unsigned i = 0; i < n; i++)
        cr_assert_gt(hits[i], 30, "id %u drawn %u times of %u", i, hits[i], 200 * n);
    free(hits);
}

Test(ht, random_covers_all)
{
    ht_t *ht = mkset(300);
    random_coverage(ht, 300, false);
    random_coverage(ht, 300, true);
    ht_free(ht);
    ht = mkset(1025);           /* half moved, then paused so it stays */
    ht_rehash_step(ht, 300);
    ht_pause_rehash(ht);
    cr_assert(ht_is_rehashing(ht) && ht->used[0] > 300 && ht->used[1] > 300);
    random_coverage(ht, 1025, false);
    random_coverage(ht, 1025, true);
    ht_resume_rehash(ht);
    ht_free(ht);
}

static void sample_distinct(ht_t *ht, size_t n)
{
    ht_node_t **out = malloc((n + 1) * sizeof *out);
    size_t got = ht_sample(ht, out, n);
    cr_assert_leq(got, n);
    cr_assert_leq(got, ht_len(ht));
    for (size_t i = 0; i < got; i++) {
        size_t len;
        const char *k = ht_key(out[i], &len);
        cr_assert_eq(ht_find(ht, k, len), out[i], "sampled node is linked");
        for (size_t j = 0; j < i; j++)
            cr_assert_neq(out[i], out[j], "duplicate in sample");
    }
    free(out);
}

Test(ht, sample_distinct_and_full_when_dense)
{
    for (unsigned n = 1; n < 600; n = n * 3 + 1) {
        ht_t *ht = mkset(n);
        ht_node_t *out[700];
        for (size_t want = 0; want <= n + 3; want += 1 + want / 4) {
            size_t got = ht_sample(ht, out, want);
            /* At least 50% full: 10 indexes per node always suffice. */
            cr_assert_eq(got, want < n ? want : n, "n %u want %zu got %zu", n, want, got);
            sample_distinct(ht, want);
        }
        ht_free(ht);
    }
    ht_t *ht = mkset(4097);
    ht_pause_rehash(ht);
    for (int i = 0; i < 50; i++)
        sample_distinct(ht, 300);
    ht_resume_rehash(ht);
    ht_free(ht);
}

/* Mid-rehash, repeated samples reach every node of both tables. */
Test(ht, sample_covers_both_tables)
{
    ht_t *ht = mkset(1025);
    ht_rehash_step(ht, 300);
    ht_pause_rehash(ht);
    cr_assert(ht->used[0] > 300 && ht->used[1] > 300);
    unsigned seen[1025] = {0}, missing = 1025;
    ht_node_t *out[8];
    for (int call = 0; call < 20000 && missing; call++) {
        size_t got = ht_sample(ht, out, 8);   /* may be short: tab[1] is sparse */
        for (size_t i = 0; i < got; i++) {
            size_t len;
            const char *k = ht_key(out[i], &len);
            missing -= seen[test_key_id(k, len)]++ == 0;
        }
    }
    cr_assert_eq(missing, 0, "%u nodes never sampled", missing);
    ht_resume_rehash(ht);
    ht_free(ht);
}

/* A sparse table (mass deletion with rehashing paused, so the shrink
 * does not progress): samples may come back short, never duplicated. */
Test(ht, sample_sparse)
{
    ht_t *ht = mkset(4096);
    ht_pause_rehash(ht);
    for (unsigned i = 0; i < 4096; i++)
        if (i % 50)
            del_id(ht, i);
    for (int i = 0; i < 200; i++)
        sample_distinct(ht, 10);
    ht_resume_rehash(ht);
    ht_free(ht);
}

/* SPOP with a count: sample, then unlink every sampled node. */
Test(ht, sample_then_unlink_all)
{
    ht_t *ht = mkset(5000);
    unsigned seen[5000] = {0};
    ht_node_t *out[64];
    while (ht_len(ht)) {
        size_t got = ht_sample(ht, out, 64);
        if (!got) {
            out[0] = ht_random(ht);
            got = 1;
        }
        for (size_t i = 0; i < got; i++) {
            size_t len;
            const char *k = ht_key(out[i], &len);
            seen[test_key_id(k, len)]++;
            ht_unlink_node(ht, out[i]);
            cr_assert_null(ht_find(ht, k, len));
            ht_node_free(out[i]);
        }
        check(ht);
    }
    for (unsigned i = 0; i < 5000; i++)
        cr_assert_eq(seen[i], 1);
    cr_assert_eq(ht_mem(ht), sizeof(ht_t) + ht->size[0] * sizeof(void *) +
                 ht->size[1] * sizeof(void *));
    ht_free(ht);
}

Test(ht, pop_random_all)
{
    ht_t *ht = mkset(1000);
    unsigned seen[1000] = {0};
    ht_node_t *n;
    while ((n = ht_pop_random(ht))) {
        size_t len;
        const char *k = ht_key(n, &len);
        seen[test_key_id(k, len)]++;
        cr_assert_null(ht_find(ht, k, len));
        ht_node_free(n);
        if (ht_len(ht) % 50 == 0)
            check(ht);
    }
    for (unsigned i = 0; i < 1000; i++)
        cr_assert_eq(seen[i], 1);
    while (ht_rehash_step(ht, 10))
        ;
    cr_assert_eq(ht->size[0], 4);
    ht_free(ht);
}

/* ---- iteration, unlink, link ---- */

static void iterate_once_each(ht_t *ht, unsigned n)
{
    unsigned *seen = calloc(n + 1, sizeof *seen);
    ht_iter_t it;
    ht_node_t *e;
    size_t total = 0;
    ht_iter_init(&it, ht);
    while ((e = ht_iter_next(&it))) {
        size_t len;
        const char *k = ht_key(e, &len);
        unsigned id = test_key_id(k, len);
        cr_assert_lt(id, n);
        seen[id]++;
        total++;
    }
    cr_assert_eq(total, n);
    for (unsigned i = 0; i < n; i++)
        cr_assert_eq(seen[i], 1);
    cr_assert_null(ht_iter_next(&it), "stays at the end");
    free(seen);
}

Test(ht, iterator_plain_and_rehashing)
{
    ht_t *ht = mkset(777);
    while (ht_rehash_step(ht, 100))
        ;
    iterate_once_each(ht, 777);
    ht_free(ht);
    ht = mkset(1025);
    cr_assert(ht_is_rehashing(ht));
    iterate_once_each(ht, 1025);
    ht_free(ht);
}

/* SINTER s s / deleting while iterating: allowed with rehashing paused. */
Test(ht, iterator_with_pause_allows_find_and_delete)
{
    ht_t *ht = mkset(1025);
    cr_assert(ht_is_rehashing(ht));
    ht_pause_rehash(ht);
    ht_iter_t it;
    ht_node_t *e;
    unsigned visited = 0;
    ht_iter_init(&it, ht);
    while ((e = ht_iter_next(&it))) {
        size_t len;
        const char *k = ht_key(e, &len);
        cr_assert_eq(ht_find(ht, k, len), e);
        unsigned id = test_key_id(k, len);
        if (id % 2)
            ht_unlink_node(ht, e), ht_node_free(e);
        visited++;
    }
    ht_resume_rehash(ht);
    cr_assert_eq(visited, 1025);
    cr_assert_eq(ht_len(ht), 513);
    for (unsigned i = 0; i < 1025; i++)
        cr_assert_eq(find_id(ht, i) != NULL, i % 2 == 0);
    check(ht);
    ht_free(ht);
}

/* SMOVE: a node moves between tables without being copied. */
Test(ht, unlink_and_link_between_tables)
{
    ht_t *a = mkset(100), *b = ht_new(false, 1234);
    size_t amem = ht_mem(a);
    char k[32];
    size_t kl = test_key(k, 50);
    ht_node_t *n = ht_unlink(a, k, kl);
    cr_assert_not_null(n);
    cr_assert_null(ht_unlink(a, k, kl));
    cr_assert_eq(ht_mem(a), amem - ht_node_mem(n));
    cr_assert_eq(ht_link(b, n), 0);
    cr_assert_eq(ht_find(b, k, kl), n);
    cr_assert_null(ht_find(a, k, kl));
    cr_assert_eq(ht_len(a), 99);
    cr_assert_eq(ht_len(b), 1);
    check(a);
    check(b);
    ht_free(a);
    ht_free(b);
}

/* ---- allocation failure ---- */

Test(ht, enomem_table_unchanged)
{
    fail_in = 0;
    cr_assert_null(ht_new(true, 1));

    ht_t *ht = ht_new(true, 1);
    fail_in = 0;                        /* the node */
    cr_assert_null(ht_add(ht, "a", 1, "b", 1));
    fail_in = 1;                        /* the first bucket array */
    cr_assert_null(ht_add(ht, "a", 1, "b", 1));
    fail_in = -1;
    cr_assert_eq(ht_len(ht), 0);
    cr_assert_eq(ht_mem(ht), sizeof(ht_t));
    check(ht);

    /* A failed growth is tolerated: the add succeeds, growth comes later. */
    for (unsigned i = 0; i < 4; i++)
        add_id(ht, i, "v", 1);
    cr_assert_not(ht_is_rehashing(ht));
    fail_in = 1;                        /* node ok, new bucket array fails */
    cr_assert_not_null(add_id(ht, 4, "v", 1));
    fail_in = -1;
    cr_assert_not(ht_is_rehashing(ht));
    cr_assert_eq(ht->size[0], 4);
    cr_assert_not_null(add_id(ht, 5, "v", 1));
    cr_assert(ht_is_rehashing(ht), "grows on the next add");
    check(ht);

    /* set_val growth fails: node unchanged and still linked. */
    ht_node_t *n = find_id(ht, 2);
    char big[300];
    memset(big, 'q', sizeof big);
    size_t mem = ht_mem(ht);
    fail_in = 0;
    cr_assert_null(ht_set_val(ht, n, big, sizeof big));
    fail_in = -1;
    size_t vl;
    cr_assert(ht_val(n, &vl)[0] == 'v' && vl == 1);
    cr_assert_eq(ht_mem(ht), mem);
    cr_assert_eq(find_id(ht, 2), n);
    /* A failed shrink still succeeds, in place. */
    n = ht_set_val(ht, n, big, sizeof big);
    fail_in = 0;
    ht_node_t *r = ht_set_val(ht, n, "s", 1);
    fail_in = -1;
    cr_assert_eq(r, n);
    cr_assert(ht_val(n, &vl)[0] == 's' && vl == 1);
    check(ht);

    /* ht_link into a table without buckets. */
    ht_t *other = ht_new(true, 2);
    n = ht_unlink(ht, "k:5", 3);
    fail_in = 0;
    cr_assert_eq(ht_link(other, n), -ENOMEM);
    fail_in = -1;
    cr_assert_eq(ht_len(other), 0);
    cr_assert_eq(ht_link(other, n), 0);
    check(other);
    ht_free(other);
    ht_free(ht);
}

/* ---- model-based random test ---- */

#define UNIVERSE 700
#define VMAX 400

struct model {
    bool present[UNIVERSE];
    unsigned short vlen[UNIVERSE];
    char val[UNIVERSE][VMAX];
    size_t n;
};

static void model_compare(ht_t *ht, const struct model *m, uint64_t seed, int step)
{
    cr_assert_eq(ht_len(ht), m->n, "seed %" PRIu64 " step %d: len %zu, model %zu",
                 seed, step, ht_len(ht), m->n);
    ht_iter_t it;
    ht_node_t *e;
    size_t total = 0;
    ht_iter_init(&it, ht);
    while ((e = ht_iter_next(&it))) {
        size_t kl, vl;
        const char *k = ht_key(e, &kl);
        unsigned id = test_key_id(k, kl);
        cr_assert(id < UNIVERSE && m->present[id], "seed %" PRIu64 " step %d: stray id %u",
                  seed, step, id);
        char want[256];
        cr_assert(kl == test_key(want, id) && memcmp(k, want, kl) == 0, "seed %" PRIu64, seed);
        if (ht_is_map(ht)) {
            const char *v = ht_val(e, &vl);
            cr_assert(vl == m->vlen[id] && memcmp(v, m->val[id], vl) == 0,
                      "seed %" PRIu64 " step %d: value of %u", seed, step, id);
        }
        total++;
    }
    cr_assert_eq(total, m->n, "seed %" PRIu64 " step %d", seed, step);
}

static size_t rand_val(uint64_t *st, char *v)
{
    uint64_t r = hash_rand_next(st);
    size_t len = r % 8 == 0 ? 65 + (r >> 8) % (VMAX - 65) : (r >> 8) % 30;
    for (size_t i = 0; i < len; i++)
        v[i] = (char)(r >> (i % 7 * 8)) ^ (char)i;
    return len;
}

static void model_drop(struct model *m, unsigned id)
{
    m->present[id] = false;
    m->n--;
}

static void model_run(bool map, uint64_t seed)
{
    static struct model m;
    memset(&m, 0, sizeof m);
    ht_t *ht = ht_new(map, seed);
    uint64_t st = seed * 0x9e3779b97f4a7c15ull + 1;
    bool paused = false;
    size_t maxlen = 0, ups = 0, downs = 0, mid = 0;  /* statistics (HT_VERBOSE) */

    for (int step = 0; step < 12000; step++) {
        /* Phases of 2000 steps: add-heavy, then delete-heavy. */
        bool grow = (step / 2000) % 2 == 0;
        uint64_t r = hash_rand_next(&st);
        unsigned id = (unsigned)((r >> 32) % UNIVERSE);
        unsigned op = (unsigned)(r % 100);
        long idx0 = ht->rehashidx;
        bool reh0 = ht_is_rehashing(ht), paused0 = paused;
        char v[VMAX];

        if (grow && op >= 82 && op < 87 && (r >> 50) % 4)
            op = 65;    /* growing: most pops become finds */
        if (op < (grow ? 55u : 15u)) {                      /* add */
            if (!m.present[id]) {
                size_t vl = rand_val(&st, v);
                cr_assert_not_null(add_id(ht, id, v, vl), "seed %" PRIu64, seed);
                m.present[id] = true;
                m.n++;
                m.vlen[id] = (unsigned short)(map ? vl : 0);
                memcpy(m.val[id], v, vl);
            }
        } else if (op < 60) {                               /* delete */
            cr_assert_eq(del_id(ht, id), m.present[id], "seed %" PRIu64 " step %d: delete %u",
                         seed, step, id);
            if (m.present[id])
                model_drop(&m, id);
        } else if (op < 70) {                               /* find */
            ht_node_t *e = find_id(ht, id);
            cr_assert_eq(e != NULL, m.present[id], "seed %" PRIu64 " step %d: find %u",
                         seed, step, id);
        } else if (op < 78 && map) {                        /* set_val */
            ht_node_t *e = find_id(ht, id);
            if (e) {
                size_t vl = rand_val(&st, v);
                cr_assert_not_null(ht_set_val(ht, e, v, vl));
                m.vlen[id] = (unsigned short)vl;
                memcpy(m.val[id], v, vl);
            }
        } else if (op < 82) {                               /* unlink + link back */
            char k[256];
            size_t kl = test_key(k, id);
            ht_node_t *e = ht_unlink(ht, k, kl);
            cr_assert_eq(e != NULL, m.present[id], "seed %" PRIu64, seed);
            if (e && (r >> 20) % 2)
                cr_assert_eq(ht_link(ht, e), 0);
            else if (e)
                ht_node_free(e), model_drop(&m, id);
        } else if (op < 85) {                               /* SPOP count */
            ht_node_t *out[20];
            size_t got = ht_sample(ht, out, 1 + (r >> 40) % 20);
            for (size_t i = 0; i < got; i++) {
                size_t kl;
                const char *k = ht_key(out[i], &kl);
                unsigned pid = test_key_id(k, kl);
                cr_assert(m.present[pid], "seed %" PRIu64 ": sampled absent %u", seed, pid);
                ht_unlink_node(ht, out[i]);
                ht_node_free(out[i]);
                model_drop(&m, pid);
            }
        } else if (op < 87) {                               /* SPOP */
            ht_node_t *e = ht_pop_random(ht);
            cr_assert_eq(e != NULL, m.n > 0);
            if (e) {
                size_t kl;
                const char *k = ht_key(e, &kl);
                unsigned pid = test_key_id(k, kl);
                cr_assert(m.present[pid]);
                model_drop(&m, pid);
                ht_node_free(e);
            }
        } else if (op < 90) {                               /* random */
            ht_node_t *e = (r >> 20) % 2 ? ht_random(ht) : ht_random_fair(ht);
            cr_assert_eq(e != NULL, m.n > 0);
            if (e) {
                size_t kl;
                const char *k = ht_key(e, &kl);
                cr_assert(m.present[test_key_id(k, kl)]);
            }
        } else if (op < 95) {
            ht_rehash_step(ht, 1 + (r >> 20) % 40);
        } else if (op < 97) {
            if (paused)
                ht_resume_rehash(ht);
            else
                ht_pause_rehash(ht);
            paused = !paused;
        } else {
            model_compare(ht, &m, seed, step);
        }
        if (paused0 && reh0)
            cr_assert(ht_is_rehashing(ht) && ht->rehashidx == idx0,
                      "seed %" PRIu64 " step %d: moved while paused", seed, step);
        check(ht);
        if (step % 16 == 0)
            model_compare(ht, &m, seed, step);
        if (ht_is_rehashing(ht) && !reh0)
            ht->size[1] > ht->size[0] ? ups++ : downs++;
        mid += ht_is_rehashing(ht);
        maxlen = m.n > maxlen ? m.n : maxlen;
    }
    model_compare(ht, &m, seed, -1);
    if (getenv("HT_VERBOSE"))
        fprintf(stderr, "model %s seed %" PRIu64 ": max %zu elements, %zu grows, %zu shrinks, "
                "%zu of 12000 steps mid-rehash\n", map ? "map" : "set", seed, maxlen, ups, downs, mid);
    ht_free(ht);
}

Test(ht, model_random_set)
{
    const char *env = getenv("HT_SEED");
    uint64_t first = env ? strtoull(env, NULL, 0) : 1, last = env ? first : 8;
    for (uint64_t seed = first; seed <= last; seed++)
        model_run(false, seed);
}

Test(ht, model_random_map)
{
    const char *env = getenv("HT_SEED");
    uint64_t first = env ? strtoull(env, NULL, 0) : 101, last = env ? first : 108;
    for (uint64_t seed = first; seed <= last; seed++)
        model_run(true, seed);
}

/* ---- memory per element ---- */

/* Redis 7.0.15 (Debian's redis-server, jemalloc 5.3), measured: growth
 * of INFO used_memory per element when a script SADDs member:000000 ..
 * member:999999, or HSETs field:NNNNNN value:NNNNNN, into one key (both
 * "hashtable", 2^20 buckets). */
#define REDIS_SET_PER_ELEM 56.46
#define REDIS_MAP_PER_ELEM 72.41

static void measure(bool map)
{
    const size_t n = 1000000;
    ht_t *ht = ht_new(map, 77);
    char k[32], v[32];
    for (size_t i = 0; i < n; i++) {
        size_t kl = (size_t)snprintf(k, sizeof k, map ? "field:%06zu" : "member:%06zu", i);
        size_t vl = (size_t)snprintf(v, sizeof v, "value:%06zu", i);
        cr_assert_not_null(ht_add(ht, k, kl, v, vl));
    }
    while (ht_rehash_step(ht, 1000))
        ;
    /* glibc chunks: usable + 8 bytes of header. */
    double held = (double)ht_mem(ht) / (double)n;
    double real = (double)(ht_mem(ht) + 8 * n) / (double)n;
    double redis = map ? REDIS_MAP_PER_ELEM : REDIS_SET_PER_ELEM;
    fprintf(stderr, "[mem] %s: ht_mem/n %.1f B, with malloc headers %.1f B, Redis ~%.1f B: %.2fx\n",
            map ? "map" : "set", held, real, redis, real / redis);
    cr_assert_leq(real / redis, 0.8, "%.1f bytes per element vs Redis %.1f", real, redis);
    ht_free(ht);
}

Test(ht, memory_per_element_set)
{
    if (!glibc_malloc())
        cr_skip_test("needs glibc's allocator (not under ASan/valgrind)");
    measure(false);
}

Test(ht, memory_per_element_map)
{
    if (!glibc_malloc())
        cr_skip_test("needs glibc's allocator (not under ASan/valgrind)");
    measure(true);
}
