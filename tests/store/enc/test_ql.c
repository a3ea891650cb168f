/*
 * test_ql.c - quicklist: fill limits, splitting and merging, iterators
 * (LREM / LINSERT / LSET patterns), ranges, listpack conversion, LZF
 * compression, every allocation failure of every operation, and seeded
 * model-based random tests over fill x depth (QL_SEED=n replays a seed).
 *
 * Build: link ql.c ql_node.c lp.c num.c with -llzf -lcriterion and
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (failure injection).
 * Under valgrind, suppress lzf_compress's reads of its uninitialised hash
 * table (liblzf's design: harmless, the output stays correct).
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/num.h"
#include "store/enc/lp.h"
#include "store/enc/ql.h"

#include "alloc_fail.h"

/* ---- model: an array of byte strings ---- */

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

static void m_clear(model_t *m)
{
    m_delete(m, 0, m->n);
    free(m->v);
    *m = (model_t){0};
}

/* e as bytes: strings as they are, integers printed. */
static const char *ebytes(const ql_entry_t *e, char *buf, size_t *len)
{
    if (e->s) {
        *len = e->len;
        return (const char *)e->s;
    }
    *len = num_fmt_ll(buf, e->ival);
    return buf;
}

static bool e_is(const ql_entry_t *e, const char *s, size_t len)
{
    char buf[NUM_LL_BUF];
    size_t l;
    const char *b = ebytes(e, buf, &l);
    return l == len && (len == 0 || memcmp(b, s, len) == 0);
}

static const char *g_ctx = "";

/* Full comparison both ways, validating before and after (iterating
 * decompresses and recompresses). */
static void check(ql_t *ql, const model_t *m, unsigned flags)
{
    ql_iter_t it;
    ql_entry_t e;
    size_t i = 0;

    cr_assert(ql_validate(ql, flags), "%s: invalid", g_ctx);
    cr_assert_eq(ql_count(ql), m->n, "%s: count %zu want %zu", g_ctx, ql_count(ql), m->n);
    ql_iter_init(&it, ql, 0, true);
    for (; ql_iter_next(&it, &e) == 1; i++)
        cr_assert(i < m->n && e_is(&e, m->v[i].s, m->v[i].len), "%s: element %zu", g_ctx, i);
    ql_iter_done(&it);
    cr_assert_eq(i, m->n, "%s: forward %zu of %zu", g_ctx, i, m->n);
    ql_iter_init(&it, ql, -1, false);
    for (; ql_iter_next(&it, &e) == 1; i--)
        cr_assert(i > 0 && e_is(&e, m->v[i - 1].s, m->v[i - 1].len), "%s: back %zu", g_ctx, i);
    ql_iter_done(&it);
    cr_assert_eq(i, 0, "%s: backward", g_ctx);
    cr_assert(ql_validate(ql, flags), "%s: invalid after iterating", g_ctx);
}

static ql_t *mk(int fill, int depth)
{
    ql_t *ql = ql_new(fill, depth);
    cr_assert_not_null(ql);
    return ql;
}

static void push(ql_t *ql, model_t *m, const char *s, bool head)
{
    cr_assert_eq(ql_push(ql, s, strlen(s), head), 0);
    if (m)
        m_insert(m, head ? 0 : m->n, s, strlen(s));
}

static void push_n(ql_t *ql, model_t *m, const char *fmt, int n)
{
    char buf[64];
    for (int i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, fmt, i);
        push(ql, m, buf, false);
    }
}

/* pop callback: copy into a model-like slot */
static int take(void *arg, const ql_entry_t *e)
{
    mstr_t *out = arg;
    char buf[NUM_LL_BUF];
    const char *b = ebytes(e, buf, &out->len);

    out->s = malloc(out->len + 1);
    if (!out->s)
        return -ENOMEM;
    memcpy(out->s, b, out->len);
    return 0;
}

static int refuse(void *arg, const ql_entry_t *e)
{
    (void)arg, (void)e;
    return -EAGAIN;
}

/* ---- basics ---- */

Test(ql_basic, empty)
{
    ql_t *ql = mk(-2, 0);
    ql_entry_t e;
    ql_iter_t it;

    cr_assert_eq(ql_count(ql), 0);
    cr_assert_eq(ql_nodes(ql), 0);
    cr_assert_gt(ql_mem(ql), 0);
    cr_assert_eq(ql_pop(ql, true, NULL, NULL), 0);
    cr_assert_eq(ql_pop(ql, false, NULL, NULL), 0);
    cr_assert_eq(ql_index(ql, 0, &e), 0);
    cr_assert_eq(ql_index(ql, -1, &e), 0);
    cr_assert_eq(ql_replace_at(ql, 0, "x", 1), -ERANGE);
    cr_assert_eq(ql_del_range(ql, 0, 10), 0);
    ql_iter_init(&it, ql, 0, true);
    cr_assert_eq(ql_iter_next(&it, &e), 0);
    cr_assert_eq(ql_iter_delete(&it), -EINVAL);
    ql_iter_done(&it);
    cr_assert(ql_validate(ql, QL_CHECK_COMPRESSION));
    ql_free(ql);
    ql_free(NULL);
}

Test(ql_basic, push_pop_both_ends)
{
    ql_t *ql = mk(3, 0);
    model_t m = {0};
    mstr_t got;

    for (int i = 0; i < 20; i++) {
        char b[16];
        snprintf(b, sizeof b, i % 2 ? "s%d" : "%d", i);
        push(ql, &m, b, i % 3 == 0);
    }
    check(ql, &m, QL_CHECK_COMPRESSION);
    cr_assert_eq(ql_nodes(ql), 7);  /* [18 15 12][9 6 3][0 1 2][4 5 7][8 10 11][13 14 16][17 19] */
    cr_assert_eq(ql_pop(ql, true, refuse, NULL), -EAGAIN);
    check(ql, &m, QL_CHECK_COMPRESSION);
    while (m.n) {
        bool head = m.n % 2;
        cr_assert_eq(ql_pop(ql, head, take, &got), 1);
        size_t i = head ? 0 : m.n - 1;
        cr_assert(got.len == m.v[i].len && memcmp(got.s, m.v[i].s, got.len) == 0);
        free(got.s);
        m_delete(&m, i, 1);
        check(ql, &m, QL_CHECK_COMPRESSION);
    }
    cr_assert_eq(ql_nodes(ql), 0);
    ql_free(ql);
    m_clear(&m);
}

Test(ql_basic, fill_clamps_and_counts)
{
    ql_t *ql = mk(1, 0), *q0 = mk(0, 0), *qbig = mk(INT_MAX, 0), *qneg = mk(INT_MIN, INT_MIN);

    push_n(ql, NULL, "%d", 10);
    push_n(q0, NULL, "%d", 10);
    push_n(qbig, NULL, "%d", 1000);
    push_n(qneg, NULL, "element-%d", 10000);
    cr_assert_eq(ql_nodes(ql), 10);     /* fill 1: one element per node */
    cr_assert_eq(ql_nodes(q0), 10);     /* fill 0 behaves as in Redis: one per node */
    cr_assert_eq(ql_nodes(qbig), 1);    /* 32767 cap, 8 KiB safety not reached */
    cr_assert(ql_validate(qneg, QL_CHECK_COMPRESSION));
    cr_assert_lt(ql_nodes(qneg), 10000 * 14 / 65536 + 3); /* -5: 64 KiB nodes */
    ql_free(ql);
    ql_free(q0);
    ql_free(qbig);
    ql_free(qneg);
}

Test(ql_basic, byte_limits_and_big_elements)
{
    static const int fills[] = {-1, -2, -3, -4, -5, 128};
    static char big[70000];

    memset(big, 'b', sizeof big);
    for (size_t f = 0; f < sizeof fills / sizeof *fills; f++) {
        ql_t *ql = mk(fills[f], 0);
        model_t m = {0};
        for (int i = 0; i < 600; i++) {
            size_t len = i % 50 == 7 ? 66000 : i % 10 == 3 ? 5000 : 100;
            cr_assert_eq(ql_push(ql, big, len, i % 4 == 0), 0);
            m_insert(&m, i % 4 == 0 ? 0 : m.n, big, len);
        }
        g_ctx = "byte limits";
        check(ql, &m, QL_CHECK_COMPRESSION);
        ql_free(ql);
        m_clear(&m);
    }
}

Test(ql_basic, positive_fill_has_8k_cap)
{
    ql_t *ql = mk(128, 0);
    char v[1000];

    memset(v, 'v', sizeof v);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(ql_push(ql, v, sizeof v, false), 0);
    cr_assert_eq(ql_nodes(ql), 8); /* 8 x ~1 KB per node, not 128 */
    cr_assert(ql_validate(ql, 0));
    ql_free(ql);
}

Test(ql_basic, index_and_replace)
{
    ql_t *ql = mk(4, 0);
    model_t m = {0};
    ql_entry_t e;
    char big[9000];

    memset(big, 'B', sizeof big);
    push_n(ql, &m, "%d", 30);
    for (long i = -31; i <= 30; i++) {
        int rc = ql_index(ql, i, &e);
        if (i < -30 || i >= 30) {
            cr_assert_eq(rc, 0);
            continue;
        }
        size_t k = (size_t)(i < 0 ? i + 30 : i);
        cr_assert_eq(rc, 1);
        cr_assert(e_is(&e, m.v[k].s, m.v[k].len));
        cr_assert_null(e.s);  /* canonical integers come back as integers */
    }
    cr_assert_eq(ql_replace_at(ql, 30, "x", 1), -ERANGE);
    cr_assert_eq(ql_replace_at(ql, -31, "x", 1), -ERANGE);
    static const long at[] = {0, -1, 13, 4, 3, 5};
    for (size_t k = 0; k < 6; k++) {
        size_t i = (size_t)(at[k] < 0 ? at[k] + 30 : at[k]);
        const char *s = k % 2 ? big : "replaced";
        size_t l = k % 2 ? sizeof big : 8;
        cr_assert_eq(ql_replace_at(ql, at[k], s, l), 0);
        m_delete(&m, i, 1);
        m_insert(&m, i, s, l);
        check(ql, &m, 0);
    }
    ql_free(ql);
    m_clear(&m);
}

Test(ql_basic, entry_eq)
{
    ql_entry_t i = {.s = NULL, .ival = -12}, s = {.s = (const unsigned char *)"ab\0c", .len = 4};

    cr_assert(ql_entry_eq(&i, "-12", 3));
    cr_assert_not(ql_entry_eq(&i, "-012", 4));
    cr_assert_not(ql_entry_eq(&i, "12", 2));
    cr_assert(ql_entry_eq(&s, "ab\0c", 4));
    cr_assert_not(ql_entry_eq(&s, "ab", 2));
}

/* ---- iterators ---- */

/* Iterate from start in a direction, returning the model index of the
 * k-th element visited (the iterator is left on it). */
static long iter_to(ql_iter_t *it, ql_t *ql, const model_t *m, long start, bool fwd, int k)
{
    ql_entry_t e;
    long idx = start < 0 ? start + (long)m->n : start;

    ql_iter_init(it, ql, start, fwd);
    for (int i = 0; i <= k; i++, idx += fwd ? 1 : -1) {
        if (ql_iter_next(it, &e) != 1)
            return -1;
        cr_assert(e_is(&e, m->v[idx].s, m->v[idx].len));
    }
    return idx - (fwd ? 1 : -1);
}

Test(ql_iter, start_positions)
{
    ql_t *ql = mk(3, 0);
    model_t m = {0};
    ql_iter_t it;
    ql_entry_t e;

    push_n(ql, &m, "e%d", 10);
    for (long s = -11; s <= 10; s++) {
        for (int fwd = 0; fwd < 2; fwd++) {
            long idx = s < 0 ? s + 10 : s, n = 0;
            ql_iter_init(&it, ql, s, fwd);
            while (ql_iter_next(&it, &e) == 1) {
                cr_assert(e_is(&e, m.v[idx].s, m.v[idx].len));
                idx += fwd ? 1 : -1;
                n++;
            }
            ql_iter_done(&it);
            if (s < -10 || s >= 10)
                cr_assert_eq(n, 0);
            else
                cr_assert_eq(n, fwd ? 10 - (s < 0 ? s + 10 : s) : (s < 0 ? s + 10 : s) + 1);
        }
    }
    ql_free(ql);
    m_clear(&m);
}

/* LREM: delete matches going either way; nodes get merged as they thin. */
Test(ql_iter, delete_matches_and_merge)
{
    for (int fwd = 0; fwd < 2; fwd++) {
        ql_t *ql = mk(8, 0);
        model_t m = {0};
        ql_iter_t it;
        ql_entry_t e;
        long idx;

        for (int i = 0; i < 200; i++)
            push(ql, &m, i % 3 ? "x" : "keep", false);
        size_t before = ql_nodes(ql);
        ql_iter_init(&it, ql, fwd ? 0 : -1, fwd);
        idx = fwd ? 0 : (long)m.n - 1;
        while (ql_iter_next(&it, &e) == 1) {
            if (ql_entry_eq(&e, "x", 1)) {
                cr_assert_eq(ql_iter_delete(&it), 0);
                cr_assert_eq(ql_iter_delete(&it), -EINVAL); /* nothing current */
                m_delete(&m, (size_t)idx, 1);
                if (fwd)
                    continue;
            }
            idx += fwd ? 1 : -1;
        }
        ql_iter_done(&it);
        g_ctx = "lrem";
        check(ql, &m, 0);
        cr_assert_eq(m.n, 67);
        cr_assert_lt(ql_nodes(ql), before / 2); /* thinned nodes were merged */
        ql_free(ql);
        m_clear(&m);
    }
}

Test(ql_iter, delete_everything)
{
    for (int fwd = 0; fwd < 2; fwd++) {
        ql_t *ql = mk(2, 1);
        ql_iter_t it;
        ql_entry_t e;
        int n = 0;

        push_n(ql, NULL, "%d0000000000000000000000000000000000000000000000000000", 50);
        ql_iter_init(&it, ql, fwd ? 0 : -1, fwd);
        while (ql_iter_next(&it, &e) == 1) {
            cr_assert_eq(ql_iter_delete(&it), 0);
            n++;
        }
        ql_iter_done(&it);
        cr_assert_eq(n, 50);
        cr_assert_eq(ql_count(ql), 0);
        cr_assert_eq(ql_nodes(ql), 0);
        cr_assert(ql_validate(ql, QL_CHECK_COMPRESSION));
        ql_free(ql);
    }
}

/* LINSERT at every position of a list of full nodes: in place, spilling
 * to a neighbour, or splitting. */
Test(ql_iter, insert_everywhere)
{
    for (int pos = 0; pos < 12; pos++) {
        for (int after = 0; after < 2; after++) {
            ql_t *ql = mk(4, 0);
            model_t m = {0};
            ql_iter_t it;
            ql_entry_t e;
            long idx;

            push_n(ql, &m, "v%d", 12);  /* [0-3][4-7][8-11] all full */
            ql_pop(ql, true, NULL, NULL); /* [1-3][4-7][8-11]: room at the head */
            m_delete(&m, 0, 1);
            idx = iter_to(&it, ql, &m, pos % 11, true, 0);
            cr_assert_eq(ql_iter_insert(&it, "new", 3, after), 0);
            int rc = ql_iter_next(&it, &e);  /* continues after the new one */
            ql_iter_done(&it);
            m_insert(&m, (size_t)idx + (size_t)after, "new", 3);
            g_ctx = "insert";
            check(ql, &m, 0);
            if (idx + after + 1 < (long)m.n)
                cr_assert(rc == 1 && e_is(&e, m.v[idx + after + 1].s, m.v[idx + after + 1].len));
            else
                cr_assert_eq(rc, 0);
            ql_free(ql);
            m_clear(&m);
        }
    }
}

Test(ql_iter, replace_through_iterator)
{
    ql_t *ql = mk(-1, 0);
    model_t m = {0};
    ql_iter_t it;
    ql_entry_t e;
    static char big[3000];
    long idx = 0;

    memset(big, 'r', sizeof big);
    push_n(ql, &m, "item-%d", 200);
    ql_iter_init(&it, ql, 0, true);
    while (ql_iter_next(&it, &e) == 1) {
        if (idx % 7 == 0) {
            size_t l = idx % 2 ? sizeof big : 2;
            cr_assert_eq(ql_iter_replace(&it, big, l), 0);
            m_delete(&m, (size_t)idx, 1);
            m_insert(&m, (size_t)idx, big, l);
        }
        idx++;
    }
    ql_iter_done(&it);
    cr_assert_eq(idx, 200);
    check(ql, &m, 0);
    ql_free(ql);
    m_clear(&m);
}

/* ---- ranges ---- */

Test(ql_range, del_range_cases)
{
    static const long c[][2] = {
        {0, 0}, {0, 1}, {0, 5}, {0, 4}, {3, 1}, {2, 9}, {4, 4}, {-1, 1}, {-1, 100}, {-5, 3},
        {-100, 5}, {100, 1}, {0, 1000}, {7, LONG_MAX}, {1, -1}, {-45, 45},
    };
    for (size_t k = 0; k < sizeof c / sizeof *c; k++) {
        for (int depth = 0; depth < 2; depth++) {
            ql_t *ql = mk(4, depth);
            model_t m = {0};
            long start = c[k][0], cnt = c[k][1];
            push_n(ql, &m, "range-element-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 45);
            long idx = start < 0 ? start + 45 : start;
            long want = idx < 0 || idx >= 45 || cnt <= 0 ? 0 : cnt > 45 - idx ? 45 - idx : cnt;
            cr_assert_eq(ql_del_range(ql, start, cnt), want, "case %zu", k);
            if (want)
                m_delete(&m, (size_t)idx, (size_t)want);
            g_ctx = "del_range";
            check(ql, &m, QL_CHECK_COMPRESSION);
            ql_free(ql);
            m_clear(&m);
        }
    }
}

/* LTRIM keeps a window: two deletions; thin end nodes merge. */
Test(ql_range, ltrim_merges_ends)
{
    ql_t *ql = mk(10, 0);
    model_t m = {0};

    push_n(ql, &m, "%d", 100);
    cr_assert_eq(ql_del_range(ql, 0, 48), 48);
    cr_assert_eq(ql_del_range(ql, 4, 100), 48);
    m_delete(&m, 0, 48);
    m_delete(&m, 4, 100);
    check(ql, &m, 0);
    cr_assert_eq(ql_nodes(ql), 1);
    ql_free(ql);
    m_clear(&m);
}

/* ---- conversions and freeing ---- */

Test(ql_conv, from_and_to_listpack)
{
    unsigned char *lp = lp_new(0), *back;
    model_t m = {0};
    char buf[32];
    ql_t *ql;

    for (int i = 0; i < 50; i++) {
        size_t l = (size_t)snprintf(buf, sizeof buf, i % 2 ? "%d" : "f%d", i);
        lp = lp_append(lp, buf, l);
        m_insert(&m, m.n, buf, l);
    }
    ql = ql_from_lp(lp, -2, 0);   /* fits: adopted as the only node */
    cr_assert_not_null(ql);
    cr_assert_eq(ql_nodes(ql), 1);
    check(ql, &m, 0);
    back = ql_to_lp(ql);
    cr_assert_eq(back, lp);       /* the same block, handed back */
    cr_assert_eq(ql_count(ql), 0);
    cr_assert(ql_validate(ql, 0));
    ql_free(ql);
    ql = ql_from_lp(back, 4, 1);  /* too big for fill 4: copied into nodes */
    cr_assert_eq(ql_nodes(ql), 13);
    check(ql, &m, QL_CHECK_COMPRESSION);
    cr_assert_null(ql_to_lp(ql));
    cr_assert_eq(ql_append_lp(ql, lp_new(0)), 0);  /* empty: just freed */
    cr_assert_eq(ql_append_lp(ql, lp_append(lp_new(0), "t", 1)), 0);
    m_insert(&m, m.n, "t", 1);
    check(ql, &m, QL_CHECK_COMPRESSION);
    cr_assert_eq(ql_del_range(ql, 0, 51), 51);
    back = ql_to_lp(ql);
    cr_assert_eq(lp_count(back), 0);
    lp_free(back);
    ql_free(ql);
    m_clear(&m);
}

Test(ql_conv, free_in_steps)
{
    ql_t *ql = mk(2, 1);
    size_t budget;
    int calls = 0;

    push_n(ql, NULL, "%d", 101);   /* 51 nodes */
    do {
        budget = 10;
        calls++;
    } while (!ql_free_step(ql, &budget));
    cr_assert_eq(calls, 6);
    cr_assert_eq(budget, 9);
    ql = mk(2, 0);
    budget = 0;
    cr_assert(ql_free_step(ql, &budget)); /* empty: done at once */
}

/* ---- compression ---- */

Test(ql_comp, inner_nodes_compressed)
{
    for (int depth = 1; depth <= 3; depth++) {
        ql_t *ql = mk(-1, depth), *raw = mk(-1, 0);
        model_t m = {0};
        ql_entry_t e;
        char s[200];

        memset(s, 'c', sizeof s);
        for (int i = 0; i < 400; i++) {
            snprintf(s, 12, "%010d", i);
            s[10] = 'c';
            cr_assert_eq(ql_push(ql, s, sizeof s, i % 2), 0);
            cr_assert_eq(ql_push(raw, s, sizeof s, i % 2), 0);
            m_insert(&m, i % 2 ? 0 : m.n, s, sizeof s);
        }
        g_ctx = "compressed";
        check(ql, &m, QL_CHECK_COMPRESSION);
        cr_assert_lt(ql_mem(ql), ql_mem(raw) / 3, "compression saves: %zu vs %zu", ql_mem(ql),
                     ql_mem(raw));
        /* reading an inner node decompresses it until the next call */
        cr_assert_eq(ql_index(ql, 200, &e), 1);
        cr_assert(e_is(&e, m.v[200].s, m.v[200].len));
        cr_assert(ql_validate(ql, QL_CHECK_COMPRESSION));
        cr_assert_eq(ql_index(ql, 100, &e), 1);
        cr_assert(e_is(&e, m.v[100].s, m.v[100].len));
        cr_assert_eq(ql_replace_at(ql, 150, "mid", 3), 0);
        m_delete(&m, 150, 1);
        m_insert(&m, 150, "mid", 3);
        check(ql, &m, QL_CHECK_COMPRESSION);
        ql_free(ql);
        ql_free(raw);
        m_clear(&m);
    }
}

/* Splitting a node inside the raw window pushes two nodes inwards (the
 * new element is too big to merge with either half): both must get
 * compressed. At both ends and in the middle. */
Test(ql_comp, window_moves_on_split)
{
    static char big[3000];

    memset(big, 'B', sizeof big);
    /* 70 elements per node: [0-69] ... [280-349] [350-399]; split each
     * node in its middle */
    static const long starts[] = {35, 105, 175, 245, 315, 375};

    memset(big, 'B', sizeof big);
    for (int depth = 1; depth <= 3; depth++) {
        for (size_t k = 0; k < 6; k++) {
            ql_t *ql = mk(-1, depth);
            model_t m = {0};
            ql_iter_t it;
            long idx;

            push_n(ql, &m, "compressible-compressible-compressible-compressible-%04d", 400);
            cr_assert_eq(ql_nodes(ql), 6);
            idx = iter_to(&it, ql, &m, starts[k], true, 0);
            cr_assert_eq(ql_iter_insert(&it, big, sizeof big, false), 0);
            ql_iter_done(&it);
            cr_assert_eq(ql_nodes(ql), 8);
            m_insert(&m, (size_t)idx, big, sizeof big);
            g_ctx = "window split";
            check(ql, &m, QL_CHECK_COMPRESSION);
            ql_free(ql);
            m_clear(&m);
        }
    }
}

/* Random bytes don't compress: nodes stay raw (and are not retried). */
Test(ql_comp, incompressible_stays_raw)
{
    ql_t *ql = mk(-1, 1);
    uint64_t x = 88172645463325252ULL;
    char s[300];

    for (int i = 0; i < 100; i++) {
        for (size_t k = 0; k < sizeof s; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            s[k] = (char)x;
        }
        cr_assert_eq(ql_push(ql, s, sizeof s, false), 0);
    }
    cr_assert(ql_validate(ql, QL_CHECK_COMPRESSION));
    ql_free(ql);
}

/* ---- model-based random tests ---- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static char g_big[20000];

/* Element bytes: integers, short strings (compressible or not), and
 * sometimes strings big enough to need a node of their own. */
static size_t rnd_str(uint64_t *s, char *buf)
{
    unsigned k = (unsigned)(rnd(s) % 100);
    size_t len;

    if (k < 25)
        return num_fmt_ll(buf, (long long)(rnd(s) % 2000000) - 1000000);
    if (k < 30)
        return num_fmt_ll(buf, (long long)rnd(s));
    if (k < 60)
        return (size_t)sprintf(buf, "v%u", (unsigned)(rnd(s) % 50));
    len = k < 97 ? rnd(s) % 300 : 3000 + rnd(s) % 9000;
    memcpy(buf, g_big + rnd(s) % 1000, len);
    return len;
}

typedef struct run {
    ql_t *ql;
    model_t m;
    uint64_t s;
    bool oom;       /* inject allocation failures; failed calls must change nothing */
    size_t target;  /* size the operations steer towards */
    char buf[16000];
} run_t;

/* Arm a failure within the next few allocations (in OOM runs, half the
 * time), for exactly one ql call. */
static void arm(run_t *r)
{
    failed = false;
    fail_in = r->oom && rnd(&r->s) % 2 ? (long)(rnd(&r->s) % 6) : -1;
}

static int disarm(int rc)
{
    fail_in = -1;
    cr_assert(rc >= 0 || failed, "%s: error %d without an injected failure", g_ctx, rc);
    return rc;
}

static void op_iter_edit(run_t *r, size_t len)
{
    model_t *m = &r->m;
    bool fwd = rnd(&r->s) % 2;
    long start = (long)(rnd(&r->s) % m->n), idx;
    int k = (int)(rnd(&r->s) % 4), what = (int)(rnd(&r->s) % 3), rc;
    ql_iter_t it;

    idx = iter_to(&it, r->ql, m, rnd(&r->s) % 2 ? start : start - (long)m->n, fwd, k);
    if (idx >= 0) {
        arm(r);
        if (what == 0)
            rc = disarm(ql_iter_replace(&it, r->buf, len));
        else
            rc = disarm(ql_iter_insert(&it, r->buf, len, what == 2));
        if (rc == 0) {
            if (what == 0)
                m_delete(m, (size_t)idx, 1);
            idx += what == 2;
            m_insert(m, (size_t)idx, r->buf, len);
            /* the new element is current: iteration goes on from it */
            for (int more = 0; more < 2; more++) {
                ql_entry_t e;
                idx += fwd ? 1 : -1;
                arm(r);
                rc = disarm(ql_iter_next(&it, &e));
                if (rc < 0)
                    break;
                cr_assert_eq(rc, idx >= 0 && idx < (long)m->n, "%s: edit, go on", g_ctx);
                if (rc == 0)
                    break;
                cr_assert(e_is(&e, m->v[idx].s, m->v[idx].len), "%s: after edit", g_ctx);
            }
        }
    }
    ql_iter_done(&it);
}

/* LREM target count: delete up to |count| matches from the head (>= 0,
 * 0 = all) or the tail. Stops at the first failure. */
static void op_lrem(run_t *r, const char *t, size_t tl)
{
    model_t *m = &r->m;
    long count = (long)(rnd(&r->s) % 5) - 2, done = 0;
    bool fwd = count >= 0;
    long idx = fwd ? 0 : (long)m->n - 1;
    ql_iter_t it;
    ql_entry_t e;
    int rc;

    ql_iter_init(&it, r->ql, fwd ? 0 : -1, fwd);
    for (;;) {
        arm(r);
        rc = disarm(ql_iter_next(&it, &e));
        if (rc != 1)
            break;
        if (ql_entry_eq(&e, t, tl) && (count == 0 || done < labs(count))) {
            arm(r);
            if (disarm(ql_iter_delete(&it)) < 0)
                break;
            m_delete(m, (size_t)idx, 1);
            done++;
            if (fwd)
                continue;
        }
        idx += fwd ? 1 : -1;
    }
    ql_iter_done(&it);
}

static void op_append_lp(run_t *r)
{
    unsigned char *lp = lp_new(0);
    model_t add = {0};
    size_t n = rnd(&r->s) % 6;

    for (size_t k = 0; k < n; k++) {
        size_t l = rnd_str(&r->s, r->buf);
        lp = lp_append(lp, r->buf, l);
        m_insert(&add, add.n, r->buf, l);
    }
    arm(r);
    if (disarm(ql_append_lp(r->ql, lp)) == 0) {
        for (size_t k = 0; k < add.n; k++)
            m_insert(&r->m, r->m.n, add.v[k].s, add.v[k].len);
    } else {
        lp_free(lp);
    }
    m_clear(&add);
}

static void step_once(run_t *r)
{
    model_t *m = &r->m;
    size_t n = m->n, len = rnd_str(&r->s, r->buf), i = n ? rnd(&r->s) % n : 0;
    unsigned op = (unsigned)(rnd(&r->s) % 14);
    static const unsigned char shrinking[14] = {[2] = 1, [7] = 1, [8] = 1,
                                                [11] = 1, [12] = 1, [13] = 1};

    /* Steer the size towards the target, so lists get long enough for
     * many nodes and a compressed middle, and also shrink to nothing. */
    if (shrinking[op] && n < r->target && rnd(&r->s) % 8)
        op = (unsigned)(rnd(&r->s) % 2);
    else if (!shrinking[op] && n > r->target && rnd(&r->s) % 2)
        op = 2 + 9 * (unsigned)(rnd(&r->s) % 2);
    ql_entry_t e;
    mstr_t got;
    int rc;

    switch (n ? op : op % 2) {
    case 0: case 1:
        arm(r);
        if (disarm(ql_push(r->ql, r->buf, len, op == 0)) == 0)
            m_insert(m, op == 0 ? 0 : n, r->buf, len);
        break;
    case 2: case 11: case 12:
        arm(r);
        rc = disarm(ql_pop(r->ql, op != 2, take, &got));
        if (rc == 1) {
            size_t at = op != 2 ? 0 : n - 1;
            cr_assert(got.len == m->v[at].len && memcmp(got.s, m->v[at].s, got.len) == 0,
                      "%s: popped", g_ctx);
            free(got.s);
            m_delete(m, at, 1);
        }
        break;
    case 3: {
        long idx = (long)(rnd(&r->s) % (2 * n + 2)) - (long)n - 1;
        long norm = idx < 0 ? idx + (long)n : idx;
        arm(r);
        rc = disarm(ql_index(r->ql, idx, &e));
        if (norm < 0 || norm >= (long)n)
            cr_assert_eq(rc, 0);
        else if (rc == 1)
            cr_assert(e_is(&e, m->v[norm].s, m->v[norm].len), "%s: index", g_ctx);
        break;
    }
    case 4:
        arm(r);
        if (disarm(ql_replace_at(r->ql, rnd(&r->s) % 2 ? (long)i : (long)i - (long)n, r->buf,
                                 len)) == 0) {
            m_delete(m, i, 1);
            m_insert(m, i, r->buf, len);
        }
        break;
    case 5: case 6:
        op_iter_edit(r, len);
        break;
    case 7: {
        mstr_t t = m->v[i];
        if (rnd(&r->s) % 3 == 0)
            t = (mstr_t){r->buf, len};
        char *copy = malloc(t.len + 1);
        memcpy(copy, t.s, t.len);
        op_lrem(r, copy, t.len);
        free(copy);
        break;
    }
    case 8: case 13: {
        long cnt = (long)(rnd(&r->s) % (rnd(&r->s) % 40 ? 10 : n + 2)), start = (long)i;
        long norm = start;
        if (rnd(&r->s) % 2)
            start -= (long)n;
        arm(r);
        long got_n = disarm((int)ql_del_range(r->ql, start, cnt));
        if (got_n >= 0) {
            long want = cnt > (long)n - norm ? (long)n - norm : cnt;
            cr_assert_eq(got_n, want, "%s: del_range", g_ctx);
            m_delete(m, (size_t)norm, (size_t)want);
        }
        break;
    }
    case 9:
        op_append_lp(r);
        break;
    default:
        if (ql_nodes(r->ql) == 1) {   /* round trip through a bare listpack */
            int fill = rnd(&r->s) % 2 ? -2 : 4, depth = (int)(rnd(&r->s) % 2);
            unsigned char *lp = ql_to_lp(r->ql);
            cr_assert_not_null(lp);
            ql_free(r->ql);
            r->ql = ql_from_lp(lp, fill, depth);
            cr_assert_not_null(r->ql);
        }
    }
}

static void run_model(int fill, int depth, uint64_t seed, int steps, bool oom)
{
    static char ctx[128];
    run_t *r = calloc(1, sizeof *r);

    for (size_t k = 0; k < sizeof g_big; k++)
        g_big[k] = (char)(k % 13 < 5 ? 'a' + k % 3 : k * 7);
    r->ql = mk(fill, depth);
    r->s = seed * 0x9e3779b97f4a7c15ULL + 7;
    r->oom = oom;
    for (int st = 0; st < steps; st++) {
        snprintf(ctx, sizeof ctx, "fill %d depth %d seed %llu step %d%s", fill, depth,
                 (unsigned long long)seed, st, oom ? " oom" : "");
        g_ctx = ctx;
        r->target = (size_t[]){400, 0, 250}[st * 3 / steps];
        step_once(r);
        check(r->ql, &r->m, oom ? 0 : QL_CHECK_COMPRESSION);
    }
    ql_free(r->ql);
    m_clear(&r->m);
    free(r);
}

static const int g_fills[] = {-2, -1, 1, 2, 4, 128};

static uint64_t seed_or(uint64_t dflt)
{
    const char *env = getenv("QL_SEED");
    return env ? strtoull(env, NULL, 0) : dflt;
}

Test(ql_model, depth0)
{
    for (size_t f = 0; f < 6; f++)
        run_model(g_fills[f], 0, seed_or(100 + f), 800, false);
}

Test(ql_model, depth1)
{
    for (size_t f = 0; f < 6; f++)
        run_model(g_fills[f], 1, seed_or(200 + f), 800, false);
}

Test(ql_model, depth2)
{
    for (size_t f = 0; f < 6; f++)
        run_model(g_fills[f], 2, seed_or(300 + f), 800, false);
}

Test(ql_model, out_of_memory)
{
    for (size_t f = 0; f < 6; f++)
        for (int d = 0; d < 3; d += 2)
            run_model(g_fills[f], d, seed_or(400 + f), 400, true);
}

/* ---- every allocation failure of each operation ---- */

enum { OP_PUSH_HEAD, OP_PUSH_BIG, OP_POP, OP_REPLACE_BIG, OP_REPLACE_SMALL, OP_INSERT_SPLIT,
       OP_DEL_RANGE, OP_INDEX_INNER, OP_APPEND_BIG_LP, OP_ITER_DELETE, OP_COUNT };

static void build(ql_t **ql, model_t *m, int fill, int depth)
{
    *ql = mk(fill, depth);
    push_n(*ql, m, "compressible-compressible-compressible-compressible-%04d", 150);
}

/* Run op once with the k-th allocation failing (k = -1: none). Returns
 * the result; on success the model is updated. */
static int run_op(ql_t *ql, model_t *m, int op, long k)
{
    static char big[5000];
    ql_iter_t it;
    ql_entry_t e;
    mstr_t got;
    unsigned char *lp = NULL;
    int rc = 0;

    memset(big, 'g', sizeof big);
    if (op == OP_APPEND_BIG_LP) {
        lp = lp_new(0);
        for (int i = 0; i < 100; i++)
            lp = lp_append(lp, big, 90);
    }
    failed = false;
    fail_in = k;
    switch (op) {
    case OP_PUSH_HEAD: rc = ql_push(ql, "h", 1, true); break;
    case OP_PUSH_BIG: rc = ql_push(ql, big, sizeof big, false); break;
    case OP_POP: rc = ql_pop(ql, false, take, &got); break;
    case OP_REPLACE_BIG: rc = ql_replace_at(ql, 75, big, sizeof big); break;
    case OP_REPLACE_SMALL: rc = ql_replace_at(ql, 80, "s", 1); break;
    case OP_INSERT_SPLIT:
        ql_iter_init(&it, ql, 77, true);
        if ((rc = ql_iter_next(&it, &e)) == 1)
            rc = ql_iter_insert(&it, big, 3000, false);
        ql_iter_done(&it);
        break;
    case OP_DEL_RANGE: rc = (int)ql_del_range(ql, 30, 60); break;
    case OP_INDEX_INNER: rc = ql_index(ql, 70, &e); break;
    case OP_APPEND_BIG_LP: rc = ql_append_lp(ql, lp); break;
    case OP_ITER_DELETE:
        ql_iter_init(&it, ql, 72, false);
        if ((rc = ql_iter_next(&it, &e)) == 1)
            rc = ql_iter_delete(&it);
        ql_iter_done(&it);
        break;
    }
    fail_in = -1;
    if (rc < 0) {
        lp_free(lp);
        return rc;
    }
    switch (op) {
    case OP_PUSH_HEAD: m_insert(m, 0, "h", 1); break;
    case OP_PUSH_BIG: m_insert(m, m->n, big, sizeof big); break;
    case OP_POP:
        cr_assert(got.len == m->v[m->n - 1].len);
        free(got.s);
        m_delete(m, m->n - 1, 1);
        break;
    case OP_REPLACE_BIG: m_delete(m, 75, 1); m_insert(m, 75, big, sizeof big); break;
    case OP_REPLACE_SMALL: m_delete(m, 80, 1); m_insert(m, 80, "s", 1); break;
    case OP_INSERT_SPLIT: m_insert(m, 77, big, 3000); break;
    case OP_DEL_RANGE: cr_assert_eq(rc, 60); m_delete(m, 30, 60); break;
    case OP_INDEX_INNER: cr_assert(e_is(&e, m->v[70].s, m->v[70].len)); break;
    case OP_APPEND_BIG_LP:
        for (int i = 0; i < 100; i++)
            m_insert(m, m->n, big, 90);
        break;
    case OP_ITER_DELETE: m_delete(m, 72, 1); break;
    }
    return rc;
}

/* Fail the 1st, 2nd, ... allocation until the operation gets through:
 * each failure must leave the list exactly as it was. */
Test(ql_oom, each_allocation_of_each_operation)
{
    static const int cfg[][2] = {{-1, 0}, {-1, 1}, {4, 0}, {4, 2}};
    static char ctx[96];

    for (size_t c = 0; c < 4; c++) {
        for (int op = 0; op < OP_COUNT; op++) {
            for (long k = 0;; k++) {
                ql_t *ql;
                model_t m = {0};
                int rc;

                build(&ql, &m, cfg[c][0], cfg[c][1]);
                rc = run_op(ql, &m, op, k);
                snprintf(ctx, sizeof ctx, "fill %d depth %d op %d fail #%ld: rc %d", cfg[c][0],
                         cfg[c][1], op, k, rc);
                g_ctx = ctx;
                cr_assert(rc >= 0 || failed, "%s", ctx);
                check(ql, &m, 0);
                ql_free(ql);
                m_clear(&m);
                if (!failed)
                    break;    /* got through with no failure left to inject */
                cr_assert_lt(k, 1000, "%s", ctx);
            }
        }
    }
    cr_assert_null((fail_in = 0, ql_new(-2, 0)));
    fail_in = -1;
}
