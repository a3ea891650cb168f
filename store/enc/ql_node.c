/*
 * ql_node.c - the quicklist's node engine (see ql_node.h): nodes, links,
 * fill rule, LZF compression, and placing, splitting and merging.
 *
 * Concurrency: none; one thread owns a quicklist.
 */
#include "store/enc/ql_node.h"

#include <errno.h>
#include <liblzf/lzf.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "store/enc/lp.h"

static const size_t fill_bytes[] = {4096, 8192, 16384, 32768, 65536};

size_t qn_usable(const void *p) { return p ? malloc_usable_size((void *)p) : 0; }

bool qn_fits(const ql_t *ql, size_t sz, size_t count)
{
    if (count <= 1)
        return true;
    if (ql->fill < 0)
        return sz <= fill_bytes[-ql->fill - 1];
    return count <= (size_t)ql->fill && sz <= QN_SAFETY_BYTES;
}

/* ---- nodes and links ---- */

ql_node_t *qn_new(ql_t *ql, unsigned char *lp)
{
    ql_node_t *n = calloc(1, sizeof *n);

    if (!n)
        return NULL;
    n->buf = lp;
    n->sz = lp_bytes(lp);
    n->count = (uint32_t)lp_count(lp);
    ql->mem += qn_usable(n) + qn_usable(lp);
    ql->count += n->count;
    return n;
}

ql_node_t *qn_with(ql_t *ql, const char *s, size_t len)
{
    unsigned char *lp = lp_new(LP_HDR_SIZE + 1 + lp_entry_size(s, len)), *l2;
    ql_node_t *n;

    if (!lp)
        return NULL;
    if (!(l2 = lp_append(lp, s, len))) {
        lp_free(lp);
        return NULL;
    }
    if (!(n = qn_new(ql, l2)))
        lp_free(l2);
    return n;
}

/* n is unlinked (or never was). */
static void node_free(ql_t *ql, ql_node_t *n)
{
    ql->mem -= qn_usable(n) + qn_usable(n->buf);
    ql->count -= n->count;
    if (ql->loose == n)
        ql->loose = NULL;
    free(n->buf);
    free(n);
}

void qn_set(ql_t *ql, ql_node_t *n, unsigned char *lp, size_t old_usable)
{
    uint32_t c = (uint32_t)lp_count(lp);

    ql->mem = ql->mem - old_usable + qn_usable(lp);
    ql->count = ql->count - n->count + c;
    n->buf = lp;
    n->sz = lp_bytes(lp);
    n->count = c;
    n->tried = false;
}

void qn_trim(ql_t *ql, ql_node_t *n, long start, long cnt)
{
    size_t before = qn_usable(n->buf);

    if (cnt > 0)
        qn_set(ql, n, lp_delete_range(n->buf, start, (unsigned long)cnt), before);
}

void qn_link_after(ql_t *ql, ql_node_t *at, ql_node_t *n)
{
    n->prev = at;
    n->next = at ? at->next : ql->head;
    if (n->next)
        n->next->prev = n;
    else
        ql->tail = n;
    if (at)
        at->next = n;
    else
        ql->head = n;
    ql->len++;
}

void qn_unlink(ql_t *ql, ql_node_t *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        ql->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        ql->tail = n->prev;
    ql->len--;
}

void qn_drop(ql_t *ql, ql_node_t *n)
{
    qn_unlink(ql, n);
    node_free(ql, n);
}

/* ---- compression ---- */

/* Best effort: out of memory or incompressible (then not retried until
 * the content changes) leaves n raw. */
static void pack(ql_t *ql, ql_node_t *n)
{
    qn_zblob_t *z, *z2;
    unsigned csz;

    if (!n || n->packed || n->tried || n == ql->loose || n->sz < QN_MIN_COMPRESS)
        return;
    if (!(z = malloc(sizeof *z + n->sz)))
        return;
    csz = lzf_compress(n->buf, (unsigned)n->sz, z->data, (unsigned)n->sz);
    if (csz == 0 || csz + QN_MIN_IMPROVE >= n->sz) {
        free(z);
        n->tried = true;
        return;
    }
    if ((z2 = realloc(z, sizeof *z + csz)))
        z = z2;
    z->csz = csz;
    ql->mem = ql->mem - qn_usable(n->buf) + qn_usable(z);
    free(n->buf);
    n->buf = (unsigned char *)z;
    n->packed = true;
}

int qn_unpack(ql_t *ql, ql_node_t *n)
{
    qn_zblob_t *z = (qn_zblob_t *)n->buf;
    unsigned char *lp;

    if (!n->packed)
        return 0;
    if (!(lp = malloc(n->sz)))
        return -ENOMEM;
    if (lzf_decompress(z->data, z->csz, lp, (unsigned)n->sz) != n->sz) {
        free(lp);
        return -EINVAL;
    }
    ql->mem = ql->mem - qn_usable(z) + qn_usable(lp);
    free(z);
    n->buf = lp;
    n->packed = false;
    return 0;
}

/* Keep the depth nodes at each end raw. Compress n and its neighbours if
 * inner (the nodes an edit touched), and the two nodes just inside each
 * end's window, where nodes land when it moves (a push adds one node
 * there, a split two). Best effort: failures leave nodes as they are. */
void qn_comp_fix(ql_t *ql, ql_node_t *n)
{
    ql_node_t *c[3] = {n, n ? n->prev : NULL, n ? n->next : NULL};
    ql_node_t *f = ql->head, *r = ql->tail;
    int d = ql->depth;

    if (d == 0)
        return;
    if (ql->len <= 2 * (size_t)d) {
        for (; f; f = f->next)
            qn_unpack(ql, f);
        return;
    }
    for (int i = 0; i < d; i++, f = f->next, r = r->prev) {
        qn_unpack(ql, f);
        qn_unpack(ql, r);
        for (int k = 0; k < 3; k++)
            if (c[k] == f || c[k] == r)
                c[k] = NULL;
    }
    pack(ql, f);
    pack(ql, r);
    if (f != r) {
        pack(ql, f->next);
        pack(ql, r->prev);
    }
    for (int k = 0; k < 3; k++)
        pack(ql, c[k]);
}

void qn_settle(ql_t *ql)
{
    ql_node_t *n = ql->loose;

    if (n) {
        ql->loose = NULL;
        qn_comp_fix(ql, n);
    }
}

int qn_touch(ql_t *ql, ql_node_t *n)
{
    int rc;

    if (!n->packed)
        return 0;
    qn_settle(ql);
    if (!n->packed)
        return 0;
    if ((rc = qn_unpack(ql, n)))
        return rc;
    ql->loose = n;
    return 0;
}

/* ---- positions, merging, inserting ---- */

bool qn_locate(const ql_t *ql, long index, qn_pos_t *pos)
{
    long n = (long)ql->count;
    ql_node_t *x;

    if (index < 0)
        index += n;
    if (index < 0 || index >= n)
        return false;
    if (index < n / 2) {
        for (x = ql->head; index >= (long)x->count; x = x->next)
            index -= x->count;
        *pos = (qn_pos_t){x, index};
    } else {
        long r = n - 1 - index;
        for (x = ql->tail; r >= (long)x->count; x = x->prev)
            r -= x->count;
        *pos = (qn_pos_t){x, (long)x->count - 1 - r};
    }
    return true;
}

void qn_entry(const unsigned char *p, ql_entry_t *e)
{
    uint32_t sl = 0;

    e->s = lp_get(p, &sl, &e->ival);
    e->len = e->s ? sl : 0;
}

bool qn_merge(ql_t *ql, ql_node_t *a, ql_node_t *b, qn_pos_t *pos)
{
    unsigned char *lp;
    size_t before;
    long ac;

    if (!a || !b)
        return false;
    if (!qn_fits(ql, a->sz + b->sz - LP_HDR_SIZE - 1, (size_t)a->count + b->count))
        return false;
    if (qn_unpack(ql, a) || qn_unpack(ql, b))
        return false;
    before = qn_usable(a->buf);
    ac = a->count;
    if (!(lp = lp_concat(a->buf, b->buf)))
        return false;
    qn_set(ql, a, lp, before);
    if (pos && pos->n == b)
        *pos = (qn_pos_t){a, pos->off + ac};
    if (ql->loose == b)
        ql->loose = a;
    qn_drop(ql, b);
    return true;
}

int qn_edge_push(ql_t *ql, ql_node_t *m, bool head, const char *s, size_t len, qn_pos_t *out)
{
    unsigned char *lp;
    size_t before;
    int rc;

    if ((rc = qn_unpack(ql, m)))
        return rc;
    before = qn_usable(m->buf);
    lp = head ? lp_prepend(m->buf, s, len) : lp_append(m->buf, s, len);
    if (lp) {
        qn_set(ql, m, lp, before);
        if (out)
            *out = (qn_pos_t){m, head ? 0 : (long)m->count - 1};
    }
    qn_comp_fix(ql, m);
    return lp ? 0 : -ENOMEM;
}

/* Full node n: elements [lo, hi) of n make way for a node holding only
 * s; what follows them moves to a third node. Allocates everything
 * before changing anything, then merges what fits. */
static int split_place(ql_t *ql, ql_node_t *n, long lo, long hi, const char *s, size_t len,
                       qn_pos_t *out)
{
    long cnt = n->count;
    ql_node_t *mid = qn_with(ql, s, len), *right = NULL, *x;
    unsigned char *c = NULL;

    if (!mid)
        return -ENOMEM;
    if (lo > 0 && hi < cnt) {
        if (!(c = lp_dup(n->buf)) || !(right = qn_new(ql, c))) {
            free(c);
            node_free(ql, mid);
            return -ENOMEM;
        }
        qn_trim(ql, right, 0, hi);
    }
    if (lo == 0) {
        qn_trim(ql, n, 0, hi);
        qn_link_after(ql, n->prev, mid);
    } else {
        qn_trim(ql, n, lo, cnt - lo);
        qn_link_after(ql, n, mid);
        if (right)
            qn_link_after(ql, mid, right);
    }
    *out = (qn_pos_t){mid, 0};
    qn_merge(ql, mid->prev, mid, out);
    x = out->n;
    qn_merge(ql, x, x->next, out);
    qn_comp_fix(ql, out->n);
    return 0;
}

int qn_place(ql_t *ql, ql_node_t *n, long off, const char *s, size_t len, bool replace,
             qn_pos_t *out)
{
    size_t esz = lp_entry_size(s, len), old = 0, before;
    unsigned char *p, *q, *lp;
    int rc;

    if ((rc = qn_unpack(ql, n)))
        return rc;
    p = lp_seek(n->buf, off);
    if (replace) {
        q = lp_next(n->buf, p);
        old = (size_t)((q ? q : n->buf + n->sz - 1) - p);
    }
    if (replace ? qn_fits(ql, n->sz - old + esz, n->count) : qn_fits_one_more(ql, n, len)) {
        before = qn_usable(n->buf);
        lp = lp_insert(n->buf, p ? p : n->buf + n->sz - 1, s, len,
                       replace ? LP_REPLACE : LP_BEFORE, NULL);
        if (lp) {
            qn_set(ql, n, lp, before);
            *out = (qn_pos_t){n, off};
        }
        qn_comp_fix(ql, n);
        return lp ? 0 : -ENOMEM;
    }
    if (!replace && off == 0 && n->prev && qn_fits_one_more(ql, n->prev, len))
        rc = qn_edge_push(ql, n->prev, false, s, len, out);
    else if (!replace && off == (long)n->count && n->next
             && qn_fits_one_more(ql, n->next, len))
        rc = qn_edge_push(ql, n->next, true, s, len, out);
    else
        return split_place(ql, n, off, off + replace, s, len, out);
    qn_comp_fix(ql, n);
    return rc;
}
