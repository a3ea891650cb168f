/*
 * value.c - names, memory, copies and freeing of the collection values,
 * by encoding (see value.h).
 *
 * Concurrency: none; the owning shard thread only.
 */
#include "value.h"

#include <malloc.h>

#include "store/base/num.h"
#include "store/enc/ht.h"
#include "store/enc/intset.h"
#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "store/enc/zs.h"

/* Values kept in one flat allocation: a listpack or an intset. */
static bool is_flat(unsigned type, unsigned enc)
{
    return (type == OBJ_LIST && enc == ENC_LIST_LP) ||
           (type == OBJ_SET && enc != ENC_SET_HT) ||
           (type == OBJ_HASH && enc == ENC_HASH_LP) ||
           (type == OBJ_ZSET && enc == ENC_ZSET_LP);
}

const char *value_type_name(unsigned type)
{
    static const char *const names[] = {"string", "list", "set", "hash", "zset"};
    return type < sizeof names / sizeof *names ? names[type] : "none";
}

const char *value_enc_name(unsigned type, unsigned enc)
{
    switch (type) {
    case OBJ_LIST:
        return "quicklist";
    case OBJ_SET:
        return enc == ENC_SET_INTSET ? "intset" : "hashtable";
    case OBJ_HASH:
        return enc == ENC_HASH_LP ? "listpack" : "hashtable";
    case OBJ_ZSET:
        return enc == ENC_ZSET_LP ? "listpack" : "skiplist";
    }
    return "unknown";
}

size_t value_len(unsigned type, unsigned enc, const void *obj)
{
    if (type == OBJ_SET && enc == ENC_SET_INTSET)
        return intset_len(obj);
    if (type == OBJ_LIST && enc == ENC_LIST_QL)
        return ql_count(obj);
    if (type == OBJ_ZSET && enc == ENC_ZSET_ZS)
        return zs_len(obj);
    if (!is_flat(type, enc))
        return ht_len(obj);
    unsigned long n = lp_count(obj);
    return type == OBJ_HASH || type == OBJ_ZSET ? n / 2 : n;
}

size_t value_mem(unsigned type, unsigned enc, const void *obj)
{
    if (is_flat(type, enc))
        return malloc_usable_size((void *)obj);
    if (type == OBJ_LIST)
        return ql_mem(obj);
    if (type == OBJ_ZSET)
        return zs_mem(obj);
    return ht_mem(obj);
}

/* A copy of a quicklist, element by element (COPY is O(N) in Redis too). */
static void *dup_ql(const ql_t *src)
{
    ql_t *q = (ql_t *)src;
    ql_t *n = ql_new(ql_fill(q), ql_depth(q));
    if (!n)
        return NULL;
    ql_iter_t it;
    ql_entry_t e;
    int rc;
    ql_iter_init(&it, q, 0, true);
    while ((rc = ql_iter_next(&it, &e)) == 1) {
        char buf[NUM_LL_BUF];
        const char *s = (const char *)e.s;
        size_t len = e.len;
        if (!s) {
            len = num_fmt_ll(buf, e.ival);
            s = buf;
        }
        if (ql_push(n, s, len, false) != 0) {
            rc = -1;
            break;
        }
    }
    ql_iter_done(&it);
    if (rc != 0) {
        ql_free(n);
        return NULL;
    }
    return n;
}

static void *dup_ht(const ht_t *src)
{
    ht_t *s = (ht_t *)src;
    ht_t *n = ht_new(ht_is_map(s), 0);
    if (!n)
        return NULL;
    ht_iter_t it;
    ht_node_t *x;
    ht_pause_rehash(s);
    ht_iter_init(&it, s);
    while ((x = ht_iter_next(&it))) {
        size_t klen, vlen = 0;
        const char *k = ht_key(x, &klen);
        const char *v = ht_is_map(s) ? ht_val(x, &vlen) : NULL;
        if (!ht_add(n, k, klen, v, vlen)) {
            ht_resume_rehash(s);
            ht_free(n);
            return NULL;
        }
    }
    ht_resume_rehash(s);
    return n;
}

/* A copy of a sorted set's big form, member by member in order (COPY is
 * O(N) in Redis too). */
static void *dup_zs(const zs_t *src)
{
    zs_t *s = (zs_t *)src;
    zs_t *n = zs_new(0);
    zs_iter_t it;
    zs_node_t *x;
    if (!n)
        return NULL;
    zs_iter_init(&it, s, 0, true);
    while ((x = zs_iter_next(&it))) {
        size_t len;
        const char *m = zs_member(x, &len);
        if (!zs_insert(n, m, len, zs_score(x))) {
            zs_free(n);
            return NULL;
        }
    }
    return n;
}

void *value_dup(unsigned type, unsigned enc, const void *obj)
{
    if (type == OBJ_SET && enc == ENC_SET_INTSET)
        return intset_from_blob(obj, intset_blob_len(obj));
    if (is_flat(type, enc))
        return lp_dup(obj);
    if (type == OBJ_LIST)
        return dup_ql(obj);
    if (type == OBJ_ZSET)
        return dup_zs(obj);
    return dup_ht(obj);
}

void value_free(unsigned type, unsigned enc, void *obj)
{
    if (type == OBJ_SET && enc == ENC_SET_INTSET)
        intset_free(obj);
    else if (is_flat(type, enc))
        lp_free(obj);
    else if (type == OBJ_LIST)
        ql_free(obj);
    else if (type == OBJ_ZSET)
        zs_free(obj);
    else
        ht_free(obj);
}

bool value_free_step(unsigned type, unsigned enc, void *obj, size_t *budget)
{
    if (is_flat(type, enc)) {
        value_free(type, enc, obj);
        if (*budget)
            (*budget)--;
        return true;
    }
    if (type == OBJ_LIST)
        return ql_free_step(obj, budget);
    if (type == OBJ_ZSET)
        return zs_free_step(obj, budget);
    return ht_free_step(obj, budget);
}
