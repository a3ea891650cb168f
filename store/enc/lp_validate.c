/*
 * lp_validate.c - checking listpack bytes that come from outside (RDB
 * files, RESTORE payloads) before anything walks them (see lp.h).
 *
 * Concurrency: pure functions.
 */
#include "store/enc/lp.h"

#include <string.h>

#include "lp_format.h"

/* Bytes enc_size reads for encoding byte b; 0 if b is not an element. */
static size_t hdr_len(unsigned b)
{
    if (b < 0xC0)
        return 1;
    if (b < 0xF0)
        return 2;
    if (b == 0xF0)
        return 5;
    return b <= 0xF4 ? 1 : 0;
}

/* Size of the element at p, which has avail bytes before the terminator;
 * 0 if it is malformed or does not fit. The backlen must be the exact
 * bytes our encoder writes, which is what Redis's decode-and-compare
 * check amounts to. */
static size_t check_elem(const unsigned char *p, size_t avail)
{
    unsigned char back[5];
    size_t h = hdr_len(p[0]);
    uint64_t enc;
    unsigned b;

    if (h == 0 || h > avail)
        return 0;
    enc = enc_size(p);
    if (enc > avail)
        return 0;
    b = back_enc(back, enc);
    if (b > avail - enc || memcmp(p + enc, back, b) != 0)
        return 0;
    return (size_t)enc + b;
}

bool lp_validate(const unsigned char *lp, size_t size, bool deep)
{
    const unsigned char *p, *end;
    unsigned long n = 0;
    unsigned hdr_count;

    if (!lp || size < LP_HDR_SIZE + 1 || size > UINT32_MAX)
        return false;
    if (rd32(lp) != size || lp[size - 1] != LP_EOF)
        return false;
    if (!deep)
        return true;
    end = lp + size - 1;
    for (p = lp + LP_HDR_SIZE; p < end; n++) {
        size_t l = check_elem(p, (size_t)(end - p));
        if (l == 0)
            return false;
        p += l;
    }
    hdr_count = rd16(lp + 4);
    return hdr_count == LP_COUNT_UNKNOWN || hdr_count == n;
}
