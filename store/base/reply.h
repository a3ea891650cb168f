/*
 * reply.h - growable buffer of RESP reply bytes.
 *
 * Commands append their replies here; the connection layer writes the
 * bytes out. `proto` (2 or 3) selects the RESP2 or RESP3 spelling of the
 * types that differ (null, null array, map, set, double, boolean, verbatim,
 * big number), so command code writes one call for both protocols.
 *
 * Allocation: the buffer grows geometrically; reply_reset keeps the
 * capacity for reuse. The append functions return nothing: if growing
 * fails, the buffer sets a sticky `oom` flag, drops the write, and ignores
 * later writes until reset, so a command can append freely and the caller
 * checks reply_failed() once (like ferror on a stdio stream).
 *
 * Ownership: reply_t is embeddable and owns buf; reply_free releases it.
 * Concurrency: none; one reply buffer is used by one thread at a time.
 */
#ifndef FLASHKV_STORE_REPLY_H
#define FLASHKV_STORE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct reply {
    char *buf;
    size_t len;
    size_t cap;
    int proto;      /* 2 or 3 */
    bool oom;
} reply_t;

void reply_init(reply_t *r, int proto);
void reply_free(reply_t *r);
/* Empty the buffer (keeping its capacity) and clear the oom flag. */
void reply_reset(reply_t *r);
/* Make room for n more bytes. 0 or -ENOMEM (and sets oom). */
int reply_reserve(reply_t *r, size_t n);
static inline bool reply_failed(const reply_t *r) { return r->oom; }

/* Raw bytes, appended as they are. */
void reply_raw(reply_t *r, const void *p, size_t n);
/* printf-style raw text (INFO's lines); output longer than 4 KiB is
 * truncated. */
void reply_rawf(reply_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* +OK */
void reply_ok(reply_t *r);
/* +<s> (s must not contain CR or LF) */
void reply_simple(reply_t *r, const char *s, size_t len);
/* -<msg>: msg carries its own code ("ERR ...", "WRONGTYPE ..."); use the
 * strings of errors.h. CR/LF in msg are written as spaces (as Redis). */
void reply_error(reply_t *r, const char *msg);
void reply_error_len(reply_t *r, const char *msg, size_t len);
/* printf-style error; output longer than 4 KiB is truncated. */
void reply_errorf(reply_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* :<v> */
void reply_int(reply_t *r, long long v);
/* $<len> + bytes (binary safe) */
void reply_bulk(reply_t *r, const void *p, size_t len);
void reply_bulk_cstr(reply_t *r, const char *s);
void reply_bulk_ll(reply_t *r, long long v);
/* RESP2 $-1, RESP3 _ */
void reply_null(reply_t *r);
/* RESP2 *-1, RESP3 _ */
void reply_null_array(reply_t *r);
/* *<n> */
void reply_array(reply_t *r, size_t n);
/* RESP3 %<n> (n pairs); RESP2 *<2n> */
void reply_map(reply_t *r, size_t n);
/* RESP3 ~<n>; RESP2 *<n> */
void reply_set(reply_t *r, size_t n);
/* RESP3 ,<%.17g>; RESP2 bulk of the same text ("inf"/"-inf" spelled out) */
void reply_double(reply_t *r, double d);
/* RESP3 #t/#f; RESP2 :1/:0 */
void reply_bool(reply_t *r, bool b);
/* RESP3 =<len+4>\r\n<fmt>:<text>; RESP2 plain bulk. fmt is 3 chars
 * ("txt", "mkd"). */
void reply_verbatim(reply_t *r, const char *text, size_t len, const char *fmt);
/* RESP3 (<digits>; RESP2 bulk */
void reply_bignum(reply_t *r, const char *digits, size_t len);

/* Array whose length is known only after its elements are written:
 * reply_array_begin returns a mark, reply_array_end writes the header there
 * (moving the elements down over the unused room). No other deferred array
 * may be begun between the two calls. */
size_t reply_array_begin(reply_t *r);
void reply_array_end(reply_t *r, size_t mark, size_t n);

#endif
