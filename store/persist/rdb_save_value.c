/*
 * rdb_save_value.c - one value in the RDB layout Redis 7.0 writes for
 * it, by FlashKV encoding (see rdb.h's table):
 *
 *   string          integer or string forms (rdb_save.c)
 *   list (lp, ql)   QUICKLIST_2: node count, then per node the PACKED
 *                   container and its listpack as a string; a node the
 *                   quicklist keeps compressed goes out as the LZF blob it
 *                   already is, as Redis does (no recompression)
 *   set intset      SET_INTSET: the intset's bytes as one string
 *   set lp / ht     SET: count, then members (Redis 7.0 has no listpack
 *                   sets: a small FlashKV set saves as a plain one)
 *   hash lp         HASH_LISTPACK: the listpack's bytes as one string
 *   hash ht         HASH: count, then field, value pairs
 *   zset lp         ZSET_LISTPACK: the listpack's bytes
 *   zset zs         ZSET_2: count, then member and 8-byte score pairs,
 *                   highest score first (Redis walks its skiplist from the
 *                   tail, so the byte images match)
 *
 * FlashKV's listpacks and intsets are byte for byte Redis's formats, so
 * they are written verbatim.  The quicklist's nodes are read through
 * ql_node.h (read only: the walk touches no link, count or buffer), the
 * one way to see node boundaries and compressed blobs.
 *
 * Concurrency: the thread that owns e (rdb.h).
 */
#include <errno.h>

#include "store/enc/ht.h"
#include "store/enc/intset.h"
#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "store/enc/ql_node.h"
#include "store/enc/zs.h"
#include "store/persist/rdb_save.h"

unsigned rdb__type_of(const entry_t *e)
{
    switch (e->otype) {
    case OBJ_LIST:
        return RDB_TYPE_LIST_QUICKLIST_2;
    case OBJ_SET:
        return e->type == ENC_SET_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case OBJ_HASH:
        return e->type == ENC_HASH_LP ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    case OBJ_ZSET:
        return e->type == ENC_ZSET_LP ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    }
    return RDB_TYPE_STRING;
}

static int put_string(rdb_buf_t *b, const entry_t *e, bool compress)
{
    /* Redis's "int" objects go through rdbSaveLongLongAsStringObject:
     * integer forms or digits, never LZF. */
    if (e->type == ENTRY_INT)
        return rdb__put_ll(b, e->v.i);
    const char *s = e->type == ENTRY_EMB ? e->key + e->klen : e->v.raw;
    return rdb__put_str(b, s, e->vlen, compress);
}

static int put_list(rdb_buf_t *b, const entry_t *e, bool compress)
{
    if (e->type == ENC_LIST_LP) {
        /* One listpack: what Redis's one-node quicklist holds. */
        int rc = rdb__put_len(b, 1);
        if (!rc)
            rc = rdb__put_len(b, RDB_QL_PACKED);
        return rc ? rc : rdb__put_str(b, e->v.obj, lp_bytes(e->v.obj), compress);
    }
    const ql_t *ql = e->v.obj;
    int rc = rdb__put_len(b, ql_nodes(ql));
    for (const ql_node_t *n = ql->head; n && !rc; n = n->next) {
        rc = rdb__put_len(b, RDB_QL_PACKED);
        if (rc)
            break;
        if (n->packed) {
            const qn_zblob_t *z = (const qn_zblob_t *)n->buf;
            rc = rdb__put_lzf(b, z->data, z->csz, n->sz);
        } else {
            rc = rdb__put_str(b, n->buf, n->sz, compress);
        }
    }
    return rc;
}

/* Each element of a listpack as a string (printing its integers). */
static int put_lp_members(rdb_buf_t *b, unsigned char *lp, bool compress)
{
    int rc = rdb__put_len(b, lp_count(lp));
    for (unsigned char *p = lp_first(lp); p && !rc; p = lp_next(lp, p)) {
        char buf[NUM_LL_BUF];
        size_t len;
        const unsigned char *s = lp_get_str(p, buf, &len);
        rc = rdb__put_str(b, s, len, compress);
    }
    return rc;
}

/* Every node of a hash table: keys, and values in map mode. */
static int put_ht(rdb_buf_t *b, ht_t *ht, bool compress)
{
    int rc = rdb__put_len(b, ht_len(ht));
    ht_iter_t it;
    ht_iter_init(&it, ht);
    for (ht_node_t *n; !rc && (n = ht_iter_next(&it));) {
        size_t len;
        const char *k = ht_key(n, &len);
        rc = rdb__put_str(b, k, len, compress);
        if (!rc && ht_is_map(ht)) {
            const char *v = ht_val(n, &len);
            rc = rdb__put_str(b, v, len, compress);
        }
    }
    return rc;
}

static int put_set(rdb_buf_t *b, const entry_t *e, bool compress)
{
    if (e->type == ENC_SET_INTSET)
        return rdb__put_str(b, intset_blob(e->v.obj), intset_blob_len(e->v.obj), compress);
    if (e->type == ENC_SET_LP)
        return put_lp_members(b, e->v.obj, compress);
    return put_ht(b, e->v.obj, compress);
}

static int put_zs(rdb_buf_t *b, zs_t *zs, bool compress)
{
    size_t len = zs_len(zs);
    int rc = rdb__put_len(b, len);
    if (rc || !len)
        return rc;
    zs_iter_t it;
    zs_iter_init(&it, zs, len - 1, false);
    for (zs_node_t *n; !rc && (n = zs_iter_next(&it));) {
        size_t mlen;
        const char *m = zs_member(n, &mlen);
        rc = rdb__put_str(b, m, mlen, compress);
        if (!rc)
            rc = rdb__put_double(b, zs_score(n));
    }
    return rc;
}

int rdb__put_value(rdb_buf_t *b, const entry_t *e, bool compress)
{
    switch (e->otype) {
    case OBJ_STRING:
        return put_string(b, e, compress);
    case OBJ_LIST:
        return put_list(b, e, compress);
    case OBJ_SET:
        return put_set(b, e, compress);
    case OBJ_HASH:
        if (e->type == ENC_HASH_LP)
            return rdb__put_str(b, e->v.obj, lp_bytes(e->v.obj), compress);
        return put_ht(b, e->v.obj, compress);
    case OBJ_ZSET:
        if (e->type == ENC_ZSET_LP)
            return rdb__put_str(b, e->v.obj, lp_bytes(e->v.obj), compress);
        return put_zs(b, e->v.obj, compress);
    }
    return -EINVAL;
}
