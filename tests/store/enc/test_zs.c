/*
 * test_zs.c - the big sorted set (store/enc/zs.h): empty and one-member
 * sets, node layout and binary members, the order (equal scores by
 * member bytes with prefixes, NULs and the empty member; -0.0 and 0.0;
 * infinities), lower bounds by score and by member at every boundary,
 * delete_range at the ends and in the middle, updates in place and
 * across many leaves, iteration both ways from every rank, uniform
 * random picks, the member index's growth, shrinking and rehashing on
 * writes only, the scan guarantee while it resizes, bounded freeing,
 * allocation failure at every allocation of insert and update, a seeded
 * model-based random test against a sorted array (zs_validate after every
 * step, deep trees through small fan-outs), and memory and speed for a
 * million members (printed, memory also bounded).
 *
 * Allocation failures are injected through the linker (alloc_fail.h).
 * Seeds: ZS_SEED=<n> reruns the model and scan tests with one seed;
 * failures print the seed.  ZS_VERBOSE=1 prints statistics.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/base/hash.h"
#include "store/enc/zs.h"
#include "store/enc/zs_tree.h"     /* ZS_LEAF_CAP, ZS_INNER_CAP for the report */

/* ---- allocation failure injection ---- */

#include "alloc_fail.h"
#include "test_keys.h"

/* ---- members, checks ---- */

static zs_node_t *ins_id(zs_t *zs, unsigned id, double s)
{
    char b[256];
    size_t l = test_key(b, id);
    return zs_insert(zs, b, l, s);
}

static zs_node_t *find_id(zs_t *zs, unsigned id)
{
    char b[256];
    size_t l = test_key(b, id);
    return zs_find(zs, b, l);
}

/* A macro, so a failure names the caller's line. */
#define check(zs) cr_assert(zs_validate(zs), "zs_validate failed")

static int cmp_ms(double as, const char *am, size_t al, double bs, const char *bm, size_t bl)
{
    if (as != bs)
        return as < bs ? -1 : 1;
    size_t l = al < bl ? al : bl;
    int c = l ? memcmp(am, bm, l) : 0;
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static bool same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Every member in order; at(i) and rank agree with the iteration. */
static size_t in_order(zs_t *zs, zs_node_t **out, size_t max)
{
    zs_iter_t it;
    size_t n = 0;
    zs_iter_init(&it, zs, 0, true);
    for (zs_node_t *e; (e = zs_iter_next(&it));) {
        cr_assert_lt(n, max);
        out[n++] = e;
    }
    cr_assert_eq(n, zs_len(zs));
    return n;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- basics ---- */

static void scan_none(void *arg, const zs_node_t *n)
{
    (void)n;
    (*(int *)arg)++;
}

Test(zs, empty_set)
{
    zs_t *zs = zs_new(1);
    cr_assert_not_null(zs);
    cr_assert_eq(zs_len(zs), 0);
    cr_assert_gt(zs_mem(zs), 0);
    size_t mem = zs_mem(zs);
    cr_assert_null(zs_find(zs, "a", 1));
    cr_assert_null(zs_find(zs, "", 0));
    cr_assert_null(zs_at(zs, 0));
    cr_assert_null(zs_at(zs, SIZE_MAX));
    cr_assert_eq(zs_lower_score(zs, 0, false), 0);
    cr_assert_eq(zs_lower_score(zs, -INFINITY, true), 0);
    cr_assert_eq(zs_lower_lex(zs, "a", 1, false), 0);
    cr_assert_eq(zs_lower_lex(zs, "", 0, true), 0);
    cr_assert_eq(zs_delete_range(zs, 0, 10), 0);
    zs_iter_t it;
    zs_iter_init(&it, zs, 0, true);
    cr_assert_null(zs_iter_next(&it));
    zs_iter_init(&it, zs, 0, false);
    cr_assert_null(zs_iter_next(&it));
    uint64_t rng = 5;
    cr_assert_null(zs_random(zs, &rng));
    int calls = 0;
    cr_assert_eq(zs_scan(zs, 0, scan_none, &calls), 0);
    cr_assert_eq(calls, 0);
    size_t sz[2];
    zs_index_sizes(zs, sz);
    cr_assert(sz[0] == 0 && sz[1] == 0);
    cr_assert_eq(zs_mem(zs), mem);
    check(zs);
    zs_free(zs);
    zs_free(NULL);
    zs = zs_new(0);                     /* random seed */
    cr_assert_not_null(zs);
    check(zs);
    zs_free(zs);
}

Test(zs, one_member)
{
    zs_t *zs = zs_new(2);
    size_t mem0 = zs_mem(zs);
    zs_node_t *n = zs_insert(zs, "hello", 5, 1.5);
    cr_assert_not_null(n);
    check(zs);
    cr_assert_eq(zs_len(zs), 1);
    cr_assert_gt(zs_mem(zs), mem0);
    size_t len;
    const char *m = zs_member(n, &len);
    cr_assert(len == 5 && memcmp(m, "hello", 5) == 0);
    cr_assert(zs_score(n) == 1.5);
    cr_assert_eq(zs_find(zs, "hello", 5), n);
    cr_assert_null(zs_find(zs, "hell", 4));
    cr_assert_null(zs_find(zs, "hello!", 6));
    cr_assert_eq(zs_rank(zs, n), 0);
    cr_assert_eq(zs_at(zs, 0), n);
    cr_assert_null(zs_at(zs, 1));
    cr_assert_eq(zs_lower_score(zs, 1.5, false), 0);
    cr_assert_eq(zs_lower_score(zs, 1.5, true), 1);
    cr_assert_eq(zs_lower_score(zs, 1, true), 0);
    cr_assert_eq(zs_lower_score(zs, 2, false), 1);
    cr_assert_eq(zs_lower_lex(zs, "hello", 5, false), 0);
    cr_assert_eq(zs_lower_lex(zs, "hello", 5, true), 1);
    cr_assert_eq(zs_lower_lex(zs, "hellp", 5, false), 1);
    for (int up = 0; up < 2; up++) {
        zs_iter_t it;
        zs_iter_init(&it, zs, 0, up);
        cr_assert_eq(zs_iter_next(&it), n);
        cr_assert_null(zs_iter_next(&it));
        zs_iter_init(&it, zs, 1, up);
        cr_assert_null(zs_iter_next(&it));
    }
    uint64_t rng = 1;
    cr_assert_eq(zs_random(zs, &rng), n);
    cr_assert_eq(zs_update(zs, n, -7), 0);
    cr_assert_eq(zs_find(zs, "hello", 5), n);
    cr_assert(zs_score(n) == -7);
    check(zs);
    zs_delete(zs, n);
    check(zs);
    cr_assert_eq(zs_len(zs), 0);
    cr_assert_null(zs_find(zs, "hello", 5));
    cr_assert_null(zs_at(zs, 0));
    /* Again, then emptied by range. */
    cr_assert_not_null(zs_insert(zs, "x", 1, 0));
    cr_assert_eq(zs_delete_range(zs, 0, SIZE_MAX), 1);
    check(zs);
    cr_assert_eq(zs_len(zs), 0);
    zs_free(zs);
}

Test(zs, node_layout_and_binary_members)
{
    zs_t *zs = zs_new(3);
    char big[300];
    memset(big, 'b', sizeof big);
    const struct { const char *m; size_t len; } ms[] = {
        {"", 0}, {"\0", 1}, {"\0\0", 2}, {"a\0b", 3}, {"\xff\xfe", 2},
        {big, 127}, {big, 128}, {big, 300},
    };
    size_t n = sizeof ms / sizeof ms[0];
    for (size_t i = 0; i < n; i++) {
        size_t before = zs_mem(zs), sz0[2];
        zs_index_sizes(zs, sz0);
        size_t index_before = (sz0[0] + sz0[1]) * sizeof(void *);
        zs_node_t *e = zs_insert(zs, ms[i].m, ms[i].len, (double)i);
        cr_assert_not_null(e);
        /* One allocation: the header, a varint and the bytes (+ index). */
        /* A write may also finish a rehash and free the old buckets. */
        size_t sz[2];
        zs_index_sizes(zs, sz);
        size_t index_after = (sz[0] + sz[1]) * sizeof(void *);
        cr_assert_geq(zs_mem(zs) + index_before - index_after - before,
                      16 + 1 + ms[i].len);
        size_t l;
        const char *b = zs_member(e, &l);
        cr_assert(l == ms[i].len && (l == 0 || memcmp(b, ms[i].m, l) == 0));
    }
    check(zs);
    for (size_t i = 0; i < n; i++) {
        zs_node_t *e = zs_find(zs, ms[i].m, ms[i].len);
        cr_assert_not_null(e, "member %zu", i);
        cr_assert(zs_score(e) == (double)i);
        cr_assert_eq(zs_rank(zs, e), i);
    }
    cr_assert_null(zs_find(zs, big, 129));
    cr_assert_null(zs_find(zs, "\0\0\0", 3));
    zs_free(zs);
}

/* ---- the order ---- */

Test(zs, equal_scores_by_member_bytes)
{
    static const struct { const char *m; size_t len; } sorted[] = {
        {"", 0}, {"\0", 1}, {"\0\0", 2}, {"\0a", 2}, {"a", 1}, {"a\0", 2},
        {"aa", 2}, {"aab", 3}, {"ab", 2}, {"b", 1}, {"\x7f", 1},
        {"\x80", 1}, {"\xff", 1}, {"\xff\xff", 2},
    };
    const size_t n = sizeof sorted / sizeof sorted[0];
    unsigned fan[][2] = {{4, 4}, {60, 32}};
    for (int f = 0; f < 2; f++) {
        zs_t *zs = zs_new_fanout(4, fan[f][0], fan[f][1]);
        /* A shuffled insertion order (5 is coprime with 14). */
        for (size_t i = 0; i < n; i++) {
            size_t j = (i * 5 + 3) % n;
            cr_assert_not_null(zs_insert(zs, sorted[j].m, sorted[j].len, 2.5));
        }
        check(zs);
        for (size_t i = 0; i < n; i++) {
            size_t l;
            const char *m = zs_member(zs_at(zs, i), &l);
            cr_assert(l == sorted[i].len && memcmp(m, sorted[i].m, l) == 0,
                      "fanout %u: rank %zu out of order", fan[f][0], i);
        }
        /* A lower score goes first whatever its bytes. */
        cr_assert_not_null(zs_insert(zs, "\xff\xff\xff", 3, 2.4));
        cr_assert_eq(zs_rank(zs, zs_find(zs, "\xff\xff\xff", 3)), 0);
        zs_free(zs);
    }

    /* Many equal scores across many leaves, against qsort. */
    zs_t *zs = zs_new(5);
    enum { N = 2000 };
    static char names[N][256];
    static size_t lens[N];
    unsigned idx[N];
    /* All names first: inserting in the shuffled order reads names not
     * yet made otherwise (duplicates of "", which zs_insert forbids). */
    for (unsigned i = 0; i < N; i++) {
        lens[i] = test_key(names[i], i);
        idx[i] = i;
    }
    for (unsigned i = 0; i < N; i++)
        cr_assert_not_null(zs_insert(zs, names[(i * 7919) % N], lens[(i * 7919) % N], 0));
    for (unsigned i = 1; i < N; i++)        /* insertion sort by bytes */
        for (unsigned j = i; j > 0 && cmp_ms(0, names[idx[j - 1]], lens[idx[j - 1]],
                                             0, names[idx[j]], lens[idx[j]]) > 0; j--) {
            unsigned t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    check(zs);
    for (unsigned i = 0; i < N; i++) {
        zs_node_t *e = zs_at(zs, i);
        size_t l;
        const char *m = zs_member(e, &l);
        cr_assert(l == lens[idx[i]] && (l == 0 || memcmp(m, names[idx[i]], l) == 0), "rank %u", i);
        cr_assert_eq(zs_rank(zs, e), i);
    }
    zs_free(zs);
}

Test(zs, negative_zero_equals_zero)
{
    zs_t *zs = zs_new_fanout(6, 4, 4);
    cr_assert_not_null(zs_insert(zs, "c", 1, -0.0));
    cr_assert_not_null(zs_insert(zs, "a", 1, 0.0));
    cr_assert_not_null(zs_insert(zs, "b", 1, -0.0));
    cr_assert_not_null(zs_insert(zs, "d", 1, 0.0));
    cr_assert_not_null(zs_insert(zs, "e", 1, -0.0));
    check(zs);
    const char *want = "abcde";
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(zs_member(zs_at(zs, i), &(size_t){0})[0], want[i]);
    cr_assert_eq(zs_lower_score(zs, 0.0, false), 0);
    cr_assert_eq(zs_lower_score(zs, -0.0, false), 0);
    cr_assert_eq(zs_lower_score(zs, 0.0, true), 5);
    cr_assert_eq(zs_lower_score(zs, -0.0, true), 5);
    /* Both orders of the sign keep the node in place, and the sign. */
    zs_node_t *a = zs_find(zs, "a", 1);
    cr_assert_eq(zs_update(zs, a, -0.0), 0);
    cr_assert(signbit(zs_score(a)));
    cr_assert_eq(zs_rank(zs, a), 0);
    zs_node_t *c = zs_find(zs, "c", 1);
    cr_assert_eq(zs_update(zs, c, 0.0), 0);
    cr_assert(!signbit(zs_score(c)));
    cr_assert_eq(zs_rank(zs, c), 2);
    check(zs);
    /* A negative tiny score goes before them all. */
    zs_node_t *z = zs_insert(zs, "z", 1, -1e-300);
    cr_assert_eq(zs_rank(zs, z), 0);
    check(zs);
    zs_free(zs);
}

Test(zs, infinities)
{
    zs_t *zs = zs_new_fanout(7, 4, 4);
    const double sc[] = {INFINITY, -INFINITY, 0, 1e308, -1e308, INFINITY, -INFINITY, 5};
    const char *m[] = {"p", "q", "r", "s", "t", "u", "v", "w"};
    for (int i = 0; i < 8; i++)
        cr_assert_not_null(zs_insert(zs, m[i], 1, sc[i]));
    check(zs);
    /* -inf: q v; -1e308: t; 0: r; 5: w; 1e308: s; inf: p u */
    const char *want = "qvtrwspu";
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(zs_member(zs_at(zs, i), &(size_t){0})[0], want[i]);
    cr_assert_eq(zs_lower_score(zs, -INFINITY, false), 0);
    cr_assert_eq(zs_lower_score(zs, -INFINITY, true), 2);
    cr_assert_eq(zs_lower_score(zs, INFINITY, false), 6);
    cr_assert_eq(zs_lower_score(zs, INFINITY, true), 8);
    cr_assert_eq(zs_lower_score(zs, 1e308, true), 6);
    cr_assert_eq(zs_lower_score(zs, -1e308, false), 2);
    /* Moves to and from the infinities. */
    zs_node_t *r = zs_find(zs, "r", 1);
    cr_assert_eq(zs_update(zs, r, INFINITY), 0);
    cr_assert_eq(zs_rank(zs, r), 6);            /* ... s p r u */
    cr_assert_eq(zs_member(zs_at(zs, 5), &(size_t){0})[0], 'p');
    cr_assert_eq(zs_update(zs, r, -INFINITY), 0);
    cr_assert_eq(zs_rank(zs, r), 1);            /* q r v */
    check(zs);
    zs_free(zs);
}

/* ---- lower bounds ---- */

static size_t brute_lower_score(zs_node_t **all, size_t n, double s, bool excl)
{
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += excl ? zs_score(all[i]) <= s : zs_score(all[i]) < s;
    return r;
}

Test(zs, lower_score_every_boundary)
{
    /* Runs of 7 equal scores cross leaf boundaries at every offset. */
    unsigned fan[][2] = {{4, 4}, {5, 4}, {60, 32}};
    static zs_node_t *all[700];
    for (int f = 0; f < 3; f++) {
        zs_t *zs = zs_new_fanout(8, fan[f][0], fan[f][1]);
        for (unsigned i = 0; i < 700; i++) {
            unsigned id = (i * 263) % 700;
            cr_assert_not_null(ins_id(zs, id, (double)(id / 7)));
        }
        check(zs);
        size_t n = in_order(zs, all, 700);
        for (int k = -2; k <= 102; k++) {
            const double vs[] = {k - 0.5, k, k + 1e-9};
            for (int v = 0; v < 3; v++)
                for (int excl = 0; excl < 2; excl++)
                    cr_assert_eq(zs_lower_score(zs, vs[v], excl),
                                 brute_lower_score(all, n, vs[v], excl),
                                 "fanout %u: %g excl %d", fan[f][0], vs[v], excl);
        }
        const double ends[] = {-INFINITY, INFINITY, -0.0, 0.0, -1e300, 1e300};
        for (int v = 0; v < 6; v++)
            for (int excl = 0; excl < 2; excl++)
                cr_assert_eq(zs_lower_score(zs, ends[v], excl),
                             brute_lower_score(all, n, ends[v], excl));
        zs_free(zs);
    }
}

Test(zs, lower_lex_every_boundary)
{
    unsigned fan[][2] = {{4, 4}, {60, 32}};
    static zs_node_t *all[600];
    for (int f = 0; f < 2; f++) {
        zs_t *zs = zs_new_fanout(9, fan[f][0], fan[f][1]);
        for (unsigned i = 0; i < 600; i++) {
            unsigned id = (i * 389) % 600;
            cr_assert_not_null(ins_id(zs, id, (id & 1) ? 0.0 : -0.0));
        }
        check(zs);
        size_t n = in_order(zs, all, 600);
        for (unsigned id = 0; id < 640; id++) {      /* present and absent */
            char b[260];
            size_t l = test_key(b, id);
            /* The member, it + NUL, it without its last byte, it + 0xff. */
            for (int var = 0; var < 4; var++) {
                size_t ql = l;
                if (var == 1)
                    b[ql++] = 0;
                else if (var == 2 && ql > 0)
                    ql--;
                else if (var == 3)
                    b[ql++] = (char)0xff;
                for (int excl = 0; excl < 2; excl++) {
                    size_t want = 0;
                    for (size_t i = 0; i < n; i++) {
                        size_t ml;
                        const char *m = zs_member(all[i], &ml);
                        int c = cmp_ms(0, m, ml, 0, b, ql);
                        want += excl ? c <= 0 : c < 0;
                    }
                    cr_assert_eq(zs_lower_lex(zs, b, ql, excl), want,
                                 "fanout %u: id %u variant %d excl %d", fan[f][0], id, var, excl);
                }
            }
        }
        cr_assert_eq(zs_lower_lex(zs, "", 0, false), 0);
        cr_assert_eq(zs_lower_lex(zs, "", 0, true), 1);     /* "" is member 0 */
        cr_assert_eq(zs_lower_lex(zs, "\xff\xff", 2, false), n);
        zs_free(zs);
    }
}

/* ---- removal ---- */

Test(zs, delete_range_ends_and_middle)
{
    unsigned fan[][2] = {{4, 4}, {60, 32}};
    static zs_node_t *before[3000], *after[3000];
    for (int f = 0; f < 2; f++) {
        zs_t *zs = zs_new_fanout(10, fan[f][0], fan[f][1]);
        for (unsigned i = 0; i < 3000; i++)
            cr_assert_not_null(ins_id(zs, (i * 1237) % 3000, (double)((i * 1237) % 3000)));
        const struct { size_t start, count; } cases[] = {
            {0, 1}, {0, 10}, {SIZE_MAX, 1}, {SIZE_MAX, 7},  /* SIZE_MAX: from the end */
            {400, 200}, {1, 1}, {1000, 1}, {50, 700}, {0, 0}, {2000, 5000},
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            size_t n = in_order(zs, before, 3000);
            size_t start = cases[c].start == SIZE_MAX ? n - cases[c].count : cases[c].start;
            size_t want = start >= n ? 0 : (cases[c].count < n - start ? cases[c].count : n - start);
            cr_assert_eq(zs_delete_range(zs, start, cases[c].count), want, "case %zu", c);
            check(zs);
            size_t m = in_order(zs, after, 3000);
            cr_assert_eq(m, n - want);
            for (size_t i = 0; i < m; i++)
                cr_assert_eq(after[i], before[i < start ? i : i + want], "case %zu rank %zu", c, i);
        }
        cr_assert_eq(zs_delete_range(zs, zs_len(zs), 3), 0);
        cr_assert_eq(zs_delete_range(zs, SIZE_MAX, 3), 0);
        size_t left = zs_len(zs);
        cr_assert_eq(zs_delete_range(zs, 0, SIZE_MAX), left);
        cr_assert_eq(zs_len(zs), 0);
        check(zs);
        /* Reusable after emptying. */
        cr_assert_not_null(ins_id(zs, 5, 1));
        check(zs);
        zs_free(zs);
    }
}

Test(zs, delete_range_frees_from_index)
{
    zs_t *zs = zs_new(11);
    for (unsigned i = 0; i < 500; i++)
        ins_id(zs, i, i);
    cr_assert_eq(zs_delete_range(zs, 100, 50), 50);
    for (unsigned i = 0; i < 500; i++)
        cr_assert_eq(find_id(zs, i) != NULL, i < 100 || i >= 150, "id %u", i);
    check(zs);
    zs_free(zs);
}

Test(zs, pop_from_both_ends)
{
    /* ZPOPMIN / ZPOPMAX: the end leaves drain one at a time. */
    unsigned fan[][2] = {{4, 4}, {60, 32}};
    for (int f = 0; f < 2; f++) {
        zs_t *zs = zs_new_fanout(12, fan[f][0], fan[f][1]);
        for (unsigned i = 0; i < 4000; i++)
            ins_id(zs, i, (double)((i * 7) % 4000));
        double lo = -1, hi = 1e9;
        for (unsigned k = 0; zs_len(zs); k++) {
            bool front = (k / 3) % 2;
            zs_node_t *e = zs_at(zs, front ? 0 : zs_len(zs) - 1);
            double s = zs_score(e);
            if (front) {
                cr_assert_gt(s, lo);
                lo = s;
            } else {
                cr_assert_lt(s, hi);
                hi = s;
            }
            cr_assert_eq(zs_delete_range(zs, front ? 0 : zs_len(zs) - 1, 1), 1);
            if (k % 97 == 0)
                check(zs);
        }
        check(zs);
        zs_free(zs);
    }
}

/* ---- updates ---- */

Test(zs, update_moves_across_many_leaves)
{
    unsigned fan[][2] = {{4, 4}, {60, 32}};
    for (int f = 0; f < 2; f++) {
        zs_t *zs = zs_new_fanout(13, fan[f][0], fan[f][1]);
        const unsigned n = 3000;
        for (unsigned i = 0; i < n; i++)
            ins_id(zs, i, (double)i);
        zs_node_t *a = find_id(zs, 0), *b = find_id(zs, n / 2);
        size_t mem = zs_mem(zs), mem_round0 = 0;
        for (int round = 0; round < 50; round++) {
            cr_assert_eq(zs_update(zs, a, 1e9 + round), 0);
            cr_assert_eq(zs_rank(zs, a), n - 1);
            cr_assert_eq(zs_at(zs, n - 1), a);
            cr_assert_eq(zs_update(zs, a, -1e9 - round), 0);
            cr_assert_eq(zs_rank(zs, a), 0);
            cr_assert_eq(zs_update(zs, b, 999.5), 0);  /* after a and ids 1..999: rank 1000 */
            cr_assert_eq(zs_rank(zs, b), 1000);
            cr_assert_eq(zs_update(zs, b, (double)(n / 2)), 0); /* back */
            cr_assert_eq(zs_rank(zs, b), n / 2);
            if (round % 10 == 0)
                check(zs);
            if (round == 0)
                mem_round0 = zs_mem(zs);
        }
        cr_assert_eq(find_id(zs, 0), a, "the node stays the same");
        cr_assert_eq(find_id(zs, n / 2), b);
        cr_assert_eq(zs_len(zs), n);
        /* Moving nodes back and forth leaves the memory about where it
         * was: the first move to the end may split a full right spine (a
         * leaf and up to 7 inner nodes of 1032 bytes at fan-out 4), later
         * rounds reuse that room and grow nothing. */
        cr_assert_leq(mem_round0, mem + 504 + 7 * 1032);
        cr_assert_leq(zs_mem(zs), mem_round0 + 1024);
        /* Everyone moves: reverse the order. */
        for (unsigned i = 0; i < n; i++)
            cr_assert_eq(zs_update(zs, find_id(zs, i), -(double)i), 0);
        check(zs);
        for (unsigned i = 0; i < n; i++)
            cr_assert_eq(zs_rank(zs, find_id(zs, i)), n - 1 - i);
        zs_free(zs);
    }
}

Test(zs, update_in_place_and_neighbours)
{
    zs_t *zs = zs_new_fanout(14, 4, 4);
    for (unsigned i = 0; i < 100; i++)
        ins_id(zs, i, 10.0 * i);
    /* Within the gap to its neighbours: no move, separators follow. */
    for (unsigned i = 0; i < 100; i++) {
        zs_node_t *e = find_id(zs, i);
        cr_assert_eq(zs_update(zs, e, 10.0 * i - 4), 0);
        cr_assert_eq(zs_rank(zs, e), i);
        cr_assert_eq(zs_update(zs, e, 10.0 * i + 4), 0);
        cr_assert_eq(zs_rank(zs, e), i);
        cr_assert_eq(zs_update(zs, e, 10.0 * i + 4), 0);       /* same score */
    }
    check(zs);
    /* Onto a neighbour's score: the member bytes decide. */
    zs_node_t *e5 = find_id(zs, 5), *e6 = find_id(zs, 6);
    cr_assert_eq(zs_update(zs, e6, zs_score(e5)), 0);
    size_t l5, l6;
    const char *m5 = zs_member(e5, &l5), *m6 = zs_member(e6, &l6);
    bool six_first = cmp_ms(0, m6, l6, 0, m5, l5) < 0;
    cr_assert_eq(zs_rank(zs, e6), six_first ? 5 : 6);
    cr_assert_eq(zs_rank(zs, e5), six_first ? 6 : 5);
    check(zs);
    zs_free(zs);
}

/* ---- iteration ---- */

Test(zs, iterate_both_ways_from_every_rank)
{
    unsigned fan[][2] = {{4, 4}, {5, 5}, {60, 32}};
    static zs_node_t *all[200];
    for (int f = 0; f < 3; f++) {
        zs_t *zs = zs_new_fanout(15, fan[f][0], fan[f][1]);
        for (unsigned i = 0; i < 200; i++)
            ins_id(zs, (i * 77) % 200, (double)((i * 77) % 200 / 3));
        size_t n = in_order(zs, all, 200);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(zs_at(zs, i), all[i]);
        for (size_t r = 0; r <= n + 1; r++) {
            zs_iter_t it;
            zs_iter_init(&it, zs, r, true);
            for (size_t i = r; i < n; i++)
                cr_assert_eq(zs_iter_next(&it), all[i], "up from %zu at %zu", r, i);
            cr_assert_null(zs_iter_next(&it));
            cr_assert_null(zs_iter_next(&it));
            zs_iter_init(&it, zs, r, false);
            if (r < n)
                for (size_t i = r + 1; i-- > 0;)
                    cr_assert_eq(zs_iter_next(&it), all[i], "down from %zu at %zu", r, i);
            cr_assert_null(zs_iter_next(&it));
            cr_assert_null(zs_iter_next(&it));
        }
        zs_free(zs);
    }
}

/* ---- random ---- */

Test(zs, random_uniform)
{
    unsigned fan[][2] = {{4, 4}, {60, 32}};
    enum { N = 300, DRAWS = 200 * N };
    for (int f = 0; f < 2; f++) {
        zs_t *zs = zs_new_fanout(16, fan[f][0], fan[f][1]);
        for (unsigned i = 0; i < N; i++)
            ins_id(zs, i, (double)(i % 17));
        size_t mem = zs_mem(zs);
        unsigned hits[N] = {0};
        uint64_t rng = 12345;
        for (unsigned d = 0; d < DRAWS; d++) {
            zs_node_t *e = zs_random(zs, &rng);
            cr_assert_not_null(e);
            hits[zs_rank(zs, e)]++;
        }
        /* Chi-square over N - 1 degrees of freedom: mean 299, sd ~24.5;
         * 6 sd above the mean fails only for a broken pick. */
        double e = (double)DRAWS / N, chi = 0;
        for (unsigned i = 0; i < N; i++)
            chi += (hits[i] - e) * (hits[i] - e) / e;
        cr_assert_lt(chi, (N - 1) + 6 * sqrt(2.0 * (N - 1)), "chi-square %.1f", chi);
        cr_assert_gt(chi, (N - 1) - 6 * sqrt(2.0 * (N - 1)), "too even: %.1f", chi);
        cr_assert_eq(zs_mem(zs), mem, "reads change nothing");
        zs_free(zs);
    }
}

/* ---- the member index ---- */

/* Buckets of both arrays (each empty one is a unit of zs_free_step). */
static size_t bucket_slots(const zs_t *zs)
{
    size_t sz[2];
    zs_index_sizes(zs, sz);
    return sz[0] + sz[1];
}

static bool is_rehashing(const zs_t *zs)
{
    size_t sz[2];
    zs_index_sizes(zs, sz);
    return sz[1] != 0;
}

static size_t buckets(const zs_t *zs)
{
    size_t sz[2];
    zs_index_sizes(zs, sz);
    return sz[1] ? sz[1] : sz[0];       /* the one being filled */
}

Test(zs, index_grows_shrinks_and_rehashes_on_writes)
{
    zs_t *zs = zs_new(17);
    for (unsigned i = 0; i < 4; i++)
        ins_id(zs, i, i);
    cr_assert_eq(buckets(zs), 4);
    cr_assert_not(is_rehashing(zs));
    ins_id(zs, 4, 4);                   /* load 1 reached: grow */
    cr_assert(is_rehashing(zs));
    cr_assert_eq(buckets(zs), 8);
    check(zs);
    unsigned next = 5;
    while (is_rehashing(zs))
        ins_id(zs, next, next), next++;
    check(zs);

    /* Grow to 1024 buckets, then stop half-way through the next rehash. */
    while (next < 1025)
        ins_id(zs, next, next), next++;
    cr_assert(is_rehashing(zs));
    ins_id(zs, next, next), next++;
    cr_assert(is_rehashing(zs), "one write moves one bucket, not all");
    /* Reads never move buckets nor change the memory. */
    size_t mem = zs_mem(zs), sz0[2], sz1[2];
    zs_index_sizes(zs, sz0);
    uint64_t rng = 3;
    for (unsigned i = 0; i < 5000; i++) {
        zs_node_t *e = find_id(zs, i % next);
        cr_assert_not_null(e);
        zs_rank(zs, e);
        zs_at(zs, i % next);
        zs_random(zs, &rng);
        zs_lower_score(zs, i, i & 1);
        zs_lower_lex(zs, "k:5", 3, false);
    }
    zs_iter_t it;
    zs_iter_init(&it, zs, 0, true);
    while (zs_iter_next(&it))
        ;
    int calls = 0;
    size_t cur = 0;
    do {
        cur = zs_scan(zs, cur, scan_none, &calls);
    } while (cur);
    cr_assert_eq(calls, (int)next);     /* a static table: each once */
    zs_index_sizes(zs, sz1);
    cr_assert(sz0[0] == sz1[0] && sz0[1] == sz1[1]);
    cr_assert(is_rehashing(zs));
    cr_assert_eq(zs_mem(zs), mem);
    check(zs);
    /* Updates are writes: they finish the rehash. */
    for (unsigned i = 0; i < 3000 && is_rehashing(zs); i++)
        cr_assert_eq(zs_update(zs, find_id(zs, i % next), (double)(i % next)), 0);
    cr_assert_not(is_rehashing(zs));
    cr_assert_eq(buckets(zs), 2048);
    check(zs);

    /* Shrink under 10% full: from 2048 buckets, at 204 members. */
    while (zs_len(zs) * 10 >= 2048)
        cr_assert_eq(zs_delete_range(zs, 0, 1), 1);
    cr_assert(is_rehashing(zs));
    cr_assert_lt(buckets(zs), 2048);
    /* One bucket (at most 10 empty skipped) per write: 2048 buckets take
     * ~190 writes, about as many as the members left, so finish with
     * updates (writes that keep the members) rather than deletes. */
    for (unsigned i = 0; i < 5000 && is_rehashing(zs); i++)
        cr_assert_eq(zs_update(zs, zs_at(zs, i % zs_len(zs)), 7.0), 0);
    cr_assert_not(is_rehashing(zs));
    check(zs);
    cr_assert_leq(buckets(zs), 256);
    size_t n = zs_len(zs);
    cr_assert_geq(n * 10, buckets(zs));
    /* Down to empty: never below 4 buckets. */
    zs_delete_range(zs, 0, SIZE_MAX);
    for (int i = 0; i < 100; i++)
        ins_id(zs, 1, 1), zs_delete(zs, find_id(zs, 1));
    check(zs);
    cr_assert_geq(buckets(zs), 4);
    zs_free(zs);
}

/* ---- scan ---- */

struct scan_seen {
    unsigned *count;
    unsigned nstable;
};

static void scan_cb(void *arg, const zs_node_t *n)
{
    struct scan_seen *s = arg;
    size_t len;
    const char *m = zs_member(n, &len);
    unsigned id;
    if (len == 0) {
        id = 0;
    } else if (m[0] == 'L' || m[0] == 0) {
        memcpy(&id, m + (m[0] == 'L' ? 1 : 2), 4);
    } else {
        id = 0;
        for (size_t i = 2; i < len; i++)
            id = id * 10 + (unsigned)(m[i] - '0');
    }
    if (id < s->nstable)
        s->count[id]++;
}

Test(zs, scan_static_exactly_once)
{
    for (unsigned n = 0; n < 400; n += 43) {
        zs_t *zs = zs_new(18);
        for (unsigned i = 0; i < n; i++)
            ins_id(zs, i, i);
        unsigned count[400] = {0};
        struct scan_seen s = {count, n};
        size_t cur = 0;
        do {
            cur = zs_scan(zs, cur, scan_cb, &s);
        } while (cur);
        for (unsigned i = 0; i < n; i++)
            cr_assert_eq(count[i], 1, "n %u: id %u seen %u times", n, i, count[i]);
        zs_free(zs);
    }
}

/* Ids [0, nstable) are present throughout (score 0, so the temporaries,
 * scored 1 and up, come after them by rank); between scan calls the index
 * grows (temporaries inserted), shrinks (temporaries deleted, one by one
 * or by rank range) and rehashes through writes (updates of stable
 * members).  Every stable id is reported; twice only after a shrink. */
static void scan_run(uint64_t seed)
{
    uint64_t st = seed;
    unsigned nstable = (unsigned)(hash_rand_next(&st) % 1000);
    unsigned *count = calloc(nstable + 1, sizeof *count);
    zs_t *zs = zs_new(seed);
    unsigned tmp_next = 1000000;
    struct scan_seen s = {count, nstable};
    bool shrank = false;
    size_t ups = 0, downs = 0, dups = 0;

    for (unsigned i = 0; i < nstable; i++)
        ins_id(zs, i, 0);
    size_t cur = 0, calls = 0;
    do {
        size_t before = buckets(zs);
        if (is_rehashing(zs)) {
            size_t sz[2];
            zs_index_sizes(zs, sz);
            shrank |= sz[1] < sz[0];
        }
        cur = zs_scan(zs, cur, scan_cb, &s);
        calls++;
        uint64_t r = hash_rand_next(&st);
        size_t len = zs_len(zs), ntmp = len - nstable, k = 0, cap = 16384;
        if ((r >> 40) % (before + 1) < 8) {
            if ((r >> 20) & 1)          /* grow a lot: ~10x */
                k = len < cap ? (9 * len + 100 < cap - len ? 9 * len + 100 : cap - len) : 0;
            else                        /* shrink a lot, by range */
                zs_delete_range(zs, nstable, ntmp);
        } else switch (r % 16) {
        case 0: case 1: case 2: case 3:
            k = len < cap ? (r >> 8) % 16 : 0;
            break;
        case 5: case 6: case 7:         /* shrink a little, one by one */
            for (size_t d = (r >> 8) % 32; d-- && zs_len(zs) > nstable;)
                zs_delete(zs, zs_at(zs, zs_len(zs) - 1));
            break;
        case 9: case 10:                /* writes that only rehash */
            for (size_t d = (r >> 8) % 64; d-- && nstable;)
                zs_update(zs, find_id(zs, (unsigned)(d % nstable)), 0);
            break;
        default:
            break;
        }
        while (k--) {
            cr_assert_not_null(ins_id(zs, tmp_next, 1 + (double)(tmp_next % 1000)));
            tmp_next++;
        }
        size_t after = buckets(zs);
        if (is_rehashing(zs)) {
            size_t sz[2];
            zs_index_sizes(zs, sz);
            shrank |= sz[1] < sz[0];
        }
        shrank |= after < before;
        ups += after > before;
        downs += after < before;
        cr_assert_lt(calls, 10000000, "seed %" PRIu64 ": scan does not end", seed);
    } while (cur);
    for (unsigned i = 0; i < nstable; i++) {
        dups += count[i] > 1;
        cr_assert_geq(count[i], 1, "seed %" PRIu64 ": stable id %u never reported", seed, i);
        if (!shrank)
            cr_assert_eq(count[i], 1, "seed %" PRIu64 ": id %u reported %u times without a shrink",
                         seed, i, count[i]);
    }
    if (getenv("ZS_VERBOSE"))
        fprintf(stderr, "scan seed %" PRIu64 ": %u stable, %zu calls, %zu grows, %zu shrinks, "
                "%zu reported twice\n", seed, nstable, calls, ups, downs, dups);
    cr_assert(zs_validate(zs), "seed %" PRIu64, seed);
    zs_free(zs);
    free(count);
}

Test(zs, scan_guarantee_under_resizing)
{
    const char *env = getenv("ZS_SEED");
    if (env) {
        scan_run(strtoull(env, NULL, 0));
        return;
    }
    unsigned seeds = glibc_malloc() ? 40 : 8;
    for (uint64_t seed = 1; seed <= seeds; seed++)
        scan_run(seed);
}

/* ---- freeing ---- */

static void free_in_steps(zs_t *zs, size_t per_call, size_t max_work)
{
    size_t calls = 0;
    for (;;) {
        size_t budget = per_call;
        calls++;
        if (zs_free_step(zs, &budget))
            break;
        cr_assert_eq(budget, 0, "stops only when the budget is used up");
        cr_assert_leq(calls, max_work / per_call + 2, "no progress");
    }
}

Test(zs, free_step_bounded)
{
    /* Work: one unit per member, tree node and bucket array. */
    unsigned fan[][2] = {{4, 4}, {60, 32}};
    for (int f = 0; f < 2; f++) {
        const size_t sizes[] = {0, 1, 3, 100, 10000};
        for (int i = 0; i < 5; i++) {
            size_t n = sizes[i];
            size_t nodes = fan[f][0] == 4 ? n : n / 10 + 2;    /* generous */
            size_t steps[] = {1, 7, 100, 1000000};
            for (int k = 0; k < 4; k++) {
                zs_t *zs = zs_new_fanout(19, fan[f][0], fan[f][1]);
                for (unsigned j = 0; j < n; j++)
                    ins_id(zs, j, (double)(j % 13));
                if (k == 0 && n > 0) {
                    size_t zero = 0;
                    cr_assert_not(zs_free_step(zs, &zero));
                }
                free_in_steps(zs, steps[k], n + bucket_slots(zs) + nodes + 3);
            }
        }
        /* Mid-rehash: both bucket arrays. */
        zs_t *zs = zs_new_fanout(19, fan[f][0], fan[f][1]);
        for (unsigned j = 0; j < 1025; j++)
            ins_id(zs, j, j);
        cr_assert(is_rehashing(zs));
        free_in_steps(zs, 3, 1025 + bucket_slots(zs) + 1025 + 3);
    }
    /* One unit per member, per empty bucket and per tree node: 8 members
     * in 8 buckets and one leaf take 9 to 17 units, each call of budget 1
     * using its unit (the struct goes with the last). */
    zs_t *zs = zs_new(20);
    for (unsigned j = 0; j < 8; j++)
        ins_id(zs, j, j);
    cr_assert_eq(bucket_slots(zs), 8);
    size_t units = 0;
    for (bool done = false; !done; units++) {
        size_t budget = 1;
        done = zs_free_step(zs, &budget);
        cr_assert_eq(budget, 0);
    }
    cr_assert_geq(units, 9);
    cr_assert_leq(units, 17);
}

/* ---- allocation failure ---- */

Test(zs, enomem_new_and_fanout_checks)
{
    fail_in = 0;
    cr_assert_null(zs_new(1));
    fail_in = -1;
    cr_assert_null(zs_new_fanout(1, 3, 4));
    cr_assert_null(zs_new_fanout(1, 4, 3));
    cr_assert_null(zs_new_fanout(1, 61, 32));
    cr_assert_null(zs_new_fanout(1, 60, 33));
    zs_t *zs = zs_new_fanout(1, 60, 32);
    cr_assert_not_null(zs);
    zs_free(zs);
}

/* What must not change when an insert or update fails. */
struct snap {
    zs_node_t **ord;
    double *score;
    size_t n, mem, sz[2];
};

static void snap_take(zs_t *zs, struct snap *s)
{
    s->n = zs_len(zs);
    s->ord = malloc((s->n + 1) * sizeof *s->ord);
    s->score = malloc((s->n + 1) * sizeof *s->score);
    in_order(zs, s->ord, s->n + 1);
    for (size_t i = 0; i < s->n; i++)
        s->score[i] = zs_score(s->ord[i]);
    s->mem = zs_mem(zs);
    zs_index_sizes(zs, s->sz);
}

static void snap_same(zs_t *zs, struct snap *s, long k)
{
    check(zs);
    cr_assert_eq(zs_len(zs), s->n, "failure at allocation %ld", k);
    cr_assert_eq(zs_mem(zs), s->mem, "failure at allocation %ld: mem", k);
    size_t sz[2];
    zs_index_sizes(zs, sz);
    cr_assert(sz[0] == s->sz[0] && sz[1] == s->sz[1]);
    for (size_t i = 0; i < s->n; i++) {
        cr_assert_eq(zs_at(zs, i), s->ord[i], "failure at allocation %ld: rank %zu", k, i);
        cr_assert(same_double(zs_score(s->ord[i]), s->score[i]));
    }
    free(s->ord);
    free(s->score);
}

/* Append ascending scores: i members, fan-out f. */
static zs_t *build_append(unsigned lcap, unsigned icap, unsigned i)
{
    zs_t *zs = zs_new_fanout(21, lcap, icap);
    for (unsigned j = 0; j < i; j++)
        cr_assert_not_null(ins_id(zs, j + 1, (double)j));
    return zs;
}

/* The first append among `max` that allocates the most (node, leaf,
 * an inner node per level and a new root). */
static unsigned worst_append(unsigned lcap, unsigned icap, unsigned max, long *allocs)
{
    zs_t *zs = zs_new_fanout(21, lcap, icap);
    unsigned worst = 0;
    *allocs = 0;
    for (unsigned j = 0; j < max; j++) {
        fail_in = 1000000;
        cr_assert_not_null(ins_id(zs, j + 1, (double)j));
        long used = 1000000 - fail_in;
        fail_in = -1;
        if (used > *allocs) {
            *allocs = used;
            worst = j;
        }
    }
    zs_free(zs);
    return worst;
}

static void enomem_insert_at(unsigned lcap, unsigned icap, unsigned i, long allocs)
{
    for (long k = 0;; k++) {
        zs_t *zs = build_append(lcap, icap, i);
        struct snap s;
        snap_take(zs, &s);
        fail_in = k;
        failed = false;
        zs_node_t *n = ins_id(zs, i + 1, (double)i);
        bool hit = failed;
        fail_in = -1;
        if (!n) {
            cr_assert(hit);
            snap_same(zs, &s, k);
            cr_assert_null(find_id(zs, i + 1));
        } else {
            /* Only a failed index growth is survived. */
            free(s.ord);
            free(s.score);
            check(zs);
            cr_assert_eq(zs_rank(zs, n), i);
            cr_assert_eq(find_id(zs, i + 1), n);
        }
        zs_free(zs);
        if (!hit)
            break;
        cr_assert_lt(k, allocs + 2);
    }
}

static void enomem_update_at(unsigned lcap, unsigned icap, unsigned i)
{
    for (long k = 0;; k++) {
        zs_t *zs = build_append(lcap, icap, i);
        zs_node_t *n = zs_at(zs, 0);
        struct snap s;
        snap_take(zs, &s);
        fail_in = k;
        failed = false;
        int rc = zs_update(zs, n, 1e18);    /* to the end: an append */
        bool hit = failed;
        fail_in = -1;
        if (rc) {
            cr_assert_eq(rc, -ENOMEM);
            cr_assert(hit);
            snap_same(zs, &s, k);
            cr_assert_eq(zs_rank(zs, n), 0);
        } else {
            cr_assert_not(hit);
            free(s.ord);
            free(s.score);
            check(zs);
            cr_assert_eq(zs_rank(zs, n), i - 1);
            cr_assert(zs_score(n) == 1e18);
        }
        zs_free(zs);
        if (!hit)
            break;
        cr_assert_lt(k, 10);
    }
}

Test(zs, enomem_insert_and_update_every_allocation)
{
    /* Into an empty set: node, first bucket array, first leaf. */
    zs_t *zs = zs_new(22);
    size_t mem = zs_mem(zs);
    for (long k = 0; k < 3; k++) {
        fail_in = k;
        cr_assert_null(zs_insert(zs, "a", 1, 1));
        fail_in = -1;
        cr_assert_eq(zs_len(zs), 0);
        cr_assert_eq(zs_mem(zs), mem);
        check(zs);
    }
    fail_in = 3;
    cr_assert_not_null(zs_insert(zs, "a", 1, 1));
    fail_in = -1;
    check(zs);
    zs_free(zs);

    /* The worst appends: splits all the way up and a new root. */
    unsigned fan[][3] = {{4, 4, 3000}, {5, 6, 3000}, {60, 32, 70000}};
    for (int f = 0; f < 3; f++) {
        long allocs;
        unsigned i = worst_append(fan[f][0], fan[f][1], fan[f][2], &allocs);
        if (getenv("ZS_VERBOSE"))
            fprintf(stderr, "fanout %u/%u: append %u allocates %ld times\n",
                    fan[f][0], fan[f][1], i, allocs);
        cr_assert_geq(allocs, fan[f][0] == 60 ? 5 : 6, "node, leaf, inner nodes, root");
        enomem_insert_at(fan[f][0], fan[f][1], i, allocs);
        enomem_update_at(fan[f][0], fan[f][1], i);
    }
    /* And a few ordinary places. */
    enomem_insert_at(4, 4, 37, 10);
    enomem_update_at(4, 4, 37);
    enomem_update_at(4, 4, 2);
}

/* ---- model-based random test ---- */

#define UNIV 1500

static char names[UNIV][208];
static size_t nlen[UNIV];

static void names_init(void)
{
    for (unsigned i = 0; i < UNIV; i++)
        nlen[i] = test_key(names[i], i);
}

/* A sorted array of ids by (score, member). */
struct model {
    unsigned ord[UNIV];
    size_t n;
    bool present[UNIV];
    double score[UNIV];
    zs_node_t *node[UNIV];
};

/* Members of the model before (score s, member id): its insert position. */
static size_t m_lower(const struct model *m, double s, unsigned id)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        unsigned o = m->ord[mid];
        if (cmp_ms(m->score[o], names[o], nlen[o], s, names[id], nlen[id]) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void m_insert(struct model *m, unsigned id, double s, zs_node_t *n)
{
    size_t pos = m_lower(m, s, id);
    memmove(&m->ord[pos + 1], &m->ord[pos], (m->n - pos) * sizeof m->ord[0]);
    m->ord[pos] = id;
    m->n++;
    m->present[id] = true;
    m->score[id] = s;
    m->node[id] = n;
}

static void m_remove_at(struct model *m, size_t pos)
{
    m->present[m->ord[pos]] = false;
    memmove(&m->ord[pos], &m->ord[pos + 1], (m->n - pos - 1) * sizeof m->ord[0]);
    m->n--;
}

static size_t m_index(const struct model *m, unsigned id)
{
    size_t pos = m_lower(m, m->score[id], id);
    cr_assert(pos < m->n && m->ord[pos] == id);
    return pos;
}

static void m_compare(zs_t *zs, const struct model *m, uint64_t seed, int step)
{
    cr_assert(zs_validate(zs), "seed %" PRIu64 " step %d: zs_validate", seed, step);
    cr_assert_eq(zs_len(zs), m->n, "seed %" PRIu64 " step %d: len %zu, model %zu",
                 seed, step, zs_len(zs), m->n);
    zs_iter_t it;
    zs_iter_init(&it, zs, 0, true);
    for (size_t i = 0; i < m->n; i++) {
        unsigned id = m->ord[i];
        zs_node_t *e = zs_iter_next(&it);
        cr_assert_eq(e, m->node[id], "seed %" PRIu64 " step %d: rank %zu", seed, step, i);
        cr_assert(same_double(zs_score(e), m->score[id]), "seed %" PRIu64 " step %d", seed, step);
        size_t l;
        const char *b = zs_member(e, &l);
        cr_assert(l == nlen[id] && (l == 0 || memcmp(b, names[id], l) == 0),
                  "seed %" PRIu64 " step %d: member of %u", seed, step, id);
    }
    cr_assert_null(zs_iter_next(&it));
}

static double rscore(uint64_t *st, bool lex)
{
    uint64_t r = hash_rand_next(st);
    if (lex)
        return (r & 1) ? 0.0 : -0.0;
    switch (r % 16) {
    case 0: return -INFINITY;
    case 1: return INFINITY;
    case 2: return -0.0;
    case 3: return 0.0;
    case 4: return (double)(r >> 11) * 0x1p-53 * 1e6 - 5e5;
    case 5: return (double)((r >> 8) % 40) - 9.5;
    default: return (double)((r >> 8) % 40) - 10;    /* many ties */
    }
}

struct model_stats {
    size_t maxlen, ops[12];
};

static void model_run(uint64_t seed, struct model_stats *ms)
{
    static const unsigned fan[][2] = {{4, 4}, {5, 4}, {4, 5}, {6, 6}, {8, 8}, {60, 32}};
    const unsigned *f = fan[seed % 6];
    bool lex = seed % 4 == 0;
    struct model *m = calloc(1, sizeof *m);
    zs_t *zs = zs_new_fanout(seed, f[0], f[1]);
    uint64_t st = seed * 0x9e3779b97f4a7c15ull + 1, rng = seed;
    const int steps = 4000;

    for (int step = 0; step < steps; step++) {
        uint64_t r = hash_rand_next(&st);
        bool grow = (step / 500) % 2 == 0;
        unsigned op = (unsigned)(r % 100), id = (unsigned)((r >> 8) % UNIV);
        uint64_t r2 = hash_rand_next(&st);
        if (op < (grow ? 50u : 22u)) {                  /* insert (or update) */
            double s = rscore(&st, lex);
            zs_node_t *e = zs_find(zs, names[id], nlen[id]);
            cr_assert_eq(e != NULL, m->present[id], "seed %" PRIu64 " step %d", seed, step);
            if (e) {
                cr_assert_eq(zs_update(zs, e, s), 0);
                m_remove_at(m, m_index(m, id));
                m_insert(m, id, s, e);
                ms->ops[1]++;
            } else {
                e = zs_insert(zs, names[id], nlen[id], s);
                cr_assert_not_null(e, "seed %" PRIu64 " step %d", seed, step);
                m_insert(m, id, s, e);
                ms->ops[0]++;
            }
        } else if (op < 55 && m->n) {                   /* delete */
            size_t pos = r2 % m->n;
            zs_delete(zs, m->node[m->ord[pos]]);
            m_remove_at(m, pos);
            ms->ops[2]++;
        } else if (op < 62 && m->n) {                   /* update */
            unsigned o = m->ord[r2 % m->n];
            double s = rscore(&st, lex);
            if (r2 & (1ull << 40))
                s = m->score[o];                    /* same score: in place */
            cr_assert_eq(zs_update(zs, m->node[o], s), 0);
            m_remove_at(m, m_index(m, o));
            m_insert(m, o, s, m->node[o]);
            ms->ops[1]++;
        } else if (op < 65) {                           /* delete_range */
            size_t start = r2 % (m->n + 3);
            size_t count = op == 64 ? (r2 >> 20) % (m->n + 2) : (r2 >> 20) % 9;
            if ((r2 >> 50) & 1 && count <= m->n)
                start = m->n - count;               /* at the end */
            size_t want = start >= m->n ? 0 : (count < m->n - start ? count : m->n - start);
            cr_assert_eq(zs_delete_range(zs, start, count), want,
                         "seed %" PRIu64 " step %d: delete_range(%zu, %zu)", seed, step, start, count);
            for (size_t k = 0; k < want; k++)
                m_remove_at(m, start);
            ms->ops[3]++;
        } else if (op < 73 && m->n) {                   /* rank */
            size_t pos = r2 % m->n;
            cr_assert_eq(zs_rank(zs, m->node[m->ord[pos]]), pos,
                         "seed %" PRIu64 " step %d: rank", seed, step);
            ms->ops[4]++;
        } else if (op < 78) {                           /* at */
            size_t pos = r2 % (m->n + 2);
            zs_node_t *e = zs_at(zs, pos);
            cr_assert_eq(e, pos < m->n ? m->node[m->ord[pos]] : NULL,
                         "seed %" PRIu64 " step %d: at %zu", seed, step, pos);
            ms->ops[5]++;
        } else if (op < 86) {                           /* lower bounds */
            bool excl = r2 & 1;
            if (lex) {
                unsigned q = (unsigned)((r2 >> 8) % UNIV);
                char b[210];
                size_t l = nlen[q];
                memcpy(b, names[q], l);
                if ((r2 >> 30) % 3 == 1)
                    b[l++] = (char)(r2 >> 40);
                else if ((r2 >> 30) % 3 == 2 && l)
                    l--;
                size_t want = 0;
                while (want < m->n) {
                    unsigned o = m->ord[want];
                    int c = cmp_ms(0, names[o], nlen[o], 0, b, l);
                    if (excl ? c > 0 : c >= 0)
                        break;
                    want++;
                }
                cr_assert_eq(zs_lower_lex(zs, b, l, excl), want,
                             "seed %" PRIu64 " step %d: lower_lex", seed, step);
            } else {
                double s = rscore(&st, false);
                size_t want = 0;
                while (want < m->n && (excl ? m->score[m->ord[want]] <= s
                                            : m->score[m->ord[want]] < s))
                    want++;
                cr_assert_eq(zs_lower_score(zs, s, excl), want,
                             "seed %" PRIu64 " step %d: lower_score(%g, %d)", seed, step, s, excl);
            }
            ms->ops[6]++;
        } else if (op < 94) {                           /* iteration */
            size_t start = r2 % (m->n + 2);
            bool up = (r2 >> 32) & 1;
            zs_iter_t it;
            zs_iter_init(&it, zs, start, up);
            size_t k = (r2 >> 40) % 40;
            for (size_t j = 0; j < k; j++) {
                zs_node_t *e = zs_iter_next(&it);
                zs_node_t *want = NULL;
                if (start < m->n) {
                    if (up && start + j < m->n)
                        want = m->node[m->ord[start + j]];
                    else if (!up && j <= start)
                        want = m->node[m->ord[start - j]];
                }
                cr_assert_eq(e, want, "seed %" PRIu64 " step %d: iter from %zu %s, %zu",
                             seed, step, start, up ? "up" : "down", j);
            }
            ms->ops[7]++;
        } else if (op < 97) {                           /* find */
            zs_node_t *e = zs_find(zs, names[id], nlen[id]);
            cr_assert_eq(e, m->present[id] ? m->node[id] : NULL,
                         "seed %" PRIu64 " step %d: find %u", seed, step, id);
            ms->ops[8]++;
        } else {                                        /* random */
            zs_node_t *e = zs_random(zs, &rng);
            cr_assert_eq(e == NULL, m->n == 0);
            if (e) {
                size_t l;
                const char *b = zs_member(e, &l);
                cr_assert_eq(zs_find(zs, b, l), e);
            }
            ms->ops[9]++;
        }
        if (m->n > ms->maxlen)
            ms->maxlen = m->n;
        m_compare(zs, m, seed, step);
    }
    zs_free(zs);
    free(m);
}

Test(zs, model_random)
{
    names_init();
    struct model_stats ms = {0};
    const char *env = getenv("ZS_SEED");
    uint64_t first = env ? strtoull(env, NULL, 0) : 1;
    uint64_t last = env ? first : glibc_malloc() ? 18 : 4;
    for (uint64_t seed = first; seed <= last; seed++)
        model_run(seed, &ms);
    if (getenv("ZS_VERBOSE"))
        fprintf(stderr, "model: seeds %" PRIu64 "..%" PRIu64 ", max %zu members; inserts %zu, "
                "updates %zu, deletes %zu, ranges %zu, ranks %zu, ats %zu, bounds %zu, "
                "iterations %zu, finds %zu, randoms %zu\n", first, last, ms.maxlen,
                ms.ops[0], ms.ops[1], ms.ops[2], ms.ops[3], ms.ops[4], ms.ops[5], ms.ops[6],
                ms.ops[7], ms.ops[8], ms.ops[9]);
}

/* A big tree (three inner levels at the full fan-out) through growth and
 * shrinking, checked now and then. */
Test(zs, big_tree_grow_and_shrink)
{
    const unsigned n = glibc_malloc() ? 150000 : 20000;
    zs_t *zs = zs_new(23);
    uint64_t st = 99;
    for (unsigned i = 0; i < n; i++) {
        char b[32];
        size_t l = (size_t)snprintf(b, sizeof b, "m%u", i);
        cr_assert_not_null(zs_insert(zs, b, l, (double)(hash_rand_next(&st) % 100000)));
    }
    check(zs);
    for (unsigned i = 0; i < n; i += 3) {
        char b[32];
        size_t l = (size_t)snprintf(b, sizeof b, "m%u", i);
        cr_assert_eq(zs_update(zs, zs_find(zs, b, l), (double)(hash_rand_next(&st) % 100000)), 0);
    }
    check(zs);
    size_t prev = 0;
    for (unsigned i = 0; i < n; i += 1000) {
        zs_node_t *e = zs_at(zs, i);
        cr_assert_geq(zs_score(e), (double)prev);
        prev = (size_t)zs_score(e);
        cr_assert_eq(zs_rank(zs, e), i);
    }
    /* Shrink by ranges and single deletes from random places. */
    while (zs_len(zs) > 100) {
        size_t len = zs_len(zs), start = hash_rand_next(&st) % len;
        zs_delete_range(zs, start, 1 + hash_rand_next(&st) % 300);
        if (zs_len(zs))
            zs_delete(zs, zs_at(zs, hash_rand_next(&st) % zs_len(zs)));
        if (hash_rand_next(&st) % 50 == 0)
            check(zs);
    }
    check(zs);
    zs_free(zs);
}

/* ---- memory and speed for a million members ---- */

/* Redis 7.0 (Debian's redis-server, jemalloc): INFO used_memory growth
 * per member for 1M ZADDs of 16-byte members with distinct scores into
 * one key ("skiplist" encoding), as the brief measured it. */
#define REDIS_PER_MEMBER 133.0
#define MILLION 1000000u

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

/* A random permutation of [0, n). */
static unsigned *perm(unsigned n, uint64_t seed)
{
    unsigned *p = malloc(n * sizeof *p);
    for (unsigned i = 0; i < n; i++)
        p[i] = i;
    for (unsigned i = n; i > 1; i--) {
        unsigned j = (unsigned)(hash_rand_next(&seed) % i);
        unsigned t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
    return p;
}

static void mname(char *b, unsigned i)
{
    char t[20];
    snprintf(t, sizeof t, "member:%09u", i);
    memcpy(b, t, 16);
}

/* Build 1M members (random order of ids and scores, or ascending). */
static zs_t *build_million(const unsigned *p, double *ns_per_insert)
{
    zs_t *zs = zs_new(24);
    char b[16];
    double t0 = now_ns();
    for (unsigned i = 0; i < MILLION; i++) {
        unsigned id = p ? p[i] : i;
        mname(b, id);
        cr_assert_not_null(zs_insert(zs, b, 16, (double)id * 1.5));
    }
    *ns_per_insert = (now_ns() - t0) / MILLION;
    return zs;
}

Test(zs, memory_per_member, .timeout = 60)
{
    if (!glibc_malloc())
        cr_skip_test("needs glibc's allocator (not under ASan/valgrind)");
    unsigned *p = perm(MILLION, 7);
    const char *how[2] = {"random order", "ascending scores"};
    for (int k = 0; k < 2; k++) {
        malloc_trim(0);
        size_t rss0 = rss_bytes();
        double ins;
        zs_t *zs = build_million(k == 0 ? p : NULL, &ins);
        size_t rss1 = rss_bytes();
        double held = (double)zs_mem(zs) / MILLION;
        double rss = (double)(rss1 - rss0) / MILLION;
        fprintf(stderr, "[mem] 1M members of 16 bytes, %s: zs_mem/n %.1f B, RSS/n %.1f B "
                "(Redis 7.0 ~%.0f B: %.2fx)\n", how[k], held, rss, REDIS_PER_MEMBER,
                rss / REDIS_PER_MEMBER);
        cr_assert_leq(rss, 80.0, "%.1f bytes of RSS per member", rss);
        cr_assert(zs_validate(zs));
        zs_free(zs);
    }
    free(p);
}

Test(zs, speed_million, .timeout = 60)
{
    bool fast = glibc_malloc();
    const unsigned n = fast ? MILLION : 50000u;
    unsigned *p = perm(n, 8);
    zs_t *zs = zs_new(25);
    char b[16];
    double t0 = now_ns();
    for (unsigned i = 0; i < n; i++) {
        mname(b, p[i]);
        cr_assert_not_null(zs_insert(zs, b, 16, (double)p[i] * 1.5));
    }
    double t_ins = (now_ns() - t0) / n;

    /* Probes in a random order, laid out to be read sequentially. */
    unsigned *q = perm(n, 9);
    zs_node_t **probe = malloc(n * sizeof *probe);
    char *names16 = malloc((size_t)n * 16);
    for (unsigned i = 0; i < n; i++) {
        mname(names16 + (size_t)i * 16, q[i]);
        probe[i] = zs_find(zs, names16 + (size_t)i * 16, 16);
        cr_assert_not_null(probe[i]);
    }
    volatile size_t sink = 0;

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++)
        sink += zs_rank(zs, probe[i]);
    double t_rank = (now_ns() - t0) / n;

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++)
        sink += (size_t)zs_find(zs, names16 + (size_t)i * 16, 16);
    double t_find = (now_ns() - t0) / n;

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++)
        sink += (size_t)zs_at(zs, q[i]);
    double t_at = (now_ns() - t0) / n;

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++) {
        zs_iter_t it;
        zs_iter_init(&it, zs, q[i], i & 1);
        for (int k = 0; k < 11; k++)
            sink += (size_t)zs_iter_next(&it);
    }
    double t_range = (now_ns() - t0) / n;

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++)
        sink += zs_lower_score(zs, (double)q[i] * 1.5 + 0.25, i & 1);
    double t_lower = (now_ns() - t0) / n;

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++)    /* a new random place (scores stay distinct) */
        cr_assert_eq(zs_update(zs, probe[i], (double)q[(i + n / 2) % n] * 1.5 + 0.5), 0);
    double t_upd = (now_ns() - t0) / n;

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++)    /* ZINCRBY-like: a small step */
        cr_assert_eq(zs_update(zs, probe[i], zs_score(probe[i]) + 0.125), 0);
    double t_upd_small = (now_ns() - t0) / n;
    cr_assert(zs_validate(zs));

    t0 = now_ns();
    for (unsigned i = 0; i < n; i++)
        zs_delete(zs, probe[i]);
    double t_del = (now_ns() - t0) / n;
    cr_assert_eq(zs_len(zs), 0);

    fprintf(stderr, "[speed] %u members (leaf %d, inner %d)%s, ns per op: insert %.0f, "
            "rank %.0f, find %.0f, at %.0f, at+10 steps %.0f, lower_score %.0f, "
            "update (anywhere) %.0f, update (small step) %.0f, delete %.0f\n",
            n, ZS_LEAF_CAP, ZS_INNER_CAP,
            fast ? "" : " [instrumented run: not representative]",
            t_ins, t_rank, t_find, t_at, t_range, t_lower, t_upd, t_upd_small, t_del);
    (void)sink;
    zs_free(zs);
    free(p);
    free(q);
    free(probe);
    free(names16);
}
