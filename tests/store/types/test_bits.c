/*
 * test_bits.c - the bitmap commands (store/types/bits*.c) run in process:
 * SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO at the edges
 * of their offsets and ranges, on int-encoded values and other types, and
 * BITFIELD of every width in every overflow mode against a simple model
 * (one byte per bit, 128-bit arithmetic) over random operations.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own process).
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/types/bits.h"
#include "types_harness.h"

TestSuite(bits, .init = th_setup, .fini = th_teardown);

#define ERR_OFF "-ERR bit offset is not an integer or out of range\r\n"

Test(bits, setbit_getbit_edges)
{
    EXPECT("SETBIT k 7 1", ":0\r\n");
    EXPECT("SETBIT k 7 1", ":1\r\n");
    EXPECTN("GET k", "$1\r\n\x01\r\n");
    EXPECT("GETBIT k 7", ":1\r\n");
    EXPECT("GETBIT k 6", ":0\r\n");
    EXPECT("GETBIT k 4294967295", ":0\r\n");
    EXPECT("GETBIT nokey 4294967295", ":0\r\n");
    EXPECT("SETBIT k 4294967296 1", ERR_OFF);
    EXPECT("GETBIT k 4294967296", ERR_OFF);
    EXPECT("SETBIT k -1 1", ERR_OFF);
    EXPECT("SETBIT k 1 2", "-ERR bit is not an integer or out of range\r\n");
    EXPECT("SETBIT k x 2", ERR_OFF);            /* the offset is checked first */
    EXPECT("SETBIT k 23 1", ":0\r\n");
    EXPECT("STRLEN k", ":3\r\n");
    EXPECTN("GET k", "$3\r\n\x01\x00\x01\r\n");  /* growth is zero-filled */
    EXPECT("SETBIT k 0 0", ":0\r\n");
    EXPECT("STRLEN k", ":3\r\n");                /* no growth inside the string */
    check_mem(ks1, "setbit");
}

Test(bits, setbit_on_int_works_on_its_digits)
{
    EXPECT("SET n 12", "+OK\r\n");
    EXPECT("GETBIT n 2", ":1\r\n");     /* '1' is 0x31 = 00110001 */
    EXPECT("GETBIT n 16", ":0\r\n");
    EXPECT("SETBIT n 6 1", ":0\r\n");   /* '1' | 0x02 = '3' */
    EXPECT("GET n", "$2\r\n32\r\n");
    EXPECT("OBJECT ENCODING n", "$3\r\nraw\r\n");
    EXPECT("RPUSH l a", ":1\r\n");
    EXPECT("SETBIT l 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT("BITFIELD l GET u8 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

Test(bits, bitcount_bitpos_ranges)
{
    EXPECT("SET s foobar", "+OK\r\n");
    EXPECT("BITCOUNT s", ":26\r\n");
    EXPECT("BITCOUNT s 1 1", ":6\r\n");
    EXPECT("BITCOUNT s 5 30 BIT", ":17\r\n");
    EXPECT("BITCOUNT s -1 -2", ":0\r\n");
    EXPECT("BITCOUNT s 0", "-ERR syntax error\r\n");
    EXPECT("BITCOUNT nokey 0", ":0\r\n");   /* the key is looked up first */
    EXPECT("BITPOS nokey 0", ":0\r\n");
    EXPECT("BITPOS nokey 1", ":-1\r\n");
    EXPECT("BITPOS s 1", ":1\r\n");
    EXPECT("BITPOS s 0 0 -1 BIT", ":0\r\n");
    EXPECT("BITPOS s 1 2 3 BIT", ":2\r\n");
    EXPECT("BITPOS s 2", "-ERR The bit argument must be 1 or 0.\r\n");
}

Test(bits, bitpos_all_ones_pads_with_zeros_unless_end_given)
{
    unsigned char ones[40];
    memset(ones, 0xff, sizeof ones);
    cr_assert_eq(bits_find(ones, 0, 319, 0), -1);
    cr_assert_eq(bits_find(ones, 0, 319, 1), 0);
    ones[37] = 0xfe;
    cr_assert_eq(bits_find(ones, 0, 319, 0), 37 * 8 + 7);
    cr_assert_eq(bits_find(ones, 0, 37 * 8 + 6, 0), -1);
    cr_assert_eq(bits_count_range(ones, 3, 300), 298);
    cr_assert_eq(bits_popcount(ones, 40), 319);
}

Test(bits, bitop_replaces_dest_and_deletes_on_empty)
{
    EXPECT("SET a abc", "+OK\r\n");
    EXPECT("SET b ~", "+OK\r\n");     /* 0x7e */
    EXPECT("SET d x", "+OK\r\n");
    EXPECT("EXPIRE d 100", ":1\r\n");
    EXPECT("BITOP AND d a b", ":3\r\n");
    EXPECTN("GET d", "$3\r\n`\x00\x00\r\n");
    EXPECT("TTL d", ":-1\r\n");
    EXPECT("BITOP NOT d a b", "-ERR BITOP NOT must be called with a single source key.\r\n");
    EXPECT("BITOP NAND d a", "-ERR syntax error\r\n");
    EXPECT("BITOP OR d nokey", ":0\r\n");
    EXPECT("EXISTS d", ":0\r\n");
    check_mem(ks1, "bitop");
}

Test(bits, bitfield_parse_errors)
{
    const char *bad_type = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 "
                           "is not supported but i64 is.\r\n";
    EXPECT("BITFIELD k GET u64 0", bad_type);
    EXPECT("BITFIELD k GET i65 0", bad_type);
    EXPECT("BITFIELD k GET u0 0", bad_type);
    EXPECT("BITFIELD k GET I8 0", bad_type);
    EXPECT("BITFIELD k GET u8 #536870912", ERR_OFF);
    EXPECT("BITFIELD k OVERFLOW X GET u8 0", "-ERR Invalid OVERFLOW type specified\r\n");
    EXPECT("BITFIELD k GET u8", "-ERR syntax error\r\n");
    EXPECT("BITFIELD_RO k GET u8 0 SET u8 0 1", "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
    EXPECT("BITFIELD k OVERFLOW FAIL SET u2 0 7", "*1\r\n$-1\r\n");
    EXPECT("EXISTS k", ":1\r\n");       /* made room before the write failed */
}

/* ---- random BITFIELD against a model ------------------------------------ */

#define MBITS 256
static unsigned char model[MBITS];

static int64_t model_field(bool sign, unsigned bits, unsigned off)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bits; i++)
        v = v << 1 | model[off + i];
    if (sign && bits < 64 && (v >> (bits - 1)) & 1)
        v |= UINT64_MAX << bits;
    return (int64_t)v;
}

static void model_store(unsigned bits, unsigned off, int64_t v)
{
    for (unsigned i = 0; i < bits; i++)
        model[off + i] = (unsigned char)(((uint64_t)v >> (bits - 1 - i)) & 1);
}

/* The reply text of one op per the model, which it updates. */
static void model_op(int kind, bool sign, unsigned bits, unsigned off, int ow, int64_t arg,
                     char *out, size_t cap)
{
    int64_t old = model_field(sign, bits, off);
    if (kind == 0) {
        snprintf(out, cap, ":%lld\r\n", (long long)old);
        return;
    }
    __int128 span = (__int128)1 << bits;
    __int128 min = sign ? -(span / 2) : 0, max = sign ? span / 2 - 1 : span - 1;
    __int128 base = kind == 1 ? (sign ? (__int128)arg : (__int128)(uint64_t)arg) : old;
    __int128 sum = base + (kind == 1 ? 0 : arg);
    bool over = (!sign && base > max) || sum > max || sum < min;
    if (over && ow == 2) {
        snprintf(out, cap, "$-1\r\n");
        return;
    }
    if (over && ow == 1)
        sum = (!sign && base > max) || sum > max ? max : min;
    else if (over)
        sum = ((sum - min) % span + span) % span + min;
    model_store(bits, off, (int64_t)sum);
    snprintf(out, cap, ":%lld\r\n", (long long)(kind == 1 ? old : (int64_t)sum));
}

Test(bits, bitfield_random_against_model)
{
    static const char *kinds[] = { "GET", "SET", "INCRBY" };
    static const char *ows[] = { "WRAP", "SAT", "FAIL" };
    static const int64_t edges[] = { 0, 1, -1, 2, -2, 127, -128, 255, 256, INT64_MAX, INT64_MIN,
                                     INT64_MAX - 1, INT64_MIN + 1, 1LL << 62, -(1LL << 62) };
    srand(15);
    memset(model, 0, sizeof model);
    EXPECT("SETBIT k 255 0", ":0\r\n");     /* 32 zero bytes */
    for (int n = 0; n < 20000; n++) {
        bool sign = rand() & 1;
        unsigned bits = 1 + (unsigned)rand() % (sign ? 64 : 63);
        unsigned off = (unsigned)rand() % (MBITS - bits + 1);
        int kind = rand() % 3, ow = rand() % 3;
        int64_t arg = rand() % 2 ? edges[rand() % 15]
                                 : (int64_t)(((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 11) ^ (uint64_t)rand()) >> (rand() % 64);
        char line[160], want[64], full[80];
        if (kind == 0)
            snprintf(line, sizeof line, "BITFIELD k OVERFLOW %s GET %c%u %u", ows[ow],
                     sign ? 'i' : 'u', bits, off);
        else
            snprintf(line, sizeof line, "BITFIELD k OVERFLOW %s %s %c%u %u %lld", ows[ow],
                     kinds[kind], sign ? 'i' : 'u', bits, off, (long long)arg);
        model_op(kind, sign, bits, off, ow, arg, want, sizeof want);
        snprintf(full, sizeof full, "*1\r\n%s", want);
        EXPECT(line, full);
    }
    EXPECT("STRLEN k", ":32\r\n");
    /* the string holds the model's bits */
    for (unsigned i = 0; i < MBITS; i += 37) {
        char line[40], want[8];
        snprintf(line, sizeof line, "GETBIT k %u", i);
        snprintf(want, sizeof want, ":%d\r\n", model[i]);
        EXPECT(line, want);
    }
}
