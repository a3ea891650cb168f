/*
 * test_zset_obj.c - the sorted set encoding layer (store/types/zset_obj.h)
 * on both encodings: member order by memcmp (integers in a listpack too),
 * -0 against 0, infinities, the conversion points (entries and value
 * length, zobj_new_for, zobj_build), the score text ZSCAN gives, and
 * random operation sequences checked against a simple sorted-array model
 * with zobj_validate, converting midway.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db/value.h"
#include "store/types/zset_obj.h"

static store_cfg_t cfg;
static zobj_t z;

static void setup(void)
{
    cfg = STORE_CFG_DEFAULT;
    z = (zobj_t){ENC_ZSET_LP, NULL};
}

static void teardown(void)
{
    zobj_free(&z);
}

TestSuite(zset_obj, .init = setup, .fini = teardown);

static void add(const char *m, double score)
{
    cr_assert_eq(zobj_insert(&z, m, strlen(m), score, &cfg), 0, "insert %s", m);
    cr_assert(zobj_validate(&z), "after inserting %s", m);
}

/* The member of rank r is m. */
static void at_is(size_t r, const char *m, size_t len)
{
    zobj_elem_t e;
    zobj_at(&z, r, &e);
    cr_assert(e.len == len && memcmp(e.s, m, len) == 0, "rank %zu: %.*s, not %.*s", r,
              (int)e.len, e.s, (int)len, m);
}

Test(zset_obj, member_order_is_memcmp)
{
    cr_assert_lt(zobj_cmp_member("a", 1, "b", 1), 0);
    cr_assert_lt(zobj_cmp_member("a", 1, "a\0", 2), 0);
    cr_assert_lt(zobj_cmp_member("", 0, "a", 1), 0);
    cr_assert_lt(zobj_cmp_member("ab", 2, "b", 1), 0);
    cr_assert_gt(zobj_cmp_member("\x80", 1, "z", 1), 0, "bytes are unsigned");
    cr_assert_eq(zobj_cmp_member("abc", 3, "abc", 3), 0);
    /* Equal scores: members in memcmp order on both encodings, integers
     * (stored as such in a listpack) included: "10" < "9" < "a". */
    const char *in[] = {"9", "a", "10", "-1", "", "\x80", "a\0", "9223372036854775807", "-0"};
    size_t lens[] = {1, 1, 2, 2, 0, 1, 2, 19, 2};
    const char *want[] = {"", "-0", "-1", "10", "9", "9223372036854775807", "a", "a\0", "\x80"};
    size_t wlens[] = {0, 2, 2, 2, 1, 19, 1, 2, 1};
    for (int big = 0; big < 2; big++) {
        zobj_free(&z);
        cr_assert_eq(zobj_new(&z, big), 0);
        for (size_t i = 0; i < 9; i++) {
            cr_assert_eq(zobj_insert(&z, in[i], lens[i], 5, &cfg), 0);
            cr_assert(zobj_validate(&z));
        }
        cr_assert_eq(z.enc, big ? ENC_ZSET_ZS : ENC_ZSET_LP);
        for (size_t r = 0; r < 9; r++) {
            at_is(r, want[r], wlens[r]);
            cr_assert_eq(zobj_rank(&z, want[r], wlens[r]), (long long)r);
        }
        cr_assert_eq(zobj_rank(&z, "09", 2), -1);
    }
}

Test(zset_obj, scores_order_zero_and_infinities)
{
    for (int big = 0; big < 2; big++) {
        zobj_free(&z);
        cr_assert_eq(zobj_new(&z, big), 0);
        add("b", -0.0);
        add("a", 0.0);
        add("top", INFINITY);
        add("bottom", -INFINITY);
        add("c", -0.0);
        /* -0 equals 0: a, b, c by member between the infinities. */
        at_is(0, "bottom", 6);
        at_is(1, "a", 1);
        at_is(2, "b", 1);
        at_is(3, "c", 1);
        at_is(4, "top", 3);
        double s;
        cr_assert(zobj_score(&z, "b", 1, &s));
        cr_assert_eq(s, 0.0);
        /* A listpack stores -0 as 0 (as Redis); the big form keeps the
         * sign, which Redis then prints as "-0". */
        char buf[NUM_D_BUF];
        size_t n = zobj_score_text(&z, s, buf);
        cr_assert_eq(signbit(s) != 0, big, "sign of -0");
        cr_assert(n == (big ? 2u : 1u) && memcmp(buf, big ? "-0" : "0", n) == 0);
        cr_assert_eq(zobj_lower_score(&z, 0, false), 1);
        cr_assert_eq(zobj_lower_score(&z, -0.0, true), 4);
        cr_assert_eq(zobj_lower_score(&z, INFINITY, false), 4);
        cr_assert_eq(zobj_lower_score(&z, INFINITY, true), 5);
        cr_assert_eq(zobj_lower_score(&z, -INFINITY, false), 0);
        cr_assert_eq(zobj_update(&z, "top", 3, -INFINITY), 0);
        cr_assert(zobj_validate(&z));
        at_is(0, "bottom", 6);
        at_is(1, "top", 3);
    }
}

/* What ZSCAN prints: a listpack's stored form, the big form's "%.17g". */
Test(zset_obj, score_text_each_encoding)
{
    struct {
        double d;
        const char *lp, *big;
    } t[] = {
        {3, "3", "3"},
        {1.5, "1.5", "1.5"},
        {0.1, "0.10000000000000001", "0.10000000000000001"},
        {1e20, "1e+20", "1e+20"},
        {INFINITY, "inf", "inf"},
        {-INFINITY, "-inf", "-inf"},
        {4611686018427387904.0, "4611686018427387904", "4.6116860184273879e+18"},
        {-4611686018427387904.0, "-4611686018427387904", "-4.6116860184273879e+18"},
        {9223372036854775808.0, "9.2233720368547758e+18", "9.2233720368547758e+18"},
        {123456789012.5, "123456789012.5", "123456789012.5"},
    };
    zobj_t lp = {ENC_ZSET_LP, NULL}, big = {ENC_ZSET_ZS, NULL};
    char buf[NUM_D_BUF];
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        size_t n = zobj_score_text(&lp, t[i].d, buf);
        cr_assert(n == strlen(t[i].lp) && memcmp(buf, t[i].lp, n) == 0, "listpack %s: %.*s",
                  t[i].lp, (int)n, buf);
        n = zobj_score_text(&big, t[i].d, buf);
        cr_assert(n == strlen(t[i].big) && memcmp(buf, t[i].big, n) == 0, "big %s: %.*s",
                  t[i].big, (int)n, buf);
    }
}

Test(zset_obj, conversion_at_the_entries_limit)
{
    cfg.zset_max_listpack_entries = 4;
    cr_assert_eq(zobj_new_for(&z, 1, &cfg), 0);
    cr_assert_eq(z.enc, ENC_ZSET_LP);
    add("a", 1);
    add("b", 2);
    add("c", 3);
    add("d", 4);
    cr_assert_eq(z.enc, ENC_ZSET_LP, "4 entries fit");
    add("e", 5);
    cr_assert_eq(z.enc, ENC_ZSET_ZS, "the 5th converts");
    cr_assert_eq(zobj_len(&z), 5);
    for (size_t r = 0; r < 5; r++)
        at_is(r, (const char[]){(char)('a' + r)}, 1);
    for (const char *m = "abcd"; *m; m++)
        cr_assert(zobj_delete(&z, m, 1));
    cr_assert_eq(z.enc, ENC_ZSET_ZS, "never goes back");
    cr_assert(zobj_validate(&z));
    zobj_free(&z);
    cfg.zset_max_listpack_entries = 0;
    cr_assert_eq(zobj_new_for(&z, 1, &cfg), 0);
    cr_assert_eq(z.enc, ENC_ZSET_ZS, "no entries allowed: the big form at once");
}

Test(zset_obj, conversion_at_the_value_limit)
{
    cfg.zset_max_listpack_value = 8;
    cr_assert_eq(zobj_new_for(&z, 8, &cfg), 0);
    cr_assert_eq(z.enc, ENC_ZSET_LP);
    add("12345678", 1);
    cr_assert_eq(z.enc, ENC_ZSET_LP, "8 bytes fit");
    add("123456789", 2);
    cr_assert_eq(z.enc, ENC_ZSET_ZS, "9 bytes convert");
    at_is(0, "12345678", 8);
    at_is(1, "123456789", 9);
    zobj_free(&z);
    cr_assert_eq(zobj_new_for(&z, 9, &cfg), 0);
    cr_assert_eq(z.enc, ENC_ZSET_ZS, "a first member too long: the big form");
    zobj_free(&z);
    /* zobj_convert keeps everything. */
    cr_assert_eq(zobj_new(&z, false), 0);
    add("x", 1.5);
    add("42", -3);
    cr_assert_eq(zobj_convert(&z), 0);
    cr_assert_eq(z.enc, ENC_ZSET_ZS);
    cr_assert(zobj_validate(&z));
    at_is(0, "42", 2);
    double s;
    cr_assert(zobj_score(&z, "x", 1, &s) && s == 1.5);
}

Test(zset_obj, build_picks_the_encoding)
{
    cfg.zset_max_listpack_entries = 4;
    cfg.zset_max_listpack_value = 5;
    zobj_pair_t p[] = {{"a", 1, 1}, {"b", 1, 2}, {"c", 1, 3}, {"d", 1, 4}, {"e", 1, 5}};
    cr_assert_eq(zobj_build(&z, p, 4, &cfg), 0);
    cr_assert_eq(z.enc, ENC_ZSET_LP);
    cr_assert_eq(zobj_len(&z), 4);
    cr_assert(zobj_validate(&z));
    zobj_free(&z);
    cr_assert_eq(zobj_build(&z, p, 5, &cfg), 0);
    cr_assert_eq(z.enc, ENC_ZSET_ZS, "over the entries");
    cr_assert(zobj_validate(&z));
    zobj_free(&z);
    zobj_pair_t q[] = {{"a", 1, 1}, {"longer", 6, 2}};
    cr_assert_eq(zobj_build(&z, q, 2, &cfg), 0);
    cr_assert_eq(z.enc, ENC_ZSET_ZS, "a member over the value limit");
    at_is(1, "longer", 6);
}

/* ---- random sequences against a model ---- */

typedef struct mpair {
    char s[8];
    size_t len;
    double score;
} mpair_t;

/* The model's order, written apart from zobj_cmp_pair: score, then bytes. */
static int mcmp(const mpair_t *a, const mpair_t *b)
{
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static mpair_t model[4096];
static size_t mlen;

static long mfind(const char *s, size_t len)
{
    for (size_t i = 0; i < mlen; i++)
        if (model[i].len == len && memcmp(model[i].s, s, len) == 0)
            return (long)i;
    return -1;
}

static void msort(void)
{
    for (size_t i = 1; i < mlen; i++)
        for (size_t j = i; j > 0 && mcmp(&model[j - 1], &model[j]) > 0; j--) {
            mpair_t t = model[j];
            model[j] = model[j - 1];
            model[j - 1] = t;
        }
}

static void check_all(unsigned step)
{
    cr_assert(zobj_validate(&z), "step %u", step);
    cr_assert_eq(zobj_len(&z), mlen, "step %u", step);
    zobj_iter_t it;
    zobj_elem_t e;
    zobj_iter_init(&it, &z, 0, true);
    for (size_t i = 0; i < mlen; i++) {
        cr_assert(zobj_iter_next(&it, &e));
        cr_assert(e.len == model[i].len && memcmp(e.s, model[i].s, e.len) == 0 &&
                      e.score == model[i].score,
                  "step %u rank %zu", step, i);
    }
    cr_assert(!zobj_iter_next(&it, &e));
    if (mlen) {
        zobj_iter_init(&it, &z, mlen - 1, false);
        for (size_t i = mlen; i-- > 0;) {
            cr_assert(zobj_iter_next(&it, &e));
            cr_assert(e.len == model[i].len && memcmp(e.s, model[i].s, e.len) == 0);
        }
    }
}

/* Members from a small alphabet (so they collide, and some are integers
 * a listpack stores as such), scores from a small set with ties, -0,
 * infinities and fractions. */
static void random_member(char *s, size_t *len)
{
    static const char alpha[] = "01a9-\x80";
    *len = (size_t)rand() % 5;
    for (size_t i = 0; i < *len; i++)
        s[i] = alpha[rand() % 6];
}

static double random_score(void)
{
    static const double v[] = {0, -0.0, 1, -1, 1.5, 3, INFINITY, -INFINITY, 1e20, 0.1,
                               4611686018427387904.0};
    return v[rand() % 11];
}

static void random_ops(bool start_big, long long entries, long long value, unsigned seed)
{
    srand(seed);
    cfg.zset_max_listpack_entries = entries;
    cfg.zset_max_listpack_value = value;
    zobj_free(&z);
    cr_assert_eq(zobj_new(&z, start_big), 0);
    mlen = 0;
    bool converted = start_big;
    for (unsigned step = 0; step < 3000; step++) {
        char s[8];
        size_t len;
        random_member(s, &len);
        long at = mfind(s, len);
        int op = rand() % 10;
        if (op < 5) {
            double sc = random_score();
            if (at < 0) {
                cr_assert_eq(zobj_insert(&z, s, len, sc, &cfg), 0);
                cr_assert(mlen < sizeof model / sizeof *model);
                memcpy(model[mlen].s, s, len);
                model[mlen].len = len;
                model[mlen++].score = sc;
            } else {
                cr_assert_eq(zobj_update(&z, s, len, sc), 0);
                model[at].score = sc;
            }
            msort();
        } else if (op < 8) {
            cr_assert_eq(zobj_delete(&z, s, len), at >= 0, "step %u delete", step);
            if (at >= 0)
                memmove(&model[at], &model[at + 1], (mlen-- - (size_t)at - 1) * sizeof *model);
        } else if (op == 8 && mlen) {
            size_t start = (size_t)rand() % mlen, count = (size_t)rand() % 3;
            size_t want = start + count > mlen ? mlen - start : count;
            cr_assert_eq(zobj_delete_range(&z, start, count), want);
            memmove(&model[start], &model[start + want], (mlen - start - want) * sizeof *model);
            mlen -= want;
        }
        double sc;
        cr_assert_eq(zobj_score(&z, s, len, &sc), mfind(s, len) >= 0);
        cr_assert_eq(zobj_rank(&z, s, len), (long long)mfind(s, len), "step %u rank", step);
        double q = random_score();
        size_t lo = 0;
        while (lo < mlen && model[lo].score < q)
            lo++;
        cr_assert_eq(zobj_lower_score(&z, q, false), lo, "step %u lower %g", step, q);
        converted |= z.enc == ENC_ZSET_ZS;
        if (converted)
            cr_assert_eq(z.enc, ENC_ZSET_ZS, "never back to a listpack");
        if (step % 16 == 0)
            check_all(step);
    }
    check_all(3000);
    if (entries >= 2000 && value >= 64)
        cr_assert_eq(z.enc, start_big ? ENC_ZSET_ZS : ENC_ZSET_LP, "within the limits");
    else
        cr_assert(converted, "the sequence was meant to convert");
}

Test(zset_obj, random_sequences_both_encodings)
{
    random_ops(false, 2000, 64, 1);     /* stays a listpack (at most 1555 members) */
    random_ops(true, 128, 64, 2);       /* the big form throughout */
    random_ops(false, 40, 64, 3);       /* converts on entries */
    random_ops(false, 2000, 3, 4);      /* converts on a member's length */
}
