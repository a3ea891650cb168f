/*
 * lp.c - listpack encoding, reading and editing (see lp.h; the byte
 * format is lp_format.h, validation lp_validate.c).
 *
 * Every edit goes through splice(): grow with realloc before moving bytes
 * (so a failed realloc leaves the listpack as it was), shrink after moving
 * them (so a failed shrinking realloc is harmless). That is what makes
 * "NULL means untouched" and "deletes never fail" hold.
 *
 * Concurrency: none; functions work on buffers their caller owns.
 */
#include "store/enc/lp.h"

#include <stdlib.h>
#include <string.h>

#include "lp_format.h"

/* ---- encoding a new element ---- */

typedef struct elem {
    unsigned char hdr[9];  /* integer encoding, or string header */
    unsigned char back[5];
    uint8_t hlen, blen;
    const char *s;         /* string bytes; unused for integers */
    size_t slen;
} elem_t;

static size_t elem_size(const elem_t *e) { return e->hlen + e->slen + e->blen; }

static void prep_int(elem_t *e, long long v)
{
    uint64_t u = (uint64_t)v;
    unsigned nb;

    e->s = NULL;
    e->slen = 0;
    if (v >= 0 && v <= 127) {
        e->hdr[0] = (unsigned char)v;
        e->hlen = 1;
    } else if (v >= -4096 && v <= 4095) {
        u &= 0x1FFF;
        e->hdr[0] = (unsigned char)(0xC0 | u >> 8);
        e->hdr[1] = (unsigned char)u;
        e->hlen = 2;
    } else {
        if (v >= INT16_MIN && v <= INT16_MAX)
            nb = 2;
        else if (v >= -8388608 && v <= 8388607)
            nb = 3;
        else if (v >= INT32_MIN && v <= INT32_MAX)
            nb = 4;
        else
            nb = 8;
        e->hdr[0] = (unsigned char)(nb == 8 ? 0xF4 : 0xF0 + nb - 1);
        for (unsigned i = 0; i < nb; i++)
            e->hdr[1 + i] = (unsigned char)(u >> (8 * i));
        e->hlen = (uint8_t)(1 + nb);
    }
    e->blen = (uint8_t)back_enc(e->back, e->hlen);
}

/* Strings over UINT32_MAX get a truncated header, but their size makes
 * every caller refuse them before anything is written. */
static void prep_str(elem_t *e, const char *s, size_t len)
{
    long long v;

    if (num_parse_ll(s, len, &v)) {
        prep_int(e, v);
        return;
    }
    e->s = s;
    e->slen = len;
    if (len < 64) {
        e->hdr[0] = (unsigned char)(0x80 | len);
        e->hlen = 1;
    } else if (len < 4096) {
        e->hdr[0] = (unsigned char)(0xE0 | len >> 8);
        e->hdr[1] = (unsigned char)len;
        e->hlen = 2;
    } else {
        e->hdr[0] = 0xF0;
        wr32(e->hdr + 1, (uint32_t)len);
        e->hlen = 5;
    }
    e->blen = (uint8_t)back_enc(e->back, (uint64_t)e->hlen + len);
}

static void elem_write(unsigned char *dst, const elem_t *e)
{
    memcpy(dst, e->hdr, e->hlen);
    if (e->slen)
        memcpy(dst + e->hlen, e->s, e->slen);
    memcpy(dst + e->hlen + e->slen, e->back, e->blen);
}

/* ---- whole listpack ---- */

unsigned char *lp_new(size_t capacity_hint)
{
    unsigned char *lp = malloc(capacity_hint > LP_HDR_SIZE + 1 ? capacity_hint : LP_HDR_SIZE + 1);

    if (!lp)
        return NULL;
    wr32(lp, LP_HDR_SIZE + 1);
    wr16(lp + 4, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp) { free(lp); }

unsigned char *lp_dup(const unsigned char *lp)
{
    size_t n = lp_bytes(lp);
    unsigned char *c = malloc(n);

    if (c)
        memcpy(c, lp, n);
    return c;
}

size_t lp_bytes(const unsigned char *lp) { return rd32(lp); }

static unsigned long scan_count(const unsigned char *lp)
{
    unsigned long n = 0;

    for (const unsigned char *p = lp + LP_HDR_SIZE; *p != LP_EOF; p += elem_len(p))
        n++;
    return n;
}

unsigned long lp_count(const unsigned char *lp)
{
    unsigned n = rd16(lp + 4);
    return n == LP_COUNT_UNKNOWN ? scan_count(lp) : n;
}

/* Keep the header exact below 65535. Once it says unknown, a shrinking
 * edit rescans: the edit already moved O(bytes), so this costs nothing
 * asymptotically and keeps lp_count O(1) whenever Redis could. */
static void count_add(unsigned char *lp, long delta)
{
    unsigned n = rd16(lp + 4);
    unsigned long m;

    if (n == LP_COUNT_UNKNOWN) {
        if (delta >= 0)
            return;
        m = scan_count(lp);
    } else {
        m = (unsigned long)((long)n + delta);
    }
    wr16(lp + 4, m >= LP_COUNT_UNKNOWN ? LP_COUNT_UNKNOWN : (unsigned)m);
}

/* Replace del bytes at offset off with add bytes for the caller to fill. */
static unsigned char *splice(unsigned char *lp, size_t off, size_t del, size_t add)
{
    size_t old = lp_bytes(lp), tail = old - off - del, total;
    unsigned char *n;

    if (add > UINT32_MAX || (total = old - del + add) > UINT32_MAX)
        return NULL;
    if (add > del) {
        if (!(n = realloc(lp, total)))
            return NULL;
        lp = n;
        memmove(lp + off + add, lp + off + del, tail);
    } else if (add < del) {
        memmove(lp + off + add, lp + off + del, tail);
        if ((n = realloc(lp, total)))
            lp = n;
    }
    wr32(lp, (uint32_t)total);
    return lp;
}

/* ---- reading ---- */

unsigned char *lp_first(unsigned char *lp)
{
    unsigned char *p = lp + LP_HDR_SIZE;
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_next(unsigned char *lp, unsigned char *p)
{
    (void)lp;
    p += elem_len(p);
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_prev(unsigned char *lp, unsigned char *p)
{
    uint64_t n;

    if (p <= lp + LP_HDR_SIZE)
        return NULL;
    n = back_dec(p - 1);
    return p - (n + back_size(n));
}

unsigned char *lp_last(unsigned char *lp) { return lp_prev(lp, lp + lp_bytes(lp) - 1); }

unsigned char *lp_seek(unsigned char *lp, long index)
{
    long n = (long)lp_count(lp);
    unsigned char *p;

    if (index < 0)
        index += n;
    if (index < 0 || index >= n)
        return NULL;
    if (index <= n / 2) {
        for (p = lp_first(lp); index > 0; index--)
            p = lp_next(lp, p);
    } else {
        p = lp_last(lp);
        for (long i = n - 1; i > index; i--)
            p = lp_prev(lp, p);
    }
    return p;
}

static long long sext(uint64_t u, unsigned bits)
{
    int64_t v;

    if (bits < 64 && (u >> (bits - 1) & 1))
        u |= ~0ULL << bits;
    memcpy(&v, &u, sizeof v);
    return v;
}

const unsigned char *lp_get(const unsigned char *p, uint32_t *slen, long long *ival)
{
    unsigned b = p[0], nb;
    uint64_t u = 0;

    if (b < 0x80) {
        *ival = b;
        return NULL;
    }
    if (b < 0xC0) {
        *slen = b & 0x3F;
        return p + 1;
    }
    if (b < 0xE0) {
        *ival = sext((b & 0x1F) << 8 | p[1], 13);
        return NULL;
    }
    if (b < 0xF0) {
        *slen = (b & 0x0F) << 8 | p[1];
        return p + 2;
    }
    if (b == 0xF0) {
        *slen = rd32(p + 1);
        return p + 5;
    }
    nb = b <= 0xF4 ? lp_int_bytes[b - 0xF1] : 0;
    for (unsigned i = 0; i < nb; i++)
        u |= (uint64_t)p[1 + i] << (8 * i);
    *ival = sext(u, 8 * nb);
    return NULL;
}

const unsigned char *lp_get_str(const unsigned char *p, char buf[NUM_LL_BUF], size_t *len)
{
    uint32_t sl;
    long long v;
    const unsigned char *d = lp_get(p, &sl, &v);

    if (d) {
        *len = sl;
        return d;
    }
    *len = num_fmt_ll(buf, v);
    return (const unsigned char *)buf;
}

static bool match(const unsigned char *p, const char *s, size_t len, bool sint, long long sv)
{
    uint32_t sl;
    long long v;
    const unsigned char *d = lp_get(p, &sl, &v);

    if (d)
        return sl == len && (len == 0 || memcmp(d, s, len) == 0);
    return sint && v == sv;
}

bool lp_eq(const unsigned char *p, const char *s, size_t len)
{
    long long sv;
    bool sint = num_parse_ll(s, len, &sv);
    return match(p, s, len, sint, sv);
}

unsigned char *lp_find(unsigned char *lp, unsigned char *p, const char *s, size_t len,
                       unsigned skip)
{
    long long sv = 0;
    bool sint = num_parse_ll(s, len, &sv);
    unsigned left = 0;

    (void)lp;
    for (; p && *p != LP_EOF; p += elem_len(p)) {
        if (left) {
            left--;
            continue;
        }
        if (match(p, s, len, sint, sv))
            return p;
        left = skip;
    }
    return NULL;
}

/* ---- writing ---- */

static unsigned char *ins_elem(unsigned char *lp, unsigned char *p, const elem_t *e, int where,
                               unsigned char **newp)
{
    size_t off, del = 0;

    if (where == LP_AFTER)
        p += elem_len(p);
    else if (where == LP_REPLACE)
        del = elem_len(p);
    off = (size_t)(p - lp);
    if (!(lp = splice(lp, off, del, elem_size(e))))
        return NULL;
    elem_write(lp + off, e);
    if (where != LP_REPLACE)
        count_add(lp, 1);
    if (newp)
        *newp = lp + off;
    return lp;
}

unsigned char *lp_insert(unsigned char *lp, unsigned char *p, const char *s, size_t len,
                         int where, unsigned char **newp)
{
    elem_t e;

    if (len > UINT32_MAX)
        return NULL;
    prep_str(&e, s, len);
    return ins_elem(lp, p, &e, where, newp);
}

unsigned char *lp_insert_int(unsigned char *lp, unsigned char *p, long long v, int where,
                             unsigned char **newp)
{
    elem_t e;

    prep_int(&e, v);
    return ins_elem(lp, p, &e, where, newp);
}

unsigned char *lp_append(unsigned char *lp, const char *s, size_t len)
{
    return lp_insert(lp, lp + lp_bytes(lp) - 1, s, len, LP_BEFORE, NULL);
}

unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len)
{
    return lp_insert(lp, lp + LP_HDR_SIZE, s, len, LP_BEFORE, NULL);
}

unsigned char *lp_append_int(unsigned char *lp, long long v)
{
    return lp_insert_int(lp, lp + lp_bytes(lp) - 1, v, LP_BEFORE, NULL);
}

/* Sizes first, so one realloc serves all; elements are encoded twice,
 * which is cheaper than allocating a side array. */
unsigned char *lp_append_batch(unsigned char *lp, const lp_str_t *v, size_t n)
{
    size_t off = lp_bytes(lp) - 1, add = 0;
    elem_t e;

    for (size_t i = 0; i < n; i++) {
        if (v[i].len > UINT32_MAX)
            return NULL;
        prep_str(&e, v[i].s, v[i].len);
        if ((add += elem_size(&e)) > UINT32_MAX)
            return NULL;
    }
    if (!(lp = splice(lp, off, 0, add)))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        prep_str(&e, v[i].s, v[i].len);
        elem_write(lp + off, &e);
        off += elem_size(&e);
    }
    count_add(lp, (long)n);
    return lp;
}

unsigned char *lp_concat(unsigned char *a, const unsigned char *b)
{
    size_t off = lp_bytes(a) - 1, add = lp_bytes(b) - LP_HDR_SIZE - 1;
    unsigned long nb = lp_count(b);

    if (!(a = splice(a, off, 0, add)))
        return NULL;
    memcpy(a + off, b + LP_HDR_SIZE, add);
    count_add(a, (long)nb);
    return a;
}

unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **nextp)
{
    size_t off = (size_t)(p - lp);

    lp = splice(lp, off, elem_len(p), 0);
    count_add(lp, -1);
    if (nextp)
        *nextp = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lp_delete_range_at(unsigned char *lp, unsigned char *p, unsigned long count)
{
    unsigned char *q = p;
    unsigned long n = 0;

    for (; n < count && *q != LP_EOF; n++)
        q += elem_len(q);
    if (n == 0)
        return lp;
    lp = splice(lp, (size_t)(p - lp), (size_t)(q - p), 0);
    count_add(lp, -(long)n);
    return lp;
}

unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long count)
{
    unsigned char *p = lp_seek(lp, index);
    return p ? lp_delete_range_at(lp, p, count) : lp;
}

/* ---- sizes and validation ---- */

size_t lp_entry_size(const char *s, size_t len)
{
    elem_t e;

    prep_str(&e, s, len);
    return elem_size(&e);
}

bool lp_safe_to_add(const unsigned char *lp, size_t add)
{
    size_t cur = lp ? lp_bytes(lp) : 0;
    return add <= LP_SAFETY_SIZE && cur + add <= LP_SAFETY_SIZE;
}
