/*
 * rdb_read.c - the bounds-checked reader of RDB bytes (rdb_read.h):
 * lengths, strings in their plain, integer and LZF forms, scores and
 * expiry fields.  Nothing here trusts a length before checking it against
 * the bytes left, so a hostile length costs no allocation.
 *
 * Concurrency: none (see rdb_read.h).
 */
#include "store/persist/rdb_read.h"

#include <errno.h>
#include <liblzf/lzf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* rdb.c's length and ENCVAL codes. */
#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3

void rdb__rd_init(rdb_rd_t *rd, const unsigned char *p, size_t n, rdb_err_t *err)
{
    rd->base = rd->p = p;
    rd->end = p + n;
    rd->err = err;
    rd->failed = false;
    rd->oom = false;
    err->msg[0] = '\0';
    err->offset = 0;
}

int rdb__fail(rdb_rd_t *rd, const char *fmt, ...)
{
    va_list ap;

    if (rd->failed)
        return -1;
    rd->failed = true;
    va_start(ap, fmt);
    vsnprintf(rd->err->msg, sizeof rd->err->msg, fmt, ap);
    va_end(ap);
    rd->err->offset = rdb__off(rd);
    return -1;
}

int rdb__oom(rdb_rd_t *rd)
{
    if (!rd->failed)
        rd->oom = true;
    return rdb__fail(rd, "out of memory");
}

int rdb__bytes(rdb_rd_t *rd, size_t n, const unsigned char **out)
{
    if (n > rdb__left(rd)) {
        rd->p = rd->end;        /* the offset reported: where the bytes ended */
        return rdb__fail(rd, "Unexpected EOF reading RDB file");
    }
    *out = rd->p;
    rd->p += n;
    return 0;
}

int rdb__u8(rdb_rd_t *rd, unsigned *v)
{
    const unsigned char *b;

    if (rdb__bytes(rd, 1, &b))
        return -1;
    *v = b[0];
    return 0;
}

static uint64_t get_be(const unsigned char *b, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

static uint64_t get_le(const unsigned char *b, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = n; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

int rdb__len(rdb_rd_t *rd, uint64_t *len, bool *enc)
{
    const unsigned char *b;
    unsigned first;

    if (enc)
        *enc = false;
    if (rdb__u8(rd, &first))
        return -1;
    switch (first >> 6) {
    case RDB_6BITLEN:
        *len = first & 0x3F;
        return 0;
    case RDB_14BITLEN:
        if (rdb__bytes(rd, 1, &b))
            return -1;
        *len = (uint64_t)(first & 0x3F) << 8 | b[0];
        return 0;
    case RDB_ENCVAL:
        if (!enc) {
            rd->p--;
            return rdb__fail(rd, "Unknown length encoding %u in rdbLoadLen()", first);
        }
        *enc = true;
        *len = first & 0x3F;
        return 0;
    default:
        if (first == RDB_32BITLEN || first == RDB_64BITLEN) {
            unsigned n = first == RDB_32BITLEN ? 4 : 8;
            if (rdb__bytes(rd, n, &b))
                return -1;
            *len = get_be(b, n);
            return 0;
        }
        rd->p--;
        return rdb__fail(rd, "Unknown length encoding %u in rdbLoadLen()", first);
    }
}

static int read_lzf(rdb_rd_t *rd, rdb_str_t *s)
{
    const unsigned char *in;
    uint64_t clen, len;
    size_t at = rdb__off(rd);

    if (rdb__len(rd, &clen, NULL) || rdb__len(rd, &len, NULL))
        return -1;
    if (len == 0 || len > RDB_MAX_STR || clen == 0 || clen > UINT32_MAX) {
        rd->p = rd->base + at;
        return rdb__fail(rd, "Invalid LZF compressed string");
    }
    if (rdb__bytes(rd, clen, &in))
        return -1;
    if (!(s->heap = malloc(len)))
        return rdb__oom(rd);
    if (lzf_decompress(in, (unsigned)clen, s->heap, (unsigned)len) != len) {
        rdb__str_done(s);
        rd->p = rd->base + at;
        return rdb__fail(rd, "Invalid LZF compressed string");
    }
    s->s = s->heap;
    s->len = len;
    return 0;
}

int rdb__str(rdb_rd_t *rd, rdb_str_t *s)
{
    const unsigned char *b;
    uint64_t len;
    bool enc;
    long long v;

    s->heap = NULL;
    s->s = "";
    s->len = 0;
    if (rdb__len(rd, &len, &enc))
        return -1;
    if (!enc) {
        if (rdb__bytes(rd, len, &b))
            return -1;
        s->s = (const char *)b;
        s->len = len;
        return 0;
    }
    switch (len) {
    case RDB_ENC_INT8:
    case RDB_ENC_INT16:
    case RDB_ENC_INT32: {
        unsigned n = 1u << len;
        if (rdb__bytes(rd, n, &b))
            return -1;
        uint64_t u = get_le(b, n);
        /* sign-extend from n bytes */
        v = (long long)(int64_t)(u << (64 - 8 * n)) >> (64 - 8 * n);
        s->len = num_fmt_ll(s->buf, v);
        s->s = s->buf;
        return 0;
    }
    case RDB_ENC_LZF:
        return read_lzf(rd, s);
    default:
        rd->p--;
        return rdb__fail(rd, "Unknown RDB string encoding type %llu", (unsigned long long)len);
    }
}

void rdb__str_done(rdb_str_t *s)
{
    free(s->heap);
    s->heap = NULL;
}

int rdb__blob(rdb_rd_t *rd, unsigned char **out, size_t *len)
{
    rdb_str_t s;

    if (rdb__str(rd, &s))
        return -1;
    if (s.heap) {
        *out = (unsigned char *)s.heap;     /* LZF output: exactly len */
        *len = s.len;
        return 0;
    }
    if (!(*out = malloc(s.len ? s.len : 1)))
        return rdb__oom(rd);
    memcpy(*out, s.s, s.len);
    *len = s.len;
    return 0;
}

int rdb__double_bin(rdb_rd_t *rd, double *v)
{
    const unsigned char *b;
    uint64_t u;

    if (rdb__bytes(rd, 8, &b))
        return -1;
    u = get_le(b, 8);
    memcpy(v, &u, sizeof *v);
    return 0;
}

int rdb__double_str(rdb_rd_t *rd, double *v)
{
    const unsigned char *b;
    unsigned len;

    if (rdb__u8(rd, &len))
        return -1;
    switch (len) {
    case 255:
        *v = -INFINITY;
        return 0;
    case 254:
        *v = INFINITY;
        return 0;
    case 253:
        rd->p--;
        return rdb__fail(rd, "Zset with NAN score detected");
    }
    if (rdb__bytes(rd, len, &b))
        return -1;
    if (!num_parse_d((const char *)b, len, v)) {
        rd->p -= len + 1;
        return rdb__fail(rd, "Invalid double value");
    }
    return 0;
}

int rdb__time_ms(rdb_rd_t *rd, int64_t *ms)
{
    const unsigned char *b;

    if (rdb__bytes(rd, 8, &b))
        return -1;
    *ms = (int64_t)get_le(b, 8);
    return 0;
}

int rdb__time_s(rdb_rd_t *rd, int64_t *ms)
{
    const unsigned char *b;

    if (rdb__bytes(rd, 4, &b))
        return -1;
    *ms = (int64_t)(int32_t)(uint32_t)get_le(b, 4) * 1000;
    return 0;
}
