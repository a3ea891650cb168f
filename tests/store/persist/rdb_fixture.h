/*
 * rdb_fixture.h - values of every FlashKV encoding, built straight on the
 * encodings, for the RDB saving tests (test_rdb_save.c) and the image
 * tool the e2e test loads into redis-server (rdb_image.c).  Each maker
 * returns a new entry (NULL only when out of memory).
 *
 * Concurrency: single-threaded test code.
 */
#ifndef FLASHKV_TESTS_RDB_FIXTURE_H
#define FLASHKV_TESTS_RDB_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "store/db/entry.h"
#include "store/enc/ht.h"
#include "store/enc/intset.h"
#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "store/enc/zs.h"

static inline entry_t *fx_str(const char *key, const void *v, size_t n)
{
    return entry_new(key, strlen(key), v, n);
}

/* A listpack of n strings: a list, hash (pairs) or zset (pairs). */
static inline entry_t *fx_lp(const char *key, unsigned otype, unsigned enc,
                             const char *const *v, size_t n)
{
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; lp && i < n; i++)
        lp = lp_append(lp, v[i], strlen(v[i]));
    return lp ? entry_new_obj(key, strlen(key), otype, enc, lp) : NULL;
}

static inline entry_t *fx_intset(const char *key, const int64_t *v, size_t n)
{
    intset_t *is = intset_new();
    bool added;
    for (size_t i = 0; is && i < n; i++)
        is = intset_add(is, v[i], &added);
    return is ? entry_new_obj(key, strlen(key), OBJ_SET, ENC_SET_INTSET, is) : NULL;
}

/* A quicklist of fill / depth holding v (pushed at the tail). */
static inline entry_t *fx_ql(const char *key, int fill, int depth, const char *const *v,
                             size_t n)
{
    ql_t *ql = ql_new(fill, depth);
    for (size_t i = 0; ql && i < n; i++)
        if (ql_push(ql, v[i], strlen(v[i]), false))
            return NULL;
    return ql ? entry_new_obj(key, strlen(key), OBJ_LIST, ENC_LIST_QL, ql) : NULL;
}

/* A hash table: a set of v, or a hash of the pairs in v. */
static inline entry_t *fx_ht(const char *key, bool map, const char *const *v, size_t n)
{
    ht_t *ht = ht_new(map, 1);
    for (size_t i = 0; ht && i < n; i += map ? 2 : 1)
        if (!ht_add(ht, v[i], strlen(v[i]), map ? v[i + 1] : NULL,
                    map ? strlen(v[i + 1]) : 0))
            return NULL;
    return ht ? entry_new_obj(key, strlen(key), map ? OBJ_HASH : OBJ_SET,
                              map ? ENC_HASH_HT : ENC_SET_HT, ht)
              : NULL;
}

static inline entry_t *fx_zs(const char *key, const char *const *m, const double *s,
                             size_t n)
{
    zs_t *zs = zs_new(1);
    for (size_t i = 0; zs && i < n; i++)
        if (!zs_insert(zs, m[i], strlen(m[i]), s[i]))
            return NULL;
    return zs ? entry_new_obj(key, strlen(key), OBJ_ZSET, ENC_ZSET_ZS, zs) : NULL;
}

#endif
