/*
 * intset.c - sorted integer set in Redis's byte format (see intset.h).
 *
 * All reads and writes of the header and elements go through memcpy and
 * explicit little-endian conversion: the format is fixed on disk, and
 * intset_validate looks at caller-supplied bytes of any alignment.
 *
 * Concurrency: none; the owning thread only.
 */
#include "store/enc/intset.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/hash.h"

struct intset {
    unsigned char hdr[INTSET_HDR];  /* u32 LE encoding, u32 LE length */
    unsigned char data[];           /* length elements, encoding bytes each */
};

static uint32_t rd_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return le32toh(v);
}

static void wr_u32(unsigned char *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

static uint32_t enc_of(const intset_t *is) { return rd_u32(is->hdr); }
static uint32_t len_of(const intset_t *is) { return rd_u32(is->hdr + 4); }
static void set_len(intset_t *is, uint32_t n) { wr_u32(is->hdr + 4, n); }

/* Narrowest encoding holding v. */
static uint32_t enc_for(int64_t v)
{
    if (v >= INT16_MIN && v <= INT16_MAX)
        return 2;
    if (v >= INT32_MIN && v <= INT32_MAX)
        return 4;
    return 8;
}

/* Element i of an array of enc-byte little-endian integers. */
static int64_t get_raw(const unsigned char *d, uint32_t enc, size_t i)
{
    if (enc == 2) {
        uint16_t v;
        memcpy(&v, d + i * 2, 2);
        return (int16_t)le16toh(v);
    }
    if (enc == 4) {
        uint32_t v;
        memcpy(&v, d + i * 4, 4);
        return (int32_t)le32toh(v);
    }
    uint64_t v;
    memcpy(&v, d + i * 8, 8);
    return (int64_t)le64toh(v);
}

static void set_raw(unsigned char *d, uint32_t enc, size_t i, int64_t v)
{
    if (enc == 2) {
        uint16_t u = htole16((uint16_t)(int16_t)v);
        memcpy(d + i * 2, &u, 2);
    } else if (enc == 4) {
        uint32_t u = htole32((uint32_t)(int32_t)v);
        memcpy(d + i * 4, &u, 4);
    } else {
        uint64_t u = htole64((uint64_t)v);
        memcpy(d + i * 8, &u, 8);
    }
}

static int64_t get_at(const intset_t *is, size_t i)
{
    return get_raw(is->data, enc_of(is), i);
}

/* Binary search: true if v is present. *pos is its index, or where it
 * would be inserted to keep the order. */
static bool search(const intset_t *is, int64_t v, size_t *pos)
{
    size_t n = len_of(is);
    /* Appends of ascending values (common when loading) skip the search. */
    if (n == 0 || v > get_at(is, n - 1)) {
        *pos = n;
        return false;
    }
    size_t lo = 0, hi = n;   /* answer in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_at(is, mid);
        if (cur == v) {
            *pos = mid;
            return true;
        }
        if (cur < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return false;
}

intset_t *intset_new(void)
{
    intset_t *is = malloc(INTSET_HDR);
    if (!is)
        return NULL;
    wr_u32(is->hdr, 2);
    set_len(is, 0);
    return is;
}

void intset_free(intset_t *is)
{
    free(is);
}

/* v does not fit the current encoding, so it is smaller or larger than
 * every element: it goes first or last, and the rest is rewritten wider. */
static intset_t *upgrade_add(intset_t *is, int64_t v, uint32_t enc)
{
    uint32_t old = enc_of(is), n = len_of(is);
    intset_t *r = realloc(is, INTSET_HDR + ((size_t)n + 1) * enc);
    if (!r)
        return NULL;
    size_t front = v < 0;
    /* Back to front: an element's new slot never overlaps the bytes of an
     * element not yet moved (those lie wholly before it). */
    for (size_t i = n; i-- > 0;)
        set_raw(r->data, enc, i + front, get_raw(r->data, old, i));
    set_raw(r->data, enc, front ? 0 : n, v);
    wr_u32(r->hdr, enc);
    set_len(r, n + 1);
    return r;
}

intset_t *intset_add(intset_t *is, int64_t v, bool *added)
{
    uint32_t enc = enc_of(is), n = len_of(is);
    size_t pos;

    if (added)
        *added = false;
    if (enc_for(v) <= enc && search(is, v, &pos))
        return is;
    if (n == UINT32_MAX)
        return NULL;
    if (enc_for(v) > enc) {
        is = upgrade_add(is, v, enc_for(v));
    } else {
        intset_t *r = realloc(is, INTSET_HDR + ((size_t)n + 1) * enc);
        if (!r)
            return NULL;
        is = r;
        memmove(is->data + (pos + 1) * enc, is->data + pos * enc, (n - pos) * enc);
        set_raw(is->data, enc, pos, v);
        set_len(is, n + 1);
    }
    if (is && added)
        *added = true;
    return is;
}

intset_t *intset_remove(intset_t *is, int64_t v, bool *removed)
{
    uint32_t enc = enc_of(is), n = len_of(is);
    size_t pos;

    if (removed)
        *removed = false;
    if (enc_for(v) > enc || !search(is, v, &pos))
        return is;
    memmove(is->data + pos * enc, is->data + (pos + 1) * enc, (n - pos - 1) * enc);
    set_len(is, n - 1);
    if (removed)
        *removed = true;
    /* A failed shrink leaves a valid, slightly oversized block. */
    intset_t *r = realloc(is, INTSET_HDR + ((size_t)n - 1) * enc);
    return r ? r : is;
}

bool intset_find(const intset_t *is, int64_t v)
{
    size_t pos;
    return enc_for(v) <= enc_of(is) && search(is, v, &pos);
}

bool intset_get(const intset_t *is, size_t index, int64_t *out)
{
    if (index >= len_of(is))
        return false;
    *out = get_at(is, index);
    return true;
}

size_t intset_len(const intset_t *is)
{
    return len_of(is);
}

size_t intset_blob_len(const intset_t *is)
{
    return INTSET_HDR + (size_t)len_of(is) * enc_of(is);
}

const void *intset_blob(const intset_t *is)
{
    return is;
}

unsigned intset_encoding(const intset_t *is)
{
    return enc_of(is);
}

int64_t intset_random(const intset_t *is, uint64_t *rng)
{
    uint32_t n = len_of(is);
    if (n == 0)
        return 0;
    /* Multiply-shift maps 64 random bits onto [0, n) with negligible bias
     * (n < 2^32), without a division. */
    uint64_t r = hash_rand_next(rng);
    return get_at(is, (size_t)(((unsigned __int128)r * n) >> 64));
}

int64_t intset_min(const intset_t *is)
{
    return len_of(is) ? get_at(is, 0) : 0;
}

int64_t intset_max(const intset_t *is)
{
    uint32_t n = len_of(is);
    return n ? get_at(is, n - 1) : 0;
}

bool intset_validate(const void *p, size_t size, bool deep)
{
    const unsigned char *b = p;

    if (size < INTSET_HDR)
        return false;
    uint32_t enc = rd_u32(b), n = rd_u32(b + 4);
    if (enc != 2 && enc != 4 && enc != 8)
        return false;
    /* 64-bit arithmetic: n * 8 + 8 cannot overflow. */
    if ((uint64_t)n * enc + INTSET_HDR != (uint64_t)size || n == 0)
        return false;
    if (!deep)
        return true;
    const unsigned char *d = b + INTSET_HDR;
    for (size_t i = 1; i < n; i++)
        if (get_raw(d, enc, i - 1) >= get_raw(d, enc, i))
            return false;
    return true;
}

intset_t *intset_from_blob(const void *p, size_t size)
{
    if (!intset_validate(p, size, true))
        return NULL;
    intset_t *is = malloc(size);
    if (is)
        memcpy(is, p, size);
    return is;
}
