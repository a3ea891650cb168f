/*
 * test_reply.c - RESP2/RESP3 encodings of the reply buffer, deferred
 * arrays, the sticky out-of-memory flag; and the Redis-exact number
 * conversions of num.c that replies and commands rely on.
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/base/num.h"
#include "store/base/reply.h"

static reply_t r2, r3;

static void setup(void)
{
    reply_init(&r2, 2);
    reply_init(&r3, 3);
}

static void teardown(void)
{
    reply_free(&r2);
    reply_free(&r3);
}

#define EXPECT(r, lit) \
    do { \
        cr_assert_eq((r).len, sizeof(lit) - 1, "len %zu: '%.*s'", (r).len, (int)(r).len, (r).buf); \
        cr_assert(memcmp((r).buf, lit, sizeof(lit) - 1) == 0, "got '%.*s'", (int)(r).len, (r).buf); \
        reply_reset(&(r)); \
    } while (0)

TestSuite(reply, .init = setup, .fini = teardown);

Test(reply, scalars)
{
    reply_ok(&r2);
    EXPECT(r2, "+OK\r\n");
    reply_simple(&r2, "string", 6);
    EXPECT(r2, "+string\r\n");
    reply_int(&r2, 0);
    EXPECT(r2, ":0\r\n");
    reply_int(&r2, LLONG_MIN);
    EXPECT(r2, ":-9223372036854775808\r\n");
    reply_int(&r2, LLONG_MAX);
    EXPECT(r2, ":9223372036854775807\r\n");
    reply_bulk(&r2, "a\0b\r\n", 5);
    EXPECT(r2, "$5\r\na\0b\r\n\r\n");
    reply_bulk(&r2, "", 0);
    EXPECT(r2, "$0\r\n\r\n");
    reply_bulk_cstr(&r2, "hi");
    EXPECT(r2, "$2\r\nhi\r\n");
    reply_bulk_ll(&r2, -17);
    EXPECT(r2, "$3\r\n-17\r\n");
    reply_array(&r2, 3);
    EXPECT(r2, "*3\r\n");
}

Test(reply, errors_are_one_line)
{
    reply_error(&r2, "ERR syntax error");
    EXPECT(r2, "-ERR syntax error\r\n");
    reply_error(&r2, "ERR a\r\nb\nc");
    EXPECT(r2, "-ERR a  b c\r\n");
    reply_errorf(&r2, "ERR wrong number of arguments for '%s' command", "get");
    EXPECT(r2, "-ERR wrong number of arguments for 'get' command\r\n");
    char big[6000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    reply_errorf(&r2, "ERR %s", big);
    cr_assert_eq(r2.len, 1 + 4095 + 2);
}

Test(reply, null_forms_by_protocol)
{
    reply_null(&r2);
    EXPECT(r2, "$-1\r\n");
    reply_null(&r3);
    EXPECT(r3, "_\r\n");
    reply_null_array(&r2);
    EXPECT(r2, "*-1\r\n");
    reply_null_array(&r3);
    EXPECT(r3, "_\r\n");
}

Test(reply, resp3_aggregates_and_types)
{
    reply_map(&r2, 2);
    EXPECT(r2, "*4\r\n");
    reply_map(&r3, 2);
    EXPECT(r3, "%2\r\n");
    reply_set(&r2, 5);
    EXPECT(r2, "*5\r\n");
    reply_set(&r3, 5);
    EXPECT(r3, "~5\r\n");
    reply_bool(&r2, true);
    EXPECT(r2, ":1\r\n");
    reply_bool(&r3, false);
    EXPECT(r3, "#f\r\n");
    reply_bool(&r3, true);
    EXPECT(r3, "#t\r\n");
    reply_double(&r2, 1.5);
    EXPECT(r2, "$3\r\n1.5\r\n");
    reply_double(&r3, 1.5);
    EXPECT(r3, ",1.5\r\n");
    reply_double(&r3, 0.1);
    EXPECT(r3, ",0.10000000000000001\r\n");
    reply_double(&r2, -INFINITY);
    EXPECT(r2, "$4\r\n-inf\r\n");
    reply_double(&r3, INFINITY);
    EXPECT(r3, ",inf\r\n");
    reply_verbatim(&r2, "hello", 5, "txt");
    EXPECT(r2, "$5\r\nhello\r\n");
    reply_verbatim(&r3, "hello", 5, "txt");
    EXPECT(r3, "=9\r\ntxt:hello\r\n");
    reply_bignum(&r2, "12345678901234567890", 20);
    EXPECT(r2, "$20\r\n12345678901234567890\r\n");
    reply_bignum(&r3, "12345678901234567890", 20);
    EXPECT(r3, "(12345678901234567890\r\n");
}

Test(reply, deferred_array)
{
    reply_int(&r2, 7);
    size_t mark = reply_array_begin(&r2);
    reply_bulk(&r2, "a", 1);
    reply_bulk(&r2, "bc", 2);
    reply_array_end(&r2, mark, 2);
    EXPECT(r2, ":7\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
    mark = reply_array_begin(&r2);
    reply_array_end(&r2, mark, 0);
    EXPECT(r2, "*0\r\n");
    mark = reply_array_begin(&r2);
    for (int i = 0; i < 12345; i++)
        reply_bulk(&r2, "x", 1);
    reply_array_end(&r2, mark, 12345);
    cr_assert(memcmp(r2.buf, "*12345\r\n$1\r\nx\r\n", 15) == 0);
    cr_assert_eq(r2.len, 8 + 12345 * 7);
}

Test(reply, reset_keeps_capacity)
{
    for (int i = 0; i < 1000; i++)
        reply_bulk(&r2, "0123456789", 10);
    size_t cap = r2.cap;
    char *buf = r2.buf;
    reply_reset(&r2);
    cr_assert_eq(r2.len, 0);
    cr_assert_eq(r2.cap, cap);
    reply_bulk(&r2, "x", 1);
    cr_assert_eq(r2.buf, buf);
}

Test(reply, oom_is_sticky_until_reset)
{
    reply_ok(&r2);
    cr_assert_eq(reply_reserve(&r2, SIZE_MAX - 10), -ENOMEM);
    cr_assert(reply_failed(&r2));
    reply_ok(&r2);
    cr_assert_eq(r2.len, 5);            /* later writes are dropped */
    reply_reset(&r2);
    cr_assert_not(reply_failed(&r2));
    reply_ok(&r2);
    EXPECT(r2, "+OK\r\n");
}

/* ---- num.c ---------------------------------------------------------------- */

Test(num, parse_ll_accepts_only_canonical_integers)
{
    long long v;
    struct { const char *s; bool ok; long long v; } t[] = {
        {"0", true, 0}, {"1", true, 1}, {"-1", true, -1}, {"123", true, 123},
        {"9223372036854775807", true, LLONG_MAX},
        {"-9223372036854775808", true, LLONG_MIN},
        {"9223372036854775808", false, 0}, {"-9223372036854775809", false, 0},
        {"99999999999999999999", false, 0}, {"", false, 0}, {"-", false, 0},
        {"-0", false, 0}, {"00", false, 0}, {"01", false, 0}, {"+1", false, 0},
        {" 1", false, 0}, {"1 ", false, 0}, {"1.0", false, 0}, {"0x10", false, 0},
        {"1e3", false, 0}, {"000000000000000000001", false, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        bool ok = num_parse_ll(t[i].s, strlen(t[i].s), &v);
        cr_assert_eq(ok, t[i].ok, "'%s'", t[i].s);
        if (ok)
            cr_assert_eq(v, t[i].v, "'%s'", t[i].s);
    }
    cr_assert_not(num_parse_ll("1\0", 2, &v));
}

Test(num, fmt_ll_roundtrips)
{
    char buf[NUM_LL_BUF];
    long long vals[] = {0, 1, -1, 10, -10, 1234567, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        size_t n = num_fmt_ll(buf, vals[i]);
        long long back;
        cr_assert_eq(n, strlen(buf));
        cr_assert(num_parse_ll(buf, n, &back));
        cr_assert_eq(back, vals[i]);
    }
}

Test(num, long_double_parse_and_print_like_redis)
{
    long double v;
    cr_assert(num_parse_ld("1.5", 3, &v) && v == 1.5L);
    cr_assert(num_parse_ld("inf", 3, &v) && isinf(v));
    cr_assert(num_parse_ld("0x10", 4, &v) && v == 16.0L);
    cr_assert(num_parse_ld("+2", 2, &v) && v == 2.0L);
    cr_assert_not(num_parse_ld("nan", 3, &v));
    cr_assert_not(num_parse_ld(" 1", 2, &v));
    cr_assert_not(num_parse_ld("1 ", 2, &v));
    cr_assert_not(num_parse_ld("", 0, &v));
    cr_assert_not(num_parse_ld("1e99999", 7, &v));
    cr_assert_not(num_parse_ld("1e-99999", 8, &v));
    cr_assert_not(num_parse_ld("1.5\0x", 5, &v));

    char buf[NUM_LD_MAX];
    struct { long double v; const char *s; } t[] = {
        {0.0L, "0"}, {-0.0L, "0"}, {3.0L, "3"}, {10.6L, "10.6"}, {-2.5L, "-2.5"},
        {1e20L, "100000000000000000000"}, {1e-20L, "0"}, {1e-17L, "0.00000000000000001"},
        {INFINITY, "inf"}, {-INFINITY, "-inf"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = num_fmt_ld_human(buf, t[i].v);
        cr_assert_str_eq(buf, t[i].s);
        cr_assert_eq(n, strlen(t[i].s));
    }
    /* The largest long double still fits the buffer, as in Redis. */
    cr_assert_gt(num_fmt_ld_human(buf, LDBL_MAX), 4900);
}

/* num_fmt_d (every double reply and score) prints what "%.17g" prints,
 * byte for byte, including through its integer fast path: integers near
 * +-2^53, -0, fractions, tiny and huge values, and random bit patterns. */
Test(num, fmt_d_is_printf_17g)
{
    double fixed[] = { 0.0, -0.0, 1, -1, 0.1, 1.5, 100, 1e15, 1e16, 1e17,
                       9007199254740991.0, 9007199254740992.0, -9007199254740991.0,
                       -9007199254740992.0, 9007199254740993.0, 4503599627370496.5,
                       123456789012345678.0, DBL_MIN, DBL_MAX, -DBL_MAX, 5e-324,
                       2.5e-5, 1.0 / 3, -1234.5678 };
    char a[NUM_D_BUF], b[NUM_D_BUF];
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed + 200000; i++) {
        double d;
        if (i < sizeof fixed / sizeof *fixed) {
            d = fixed[i];
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (i % 2) {
                memcpy(&d, &x, sizeof d);   /* any bit pattern */
            } else {
                d = (double)(int64_t)(x % 40000000000000000ull) - 2e16;
                d = i % 4 ? d : d / 8;      /* integers and eighths */
            }
            if (isnan(d) || isinf(d))
                continue;
        }
        size_t n = num_fmt_d(a, d);
        int m = snprintf(b, sizeof b, "%.17g", d);
        cr_assert_eq(n, (size_t)m, "%s vs %s", a, b);
        cr_assert_str_eq(a, b);
    }
}
