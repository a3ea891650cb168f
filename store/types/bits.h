/*
 * bits.h - bit arithmetic over string bytes shared by the bitmap commands
 * (bits.c: SETBIT GETBIT BITCOUNT BITPOS; bitop.c: BITOP; bitfield.c:
 * BITFIELD BITFIELD_RO), and their procedures.
 *
 * Bits are numbered as Redis numbers them: bit 0 is the most significant
 * bit of byte 0.  The helpers here are pure functions over byte buffers
 * (no keyspace, no replies), so the unit tests and the fuzz target check
 * them against a bit-by-bit model.
 *
 * Concurrency: none (pure functions); the procedures run as cmd_exec.
 */
#ifndef FLASHKV_STORE_TYPES_BITS_H
#define FLASHKV_STORE_TYPES_BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/cmd/cmd.h"
#include "store/db/entry.h"

/* Bit offsets are limited to the bits of the largest string: (offset >> 3)
 * must stay below proto-max-bulk-len.  cmd_ctx_t's settings do not carry
 * proto-max-bulk-len yet, so this is its default, ENTRY_MAX_LEN (512 MB,
 * offsets up to 2^32 - 1). */
#define BITS_MAX_BYTES ENTRY_MAX_LEN

/* BITFIELD's overflow modes. */
enum bits_overflow { BITS_WRAP, BITS_SAT, BITS_FAIL };

/* Number of set bits in p[0 .. n) (a word at a time). */
uint64_t bits_popcount(const unsigned char *p, size_t n);

/* Number of set bits among bits [first, last] of p (both inclusive, both
 * < 8 * the buffer's length). */
uint64_t bits_count_range(const unsigned char *p, uint64_t first, uint64_t last);

/* The first bit equal to `bit` among bits [first, last] of p (inclusive),
 * or -1 if there is none. */
int64_t bits_find(const unsigned char *p, uint64_t first, uint64_t last, int bit);

/* The `bits`-wide (1..64) field at bit offset off of p, unsigned (the
 * buffer must hold every byte the field touches). */
uint64_t bits_get_field(const unsigned char *p, uint64_t off, unsigned bits);
/* As bits_get_field, sign-extended from the field's top bit. */
int64_t bits_get_signed(const unsigned char *p, uint64_t off, unsigned bits);
/* Store the low `bits` bits of v at bit offset off of p. */
void bits_set_field(unsigned char *p, uint64_t off, unsigned bits, uint64_t v);

/* BITFIELD's arithmetic: value + incr in a field of `bits` bits, signed
 * (1..64) or unsigned (1..63), as Redis computes it (an unsigned SET
 * value above the maximum, e.g. a negative one, overflows upwards).
 * Returns 0 and *out = the sum when it fits; otherwise 1 (above the
 * maximum) or -1 (below the minimum) with *out the wrapped (WRAP) or
 * saturated (SAT) value (FAIL: *out is the wrapped value, not to be
 * written). */
int bits_field_add(bool sign, unsigned bits, int64_t value, int64_t incr,
                   enum bits_overflow ow, int64_t *out);

/* Parse a bit offset argument as Redis's getBitOffsetFromArgument: a
 * decimal integer, or with hash_bits > 0 also "#N" meaning N * hash_bits;
 * 0 <= offset and (offset >> 3) < BITS_MAX_BYTES.  false if invalid. */
bool bits_parse_offset(const char *s, size_t len, unsigned hash_bits, uint64_t *out);

/* Parse a BITFIELD type, "i1".."i64" or "u1".."u63".  false if invalid. */
bool bits_parse_type(const char *s, size_t len, bool *sign, unsigned *bits);

/* Procedures (store/commands.c's table rows: bits_table.inc). */
void cmd__setbit(cmd_ctx_t *ctx);
void cmd__getbit(cmd_ctx_t *ctx);
void cmd__bitcount(cmd_ctx_t *ctx);
void cmd__bitpos(cmd_ctx_t *ctx);
void cmd__bitop(cmd_ctx_t *ctx);
void cmd__bitfield(cmd_ctx_t *ctx);
void cmd__bitfield_ro(cmd_ctx_t *ctx);

#endif
