/*
 * fuzz_ql.c - libFuzzer target for the quicklist (store/enc/ql.h): an
 * operation sequence decoded from the input over a list of some fill and
 * compression depth, checked against a model array of byte strings.
 *
 * Input: byte 0 picks fill (-5..-1, 1..8, 128) and byte 1 depth (0..3);
 * then operations: push and pop at both ends, index, replace at an index,
 * delete ranges, iterations from an index in either direction that
 * compare, delete, replace or insert as they go (LREM, LSET, LINSERT),
 * appending a listpack (ql_append_lp), taking the only node's listpack
 * (ql_to_lp) and rebuilding from it (ql_from_lp).  After each operation
 * ql_validate(QL_CHECK_COMPRESSION) holds (links, counts, sizes, memory
 * total, every node's listpack, the fill rule, which nodes are
 * compressed), the count matches, and a full walk from a random end gives
 * the model's elements.  At the end the list is freed in small steps.
 *
 * Concurrency: single-threaded.
 */
#include <errno.h>

#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "tests/fuzz/fuzz.h"

#define ELEM_CAP 70000
#define MAX_ELEMS 600

static char g_elem[ELEM_CAP];

static void entry_eq(const ql_entry_t *e, const fz_str_t *want, size_t i)
{
    char buf[32];
    const void *s = e->s;
    size_t len = e->len;
    if (!s) {
        len = (size_t)snprintf(buf, sizeof buf, "%lld", e->ival);
        s = buf;
    }
    FZ_CHECK(fz_eq(s, len, want->s, want->len), "element %zu differs", i);
    FZ_CHECK(ql_entry_eq(e, want->s, want->len), "ql_entry_eq false at %zu", i);
}

static void check(ql_t *ql, const fz_vec_t *m, bool fwd)
{
    FZ_CHECK(ql_validate(ql, QL_CHECK_COMPRESSION), "invalid quicklist");
    FZ_CHECK(ql_count(ql) == m->n, "count %zu, model %zu", ql_count(ql), m->n);
    ql_iter_t it;
    ql_entry_t e;
    ql_iter_init(&it, ql, fwd ? 0 : -1, fwd);
    size_t seen = 0;
    int rc;
    while ((rc = ql_iter_next(&it, &e)) == 1) {
        FZ_CHECK(seen < m->n, "more elements than the model");
        size_t i = fwd ? seen : m->n - 1 - seen;
        entry_eq(&e, &m->v[i], i);
        seen++;
    }
    ql_iter_done(&it);
    FZ_CHECK(rc == 0 && seen == m->n, "walk: rc %d, %zu of %zu", rc, seen, m->n);
    FZ_CHECK(ql_validate(ql, QL_CHECK_COMPRESSION), "invalid after a walk");
}

typedef struct popped {
    fz_vec_t *m;
    size_t i;
} popped_t;

static int take(void *arg, const ql_entry_t *e)
{
    popped_t *p = arg;
    entry_eq(e, &p->m->v[p->i], p->i);
    return 0;
}

/* An index in -n-2..n+1: mostly in range, sometimes just outside. */
static long pick_index(fz_in_t *in, size_t n)
{
    long span = (long)n * 2 + 4;
    return (long)(fz_u16(in) % span) - (long)n - 2;
}

static long normal(long idx, size_t n)
{
    return idx < 0 ? (long)n + idx : idx;
}

/* One iteration: from start in a direction, up to steps elements, each
 * compared and maybe deleted / replaced / inserted next to. */
static void iterate(ql_t *ql, fz_vec_t *m, fz_in_t *in)
{
    bool fwd = fz_u8(in) & 1;
    long start = pick_index(in, m->n);
    long cur = normal(start, m->n);
    unsigned steps = fz_u8(in) % 16;
    ql_iter_t it;
    ql_iter_init(&it, ql, start, fwd);
    ql_entry_t e;
    if (cur < 0 || cur >= (long)m->n) {
        FZ_CHECK(ql_iter_next(&it, &e) == 0, "iteration from outside yields");
        ql_iter_done(&it);
        return;
    }
    for (unsigned s = 0; s < steps; s++) {
        int rc = ql_iter_next(&it, &e);
        if (cur < 0 || cur >= (long)m->n) {
            FZ_CHECK(rc == 0, "iteration past the end yields");
            break;
        }
        FZ_CHECK(rc == 1, "iteration stopped early: %d", rc);
        entry_eq(&e, &m->v[cur], (size_t)cur);
        uint8_t act = fz_u8(in) % 8;
        if (act == 0) { /* delete: the next one is the neighbour */
            FZ_CHECK(ql_iter_delete(&it) == 0, "iter delete");
            fz_vec_delete(m, (size_t)cur, 1);
            if (!fwd)
                cur--;
            continue;
        }
        if (act == 1) {
            size_t len = fz_element(in, g_elem, ELEM_CAP);
            FZ_CHECK(ql_iter_replace(&it, g_elem, len) == 0, "iter replace");
            fz_vec_replace(m, (size_t)cur, g_elem, len);
        } else if (act == 2) { /* insert, then stop as LINSERT does */
            bool after = fz_u8(in) & 1;
            size_t len = fz_element(in, g_elem, ELEM_CAP);
            FZ_CHECK(ql_iter_insert(&it, g_elem, len, after) == 0, "iter insert");
            fz_vec_insert(m, (size_t)cur + after, g_elem, len);
            break;
        }
        cur += fwd ? 1 : -1;
    }
    ql_iter_done(&it);
}

static ql_t *op(ql_t *ql, fz_vec_t *m, fz_in_t *in)
{
    uint8_t k = fz_u8(in);
    switch (k % 12) {
    case 0:
    case 1:
    case 2: {
        bool head = k & 0x10;
        size_t len = fz_element(in, g_elem, ELEM_CAP);
        FZ_CHECK(ql_push(ql, g_elem, len, head) == 0, "push");
        fz_vec_insert(m, head ? 0 : m->n, g_elem, len);
        break;
    }
    case 3: {
        bool head = k & 0x10;
        popped_t p = {m, head ? 0 : m->n - 1};
        int rc = ql_pop(ql, head, m->n ? take : NULL, &p);
        FZ_CHECK(rc == (m->n ? 1 : 0), "pop: %d with %zu elements", rc, m->n);
        if (m->n)
            fz_vec_delete(m, p.i, 1);
        break;
    }
    case 4: {
        long idx = pick_index(in, m->n);
        long i = normal(idx, m->n);
        ql_entry_t e;
        int rc = ql_index(ql, idx, &e);
        if (i >= 0 && i < (long)m->n) {
            FZ_CHECK(rc == 1, "index %ld: %d", idx, rc);
            entry_eq(&e, &m->v[i], (size_t)i);
        } else {
            FZ_CHECK(rc == 0, "index %ld out of range: %d", idx, rc);
        }
        break;
    }
    case 5: {
        long idx = pick_index(in, m->n);
        long i = normal(idx, m->n);
        size_t len = fz_element(in, g_elem, ELEM_CAP);
        int rc = ql_replace_at(ql, idx, g_elem, len);
        if (i >= 0 && i < (long)m->n) {
            FZ_CHECK(rc == 0, "replace_at %ld: %d", idx, rc);
            fz_vec_replace(m, (size_t)i, g_elem, len);
        } else {
            FZ_CHECK(rc == -ERANGE, "replace_at %ld out of range: %d", idx, rc);
        }
        break;
    }
    case 6: {
        long idx = pick_index(in, m->n);
        long count = (long)(fz_u8(in) % 40);
        long i = normal(idx, m->n);
        long rc = ql_del_range(ql, idx, count);
        if (i >= 0 && i < (long)m->n) {
            long want = count < (long)m->n - i ? count : (long)m->n - i;
            FZ_CHECK(rc == want, "del_range %ld %ld: %ld, want %ld", idx, count, rc, want);
            fz_vec_delete(m, (size_t)i, (size_t)count);
        } else {
            FZ_CHECK(rc == 0, "del_range out of range: %ld", rc);
        }
        break;
    }
    case 7:
    case 8:
        iterate(ql, m, in);
        break;
    case 9: { /* append a listpack of a few elements */
        unsigned char *lp = lp_new(0);
        size_t n = fz_u8(in) % 12;
        size_t first = m->n;
        for (size_t j = 0; j < n; j++) {
            size_t len = fz_element(in, g_elem, ELEM_CAP);
            lp = lp_append(lp, g_elem, len);
            FZ_CHECK(lp, "lp_append");
            fz_vec_insert(m, m->n, g_elem, len);
        }
        if (n == 0) {
            lp_free(lp);
            break;
        }
        if (ql_append_lp(ql, lp) != 0) {
            lp_free(lp);
            fz_vec_delete(m, first, n);
            FZ_CHECK(false, "ql_append_lp failed");
        }
        break;
    }
    default: { /* one node: out to a listpack and back */
        if (ql_nodes(ql) > 1)
            break;
        int fill = ql_fill(ql), depth = ql_depth(ql);
        unsigned char *lp = ql_to_lp(ql);
        FZ_CHECK(lp && lp_validate(lp, lp_bytes(lp), true), "ql_to_lp");
        FZ_CHECK(lp_count(lp) == m->n && ql_count(ql) == 0, "ql_to_lp counts");
        ql_free(ql);
        ql = ql_from_lp(lp, fill, depth);
        FZ_CHECK(ql, "ql_from_lp");
        break;
    }
    }
    return ql;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int fills[] = {-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 8, 128};
    fz_in_t in = {data, size, 0};
    int fill = fills[fz_u8(&in) % (sizeof fills / sizeof *fills)];
    int depth = fz_u8(&in) % 4;
    ql_t *ql = ql_new(fill, depth);
    FZ_CHECK(ql && ql_fill(ql) == fill && ql_depth(ql) == depth, "ql_new");
    fz_vec_t m = {0};
    int nops = 0;
    while (fz_more(&in) && nops++ < 96 && m.n < MAX_ELEMS) {
        ql = op(ql, &m, &in);
        check(ql, &m, fz_u8(&in) & 1);
    }
    /* Freed in bounded steps, as big lists are. */
    size_t budget = 1 + fz_u8(&in) % 4;
    for (;;) {
        size_t b = budget;
        if (ql_free_step(ql, &b))
            break;
    }
    fz_vec_free(&m);
    return 0;
}
