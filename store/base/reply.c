/*
 * reply.c - RESP reply buffer (see reply.h).
 *
 * Concurrency: none.
 */
#include "reply.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

#define MIN_CAP 256
/* Room reserved for a deferred "*<n>\r\n" header: '*' + 20 digits + CRLF. */
#define DEFERRED_ROOM 23

void reply_init(reply_t *r, int proto)
{
    memset(r, 0, sizeof *r);
    r->proto = proto;
}

void reply_free(reply_t *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
}

void reply_reset(reply_t *r)
{
    r->len = 0;
    r->oom = false;
}

int reply_reserve(reply_t *r, size_t n)
{
    if (r->oom)
        return -ENOMEM;
    if (r->cap - r->len >= n)
        return 0;
    size_t cap = r->cap ? r->cap : MIN_CAP;
    while (cap - r->len < n) {
        if (cap > SIZE_MAX / 2) {
            r->oom = true;
            return -ENOMEM;
        }
        cap *= 2;
    }
    char *b = realloc(r->buf, cap);
    if (!b) {
        r->oom = true;
        return -ENOMEM;
    }
    r->buf = b;
    r->cap = cap;
    return 0;
}

void reply_raw(reply_t *r, const void *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL then (an empty buffer never allocated) */
    if (reply_reserve(r, n) != 0)
        return;
    memcpy(r->buf + r->len, p, n);
    r->len += n;
}

void reply_rawf(reply_t *r, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0)
        reply_raw(r, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* <prefix><v>\r\n */
static void prefixed_ll(reply_t *r, char prefix, long long v)
{
    char tmp[NUM_LL_BUF + 3];
    tmp[0] = prefix;
    size_t n = 1 + num_fmt_ll(tmp + 1, v);
    tmp[n++] = '\r';
    tmp[n++] = '\n';
    reply_raw(r, tmp, n);
}

void reply_ok(reply_t *r)
{
    reply_raw(r, "+OK\r\n", 5);
}

void reply_simple(reply_t *r, const char *s, size_t len)
{
    if (reply_reserve(r, len + 3) != 0)
        return;
    r->buf[r->len++] = '+';
    memcpy(r->buf + r->len, s, len);
    r->len += len;
    memcpy(r->buf + r->len, "\r\n", 2);
    r->len += 2;
}

void reply_error_len(reply_t *r, const char *msg, size_t len)
{
    if (reply_reserve(r, len + 3) != 0)
        return;
    char *p = r->buf + r->len;
    *p++ = '-';
    /* A CR or LF inside would end the line early and desync the client. */
    for (size_t i = 0; i < len; i++)
        p[i] = (msg[i] == '\r' || msg[i] == '\n') ? ' ' : msg[i];
    memcpy(p + len, "\r\n", 2);
    r->len += len + 3;
}

void reply_error(reply_t *r, const char *msg)
{
    reply_error_len(r, msg, strlen(msg));
}

void reply_errorf(reply_t *r, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    reply_error_len(r, buf, (size_t)n);
}

void reply_int(reply_t *r, long long v)
{
    prefixed_ll(r, ':', v);
}

void reply_bulk(reply_t *r, const void *p, size_t len)
{
    if (reply_reserve(r, len + NUM_LL_BUF + 5) != 0)
        return;
    prefixed_ll(r, '$', (long long)len);
    memcpy(r->buf + r->len, p, len);
    r->len += len;
    memcpy(r->buf + r->len, "\r\n", 2);
    r->len += 2;
}

void reply_bulk_cstr(reply_t *r, const char *s)
{
    reply_bulk(r, s, strlen(s));
}

void reply_bulk_ll(reply_t *r, long long v)
{
    char tmp[NUM_LL_BUF];
    reply_bulk(r, tmp, num_fmt_ll(tmp, v));
}

void reply_null(reply_t *r)
{
    if (r->proto >= 3)
        reply_raw(r, "_\r\n", 3);
    else
        reply_raw(r, "$-1\r\n", 5);
}

void reply_null_array(reply_t *r)
{
    if (r->proto >= 3)
        reply_raw(r, "_\r\n", 3);
    else
        reply_raw(r, "*-1\r\n", 5);
}

void reply_array(reply_t *r, size_t n)
{
    prefixed_ll(r, '*', (long long)n);
}

void reply_map(reply_t *r, size_t n)
{
    if (r->proto >= 3)
        prefixed_ll(r, '%', (long long)n);
    else
        prefixed_ll(r, '*', (long long)(2 * n));
}

void reply_set(reply_t *r, size_t n)
{
    prefixed_ll(r, r->proto >= 3 ? '~' : '*', (long long)n);
}

void reply_double(reply_t *r, double d)
{
    char buf[NUM_D_BUF];
    size_t n = num_fmt_d(buf, d);

    if (r->proto >= 3) {
        if (reply_reserve(r, (size_t)n + 3) != 0)
            return;
        r->buf[r->len++] = ',';
        memcpy(r->buf + r->len, buf, (size_t)n);
        r->len += (size_t)n;
        memcpy(r->buf + r->len, "\r\n", 2);
        r->len += 2;
    } else {
        reply_bulk(r, buf, (size_t)n);
    }
}

void reply_bool(reply_t *r, bool b)
{
    if (r->proto >= 3)
        reply_raw(r, b ? "#t\r\n" : "#f\r\n", 4);
    else
        reply_raw(r, b ? ":1\r\n" : ":0\r\n", 4);
}

void reply_verbatim(reply_t *r, const char *text, size_t len, const char *fmt)
{
    if (r->proto < 3) {
        reply_bulk(r, text, len);
        return;
    }
    if (reply_reserve(r, len + NUM_LL_BUF + 9) != 0)
        return;
    prefixed_ll(r, '=', (long long)(len + 4));
    memcpy(r->buf + r->len, fmt, 3);
    r->buf[r->len + 3] = ':';
    r->len += 4;
    memcpy(r->buf + r->len, text, len);
    r->len += len;
    memcpy(r->buf + r->len, "\r\n", 2);
    r->len += 2;
}

void reply_bignum(reply_t *r, const char *digits, size_t len)
{
    if (r->proto < 3) {
        reply_bulk(r, digits, len);
        return;
    }
    if (reply_reserve(r, len + 3) != 0)
        return;
    r->buf[r->len++] = '(';
    memcpy(r->buf + r->len, digits, len);
    r->len += len;
    memcpy(r->buf + r->len, "\r\n", 2);
    r->len += 2;
}

size_t reply_array_begin(reply_t *r)
{
    size_t mark = r->len;
    if (reply_reserve(r, DEFERRED_ROOM) == 0)
        r->len += DEFERRED_ROOM;
    return mark;
}

void reply_array_end(reply_t *r, size_t mark, size_t n)
{
    if (r->oom)
        return;
    char hdr[DEFERRED_ROOM + 1];
    hdr[0] = '*';
    size_t h = 1 + num_fmt_ll(hdr + 1, (long long)n);
    hdr[h++] = '\r';
    hdr[h++] = '\n';
    size_t body = mark + DEFERRED_ROOM;
    /* One memmove of the elements; cheaper than a second buffer. */
    memmove(r->buf + mark + h, r->buf + body, r->len - body);
    memcpy(r->buf + mark, hdr, h);
    r->len -= DEFERRED_ROOM - h;
}
