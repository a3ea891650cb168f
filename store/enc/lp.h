/*
 * lp.h - listpack: a list of strings and integers packed into one
 * contiguous allocation, byte for byte in Redis 7.0's listpack format.
 *
 * The bytes are the format, not just a representation of it: RDB files
 * and DUMP payloads store a listpack verbatim, so what we build here must
 * be what Redis builds, and what Redis wrote must load here unchanged.
 *
 *   <total bytes u32 LE> <count u16 LE> <element>* <0xFF>
 *   element = <encoding + data> <backlen: size of encoding + data, 1..5
 *             bytes, readable from its last byte backwards>
 *
 * The count is exact while below 65535; at 65535 it means "unknown, scan".
 * Strings that are canonical int64 decimals (num_parse_ll) are stored as
 * integers in the smallest encoding, as Redis does, so callers that need
 * the original bytes print the integer back (lp_get_str).
 *
 * A listpack is a plain malloc'd `unsigned char *`; lp_free is free().
 * Positions are pointers into it. Every call that returns a listpack
 * pointer may have moved it: all positions into the old one are then
 * invalid, except those the call hands back (newp, nextp).
 *
 * Most operations are O(n) in bytes (memmove) or elements (seek): a
 * listpack is meant to stay small (the callers convert to a hash table or
 * quicklist past configured limits).
 *
 * Concurrency: none. One thread owns a listpack.
 */
#ifndef FLASHKV_STORE_ENC_LP_H
#define FLASHKV_STORE_ENC_LP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/base/num.h"

#define LP_HDR_SIZE 6
#define LP_EOF 0xFF
#define LP_COUNT_UNKNOWN 65535
/* Callers keep listpacks below this (Redis's LISTPACK_MAX_SAFETY_SIZE). */
#define LP_SAFETY_SIZE (1UL << 30)

enum { LP_BEFORE, LP_AFTER, LP_REPLACE };

/* One element for lp_append_batch. */
typedef struct lp_str {
    const char *s;
    size_t len;
} lp_str_t;

/* ---- whole listpack ---- */

/* Empty listpack with room for capacity_hint bytes (at least 7). NULL if
 * out of memory. Free with lp_free. */
unsigned char *lp_new(size_t capacity_hint);
void lp_free(unsigned char *lp);
/* Copy of lp (exactly lp_bytes long), NULL if out of memory. */
unsigned char *lp_dup(const unsigned char *lp);
/* Total size from the header (includes header and terminator). */
size_t lp_bytes(const unsigned char *lp);
/* Number of elements: O(1) while below 65535, otherwise a scan. */
unsigned long lp_count(const unsigned char *lp);

/* ---- reading ---- */

/* First / last element, NULL if empty. */
unsigned char *lp_first(unsigned char *lp);
unsigned char *lp_last(unsigned char *lp);
/* Neighbours of element p, NULL past either end. */
unsigned char *lp_next(unsigned char *lp, unsigned char *p);
unsigned char *lp_prev(unsigned char *lp, unsigned char *p);
/* Element at index (negative counts from the end: -1 is the last), NULL
 * if out of range. Walks from the closer end: O(min(i, n - i)). */
unsigned char *lp_seek(unsigned char *lp, long index);
/* Element p: a string returns its bytes (pointing into the listpack) and
 * sets *slen; an integer returns NULL and sets *ival. */
const unsigned char *lp_get(const unsigned char *p, uint32_t *slen, long long *ival);
/* Element p as bytes either way: integers are printed into buf. Returns
 * the bytes (into the listpack or buf) and sets *len. */
const unsigned char *lp_get_str(const unsigned char *p, char buf[NUM_LL_BUF], size_t *len);

/* True if element p equals the string s: a string element byte for byte,
 * an integer element only its canonical decimal ("5", not "05"). */
bool lp_eq(const unsigned char *p, const char *s, size_t len);
/* Compare p and then every (skip+1)-th element after it with s (skip 1:
 * the fields of field/value pairs). Returns the first match or NULL.
 * s is parsed as an integer once. O(n). */
unsigned char *lp_find(unsigned char *lp, unsigned char *p, const char *s, size_t len,
                       unsigned skip);

/* ---- writing ----
 * Each returns the new listpack pointer, or NULL (out of memory, or the
 * result would exceed UINT32_MAX bytes) with lp untouched and still owned
 * by the caller. Shrinking calls never fail. */

unsigned char *lp_append(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_append_int(unsigned char *lp, long long v);
/* Insert s before or after element p, or replace p. p may be the
 * terminator (lp + lp_bytes - 1) with LP_BEFORE: appends. If newp is not
 * NULL it receives the position of the new element. */
unsigned char *lp_insert(unsigned char *lp, unsigned char *p, const char *s, size_t len,
                         int where, unsigned char **newp);
/* lp_insert of an integer. */
unsigned char *lp_insert_int(unsigned char *lp, unsigned char *p, long long v, int where,
                             unsigned char **newp);
/* Append n strings with one reallocation. */
unsigned char *lp_append_batch(unsigned char *lp, const lp_str_t *v, size_t n);
/* Append all elements of b to a (b is left alone; the caller frees it). */
unsigned char *lp_concat(unsigned char *a, const unsigned char *b);

/* Delete element p. *nextp (if nextp is not NULL) receives the element
 * that followed it, NULL if p was the last. Never fails. */
unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **nextp);
/* Delete up to count elements from index (negative from the end); an
 * index out of range deletes nothing. Never fails. */
unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long count);
/* Delete up to count elements starting at element p. Never fails. */
unsigned char *lp_delete_range_at(unsigned char *lp, unsigned char *p, unsigned long count);

/* ---- sizes and validation ---- */

/* Exact bytes s would take as an element (after integer conversion). */
size_t lp_entry_size(const char *s, size_t len);
/* True if adding add bytes keeps lp (NULL: empty) within LP_SAFETY_SIZE. */
bool lp_safe_to_add(const unsigned char *lp, size_t add);

/* Check that [lp, lp+size) is a well-formed listpack: header size equals
 * size, terminator present, and if deep, every element's encoding, length
 * and backlen in bounds and consistent, and the count matching the header
 * (unless it says unknown). Never reads outside the range: safe on
 * hostile bytes (RDB, RESTORE). O(size) when deep. */
bool lp_validate(const unsigned char *lp, size_t size, bool deep);

#endif
