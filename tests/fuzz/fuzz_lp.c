/*
 * fuzz_lp.c - libFuzzer target for the listpack (store/enc/lp.h): an
 * operation sequence decoded from the input, checked against a model
 * array of byte strings, and lp_validate on raw bytes.
 *
 * Input: byte 0 even: operations (append, prepend, insert before / after
 * / replace at an index, delete, delete ranges, batch append, concat,
 * find, seek); after each, the listpack validates deeply, its header
 * count is right, and walking it forwards and backwards gives the model's
 * elements (lp_get_str, lp_eq), lp_seek agrees at random indexes.
 * Byte 0 odd: the rest is taken as listpack bytes; if lp_validate(deep)
 * accepts them, every walk must be safe: forwards and backwards give the
 * same elements, the count matches the header, lp_seek and lp_find stay
 * inside, and an append to a copy validates again.
 *
 * Concurrency: single-threaded.
 */
#include "store/enc/lp.h"
#include "tests/fuzz/fuzz.h"

#define ELEM_CAP 70000
/* Keep listpacks small enough for many executions per second. */
#define MAX_BYTES (64 * 1024)
#define MAX_ELEMS 512

static char g_elem[ELEM_CAP];

static void check_elem_eq(const unsigned char *p, const fz_str_t *want, size_t i)
{
    char buf[NUM_LL_BUF];
    size_t len;
    const unsigned char *s = lp_get_str(p, buf, &len);
    FZ_CHECK(fz_eq(s, len, want->s, want->len), "element %zu differs", i);
    FZ_CHECK(lp_eq(p, want->s, want->len), "lp_eq false on element %zu", i);
}

static void check_model(unsigned char *lp, const fz_vec_t *m, fz_in_t *in)
{
    size_t bytes = lp_bytes(lp);
    FZ_CHECK(lp_validate(lp, bytes, true), "invalid listpack of %zu bytes", bytes);
    FZ_CHECK(lp_count(lp) == m->n, "count %lu, model %zu", lp_count(lp), m->n);
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        FZ_CHECK(i < m->n, "more elements than the model");
        check_elem_eq(p, &m->v[i], i);
    }
    FZ_CHECK(i == m->n, "walked %zu of %zu", i, m->n);
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) {
        FZ_CHECK(i > 0, "more elements backwards");
        i--;
        check_elem_eq(p, &m->v[i], i);
    }
    FZ_CHECK(i == 0, "backwards walk stopped at %zu", i);
    if (m->n) {
        long idx = (long)(fz_u16(in) % (m->n * 2)) - (long)m->n;
        unsigned char *p = lp_seek(lp, idx);
        FZ_CHECK(p != NULL, "seek %ld of %zu", idx, m->n);
        check_elem_eq(p, &m->v[idx < 0 ? (long)m->n + idx : idx], (size_t)idx);
    }
    FZ_CHECK(lp_seek(lp, (long)m->n) == NULL && lp_seek(lp, -(long)m->n - 1) == NULL,
             "seek past the ends");
}

/* Index into [0, n) from the input; n > 0. */
static size_t pick(fz_in_t *in, size_t n)
{
    return fz_u16(in) % n;
}

static unsigned char *op(unsigned char *lp, fz_vec_t *m, fz_in_t *in)
{
    uint8_t k = fz_u8(in);
    size_t len;
    unsigned char *np;
    switch (k % 12) {
    case 0:
        len = fz_element(in, g_elem, ELEM_CAP);
        np = lp_append(lp, g_elem, len);
        FZ_CHECK(np, "append failed");
        fz_vec_insert(m, m->n, g_elem, len);
        return np;
    case 1:
        len = fz_element(in, g_elem, ELEM_CAP);
        np = lp_prepend(lp, g_elem, len);
        FZ_CHECK(np, "prepend failed");
        fz_vec_insert(m, 0, g_elem, len);
        return np;
    case 2: {
        long long v = fz_edgy_int(in);
        np = lp_append_int(lp, v);
        FZ_CHECK(np, "append_int failed");
        len = (size_t)snprintf(g_elem, ELEM_CAP, "%lld", v);
        fz_vec_insert(m, m->n, g_elem, len);
        return np;
    }
    case 3:
    case 4: { /* insert before / after / replace at an index, or at the end */
        int where = fz_u8(in) % 3;
        len = fz_element(in, g_elem, ELEM_CAP);
        size_t i = m->n ? pick(in, m->n + 1) : 0;
        unsigned char *p = i < m->n ? lp_seek(lp, (long)i) : lp + lp_bytes(lp) - 1;
        if (i == m->n)
            where = LP_BEFORE;
        unsigned char *newp = NULL;
        np = lp_insert(lp, p, g_elem, len, where, &newp);
        FZ_CHECK(np && newp, "insert failed");
        size_t at = where == LP_AFTER ? i + 1 : i;
        if (where == LP_REPLACE)
            fz_vec_replace(m, i, g_elem, len);
        else
            fz_vec_insert(m, at, g_elem, len);
        check_elem_eq(newp, &m->v[at], at);
        return np;
    }
    case 5: {
        if (!m->n)
            return lp;
        size_t i = pick(in, m->n);
        unsigned char *next = NULL;
        np = lp_delete(lp, lp_seek(lp, (long)i), &next);
        fz_vec_delete(m, i, 1);
        if (i < m->n)
            check_elem_eq(next, &m->v[i], i);
        else
            FZ_CHECK(next == NULL, "next after the last");
        return np;
    }
    case 6: {
        long idx = (long)(int16_t)fz_u16(in);
        unsigned long count = fz_u8(in);
        np = lp_delete_range(lp, idx, count);
        long n = (long)m->n;
        long s = idx < 0 ? n + idx : idx;
        if (s >= 0 && s < n)
            fz_vec_delete(m, (size_t)s, count);
        return np;
    }
    case 7: {
        if (!m->n)
            return lp;
        size_t i = pick(in, m->n);
        unsigned long count = fz_u8(in);
        np = lp_delete_range_at(lp, lp_seek(lp, (long)i), count);
        fz_vec_delete(m, i, count);
        return np;
    }
    case 8: { /* batch of up to 8 */
        lp_str_t v[8];
        char *bufs[8];
        size_t n = fz_u8(in) % 9;
        for (size_t j = 0; j < n; j++) {
            size_t l = fz_element(in, g_elem, ELEM_CAP);
            bufs[j] = fz_xmalloc(l);
            memcpy(bufs[j], g_elem, l);
            v[j] = (lp_str_t){bufs[j], l};
        }
        np = lp_append_batch(lp, v, n);
        FZ_CHECK(np, "batch failed");
        for (size_t j = 0; j < n; j++) {
            fz_vec_insert(m, m->n, v[j].s, v[j].len);
            free(bufs[j]);
        }
        return np;
    }
    case 9: { /* concat with a copy of itself */
        if (lp_bytes(lp) > MAX_BYTES / 2 || m->n > MAX_ELEMS / 2)
            return lp;
        unsigned char *copy = lp_dup(lp);
        FZ_CHECK(copy, "dup failed");
        np = lp_concat(lp, copy);
        FZ_CHECK(np, "concat failed");
        lp_free(copy);
        size_t n = m->n;
        for (size_t j = 0; j < n; j++)
            fz_vec_insert(m, m->n, m->v[j].s, m->v[j].len);
        return np;
    }
    case 10: { /* find with a skip, from a start index */
        if (!m->n)
            return lp;
        size_t i = pick(in, m->n);
        unsigned skip = fz_u8(in) % 3;
        const fz_str_t *want = &m->v[pick(in, m->n)];
        unsigned char *p = lp_find(lp, lp_seek(lp, (long)i), want->s, want->len, skip);
        size_t j = i;
        while (j < m->n && !fz_eq(m->v[j].s, m->v[j].len, want->s, want->len))
            j += skip + 1;
        if (j < m->n) {
            FZ_CHECK(p == lp_seek(lp, (long)j), "find: not the element %zu", j);
        } else {
            FZ_CHECK(p == NULL, "find: found what is not there");
        }
        return lp;
    }
    default: { /* find something absent, and entry sizes */
        len = fz_element(in, g_elem, ELEM_CAP);
        size_t before = lp_bytes(lp);
        np = lp_append(lp, g_elem, len);
        FZ_CHECK(np, "append failed");
        FZ_CHECK(lp_bytes(np) - before == lp_entry_size(g_elem, len), "lp_entry_size wrong");
        FZ_CHECK(lp_safe_to_add(np, 0) && lp_safe_to_add(NULL, len), "safe_to_add");
        fz_vec_insert(m, m->n, g_elem, len);
        return np;
    }
    }
}

static void fuzz_ops(fz_in_t *in)
{
    unsigned char *lp = lp_new(fz_u8(in));
    FZ_CHECK(lp, "lp_new");
    fz_vec_t m = {0};
    int nops = 0;
    while (fz_more(in) && nops++ < 64) {
        lp = op(lp, &m, in);
        check_model(lp, &m, in);
        if (lp_bytes(lp) > MAX_BYTES || m.n > MAX_ELEMS)
            break;
    }
    lp_free(lp);
    fz_vec_free(&m);
}

/* Raw bytes: whatever validates must be safe to walk, both ways alike. */
static void fuzz_raw(const uint8_t *data, size_t size)
{
    unsigned char *lp = fz_xmalloc(size);
    memcpy(lp, data, size);
    if (!lp_validate(lp, size, false)) {
        FZ_CHECK(!lp_validate(lp, size, true), "deep passes where shallow fails");
        free(lp);
        return;
    }
    if (!lp_validate(lp, size, true)) {
        free(lp);
        return;
    }
    fz_vec_t fwd = {0};
    char buf[NUM_LL_BUF];
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        FZ_CHECK(p >= lp + LP_HDR_SIZE && p < lp + size - 1, "element outside");
        size_t len;
        const unsigned char *s = lp_get_str(p, buf, &len);
        fz_vec_insert(&fwd, fwd.n, (const char *)s, len);
        FZ_CHECK(fwd.n <= size, "more elements than bytes");
    }
    size_t i = fwd.n;
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) {
        FZ_CHECK(i > 0, "more elements backwards than forwards");
        i--;
        size_t len;
        const unsigned char *s = lp_get_str(p, buf, &len);
        FZ_CHECK(fz_eq(s, len, fwd.v[i].s, fwd.v[i].len), "element %zu differs backwards", i);
    }
    FZ_CHECK(i == 0, "fewer elements backwards (%zu left)", i);
    unsigned hdr = (unsigned)lp[4] | (unsigned)lp[5] << 8;
    FZ_CHECK(hdr == LP_COUNT_UNKNOWN || hdr == fwd.n, "header count %u, %zu elements", hdr,
             fwd.n);
    FZ_CHECK(lp_count(lp) == fwd.n, "lp_count %lu, %zu elements", lp_count(lp), fwd.n);
    for (size_t j = 0; j < fwd.n; j++) {
        unsigned char *p = lp_seek(lp, (long)j);
        FZ_CHECK(p && lp_eq(p, fwd.v[j].s, fwd.v[j].len), "seek %zu", j);
        unsigned char *f = lp_find(lp, lp_first(lp), fwd.v[j].s, fwd.v[j].len, 0);
        FZ_CHECK(f && f <= p, "find %zu", j);
    }
    unsigned char *np = lp_append(lp, "x", 1);
    FZ_CHECK(np && lp_validate(np, lp_bytes(np), true) && lp_count(np) == fwd.n + 1,
             "append to a valid listpack");
    np = lp_delete_range(np, 0, 1);
    FZ_CHECK(lp_validate(np, lp_bytes(np), true) && lp_count(np) == fwd.n, "delete from it");
    lp_free(np);
    fz_vec_free(&fwd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_ops_or_raw(data, size, fuzz_raw, fuzz_ops);
}
