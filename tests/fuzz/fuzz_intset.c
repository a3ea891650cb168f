/*
 * fuzz_intset.c - libFuzzer target for the intset (store/enc/intset.h): an
 * operation sequence decoded from the input, checked against a model (a
 * sorted array of distinct int64), and intset_validate on raw bytes.
 *
 * Input: byte 0 even: operations (add, remove, find, get, random, min,
 * max, a copy through the blob); after each, the set matches the model
 * element for element, its encoding is the narrowest that held every
 * value ever added (it never narrows), the blob is exactly header plus
 * elements and validates deeply.  Byte 0 odd: the rest is taken as intset
 * bytes; if intset_validate(deep) accepts them, intset_from_blob copies
 * them, the elements read from both ends agree and ascend strictly, every
 * one is found, and adding and removing work on the copy.
 *
 * Concurrency: single-threaded.
 */
#include "store/enc/intset.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ELEMS 1024

typedef struct model {
    int64_t v[MAX_ELEMS];
    size_t n;
    unsigned width; /* bytes per element the set must use */
} model_t;

static size_t lower_bound(const model_t *m, int64_t x)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static unsigned width_of(int64_t x)
{
    if (x >= INT16_MIN && x <= INT16_MAX)
        return 2;
    if (x >= INT32_MIN && x <= INT32_MAX)
        return 4;
    return 8;
}

static void check(const intset_t *is, const model_t *m)
{
    FZ_CHECK(intset_len(is) == m->n, "len %zu, model %zu", intset_len(is), m->n);
    FZ_CHECK(intset_encoding(is) == m->width, "encoding %u, want %u", intset_encoding(is),
             m->width);
    FZ_CHECK(intset_blob_len(is) == INTSET_HDR + m->n * m->width, "blob length %zu",
             intset_blob_len(is));
    for (size_t i = 0; i < m->n; i++) {
        int64_t x;
        FZ_CHECK(intset_get(is, i, &x) && x == m->v[i], "element %zu", i);
    }
    int64_t x = 12345;
    FZ_CHECK(!intset_get(is, m->n, &x) && x == 12345, "get past the end");
    if (m->n) {
        FZ_CHECK(intset_min(is) == m->v[0] && intset_max(is) == m->v[m->n - 1], "min/max");
        FZ_CHECK(intset_validate(intset_blob(is), intset_blob_len(is), true), "blob invalid");
    } else {
        FZ_CHECK(intset_min(is) == 0 && intset_max(is) == 0, "min/max of empty");
        /* Redis never writes an empty intset, so the blob of one fails. */
        FZ_CHECK(!intset_validate(intset_blob(is), intset_blob_len(is), true), "empty validates");
    }
}

static intset_t *op(intset_t *is, model_t *m, fz_in_t *in, uint64_t *rng)
{
    uint8_t k = fz_u8(in);
    int64_t x;
    /* Values near the ones present are the interesting ones. */
    if (m->n && (k & 0x80))
        x = (int64_t)((uint64_t)m->v[fz_u16(in) % m->n] + (uint64_t)((int8_t)fz_u8(in) % 3));
    else
        x = fz_edgy_int(in);
    switch (k % 8) {
    case 0:
    case 1:
    case 2: {
        if (m->n == MAX_ELEMS)
            return is;
        bool added;
        is = intset_add(is, x, &added);
        FZ_CHECK(is, "add failed");
        size_t i = lower_bound(m, x);
        bool present = i < m->n && m->v[i] == x;
        FZ_CHECK(added == !present, "added %d for %lld", added, (long long)x);
        if (!present) {
            memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof *m->v);
            m->v[i] = x;
            m->n++;
            if (width_of(x) > m->width)
                m->width = width_of(x);
        }
        return is;
    }
    case 3:
    case 4: {
        bool removed;
        is = intset_remove(is, x, &removed);
        FZ_CHECK(is, "remove returned NULL");
        size_t i = lower_bound(m, x);
        bool present = i < m->n && m->v[i] == x;
        FZ_CHECK(removed == present, "removed %d for %lld", removed, (long long)x);
        if (present) {
            memmove(m->v + i, m->v + i + 1, (m->n - i - 1) * sizeof *m->v);
            m->n--;
        }
        return is;
    }
    case 5: {
        size_t i = lower_bound(m, x);
        bool present = i < m->n && m->v[i] == x;
        FZ_CHECK(intset_find(is, x) == present, "find %lld", (long long)x);
        return is;
    }
    case 6:
        if (m->n) {
            int64_t r = intset_random(is, rng);
            size_t i = lower_bound(m, r);
            FZ_CHECK(i < m->n && m->v[i] == r, "random %lld not in the set", (long long)r);
        }
        return is;
    default: { /* through the blob: a copy takes over */
        if (!m->n)
            return is;
        intset_t *copy = intset_from_blob(intset_blob(is), intset_blob_len(is));
        FZ_CHECK(copy, "from_blob of a valid set");
        FZ_CHECK(intset_blob_len(copy) == intset_blob_len(is) &&
                     memcmp(intset_blob(copy), intset_blob(is), intset_blob_len(is)) == 0,
                 "copy differs");
        intset_free(is);
        return copy;
    }
    }
}

static void fuzz_ops(fz_in_t *in)
{
    intset_t *is = intset_new();
    FZ_CHECK(is, "intset_new");
    static model_t m;
    m.n = 0;
    m.width = 2;
    uint64_t rng = fz_u64(in);
    int nops = 0;
    while (fz_more(in) && nops++ < 256) {
        is = op(is, &m, in, &rng);
        check(is, &m);
    }
    intset_free(is);
}

static void fuzz_raw(const uint8_t *data, size_t size)
{
    /* Any alignment: validate a copy at an odd address too. */
    uint8_t *buf = fz_xmalloc(size + 1);
    memcpy(buf + 1, data, size);
    bool shallow = intset_validate(buf + 1, size, false);
    bool deep = intset_validate(buf + 1, size, true);
    FZ_CHECK(!deep || shallow, "deep passes where shallow fails");
    intset_t *is = intset_from_blob(buf + 1, size);
    FZ_CHECK((is != NULL) == deep, "from_blob disagrees with validate");
    if (is) {
        size_t n = intset_len(is);
        unsigned enc = intset_encoding(is);
        FZ_CHECK(enc == 2 || enc == 4 || enc == 8, "encoding %u", enc);
        FZ_CHECK(INTSET_HDR + n * enc == size && intset_blob_len(is) == size, "size");
        FZ_CHECK(memcmp(intset_blob(is), buf + 1, size) == 0, "copy differs");
        int64_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t a, b;
            FZ_CHECK(intset_get(is, i, &a) && intset_get(is, n - 1 - i, &b), "get");
            int64_t b2;
            FZ_CHECK(intset_get(is, i, &b2) && b2 == a, "get twice");
            FZ_CHECK(i == 0 || a > prev, "not ascending at %zu", i);
            FZ_CHECK(width_of(a) <= enc, "value wider than its encoding");
            FZ_CHECK(intset_find(is, a) && intset_find(is, b), "find");
            prev = a;
        }
        bool added, removed;
        is = intset_add(is, prev < INT64_MAX ? prev + 1 : prev, &added);
        FZ_CHECK(is, "add to a loaded set");
        is = intset_remove(is, prev, &removed);
        FZ_CHECK(removed, "remove from a loaded set");
        intset_free(is);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_ops_or_raw(data, size, fuzz_raw, fuzz_ops);
}
