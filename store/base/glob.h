/*
 * glob.h - Redis's glob-style pattern matching (KEYS, SCAN MATCH).
 *
 * Same results as Redis 7.0's stringmatchlen, including its corner cases:
 *   *        any run of bytes (consecutive stars collapse)
 *   ?        any one byte
 *   [abc]    one of the listed bytes; [^abc] or none; [a-z] a range (ends
 *            may be given in either order); \x inside brackets is literal x;
 *            an unterminated [ runs to the end of the pattern
 *   \x       literal x (a trailing lone \ matches a backslash)
 * nocase folds ASCII letters only. Patterns nesting more than 1000 '*'
 * levels deep never match (Redis's guard against pathological patterns),
 * which also bounds the recursion depth.
 *
 * Concurrency: pure function.
 */
#ifndef FLASHKV_STORE_GLOB_H
#define FLASHKV_STORE_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#define GLOB_MAX_NESTING 1000

bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase);

#endif
