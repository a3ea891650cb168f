/*
 * test_lp.c - listpack: bytes identical to redis-server 7.0's, every
 * encoding boundary, navigation, editing, validation of hostile bytes,
 * and a seeded model-based random test (LP_SEED=n to replay a seed).
 *
 * Build: link lp.c num.c with -lcriterion and
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (failure injection).
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/enc/lp.h"

#include "alloc_fail.h"

/* ---- oracle bytes: DUMP payloads of redis-server 7.0.15 (lists and a
 * hash), listpack extracted from the RDB string, rdbcompression off ---- */

/* RPUSH l 0 1 127 128 -1 -4096 4095 4096 -4097 32767 -32768 32768 -32769
 * 8388607 -8388608 8388608 -8388609 2^31-1 -2^31 2^31 -2^31-1 INT64_MAX
 * INT64_MIN */
static const long long ora_int_vals[] = {
    0, 1, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768, -32769,
    8388607, -8388608, 8388608, -8388609, 2147483647, -2147483647 - 1, 2147483648LL,
    -2147483649LL, LLONG_MAX, LLONG_MIN,
};
static const unsigned char ora_ints[] = {
    0x7d, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x01, 0x01, 0x01, 0x7f, 0x01,
    0xc0, 0x80, 0x02, 0xdf, 0xff, 0x02, 0xd0, 0x00, 0x02, 0xcf, 0xff, 0x02,
    0xf1, 0x00, 0x10, 0x03, 0xf1, 0xff, 0xef, 0x03, 0xf1, 0xff, 0x7f, 0x03,
    0xf1, 0x00, 0x80, 0x03, 0xf2, 0x00, 0x80, 0x00, 0x04, 0xf2, 0xff, 0x7f,
    0xff, 0x04, 0xf2, 0xff, 0xff, 0x7f, 0x04, 0xf2, 0x00, 0x00, 0x80, 0x04,
    0xf3, 0x00, 0x00, 0x80, 0x00, 0x05, 0xf3, 0xff, 0xff, 0x7f, 0xff, 0x05,
    0xf3, 0xff, 0xff, 0xff, 0x7f, 0x05, 0xf3, 0x00, 0x00, 0x00, 0x80, 0x05,
    0xf4, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x09, 0xf4, 0xff,
    0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x09, 0xf4, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0x7f, 0x09, 0xf4, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x80, 0x09, 0xff,
};

/* Strings that are not canonical integers stay strings. */
static const lp_str_t ora_str_vals[] = {
    {"", 0}, {"a", 1}, {"007", 3}, {"-0", 2}, {"+5", 2}, {" 1", 2}, {"1 ", 2},
    {"9223372036854775808", 19}, {"-9223372036854775809", 20}, {"\x00\xff\x80", 3},
    {"12345678901234567890", 20},
};
static const unsigned char ora_strs[] = {
    0x67, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x80, 0x01, 0x81, 0x61, 0x02, 0x83,
    0x30, 0x30, 0x37, 0x04, 0x82, 0x2d, 0x30, 0x03, 0x82, 0x2b, 0x35, 0x03,
    0x82, 0x20, 0x31, 0x03, 0x82, 0x31, 0x20, 0x03, 0x93, 0x39, 0x32, 0x32,
    0x33, 0x33, 0x37, 0x32, 0x30, 0x33, 0x36, 0x38, 0x35, 0x34, 0x37, 0x37,
    0x35, 0x38, 0x30, 0x38, 0x14, 0x94, 0x2d, 0x39, 0x32, 0x32, 0x33, 0x33,
    0x37, 0x32, 0x30, 0x33, 0x36, 0x38, 0x35, 0x34, 0x37, 0x37, 0x35, 0x38,
    0x30, 0x39, 0x15, 0x83, 0x00, 0xff, 0x80, 0x04, 0x94, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
    0x36, 0x37, 0x38, 0x39, 0x30, 0x15, 0xff,
};

/* HSET h a 1 b hello -5 "" "\xff" 4096 */
static const lp_str_t ora_hash_vals[] = {
    {"a", 1}, {"1", 1}, {"b", 1}, {"hello", 5}, {"-5", 2}, {"", 0}, {"\xff", 1}, {"4096", 4},
};
static const unsigned char ora_hash[] = {
    0x22, 0x00, 0x00, 0x00, 0x08, 0x00, 0x81, 0x61, 0x02, 0x01, 0x01, 0x81,
    0x62, 0x02, 0x85, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x06, 0xdf, 0xfb, 0x02,
    0x80, 0x01, 0x81, 0xff, 0x02, 0xf1, 0x00, 0x10, 0x03, 0xff,
};

/* RPUSH l <n bytes of 'x'>: size, first 12 and last 6 bytes. Covers the
 * string encodings' boundaries and backlens of 1..3 bytes: element sizes
 * (encoding + data) 127/128, 16382/16383/16384, 2097150/2097151/2097152. */
static const struct {
    size_t n, total;
    unsigned char head[12], tail[6];
} ora_big[] = {
    {62, 71,
     {0x47, 0x00, 0x00, 0x00, 0x01, 0x00, 0xbe, 0x78, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x78, 0x3f, 0xff}},
    {63, 72,
     {0x48, 0x00, 0x00, 0x00, 0x01, 0x00, 0xbf, 0x78, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x78, 0x40, 0xff}},
    {64, 74,
     {0x4a, 0x00, 0x00, 0x00, 0x01, 0x00, 0xe0, 0x40, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x78, 0x42, 0xff}},
    {125, 135,
     {0x87, 0x00, 0x00, 0x00, 0x01, 0x00, 0xe0, 0x7d, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x78, 0x7f, 0xff}},
    {126, 137,
     {0x89, 0x00, 0x00, 0x00, 0x01, 0x00, 0xe0, 0x7e, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x01, 0x80, 0xff}},
    {127, 138,
     {0x8a, 0x00, 0x00, 0x00, 0x01, 0x00, 0xe0, 0x7f, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x01, 0x81, 0xff}},
    {4094, 4105,
     {0x09, 0x10, 0x00, 0x00, 0x01, 0x00, 0xef, 0xfe, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x20, 0x80, 0xff}},
    {4095, 4106,
     {0x0a, 0x10, 0x00, 0x00, 0x01, 0x00, 0xef, 0xff, 0x78, 0x78, 0x78, 0x78},
     {0x78, 0x78, 0x78, 0x20, 0x81, 0xff}},
    {4096, 4110,
     {0x0e, 0x10, 0x00, 0x00, 0x01, 0x00, 0xf0, 0x00, 0x10, 0x00, 0x00, 0x78},
     {0x78, 0x78, 0x78, 0x20, 0x85, 0xff}},
    {16377, 16391,
     {0x07, 0x40, 0x00, 0x00, 0x01, 0x00, 0xf0, 0xf9, 0x3f, 0x00, 0x00, 0x78},
     {0x78, 0x78, 0x78, 0x7f, 0xfe, 0xff}},
    {16378, 16393,
     {0x09, 0x40, 0x00, 0x00, 0x01, 0x00, 0xf0, 0xfa, 0x3f, 0x00, 0x00, 0x78},
     {0x78, 0x78, 0x00, 0xff, 0xff, 0xff}},
    {16379, 16394,
     {0x0a, 0x40, 0x00, 0x00, 0x01, 0x00, 0xf0, 0xfb, 0x3f, 0x00, 0x00, 0x78},
     {0x78, 0x78, 0x01, 0x80, 0x80, 0xff}},
    {16380, 16395,
     {0x0b, 0x40, 0x00, 0x00, 0x01, 0x00, 0xf0, 0xfc, 0x3f, 0x00, 0x00, 0x78},
     {0x78, 0x78, 0x01, 0x80, 0x81, 0xff}},
    {2097145, 2097160,
     {0x08, 0x00, 0x20, 0x00, 0x01, 0x00, 0xf0, 0xf9, 0xff, 0x1f, 0x00, 0x78},
     {0x78, 0x78, 0x7f, 0xff, 0xfe, 0xff}},
    {2097146, 2097162,
     {0x0a, 0x00, 0x20, 0x00, 0x01, 0x00, 0xf0, 0xfa, 0xff, 0x1f, 0x00, 0x78},
     {0x78, 0x00, 0xff, 0xff, 0xff, 0xff}},
    {2097147, 2097163,
     {0x0b, 0x00, 0x20, 0x00, 0x01, 0x00, 0xf0, 0xfb, 0xff, 0x1f, 0x00, 0x78},
     {0x78, 0x01, 0x80, 0x80, 0x80, 0xff}},
};

/* HSET of pairs f<i> = i*37-500000: 32768 pairs (65536 elements, header
 * count 65535 = unknown) and 32767 pairs (65534, exact). FNV-1a 64. */
#define ORA_MANY_BYTES 412884
#define ORA_MANY_HDRCOUNT 65535
#define ORA_MANY_FNV 0x27cba14c26274b02ULL
#define ORA_LESS_BYTES 412871
#define ORA_LESS_HDRCOUNT 65534
#define ORA_LESS_FNV 0xe215293186171465ULL

/* ---- helpers ---- */

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static unsigned hdr_count(const unsigned char *lp) { return lp[4] | lp[5] << 8; }

static unsigned char *must(unsigned char *lp)
{
    cr_assert_not_null(lp);
    return lp;
}

static unsigned char *app(unsigned char *lp, const char *s)
{
    return must(lp_append(lp, s, strlen(s)));
}

static void assert_bytes(const unsigned char *lp, const unsigned char *want, size_t n)
{
    cr_assert_eq(lp_bytes(lp), n, "size %zu, want %zu", lp_bytes(lp), n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(lp[i], want[i], "byte %zu: %02x, want %02x", i, lp[i], want[i]);
    cr_assert(lp_validate(lp, n, true));
}

static void assert_str(const unsigned char *p, const char *s, size_t len)
{
    char buf[NUM_LL_BUF];
    size_t l;
    const unsigned char *d;

    cr_assert_not_null(p);
    d = lp_get_str(p, buf, &l);
    cr_assert_eq(l, len, "len %zu, want %zu", l, len);
    cr_assert(len == 0 || memcmp(d, s, len) == 0);
}

/* n pairs f<i> = i*37-500000 in one batch (one realloc: appending one by
 * one is quadratic under ASan, whose realloc always moves). */
static unsigned char *pairs_lp(unsigned n)
{
    lp_str_t *v = malloc(2 * n * sizeof *v);
    char *text = malloc((size_t)n * 32), *t = text;
    unsigned char *lp;

    for (unsigned i = 0; i < n; i++) {
        v[2 * i].s = t;
        t += v[2 * i].len = (size_t)sprintf(t, "f%u", i);
        v[2 * i + 1].s = t;
        t += v[2 * i + 1].len = (size_t)sprintf(t, "%lld", (long long)i * 37 - 500000);
    }
    lp = must(lp_append_batch(must(lp_new(0)), v, 2 * (size_t)n));
    free(v);
    free(text);
    return lp;
}

/* ---- byte-exactness against redis-server ---- */

Test(lp_oracle, integers)
{
    unsigned char *lp = must(lp_new(0)), *lp2 = must(lp_new(0));
    char buf[NUM_LL_BUF];
    size_t n = sizeof ora_int_vals / sizeof *ora_int_vals;

    for (size_t i = 0; i < n; i++) {
        lp = must(lp_append_int(lp, ora_int_vals[i]));
        lp2 = must(lp_append(lp2, buf, num_fmt_ll(buf, ora_int_vals[i])));
    }
    assert_bytes(lp, ora_ints, sizeof ora_ints);
    assert_bytes(lp2, ora_ints, sizeof ora_ints);
    lp_free(lp);
    lp_free(lp2);
}

Test(lp_oracle, strings_and_hash)
{
    unsigned char *lp = must(lp_new(0));

    for (size_t i = 0; i < sizeof ora_str_vals / sizeof *ora_str_vals; i++)
        lp = must(lp_append(lp, ora_str_vals[i].s, ora_str_vals[i].len));
    assert_bytes(lp, ora_strs, sizeof ora_strs);
    lp_free(lp);
    lp = must(lp_append_batch(must(lp_new(64)), ora_hash_vals, 8));
    assert_bytes(lp, ora_hash, sizeof ora_hash);
    lp_free(lp);
}

Test(lp_oracle, big_strings_and_backlens)
{
    char *x = malloc(2097147);

    memset(x, 'x', 2097147);
    for (size_t i = 0; i < sizeof ora_big / sizeof *ora_big; i++) {
        unsigned char *lp = must(lp_append(must(lp_new(0)), x, ora_big[i].n));
        size_t t = ora_big[i].total;
        uint32_t sl;
        long long iv;

        cr_assert_eq(lp_bytes(lp), t, "n=%zu", ora_big[i].n);
        cr_assert(memcmp(lp, ora_big[i].head, 12) == 0, "head n=%zu", ora_big[i].n);
        cr_assert(memcmp(lp + t - 6, ora_big[i].tail, 6) == 0, "tail n=%zu", ora_big[i].n);
        cr_assert(lp_validate(lp, t, true));
        /* Reading backwards decodes the multi-byte backlen. */
        cr_assert_eq(lp_last(lp), lp_first(lp));
        size_t h = ora_big[i].n < 64 ? 1 : ora_big[i].n < 4096 ? 2 : 5;
        cr_assert_eq(lp_get(lp_last(lp), &sl, &iv), lp_first(lp) + h);
        cr_assert_eq(sl, ora_big[i].n);
        cr_assert_eq(lp_entry_size(x, ora_big[i].n), t - 7);
        lp_free(lp);
    }
    free(x);
}

Test(lp_oracle, count_unknown_past_65535)
{
    unsigned char *lp = pairs_lp(32767);

    cr_assert_eq(lp_bytes(lp), ORA_LESS_BYTES);
    cr_assert_eq(hdr_count(lp), ORA_LESS_HDRCOUNT);
    cr_assert_eq(fnv(lp, lp_bytes(lp)), ORA_LESS_FNV);
    lp_free(lp);
    lp = pairs_lp(32768);
    cr_assert_eq(lp_bytes(lp), ORA_MANY_BYTES);
    cr_assert_eq(hdr_count(lp), ORA_MANY_HDRCOUNT);
    cr_assert_eq(fnv(lp, lp_bytes(lp)), ORA_MANY_FNV);
    cr_assert_eq(lp_count(lp), 65536);
    cr_assert(lp_validate(lp, lp_bytes(lp), true));
    lp_free(lp);
}

/* Redis's bytes load: valid, and they read back as what was written. */
Test(lp_oracle, reads_redis_bytes)
{
    unsigned char *lp = lp_dup((unsigned char *)ora_strs);
    unsigned char *p;
    size_t i = 0;

    cr_assert(lp_validate(ora_strs, sizeof ora_strs, true));
    for (p = lp_first(lp); p; p = lp_next(lp, p), i++)
        assert_str(p, ora_str_vals[i].s, ora_str_vals[i].len);
    cr_assert_eq(i, lp_count(lp));
    lp_free(lp);
    lp = lp_dup((unsigned char *)ora_ints);
    i = 0;
    for (p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        uint32_t sl;
        long long v;
        cr_assert_null(lp_get(p, &sl, &v));
        cr_assert_eq(v, ora_int_vals[i]);
    }
    lp_free(lp);
}

/* ---- encodings ---- */

/* Each integer edge: its element size (encoding + backlen) and that it
 * reads back, whether appended as an integer or as its decimal string. */
Test(lp_enc, integer_edges)
{
    static const struct { long long v; size_t size; } c[] = {
        {0, 2}, {127, 2}, {128, 3}, {-1, 3}, {4095, 3}, {-4096, 3}, {4096, 4}, {-4097, 4},
        {32767, 4}, {-32768, 4}, {32768, 5}, {-32769, 5}, {8388607, 5}, {-8388608, 5},
        {8388608, 6}, {-8388609, 6}, {INT32_MAX, 6}, {INT32_MIN, 6},
        {(long long)INT32_MAX + 1, 10}, {(long long)INT32_MIN - 1, 10},
        {LLONG_MAX, 10}, {LLONG_MIN, 10},
    };
    char buf[NUM_LL_BUF];

    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        size_t l = num_fmt_ll(buf, c[i].v);
        unsigned char *lp = must(lp_append_int(must(lp_new(0)), c[i].v));
        unsigned char *lp2 = must(lp_append(must(lp_new(0)), buf, l));
        uint32_t sl;
        long long v = 0;

        cr_assert_eq(lp_bytes(lp), 7 + c[i].size, "%lld: %zu", c[i].v, lp_bytes(lp));
        cr_assert_eq(lp_entry_size(buf, l), c[i].size);
        cr_assert(memcmp(lp, lp2, lp_bytes(lp)) == 0);
        cr_assert_null(lp_get(lp_first(lp), &sl, &v));
        cr_assert_eq(v, c[i].v);
        assert_str(lp_first(lp2), buf, l);
        cr_assert(lp_eq(lp_first(lp), buf, l));
        lp_free(lp);
        lp_free(lp2);
    }
}

Test(lp_enc, string_lengths_and_binary)
{
    static const size_t lens[] = {0, 1, 2, 63, 64, 65, 4095, 4096, 4097, 16378, 70000};
    char *s = malloc(70000);

    for (size_t i = 0; i < 70000; i++)
        s[i] = (char)(i % 7 == 0 ? 0 : i % 7 == 1 ? 0xff : 'a' + i % 26);
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        unsigned char *lp = must(lp_new(0));
        lp = must(lp_append(lp, s, lens[i]));
        lp = must(lp_append(lp, s, lens[i]));
        cr_assert_eq(lp_count(lp), 2);
        cr_assert(lp_validate(lp, lp_bytes(lp), true));
        assert_str(lp_first(lp), s, lens[i]);
        assert_str(lp_last(lp), s, lens[i]);
        cr_assert_eq(lp_prev(lp, lp_last(lp)), lp_first(lp));
        cr_assert(lp_eq(lp_last(lp), s, lens[i]));
        cr_assert_eq(lp_bytes(lp), 7 + 2 * lp_entry_size(s, lens[i]));
        lp_free(lp);
    }
    free(s);
}

Test(lp_enc, non_canonical_numbers_stay_strings)
{
    static const char *v[] = {"007", "-0", "+1", " 1", "1 ", "1.0", "0x10", "",
                              "9223372036854775808", "-9223372036854775809", "1e3"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        unsigned char *lp = app(must(lp_new(0)), v[i]);
        uint32_t sl;
        long long iv;
        cr_assert_not_null(lp_get(lp_first(lp), &sl, &iv), "%s", v[i]);
        assert_str(lp_first(lp), v[i], strlen(v[i]));
        lp_free(lp);
    }
}

/* ---- navigation ---- */

Test(lp_nav, empty)
{
    unsigned char *lp = must(lp_new(0));

    cr_assert_eq(lp_bytes(lp), 7);
    cr_assert_eq(lp_count(lp), 0);
    cr_assert_null(lp_first(lp));
    cr_assert_null(lp_last(lp));
    cr_assert_null(lp_seek(lp, 0));
    cr_assert_null(lp_seek(lp, -1));
    cr_assert_null(lp_find(lp, lp_first(lp), "a", 1, 0));
    cr_assert(lp_validate(lp, 7, true));
    lp = lp_delete_range(lp, 0, 5);
    cr_assert_eq(lp_bytes(lp), 7);
    lp_free(lp);
    lp_free(must(lp_new(4096)));
}

Test(lp_nav, walk_and_seek)
{
    unsigned char *lp = must(lp_new(0)), *p;
    char buf[32];
    long n = 101;

    for (long i = 0; i < n; i++)
        lp = app(lp, (snprintf(buf, sizeof buf, i % 3 ? "s%ld" : "%ld", i * 1000), buf));
    p = lp_first(lp);
    for (long i = 0; i < n; i++, p = lp_next(lp, p)) {
        cr_assert_eq(lp_seek(lp, i), p);
        cr_assert_eq(lp_seek(lp, i - n), p);
    }
    cr_assert_null(p);
    cr_assert_null(lp_seek(lp, n));
    cr_assert_null(lp_seek(lp, -n - 1));
    cr_assert_null(lp_seek(lp, LONG_MIN));
    cr_assert_null(lp_seek(lp, LONG_MAX));
    p = lp_last(lp);
    for (long i = n - 1; i >= 0; i--, p = lp_prev(lp, p))
        cr_assert_eq(lp_seek(lp, i), p);
    cr_assert_null(p);
    cr_assert_null(lp_next(lp, lp_last(lp)));
    cr_assert_null(lp_prev(lp, lp_first(lp)));
    lp_free(lp);
}

Test(lp_nav, eq_and_get_str)
{
    unsigned char *lp = must(lp_new(0));
    char buf[NUM_LL_BUF];
    size_t l;

    lp = app(app(app(lp, "5"), "-4097"), "abc");
    cr_assert(lp_eq(lp_seek(lp, 0), "5", 1));
    cr_assert_not(lp_eq(lp_seek(lp, 0), "05", 2));
    cr_assert_not(lp_eq(lp_seek(lp, 0), "6", 1));
    cr_assert(lp_eq(lp_seek(lp, 1), "-4097", 5));
    cr_assert(lp_eq(lp_seek(lp, 2), "abc", 3));
    cr_assert_not(lp_eq(lp_seek(lp, 2), "abd", 3));
    cr_assert_not(lp_eq(lp_seek(lp, 2), "ab", 2));
    cr_assert_eq((const char *)lp_get_str(lp_seek(lp, 1), buf, &l), buf);
    cr_assert(l == 5 && memcmp(buf, "-4097", 5) == 0);
    lp_free(lp);
}

Test(lp_nav, find_with_skip)
{
    unsigned char *lp = must(lp_new(0));
    /* field/value pairs where values collide with field names */
    static const char *kv[] = {"a", "b", "b", "12", "12", "x", "", "a", "007", ""};

    for (size_t i = 0; i < 10; i++)
        lp = app(lp, kv[i]);
    cr_assert_eq(lp_find(lp, lp_first(lp), "b", 1, 1), lp_seek(lp, 2));
    cr_assert_eq(lp_find(lp, lp_first(lp), "b", 1, 0), lp_seek(lp, 1));
    cr_assert_eq(lp_find(lp, lp_first(lp), "12", 2, 1), lp_seek(lp, 4));
    cr_assert_eq(lp_find(lp, lp_first(lp), "12", 2, 0), lp_seek(lp, 3));
    cr_assert_eq(lp_find(lp, lp_first(lp), "", 0, 1), lp_seek(lp, 6));
    cr_assert_eq(lp_find(lp, lp_first(lp), "007", 3, 1), lp_seek(lp, 8));
    cr_assert_null(lp_find(lp, lp_first(lp), "7", 1, 0));
    cr_assert_null(lp_find(lp, lp_first(lp), "x", 1, 1));
    cr_assert_eq(lp_find(lp, lp_seek(lp, 1), "x", 1, 1), lp_seek(lp, 5));
    cr_assert_eq(lp_find(lp, lp_seek(lp, 3), "a", 1, 3), lp_seek(lp, 7));
    cr_assert_eq(lp_find(lp, lp_seek(lp, 1), "a", 1, 0), lp_seek(lp, 7));
    cr_assert_null(lp_find(lp, NULL, "a", 1, 0));
    lp_free(lp);
}

/* ---- editing ---- */

static void assert_list(unsigned char *lp, const char *const *want, size_t n)
{
    unsigned char *p = lp_first(lp);

    cr_assert_eq(lp_count(lp), n);
    cr_assert(lp_validate(lp, lp_bytes(lp), true));
    for (size_t i = 0; i < n; i++, p = lp_next(lp, p))
        assert_str(p, want[i], strlen(want[i]));
    cr_assert_null(p);
}

Test(lp_edit, insert_positions)
{
    unsigned char *lp = app(app(must(lp_new(0)), "b"), "d"), *p;

    lp = must(lp_insert(lp, lp_first(lp), "a", 1, LP_BEFORE, &p));
    cr_assert_eq(p, lp_first(lp));
    lp = must(lp_insert(lp, lp_seek(lp, 1), "c", 1, LP_AFTER, &p));
    cr_assert_eq(p, lp_seek(lp, 2));
    lp = must(lp_insert(lp, lp_last(lp), "e", 1, LP_AFTER, &p));
    cr_assert_eq(p, lp_last(lp));
    lp = must(lp_insert(lp, lp + lp_bytes(lp) - 1, "f", 1, LP_BEFORE, &p));
    cr_assert_eq(p, lp_last(lp));
    lp = must(lp_prepend(lp, "0", 1));
    lp = must(lp_insert_int(lp, lp_seek(lp, 1), -77, LP_AFTER, NULL));
    assert_list(lp, (const char *[]){"0", "a", "-77", "b", "c", "d", "e", "f"}, 8);
    lp_free(lp);
}

Test(lp_edit, replace_first_middle_last)
{
    unsigned char *lp = app(app(app(must(lp_new(0)), "a"), "b"), "c"), *p;
    char big[300];

    memset(big, 'z', sizeof big);
    lp = must(lp_insert(lp, lp_first(lp), "123456789", 9, LP_REPLACE, &p));
    cr_assert_eq(p, lp_first(lp));
    lp = must(lp_insert(lp, lp_seek(lp, 1), big, sizeof big, LP_REPLACE, &p));
    cr_assert_eq(p, lp_seek(lp, 1));
    lp = must(lp_insert(lp, lp_last(lp), "", 0, LP_REPLACE, &p));
    cr_assert_eq(p, lp_last(lp));
    cr_assert_eq(lp_count(lp), 3);
    /* shrink the big one back */
    lp = must(lp_insert(lp, lp_seek(lp, 1), "y", 1, LP_REPLACE, &p));
    assert_list(lp, (const char *[]){"123456789", "y", ""}, 3);
    lp_free(lp);
}

Test(lp_edit, delete_to_empty)
{
    unsigned char *lp = app(app(app(must(lp_new(0)), "a"), "b"), "c"), *next;

    lp = lp_delete(lp, lp_seek(lp, 1), &next);
    cr_assert_eq(next, lp_seek(lp, 1));
    assert_list(lp, (const char *[]){"a", "c"}, 2);
    lp = lp_delete(lp, lp_last(lp), &next);
    cr_assert_null(next);
    lp = lp_delete(lp, lp_first(lp), &next);
    cr_assert_null(next);
    cr_assert_eq(lp_bytes(lp), 7);
    cr_assert_eq(lp_count(lp), 0);
    cr_assert(lp_validate(lp, 7, true));
    lp_free(lp);
}

Test(lp_edit, delete_ranges)
{
    const char *all[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    unsigned char *lp = must(lp_new(0));

    for (int i = 0; i < 10; i++)
        lp = app(lp, all[i]);
    lp = lp_delete_range(lp, 2, 3);
    assert_list(lp, (const char *[]){"0", "1", "5", "6", "7", "8", "9"}, 7);
    lp = lp_delete_range(lp, -2, 100);
    assert_list(lp, (const char *[]){"0", "1", "5", "6", "7"}, 5);
    lp = lp_delete_range(lp, 5, 1);  /* out of range: nothing */
    lp = lp_delete_range(lp, -6, 1);
    lp = lp_delete_range(lp, 0, 0);
    assert_list(lp, (const char *[]){"0", "1", "5", "6", "7"}, 5);
    lp = lp_delete_range_at(lp, lp_seek(lp, 1), 2);
    assert_list(lp, (const char *[]){"0", "6", "7"}, 3);
    lp = lp_delete_range_at(lp, lp_first(lp), ULONG_MAX);
    assert_list(lp, NULL, 0);
    lp_free(lp);
}

Test(lp_edit, batch_concat_dup)
{
    lp_str_t v[] = {{"x", 1}, {"42", 2}, {"", 0}, {"\0\xff", 2}};
    unsigned char *a = must(lp_append_batch(must(lp_new(0)), v, 4));
    unsigned char *b = must(lp_dup(a)), *c;

    cr_assert(memcmp(a, b, lp_bytes(a)) == 0);
    a = must(lp_append_batch(a, v, 0));
    a = must(lp_concat(a, b));
    cr_assert_eq(lp_count(a), 8);
    cr_assert(lp_validate(a, lp_bytes(a), true));
    cr_assert(lp_eq(lp_seek(a, 7), "\0\xff", 2));
    cr_assert(lp_eq(lp_seek(a, 5), "42", 2));
    c = must(lp_concat(must(lp_new(0)), a));
    cr_assert(memcmp(a, c, lp_bytes(a)) == 0);
    c = must(lp_concat(c, (unsigned char *)ora_ints + 0));  /* const bytes are fine */
    cr_assert_eq(lp_count(c), 8 + 23);
    lp_free(a);
    lp_free(b);
    lp_free(c);
}

Test(lp_edit, count_crossing_65535)
{
    lp_str_t *v = malloc(65534 * sizeof *v);
    unsigned char *lp, *p;

    for (int i = 0; i < 65534; i++)
        v[i] = (lp_str_t){"7", 1};
    lp = must(lp_append_batch(must(lp_new(0)), v, 65534));
    free(v);
    cr_assert_eq(hdr_count(lp), 65534);
    lp = must(lp_append(lp, "x", 1));
    cr_assert_eq(hdr_count(lp), 65535);
    cr_assert_eq(lp_count(lp), 65535);
    lp = must(lp_prepend(lp, "y", 1));
    cr_assert_eq(hdr_count(lp), 65535);
    cr_assert_eq(lp_count(lp), 65536);
    cr_assert(lp_validate(lp, lp_bytes(lp), true));
    cr_assert(lp_eq(lp_seek(lp, -1), "x", 1));
    cr_assert(lp_eq(lp_seek(lp, 0), "y", 1));
    cr_assert(lp_eq(lp_seek(lp, 40000), "7", 1));
    cr_assert_null(lp_seek(lp, 65536));
    lp = must(lp_insert(lp, lp_seek(lp, 1), "z", 1, LP_REPLACE, &p));
    cr_assert_eq(hdr_count(lp), 65535);
    lp = lp_delete(lp, lp_first(lp), NULL);
    cr_assert_eq(hdr_count(lp), 65535);    /* 65535 elements: still "unknown" */
    cr_assert_eq(lp_count(lp), 65535);
    lp = lp_delete(lp, lp_first(lp), NULL);
    cr_assert_eq(hdr_count(lp), 65534);    /* exact again */
    lp = lp_delete_range(lp, 0, 65533);
    cr_assert_eq(hdr_count(lp), 1);
    assert_list(lp, (const char *[]){"x"}, 1);
    lp_free(lp);
}

Test(lp_edit, too_big_fails_untouched)
{
    unsigned char *lp = app(must(lp_new(0)), "a"), *copy = must(lp_dup(lp));
    static char tiny[1];
    lp_str_t v[2] = {{"b", 1}, {tiny, UINT32_MAX - 4}};

    /* The length alone decides; the bytes are never read. */
    cr_assert_null(lp_append(lp, tiny, (size_t)UINT32_MAX + 1));
    cr_assert_null(lp_append(lp, tiny, UINT32_MAX - 10));
    cr_assert_null(lp_insert(lp, lp_first(lp), tiny, UINT32_MAX - 10, LP_REPLACE, NULL));
    cr_assert_null(lp_append_batch(lp, v, 2));
    cr_assert(memcmp(lp, copy, lp_bytes(copy)) == 0);
    cr_assert(lp_safe_to_add(NULL, LP_SAFETY_SIZE));
    cr_assert(lp_safe_to_add(lp, LP_SAFETY_SIZE - 10));
    cr_assert_not(lp_safe_to_add(lp, LP_SAFETY_SIZE - 9));
    cr_assert_not(lp_safe_to_add(lp, SIZE_MAX));
    lp_free(lp);
    lp_free(copy);
}

/* Every growing call fails cleanly; shrinking calls succeed anyway. */
Test(lp_edit, out_of_memory)
{
    unsigned char *lp = app(app(app(must(lp_new(0)), "a"), "bb"), "c"), *copy = must(lp_dup(lp));
    unsigned char *n;
    lp_str_t v[2] = {{"x", 1}, {"y", 1}};

#define OOM(call) do { fail_in = 0; n = (call); fail_in = -1; cr_assert_null(n, #call); \
        cr_assert(memcmp(lp, copy, lp_bytes(copy)) == 0, #call); } while (0)
    OOM(lp_new(0));
    OOM(lp_dup(lp));
    OOM(lp_append(lp, "x", 1));
    OOM(lp_prepend(lp, "x", 1));
    OOM(lp_append_int(lp, 5));
    OOM(lp_insert(lp, lp_seek(lp, 1), "xyz", 3, LP_AFTER, NULL));
    OOM(lp_insert(lp, lp_seek(lp, 1), "xyz", 3, LP_REPLACE, NULL));
    OOM(lp_append_batch(lp, v, 2));
    OOM(lp_concat(lp, copy));
#undef OOM
    fail_in = 0;
    lp = must(lp_insert(lp, lp_seek(lp, 1), "b", 1, LP_REPLACE, NULL));
    fail_in = 0;
    lp = lp_delete(lp, lp_first(lp), NULL);
    fail_in = 0;
    lp = lp_delete_range(lp, 0, 1);
    fail_in = -1;
    assert_list(lp, (const char *[]){"c"}, 1);
    lp_free(lp);
    lp_free(copy);
}

/* ---- validation of hostile bytes ---- */

/* Copy into an exactly sized block so ASan flags any read past it. */
static bool validate_copy(const unsigned char *b, size_t n, bool deep)
{
    unsigned char *c = malloc(n ? n : 1);
    bool ok;

    memcpy(c, b, n);
    ok = lp_validate(c, n, deep);
    free(c);
    return ok;
}

/* A listpack that passed deep validation must be safe to walk both ways
 * and agree with its count. */
static void walk_validated(unsigned char *lp)
{
    unsigned long n = 0, m = 0;
    char buf[NUM_LL_BUF];
    size_t l;

    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), n++) {
        cr_assert(p >= lp + LP_HDR_SIZE && p < lp + lp_bytes(lp) - 1);
        lp_get_str(p, buf, &l);
    }
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p))
        m++;
    cr_assert_eq(n, m);
    cr_assert_eq(n, lp_count(lp));
}

static void set32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

Test(lp_validate, handmade_bad)
{
    /* good: "a", 5 */
    unsigned char g[] = {12, 0, 0, 0, 2, 0, 0x81, 'a', 2, 0x05, 0x01, 0xff};
    unsigned char b[sizeof g];

    cr_assert(validate_copy(g, sizeof g, true));
    cr_assert(validate_copy(g, sizeof g, false));
    cr_assert_not(validate_copy(g, 6, false));
    cr_assert_not(validate_copy(g, sizeof g - 1, false));      /* size mismatch */
#define BAD(i, v, deep) do { memcpy(b, g, sizeof g); b[i] = (v); \
        cr_assert_not(validate_copy(b, sizeof g, deep), "byte %d = %d", i, v); } while (0)
    BAD(11, 0xfe, false);  /* no terminator */
    BAD(0, 13, false);     /* header size */
    BAD(4, 3, true);       /* count */
    BAD(4, 1, true);
    BAD(8, 3, true);       /* backlen */
    BAD(8, 0x82, true);
    BAD(6, 0x82, true);    /* string longer than the element */
    BAD(6, 0xf5, true);    /* undefined encodings */
    BAD(6, 0xfe, true);
    BAD(6, 0xff, true);    /* terminator inside */
    BAD(9, 0xf4, true);    /* int64 running past the end */
    BAD(9, 0xf0, true);
    BAD(9, 0xe0, true);
#undef BAD
    memcpy(b, g, sizeof g);
    b[4] = 0xff, b[5] = 0xff;   /* unknown count is accepted */
    cr_assert(validate_copy(b, sizeof g, true));
    /* 32-bit string length claiming ~4 GB */
    unsigned char h[] = {13, 0, 0, 0, 1, 0, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x05, 0xff};
    cr_assert_not(validate_copy(h, sizeof h, true));
    set32(h + 7, 0);
    cr_assert(validate_copy(h, sizeof h, true));   /* non-minimal but legal */
    cr_assert_not(lp_validate(NULL, 0, true));
}

/* Every truncation and every single-byte change of a real listpack. */
Test(lp_validate, mutations)
{
    unsigned char *lp = must(lp_new(0)), *c;
    char big[200];
    size_t n;

    memset(big, 'q', sizeof big);
    lp = must(lp_append_batch(lp, ora_hash_vals, 8));
    lp = must(lp_append(lp, big, sizeof big));
    lp = must(lp_append_int(lp, LLONG_MIN));
    lp = must(lp_append(lp, big, 70));
    n = lp_bytes(lp);
    c = malloc(n);
    for (size_t len = 0; len <= n; len++) {
        memcpy(c, lp, len);
        if (len >= 4)
            set32(c, (uint32_t)len);
        if (len >= 7)
            c[len - 1] = 0xff;
        bool ok = validate_copy(c, len, true);
        cr_assert(len == n || !ok, "truncated to %zu accepted", len);
    }
    for (size_t i = 0; i < n; i++) {
        for (unsigned v = 0; v < 256; v += (i < 6 ? 1 : 7)) {
            memcpy(c, lp, n);
            c[i] = (unsigned char)v;
            if (validate_copy(c, n, true))
                walk_validated(c);
        }
    }
    free(c);
    lp_free(lp);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random element-ish bytes behind a consistent header: whatever
 * validates must walk safely. */
Test(lp_validate, random_bytes)
{
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    static const unsigned char pick[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xbf, 0xc0,
                                         0xdf, 0xe0, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4,
                                         0x03, 0x04, 0x05, 0x09, 0x61, 0xff};
    unsigned accepted = 0;

    for (int iter = 0; iter < 200000; iter++) {
        size_t n = 7 + rnd(&s) % 24;
        unsigned char *b = malloc(n);
        set32(b, (uint32_t)n);
        b[4] = (unsigned char)(rnd(&s) % 4), b[5] = rnd(&s) % 16 ? 0 : 0xff;
        if (b[5] == 0xff)
            b[4] = 0xff;
        for (size_t i = 6; i < n - 1; i++)
            b[i] = pick[rnd(&s) % sizeof pick];
        b[n - 1] = 0xff;
        if (lp_validate(b, n, true)) {
            accepted++;
            walk_validated(b);
        }
        free(b);
    }
    cr_assert_gt(accepted, 100);
}

/* ---- model-based random test ---- */

typedef struct mstr {
    char *s;
    size_t len;
} mstr_t;

typedef struct model {
    mstr_t *v;
    size_t n, cap;
} model_t;

static void m_insert(model_t *m, size_t i, const char *s, size_t len)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
    }
    memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof *m->v);
    m->v[i].s = malloc(len ? len : 1);
    memcpy(m->v[i].s, s, len);
    m->v[i].len = len;
    m->n++;
}

static void m_delete(model_t *m, size_t i, size_t count)
{
    if (i >= m->n)
        return;
    if (count > m->n - i)
        count = m->n - i;
    for (size_t k = i; k < i + count; k++)
        free(m->v[k].s);
    memmove(m->v + i, m->v + i + count, (m->n - i - count) * sizeof *m->v);
    m->n -= count;
}

static bool m_eq(const mstr_t *a, const char *s, size_t len)
{
    return a->len == len && (len == 0 || memcmp(a->s, s, len) == 0);
}

/* Random element bytes: integers near every encoding edge, numbers that
 * must stay strings, short binary, and occasionally long strings. */
static size_t rnd_str(uint64_t *s, char *buf)
{
    static const long long edge[] = {0, 127, -4096, 4095, INT16_MIN, INT16_MAX, -8388608,
                                     8388607, INT32_MIN, INT32_MAX, LLONG_MIN, LLONG_MAX};
    unsigned k = (unsigned)(rnd(s) % 100);
    size_t len;

    if (k < 30) {
        long long v = edge[rnd(s) % 12];
        long long d = (long long)(rnd(s) % 5) - 2;
        if (!((d > 0 && v > LLONG_MAX - d) || (d < 0 && v < LLONG_MIN - d)))
            v += d;
        return num_fmt_ll(buf, v);
    }
    if (k < 38)
        return (size_t)sprintf(buf, "0%u", (unsigned)(rnd(s) % 1000));
    len = k < 90 ? rnd(s) % 70 : k < 98 ? 100 + rnd(s) % 200
                 : (rnd(s) % 2 ? 4090 + rnd(s) % 10 : 16375 + rnd(s) % 10);
    for (size_t i = 0; i < len; i++) {
        unsigned c = (unsigned)(rnd(s) % 8);
        buf[i] = (char)(c == 0 ? 0 : c == 1 ? 0xff : 'a' + c);
    }
    return len;
}

static uint64_t g_seed;
static int g_step;

static void m_check(unsigned char *lp, const model_t *m)
{
    unsigned char *p = lp_first(lp);
    char buf[NUM_LL_BUF];
    size_t l;

    cr_assert(lp_validate(lp, lp_bytes(lp), true), "seed %llu step %d: invalid",
              (unsigned long long)g_seed, g_step);
    cr_assert_eq(lp_count(lp), m->n, "seed %llu step %d: count %lu want %zu",
                 (unsigned long long)g_seed, g_step, lp_count(lp), m->n);
    for (size_t i = 0; i < m->n; i++, p = lp_next(lp, p)) {
        const unsigned char *d = lp_get_str(p, buf, &l);
        cr_assert(m_eq(&m->v[i], (const char *)d, l), "seed %llu step %d: element %zu differs",
                  (unsigned long long)g_seed, g_step, i);
    }
    cr_assert_null(p);
    p = lp_last(lp);
    for (size_t i = m->n; i-- > 0; p = lp_prev(lp, p))
        cr_assert(lp_eq(p, m->v[i].s, m->v[i].len), "seed %llu step %d: backwards %zu",
                  (unsigned long long)g_seed, g_step, i);
    cr_assert_null(p);
}

/* Expected lp_find result: index of the first match among every
 * (skip+1)-th element from `from`, or -1. */
static long m_find(const model_t *m, size_t from, const char *s, size_t len, unsigned skip)
{
    for (size_t i = from; i < m->n; i += skip + 1)
        if (m_eq(&m->v[i], s, len))
            return (long)i;
    return -1;
}

static unsigned char *m_step(unsigned char *lp, model_t *m, uint64_t *s, char *buf)
{
    size_t n = m->n, i = n ? rnd(s) % n : 0, len = rnd_str(s, buf);
    unsigned op = (unsigned)(rnd(s) % (n > 300 ? 14 : 12));
    unsigned char *p = n ? lp_seek(lp, (long)i) : NULL, *q;

    switch (n ? op : op % 2) {
    case 0: lp = must(lp_append(lp, buf, len)); m_insert(m, n, buf, len); break;
    case 1: lp = must(lp_prepend(lp, buf, len)); m_insert(m, 0, buf, len); break;
    case 2: case 3:
        lp = must(lp_insert(lp, p, buf, len, op == 2 ? LP_BEFORE : LP_AFTER, &q));
        m_insert(m, i + (op == 3), buf, len);
        cr_assert_eq(q, lp_seek(lp, (long)(i + (op == 3))));
        break;
    case 4:
        lp = must(lp_insert(lp, p, buf, len, LP_REPLACE, &q));
        m_delete(m, i, 1);
        m_insert(m, i, buf, len);
        cr_assert_eq(q, lp_seek(lp, (long)i));
        break;
    case 5: case 12:
        lp = lp_delete(lp, p, &q);
        m_delete(m, i, 1);
        cr_assert_eq(q, lp_seek(lp, (long)i));
        break;
    case 6: case 13: {
        unsigned long c = (unsigned long)(rnd(s) % 8);
        long idx = rnd(s) % 2 ? (long)i : (long)i - (long)n;
        lp = rnd(s) % 2 ? lp_delete_range(lp, idx, c) : lp_delete_range_at(lp, p, c);
        m_delete(m, i, c);
        break;
    }
    case 7: {
        lp_str_t v[4];
        char *b2 = buf + 20000;
        size_t cnt = rnd(s) % 4, off = 0;
        for (size_t k = 0; k < cnt; k++) {
            v[k].len = rnd_str(s, b2 + off);
            v[k].s = b2 + off;
            off += v[k].len;
        }
        lp = must(lp_append_batch(lp, v, cnt));
        for (size_t k = 0; k < cnt; k++)
            m_insert(m, m->n, v[k].s, v[k].len);
        break;
    }
    case 8: {
        unsigned char *b = must(lp_new(0));
        size_t cnt = rnd(s) % 4;
        for (size_t k = 0; k < cnt; k++) {
            len = rnd_str(s, buf);
            b = must(lp_append(b, buf, len));
            m_insert(m, m->n, buf, len);
        }
        lp = must(lp_concat(lp, b));
        lp_free(b);
        break;
    }
    case 9: case 10: {
        unsigned skip = (unsigned)(rnd(s) % 3);
        size_t from = rnd(s) % (n + 1);
        const mstr_t *t = rnd(s) % 4 ? &m->v[i] : NULL;
        const char *ts = t ? t->s : buf;
        size_t tl = t ? t->len : len;
        long want = m_find(m, from, ts, tl, skip);
        q = lp_find(lp, from < n ? lp_seek(lp, (long)from) : NULL, ts, tl, skip);
        cr_assert_eq(q, want < 0 ? NULL : lp_seek(lp, want), "seed %llu step %d: find",
                     (unsigned long long)g_seed, g_step);
        break;
    }
    default: {
        long idx = (long)(rnd(s) % (2 * n + 3)) - (long)n - 1;
        long norm = idx < 0 ? idx + (long)n : idx;
        q = lp_seek(lp, idx);
        if (norm < 0 || norm >= (long)n)
            cr_assert_null(q);
        else
            cr_assert(lp_eq(q, m->v[norm].s, m->v[norm].len));
    }
    }
    return lp;
}

Test(lp_model, random_ops)
{
    const char *env = getenv("LP_SEED");
    uint64_t seeds[] = {1, 2, 3, 0xdeadbeef};
    size_t nseeds = env ? 1 : 4;
    char *buf = malloc(20000 + 4 * 16400); /* one string, then a batch of up to 3 */

    for (size_t k = 0; k < nseeds; k++) {
        model_t m = {0};
        uint64_t s;
        unsigned char *lp = must(lp_new(0));

        g_seed = env ? strtoull(env, NULL, 0) : seeds[k];
        s = g_seed * 0x9e3779b97f4a7c15ULL + 1;
        for (g_step = 0; g_step < 4000; g_step++) {
            lp = m_step(lp, &m, &s, buf);
            m_check(lp, &m);
        }
        m_delete(&m, 0, m.n);
        free(m.v);
        lp_free(lp);
    }
    free(buf);
}
