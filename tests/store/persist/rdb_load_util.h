/*
 * rdb_load_util.h - helpers of the RDB loading tests (test_rdb_load.c,
 * test_rdb_old.c): hex, a DUMP payload builder written from the format
 * (not with the code under test), and the contents of an entry as
 * canonical text (list in order, set and hash sorted, zset in order with
 * Redis's score texts) so a loaded value can be compared with what
 * redis-server showed for it.
 *
 * Concurrency: single-threaded test code.
 */
#ifndef FLASHKV_TESTS_RDB_LOAD_UTIL_H
#define FLASHKV_TESTS_RDB_LOAD_UTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "store/persist/rdb.h"
#include "store/types/hash_obj.h"
#include "store/types/list_enc.h"
#include "store/types/set_enc.h"
#include "store/types/zset_obj.h"

typedef struct item {
    const char *s;
    size_t n;
} item_t;
#define IT(s, n) {s, n}

/* ---- bytes ---- */

typedef struct bytes {
    unsigned char *p;
    size_t n, cap;
} bytes_t;

static inline void b_put(bytes_t *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 16;
        b->p = realloc(b->p, b->cap);
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}
static inline void b_u8(bytes_t *b, unsigned v) { unsigned char c = (unsigned char)v; b_put(b, &c, 1); }
static inline void b_le(bytes_t *b, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b_u8(b, (unsigned)(v >> (8 * i)) & 0xFF);
}
static inline void b_be(bytes_t *b, uint64_t v, unsigned n)
{
    for (unsigned i = n; i-- > 0;)
        b_u8(b, (unsigned)(v >> (8 * i)) & 0xFF);
}
/* RDB lengths: 6, 14, 32 or 64 bit forms (rdb.c's rdbSaveLen). */
static inline void b_len(bytes_t *b, uint64_t n)
{
    if (n < 64) {
        b_u8(b, (unsigned)n);
    } else if (n < 16384) {
        b_u8(b, 0x40 | (unsigned)(n >> 8));
        b_u8(b, (unsigned)n & 0xFF);
    } else if (n <= UINT32_MAX) {
        b_u8(b, 0x80);
        b_be(b, n, 4);
    } else {
        b_u8(b, 0x81);
        b_be(b, n, 8);
    }
}
static inline void b_str(bytes_t *b, const void *s, size_t n)
{
    b_len(b, n);
    b_put(b, s, n);
}
static inline void b_cstr(bytes_t *b, const char *s) { b_str(b, s, strlen(s)); }

static inline bytes_t b_hex(const char *hex)
{
    bytes_t b = {0};
    for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
        unsigned v;
        sscanf(hex + i, "%2x", &v);
        b_u8(&b, v);
    }
    return b;
}

/* Turn b (type byte + value) into a DUMP payload: version, CRC64. */
static inline void b_footer(bytes_t *b, unsigned ver)
{
    b_le(b, ver, 2);
    b_le(b, rdb_crc64(0, b->p, b->n), 8);
}

/* Replace a payload's footer CRC after an edit of its bytes. */
static inline void b_recrc(bytes_t *b)
{
    uint64_t c = rdb_crc64(0, b->p, b->n - 8);
    for (int i = 0; i < 8; i++)
        b->p[b->n - 8 + i] = (unsigned char)(c >> (8 * i));
}

/* ---- an entry as text ---- */

typedef struct texts {
    char **s;
    size_t *n;
    size_t len, cap;
} texts_t;

static inline void t_add(texts_t *t, const void *a, size_t an, const char *sep, const void *b,
                         size_t bn)
{
    size_t sn = sep ? strlen(sep) : 0;
    if (t->len == t->cap) {
        t->cap = t->cap * 2 + 8;
        t->s = realloc(t->s, t->cap * sizeof *t->s);
        t->n = realloc(t->n, t->cap * sizeof *t->n);
    }
    char *s = malloc(an + sn + bn + 1);
    memcpy(s, a, an);
    if (sn)
        memcpy(s + an, sep, sn);
    if (bn)
        memcpy(s + an + sn, b, bn);
    t->s[t->len] = s;
    t->n[t->len++] = an + sn + bn;
}

static inline void t_free(texts_t *t)
{
    for (size_t i = 0; i < t->len; i++)
        free(t->s[i]);
    free(t->s);
    free(t->n);
}

/* Sort by bytes (memcmp, shorter first), as Python sorts bytes. */
static inline void t_sort(texts_t *t)
{
    for (size_t i = 1; i < t->len; i++) {
        for (size_t j = i; j > 0; j--) {
            size_t an = t->n[j - 1], bn = t->n[j];
            int c = memcmp(t->s[j - 1], t->s[j], an < bn ? an : bn);
            if (c < 0 || (c == 0 && an <= bn))
                break;
            char *ts = t->s[j];
            t->s[j] = t->s[j - 1];
            t->s[j - 1] = ts;
            t->n[j] = an;
            t->n[j - 1] = bn;
        }
    }
}

/* e's contents as the generator prints them; also walks every element
 * (so a corrupt structure shows under ASan). */
static inline texts_t entry_texts(entry_t *e)
{
    texts_t t = {0};
    char buf[NUM_LL_BUF], b2[NUM_LL_BUF], db[NUM_D_BUF];
    size_t len, l2;

    switch (e->otype) {
    case OBJ_STRING: {
        const char *s = entry_str(e, buf, &len);
        t_add(&t, s, len, NULL, NULL, 0);
        break;
    }
    case OBJ_LIST: {
        list_iter_t it;
        list_elem_t x;
        list_enc_iter_init(&it, e, 0, true);
        while (list_enc_iter_next(&it, &x) == 1) {
            const char *s = list_enc_str(&x, buf, &len);
            t_add(&t, s, len, NULL, NULL, 0);
        }
        list_enc_iter_done(&it);
        break;
    }
    case OBJ_SET: {
        setv_t v = setv_of(e);
        setv_iter_t it;
        setv_member_t m;
        setv_pos_t pos;
        setv_iter_init(&it, &v);
        while (setv_iter_next(&it, &m, &pos))
            t_add(&t, m.s, m.len, NULL, NULL, 0);
        setv_iter_done(&it);
        t_sort(&t);
        break;
    }
    case OBJ_HASH: {
        hash_obj_iter_t it;
        hash_obj_sv_t f, v;
        hash_obj_iter_init(&it, e);
        while (hash_obj_iter_next(&it, &f, &v)) {
            const char *fs = hash_obj_sv_bytes(&f, buf, &len);
            const char *vs = hash_obj_sv_bytes(&v, b2, &l2);
            t_add(&t, fs, len, "=", vs, l2);
        }
        t_sort(&t);
        break;
    }
    case OBJ_ZSET: {
        zobj_t z = zobj_of(e);
        zobj_iter_t it;
        zobj_elem_t el;
        zobj_iter_init(&it, &z, 0, true);
        while (zobj_iter_next(&it, &el)) {
            l2 = num_fmt_d(db, el.score);
            t_add(&t, el.s, el.len, ":", db, l2);
        }
        break;
    }
    }
    return t;
}

/* Whether e's structure passes the encodings' own checks. */
static inline bool entry_sound(entry_t *e)
{
    switch (e->otype) {
    case OBJ_LIST:
        if (e->type == ENC_LIST_QL)
            return ql_validate(e->v.obj, 0) && ql_count(e->v.obj) > 0;
        return lp_validate(e->v.obj, lp_bytes(e->v.obj), true) && lp_count(e->v.obj) > 0;
    case OBJ_ZSET: {
        zobj_t z = zobj_of(e);
        return zobj_validate(&z) && zobj_len(&z) > 0;
    }
    case OBJ_SET: {
        setv_t v = setv_of(e);
        return setv_len(&v) > 0;
    }
    case OBJ_HASH:
        return hash_obj_len(e) > 0;
    }
    return true;
}

/* e's contents must be want[0..n). */
static inline void texts_are(entry_t *e, const item_t *want, size_t n, const char *what)
{
    texts_t t = entry_texts(e);
    cr_assert_eq(t.len, n, "%s: %zu elements, want %zu", what, t.len, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(t.n[i] == want[i].n && memcmp(t.s[i], want[i].s, want[i].n) == 0,
                  "%s: element %zu is \"%.*s\", want \"%.*s\"", what, i, (int)t.n[i], t.s[i],
                  (int)want[i].n, want[i].s);
    t_free(&t);
}

#endif
