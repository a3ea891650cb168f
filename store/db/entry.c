/*
 * entry.c - key + string value in one allocation, or key + collection
 * (see entry.h).
 *
 * Concurrency: none; the owning shard thread only.
 */
#include "entry.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define HDR offsetof(entry_t, key)
/* Above this size a growing string gains a fixed step instead of doubling
 * (Redis's sds policy), so a big APPEND-built value wastes at most 1 MB. */
#define GROW_STEP (1024 * 1024)

static entry_t *alloc_entry(const void *key, size_t klen, size_t inline_len)
{
    entry_t *e = malloc(HDR + klen + inline_len);
    if (!e)
        return NULL;
    e->next = NULL;
    e->v.i = 0;
    e->klen = (uint32_t)klen;
    e->vlen = 0;
    e->vcap = 0;
    e->xslot = 0;
    e->type = ENTRY_INT;
    e->unshared = 0;
    e->otype = OBJ_STRING;
    e->lru = 0;
    memcpy(e->key, key, klen);
    return e;
}

entry_t *entry_new_obj(const void *key, size_t klen, unsigned otype, unsigned enc, void *obj)
{
    entry_t *e = alloc_entry(key, klen, 0);
    if (!e)
        return NULL;
    e->otype = otype;
    e->type = enc;
    e->v.obj = obj;
    return e;
}

static void drop_raw(entry_t *e)
{
    if (e->type == ENTRY_RAW) {
        free(e->v.raw);
        e->v.raw = NULL;
        e->vcap = 0;
    }
}

entry_t *entry_new_int(const void *key, size_t klen, int64_t v)
{
    entry_t *e = alloc_entry(key, klen, 0);
    if (e)
        e->v.i = v;
    return e;
}

/* A string value in the smallest encoding Redis would pick; try_int
 * allows "int" (tryObjectEncoding), otherwise embstr/raw by size. */
static entry_t *new_val(const void *key, size_t klen, const void *val, size_t vlen,
                        bool try_int)
{
    long long ll;
    entry_t *e;

    if (try_int && vlen <= 20 && num_parse_ll(val, vlen, &ll))
        return entry_new_int(key, klen, ll);
    if (vlen <= ENTRY_EMB_MAX) {
        e = alloc_entry(key, klen, vlen);
        if (!e)
            return NULL;
        e->type = ENTRY_EMB;
        e->vlen = (uint32_t)vlen;
        memcpy(e->key + klen, val, vlen);
        return e;
    }
    char *buf = malloc(vlen);
    if (!buf)
        return NULL;
    e = alloc_entry(key, klen, 0);
    if (!e) {
        free(buf);
        return NULL;
    }
    memcpy(buf, val, vlen);
    e->type = ENTRY_RAW;
    e->v.raw = buf;
    e->vlen = e->vcap = (uint32_t)vlen;
    return e;
}

entry_t *entry_new(const void *key, size_t klen, const void *val, size_t vlen)
{
    return new_val(key, klen, val, vlen, true);
}

entry_t *entry_new_str(const void *key, size_t klen, const void *val, size_t vlen)
{
    return new_val(key, klen, val, vlen, false);
}

entry_t *entry_dup(const entry_t *e, const void *key, size_t klen)
{
    entry_t *n;

    if (!entry_is_str(e)) {
        void *obj = value_dup(e->otype, e->type, e->v.obj);
        n = obj ? entry_new_obj(key, klen, e->otype, e->type, obj) : NULL;
        if (obj && !n)
            value_free(e->otype, e->type, obj);
        if (n)
            n->lru = e->lru;
        return n;
    }
    switch (e->type) {
    case ENTRY_INT:
        n = entry_new_int(key, klen, e->v.i);
        if (n)
            n->unshared = 1;
        break;
    case ENTRY_EMB:
        n = new_val(key, klen, e->key + e->klen, e->vlen, false);
        break;
    default: {
        /* Exact size, like Redis's createRawStringObject; stays RAW even
         * when short. */
        char *buf = malloc(e->vlen ? e->vlen : 1);
        n = buf ? alloc_entry(key, klen, 0) : NULL;
        if (!n) {
            free(buf);
            return NULL;
        }
        memcpy(buf, e->v.raw, e->vlen);
        n->type = ENTRY_RAW;
        n->v.raw = buf;
        n->vlen = e->vlen;
        n->vcap = e->vlen ? e->vlen : 1;
        break;
    }
    }
    if (n)
        n->lru = e->lru;
    return n;
}

entry_t *entry_new_zeroed(const void *key, size_t klen, size_t vlen)
{
    char *buf = calloc(1, vlen ? vlen : 1);
    if (!buf)
        return NULL;
    entry_t *e = alloc_entry(key, klen, 0);
    if (!e) {
        free(buf);
        return NULL;
    }
    e->type = ENTRY_RAW;
    e->v.raw = buf;
    e->vlen = (uint32_t)vlen;
    e->vcap = (uint32_t)(vlen ? vlen : 1);
    return e;
}

static entry_t *set_val(entry_t *e, const void *val, size_t vlen, bool try_int)
{
    long long ll;

    if (try_int && vlen <= 20 && num_parse_ll(val, vlen, &ll)) {
        entry_set_int(e, ll);
        return e;
    }
    if (vlen <= ENTRY_EMB_MAX) {
        if (HDR + e->klen + vlen <= malloc_usable_size(e)) {
            drop_raw(e);
            memcpy(e->key + e->klen, val, vlen);
            e->type = ENTRY_EMB;
            e->unshared = 0;
            e->vlen = (uint32_t)vlen;
            return e;
        }
        entry_t *n = alloc_entry(e->key, e->klen, vlen);
        if (!n)
            return NULL;
        n->type = ENTRY_EMB;
        n->vlen = (uint32_t)vlen;
        n->xslot = e->xslot;
        n->lru = e->lru;
        memcpy(n->key + n->klen, val, vlen);
        return n;
    }
    /* RAW: reuse the buffer unless it would waste more than half of it. */
    if (e->type == ENTRY_RAW && vlen <= e->vcap && e->vcap / 2 <= vlen) {
        memcpy(e->v.raw, val, vlen);
        e->vlen = (uint32_t)vlen;
        return e;
    }
    char *buf = malloc(vlen);
    if (!buf)
        return NULL;
    memcpy(buf, val, vlen);
    drop_raw(e);
    e->type = ENTRY_RAW;
    e->unshared = 0;
    e->v.raw = buf;
    e->vlen = e->vcap = (uint32_t)vlen;
    return e;
}

entry_t *entry_set_val(entry_t *e, const void *val, size_t vlen)
{
    return set_val(e, val, vlen, true);
}

entry_t *entry_set_str(entry_t *e, const void *val, size_t vlen)
{
    return set_val(e, val, vlen, false);
}

void entry_set_int(entry_t *e, int64_t v)
{
    drop_raw(e);
    e->type = ENTRY_INT;
    e->unshared = 0;
    e->vlen = 0;
    e->v.i = v;
}

int entry_resize(entry_t *e, size_t newlen)
{
    size_t cap = newlen < GROW_STEP ? newlen * 2 : newlen + GROW_STEP;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    if (cap == 0)
        cap = 1;

    if (e->type == ENTRY_RAW) {
        if (newlen > e->vcap) {
            char *buf = realloc(e->v.raw, cap);
            if (!buf)
                return -ENOMEM;
            e->v.raw = buf;
            e->vcap = (uint32_t)cap;
        }
        if (newlen > e->vlen)
            memset(e->v.raw + e->vlen, 0, newlen - e->vlen);
        e->vlen = (uint32_t)newlen;
        return 0;
    }
    char tmp[NUM_LL_BUF];
    size_t len;
    const char *cur = entry_str(e, tmp, &len);
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    if (len > newlen)
        len = newlen;
    memcpy(buf, cur, len);
    memset(buf + len, 0, newlen - len);
    /* An EMB value's inline bytes become slack until the entry is rebuilt;
     * shrinking would move the entry, which callers hold pointers to. */
    e->type = ENTRY_RAW;
    e->v.raw = buf;
    e->vlen = (uint32_t)newlen;
    e->vcap = (uint32_t)cap;
    return 0;
}

const char *entry_str(const entry_t *e, char *buf, size_t *len)
{
    switch (e->type) {
    case ENTRY_INT:
        *len = num_fmt_ll(buf, e->v.i);
        return buf;
    case ENTRY_EMB:
        *len = e->vlen;
        return e->key + e->klen;
    default:
        *len = e->vlen;
        return e->v.raw;
    }
}

size_t entry_strlen(const entry_t *e)
{
    char tmp[NUM_LL_BUF];
    if (e->type == ENTRY_INT)
        return num_fmt_ll(tmp, e->v.i);
    return e->vlen;
}

bool entry_get_ll(const entry_t *e, long long *out)
{
    if (e->type == ENTRY_INT) {
        *out = e->v.i;
        return true;
    }
    const char *p = e->type == ENTRY_EMB ? e->key + e->klen : e->v.raw;
    return num_parse_ll(p, e->vlen, out);
}

const char *entry_encoding(const entry_t *e)
{
    static const char *const names[] = {"int", "embstr", "raw"};
    if (!entry_is_str(e))
        return value_enc_name(e->otype, e->type);
    return names[e->type];
}

long long entry_refcount(const entry_t *e)
{
    /* OBJ_SHARED_INTEGERS = 10000, OBJ_SHARED_REFCOUNT = INT_MAX. */
    if (entry_is_str(e) && e->type == ENTRY_INT && !e->unshared && e->v.i >= 0 &&
        e->v.i < 10000)
        return INT_MAX;
    return 1;
}

uint64_t entry_idle_ms(const entry_t *e, int64_t now_ms)
{
    uint32_t now = entry_lru_clock(now_ms);
    if (now >= e->lru)
        return (uint64_t)(now - e->lru) * 1000;
    return (uint64_t)(now + (ENTRY_LRU_MAX - e->lru)) * 1000;
}

size_t entry_mem(const entry_t *e)
{
    size_t m = malloc_usable_size((void *)e);
    if (!entry_is_str(e))
        m += value_mem(e->otype, e->type, e->v.obj);
    else if (e->type == ENTRY_RAW)
        m += malloc_usable_size(e->v.raw);
    return m;
}

void entry_free(entry_t *e)
{
    if (!e)
        return;
    if (!entry_is_str(e))
        value_free(e->otype, e->type, e->v.obj);
    else
        drop_raw(e);
    free(e);
}
