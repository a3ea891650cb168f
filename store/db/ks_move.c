/*
 * ks_move.c - moving values between keys, keyspaces and shards (see
 * ks_move.h).
 *
 * Concurrency: none; each keyspace on its owning thread.
 */
#include "ks_move.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ks_internal.h"

int ks_take(ks_t *ks, const void *key, size_t klen, ks_blob_t **blob, int64_t *pexpire_at)
{
    entry_t *e = ks_find(ks, key, klen);
    if (!e)
        return -ENOENT;
    *pexpire_at = ks_ttl_get(ks, e);
    touch_entry(ks, e);
    ks__unlink(ks, e);
    *blob = e;
    return 0;
}

/* A new entry under key carrying blob's value; the value buffer moves over
 * without copying. Consumes blob. */
static entry_t *rekey(ks_blob_t *blob, const void *key, size_t klen)
{
    entry_t *n;

    if (!entry_is_str(blob)) {
        n = entry_new_obj(key, klen, blob->otype, blob->type, blob->v.obj);
        if (n) {
            (void)entry_take_obj(blob);  /* the object now belongs to n */
            n->lru = blob->lru;
        }
        entry_free(blob);
        return n;
    }
    switch (blob->type) {
    case ENTRY_INT:
        n = entry_new_int(key, klen, blob->v.i);
        break;
    case ENTRY_EMB:
        n = entry_new_str(key, klen, blob->key + blob->klen, blob->vlen);
        break;
    default:
        n = entry_new_int(key, klen, 0);
        if (n) {
            n->type = ENTRY_RAW;
            n->v.raw = blob->v.raw;
            n->vlen = blob->vlen;
            n->vcap = blob->vcap;
            blob->type = ENTRY_INT;     /* the buffer now belongs to n */
        }
        break;
    }
    if (n) {
        n->unshared = blob->unshared;
        n->lru = blob->lru;
    }
    entry_free(blob);
    return n;
}

int ks_put(ks_t *ks, const void *key, size_t klen, ks_blob_t *blob, int64_t pexpire_at)
{
    entry_t *old = dict_find(&ks->dict, key, klen);
    entry_t *n = rekey(blob, key, klen);
    if (!n)
        return -ENOMEM;
    if (old)
        ks_delete_entry(ks, old);
    uint32_t lru = n->lru;
    if (!ks__link(ks, n))
        return -ENOMEM;
    n->lru = lru;           /* the same value object, moved */
    if (pexpire_at != -1 && ks_ttl_set(ks, n, pexpire_at) != 0) {
        ks_delete_entry(ks, n);
        return -ENOMEM;
    }
    return 0;
}

int ks_put_entry(ks_t *ks, entry_t *e, int64_t pexpire_at)
{
    uint32_t lru = e->lru;
    if (!ks__link(ks, e))
        return -ENOMEM;     /* ks__link freed e */
    e->lru = lru;
    if (pexpire_at != -1 && ks_ttl_set(ks, e, pexpire_at) != 0) {
        ks_delete_entry(ks, e);
        return -ENOMEM;
    }
    return 0;
}

void ks_blob_free(ks_blob_t *blob)
{
    entry_free(blob);
}

int ks_move(ks_t *src, entry_t *e, ks_t *dst)
{
    int64_t when = ks_ttl_get(src, e);

    /* Reserve the TTL record first so nothing can fail once e has left
     * src, except dst's very first bucket array (then e goes back). */
    if (when != -1 && expidx_reserve(&dst->exp) != 0)
        return -ENOMEM;
    ks__unlink(src, e);
    if (dict_add(&dst->dict, e) != 0) {
        /* src keeps its bucket array once it has one, and its TTL index
         * just gave back a record: neither step can fail. */
        (void)dict_add(&src->dict, e);
        src->entry_mem += entry_mem(e);
        if (when != -1)
            (void)expidx_set(&src->exp, e, when);
        return -ENOMEM;
    }
    dst->entry_mem += entry_mem(e);
    if (when != -1)
        (void)expidx_set(&dst->exp, e, when);
    touch_entry(src, e);
    touch_entry(dst, e);
    return 0;
}

entry_t *ks_add_dup(ks_t *dst, const void *key, size_t klen, const entry_t *src,
                    int64_t pexpire_at)
{
    /* Allocate everything first: once the old value is gone, nothing may
     * fail (dst has a bucket array if it held the key). */
    if (pexpire_at != -1 && expidx_reserve(&dst->exp) != 0)
        return NULL;
    entry_t *n = entry_dup(src, key, klen);
    if (!n)
        return NULL;
    entry_t *old = dict_find(&dst->dict, key, klen);
    if (old)
        ks_delete_entry(dst, old);
    if (!ks__link(dst, n))
        return NULL;
    if (pexpire_at != -1)
        (void)ks_ttl_set(dst, n, pexpire_at);
    return n;
}

int ks_rename(ks_t *ks, const void *src, size_t slen, const void *dst, size_t dlen, bool nx)
{
    ks_blob_t *blob;
    int64_t when;

    if (!ks_find(ks, src, slen))
        return -ENOENT;
    if (slen == dlen && memcmp(src, dst, slen) == 0)
        return nx ? -EEXIST : 0;
    if (nx && ks_find(ks, dst, dlen))
        return -EEXIST;
    ks_take(ks, src, slen, &blob, &when);
    return ks_put(ks, dst, dlen, blob, when);
}
