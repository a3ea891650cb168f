/*
 * fuzz_bitfield.c - libFuzzer target for the bit helpers behind SETBIT,
 * BITPOS, BITCOUNT and BITFIELD (store/types/bits.h): a sequence of
 * operations decoded from the input runs over a small byte string and over
 * a model that keeps one byte per bit, and every answer must agree.
 *
 * Operations: set one bit; find the first 0 or 1 in a bit range; count a
 * bit range; BITFIELD GET / SET / INCRBY of any signed (1..64) or unsigned
 * (1..63) width at any offset inside the string, in WRAP, SAT or FAIL
 * mode, the overflow computed by the model in 128-bit arithmetic as
 * "the exact result, then wrapped modulo 2^bits or clamped".  After every
 * write the string and the model must hold the same bits.
 *
 * Concurrency: single-threaded.
 */
#include "store/types/bits.h"
#include "tests/fuzz/fuzz.h"

#define NBYTES 80  /* long enough for the word-skipping loops */
#define NBITS (NBYTES * 8)
#define MAX_OPS 300

typedef struct state {
    unsigned char s[NBYTES];
    unsigned char bit[NBITS];       /* the model: one bit per byte */
} state_t;

static uint64_t model_get(const state_t *st, unsigned off, unsigned bits)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bits; i++)
        v = v << 1 | st->bit[off + i];
    return v;
}

static void model_set(state_t *st, unsigned off, unsigned bits, uint64_t v)
{
    for (unsigned i = 0; i < bits; i++)
        st->bit[off + i] = (unsigned char)((v >> (bits - 1 - i)) & 1);
}

static void check_same(const state_t *st)
{
    for (unsigned i = 0; i < NBITS; i++)
        FZ_CHECK(((st->s[i / 8] >> (7 - i % 8)) & 1) == st->bit[i], "bit %u differs", i);
}

/* The model's BITFIELD arithmetic: 0 and the result if it fits, else the
 * direction and the wrapped or clamped value. */
static int model_add(bool sign, unsigned bits, int64_t value, int64_t incr,
                     enum bits_overflow ow, int64_t *out)
{
    __int128 span = (__int128)1 << bits;
    __int128 min = sign ? -(span / 2) : 0, max = sign ? span / 2 - 1 : span - 1;
    __int128 v = sign ? (__int128)value : (__int128)(uint64_t)value;
    __int128 sum = v + incr;
    int over = (!sign && v > max) ? 1 : sum > max ? 1 : sum < min ? -1 : 0;
    if (!over) {
        *out = (int64_t)sum;
    } else if (ow == BITS_SAT) {
        *out = (int64_t)(over > 0 ? max : min);
    } else {
        __int128 r = ((sum - min) % span + span) % span + min;
        *out = (int64_t)r;
    }
    return over;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = { data, size, 0 };
    state_t st;
    for (unsigned i = 0; i < NBYTES; i++)
        st.s[i] = fz_u8(&in);
    for (unsigned i = 0; i < NBITS; i++)
        st.bit[i] = (st.s[i / 8] >> (7 - i % 8)) & 1;
    for (int n = 0; n < MAX_OPS && fz_more(&in); n++) {
        uint8_t op = fz_u8(&in) % 4;
        if (op == 0) {                  /* SETBIT */
            unsigned off = fz_u16(&in) % NBITS, on = fz_u8(&in) & 1;
            bits_set_field(st.s, off, 1, on);
            st.bit[off] = (unsigned char)on;
            check_same(&st);
        } else if (op == 1 || op == 2) { /* BITPOS / BITCOUNT over a range */
            unsigned a = fz_u16(&in) % NBITS, b = fz_u16(&in) % NBITS;
            if (a > b) {
                unsigned t = a;
                a = b;
                b = t;
            }
            int want = fz_u8(&in) & 1;
            int64_t pos = -1;
            uint64_t count = 0;
            for (unsigned i = a; i <= b; i++) {
                if (pos < 0 && st.bit[i] == want)
                    pos = i;
                count += st.bit[i];
            }
            if (op == 1)
                FZ_CHECK(bits_find(st.s, a, b, want) == pos, "bitpos %d in [%u,%u]", want, a, b);
            else
                FZ_CHECK(bits_count_range(st.s, a, b) == count, "bitcount [%u,%u]", a, b);
        } else {                        /* BITFIELD GET / SET / INCRBY */
            uint8_t how = fz_u8(&in);
            bool sign = how & 1;
            unsigned bits = 1 + fz_u8(&in) % (sign ? 64 : 63);
            unsigned off = fz_u16(&in) % (NBITS - bits + 1);
            enum bits_overflow ow = (enum bits_overflow)((how >> 1) % 3);
            unsigned kind = (how >> 3) % 3;
            int64_t arg = fz_edgy_int(&in);
            uint64_t raw = model_get(&st, off, bits);
            int64_t old = (int64_t)raw;
            if (sign && bits < 64 && (raw >> (bits - 1)) & 1)
                old = (int64_t)(raw | (UINT64_MAX << bits));
            int64_t got_old = sign ? bits_get_signed(st.s, off, bits)
                                   : (int64_t)bits_get_field(st.s, off, bits);
            FZ_CHECK(got_old == old, "get %c%u at %u", sign ? 'i' : 'u', bits, off);
            if (kind == 0)
                continue;
            int64_t want, got;
            int wo = kind == 1 ? model_add(sign, bits, arg, 0, ow, &want)
                               : model_add(sign, bits, old, arg, ow, &want);
            int go = kind == 1 ? bits_field_add(sign, bits, arg, 0, ow, &got)
                               : bits_field_add(sign, bits, old, arg, ow, &got);
            FZ_CHECK(wo == go, "overflow direction %d vs %d", go, wo);
            if (go && ow == BITS_FAIL)
                continue;
            FZ_CHECK(got == want, "%c%u %lld + %lld: %lld, want %lld", sign ? 'i' : 'u', bits,
                     (long long)(kind == 1 ? arg : old), (long long)(kind == 1 ? 0 : arg),
                     (long long)got, (long long)want);
            bits_set_field(st.s, off, bits, (uint64_t)got);
            model_set(&st, off, bits, (uint64_t)got);
            check_same(&st);
        }
    }
    return 0;
}
