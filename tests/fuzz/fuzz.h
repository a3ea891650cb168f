/*
 * fuzz.h - what every fuzz target shares: a reader that turns the fuzzer's
 * bytes into operations (numbers, lengths, strings), a check that aborts
 * with a message (assert() is compiled out of release builds, and the
 * replay driver runs there too), and a small byte-string model array.
 *
 * The reader never fails: past the end of the input it yields zeros, so
 * every input decodes to some operation sequence, and the fuzzer's
 * mutations of one byte change one decision.
 *
 * Concurrency: single-threaded, like the targets.
 */
#ifndef FLASHKV_TESTS_FUZZ_H
#define FLASHKV_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a crash the fuzzer and the replay test both see) unless cond. */
#define FZ_CHECK(cond, ...)                                                  \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,           \
                    __LINE__, #cond);                                        \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* Allocation that cannot fail (the harness's own memory). */
static inline void *fz_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

static inline void *fz_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

/* ---- reading the input as decisions ---- */

typedef struct fz_in {
    const uint8_t *p;
    size_t n, pos;
} fz_in_t;

static inline bool fz_more(const fz_in_t *in) { return in->pos < in->n; }

static inline uint8_t fz_u8(fz_in_t *in)
{
    return in->pos < in->n ? in->p[in->pos++] : 0;
}

static inline uint16_t fz_u16(fz_in_t *in)
{
    uint16_t v = fz_u8(in);
    return (uint16_t)(v | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t fz_u32(fz_in_t *in)
{
    uint32_t v = fz_u16(in);
    return v | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t fz_u64(fz_in_t *in)
{
    uint64_t v = fz_u32(in);
    return v | (uint64_t)fz_u32(in) << 32;
}

/* Up to len bytes of the input, pointed to in place; *got how many. */
static inline const uint8_t *fz_bytes(fz_in_t *in, size_t len, size_t *got)
{
    size_t left = in->n - in->pos;
    const uint8_t *p = in->p + in->pos;
    *got = len < left ? len : left;
    in->pos += *got;
    return p;
}

/* An integer that likes the edges of every width: small values, powers
 * of two and their neighbours, the limits of int16/32/64 (where the
 * encodings switch), or any 64-bit value. */
static inline int64_t fz_edgy_int(fz_in_t *in)
{
    uint8_t k = fz_u8(in);
    switch (k % 8) {
    case 0:
        return (int8_t)fz_u8(in);
    case 1:
        return (int16_t)fz_u16(in);
    case 2:
        return (int32_t)fz_u32(in);
    case 3: {
        unsigned bit = fz_u8(in) % 64;
        uint64_t v = UINT64_C(1) << bit;
        uint64_t d = (uint64_t)(fz_u8(in) % 5) - 2; /* -2..2, wrapping */
        return (int64_t)((k & 0x80) ? -v + d : v + d);
    }
    case 4:
        return (k & 0x80) ? INT64_MIN + (fz_u8(in) % 4) : INT64_MAX - (fz_u8(in) % 4);
    default:
        return (int64_t)fz_u64(in);
    }
}

/* ---- a sequence of byte strings, the model of list-like encodings ---- */

typedef struct fz_str {
    char *s;
    size_t len;
} fz_str_t;

typedef struct fz_vec {
    fz_str_t *v;
    size_t n, cap;
} fz_vec_t;

/* A copy of s (the harness owns it: free(.s)). */
static inline fz_str_t fz_str_dup(const char *s, size_t len)
{
    fz_str_t d = {fz_xmalloc(len), len};
    if (len)
        memcpy(d.s, s, len);
    return d;
}

static inline void fz_vec_insert(fz_vec_t *m, size_t i, const char *s, size_t len)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = fz_xrealloc(m->v, m->cap * sizeof *m->v);
    }
    memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof *m->v);
    m->v[i] = fz_str_dup(s, len);
    m->n++;
}

static inline void fz_vec_replace(fz_vec_t *m, size_t i, const char *s, size_t len)
{
    free(m->v[i].s);
    m->v[i] = fz_str_dup(s, len);
}

/* Deletes [i, i + count), clamped to the elements there are (as the
 * encodings' range deletes are). */
static inline void fz_vec_delete(fz_vec_t *m, size_t i, size_t count)
{
    size_t end = i < m->n && count < m->n - i ? i + count : m->n;
    if (i >= end)
        return;
    for (fz_str_t *p = m->v + i; p < m->v + end; p++)
        free(p->s);
    memmove(m->v + i, m->v + end, (m->n - end) * sizeof *m->v);
    m->n -= end - i;
}

static inline void fz_vec_free(fz_vec_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].s);
    free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}

static inline bool fz_eq(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* The entry point of the encodings' targets: byte 0 odd, the rest is
 * taken as the encoding's raw bytes (raw); even, as operations (ops). */
static inline int fz_ops_or_raw(const uint8_t *data, size_t size,
                                void (*raw)(const uint8_t *data, size_t size),
                                void (*ops)(fz_in_t *in))
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        raw(data + 1, size - 1);
        return 0;
    }
    fz_in_t in = {data + 1, size - 1, 0};
    ops(&in);
    return 0;
}

/* An element for the list encodings, into buf (cap >= 70000): bytes of
 * the input, an integer's decimal (stored as an integer by listpacks), or
 * a long run of one byte (the 12- and 32-bit string encodings and the
 * multi-byte backlens). Returns its length. */
static inline size_t fz_element(fz_in_t *in, char *buf, size_t cap)
{
    uint8_t k = fz_u8(in);
    size_t len, got;
    switch (k % 16 < 7 ? 0 : k % 16 < 14 ? 1 : 2) {
    case 0: {
        len = fz_u8(in) % 48;
        const uint8_t *p = fz_bytes(in, len, &got);
        memcpy(buf, p, got);
        return got;
    }
    case 1:
        return (size_t)snprintf(buf, cap, "%lld", (long long)fz_edgy_int(in));
    default: {
        static const size_t sizes[] = {62, 63, 64, 127, 128, 4094, 4095, 4096,
                                       16382, 16383, 16384};
        len = sizes[fz_u8(in) % (sizeof sizes / sizeof *sizes)];
        len += (size_t)(fz_u8(in) % 3);
        if (len > cap)
            len = cap;
        memset(buf, 'a' + (k >> 4) % 16, len);
        return len;
    }
    }
}

#endif
