/*
 * ql.c - quicklist operations, iterators and validation (see ql.h), on
 * top of the node engine in ql_node.c.
 *
 * Concurrency: none; one thread owns a quicklist.
 */
#include "store/enc/ql.h"

#include <errno.h>
#include <liblzf/lzf.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/num.h"
#include "store/enc/lp.h"
#include "store/enc/ql_node.h"

/* ---- whole list ---- */

ql_t *ql_new(int fill, int depth)
{
    ql_t *ql = calloc(1, sizeof *ql);

    if (!ql)
        return NULL;
    ql->fill = fill > QN_FILL_MAX ? QN_FILL_MAX : fill < -5 ? -5 : fill;
    ql->depth = depth < 0 ? 0 : depth > QN_DEPTH_MAX ? QN_DEPTH_MAX : depth;
    ql->mem = qn_usable(ql);
    return ql;
}

void ql_free(ql_t *ql)
{
    size_t all = SIZE_MAX;

    if (ql)
        ql_free_step(ql, &all);
}

bool ql_free_step(ql_t *ql, size_t *budget)
{
    for (; ql->head && *budget > 0; (*budget)--)
        qn_drop(ql, ql->head);
    if (ql->head)
        return false;
    free(ql);
    return true;
}

static void move_tail(ql_t *dst, ql_t *src, ql_node_t *n)
{
    size_t m = qn_usable(n) + qn_usable(n->buf);

    qn_unlink(src, n);
    src->mem -= m;
    src->count -= n->count;
    dst->mem += m;
    dst->count += n->count;
    qn_link_after(dst, dst->tail, n);
    qn_comp_fix(dst, n);
}

int ql_append_lp(ql_t *ql, unsigned char *lp)
{
    unsigned long c = lp_count(lp);
    ql_node_t *n;
    ql_t *tmp;

    qn_settle(ql);
    if (qn_fits(ql, lp_bytes(lp), c)) {
        if (c == 0) {
            lp_free(lp);
            return 0;
        }
        if (!(n = qn_new(ql, lp)))
            return -ENOMEM;
        qn_link_after(ql, ql->tail, n);
        qn_comp_fix(ql, n);
        return 0;
    }
    /* Too big for one node: rebuild aside, so failing leaves ql alone. */
    if (!(tmp = ql_new(ql->fill, 0)))
        return -ENOMEM;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        char buf[NUM_LL_BUF];
        size_t l;
        const unsigned char *d = lp_get_str(p, buf, &l);
        if (ql_push(tmp, (const char *)d, l, false)) {
            ql_free(tmp);
            return -ENOMEM;
        }
    }
    while (tmp->head)
        move_tail(ql, tmp, tmp->head);
    ql_free(tmp);
    lp_free(lp);
    return 0;
}

ql_t *ql_from_lp(unsigned char *lp, int fill, int depth)
{
    ql_t *ql = ql_new(fill, depth);

    if (ql && ql_append_lp(ql, lp)) {
        ql_free(ql);
        return NULL;
    }
    return ql;
}

unsigned char *ql_to_lp(ql_t *ql)
{
    ql_node_t *n = ql->head;
    unsigned char *lp;

    qn_settle(ql);
    if (!n)
        return lp_new(0);
    if (n->next || qn_unpack(ql, n))
        return NULL;
    lp = n->buf;
    ql->mem -= qn_usable(lp); /* the caller's now: qn_drop must not count it */
    n->buf = NULL;
    qn_drop(ql, n);
    return lp;
}

size_t ql_count(const ql_t *ql) { return ql->count; }
size_t ql_nodes(const ql_t *ql) { return ql->len; }
size_t ql_mem(const ql_t *ql) { return ql->mem; }
int ql_fill(const ql_t *ql) { return ql->fill; }
int ql_depth(const ql_t *ql) { return ql->depth; }

/* ---- element operations ---- */

int ql_push(ql_t *ql, const char *s, size_t len, bool head)
{
    ql_node_t *x, *n;

    qn_settle(ql);
    x = head ? ql->head : ql->tail;
    if (x && qn_fits_one_more(ql, x, len))
        return qn_edge_push(ql, x, head, s, len, NULL);
    if (!(n = qn_with(ql, s, len)))
        return -ENOMEM;
    qn_link_after(ql, head ? NULL : ql->tail, n);
    qn_comp_fix(ql, n);
    return 0;
}

int ql_pop(ql_t *ql, bool head, ql_take_fn fn, void *arg)
{
    ql_node_t *n;
    unsigned char *p;
    ql_entry_t e;
    size_t before;
    int rc;

    qn_settle(ql);
    if (!(n = head ? ql->head : ql->tail))
        return 0;
    if ((rc = qn_unpack(ql, n)))
        return rc;
    p = head ? lp_first(n->buf) : lp_last(n->buf);
    qn_entry(p, &e);
    if (fn && (rc = fn(arg, &e)) < 0)
        return rc;
    if (n->count == 1) {
        qn_drop(ql, n);
    } else {
        before = qn_usable(n->buf);
        qn_set(ql, n, lp_delete(n->buf, p, NULL), before);
        qn_merge(ql, head ? n : n->prev, head ? n->next : n, NULL);
    }
    qn_comp_fix(ql, head ? ql->head : ql->tail);
    return 1;
}

int ql_index(ql_t *ql, long index, ql_entry_t *out)
{
    qn_pos_t pos;
    int rc;

    qn_settle(ql);
    if (!qn_locate(ql, index, &pos))
        return 0;
    if ((rc = qn_touch(ql, pos.n)))
        return rc;
    qn_entry(lp_seek(pos.n->buf, pos.off), out);
    return 1;
}

int ql_replace_at(ql_t *ql, long index, const char *s, size_t len)
{
    qn_pos_t pos, out;

    qn_settle(ql);
    if (!qn_locate(ql, index, &pos))
        return -ERANGE;
    return qn_place(ql, pos.n, pos.off, s, len, true, &out);
}

/* The node holding the last of n elements from (x, off), and whether
 * it keeps some elements. */
static ql_node_t *range_end(ql_node_t *x, long off, long n, bool *partial)
{
    for (;; x = x->next, off = 0) {
        long take = (long)x->count - off;
        if (n <= take) {
            *partial = off + n < (long)x->count;
            return x;
        }
        n -= take;
    }
}

long ql_del_range(ql_t *ql, long start, long count)
{
    qn_pos_t a;
    ql_node_t *x, *next, *pre, *post, *last;
    long idx, left, total;
    bool partial;

    qn_settle(ql);
    if (count <= 0 || !qn_locate(ql, start, &a))
        return 0;
    idx = start < 0 ? start + (long)ql->count : start;
    total = left = count < (long)ql->count - idx ? count : (long)ql->count - idx;
    /* Decompress the nodes cut partway first: then nothing fails midway. */
    last = range_end(a.n, a.off, left, &partial);
    if ((a.off > 0 || left < (long)a.n->count) && qn_unpack(ql, a.n))
        return -ENOMEM;
    if (last != a.n && partial && qn_unpack(ql, last)) {
        qn_comp_fix(ql, a.n);
        return -ENOMEM;
    }
    pre = a.off > 0 ? a.n : a.n->prev;
    for (x = a.n; left > 0; x = next, a.off = 0) {
        long take = (long)x->count - a.off < left ? (long)x->count - a.off : left;
        next = x->next;
        if (take == (long)x->count)
            qn_drop(ql, x);
        else
            qn_trim(ql, x, a.off, take);
        left -= take;
    }
    post = pre ? pre->next : ql->head;
    if ((x = post ? post : pre) && (next = x->prev) && qn_merge(ql, next, x, NULL))
        x = next;
    if (x)
        qn_merge(ql, x, x->next, NULL);
    qn_comp_fix(ql, x ? x : ql->head);
    return total;
}

bool ql_entry_eq(const ql_entry_t *e, const char *s, size_t len)
{
    long long v;

    if (e->s)
        return e->len == len && (len == 0 || memcmp(e->s, s, len) == 0);
    return num_parse_ll(s, len, &v) && v == e->ival;
}

/* ---- iterators ---- */

void ql_iter_init(ql_iter_t *it, ql_t *ql, long start, bool forward)
{
    qn_pos_t pos;

    qn_settle(ql);
    memset(it, 0, sizeof *it);
    it->ql = ql;
    it->fwd = forward;
    it->pending = true;
    if (qn_locate(ql, start, &pos)) {
        it->node = pos.n;
        it->off = pos.off;
    }
}

/* Move past the current element; p stays usable within the same node. */
static void step(ql_iter_t *it)
{
    ql_node_t *n = it->node;
    bool valid = it->p && it->buf == n->buf;

    if (it->fwd && ++it->off < (long)n->count) {
        it->p = valid ? lp_next(n->buf, it->p) : NULL;
    } else if (!it->fwd && --it->off >= 0) {
        it->p = valid ? lp_prev(n->buf, it->p) : NULL;
    } else {
        it->node = it->fwd ? n->next : n->prev;
        it->off = it->fwd || !it->node ? 0 : (long)it->node->count - 1;
        it->p = NULL;
    }
    it->pending = true;
}

int ql_iter_next(ql_iter_t *it, ql_entry_t *e)
{
    ql_t *ql = it->ql;
    ql_node_t *n;
    int rc;

    if (!it->pending && it->node)
        step(it);
    if (!(n = it->node))
        return 0;
    if (ql->loose && ql->loose != n)
        qn_settle(ql);
    if ((rc = qn_touch(ql, n)))
        return rc;
    if (!it->p || it->buf != n->buf) {
        it->p = lp_seek(n->buf, it->off);
        it->buf = n->buf;
    }
    qn_entry(it->p, e);
    it->pending = false;
    return 1;
}

void ql_iter_done(ql_iter_t *it)
{
    qn_settle(it->ql);
    it->node = NULL;
}

/* Where iteration resumes after deleting element off of n (n already
 * has one element less, or is about to be dropped if empty). */
static qn_pos_t after_delete(const ql_iter_t *it, ql_node_t *n, long off)
{
    ql_node_t *pv = n->prev;

    if (it->fwd)
        return off < (long)n->count ? (qn_pos_t){n, off} : (qn_pos_t){n->next, 0};
    if (off > 0)
        return (qn_pos_t){n, off - 1};
    return (qn_pos_t){pv, pv ? (long)pv->count - 1 : 0};
}

int ql_iter_delete(ql_iter_t *it)
{
    ql_t *ql = it->ql;
    ql_node_t *n = it->node, *pv, *keep;
    size_t before;
    qn_pos_t nx;
    int rc;

    if (!n || it->pending)
        return -EINVAL;
    if ((rc = qn_unpack(ql, n)))
        return rc;
    if (!it->p || it->buf != n->buf)
        it->p = lp_seek(n->buf, it->off);
    before = qn_usable(n->buf);
    qn_set(ql, n, lp_delete(n->buf, it->p, NULL), before);
    nx = after_delete(it, n, it->off);
    pv = keep = n->prev;
    if (n->count == 0) {
        qn_drop(ql, n);
        qn_merge(ql, pv, pv ? pv->next : NULL, &nx);
    } else if (!qn_merge(ql, pv, n, &nx)) {
        qn_merge(ql, n, n->next, &nx);
        keep = n;
    }
    qn_comp_fix(ql, keep ? keep : ql->head);
    *it = (ql_iter_t){.ql = ql, .node = nx.n, .off = nx.off, .fwd = it->fwd, .pending = true};
    return 0;
}

static int iter_place(ql_iter_t *it, const char *s, size_t len, long delta, bool replace)
{
    qn_pos_t out;
    int rc;

    if (!it->node || it->pending)
        return -EINVAL;
    if ((rc = qn_place(it->ql, it->node, it->off + delta, s, len, replace, &out)))
        return rc;
    it->node = out.n;
    it->off = out.off;
    it->p = NULL;
    return 0;
}

int ql_iter_replace(ql_iter_t *it, const char *s, size_t len)
{
    return iter_place(it, s, len, 0, true);
}

int ql_iter_insert(ql_iter_t *it, const char *s, size_t len, bool after)
{
    return iter_place(it, s, len, after, false);
}

/* ---- validation ---- */

/* One node: its listpack (decompressed if needed) is valid and matches
 * the cached size and count, and it respects the fill rule. */
static bool node_ok(const ql_t *ql, const ql_node_t *n)
{
    const qn_zblob_t *z = (const qn_zblob_t *)n->buf;
    unsigned char *tmp = NULL;
    const unsigned char *lp = n->buf;
    bool ok;

    if (n->count == 0 || !n->buf)
        return false;
    if (n->packed) {
        if (n == ql->loose || z->csz + QN_MIN_IMPROVE >= n->sz || !(tmp = malloc(n->sz)))
            return false;
        if (lzf_decompress(z->data, z->csz, tmp, (unsigned)n->sz) != n->sz) {
            free(tmp);
            return false;
        }
        lp = tmp;
    }
    ok = lp_validate(lp, n->sz, true) && lp_count(lp) == n->count && qn_fits(ql, n->sz, n->count);
    free(tmp);
    return ok;
}

/* Node i of len: raw within depth of either end, compressed inside
 * unless it is the loose one, too small, or incompressible. */
static bool comp_ok(const ql_t *ql, const ql_node_t *n, size_t i)
{
    size_t d = (size_t)ql->depth;

    if (d == 0 || i < d || i >= ql->len - d)
        return !n->packed;
    return n->packed || n == ql->loose || n->tried || n->sz < QN_MIN_COMPRESS;
}

bool ql_validate(const ql_t *ql, unsigned flags)
{
    const ql_node_t *prev = NULL, *n;
    size_t len = 0, count = 0, mem = qn_usable(ql);
    bool loose_seen = false;

    for (n = ql->head; n; prev = n, n = n->next, len++) {
        if (len == ql->len || n->prev != prev || !node_ok(ql, n))
            return false;
        if ((flags & QL_CHECK_COMPRESSION) && !comp_ok(ql, n, len))
            return false;
        count += n->count;
        mem += qn_usable(n) + qn_usable(n->buf);
        loose_seen |= n == ql->loose;
    }
    return prev == ql->tail && len == ql->len && count == ql->count && mem == ql->mem
           && (ql->loose == NULL || loose_seen);
}
