/*
 * num.c - Redis-exact number parsing and printing (see num.h).
 *
 * Concurrency: no shared state. strtold depends on LC_NUMERIC; the server
 * never calls setlocale for it, so it stays "C" as in Redis.
 */
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool num_parse_ll(const char *s, size_t len, long long *out)
{
    size_t i = 0;
    bool neg = false;
    unsigned long long v;

    if (len == 0 || len >= NUM_LL_BUF)
        return false;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    if (s[0] == '-') {
        neg = true;
        if (++i == len)
            return false;
    }
    /* First digit 1-9: rejects leading zeros, so the form is canonical. */
    if (s[i] < '1' || s[i] > '9')
        return false;
    v = (unsigned long long)(s[i++] - '0');
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return false;
        *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return false;
        *out = (long long)v;
    }
    return true;
}

size_t num_fmt_ll(char *buf, long long v)
{
    char tmp[NUM_LL_BUF];
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    size_t n = 0, len = 0;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

bool num_parse_ld(const char *s, size_t len, long double *out)
{
    char buf[NUM_LD_MAX];
    char *end;
    long double v;

    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtold(buf, &end);
    /* end must reach the last byte: an embedded NUL does not end the
     * number early. */
    if (isspace((unsigned char)buf[0]) || (size_t)(end - buf) != len || errno == EINVAL ||
        isnan(v))
        return false;
    /* ERANGE is fatal only for overflow or underflow to zero, as in Redis:
     * a denormal result is accepted. */
    if (errno == ERANGE && (isinf(v) || fpclassify(v) == FP_ZERO))
        return false;
    *out = v;
    return true;
}

size_t num_fmt_ld_human(char *buf, long double v)
{
    int n;

    if (isinf(v)) {
        /* Spelled out because libcs disagree on how to print infinity. */
        strcpy(buf, v > 0 ? "inf" : "-inf");
        return v > 0 ? 3 : 4;
    }
    n = snprintf(buf, NUM_LD_MAX, "%.17Lf", v);
    if (n < 0 || n + 1 > NUM_LD_MAX) {
        buf[0] = '\0';
        return 0;
    }
    size_t l = (size_t)n;
    if (memchr(buf, '.', l)) {
        while (buf[l - 1] == '0')
            l--;
        if (buf[l - 1] == '.')
            l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    buf[l] = '\0';
    return l;
}

/* ---- doubles (sorted set scores), added for the zset commands ---- */

bool num_parse_d(const char *s, size_t len, double *out)
{
    char small[128];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    char *end;
    double v;

    if (len == 0 || !buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtod(buf, &end);
    bool ok = !isspace((unsigned char)buf[0]) && (size_t)(end - buf) == len && !isnan(v) &&
              !(errno == ERANGE && (isinf(v) || fpclassify(v) == FP_ZERO));
    if (buf != small)
        free(buf);
    if (ok)
        *out = v;
    return ok;
}

size_t num_fmt_d(char *buf, double d)
{
    if (isinf(d)) {
        strcpy(buf, d > 0 ? "inf" : "-inf");
        return d > 0 ? 3 : 4;
    }
    /* An integral value of at most 16 digits is what "%.17g" prints as a
     * plain integer: the same bytes, without snprintf's cost (leaderboard
     * scores are mostly such).  -0 keeps its sign through snprintf. */
    if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(long long)d &&
        (d != 0 || !signbit(d)))
        return num_fmt_ll(buf, (long long)d);
    int n = snprintf(buf, NUM_D_BUF, "%.17g", d);
    return n > 0 && n < NUM_D_BUF ? (size_t)n : 0;
}
