/*
 * zs_tree.c - the order-statistic B+tree of a big sorted set (see
 * zs_tree.h): descents by key, score, member bytes and rank; insertion
 * with splits; moving a member to a new score.  Removal, rebalancing,
 * freeing and validation are in zs_tree_del.c.
 *
 * Concurrency: none; the owning thread only.
 */
#include "store/enc/zs_tree.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

/* What a descent compares: (score, member), the score alone, or the
 * member bytes alone (ZRANGEBYLEX over equal scores). */
enum mode { BY_KEY, BY_SCORE, BY_LEX };

/* Is the member (score s, node n) before the target k: below it, or (le)
 * at most it?  Members before the target form a prefix of the order. */
static inline bool before(enum mode mode, bool le, const zt_key_t *k,
                          double s, const zs_node_t *n)
{
    if (mode == BY_SCORE)
        return le ? s <= k->s : s < k->s;
    if (mode == BY_KEY && s != k->s)    /* -0.0 == 0.0: bytes decide */
        return s < k->s;
    size_t len;
    const unsigned char *m = zn_member(n, &len);
    int c = zt_cmp_bytes(m, len, k->m, k->len);
    return le ? c <= 0 : c < 0;
}

/* Last child of x whose separator is before k; 0 if none is. */
static inline unsigned pick(const zt_inner_t *x, enum mode mode, bool le,
                            const zt_key_t *k)
{
    unsigned lo = 1, hi = x->n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (before(mode, le, k, x->key[mid], x->kn[mid]))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

static inline size_t sum_before(const zt_inner_t *x, unsigned i)
{
    size_t r = 0;
    for (unsigned j = 0; j < i; j++)
        r += x->cnt[j];
    return r;
}

/* Fill p down to the leaf where the members before k end; p->pos is how
 * many of that leaf's are before k.  Returns how many members in all are
 * before k (the rank of the first one that is not).  Tree not empty. */
static size_t descend(const zt_t *t, enum mode mode, bool le, const zt_key_t *k,
                      zt_path_t *p)
{
    size_t r = 0;
    void *x = t->root;
    for (unsigned d = 0; d < t->height; d++) {
        zt_inner_t *in = x;
        unsigned i = pick(in, mode, le, k);
        r += sum_before(in, i);
        p->in[d] = in;
        p->idx[d] = i;
        x = in->child[i];
    }
    zt_leaf_t *lf = x;
    unsigned lo = 0, hi = lf->n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (before(mode, le, k, zn_score(lf->e[mid]), lf->e[mid]))
            lo = mid + 1;
        else
            hi = mid;
    }
    p->leaf = lf;
    p->pos = lo;
    return r + lo;
}

void zt_seek(const zt_t *t, size_t r, zt_path_t *p)
{
    void *x = t->root;
    for (unsigned d = 0; d < t->height; d++) {
        zt_inner_t *in = x;
        unsigned i = 0;
        while (r >= in->cnt[i])
            r -= in->cnt[i++];
        p->in[d] = in;
        p->idx[d] = i;
        x = in->child[i];
    }
    p->leaf = x;
    p->pos = (unsigned)r;
}

static zt_key_t node_key(const zs_node_t *n)
{
    zt_key_t k;
    k.s = zn_score(n);
    k.m = zn_member(n, &k.len);
    return k;
}

/* Path to member n: the separators lead to the leaf holding it, where it
 * is found by pointer (no member is read there).  Its rank, or len if n
 * is not in the tree. */
static size_t locate(const zt_t *t, const zs_node_t *n, zt_path_t *p)
{
    if (!t->root)
        return 0;
    zt_key_t k = node_key(n);
    size_t r = 0;
    void *x = t->root;
    for (unsigned d = 0; d < t->height; d++) {
        zt_inner_t *in = x;
        unsigned i = pick(in, BY_KEY, true, &k);
        r += sum_before(in, i);
        p->in[d] = in;
        p->idx[d] = i;
        x = in->child[i];
    }
    zt_leaf_t *lf = x;
    p->leaf = lf;
    for (unsigned i = 0; i < lf->n; i++) {
        if (lf->e[i] == n) {
            p->pos = i;
            return r + i;
        }
    }
    return t->len;
}

size_t zt_rank(const zt_t *t, const zs_node_t *n)
{
    zt_path_t p;
    return locate(t, n, &p);
}

zs_node_t *zt_at(const zt_t *t, size_t r)
{
    if (r >= t->len)
        return NULL;
    zt_path_t p;
    zt_seek(t, r, &p);
    return p.leaf->e[p.pos];
}

size_t zt_lower_score(const zt_t *t, double s, bool excl)
{
    if (!t->root)
        return 0;
    zt_key_t k = {s, NULL, 0};
    zt_path_t p;
    return descend(t, BY_SCORE, excl, &k, &p);
}

size_t zt_lower_lex(const zt_t *t, const unsigned char *m, size_t len, bool excl)
{
    if (!t->root)
        return 0;
    zt_key_t k = {0, m, len};
    zt_path_t p;
    return descend(t, BY_LEX, excl, &k, &p);
}

/* ---- insertion ---- */

/* Put child c (count cnt) at slot j of inner node x at depth d (room). */
static void inner_put(const zt_t *t, zt_inner_t *x, unsigned d, unsigned j,
                      void *c, size_t cnt)
{
    unsigned k = x->n - j;
    memmove(&x->key[j + 1], &x->key[j], k * sizeof x->key[0]);
    memmove(&x->kn[j + 1], &x->kn[j], k * sizeof x->kn[0]);
    memmove(&x->cnt[j + 1], &x->cnt[j], k * sizeof x->cnt[0]);
    memmove(&x->child[j + 1], &x->child[j], k * sizeof x->child[0]);
    x->child[j] = c;
    x->cnt[j] = cnt;
    x->n++;
    zt_set_sep(t, x, d, j);
}

/* Move slots [si, si + k) of src to dst at di (dst has room past di). */
static void move_slots(zt_inner_t *dst, unsigned di, zt_inner_t *src, unsigned si, unsigned k)
{
    memmove(&dst->key[di], &src->key[si], k * sizeof dst->key[0]);
    memmove(&dst->kn[di], &src->kn[si], k * sizeof dst->kn[0]);
    memmove(&dst->cnt[di], &src->cnt[si], k * sizeof dst->cnt[0]);
    memmove(&dst->child[di], &src->child[si], k * sizeof dst->child[0]);
}

static size_t inner_sum(const zt_inner_t *x)
{
    return sum_before(x, x->n);
}

static void leaf_put(zt_leaf_t *lf, unsigned pos, zs_node_t *n)
{
    memmove(&lf->e[pos + 1], &lf->e[pos], (lf->n - pos) * sizeof lf->e[0]);
    lf->e[pos] = n;
    lf->n++;
}

/* Split full leaf lf, inserting n at pos: lf keeps the first a of the
 * CAP + 1 members, nl (new, linked after lf) takes the rest. */
static void split_leaf(zt_t *t, zt_leaf_t *lf, zt_leaf_t *nl, unsigned pos, zs_node_t *n)
{
    const unsigned cap = t->lcap;
    unsigned a;
    if (!lf->next && pos == cap)
        a = cap;                /* appending at the end: keep lf full */
    else if (!lf->prev && pos == 0)
        a = 1;                  /* prepending at the start: likewise */
    else
        a = (cap + 1) / 2;
    unsigned from = pos < a ? a - 1 : a;
    nl->n = cap - from;
    memcpy(nl->e, &lf->e[from], nl->n * sizeof lf->e[0]);
    lf->n = from;
    if (pos < a)
        leaf_put(lf, pos, n);
    else
        leaf_put(nl, pos - a, n);
    nl->prev = lf;
    nl->next = lf->next;
    if (lf->next)
        lf->next->prev = nl;
    lf->next = nl;
    t->mem += malloc_usable_size(nl);
}

/* Split full inner node x (depth d), inserting child c (count cnt) at
 * slot j: x keeps the first half of the CAP + 1 slots, y the rest. */
static void split_inner(zt_t *t, zt_inner_t *x, zt_inner_t *y, unsigned d,
                        unsigned j, void *c, size_t cnt)
{
    const unsigned cap = t->icap, a = (cap + 1) / 2;
    unsigned from = j < a ? a - 1 : a;
    y->n = cap - from;
    move_slots(y, 0, x, from, y->n);
    x->n = from;
    if (j < a)
        inner_put(t, x, d, j, c, cnt);
    else
        inner_put(t, y, d, j - a, c, cnt);
    t->mem += malloc_usable_size(y);
}

int zt_insert(zt_t *t, zs_node_t *n, const zt_key_t *k, size_t *rank)
{
    if (!t->root) {
        zt_leaf_t *lf = malloc(sizeof *lf);
        if (!lf)
            return -ENOMEM;
        lf->prev = lf->next = NULL;
        lf->n = 1;
        lf->e[0] = n;
        t->root = lf;
        t->height = 0;
        t->len = 1;
        t->mem += malloc_usable_size(lf);
        *rank = 0;
        return 0;
    }
    zt_path_t p;
    *rank = descend(t, BY_KEY, false, k, &p);
    zt_leaf_t *lf = p.leaf;
    int h = (int)t->height, d;
    t->len++;
    if (lf->n < t->lcap) {
        leaf_put(lf, p.pos, n);
        for (d = 0; d < h; d++)
            p.in[d]->cnt[p.idx[d]]++;
        if (p.pos == 0)
            zt_fix_min(t, &p, h - 1);
        return 0;
    }

    /* Everything the splits need, before touching the tree: a leaf, a
     * sibling for each full inner node above it, a root if all are. */
    unsigned need = 0;
    for (d = h - 1; d >= 0 && p.in[d]->n == t->icap; d--)
        need++;
    if (d < 0)
        need++;
    zt_inner_t *spare[ZT_MAX_HEIGHT + 1];
    zt_leaf_t *nl = (unsigned)h + 1 < ZT_MAX_HEIGHT ? malloc(sizeof *nl) : NULL;
    for (unsigned i = 0; nl && i < need; i++) {
        if (!(spare[i] = malloc(sizeof(zt_inner_t)))) {
            while (i--)
                free(spare[i]);
            free(nl);
            nl = NULL;
        }
    }
    if (!nl) {
        t->len--;
        return -ENOMEM;
    }

    split_leaf(t, lf, nl, p.pos, n);
    /* Hand the new sibling up until a node has room for it. */
    void *sib = nl;
    size_t lcnt = lf->n, scnt = nl->n;
    unsigned used = 0;
    for (d = h - 1; d >= 0; d--) {
        zt_inner_t *x = p.in[d];
        unsigned i = p.idx[d];
        x->cnt[i] = lcnt;
        zt_set_sep(t, x, (unsigned)d, i);
        if (x->n < t->icap) {
            inner_put(t, x, (unsigned)d, i + 1, sib, scnt);
            break;
        }
        zt_inner_t *y = spare[used++];
        split_inner(t, x, y, (unsigned)d, i + 1, sib, scnt);
        lcnt = inner_sum(x);
        scnt = inner_sum(y);
        sib = y;
    }
    if (d < 0) {
        zt_inner_t *r = spare[used++];
        r->n = 0;
        t->height++;
        inner_put(t, r, 0, 0, t->root, lcnt);
        inner_put(t, r, 0, 1, sib, scnt);
        t->root = r;
        t->mem += malloc_usable_size(r);
        return 0;
    }
    for (int u = d - 1; u >= 0; u--)
        p.in[u]->cnt[p.idx[u]]++;
    if (p.idx[d] == 0)
        zt_fix_min(t, &p, d - 1);
    return 0;
}

/* ---- moving ---- */

static int cmp_node(const zs_node_t *n, const zt_key_t *k)
{
    if (zn_score(n) != k->s)
        return zn_score(n) < k->s ? -1 : 1;
    size_t len;
    const unsigned char *m = zn_member(n, &len);
    return zt_cmp_bytes(m, len, k->m, k->len);
}

int zt_move(zt_t *t, zs_node_t *n, double s)
{
    zt_path_t p;
    size_t r = locate(t, n, &p);
    zt_leaf_t *lf = p.leaf;
    zs_node_t *prev = p.pos ? lf->e[p.pos - 1] : lf->prev ? lf->prev->e[lf->prev->n - 1] : NULL;
    zs_node_t *next = p.pos + 1 < lf->n ? lf->e[p.pos + 1] : lf->next ? lf->next->e[0] : NULL;
    zt_key_t k = node_key(n);
    k.s = s;
    if ((!prev || cmp_node(prev, &k) < 0) && (!next || cmp_node(next, &k) > 0)) {
        zn_set_score(n, s);
        if (p.pos == 0)
            zt_fix_min(t, &p, (int)t->height - 1);
        return 0;
    }
    /* Insert n a second time at its new place (the descent compares k,
     * and reads n's old score only for its old place), then remove the
     * old place by rank. */
    size_t nr;
    int rc = zt_insert(t, n, &k, &nr);
    if (rc)
        return rc;
    zn_set_score(n, s);
    zt_seek(t, nr, &p);
    if (p.pos == 0)     /* separators of the new place copied the old score */
        zt_fix_min(t, &p, (int)t->height - 1);
    zt_remove(t, nr <= r ? r + 1 : r, 1, NULL, NULL);
    return 0;
}
