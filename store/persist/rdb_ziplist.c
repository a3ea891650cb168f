/*
 * rdb_ziplist.c - the encodings RDB 9 files (Redis 6 and older) still
 * carry, read from untrusted bytes and turned into listpacks, FlashKV's
 * (and Redis 7's) compact form:
 *
 *   ziplist  <zlbytes u32><zltail u32><zllen u16> entry* <0xFF>
 *            entry = <prevlen: 1 byte < 254, or 0xFE + u32>
 *                    <encoding> <data>   (little endian throughout,
 *                    except the 14- and 32-bit string lengths)
 *   zipmap   <zmlen u8> (<len>field <len><free>value <free bytes>)* <0xFF>
 *            len = 1 byte < 254, or 0xFE + u32
 *
 * Every length is checked against the bytes left before it is used, and
 * the redundant fields (zlbytes, zltail, zllen, prevlen, zmlen) must
 * agree with what the walk finds: a ziplist whose links disagree is
 * corrupt even if it can be walked forwards.
 *
 * Concurrency: pure functions.
 */
#include "store/persist/rdb_read.h"

#include <string.h>

#include "store/enc/lp.h"

#define ZL_HDR 10
#define ZL_END 0xFF
#define ZL_BIGPREV 0xFE
#define ZM_BIGLEN 254
#define ZM_END 255

static uint32_t u32le(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* One ziplist entry at p (before end): its size, and its string or
 * integer.  false if it runs past end or its encoding is not one of
 * ziplist.c's. */
typedef struct zl_entry {
    size_t prevlen, size;
    const unsigned char *s;     /* NULL: integer v */
    size_t slen;
    long long v;
} zl_entry_t;

static bool zl_int(const unsigned char *d, unsigned enc, size_t *dlen, long long *v)
{
    switch (enc) {
    case 0xC0: *dlen = 2; *v = (int16_t)(d[0] | d[1] << 8); return true;
    case 0xD0: *dlen = 4; *v = (int32_t)u32le(d); return true;
    case 0xE0: *dlen = 8; *v = (int64_t)((uint64_t)u32le(d) | (uint64_t)u32le(d + 4) << 32); return true;
    case 0xF0: *dlen = 3; *v = (int32_t)((uint32_t)d[0] << 8 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 24) >> 8; return true;
    case 0xFE: *dlen = 1; *v = (int8_t)d[0]; return true;
    }
    if (enc >= 0xF1 && enc <= 0xFD) {
        *dlen = 0;
        *v = (long long)(enc & 0x0F) - 1;
        return true;
    }
    return false;
}

/* Bytes of data an integer encoding needs (to bounds-check before
 * reading), or 0 for an immediate / invalid one. */
static size_t zl_int_need(unsigned enc)
{
    switch (enc) {
    case 0xC0: return 2;
    case 0xD0: return 4;
    case 0xE0: return 8;
    case 0xF0: return 3;
    case 0xFE: return 1;
    }
    return 0;
}

static bool zl_parse(const unsigned char *p, const unsigned char *end, zl_entry_t *e)
{
    size_t left = (size_t)(end - p), hdr, dlen;
    unsigned enc;

    if (left < 1)
        return false;
    if (p[0] < ZL_BIGPREV) {
        e->prevlen = p[0];
        hdr = 1;
    } else if (p[0] == ZL_BIGPREV) {
        if (left < 5)
            return false;
        e->prevlen = u32le(p + 1);
        hdr = 5;
    } else {
        return false;
    }
    if (left - hdr < 1)
        return false;
    enc = p[hdr];
    switch (enc >> 6) {
    case 0:
        dlen = enc & 0x3F;
        hdr += 1;
        break;
    case 1:
        if (left - hdr < 2)
            return false;
        dlen = (size_t)(enc & 0x3F) << 8 | p[hdr + 1];
        hdr += 2;
        break;
    case 2:
        if (enc != 0x80 || left - hdr < 5)
            return false;
        dlen = (size_t)p[hdr + 1] << 24 | (size_t)p[hdr + 2] << 16 | (size_t)p[hdr + 3] << 8 |
               p[hdr + 4];
        hdr += 5;
        break;
    default:
        hdr += 1;
        if (left - hdr < zl_int_need(enc))
            return false;
        if (!zl_int(p + hdr, enc, &dlen, &e->v))
            return false;
        e->s = NULL;
        e->slen = 0;
        if (left - hdr < dlen)
            return false;
        e->size = hdr + dlen;
        return true;
    }
    if (left - hdr < dlen)
        return false;
    e->s = p + hdr;
    e->slen = dlen;
    e->size = hdr + dlen;
    return true;
}

int rdb__zl_to_lp(rdb_rd_t *rd, const unsigned char *zl, size_t n, unsigned char **out)
{
    const unsigned char *p, *end, *last = NULL;
    size_t prev = 0, count = 0;
    unsigned char *lp;

    if (n < ZL_HDR + 1 || u32le(zl) != n || zl[n - 1] != ZL_END)
        return rdb__fail(rd, "Ziplist integrity check failed");
    end = zl + n - 1;
    if (!(lp = lp_new(n)))
        return rdb__oom(rd);
    for (p = zl + ZL_HDR; p < end; p += prev) {
        zl_entry_t e;
        unsigned char *nlp;
        if (!zl_parse(p, end, &e) || e.prevlen != prev)
            goto corrupt;
        if (e.s)
            nlp = lp_append(lp, (const char *)e.s, e.slen);
        else
            nlp = lp_append_int(lp, e.v);
        if (!nlp) {
            lp_free(lp);
            return rdb__oom(rd);
        }
        lp = nlp;
        last = p;
        prev = e.size;
        count++;
    }
    if (p != end)
        goto corrupt;
    /* The tail offset names the last entry (the end of the header when
     * there is none); the count is exact unless it saturated. */
    if (u32le(zl + 4) != (size_t)((last ? last : zl + ZL_HDR) - zl))
        goto corrupt;
    unsigned zllen = zl[8] | zl[9] << 8;
    if (zllen != 0xFFFF && zllen != count)
        goto corrupt;
    *out = lp;
    return 0;
corrupt:
    lp_free(lp);
    return rdb__fail(rd, "Ziplist integrity check failed");
}

/* A zipmap length at *p (before end); false past end or at ZM_END
 * (which the caller tests first). */
static bool zm_len(const unsigned char **p, const unsigned char *end, size_t *len)
{
    if (*p >= end)
        return false;
    if (**p < ZM_BIGLEN) {
        *len = *(*p)++;
        return true;
    }
    if (**p != ZM_BIGLEN || end - *p < 5)
        return false;
    *len = u32le(*p + 1);
    *p += 5;
    return true;
}

int rdb__zm_to_lp(rdb_rd_t *rd, const unsigned char *zm, size_t n, unsigned char **out)
{
    const unsigned char *p, *end;
    size_t count = 0;
    unsigned char *lp;

    if (n < 2 || zm[n - 1] != ZM_END)
        return rdb__fail(rd, "Zipmap integrity check failed");
    end = zm + n - 1;
    if (!(lp = lp_new(n)))
        return rdb__oom(rd);
    for (p = zm + 1; p < end;) {
        const unsigned char *f, *v;
        size_t flen, vlen, freeb;
        unsigned char *nlp;
        if (!zm_len(&p, end, &flen) || (size_t)(end - p) < flen)
            goto corrupt;
        f = p;
        p += flen;
        if (!zm_len(&p, end, &vlen) || p >= end)
            goto corrupt;
        freeb = *p++;
        if ((size_t)(end - p) < vlen || (size_t)(end - p) - vlen < freeb)
            goto corrupt;
        v = p;
        p += vlen + freeb;
        if (!(nlp = lp_append(lp, (const char *)f, flen)) ||
            !(lp = nlp, nlp = lp_append(lp, (const char *)v, vlen))) {
            lp_free(lp);
            return rdb__oom(rd);
        }
        lp = nlp;
        count++;
    }
    if (p != end || (zm[0] < ZM_BIGLEN && zm[0] != count))
        goto corrupt;
    *out = lp;
    return 0;
corrupt:
    lp_free(lp);
    return rdb__fail(rd, "Zipmap integrity check failed");
}
