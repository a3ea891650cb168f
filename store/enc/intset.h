/*
 * intset.h - sorted set of integers in Redis 7.0's intset byte format.
 *
 * Small all-integer sets (SADD of numbers, up to set-max-intset-entries)
 * are kept as one flat allocation whose bytes ARE the serialized form, so
 * RDB saving, DUMP and RESTORE can copy it verbatim:
 *
 *   u32 LE encoding   bytes per element: 2, 4 or 8
 *   u32 LE length     number of elements
 *   length elements   strictly ascending, little endian, all `encoding` wide
 *
 * The encoding is the narrowest one that holds every value ever added:
 * adding a value that needs more bytes rewrites the whole set wider, and
 * removals never narrow it again (as in Redis, so byte images match).
 * Lookups are binary searches; inserts and removals move the tail, O(n),
 * which is why callers convert to a hash table beyond a few hundred
 * elements.
 *
 * Ownership: an intset_t is a plain malloc'ed block owned by the caller.
 * Functions that may resize it return the pointer to use from then on.
 *
 * Concurrency: none. One thread owns an intset; reads of an intset nobody
 * modifies are pure.
 */
#ifndef FLASHKV_STORE_ENC_INTSET_H
#define FLASHKV_STORE_ENC_INTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header bytes before the elements (encoding + length). */
#define INTSET_HDR 8

/* Opaque: the pointer addresses the first byte of the serialized form. */
typedef struct intset intset_t;

/* Empty set in the 16-bit encoding. NULL on allocation failure. */
intset_t *intset_new(void);

/* Free the set (NULL is fine). */
void intset_free(intset_t *is);

/* Add v. Returns the set to use from now on (it may have moved, which
 * invalidates `is`), with *added (if not NULL) telling whether v was new.
 * On allocation failure returns NULL and `is` is untouched and still
 * valid. O(n): binary search plus moving the tail, or a full rewrite when
 * v needs a wider encoding. */
intset_t *intset_add(intset_t *is, int64_t v, bool *added);

/* Remove v. Returns the set to use from now on (the allocation shrinks,
 * which may move it and invalidate `is`); never NULL. *removed (if not
 * NULL) tells whether v was present. The encoding is kept. O(n). */
intset_t *intset_remove(intset_t *is, int64_t v, bool *removed);

/* Whether v is in the set. O(log n). */
bool intset_find(const intset_t *is, int64_t v);

/* The element at 0-based position index in ascending order. false (and
 * *out untouched) if index >= length. O(1). */
bool intset_get(const intset_t *is, size_t index, int64_t *out);

/* Number of elements. */
size_t intset_len(const intset_t *is);

/* Bytes of the serialized form (header + elements): what intset_blob
 * points to, and what RDB/DUMP write. */
size_t intset_blob_len(const intset_t *is);

/* The serialized bytes (intset_blob_len of them); valid until the next
 * call that modifies or frees the set. */
const void *intset_blob(const intset_t *is);

/* Bytes per element: 2, 4 or 8. */
unsigned intset_encoding(const intset_t *is);

/* A uniformly chosen element, advancing the splitmix64 state *rng. The
 * set must not be empty (returns 0 if it is). */
int64_t intset_random(const intset_t *is, uint64_t *rng);

/* Smallest / largest element; 0 for an empty set. */
int64_t intset_min(const intset_t *is);
int64_t intset_max(const intset_t *is);

/* Whether size bytes at p (any alignment) form an intset that is safe to
 * use: a readable header, encoding 2, 4 or 8, and exactly
 * INTSET_HDR + length * encoding bytes; with deep, also strictly ascending
 * elements (no duplicates), which costs O(n). An empty set is rejected:
 * Redis never serializes one (an empty set key is deleted), so a blob
 * claiming zero elements is corrupt. Never reads outside [p, p + size). */
bool intset_validate(const void *p, size_t size, bool deep);

/* A new set holding a copy of size bytes at p. NULL if they do not pass
 * intset_validate(p, size, true) or on allocation failure. */
intset_t *intset_from_blob(const void *p, size_t size);

#endif
