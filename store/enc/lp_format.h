/*
 * lp_format.h - the listpack's bytes (Redis 7.0's format): header fields,
 * the backlen that lets an element be read from its end, and the size of
 * an element from its encoding byte.  Private to lp.c and lp_validate.c.
 *
 * Concurrency: pure functions.
 */
#ifndef FLASHKV_STORE_ENC_LP_FORMAT_H
#define FLASHKV_STORE_ENC_LP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* ---- header fields (little endian) ---- */

static inline uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wr32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline unsigned rd16(const unsigned char *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

static inline void wr16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}

/* ---- backlen ---- */

/* Redis's thresholds, including the odd "< 16383" (16383 takes 3 bytes),
 * which is part of the format: verified against redis-server. */
static inline unsigned back_size(uint64_t l)
{
    return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/* Most significant 7-bit group first; every byte but the first carries
 * 128, meaning "more bytes towards the element's start" when read from
 * the last byte backwards. */
static inline unsigned back_enc(unsigned char *buf, uint64_t l)
{
    unsigned n = back_size(l);

    for (unsigned i = 0; i < n; i++)
        buf[i] = (unsigned char)(((l >> (7 * (n - 1 - i))) & 127) | (i ? 128 : 0));
    return n;
}

/* q is the last backlen byte of an element. */
static inline uint64_t back_dec(const unsigned char *q)
{
    uint64_t v = 0;

    for (unsigned shift = 0; shift < 35; shift += 7, q--) {
        v |= (uint64_t)(*q & 127) << shift;
        if (!(*q & 128))
            break;
    }
    return v;
}

/* ---- element sizes ---- */

/* Payload bytes of the integer encodings 0xF1..0xF4. */
static const unsigned char lp_int_bytes[] = {2, 3, 4, 8};

/* Bytes of encoding + data of the element at p (0 for the terminator or
 * an invalid encoding). Reads only the encoding's header bytes. */
static inline uint64_t enc_size(const unsigned char *p)
{
    unsigned b = p[0];

    if (b < 0x80)
        return 1;
    if (b < 0xC0)
        return 1 + (b & 0x3F);
    if (b < 0xE0)
        return 2;
    if (b < 0xF0)
        return 2 + ((b & 0x0F) << 8 | p[1]);
    if (b == 0xF0)
        return 5 + (uint64_t)rd32(p + 1);
    return b <= 0xF4 ? 1 + lp_int_bytes[b - 0xF1] : 0;
}

static inline size_t elem_len(const unsigned char *p)
{
    uint64_t n = enc_size(p);
    return (size_t)(n + back_size(n));
}

#endif
