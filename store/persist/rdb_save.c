/*
 * rdb_save.c - the RDB file's framing and its string forms, byte for
 * byte as Redis 7.0's rdb.c writes them: lengths (rdbSaveLen), integers
 * (rdbEncodeInteger), strings with their integer and LZF forms
 * (rdbSaveRawString), and the records of a file: header with AUX
 * fields, SELECTDB + RESIZEDB, one key with its expiry, EOF, checksum.
 * The values themselves are rdb_save_value.c's.
 *
 * Concurrency: pure functions over caller-owned buffers (rdb.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liblzf/lzf.h>

#include "store/base/num.h"
#include "store/persist/rdb_save.h"

/* The first two bits of a length byte: which form follows. */
#define LEN_6BIT 0x00
#define LEN_14BIT 0x40
#define LEN_32BIT 0x80
#define LEN_64BIT 0x81
/* "Encoded value" forms (first two bits 11). */
#define ENC_INT8 0xc0
#define ENC_INT16 0xc1
#define ENC_INT32 0xc2
#define ENC_LZF 0xc3

int rdb__put_le(rdb_buf_t *b, uint64_t v, unsigned n)
{
    unsigned char buf[8];
    for (unsigned i = 0; i < n; i++)
        buf[i] = (unsigned char)(v >> (8 * i));
    return rdb_buf_put(b, buf, n);
}

/* Big-endian: the 32- and 64-bit length forms are in network order. */
static int put_be(rdb_buf_t *b, uint64_t v, unsigned n)
{
    unsigned char buf[8];
    for (unsigned i = 0; i < n; i++)
        buf[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    return rdb_buf_put(b, buf, n);
}

int rdb__put_len(rdb_buf_t *b, uint64_t len)
{
    if (len < (1u << 6))
        return rdb__put_byte(b, (unsigned char)(LEN_6BIT | len));
    if (len < (1u << 14)) {
        unsigned char buf[2] = {(unsigned char)(LEN_14BIT | (len >> 8)),
                                (unsigned char)len};
        return rdb_buf_put(b, buf, 2);
    }
    if (len <= UINT32_MAX) {
        int rc = rdb__put_byte(b, LEN_32BIT);
        return rc ? rc : put_be(b, len, 4);
    }
    int rc = rdb__put_byte(b, LEN_64BIT);
    return rc ? rc : put_be(b, len, 8);
}

/* rdbEncodeInteger: 1 if v fits a form (written), 0 if not, or -ENOMEM. */
static int put_int_form(rdb_buf_t *b, long long v)
{
    unsigned char tag;
    unsigned n;
    if (v >= INT8_MIN && v <= INT8_MAX)
        tag = ENC_INT8, n = 1;
    else if (v >= INT16_MIN && v <= INT16_MAX)
        tag = ENC_INT16, n = 2;
    else if (v >= INT32_MIN && v <= INT32_MAX)
        tag = ENC_INT32, n = 4;
    else
        return 0;
    int rc = rdb__put_byte(b, tag);
    if (!rc)
        rc = rdb__put_le(b, (uint64_t)v, n);
    return rc ? rc : 1;
}

int rdb__put_ll(rdb_buf_t *b, long long v)
{
    int rc = put_int_form(b, v);
    if (rc)
        return rc < 0 ? rc : 0;
    char buf[NUM_LL_BUF];
    size_t n = num_fmt_ll(buf, v);
    rc = rdb__put_len(b, n);
    return rc ? rc : rdb_buf_put(b, buf, n);
}

int rdb__put_lzf(rdb_buf_t *b, const void *c, size_t clen, size_t len)
{
    int rc = rdb__put_byte(b, ENC_LZF);
    if (!rc)
        rc = rdb__put_len(b, clen);
    if (!rc)
        rc = rdb__put_len(b, len);
    return rc ? rc : rdb_buf_put(b, c, clen);
}

/* rdbSaveLzfStringObject: 1 written compressed, 0 not worth it (fewer
 * than 4 bytes saved: lzf_compress fails in len - 4 bytes), -ENOMEM. */
static int put_lzf_str(rdb_buf_t *b, const void *s, size_t len)
{
    if (len <= 4 || len > UINT_MAX)
        return 0;
    size_t outlen = len - 4;
    /* One spare byte, as Redis allocates: lzf_compress never writes past
     * outlen, the spare keeps a zero-size malloc impossible. */
    unsigned char *out = malloc(outlen + 1);
    if (!out)
        return -ENOMEM;
    unsigned clen = lzf_compress(s, (unsigned)len, out, (unsigned)outlen);
    int rc = clen ? rdb__put_lzf(b, out, clen, len) : 0;
    free(out);
    return rc < 0 ? rc : clen ? 1 : 0;
}

int rdb__put_str(rdb_buf_t *b, const void *s, size_t len, bool compress)
{
    long long v;
    int rc;
    /* Longer strings cannot fit 32 bits ("-2147483648" is 11 bytes). */
    if (len <= 11 && num_parse_ll(s, len, &v)) {
        rc = put_int_form(b, v);
        if (rc)
            return rc < 0 ? rc : 0;
    }
    /* Under 21 bytes LZF cannot win its 4 bytes: Redis does not try. */
    if (compress && len > 20) {
        rc = put_lzf_str(b, s, len);
        if (rc)
            return rc < 0 ? rc : 0;
    }
    rc = rdb__put_len(b, len);
    return rc ? rc : rdb_buf_put(b, s, len);
}

int rdb__put_double(rdb_buf_t *b, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return rdb__put_le(b, bits, 8);
}

/* ---- records ---- */

int rdb_put_header(rdb_buf_t *b, const rdb_aux_t *aux, size_t naux)
{
    char magic[16];
    int n = snprintf(magic, sizeof magic, "REDIS%04d", RDB_VERSION);
    int rc = rdb_buf_put(b, magic, (size_t)n);
    for (size_t i = 0; !rc && i < naux; i++) {
        /* Redis writes AUX values through rdbSaveRawString too, so
         * "64" becomes an 8-bit integer form; they are too short for LZF. */
        rc = rdb__put_byte(b, RDB_OP_AUX);
        if (!rc)
            rc = rdb__put_str(b, aux[i].key, strlen(aux[i].key), false);
        if (!rc)
            rc = rdb__put_str(b, aux[i].val, strlen(aux[i].val), false);
    }
    return rc;
}

int rdb_put_selectdb(rdb_buf_t *b, int db, uint64_t keys, uint64_t expires)
{
    int rc = rdb__put_byte(b, RDB_OP_SELECTDB);
    if (!rc)
        rc = rdb__put_len(b, (uint64_t)db);
    if (!rc)
        rc = rdb__put_byte(b, RDB_OP_RESIZEDB);
    if (!rc)
        rc = rdb__put_len(b, keys);
    return rc ? rc : rdb__put_len(b, expires);
}

int rdb_put_key(rdb_buf_t *b, const entry_t *e, int64_t expire_ms, bool compress)
{
    int rc = 0;
    if (expire_ms != -1) {
        rc = rdb__put_byte(b, RDB_OP_EXPIRETIME_MS);
        if (!rc)
            rc = rdb__put_le(b, (uint64_t)expire_ms, 8);
    }
    /* No IDLE / FREQ records: Redis writes them only under an LRU or LFU
     * maxmemory-policy, and FlashKV has none (noeviction). */
    if (!rc)
        rc = rdb__put_byte(b, (unsigned char)rdb__type_of(e));
    if (!rc)
        rc = rdb__put_str(b, e->key, e->klen, compress);
    return rc ? rc : rdb__put_value(b, e, compress);
}

int rdb_put_eof(rdb_buf_t *b)
{
    return rdb__put_byte(b, RDB_OP_EOF);
}

int rdb_put_crc(rdb_buf_t *b, uint64_t crc)
{
    return rdb__put_le(b, crc, 8);
}
