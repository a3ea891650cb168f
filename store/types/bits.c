/*
 * bits.c - the bit helpers of bits.h and the single-key bitmap commands
 * SETBIT GETBIT BITCOUNT BITPOS, as Redis 7.0's bitops.c answers them.
 *
 * A bitmap is a plain string: an int-encoded value is read as its decimal
 * bytes, and a write (SETBIT) turns it into a raw string of those bytes
 * first, as Redis does.  Writes past the end grow the string, zero-filled.
 * Counting and searching go a 64-bit word at a time; only the partial
 * bytes at a range's edges are masked.
 *
 * Concurrency: as cmd_exec (the shard's thread); the helpers are pure.
 */
#include "bits.h"

#include <string.h>

#include "store/cmd/proc.h"
#include "store/db/entry.h"

/* The word loop of bits_popcount, built twice: for any x86-64 (the
 * compiler's portable popcount) and with the POPCNT instruction, picked
 * once at load time by CPU support (before any thread runs commands). */
#define POPCOUNT_BODY                                                          \
    uint64_t count = 0;                                                        \
    size_t i = 0;                                                              \
    for (; i + 32 <= n; i += 32) {                                             \
        uint64_t w[4];                                                         \
        memcpy(w, p + i, sizeof w);                                            \
        count += (uint64_t)(__builtin_popcountll(w[0]) + __builtin_popcountll(w[1]) + \
                            __builtin_popcountll(w[2]) + __builtin_popcountll(w[3])); \
    }                                                                          \
    for (; i + 8 <= n; i += 8) {                                               \
        uint64_t w;                                                            \
        memcpy(&w, p + i, sizeof w);                                           \
        count += (uint64_t)__builtin_popcountll(w);                            \
    }                                                                          \
    for (; i < n; i++)                                                         \
        count += (uint64_t)__builtin_popcount(p[i]);                           \
    return count;

static uint64_t popcount_any(const unsigned char *p, size_t n) { POPCOUNT_BODY }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("popcnt")))
static uint64_t popcount_hw(const unsigned char *p, size_t n) { POPCOUNT_BODY }

static uint64_t (*popcount_impl)(const unsigned char *, size_t) = popcount_any;

__attribute__((constructor)) static void pick_popcount(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("popcnt"))
        popcount_impl = popcount_hw;
}
#else
static uint64_t (*const popcount_impl)(const unsigned char *, size_t) = popcount_any;
#endif

uint64_t bits_popcount(const unsigned char *p, size_t n)
{
    return popcount_impl(p, n);
}

/* Masks of the bits of a byte before bit i (the high ones) and after it. */
static inline unsigned char mask_before(unsigned i) { return (unsigned char)(0xFF00u >> i); }
static inline unsigned char mask_after(unsigned i) { return (unsigned char)((1u << (7 - i)) - 1); }

uint64_t bits_count_range(const unsigned char *p, uint64_t first, uint64_t last)
{
    uint64_t fb = first >> 3, lb = last >> 3;
    uint64_t count = bits_popcount(p + fb, (size_t)(lb - fb + 1));
    count -= (uint64_t)__builtin_popcount(p[fb] & mask_before((unsigned)(first & 7)));
    count -= (uint64_t)__builtin_popcount(p[lb] & mask_after((unsigned)(last & 7)));
    return count;
}

int64_t bits_find(const unsigned char *p, uint64_t first, uint64_t last, int bit)
{
    uint64_t b = first >> 3, lb = last >> 3;
    unsigned char flip = bit ? 0 : 0xFF;
    /* Whole words that cannot hold the bit are skipped: all 0 looking
     * for a 1, all 1 looking for a 0.  The first byte is done apart since
     * it may be partial. */
    for (;;) {
        unsigned char x = (unsigned char)(p[b] ^ flip);
        if (b == first >> 3)
            x &= (unsigned char)~mask_before((unsigned)(first & 7));
        if (b == lb)
            x &= (unsigned char)~mask_after((unsigned)(last & 7));
        if (x)
            return (int64_t)(b * 8 + (uint64_t)(__builtin_clz(x) - 24));
        if (b == lb)
            return -1;
        b++;
        uint64_t skip = bit ? 0 : UINT64_MAX;
        while (b + 32 <= lb) {
            uint64_t w[4];
            memcpy(w, p + b, sizeof w);
            if ((w[0] ^ skip) | (w[1] ^ skip) | (w[2] ^ skip) | (w[3] ^ skip))
                break;
            b += 32;
        }
        while (b + 8 <= lb) {
            uint64_t w;
            memcpy(&w, p + b, sizeof w);
            if (w != skip)
                break;
            b += 8;
        }
    }
}

uint64_t bits_get_field(const unsigned char *p, uint64_t off, unsigned bits)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bits; i++, off++)
        v = (v << 1) | ((p[off >> 3] >> (7 - (off & 7))) & 1u);
    return v;
}

int64_t bits_get_signed(const unsigned char *p, uint64_t off, unsigned bits)
{
    uint64_t v = bits_get_field(p, off, bits);
    if (bits < 64 && (v >> (bits - 1)) & 1)
        v |= UINT64_MAX << bits;
    return (int64_t)v;
}

void bits_set_field(unsigned char *p, uint64_t off, unsigned bits, uint64_t v)
{
    for (unsigned i = 0; i < bits; i++, off++) {
        unsigned bit = (unsigned)((v >> (bits - 1 - i)) & 1u);
        unsigned char m = (unsigned char)(0x80u >> (off & 7));
        p[off >> 3] = (unsigned char)(bit ? (p[off >> 3] | m) : (p[off >> 3] & ~m));
    }
}

int bits_field_add(bool sign, unsigned bits, int64_t value, int64_t incr,
                   enum bits_overflow ow, int64_t *out)
{
    uint64_t wrapped = (uint64_t)value + (uint64_t)incr;
    uint64_t low = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
    int over;
    __int128 sum;
    __int128 max, min;
    if (sign) {
        max = bits == 64 ? INT64_MAX : (int64_t)((1ull << (bits - 1)) - 1);
        min = -max - 1;
        sum = (__int128)value + incr;
        over = sum > max ? 1 : sum < min ? -1 : 0;
        wrapped &= low;
        if (bits < 64 && (wrapped >> (bits - 1)) & 1)
            wrapped |= ~low;
    } else {
        max = (__int128)low;
        min = 0;
        /* Redis checks the value first: a SET of -1 into u8 is above 255. */
        sum = (__int128)(uint64_t)value + incr;
        over = (uint64_t)value > low || sum > max ? 1 : sum < 0 ? -1 : 0;
        wrapped &= low;
    }
    if (!over)
        *out = (int64_t)sum;
    else if (ow == BITS_SAT)
        *out = (int64_t)(over > 0 ? max : min);
    else
        *out = (int64_t)wrapped;
    return over;
}

bool bits_parse_offset(const char *s, size_t len, unsigned hash_bits, uint64_t *out)
{
    size_t hash = hash_bits > 0 && len > 0 && s[0] == '#';
    long long v;
    if (!num_parse_ll(s + hash, len - hash, &v))
        return false;
    if (hash)   /* Redis multiplies without an overflow check: wraps */
        v = (long long)((uint64_t)v * hash_bits);
    if (v < 0 || ((uint64_t)v >> 3) >= BITS_MAX_BYTES)
        return false;
    *out = (uint64_t)v;
    return true;
}

bool bits_parse_type(const char *s, size_t len, bool *sign, unsigned *bits)
{
    long long n;
    if (len == 0 || (s[0] != 'i' && s[0] != 'u'))
        return false;
    *sign = s[0] == 'i';
    /* Redis reads the width as a C string: it stops at a NUL. */
    if (!num_parse_ll(s + 1, strnlen(s + 1, len - 1), &n) || n < 1 || n > (*sign ? 64 : 63))
        return false;
    *bits = (unsigned)n;
    return true;
}

/* ---- commands ---------------------------------------------------------- */

void cmd__setbit(cmd_ctx_t *ctx)
{
    const cmd_arg_t *k = &ctx->argv[1];
    uint64_t off;
    long long on;
    if (!bits_parse_offset(ctx->argv[2].ptr, ctx->argv[2].len, 0, &off)) {
        reply_error(ctx->reply, ERR_BIT_OFFSET);
        return;
    }
    if (!num_parse_ll(ctx->argv[3].ptr, ctx->argv[3].len, &on) || (on & ~1LL)) {
        reply_error(ctx->reply, ERR_BIT_VALUE);
        return;
    }
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_STRING, &wrong);
    if (wrong)
        return;
    size_t byte = (size_t)(off >> 3);
    size_t olen = e ? entry_strlen(e) : 0;
    size_t newlen = byte + 1 > olen ? byte + 1 : olen;
    char *p;
    if (e) {
        p = ks_resize(ctx->ks, e, newlen);   /* an int becomes its raw digits */
    } else {
        e = ks_add_zeroed(ctx->ks, k->ptr, k->len, newlen);
        p = e ? entry_raw(e) : NULL;
    }
    if (!p) {
        cmd__reply_oom(ctx);
        return;
    }
    unsigned char m = (unsigned char)(0x80u >> (off & 7));
    unsigned char *b = (unsigned char *)p + byte;
    int old = (*b & m) != 0;
    *b = (unsigned char)(on ? (*b | m) : (*b & ~m));
    reply_int(ctx->reply, old);
}

void cmd__getbit(cmd_ctx_t *ctx)
{
    uint64_t off;
    char tmp[NUM_LL_BUF];
    size_t len;
    if (!bits_parse_offset(ctx->argv[2].ptr, ctx->argv[2].len, 0, &off)) {
        reply_error(ctx->reply, ERR_BIT_OFFSET);
        return;
    }
    bool wrong;
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_STRING, &wrong);
    if (!e) {
        if (!wrong)
            reply_int(ctx->reply, 0);
        return;
    }
    const unsigned char *s = (const unsigned char *)entry_str(e, tmp, &len);
    uint64_t byte = off >> 3;
    reply_int(ctx->reply, byte < len ? (s[byte] >> (7 - (off & 7))) & 1 : 0);
}

/* argv[i] is BYTE or BIT: *isbit; false after replying a syntax error. */
static bool parse_unit(cmd_ctx_t *ctx, int i, bool *isbit)
{
    if (cmd__opt_is(&ctx->argv[i], "bit"))
        *isbit = true;
    else if (cmd__opt_is(&ctx->argv[i], "byte"))
        *isbit = false;
    else {
        reply_error(ctx->reply, ERR_SYNTAX);
        return false;
    }
    return true;
}

/* Redis's range normalisation: negative indexes from the end of total
 * units, clamped into [0, total - 1] (end may stay below start). */
static void clamp_range(long long total, long long *start, long long *end)
{
    if (*start < 0)
        *start += total;
    if (*end < 0)
        *end += total;
    if (*start < 0)
        *start = 0;
    if (*end < 0)
        *end = 0;
    if (*end >= total)
        *end = total - 1;
}

void cmd__bitcount(cmd_ctx_t *ctx)
{
    char tmp[NUM_LL_BUF];
    size_t len;
    bool wrong, isbit = false;
    /* Redis looks the key up before parsing the range: a missing key is 0
     * whatever follows. */
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_STRING, &wrong);
    if (!e) {
        if (!wrong)
            reply_int(ctx->reply, 0);
        return;
    }
    const unsigned char *s = (const unsigned char *)entry_str(e, tmp, &len);
    long long start = 0, end = (long long)len - 1;
    if (ctx->argc == 4 || ctx->argc == 5) {
        if (!cmd__arg_ll(ctx, 2, &start) || !cmd__arg_ll(ctx, 3, &end))
            return;
        if (start < 0 && end < 0 && start > end) {
            reply_int(ctx->reply, 0);
            return;
        }
        if (ctx->argc == 5 && !parse_unit(ctx, 4, &isbit))
            return;
        clamp_range(isbit ? (long long)len * 8 : (long long)len, &start, &end);
    } else if (ctx->argc != 2) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    if (start > end) {
        reply_int(ctx->reply, 0);
        return;
    }
    if (!isbit) {
        start *= 8;
        end = end * 8 + 7;
    }
    reply_int(ctx->reply, (long long)bits_count_range(s, (uint64_t)start, (uint64_t)end));
}

void cmd__bitpos(cmd_ctx_t *ctx)
{
    char tmp[NUM_LL_BUF];
    size_t len;
    long long bit;
    bool wrong, isbit = false, end_given = false;
    if (!cmd__arg_ll(ctx, 2, &bit))
        return;
    if (bit != 0 && bit != 1) {
        reply_error(ctx->reply, ERR_BITPOS_BIT);
        return;
    }
    /* A missing key is an endless run of zeros. */
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_STRING, &wrong);
    if (!e) {
        if (!wrong)
            reply_int(ctx->reply, bit ? -1 : 0);
        return;
    }
    const unsigned char *s = (const unsigned char *)entry_str(e, tmp, &len);
    long long start = 0, end = (long long)len - 1;
    if (ctx->argc >= 4 && ctx->argc <= 6) {
        if (!cmd__arg_ll(ctx, 3, &start))
            return;
        if (ctx->argc == 6 && !parse_unit(ctx, 5, &isbit))
            return;
        long long total = isbit ? (long long)len * 8 : (long long)len;
        if (ctx->argc >= 5) {
            if (!cmd__arg_ll(ctx, 4, &end))
                return;
            end_given = true;
        } else {
            end = total - 1;
        }
        clamp_range(total, &start, &end);
    } else if (ctx->argc != 3) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return;
    }
    if (start > end) {
        reply_int(ctx->reply, -1);
        return;
    }
    if (!isbit) {
        start *= 8;
        end = end * 8 + 7;
    }
    int64_t pos = bits_find(s, (uint64_t)start, (uint64_t)end, (int)bit);
    /* Looking for a 0 with no end given, the string reads as padded with
     * zeros: the first bit past it. */
    if (pos < 0 && bit == 0 && !end_given)
        pos = end + 1;
    reply_int(ctx->reply, pos);
}
