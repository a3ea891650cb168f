/*
 * rdb_image.h - one whole RDB image holding every FlashKV encoding, big
 * and small, written with rdb_put_*: test_rdb_save.c has redis-check-rdb
 * check it, and tests/e2e/test_dump.py has redis-server load it (through
 * the rdb_image tool) and compares the contents with these formulas:
 *
 *   db 0  str:int "12345"   str:emb "hello world"   str:lzf "ab" * 50
 *         str:bin bytes 0..255   str:ttl "v", expiring at 4102444800000 ms
 *         hash:ht  f<i> -> v<i>, i < 600        set:ht  m<i>, i < 600
 *         set:lp   "a" "b" "c"                  set:is  i * 3, i < 100
 *         zset:zs  m<i> with score i * 0.5 - 10, i < 300
 *         list:lp  "a" "b" "c"
 *         list:ql  e<i>, i < 1000 (fill -2)
 *         list:qlc elem-<i>-padding-padding, i < 1000 (fill 8, depth 1)
 *   db 1  k1 "v1"   12345 "int key" (an integer-form key)
 *         "long:" + "x" * 40 "lzf key" (an LZF-compressed key)
 *
 * Concurrency: single-threaded test code.
 */
#ifndef FLASHKV_TESTS_RDB_IMAGE_H
#define FLASHKV_TESTS_RDB_IMAGE_H

#include <stdlib.h>

#include "rdb_fixture.h"
#include "store/persist/rdb.h"

#define IMG_TTL_MS 4102444800000ll

/* n strings fmt % i, in one malloc'd array of pointers (free with
 * img_free_strs). */
static inline char **img_strs(const char *fmt, size_t n)
{
    char **v = calloc(n, sizeof *v);
    for (size_t i = 0; v && i < n; i++) {
        v[i] = malloc(64);
        snprintf(v[i], 64, fmt, (int)i);
    }
    return v;
}

static inline void img_free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Put e (then free it) into b; 0 or -1. */
static inline int img_put(rdb_buf_t *b, entry_t *e, int64_t expire_ms)
{
    int rc = e ? rdb_put_key(b, e, expire_ms, true) : -1;
    entry_free(e);
    return rc ? -1 : 0;
}

/* The whole image into b: 0 or -1. */
static inline int img_build(rdb_buf_t *b)
{
    static const rdb_aux_t aux[] = {
        {"redis-ver", "7.0.15"}, {"redis-bits", "64"}, {"ctime", "1764000000"},
        {"used-mem", "1000000"}, {"aof-base", "0"},
    };
    static const char *const abc[] = {"a", "b", "c"};
    int rc = rdb_put_header(b, aux, sizeof aux / sizeof *aux);
    rc |= rdb_put_selectdb(b, 0, 13, 1);
    rc |= img_put(b, fx_str("str:int", "12345", 5), -1);
    rc |= img_put(b, fx_str("str:emb", "hello world", 11), -1);
    char lzf[100], bin[256];
    for (int i = 0; i < 100; i++)
        lzf[i] = i % 2 ? 'b' : 'a';
    for (int i = 0; i < 256; i++)
        bin[i] = (char)i;
    rc |= img_put(b, fx_str("str:lzf", lzf, sizeof lzf), -1);
    rc |= img_put(b, fx_str("str:bin", bin, sizeof bin), -1);
    rc |= img_put(b, fx_str("str:ttl", "v", 1), IMG_TTL_MS);

    char **f = img_strs("f%d", 600), **v = img_strs("v%d", 600), **m = img_strs("m%d", 600);
    char **pairs = calloc(1200, sizeof *pairs);
    for (int i = 0; pairs && i < 600; i++)
        pairs[2 * i] = f[i], pairs[2 * i + 1] = v[i];
    rc |= pairs ? img_put(b, fx_ht("hash:ht", true, (const char *const *)pairs, 1200), -1) : -1;
    rc |= img_put(b, fx_ht("set:ht", false, (const char *const *)m, 600), -1);
    rc |= img_put(b, fx_lp("set:lp", OBJ_SET, ENC_SET_LP, abc, 3), -1);
    int64_t ints[100];
    for (int i = 0; i < 100; i++)
        ints[i] = i * 3;
    rc |= img_put(b, fx_intset("set:is", ints, 100), -1);
    double sc[300];
    for (int i = 0; i < 300; i++)
        sc[i] = i * 0.5 - 10;
    rc |= img_put(b, fx_zs("zset:zs", (const char *const *)m, sc, 300), -1);
    rc |= img_put(b, fx_lp("list:lp", OBJ_LIST, ENC_LIST_LP, abc, 3), -1);
    char **e = img_strs("e%d", 1000), **el = img_strs("elem-%d-padding-padding", 1000);
    rc |= img_put(b, fx_ql("list:ql", -2, 0, (const char *const *)e, 1000), -1);
    rc |= img_put(b, fx_ql("list:qlc", 8, 1, (const char *const *)el, 1000), -1);
    free(pairs);
    img_free_strs(f, 600), img_free_strs(v, 600), img_free_strs(m, 600);
    img_free_strs(e, 1000), img_free_strs(el, 1000);

    rc |= rdb_put_selectdb(b, 1, 3, 0);
    rc |= img_put(b, fx_str("k1", "v1", 2), -1);
    rc |= img_put(b, fx_str("12345", "int key", 7), -1);
    rc |= img_put(b, fx_str("long:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "lzf key", 7), -1);
    rc |= rdb_put_eof(b);
    rc |= rdb_put_crc(b, rdb_crc64(0, b->p, b->len));
    return rc ? -1 : 0;
}

#endif
