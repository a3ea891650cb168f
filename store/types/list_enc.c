/*
 * list_enc.c - a list value over its two encodings (see list_enc.h): the
 * listpack half written here, the quicklist half handed to ql.h, and the
 * conversions between them.
 *
 * Concurrency: none; the shard's thread.
 */
#include "list_enc.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "store/db/value.h"
#include "store/enc/lp.h"

/* ---- limits ---- */

#define FILL_MAX 32767          /* Redis's quicklist FILL_MAX */
#define DEPTH_MAX 65535
#define SIZE_SAFETY 8192        /* node bytes under a positive fill */

/* list-max-listpack-size as a quicklist fill: Redis 7.0 takes any int
 * and clamps it to -5..32767. */
static int cfg_fill(const store_cfg_t *cfg)
{
    long long f = cfg->list_max_listpack_size;
    return f > FILL_MAX ? FILL_MAX : f < -5 ? -5 : (int)f;
}

static int cfg_depth(const store_cfg_t *cfg)
{
    long long d = cfg->list_compress_depth;
    return d < 0 ? 0 : d > DEPTH_MAX ? DEPTH_MAX : (int)d;
}

/* One node's limits under fill (Redis 7.2's quicklistNodeLimit, with the
 * 8 KiB safety size of a positive fill): bytes and elements. */
static void node_limits(int fill, size_t *bytes, size_t *count)
{
    if (fill >= 0) {
        *bytes = SIZE_SAFETY;
        *count = fill == 0 ? 1 : (size_t)fill;
    } else {
        *bytes = (size_t)4096 << (-fill - 1);
        *count = SIZE_MAX;
    }
}

/* ---- whole list ---- */

void *list_enc_new(void)
{
    return lp_new(0);
}

size_t list_enc_len(const entry_t *e)
{
    return e->type == ENC_LIST_QL ? ql_count(e->v.obj) : lp_count(e->v.obj);
}

const char *list_enc_str(const list_elem_t *x, char buf[NUM_LL_BUF], size_t *len)
{
    if (x->s) {
        *len = x->len;
        return (const char *)x->s;
    }
    *len = num_fmt_ll(buf, x->ival);
    return buf;
}

size_t list_enc_elem_size(const char *s, size_t len)
{
    return lp_entry_size(s, len);
}

int list_enc_grow(entry_t *e, const store_cfg_t *cfg, size_t add_bytes, size_t add_count)
{
    unsigned char *lp = e->v.obj;
    size_t bytes, count;
    ql_t *ql;

    if (e->type != ENC_LIST_LP)
        return 0;
    node_limits(cfg_fill(cfg), &bytes, &count);
    if (lp_bytes(lp) + add_bytes <= bytes && lp_count(lp) + add_count <= count)
        return 0;
    /* Within the old limit the listpack becomes the only node as it is. */
    if (!(ql = ql_from_lp(lp, cfg_fill(cfg), cfg_depth(cfg))))
        return -ENOMEM;
    e->v.obj = ql;
    e->type = ENC_LIST_QL;
    return 0;
}

void list_enc_shrink(entry_t *e, const store_cfg_t *cfg)
{
    ql_t *ql = e->v.obj;
    unsigned char *lp;
    size_t bytes, count;

    if (e->type != ENC_LIST_QL || ql_nodes(ql) > 1)
        return;
    node_limits(cfg_fill(cfg), &bytes, &count);
    /* ql_mem counts the node's buffer and the structs: an upper bound of
     * the listpack's bytes, so this never converts too early. */
    if (ql_count(ql) > count / 2 || ql_mem(ql) > bytes / 2)
        return;
    if (!(lp = ql_to_lp(ql)))
        return;
    ql_free(ql);
    e->v.obj = lp;
    e->type = ENC_LIST_LP;
}

/* ---- elements ---- */

static void lp_elem(const unsigned char *p, list_elem_t *x)
{
    uint32_t slen = 0;
    x->s = lp_get(p, &slen, &x->ival);
    x->len = x->s ? slen : 0;
}

int list_enc_push(entry_t *e, const char *s, size_t len, bool head)
{
    unsigned char *lp;

    if (e->type == ENC_LIST_QL)
        return ql_push(e->v.obj, s, len, head);
    lp = head ? lp_prepend(e->v.obj, s, len) : lp_append(e->v.obj, s, len);
    if (!lp)
        return -ENOMEM;
    e->v.obj = lp;
    return 0;
}

int list_enc_pop(entry_t *e, bool head, list_take_fn fn, void *arg)
{
    unsigned char *lp = e->v.obj, *p;
    list_elem_t x;
    int rc;

    if (e->type == ENC_LIST_QL)
        return ql_pop(e->v.obj, head, fn, arg);
    if (!(p = head ? lp_first(lp) : lp_last(lp)))
        return 0;
    lp_elem(p, &x);
    if (fn && (rc = fn(arg, &x)) < 0)
        return rc;
    e->v.obj = lp_delete(lp, p, NULL);
    return 1;
}

int list_enc_index(entry_t *e, long index, list_elem_t *out)
{
    unsigned char *p;

    if (e->type == ENC_LIST_QL)
        return ql_index(e->v.obj, index, out);
    if (!(p = lp_seek(e->v.obj, index)))
        return 0;
    lp_elem(p, out);
    return 1;
}

int list_enc_replace(entry_t *e, long index, const char *s, size_t len)
{
    unsigned char *lp = e->v.obj, *p;

    if (e->type == ENC_LIST_QL)
        return ql_replace_at(e->v.obj, index, s, len);
    if (!(p = lp_seek(lp, index)))
        return -ERANGE;
    if (!(lp = lp_insert(lp, p, s, len, LP_REPLACE, NULL)))
        return -ENOMEM;
    e->v.obj = lp;
    return 0;
}

long list_enc_del_range(entry_t *e, long start, long count)
{
    unsigned char *lp = e->v.obj;
    long n;

    if (e->type == ENC_LIST_QL)
        return ql_del_range(e->v.obj, start, count);
    n = (long)lp_count(lp);
    if (start < 0)
        start += n;
    if (count <= 0 || start < 0 || start >= n)
        return 0;
    if (count > n - start)
        count = n - start;
    e->v.obj = lp_delete_range(lp, start, (unsigned long)count);
    return count;
}

void list_enc_needle(list_needle_t *n, const char *s, size_t len)
{
    n->s = s;
    n->len = len;
    n->is_int = num_parse_ll(s, len, &n->ival);
}

/* ---- iteration ---- */

void list_enc_iter_init(list_iter_t *it, entry_t *e, long start, bool fwd)
{
    it->e = e;
    it->fwd = fwd;
    it->pending = true;
    it->p = NULL;
    if (e->type == ENC_LIST_QL)
        ql_iter_init(&it->qi, e->v.obj, start, fwd);
    else
        it->p = lp_seek(e->v.obj, start);
}

int list_enc_iter_next(list_iter_t *it, list_elem_t *x)
{
    unsigned char *lp = it->e->v.obj;

    if (it->e->type == ENC_LIST_QL)
        return ql_iter_next(&it->qi, x);
    if (!it->pending && it->p)
        it->p = it->fwd ? lp_next(lp, it->p) : lp_prev(lp, it->p);
    it->pending = false;
    if (!it->p)
        return 0;
    lp_elem(it->p, x);
    return 1;
}

int list_enc_iter_delete(list_iter_t *it)
{
    unsigned char *lp = it->e->v.obj, *next, *prev;
    size_t at = 0;

    if (it->e->type == ENC_LIST_QL)
        return ql_iter_delete(&it->qi);
    if (it->pending || !it->p)
        return -EINVAL;
    /* Deleting may move the listpack: keep the next one's offset. */
    prev = it->fwd ? NULL : lp_prev(lp, it->p);
    if (prev)
        at = (size_t)(prev - lp);
    lp = lp_delete(lp, it->p, &next);
    it->e->v.obj = lp;
    it->p = it->fwd ? next : prev ? lp + at : NULL;
    it->pending = true;
    return 0;
}

int list_enc_iter_insert(list_iter_t *it, const char *s, size_t len, bool after)
{
    unsigned char *lp;

    if (it->e->type == ENC_LIST_QL)
        return ql_iter_insert(&it->qi, s, len, after);
    if (it->pending || !it->p)
        return -EINVAL;
    lp = lp_insert(it->e->v.obj, it->p, s, len, after ? LP_AFTER : LP_BEFORE, &it->p);
    if (!lp)
        return -ENOMEM;
    it->e->v.obj = lp;
    return 0;
}

void list_enc_iter_done(list_iter_t *it)
{
    if (it->e->type == ENC_LIST_QL)
        ql_iter_done(&it->qi);
    it->p = NULL;
}
