/*
 * hll_enc.c - HyperLogLog registers, the sparse and dense encodings and
 * Redis 7.0's estimator (see hll_enc.h).
 *
 * The sparse update follows Redis's hllSparseSet step by step (locate the
 * opcode, split it, merge equal neighbouring VAL opcodes within five
 * opcodes of the change), because its output is not canonical: the same
 * registers reached by other steps could be spelled differently, and the
 * string must be byte-identical to redis-server's.
 *
 * Sparse opcodes: ZERO 00llllll (1..64 zero registers), XZERO 01llllll
 * llllllll (1..16384), VAL 1vvvvvll (1..4 registers of value 1..32).
 *
 * Concurrency: no shared state.
 */
#include "hll_enc.h"

#include <math.h>
#include <string.h>

#include "store/base/hash.h"

#define HLL_SEED 0xadc83b19u
#define HLL_Q (64 - HLL_P)
#define HLL_REG_MAX ((1 << HLL_BITS) - 1)
#define HLL_REG_BYTES (HLL_DENSE_SIZE - HLL_HDR_SIZE)
#define ALPHA_INF 0.721347520444481703680       /* 0.5 / ln(2) */

#define ZERO_MAX 64
#define VAL_MAX_VALUE 32
#define VAL_MAX_LEN 4
#define NONE ((size_t)-1)

#define IS_ZERO(b) (((b) & 0xc0) == 0)
#define IS_XZERO(b) (((b) & 0xc0) == 0x40)
#define IS_VAL(b) ((b) & 0x80)
#define VAL_VALUE(b) ((((b) >> 2) & 0x1f) + 1)
#define VAL_LEN(b) (((b) & 0x3) + 1)
#define VAL_BYTE(v, l) ((uint8_t)(0x80 | (((v) - 1) << 2) | ((l) - 1)))

/* Byte i of a string of len bytes; 0 past the end (Redis's NUL). */
static inline uint8_t at(const uint8_t *s, size_t len, size_t i)
{
    return i < len ? s[i] : 0;
}

/* The run length of the opcode at s[p] and its size in bytes. */
static long op_span(const uint8_t *s, size_t len, size_t p, size_t *oplen)
{
    uint8_t b = s[p];
    *oplen = 1;
    if (IS_ZERO(b))
        return (b & 0x3f) + 1;
    if (IS_VAL(b))
        return VAL_LEN(b);
    *oplen = 2;
    return (((long)(b & 0x3f) << 8) | at(s, len, p + 1)) + 1;
}

/* Zeros of run length n as one opcode at out; returns its size. */
static size_t put_zeros(uint8_t *out, long n)
{
    if (n > ZERO_MAX) {
        out[0] = (uint8_t)(0x40 | ((n - 1) >> 8));
        out[1] = (uint8_t)((n - 1) & 0xff);
        return 2;
    }
    out[0] = (uint8_t)(n - 1);
    return 1;
}

bool hll_valid_header(const uint8_t *s, size_t len)
{
    if (len < HLL_HDR_SIZE || memcmp(s, "HYLL", 4) != 0 || s[4] > HLL_SPARSE)
        return false;
    return s[4] != HLL_DENSE || len == HLL_DENSE_SIZE;
}

void hll_init(uint8_t *out)
{
    memset(out, 0, HLL_EMPTY_SIZE);
    memcpy(out, "HYLL", 4);
    out[4] = HLL_SPARSE;
    put_zeros(out + HLL_HDR_SIZE, HLL_REGISTERS);
}

int hll_elem(const void *ele, size_t len, long *index)
{
    uint64_t h = hash_murmur64a(ele, len, HLL_SEED);
    *index = (long)(h & (HLL_REGISTERS - 1));
    h >>= HLL_P;
    h |= 1ull << HLL_Q;           /* the count stops at Q + 1 */
    return __builtin_ctzll(h) + 1;
}

int hll_dense_get(const uint8_t *regs, long i)
{
    size_t byte = (size_t)i * HLL_BITS / 8;
    unsigned fb = (unsigned)(i * HLL_BITS) & 7;
    unsigned b0 = regs[byte];
    unsigned b1 = byte + 1 < HLL_REG_BYTES ? regs[byte + 1] : 0;
    return (int)(((b0 >> fb) | (b1 << (8 - fb))) & HLL_REG_MAX);
}

void hll_dense_set(uint8_t *regs, long i, int val)
{
    size_t byte = (size_t)i * HLL_BITS / 8;
    unsigned fb = (unsigned)(i * HLL_BITS) & 7;
    unsigned v = (unsigned)val & HLL_REG_MAX;
    regs[byte] = (uint8_t)((regs[byte] & ~(HLL_REG_MAX << fb)) | (v << fb));
    /* The last register ends inside its byte: nothing spills over. */
    if (byte + 1 < HLL_REG_BYTES)
        regs[byte + 1] = (uint8_t)((regs[byte + 1] & ~(HLL_REG_MAX >> (8 - fb))) |
                                   (v >> (8 - fb)));
}

int hll_to_dense(hll_t *h)
{
    const uint8_t *s = h->buf;
    size_t len = h->len;
    if (s[4] == HLL_DENSE)
        return 0;
    uint8_t regs[HLL_REG_BYTES];
    memset(regs, 0, sizeof regs);
    long idx = 0;
    size_t p = HLL_HDR_SIZE, oplen;
    while (p < len) {
        long run = op_span(s, len, p, &oplen);
        if (IS_VAL(s[p])) {
            if (run + idx > HLL_REGISTERS)
                return -1;      /* past the last register */
            for (int v = VAL_VALUE(s[p]); run--; idx++)
                hll_dense_set(regs, idx, v);
        } else {
            idx += run;
        }
        p += oplen;
    }
    if (idx != HLL_REGISTERS)
        return -1;
    /* The header stays, cached count included; only the encoding flips. */
    h->buf[4] = HLL_DENSE;
    memcpy(h->buf + HLL_HDR_SIZE, regs, sizeof regs);
    h->len = HLL_DENSE_SIZE;
    return 0;
}

/* Sparse to dense, then register i to val (Redis's "promote" path). */
static int promote(hll_t *h, long i, int val)
{
    if (hll_to_dense(h) != 0)
        return -1;
    uint8_t *regs = h->buf + HLL_HDR_SIZE;
    if (hll_dense_get(regs, i) < val)
        hll_dense_set(regs, i, val);
    return 1;
}

/* Merge equal VAL neighbours from p on, up to five opcodes (step 4 of
 * Redis's hllSparseSet); returns the new length. */
static size_t merge_vals(uint8_t *s, size_t end, size_t p)
{
    int scan = 5;
    while (p < end && scan--) {
        uint8_t b = s[p];
        if (IS_XZERO(b)) {
            p += 2;
            continue;
        }
        if (IS_ZERO(b)) {
            p++;
            continue;
        }
        if (p + 1 < end && IS_VAL(s[p + 1]) && VAL_VALUE(b) == VAL_VALUE(s[p + 1])) {
            int l = VAL_LEN(b) + VAL_LEN(s[p + 1]);
            if (l <= VAL_MAX_LEN) {
                s[p + 1] = VAL_BYTE(VAL_VALUE(b), l);
                memmove(s + p, s + p + 1, end - p - 1);
                end--;
                continue;       /* the merged one may merge again */
            }
        }
        p++;
    }
    return end;
}

/* Redis's hllSparseSet: register i of the sparse string to val if lower. */
static int sparse_set(hll_t *h, long i, int val)
{
    if (val > VAL_MAX_VALUE)
        return promote(h, i, val);
    uint8_t *s = h->buf;
    size_t end = h->len, p = HLL_HDR_SIZE, prev = NONE, oplen = 1;
    long first = 0, span = 0;
    while (p < end) {
        span = op_span(s, end, p, &oplen);
        if (i <= first + span - 1)
            break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end)
        return -1;
    size_t next = p + oplen;
    if (next >= end)
        next = NONE;
    uint8_t b = s[p];
    bool is_val = IS_VAL(b), is_xzero = IS_XZERO(b);

    if (is_val && VAL_VALUE(b) >= val)
        return 0;
    if (span == 1 && !is_xzero) {
        /* A lone VAL or ZERO becomes our VAL in place. */
        s[p] = VAL_BYTE(val, 1);
    } else {
        uint8_t seq[5];
        size_t n = 0;
        long last = first + span - 1;
        if (is_val) {
            int cur = VAL_VALUE(b);
            if (i != first)
                seq[n++] = VAL_BYTE(cur, i - first);
            seq[n++] = VAL_BYTE(val, 1);
            if (i != last)
                seq[n++] = VAL_BYTE(cur, last - i);
        } else {
            if (i != first)
                n += put_zeros(seq + n, i - first);
            seq[n++] = VAL_BYTE(val, 1);
            if (i != last)
                n += put_zeros(seq + n, last - i);
        }
        long delta = (long)n - (long)oplen;
        if (delta > 0 && end + (size_t)delta > HLL_SPARSE_MAX_BYTES)
            return promote(h, i, val);
        if (delta && next != NONE)
            memmove(s + next + delta, s + next, end - next);
        end = (size_t)((long)end + delta);
        memcpy(s + p, seq, n);
    }
    h->len = merge_vals(s, end, prev != NONE ? prev : HLL_HDR_SIZE);
    hll_cache_invalidate(s);
    return 1;
}

int hll_set(hll_t *h, long i, int val)
{
    if (h->buf[4] == HLL_DENSE) {
        uint8_t *regs = h->buf + HLL_HDR_SIZE;
        if (hll_dense_get(regs, i) >= val)
            return 0;
        hll_dense_set(regs, i, val);
        return 1;
    }
    if (h->buf[4] == HLL_SPARSE)
        return sparse_set(h, i, val);
    return -1;
}

int hll_add(hll_t *h, const void *ele, size_t len)
{
    long i;
    int val = hll_elem(ele, len, &i);
    return hll_set(h, i, val);
}

int hll_merge(uint8_t *max, const uint8_t *s, size_t len)
{
    if (s[4] == HLL_DENSE) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            int v = hll_dense_get(s + HLL_HDR_SIZE, i);
            if (v > max[i])
                max[i] = (uint8_t)v;
        }
        return 0;
    }
    long idx = 0;
    size_t p = HLL_HDR_SIZE, oplen;
    while (p < len) {
        long run = op_span(s, len, p, &oplen);
        if (IS_VAL(s[p])) {
            if (run + idx > HLL_REGISTERS)
                return -1;
            for (int v = VAL_VALUE(s[p]); run--; idx++)
                if (v > max[idx])
                    max[idx] = (uint8_t)v;
        } else {
            idx += run;
        }
        p += oplen;
    }
    return idx == HLL_REGISTERS ? 0 : -1;
}

/* Ertl's sigma and tau corrections, iterated to a fixed point as Redis
 * does (the same operations in the same order give the same doubles). */
static double sigma(double x)
{
    if (x == 1.)
        return INFINITY;
    double y = 1, z = x, zp;
    do {
        x *= x;
        zp = z;
        z += x * y;
        y += y;
    } while (zp != z);
    return z;
}

static double tau(double x)
{
    if (x == 0. || x == 1.)
        return 0.;
    double y = 1.0, z = 1 - x, zp;
    do {
        x = sqrt(x);
        zp = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (zp != z);
    return z / 3;
}

/* The estimate from the histogram of register values. */
static uint64_t estimate(const long long *histo)
{
    double m = HLL_REGISTERS;
    double z = m * tau((m - (double)histo[HLL_Q + 1]) / m);
    for (int j = HLL_Q; j >= 1; --j) {
        z += (double)histo[j];
        z *= 0.5;
    }
    z += m * sigma((double)histo[0] / m);
    return (uint64_t)llround(ALPHA_INF * m * m / z);
}

uint64_t hll_count(const uint8_t *s, size_t len, bool *invalid)
{
    long long histo[64] = {0};
    if (s[4] == HLL_DENSE) {
        for (long i = 0; i < HLL_REGISTERS; i++)
            histo[hll_dense_get(s + HLL_HDR_SIZE, i)]++;
        return estimate(histo);
    }
    long long idx = 0;
    size_t p = HLL_HDR_SIZE, oplen;
    while (p < len) {
        long run = op_span(s, len, p, &oplen);
        idx += run;
        histo[IS_VAL(s[p]) ? VAL_VALUE(s[p]) : 0] += run;
        p += oplen;
    }
    if (idx != HLL_REGISTERS && invalid)
        *invalid = true;
    return estimate(histo);
}

uint64_t hll_count_raw(const uint8_t *max)
{
    long long histo[64] = {0};
    for (long i = 0; i < HLL_REGISTERS; i++)
        histo[max[i] & 63]++;
    return estimate(histo);
}

size_t hll_decode(const uint8_t *s, size_t len, char *out)
{
    size_t n = 0, p = HLL_HDR_SIZE, oplen;
    static const char digits[] = "0123456789";
    while (p < len) {
        uint8_t b = s[p];
        long run = op_span(s, len, p, &oplen);
        char tmp[24];
        int t = 0;
        /* "v:V,N " / "z:N " / "Z:N ", written backwards into tmp. */
        tmp[t++] = ' ';
        for (long r = run; ; r /= 10) {
            tmp[t++] = digits[r % 10];
            if (r < 10)
                break;
        }
        if (IS_VAL(b)) {
            tmp[t++] = ',';
            for (int v = VAL_VALUE(b); ; v /= 10) {
                tmp[t++] = digits[v % 10];
                if (v < 10)
                    break;
            }
        }
        tmp[t++] = ':';
        tmp[t++] = IS_VAL(b) ? 'v' : IS_ZERO(b) ? 'z' : 'Z';
        while (t)
            out[n++] = tmp[--t];
        p += oplen;
    }
    return n && out[n - 1] == ' ' ? n - 1 : n;
}
