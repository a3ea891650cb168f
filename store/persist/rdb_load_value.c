/*
 * rdb_load_value.c - one RDB value of any type into a new entry: the
 * dispatch on the RDB type, strings, lists and sets here; hashes and
 * sorted sets in rdb_load_hz.c.
 *
 * Each value is rebuilt through the type builders (store/types), never
 * trusted as it came: a collection gets the encoding FlashKV's commands
 * would give the same elements under the settings in cfg, duplicates are
 * refused (FlashKV's structures assume there are none), and so is every
 * listpack, intset or ziplist that fails its deep check.  Only a list's
 * listpack nodes are kept as they are, once validated: list commands
 * never look an element up by value.
 *
 * Concurrency: none; the new entry belongs to the caller.
 */
#include "store/persist/rdb_read.h"

#include <stdlib.h>

#include "store/enc/intset.h"
#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "store/types/set_enc.h"

/* Redis's quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2). */
#define QL_CONTAINER_PLAIN 1
#define QL_CONTAINER_PACKED 2

static int load_string(rdb_rd_t *rd, const void *key, size_t klen, entry_t **out)
{
    rdb_str_t s;

    if (rdb__str(rd, &s))
        return -1;
    *out = entry_new(key, klen, s.s, s.len);
    rdb__str_done(&s);
    return *out ? 0 : rdb__oom(rd);
}

/* ---- lists ---- */

/* A list under construction: a quicklist with the settings' fill and
 * compress depth, made a bare listpack at the end when it is one node
 * (list_enc.h's small encoding). */
static ql_t *list_new(rdb_rd_t *rd, const store_cfg_t *cfg)
{
    long long fill = cfg->list_max_listpack_size, depth = cfg->list_compress_depth;
    ql_t *ql = ql_new(fill < -5 ? -5 : fill > 32767 ? 32767 : (int)fill,
                      depth < 0 ? 0 : depth > 65535 ? 65535 : (int)depth);

    if (!ql)
        rdb__oom(rd);
    return ql;
}

static int list_finish(rdb_rd_t *rd, ql_t *ql, const void *key, size_t klen, entry_t **out)
{
    unsigned enc = ENC_LIST_QL;
    void *obj = ql;

    if (ql_count(ql) == 0) {
        ql_free(ql);
        return 1;
    }
    if (ql_nodes(ql) == 1) {
        unsigned char *lp = ql_to_lp(ql);
        if (!lp) {
            ql_free(ql);
            return rdb__oom(rd);
        }
        ql_free(ql);
        enc = ENC_LIST_LP;
        obj = lp;
    }
    if (!(*out = entry_new_obj(key, klen, OBJ_LIST, enc, obj))) {
        value_free(OBJ_LIST, enc, obj);
        return rdb__oom(rd);
    }
    return 0;
}

/* RDB_TYPE_LIST: a count, then each element as a string. */
static int load_list_linked(rdb_rd_t *rd, ql_t *ql)
{
    uint64_t n;

    if (rdb__len(rd, &n, NULL))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        rdb_str_t s;
        if (rdb__str(rd, &s))
            return -1;
        int rc = ql_push(ql, s.s, s.len, false);
        rdb__str_done(&s);
        if (rc)
            return rdb__oom(rd);
    }
    return 0;
}

/* Hand a checked listpack node to the list (ql_append_lp owns it then);
 * an empty node is dropped, as Redis 7.0 skips them. */
static int list_add_lp(rdb_rd_t *rd, ql_t *ql, unsigned char *lp)
{
    if (lp_count(lp) == 0) {
        lp_free(lp);
        return 0;
    }
    if (ql_append_lp(ql, lp)) {
        lp_free(lp);
        return rdb__oom(rd);
    }
    return 0;
}

/* One ziplist string (RDB_TYPE_LIST_ZIPLIST, or a RDB_TYPE_LIST_QUICKLIST
 * node) into the list. */
static int list_add_zl(rdb_rd_t *rd, ql_t *ql)
{
    unsigned char *zl, *lp;
    size_t n;
    int rc;

    if (rdb__blob(rd, &zl, &n))
        return -1;
    rc = rdb__zl_to_lp(rd, zl, n, &lp);
    free(zl);
    return rc ? -1 : list_add_lp(rd, ql, lp);
}

/* RDB_TYPE_LIST_QUICKLIST (ziplist nodes) and _2 (containers). */
static int load_quicklist(rdb_rd_t *rd, ql_t *ql, bool v2)
{
    uint64_t nodes, container = QL_CONTAINER_PACKED;

    if (rdb__len(rd, &nodes, NULL))
        return -1;
    for (uint64_t i = 0; i < nodes; i++) {
        unsigned char *lp;
        size_t n;
        if (!v2) {
            if (list_add_zl(rd, ql))
                return -1;
            continue;
        }
        size_t at = rdb__off(rd);
        if (rdb__len(rd, &container, NULL))
            return -1;
        if (container != QL_CONTAINER_PLAIN && container != QL_CONTAINER_PACKED) {
            rd->p = rd->base + at;
            return rdb__fail(rd, "Quicklist integrity check failed");
        }
        at = rdb__off(rd);
        if (rdb__blob(rd, &lp, &n))
            return -1;
        if (container == QL_CONTAINER_PLAIN) {
            int rc = ql_push(ql, (const char *)lp, n, false);
            free(lp);
            if (rc)
                return rdb__oom(rd);
            continue;
        }
        if (!lp_validate(lp, n, true)) {
            free(lp);
            rd->p = rd->base + at;
            return rdb__fail(rd, "Listpack integrity check failed");
        }
        if (list_add_lp(rd, ql, lp))
            return -1;
    }
    return 0;
}

static int load_list(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                     const store_cfg_t *cfg, entry_t **out)
{
    ql_t *ql = list_new(rd, cfg);
    int rc;

    if (!ql)
        return -1;
    switch (type) {
    case RDB_TYPE_LIST: rc = load_list_linked(rd, ql); break;
    case RDB_TYPE_LIST_ZIPLIST: rc = list_add_zl(rd, ql); break;
    default: rc = load_quicklist(rd, ql, type == RDB_TYPE_LIST_QUICKLIST_2); break;
    }
    if (rc) {
        ql_free(ql);
        return -1;
    }
    return list_finish(rd, ql, key, klen, out);
}

/* ---- sets ---- */

/* Add one member; a duplicate is corrupt. */
static int set_add(rdb_rd_t *rd, setv_t *v, const char *s, size_t len, const store_cfg_t *cfg)
{
    int rc = setv_add(v, s, len, cfg);

    if (rc == 0)
        return rdb__fail(rd, "Duplicate set members detected");
    return rc < 0 ? rdb__oom(rd) : 0;
}

static int set_finish(rdb_rd_t *rd, setv_t *v, const void *key, size_t klen, entry_t **out)
{
    if (setv_len(v) == 0) {
        setv_free(v);
        return 1;
    }
    if (!(*out = entry_new_obj(key, klen, OBJ_SET, v->enc, v->obj))) {
        setv_free(v);
        return rdb__oom(rd);
    }
    return 0;
}

/* RDB_TYPE_SET: a count, then each member as a string. */
static int set_linked(rdb_rd_t *rd, setv_t *v, const store_cfg_t *cfg)
{
    uint64_t n;

    if (rdb__len(rd, &n, NULL))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        rdb_str_t s;
        if (rdb__str(rd, &s))
            return -1;
        int rc = set_add(rd, v, s.s, s.len, cfg);
        rdb__str_done(&s);
        if (rc)
            return -1;
    }
    return 0;
}

/* RDB_TYPE_SET_INTSET: the intset's bytes, kept as they are when the
 * set stays an intset under cfg, else re-added member by member. */
static int set_intset(rdb_rd_t *rd, setv_t *v, const store_cfg_t *cfg)
{
    unsigned char *blob;
    size_t n, at = rdb__off(rd);
    intset_t *is;
    int rc = 0;

    if (rdb__blob(rd, &blob, &n))
        return -1;
    if (!intset_validate(blob, n, true)) {
        free(blob);
        rd->p = rd->base + at;
        return rdb__fail(rd, "Intset integrity check failed");
    }
    if (!(is = intset_from_blob(blob, n))) {
        free(blob);
        return rdb__oom(rd);
    }
    free(blob);
    if ((long long)intset_len(is) <= cfg->set_max_intset_entries) {
        setv_free(v);
        v->enc = ENC_SET_INTSET;
        v->obj = is;
        return 0;
    }
    for (size_t i = 0; !rc && i < intset_len(is); i++) {
        int64_t x;
        char buf[NUM_LL_BUF];
        intset_get(is, i, &x);
        size_t len = num_fmt_ll(buf, x);
        rc = set_add(rd, v, buf, len, cfg);
    }
    intset_free(is);
    return rc;
}

/* RDB_TYPE_SET_LISTPACK (Redis 7.2): a listpack of members. */
static int set_listpack(rdb_rd_t *rd, setv_t *v, const store_cfg_t *cfg)
{
    unsigned char *lp;
    size_t n, at = rdb__off(rd);
    int rc = 0;

    if (rdb__blob(rd, &lp, &n))
        return -1;
    if (!lp_validate(lp, n, true)) {
        free(lp);
        rd->p = rd->base + at;
        return rdb__fail(rd, "Set listpack integrity check failed");
    }
    for (unsigned char *p = lp_first(lp); !rc && p; p = lp_next(lp, p)) {
        char buf[NUM_LL_BUF];
        size_t len;
        const unsigned char *s = lp_get_str(p, buf, &len);
        rc = set_add(rd, v, (const char *)s, len, cfg);
    }
    lp_free(lp);
    return rc;
}

static int load_set(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                    const store_cfg_t *cfg, entry_t **out)
{
    setv_t v;
    int rc;

    if (setv_new(&v))
        return rdb__oom(rd);
    switch (type) {
    case RDB_TYPE_SET: rc = set_linked(rd, &v, cfg); break;
    case RDB_TYPE_SET_INTSET: rc = set_intset(rd, &v, cfg); break;
    default: rc = set_listpack(rd, &v, cfg); break;
    }
    if (rc) {
        setv_free(&v);
        return -1;
    }
    return set_finish(rd, &v, key, klen, out);
}

/* ---- dispatch ---- */

int rdb__load_value(rdb_rd_t *rd, unsigned type, const void *key, size_t klen,
                    const store_cfg_t *cfg, entry_t **out)
{
    *out = NULL;
    switch (type) {
    case RDB_TYPE_STRING:
        return load_string(rd, key, klen, out);
    case RDB_TYPE_LIST:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
        return load_list(rd, type, key, klen, cfg, out);
    case RDB_TYPE_SET:
    case RDB_TYPE_SET_INTSET:
    case RDB_TYPE_SET_LISTPACK:
        return load_set(rd, type, key, klen, cfg, out);
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK:
        return rdb__load_hash(rd, type, key, klen, cfg, out);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK:
        return rdb__load_zset(rd, type, key, klen, cfg, out);
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
        return rdb__fail(rd, "stream values are not supported");
    case RDB_TYPE_MODULE:
    case RDB_TYPE_MODULE_2:
        return rdb__fail(rd, "module values are not supported");
    default:
        return rdb__fail(rd, "Unknown RDB encoding type %u", type);
    }
}
