/*
 * hll_enc.h - Redis 7.0's HyperLogLog representations as pure functions
 * over byte strings: the 16-byte header ("HYLL", encoding, 3 unused bytes,
 * the cached cardinality with the top bit of its last byte as "stale"),
 * the sparse encoding (ZERO, XZERO, VAL opcodes) and the dense one (16384
 * 6-bit registers), promotion, merging and the estimator.  A HyperLogLog
 * is a plain string value, so these functions produce exactly the bytes
 * redis-server produces for the same operations.
 *
 * Strings here are whole HLL values (header included).  Bytes past a
 * string's end read as 0, as Redis reads the NUL after its sds strings:
 * corrupted input is decoded the way Redis decodes it, never past the end.
 *
 * Concurrency: no shared state.
 */
#ifndef FLASHKV_STORE_TYPES_HLL_ENC_H
#define FLASHKV_STORE_TYPES_HLL_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HLL_P 14
#define HLL_REGISTERS (1 << HLL_P)                  /* 16384 */
#define HLL_BITS 6
#define HLL_HDR_SIZE 16
#define HLL_DENSE_SIZE (HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS + 7) / 8)
/* redis.conf's hll-sparse-max-bytes default; FlashKV accepts the setting
 * and ignores it, so this is the limit in force. */
#define HLL_SPARSE_MAX_BYTES 3000
/* A new HyperLogLog: the header and one XZERO covering every register. */
#define HLL_EMPTY_SIZE (HLL_HDR_SIZE + 2)
/* Spare bytes an hll_t buffer must have past its length (a sparse update
 * grows the string by at most 3 bytes and may write one more). */
#define HLL_SLACK 8

enum { HLL_DENSE = 0, HLL_SPARSE = 1 };

/* An HLL string being updated: buf holds len bytes and has room for cap
 * (the caller's buffer: a sparse update needs cap >= len + HLL_SLACK, a
 * promotion cap >= HLL_DENSE_SIZE). */
typedef struct hll {
    uint8_t *buf;
    size_t len, cap;
} hll_t;

/* Whether s (len bytes) passes Redis's isHLLObjectOrReply checks: at
 * least a header, the magic, a known encoding, a dense one of exactly
 * HLL_DENSE_SIZE bytes.  The registers are not checked here. */
bool hll_valid_header(const uint8_t *s, size_t len);

/* Write a new, empty sparse HLL (HLL_EMPTY_SIZE bytes, cached count 0). */
void hll_init(uint8_t *out);

/* The register an element selects and the value it proposes (the run of
 * zero bits plus one, 1..51): Redis's hllPatLen. */
int hll_elem(const void *ele, size_t len, long *index);

/* Dense registers (regs: the bytes after the header). */
int hll_dense_get(const uint8_t *regs, long i);
void hll_dense_set(uint8_t *regs, long i, int val);

/* Add one element: 1 if a register grew, 0 if not, -1 if the string is
 * corrupted.  A sparse string past HLL_SPARSE_MAX_BYTES, or needing a
 * value above the sparse maximum, is promoted to dense in place. */
int hll_add(hll_t *h, const void *ele, size_t len);
/* Raise register i to val if it is lower (val 1..63): as hll_add. */
int hll_set(hll_t *h, long i, int val);
/* Convert a sparse string to dense in place (h->cap >= HLL_DENSE_SIZE);
 * a dense one is left alone.  0, or -1 if corrupted (h unchanged). */
int hll_to_dense(hll_t *h);

/* max[i] = MAX(max[i], register i of s).  0, or -1 if corrupted. */
int hll_merge(uint8_t *max, const uint8_t *s, size_t len);

/* Redis's estimator over a valid-header string; *invalid set if the
 * sparse opcodes do not cover the registers exactly. */
uint64_t hll_count(const uint8_t *s, size_t len, bool *invalid);
/* The same over HLL_REGISTERS byte registers (a merge's maxima). */
uint64_t hll_count_raw(const uint8_t *max);

/* The cached cardinality in the header. */
static inline bool hll_cache_valid(const uint8_t *s)
{
    return (s[15] & 0x80) == 0;
}
static inline uint64_t hll_cache_get(const uint8_t *s)
{
    uint64_t c = 0;
    for (int i = 7; i >= 0; i--)
        c = (c << 8) | s[8 + i];
    return c;
}
static inline void hll_cache_set(uint8_t *s, uint64_t card)
{
    for (int i = 0; i < 8; i++)
        s[8 + i] = (uint8_t)(card >> (8 * i));
}
static inline void hll_cache_invalidate(uint8_t *s)
{
    s[15] |= 0x80;
}

/* PFDEBUG DECODE's text of a sparse string ("z:N", "Z:N", "v:V,N" joined
 * by spaces) into out, which must hold 8 bytes per opcode byte; returns
 * its length. */
size_t hll_decode(const uint8_t *s, size_t len, char *out);

#endif
