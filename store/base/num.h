/*
 * num.h - number <-> string conversions with Redis 7.0's exact rules.
 *
 * Clients see these rules: which strings count as integers ("value is not
 * an integer or out of range"), which as floats, and how INCRBYFLOAT prints
 * its result. So they mirror Redis's string2ll / string2ld / ld2string
 * behaviour byte for byte rather than using strtoll's laxer grammar.
 *
 * Concurrency: pure functions.
 */
#ifndef FLASHKV_STORE_NUM_H
#define FLASHKV_STORE_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest decimal int64 ("-9223372036854775808") plus a NUL. */
#define NUM_LL_BUF 21
/* Largest string accepted as a long double, and buffer for printing one. */
#define NUM_LD_MAX 5120

/* Parse a canonical decimal integer: optional '-', no '+', no spaces, no
 * leading zeros ("0" alone is fine, "-0" is not), fits int64, < 21 bytes.
 * Exactly the strings Redis stores with the "int" encoding. */
bool num_parse_ll(const char *s, size_t len, long long *out);

/* Write v in decimal into buf (>= NUM_LL_BUF bytes, NUL-terminated);
 * returns the length. */
size_t num_fmt_ll(char *buf, long long v);

/* Parse a long double the way Redis's string2ld does: strtold over all the
 * bytes (an embedded NUL is an error), no leading space, nothing left, no
 * NaN, no overflow to +-inf and no underflow to 0 with ERANGE. "inf" itself
 * is accepted, as in Redis. */
bool num_parse_ld(const char *s, size_t len, long double *out);

/* Print v like Redis's ld2string(LD_STR_HUMAN): "%.17Lf" with trailing
 * zeros and '.' removed, "-0" printed as "0", inf as "inf"/"-inf".
 * buf must hold NUM_LD_MAX bytes. Returns the length, 0 if it did not fit. */
size_t num_fmt_ld_human(char *buf, long double v);

/* ---- doubles (sorted set scores), added for the zset commands ---- */

/* Longest "%.17g" of a double ("-2.2250738585072014e-308") plus a NUL. */
#define NUM_D_BUF 32

/* Parse a double the way Redis 7.0's string2d does: strtod over all len
 * bytes (an embedded NUL is an error), no leading space, nothing left,
 * no NaN, no overflow to +-inf and no underflow to 0 with ERANGE.
 * "inf", "+inf", "-inf" (and strtod's other spellings) are accepted. */
bool num_parse_d(const char *s, size_t len, double *out);

/* Print d as Redis 7.0 replies a double: "%.17g", with infinities spelled
 * "inf" and "-inf" (libcs differ there).  buf must hold NUM_D_BUF bytes;
 * NUL-terminated; returns the length. */
size_t num_fmt_d(char *buf, double d);

#endif
