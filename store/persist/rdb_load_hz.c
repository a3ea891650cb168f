/*
 * rdb_load_hz.c - hashes and sorted sets from RDB values (rdb_read.h's
 * rdb__load_hash, rdb__load_zset), every form Redis 7.0 and 6 write:
 *
 *   hash  RDB_TYPE_HASH (pairs of strings), _ZIPMAP, _ZIPLIST, _LISTPACK
 *   zset  RDB_TYPE_ZSET (text scores), _ZSET_2 (binary scores),
 *         _ZIPLIST, _LISTPACK (member, score, ... sorted)
 *
 * Hashes are rebuilt field by field with hash_obj_set, so the encoding
 * and its conversion points are the HSET ones; sorted sets are built
 * whole with zobj_build (a STORE result's encoding rule, which is Redis's
 * on load).  Duplicate fields or members, NaN scores, odd element counts
 * and unsorted listpacks are refused.
 *
 * Concurrency: none; the new entry belongs to the caller.
 */
#include "store/persist/rdb_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/enc/lp.h"
#include "store/enc/zs.h"
#include "store/types/hash_obj.h"
#include "store/types/zset_obj.h"

/* A listpack from the payload blob of `type`: converted from a ziplist
 * or zipmap, or checked deeply when it is one already.  The blob is
 * consumed either way. */
static int blob_to_lp(rdb_rd_t *rd, unsigned type, unsigned char **lp)
{
    unsigned char *blob;
    const unsigned char *at = rd->p, *after;
    size_t n;
    int rc;

    if (rdb__blob(rd, &blob, &n))
        return -1;
    after = rd->p;
    rd->p = at;                 /* errors below name the blob's start */
    switch (type) {
    case RDB_TYPE_HASH_ZIPMAP:
        rc = rdb__zm_to_lp(rd, blob, n, lp);
        break;
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_ZSET_ZIPLIST:
        rc = rdb__zl_to_lp(rd, blob, n, lp);
        break;
    default:
        if (lp_validate(blob, n, true)) {
            *lp = blob;
            blob = NULL;
            rc = 0;
        } else {
            rc = rdb__fail(rd, "Listpack integrity check failed");
        }
        break;
    }
    free(blob);
    if (rc)
        return -1;
    if (lp_count(*lp) % 2) {
        lp_free(*lp);
        return rdb__fail(rd, "Listpack of pairs has an odd element count");
    }
    rd->p = after;
    return 0;
}

/* ---- hashes ---- */

static int hash_put(rdb_rd_t *rd, entry_t *e, const store_cfg_t *cfg, const char *f,
                    size_t flen, const char *v, size_t vlen)
{
    int rc = hash_obj_set(e, cfg, f, flen, v, vlen);

    if (rc == 0)
        return rdb__fail(rd, "Duplicate hash fields detected");
    return rc < 0 ? rdb__oom(rd) : 0;
}

/* A hash that will be a table anyway starts as one, so its fields go
 * straight in (O(1) each, duplicates found by the table). */
static int hash_big(rdb_rd_t *rd, entry_t *e)
{
    return hash_obj_convert(e) ? rdb__oom(rd) : 0;
}

static int hash_pairs(rdb_rd_t *rd, entry_t *e, const store_cfg_t *cfg)
{
    uint64_t n;

    if (rdb__len(rd, &n, NULL))
        return -1;
    if (n > (unsigned long long)cfg->hash_max_listpack_entries && hash_big(rd, e))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        rdb_str_t f, v;
        int rc = -1;
        if (rdb__str(rd, &f) == 0) {
            if (rdb__str(rd, &v) == 0)
                rc = hash_put(rd, e, cfg, f.s, f.len, v.s, v.len);
            rdb__str_done(&v);
        }
        rdb__str_done(&f);
        if (rc)
            return -1;
    }
    return 0;
}

typedef struct field {
    const char *s;
    size_t len;
} field_t;

static int cmp_field(const void *a, const void *b)
{
    const field_t *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* A checked listpack of pairs that stays a listpack under cfg: fields
 * distinct (sorted copy), then copied into a fresh listpack (integers in
 * their canonical encoding, as HSET would store them).  1: it does not
 * fit (a long field or value), build it the slow way. */
static int hash_lp_fast(rdb_rd_t *rd, entry_t *e, const store_cfg_t *cfg, unsigned char *lp)
{
    size_t n = lp_count(lp) / 2, i = 0;
    field_t *fields = malloc((n ? n : 1) * sizeof *fields);
    char (*bufs)[NUM_LL_BUF] = malloc((n ? n : 1) * sizeof *bufs);
    unsigned char *out = NULL;
    int rc = 0;

    if (!fields || !bufs) {
        rc = rdb__oom(rd);
        goto done;
    }
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        char vb[NUM_LL_BUF];
        size_t vlen;
        fields[i].s = (const char *)lp_get_str(p, bufs[i], &fields[i].len);
        p = lp_next(lp, p);
        lp_get_str(p, vb, &vlen);
        if ((unsigned long long)fields[i].len > (unsigned long long)cfg->hash_max_listpack_value ||
            (unsigned long long)vlen > (unsigned long long)cfg->hash_max_listpack_value) {
            rc = 1;
            goto done;
        }
        i++;
    }
    qsort(fields, n, sizeof *fields, cmp_field);
    for (i = 1; i < n; i++) {
        if (cmp_field(&fields[i - 1], &fields[i]) == 0) {
            rc = rdb__fail(rd, "Duplicate hash fields detected");
            goto done;
        }
    }
    if (!(out = lp_new(lp_bytes(lp)))) {
        rc = rdb__oom(rd);
        goto done;
    }
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        char buf[NUM_LL_BUF];
        size_t len;
        const unsigned char *s = lp_get_str(p, buf, &len);
        unsigned char *grown = lp_append(out, (const char *)s, len);
        if (!grown) {
            lp_free(out);
            rc = rdb__oom(rd);
            goto done;
        }
        out = grown;
    }
    lp_free(e->v.obj);
    e->v.obj = out;
done:
    free(fields);
    free(bufs);
    return rc;
}

static int hash_from_lp(rdb_rd_t *rd, entry_t *e, const store_cfg_t *cfg, unsigned char *lp)
{
    int rc = 1;

    if (lp_count(lp) / 2 <= (unsigned long long)cfg->hash_max_listpack_entries)
        rc = hash_lp_fast(rd, e, cfg, lp);
    if (rc == 1)
        rc = hash_big(rd, e);
    for (unsigned char *p = lp_first(lp); !rc && e->type == ENC_HASH_HT && p;
         p = lp_next(lp, lp_next(lp, p))) {
        char fb[NUM_LL_BUF], vb[NUM_LL_BUF];
        size_t flen, vlen;
        const unsigned char *f = lp_get_str(p, fb, &flen);
        const unsigned char *v = lp_get_str(lp_next(lp, p), vb, &vlen);
        rc = hash_put(rd, e, cfg, (const char *)f, flen, (const char *)v, vlen);
    }
    lp_free(lp);
    return rc;
}

int rdb__load_hash(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                   const store_cfg_t *cfg, entry_t **out)
{
    unsigned char *lp = NULL, *h;
    entry_t *e;
    int rc;

    if (type != RDB_TYPE_HASH && blob_to_lp(rd, type, &lp))
        return -1;
    if (!(h = hash_obj_new()) || !(e = entry_new_obj(key, klen, OBJ_HASH, ENC_HASH_LP, h))) {
        free(h);
        lp_free(lp);
        return rdb__oom(rd);
    }
    rc = lp ? hash_from_lp(rd, e, cfg, lp) : hash_pairs(rd, e, cfg);
    if (rc == 0 && hash_obj_len(e) == 0)
        rc = 1;
    if (rc) {
        entry_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

/* ---- sorted sets ---- */

/* The set z (pairs in order, members distinct) into a new entry. */
static int zset_finish(rdb_rd_t *rd, zobj_t *z, const void *key, size_t klen, entry_t **out)
{
    if (!(*out = entry_new_obj(key, klen, OBJ_ZSET, z->enc, z->obj))) {
        zobj_free(z);
        return rdb__oom(rd);
    }
    return 0;
}

/* RDB_TYPE_ZSET / _ZSET_2: member, score pairs in any order, gathered
 * in the big form (which finds duplicates), made a listpack after if
 * they fit one. */
static int zset_pairs(rdb_rd_t *rd, bool bin, const store_cfg_t *cfg, zobj_t *z)
{
    uint64_t n;
    size_t maxlen = 0;
    zs_t *zs;

    if (rdb__len(rd, &n, NULL))
        return -1;
    if (n == 0)
        return 1;
    if (!(zs = zs_new(0)))
        return rdb__oom(rd);
    for (uint64_t i = 0; i < n; i++) {
        rdb_str_t m;
        double score;
        int rc = rdb__str(rd, &m);
        if (rc == 0)
            rc = bin ? rdb__double_bin(rd, &score) : rdb__double_str(rd, &score);
        if (rc == 0 && isnan(score))
            rc = rdb__fail(rd, "Zset with NAN score detected");
        if (rc == 0 && zs_find(zs, m.s, m.len))
            rc = rdb__fail(rd, "Duplicate zset fields detected");
        if (rc == 0 && !zs_insert(zs, m.s, m.len, score))
            rc = rdb__oom(rd);
        maxlen = m.len > maxlen ? m.len : maxlen;
        rdb__str_done(&m);
        if (rc) {
            zs_free(zs);
            return -1;
        }
    }
    z->enc = ENC_ZSET_ZS;
    z->obj = zs;
    if (zs_len(zs) > (unsigned long long)cfg->zset_max_listpack_entries ||
        maxlen > (unsigned long long)cfg->zset_max_listpack_value)
        return 0;
    /* Small enough for a listpack: rebuild it in order. */
    size_t len = zs_len(zs);
    zobj_pair_t *pairs = malloc(len * sizeof *pairs);
    zs_iter_t it;
    zobj_t small;
    if (!pairs)
        return 0;               /* the big form is a valid answer too */
    zs_iter_init(&it, zs, 0, true);
    for (size_t i = 0; i < len; i++) {
        zs_node_t *node = zs_iter_next(&it);
        pairs[i].s = zs_member(node, &pairs[i].len);
        pairs[i].score = zs_score(node);
    }
    if (zobj_build(&small, pairs, len, cfg) == 0) {
        zs_free(zs);
        *z = small;
    }
    free(pairs);
    return 0;
}

static int cmp_member(const void *a, const void *b)
{
    const zobj_pair_t *x = a, *y = b;
    return zobj_cmp_member(x->s, x->len, y->s, y->len);
}

/* A listpack of member, score, ... (from a ZSET_LISTPACK or converted
 * from a ZSET_ZIPLIST): scores valid, order strictly by (score, member),
 * members distinct; then built as a STORE result is. */
static int zset_from_lp(rdb_rd_t *rd, unsigned char *lp, const store_cfg_t *cfg, zobj_t *z)
{
    size_t n = lp_count(lp) / 2, i = 0;
    zobj_pair_t *pairs = NULL, *sorted = NULL;
    char (*bufs)[NUM_LL_BUF] = NULL;
    int rc = 0;

    if (n == 0) {
        lp_free(lp);
        return 1;
    }
    pairs = malloc(n * sizeof *pairs);
    sorted = malloc(n * sizeof *sorted);
    bufs = malloc(n * sizeof *bufs);
    if (!pairs || !sorted || !bufs) {
        rc = rdb__oom(rd);
        goto done;
    }
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)), i++) {
        size_t mlen;
        uint32_t slen;
        long long ival;
        const unsigned char *m = lp_get_str(p, bufs[i], &mlen);
        const unsigned char *s = lp_get(lp_next(lp, p), &slen, &ival);
        pairs[i] = (zobj_pair_t){(const char *)m, mlen, (double)ival};
        if (s && !num_parse_d((const char *)s, slen, &pairs[i].score)) {
            rc = rdb__fail(rd, "Zset listpack has an invalid score");
            goto done;
        }
        if (i > 0 && zobj_cmp_pair(&pairs[i - 1], &pairs[i]) >= 0) {
            rc = rdb__fail(rd, "Zset listpack is not sorted");
            goto done;
        }
    }
    memcpy(sorted, pairs, n * sizeof *pairs);
    qsort(sorted, n, sizeof *sorted, cmp_member);
    for (i = 1; i < n; i++) {
        if (cmp_member(&sorted[i - 1], &sorted[i]) == 0) {
            rc = rdb__fail(rd, "Duplicate zset fields detected");
            goto done;
        }
    }
    if (zobj_build(z, pairs, n, cfg))
        rc = rdb__oom(rd);
done:
    free(pairs);
    free(sorted);
    free(bufs);
    lp_free(lp);
    return rc;
}

int rdb__load_zset(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                   const store_cfg_t *cfg, entry_t **out)
{
    unsigned char *lp;
    zobj_t z;
    int rc;

    if (type == RDB_TYPE_ZSET || type == RDB_TYPE_ZSET_2) {
        rc = zset_pairs(rd, type == RDB_TYPE_ZSET_2, cfg, &z);
    } else {
        if (blob_to_lp(rd, type, &lp))
            return -1;
        rc = zset_from_lp(rd, lp, cfg, &z);
    }
    return rc ? rc : zset_finish(rd, &z, key, klen, out);
}
