/*
 * zs_tree_del.c - the order-statistic B+tree of a big sorted set (see
 * zs_tree.h): removal of rank ranges with merging and borrowing so the
 * fill rules hold afterwards, bounded-step freeing, and the full check.
 *
 * Concurrency: none; the owning thread only.
 */
#include "store/enc/zs_tree.h"

#include <malloc.h>
#include <math.h>
#include <stdlib.h>

/* ---- slots ---- */

static void move_slots(zt_inner_t *dst, unsigned di, zt_inner_t *src, unsigned si, unsigned k)
{
    memmove(&dst->key[di], &src->key[si], k * sizeof dst->key[0]);
    memmove(&dst->kn[di], &src->kn[si], k * sizeof dst->kn[0]);
    memmove(&dst->cnt[di], &src->cnt[si], k * sizeof dst->cnt[0]);
    memmove(&dst->child[di], &src->child[si], k * sizeof dst->child[0]);
}

static void drop_slot(zt_inner_t *x, unsigned j)
{
    move_slots(x, j, x, j + 1, x->n - j - 1);
    x->n--;
}

static size_t inner_sum(const zt_inner_t *x)
{
    size_t r = 0;
    for (unsigned j = 0; j < x->n; j++)
        r += x->cnt[j];
    return r;
}

static void free_leaf(zt_t *t, zt_leaf_t *lf)
{
    if (lf->prev)
        lf->prev->next = lf->next;
    if (lf->next)
        lf->next->prev = lf->prev;
    t->mem -= malloc_usable_size(lf);
    free(lf);
}

static void free_inner(zt_t *t, zt_inner_t *x)
{
    t->mem -= malloc_usable_size(x);
    free(x);
}

/* ---- rebalancing ---- */

/* Inner node p->in[d] lost a slot: merge it with a sibling or borrow
 * from one if under the minimum, collapse a root of one child, and
 * refresh the separators above. */
static void fix_inner(zt_t *t, zt_path_t *p, int d)
{
    zt_inner_t *x = p->in[d];
    if (d == 0) {
        if (x->n == 1) {
            t->root = x->child[0];
            t->height--;
            free_inner(t, x);
        }
        return;
    }
    if (x->n >= t->icap / 2) {
        zt_fix_min(t, p, d - 1);
        return;
    }
    zt_inner_t *up = p->in[d - 1];
    unsigned li = p->idx[d - 1] ? p->idx[d - 1] - 1 : 0;
    zt_inner_t *l = up->child[li], *r = up->child[li + 1];
    p->idx[d - 1] = li;
    if (l->n + r->n <= t->icap) {
        move_slots(l, l->n, r, 0, r->n);
        l->n += r->n;
        up->cnt[li] += up->cnt[li + 1];
        drop_slot(up, li + 1);
        free_inner(t, r);
        zt_set_sep(t, up, (unsigned)d - 1, li);
        fix_inner(t, p, d - 1);
        return;
    }
    unsigned a = (l->n + r->n) / 2;
    if (l->n > a) {
        unsigned k = l->n - a;
        move_slots(r, k, r, 0, r->n);
        move_slots(r, 0, l, a, k);
        r->n += k;
        l->n = a;
    } else {
        unsigned k = a - l->n;
        move_slots(l, l->n, r, 0, k);
        move_slots(r, 0, r, k, r->n - k);
        r->n -= k;
        l->n = a;
    }
    up->cnt[li] = inner_sum(l);
    up->cnt[li + 1] = inner_sum(r);
    zt_set_sep(t, up, (unsigned)d - 1, li + 1);
    zt_fix_min(t, p, d - 1);
}

/* Leaf p->leaf lost members from p->pos on: free it if empty, merge or
 * borrow if an inner leaf fell under the minimum, refresh separators. */
static void fix_leaf(zt_t *t, zt_path_t *p)
{
    zt_leaf_t *lf = p->leaf;
    int h = (int)t->height;
    if (h == 0) {
        if (lf->n == 0) {
            free_leaf(t, lf);
            t->root = NULL;
        }
        return;
    }
    zt_inner_t *up = p->in[h - 1];
    if (lf->n == 0) {
        drop_slot(up, p->idx[h - 1]);
        free_leaf(t, lf);
        fix_inner(t, p, h - 1);
        return;
    }
    if (lf->n >= t->lcap / 2 || !lf->prev || !lf->next) {
        if (p->pos == 0)
            zt_fix_min(t, p, h - 1);
        return;
    }
    unsigned li = p->idx[h - 1] ? p->idx[h - 1] - 1 : 0;
    zt_leaf_t *l = up->child[li], *r = up->child[li + 1];
    p->idx[h - 1] = li;
    if (l->n + r->n <= t->lcap) {
        memcpy(&l->e[l->n], r->e, r->n * sizeof r->e[0]);
        l->n += r->n;
        up->cnt[li] = l->n;
        drop_slot(up, li + 1);
        free_leaf(t, r);
        zt_set_sep(t, up, (unsigned)h - 1, li);
        fix_inner(t, p, h - 1);
        return;
    }
    unsigned a = (l->n + r->n) / 2;
    if (l->n > a) {
        unsigned k = l->n - a;
        memmove(&r->e[k], r->e, r->n * sizeof r->e[0]);
        memcpy(r->e, &l->e[a], k * sizeof r->e[0]);
        r->n += k;
        l->n = a;
    } else {
        unsigned k = a - l->n;
        memcpy(&l->e[l->n], r->e, k * sizeof r->e[0]);
        memmove(r->e, &r->e[k], (r->n - k) * sizeof r->e[0]);
        r->n -= k;
        l->n = a;
    }
    up->cnt[li] = l->n;
    up->cnt[li + 1] = r->n;
    zt_set_sep(t, up, (unsigned)h - 1, li + 1);
    zt_fix_min(t, p, h - 1);
}

void zt_remove(zt_t *t, size_t start, size_t count, zt_drop_fn fn, void *arg)
{
    while (count) {
        zt_path_t p;
        zt_seek(t, start, &p);
        zt_leaf_t *lf = p.leaf;
        unsigned k = lf->n - p.pos;
        if (k > count)
            k = (unsigned)count;
        if (fn)
            for (unsigned j = 0; j < k; j++)
                fn(arg, lf->e[p.pos + j]);
        memmove(&lf->e[p.pos], &lf->e[p.pos + k], (lf->n - p.pos - k) * sizeof lf->e[0]);
        lf->n -= k;
        for (unsigned d = 0; d < t->height; d++)
            p.in[d]->cnt[p.idx[d]] -= k;
        t->len -= k;
        count -= k;
        fix_leaf(t, &p);
    }
}

/* ---- freeing ---- */

bool zt_free_step(zt_t *t, size_t *budget, zt_drop_fn fn, void *arg)
{
    /* Take the tree apart from its last leaf: drop members from the end
     * of it (unless fn is NULL), then free it, then any inner node left
     * without children.  Each unit of budget frees one thing; finding the
     * last leaf again is O(height). */
    while (t->root) {
        if (*budget == 0)
            return false;
        zt_inner_t *up = NULL;
        void *x = t->root;
        unsigned d = 0;
        while (d < t->height && ((zt_inner_t *)x)->n > 0) {
            up = x;
            x = up->child[up->n - 1];
            d++;
        }
        if (d == t->height && fn) {
            zt_leaf_t *lf = x;
            while (lf->n && *budget) {
                (*budget)--;
                fn(arg, lf->e[--lf->n]);
            }
            if (*budget == 0)
                return false;
        }
        (*budget)--;
        free(x);
        if (up)
            up->n--;
        else
            t->root = NULL;
    }
    t->height = 0;
    t->len = 0;
    t->mem = 0;
    return true;
}

/* ---- validation ---- */

struct vstate {
    const zt_t *t;
    const zt_leaf_t *last_leaf;     /* previous leaf in order */
    const zs_node_t *last;          /* previous member in order */
    size_t mem;
};

static bool ordered(const zs_node_t *a, const zs_node_t *b)
{
    if (zn_score(a) != zn_score(b))
        return zn_score(a) < zn_score(b);
    size_t al, bl;
    const unsigned char *am = zn_member(a, &al), *bm = zn_member(b, &bl);
    return zt_cmp_bytes(am, al, bm, bl) < 0;
}

/* Check the subtree x at depth d; its member count in *cnt and its
 * smallest member in *min. */
static bool check(struct vstate *v, const void *x, unsigned d, size_t *cnt,
                  const zs_node_t **min)
{
    const zt_t *t = v->t;
    v->mem += malloc_usable_size((void *)x);
    if (d == t->height) {
        const zt_leaf_t *lf = x;
        if (lf->n == 0 || lf->n > t->lcap || lf->prev != v->last_leaf)
            return false;
        if (v->last_leaf && v->last_leaf->next != lf)
            return false;
        if (d > 0 && lf->prev && lf->next && lf->n < t->lcap / 2)
            return false;
        for (unsigned i = 0; i < lf->n; i++) {
            if (!lf->e[i] || isnan(zn_score(lf->e[i])))
                return false;
            if (v->last && !ordered(v->last, lf->e[i]))
                return false;
            v->last = lf->e[i];
        }
        v->last_leaf = lf;
        *cnt = lf->n;
        *min = lf->e[0];
        return true;
    }
    const zt_inner_t *in = x;
    if (in->n > t->icap || in->n < (d == 0 ? 2 : t->icap / 2))
        return false;
    size_t total = 0;
    for (unsigned i = 0; i < in->n; i++) {
        size_t c = 0;
        const zs_node_t *m = NULL;  /* set by check() whenever it succeeds */
        if (!in->child[i] || !check(v, in->child[i], d + 1, &c, &m))
            return false;
        if (c != in->cnt[i] || m != in->kn[i] ||
            memcmp(&in->key[i], zn_score_at(m), sizeof(double)) != 0)
            return false;
        total += c;
        if (i == 0)
            *min = m;
    }
    *cnt = total;
    return true;
}

bool zt_validate(const zt_t *t)
{
    if (!t->root)
        return t->len == 0 && t->height == 0 && t->mem == 0;
    if (t->height >= ZT_MAX_HEIGHT)
        return false;
    struct vstate v = {t, NULL, NULL, 0};
    size_t cnt;
    const zs_node_t *min;
    if (!check(&v, t->root, 0, &cnt, &min))
        return false;
    return cnt == t->len && v.last_leaf && !v.last_leaf->next && v.mem == t->mem;
}
