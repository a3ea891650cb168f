/*
 * test_intset.c - intset: byte images identical to Redis 7.0's (DUMP
 * payloads captured from redis-server 7.0.15), encoding upgrades at every
 * boundary, removal, lookups, random, validation of hostile blobs,
 * allocation failure, and a seeded model-based random test.
 *
 * Allocation failures are injected through the linker (alloc_fail.h).
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/hash.h"
#include "store/enc/intset.h"

/* ---- allocation failure injection ---- */

#include "alloc_fail.h"

/* ---- helpers ---- */

static intset_t *add(intset_t *is, int64_t v, bool want_added)
{
    bool added;
    intset_t *r = intset_add(is, v, &added);
    cr_assert_not_null(r, "add %" PRId64, v);
    cr_assert_eq(added, want_added, "add %" PRId64 ": added %d", v, added);
    return r;
}

static intset_t *from(const int64_t *v, size_t n)
{
    intset_t *is = intset_new();
    cr_assert_not_null(is);
    for (size_t i = 0; i < n; i++)
        is = intset_add(is, v[i], NULL);
    return is;
}

static void expect_elems(const intset_t *is, const int64_t *want, size_t n)
{
    cr_assert_eq(intset_len(is), n);
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        cr_assert(intset_get(is, i, &v));
        cr_assert_eq(v, want[i], "[%zu] = %" PRId64 ", want %" PRId64, i, v, want[i]);
    }
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* ---- Redis byte images ---- */

/* DUMP payloads from redis-server 7.0.15 (rdbcompression no): type 11
 * (RDB_TYPE_SET_INTSET), a 6-bit RDB string length, the intset bytes,
 * then RDB version 10 and a CRC64 we ignore. */
struct redis_case {
    const char *name;
    int64_t added[4];       /* SADD order */
    size_t nadded;
    bool srem;              /* then SREM removed */
    int64_t removed;
    const char *hex;
};

static const struct redis_case redis_cases[] = {
    {"SADD s 1 2 3", {1, 2, 3}, 3, false, 0,
     "0b0e02000000030000000100020003000a00a5025ce26d6e4d1b"},
    {"SADD s -5 32767 -32768 0", {-5, 32767, -32768, 0}, 4, false, 0,
     "0b1002000000040000000080fbff0000ff7f0a0056538c7bd6469367"},
    {"SADD s 1 32768 -7", {1, 32768, -7}, 3, false, 0,
     "0b140400000003000000f9ffffff01000000008000000a00b0b642e5384dc027"},
    {"SADD s -32769 100 2147483647 -2147483648",
     {-32769, 100, 2147483647, -2147483647 - 1}, 4, false, 0,
     "0b18040000000400000000000080ff7fffff64000000ffffff7f0a0033e6f6853a52062d"},
    {"SADD s -1 2147483648 5", {-1, 2147483648, 5}, 3, false, 0,
     "0b200800000003000000ffffffffffffffff050000000000000000000080000000000a00"
     "a0f4bb5f791675a7"},
    {"SADD s INT64_MIN INT64_MAX 0", {INT64_MIN, INT64_MAX, 0}, 3, false, 0,
     "0b20080000000300000000000000000000800000000000000000ffffffffffffff7f0a00"
     "7c7ba2a92a242c4f"},
    {"SADD s 1 70000 -3; SREM s 70000", {1, 70000, -3}, 3, true, 70000,
     "0b100400000002000000fdffffff010000000a00daf152ac0ac144d2"},
};

static size_t unhex(const char *hex, unsigned char *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    return n;
}

Test(intset, redis_byte_images)
{
    for (size_t c = 0; c < sizeof redis_cases / sizeof *redis_cases; c++) {
        const struct redis_case *rc = &redis_cases[c];
        unsigned char dump[128];
        unhex(rc->hex, dump);
        cr_assert_eq(dump[0], 11, "%s: not RDB_TYPE_SET_INTSET", rc->name);
        size_t blen = dump[1];      /* 6-bit length encoding: < 64 */
        const unsigned char *blob = dump + 2;

        intset_t *is = from(rc->added, rc->nadded);
        if (rc->srem)
            is = intset_remove(is, rc->removed, NULL);
        cr_assert_eq(intset_blob_len(is), blen, "%s: %zu bytes, Redis %zu",
                     rc->name, intset_blob_len(is), blen);
        cr_assert(memcmp(intset_blob(is), blob, blen) == 0, "%s: bytes differ", rc->name);
        cr_assert(intset_validate(blob, blen, true), "%s", rc->name);

        intset_t *copy = intset_from_blob(blob, blen);
        cr_assert_not_null(copy);
        cr_assert_eq(intset_len(copy), intset_len(is));
        for (size_t i = 0; i < rc->nadded; i++)
            cr_assert_eq(intset_find(copy, rc->added[i]), !rc->srem || rc->added[i] != rc->removed);
        intset_free(copy);
        intset_free(is);
    }
}

/* ---- basics ---- */

Test(intset, empty)
{
    intset_t *is = intset_new();
    const unsigned char want[8] = {2, 0, 0, 0, 0, 0, 0, 0};
    int64_t v = 42;
    uint64_t rng = 1;

    cr_assert_eq(intset_len(is), 0);
    cr_assert_eq(intset_blob_len(is), 8);
    cr_assert(memcmp(intset_blob(is), want, 8) == 0);
    cr_assert_eq(intset_encoding(is), 2);
    cr_assert_not(intset_find(is, 0));
    cr_assert_not(intset_get(is, 0, &v));
    cr_assert_eq(v, 42, "get out of range must not write");
    cr_assert_eq(intset_min(is), 0);
    cr_assert_eq(intset_max(is), 0);
    cr_assert_eq(intset_random(is, &rng), 0);
    bool removed = true;
    is = intset_remove(is, 5, &removed);
    cr_assert_not(removed);
    /* Redis never stores an empty intset, so validation refuses one. */
    cr_assert_not(intset_validate(intset_blob(is), 8, true));
    cr_assert_null(intset_from_blob(intset_blob(is), 8));
    intset_free(is);
    intset_free(NULL);
}

Test(intset, sorted_dedup_and_get)
{
    intset_t *is = intset_new();
    const int64_t in[] = {5, -3, 9, 0, 5, -3, 7, 100, -100};
    const bool fresh[] = {1, 1, 1, 1, 0, 0, 1, 1, 1};
    for (size_t i = 0; i < 9; i++)
        is = add(is, in[i], fresh[i]);
    const int64_t want[] = {-100, -3, 0, 5, 7, 9, 100};
    expect_elems(is, want, 7);
    cr_assert_eq(intset_min(is), -100);
    cr_assert_eq(intset_max(is), 100);
    cr_assert_eq(intset_blob_len(is), 8 + 7 * 2);
    int64_t v = 1;
    cr_assert_not(intset_get(is, 7, &v));
    cr_assert_not(intset_get(is, SIZE_MAX, &v));
    for (int64_t x = -101; x <= 101; x++) {
        bool in_set = false;
        for (size_t i = 0; i < 7; i++)
            in_set |= want[i] == x;
        cr_assert_eq(intset_find(is, x), in_set, "find %" PRId64, x);
    }
    /* Values wider than the encoding cannot be present. */
    cr_assert_not(intset_find(is, INT64_MAX));
    cr_assert_not(intset_find(is, INT32_MIN));
    cr_assert(intset_validate(intset_blob(is), intset_blob_len(is), true));
    intset_free(is);
}

/* Each boundary value: the encoding it needs, whether it goes first or
 * last when it forces an upgrade, and that old elements survive. */
Test(intset, upgrade_boundaries)
{
    const struct { int64_t v; unsigned enc; } b[] = {
        {INT16_MAX, 2}, {INT16_MIN, 2}, {(int64_t)INT16_MAX + 1, 4},
        {(int64_t)INT16_MIN - 1, 4}, {INT32_MAX, 4}, {INT32_MIN, 4},
        {(int64_t)INT32_MAX + 1, 8}, {(int64_t)INT32_MIN - 1, 8},
        {INT64_MAX, 8}, {INT64_MIN, 8},
    };
    for (size_t i = 0; i < sizeof b / sizeof *b; i++) {
        intset_t *is = intset_new();
        is = add(is, -1, true);
        is = add(is, 1, true);
        is = add(is, b[i].v, true);
        cr_assert_eq(intset_encoding(is), b[i].enc, "%" PRId64, b[i].v);
        cr_assert_eq(intset_blob_len(is), 8 + 3 * b[i].enc);
        /* A negative upgrade goes first, a positive one last. */
        int64_t want[3] = {-1, 1, b[i].v};
        if (b[i].v < 0) {
            want[0] = b[i].v;
            want[1] = -1;
            want[2] = 1;
        }
        expect_elems(is, want, 3);
        cr_assert(intset_find(is, b[i].v) && intset_find(is, -1) && intset_find(is, 1));
        cr_assert(intset_validate(intset_blob(is), intset_blob_len(is), true));
        intset_free(is);
    }
}

Test(intset, upgrade_preserves_all_and_never_downgrades)
{
    intset_t *is = intset_new();
    for (int64_t v = -300; v <= 300; v += 3)
        is = add(is, v, true);
    is = add(is, INT64_MIN, true);      /* 2 -> 8 directly */
    cr_assert_eq(intset_encoding(is), 8);
    is = add(is, INT64_MAX, true);
    cr_assert_eq(intset_len(is), 203);
    int64_t prev = INT64_MIN, v;
    cr_assert(intset_get(is, 0, &v) && v == INT64_MIN);
    for (size_t i = 1; i < 203; i++) {
        cr_assert(intset_get(is, i, &v));
        cr_assert_gt(v, prev);
        prev = v;
    }
    cr_assert_eq(intset_max(is), INT64_MAX);
    bool removed;
    is = intset_remove(is, INT64_MIN, &removed);
    cr_assert(removed);
    is = intset_remove(is, INT64_MAX, &removed);
    cr_assert(removed);
    cr_assert_eq(intset_encoding(is), 8, "removal never downgrades");
    cr_assert_eq(intset_blob_len(is), 8 + 201 * 8);
    cr_assert_eq(intset_min(is), -300);
    intset_free(is);
}

Test(intset, remove_to_empty)
{
    const int64_t v[] = {70000, -1, 3, 2};
    intset_t *is = from(v, 4);
    cr_assert_eq(intset_encoding(is), 4);
    bool removed;
    is = intset_remove(is, 1LL << 40, &removed);    /* wider than encoding */
    cr_assert_not(removed);
    is = intset_remove(is, 4, &removed);
    cr_assert_not(removed);
    cr_assert_eq(intset_len(is), 4);
    const int64_t order[] = {3, 70000, -1, 2};
    for (size_t i = 0; i < 4; i++) {
        is = intset_remove(is, order[i], &removed);
        cr_assert(removed);
        cr_assert_not(intset_find(is, order[i]));
        cr_assert_eq(intset_len(is), 3 - i);
        cr_assert_eq(intset_blob_len(is), 8 + (3 - i) * 4);
    }
    is = intset_remove(is, 2, &removed);
    cr_assert_not(removed);
    cr_assert_eq(intset_encoding(is), 4);
    is = intset_remove(is, 2, NULL);
    is = add(is, 9, true);          /* still usable */
    const int64_t want[] = {9};
    expect_elems(is, want, 1);
    intset_free(is);
}

/* Removing gives memory back (the allocation is resized to the blob). */
Test(intset, remove_shrinks_allocation)
{
    intset_t *is = intset_new();
    for (int64_t v = 0; v < 1000; v++)
        is = intset_add(is, v, NULL);
    cr_assert_geq(malloc_usable_size(is), 8 + 2000);
    for (int64_t v = 10; v < 1000; v++)
        is = intset_remove(is, v, NULL);
    cr_assert_lt(malloc_usable_size(is), 100, "usable %zu", malloc_usable_size(is));
    cr_assert_eq(intset_blob_len(is), 8 + 20);
    intset_free(is);
}

Test(intset, random_uniform)
{
    const int64_t v[] = {-40000, -2, 0, 1, 2, 3, 99, 1000, 40000, 1LL << 33};
    intset_t *is = from(v, 10);
    uint64_t rng = 12345;
    size_t hits[10] = {0};
    const int draws = 20000;
    for (int d = 0; d < draws; d++) {
        int64_t r = intset_random(is, &rng);
        size_t i = 0;
        while (i < 10 && v[i] != r)
            i++;
        cr_assert_lt(i, 10, "random returned a non-member %" PRId64, r);
        hits[i]++;
    }
    for (size_t i = 0; i < 10; i++)      /* expected 2000, sd ~42 */
        cr_assert(hits[i] > 1700 && hits[i] < 2300, "element %zu drawn %zu times", i, hits[i]);
    intset_free(is);
}

Test(intset, random_deterministic)
{
    const int64_t v[] = {1, 2, 3, 4, 5, 6, 7};
    intset_t *is = from(v, 7);
    uint64_t a = 99, b = 99;
    for (int i = 0; i < 100; i++)
        cr_assert_eq(intset_random(is, &a), intset_random(is, &b));
    cr_assert_eq(a, b);
    cr_assert_neq(a, 99, "the state advances");
    intset_free(is);
}

/* ---- validation ---- */

static size_t mkblob(unsigned char *buf, uint32_t enc, uint32_t n, const int64_t *v)
{
    put32(buf, enc);
    put32(buf + 4, n);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t b = 0; b < enc; b++)
            buf[8 + i * enc + b] = (unsigned char)((uint64_t)v[i] >> (8 * b));
    return 8 + (size_t)n * enc;
}

Test(intset, validate_accepts_good_any_alignment)
{
    const int64_t v[] = {-5, 0, 7};
    unsigned char raw[64 + 1];
    for (uint32_t enc = 2; enc <= 8; enc *= 2) {
        for (size_t off = 0; off < 2; off++) {
            size_t n = mkblob(raw + off, enc, 3, v);
            cr_assert(intset_validate(raw + off, n, true), "enc %u off %zu", enc, off);
            cr_assert(intset_validate(raw + off, n, false));
            intset_t *is = intset_from_blob(raw + off, n);
            cr_assert_not_null(is);
            expect_elems(is, v, 3);
            intset_free(is);
        }
    }
}

Test(intset, validate_rejects_hostile)
{
    const int64_t v[] = {-5, 0, 7};
    unsigned char b[64];
    size_t n = mkblob(b, 4, 3, v);

    for (size_t sz = 0; sz < 8; sz++)        /* no room for the header */
        cr_assert_not(intset_validate(b, sz, false), "size %zu", sz);
    for (size_t sz = 8; sz < n; sz++)        /* truncated */
        cr_assert_not(intset_validate(b, sz, false), "size %zu", sz);
    cr_assert_not(intset_validate(b, n + 1, false), "trailing byte");
    cr_assert_not(intset_validate(b, n + 4, false), "one element too many");
    cr_assert_not(intset_validate(NULL, 0, true));

    const uint32_t bad_enc[] = {0, 1, 3, 5, 6, 7, 16, 0x200, 0x02000000, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_enc / sizeof *bad_enc; i++) {
        unsigned char c[64];
        memcpy(c, b, n);
        put32(c, bad_enc[i]);
        cr_assert_not(intset_validate(c, n, false), "encoding %u", bad_enc[i]);
    }
    /* A length whose byte count overflows 32 bits must not wrap to a
     * match: 0x20000001 * 8 + 8 == 16 (mod 2^32). */
    unsigned char c[64];
    mkblob(c, 8, 1, v);
    put32(c + 4, 0x20000001u);
    cr_assert_not(intset_validate(c, 16, false));
    cr_assert_not(intset_validate(c, 16, true));
    put32(c, 4);
    put32(c + 4, 0x40000001u);          /* 4 * n + 8 == 12 (mod 2^32) */
    cr_assert_not(intset_validate(c, 12, false));
    put32(c + 4, UINT32_MAX);
    cr_assert_not(intset_validate(c, 16, false));

    const int64_t unsorted[] = {0, -5, 7}, dup[] = {-5, 7, 7}, desc[] = {7, 0, -5};
    const int64_t *bad[] = {unsorted, dup, desc};
    for (size_t i = 0; i < 3; i++) {
        size_t m = mkblob(c, 2, 3, bad[i]);
        cr_assert_not(intset_validate(c, m, true), "case %zu", i);
        cr_assert(intset_validate(c, m, false), "shallow ignores order");
        cr_assert_null(intset_from_blob(c, m));
    }
    /* 16-bit 0x8000 is -32768, not 32768: sorts before 1. */
    unsigned char s[12] = {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0x80};
    cr_assert_not(intset_validate(s, 12, true));
    s[8] = 0; s[9] = 0x80; s[10] = 1; s[11] = 0;
    cr_assert(intset_validate(s, 12, true));
}

/* Random bytes must never be accepted unless they really are a valid
 * intset, and validation must not read out of bounds (ASan). */
Test(intset, validate_fuzz)
{
    uint64_t st = 7;
    for (int iter = 0; iter < 20000; iter++) {
        size_t sz = (size_t)(hash_rand_next(&st) % 40);
        unsigned char *b = malloc(sz ? sz : 1);
        for (size_t i = 0; i < sz; i++)
            b[i] = (unsigned char)hash_rand_next(&st);
        if (sz >= 8 && (iter & 1)) {        /* often a plausible header */
            uint32_t enc = 2u << (hash_rand_next(&st) % 3);
            put32(b, enc);
            put32(b + 4, (uint32_t)((sz - 8) / enc));
        }
        bool ok = intset_validate(b, sz, true);
        if (ok) {
            intset_t *is = intset_from_blob(b, sz);
            cr_assert_not_null(is);
            int64_t prev = 0, x;
            for (size_t i = 0; i < intset_len(is); i++) {
                cr_assert(intset_get(is, i, &x));
                cr_assert(i == 0 || x > prev);
                cr_assert(intset_find(is, x));
                prev = x;
            }
            cr_assert_eq(intset_blob_len(is), sz);
            intset_free(is);
        }
        free(b);
    }
}

/* ---- allocation failure ---- */

Test(intset, enomem_leaves_set_untouched)
{
    fail_in = 0;
    cr_assert_null(intset_new());

    const int64_t v[] = {1, 2, 3};
    intset_t *is = from(v, 3);
    const int64_t wide[] = {4, 40000, 1LL << 40, -(1LL << 40)};
    for (size_t i = 0; i < 4; i++) {
        size_t len = intset_blob_len(is);
        unsigned char before[64];
        memcpy(before, intset_blob(is), len);
        fail_in = 0;
        bool added = true;
        cr_assert_null(intset_add(is, wide[i], &added));
        cr_assert_not(added);
        cr_assert_eq(intset_blob_len(is), len);
        cr_assert(memcmp(before, intset_blob(is), len) == 0);
        is = add(is, wide[i], true);   /* and it works afterwards */
    }
    /* A duplicate needs no allocation. */
    fail_in = 0;
    cr_assert_not_null(is = intset_add(is, 2, NULL));
    /* A failed shrink still removes. */
    fail_in = 0;
    bool removed;
    is = intset_remove(is, 2, &removed);
    fail_in = -1;
    cr_assert(removed);
    cr_assert_not(intset_find(is, 2));
    cr_assert_eq(intset_len(is), 6);

    unsigned char b[16];
    size_t n = mkblob(b, 2, 2, v);
    fail_in = 0;
    cr_assert_null(intset_from_blob(b, n));
    fail_in = -1;
    intset_free(is);
}

/* ---- model-based random test ---- */

/* The model: a sorted, duplicate-free array, and the widest encoding
 * ever needed (removals never narrow it). */
struct model {
    int64_t v[600];
    size_t n;
    unsigned enc;
};

static unsigned need_enc(int64_t v)
{
    return v >= INT16_MIN && v <= INT16_MAX ? 2 : v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
}

static bool model_has(const struct model *m, int64_t x, size_t *pos)
{
    size_t i = 0;
    while (i < m->n && m->v[i] < x)
        i++;
    *pos = i;
    return i < m->n && m->v[i] == x;
}

static int64_t rand_value(uint64_t *st)
{
    uint64_t r = hash_rand_next(st);
    switch (r % 8) {
    case 0: return (int64_t)(r >> 8) % 50;                 /* dense, collide */
    case 1: return INT16_MAX - 2 + (int64_t)(r >> 8) % 5;   /* 16/32 edge */
    case 2: return INT16_MIN - 2 + (int64_t)(r >> 8) % 5;
    case 3: return (int64_t)INT32_MAX - 2 + (int64_t)(r >> 8) % 5;
    case 4: return (int64_t)INT32_MIN - 2 + (int64_t)(r >> 8) % 5;
    case 5: return (int64_t)(r >> 16) * (r & 1 ? 1 : -1);
    case 6: return (r & 256) ? INT64_MAX - (int64_t)(r >> 9) % 3 : INT64_MIN + (int64_t)(r >> 9) % 3;
    default: return (int16_t)(r >> 8);
    }
}

static void model_check(const intset_t *is, const struct model *m, uint64_t seed, int step)
{
    cr_assert_eq(intset_len(is), m->n, "seed %" PRIu64 " step %d: len", seed, step);
    cr_assert_eq(intset_encoding(is), m->enc, "seed %" PRIu64 " step %d: enc", seed, step);
    cr_assert_eq(intset_blob_len(is), 8 + m->n * m->enc, "seed %" PRIu64 " step %d", seed, step);
    for (size_t i = 0; i < m->n; i++) {
        int64_t x;
        cr_assert(intset_get(is, i, &x));
        cr_assert_eq(x, m->v[i], "seed %" PRIu64 " step %d: [%zu]", seed, step, i);
    }
    if (m->n) {
        cr_assert_eq(intset_min(is), m->v[0], "seed %" PRIu64, seed);
        cr_assert_eq(intset_max(is), m->v[m->n - 1], "seed %" PRIu64, seed);
        cr_assert(intset_validate(intset_blob(is), intset_blob_len(is), true),
                  "seed %" PRIu64 " step %d", seed, step);
    }
}

static void model_run(uint64_t seed)
{
    struct model m = {.n = 0, .enc = 2};
    intset_t *is = intset_new();
    uint64_t st = seed, rng = seed;

    for (int step = 0; step < 4000; step++) {
        int64_t x = rand_value(&st);
        size_t pos;
        bool has = model_has(&m, x, &pos);
        uint64_t op = hash_rand_next(&st) % 10;
        if (op < 5 && m.n < 600) {
            bool added;
            is = intset_add(is, x, &added);
            cr_assert_not_null(is);
            cr_assert_eq(added, !has, "seed %" PRIu64 " step %d: add", seed, step);
            if (!has) {
                memmove(m.v + pos + 1, m.v + pos, (m.n - pos) * sizeof *m.v);
                m.v[pos] = x;
                m.n++;
                if (need_enc(x) > m.enc)
                    m.enc = need_enc(x);
            }
        } else if (op < 8 && m.n) {
            if (op == 7)    /* remove a present element */
                x = m.v[hash_rand_next(&st) % m.n], has = model_has(&m, x, &pos);
            bool removed;
            is = intset_remove(is, x, &removed);
            cr_assert_eq(removed, has, "seed %" PRIu64 " step %d: remove", seed, step);
            if (has) {
                memmove(m.v + pos, m.v + pos + 1, (m.n - pos - 1) * sizeof *m.v);
                m.n--;
            }
        } else {
            cr_assert_eq(intset_find(is, x), has, "seed %" PRIu64 " step %d: find", seed, step);
            if (m.n) {
                int64_t r = intset_random(is, &rng);
                cr_assert(model_has(&m, r, &pos), "seed %" PRIu64 ": random", seed);
            }
        }
        model_check(is, &m, seed, step);
    }
    intset_free(is);
}

Test(intset, model_random)
{
    const char *env = getenv("INTSET_SEED");
    if (env) {
        model_run(strtoull(env, NULL, 0));
        return;
    }
    for (uint64_t seed = 1; seed <= 12; seed++)
        model_run(seed);
}
