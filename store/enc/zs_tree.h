/*
 * zs_tree.h - private to store/enc/zs*.c: the member node of a big sorted
 * set and the order-statistic B+tree of node pointers that orders them
 * (zs_tree.c: search, insert, move; zs_tree_del.c: removal, rebalancing,
 * freeing, validation).  zs.c adds the member index and the public API.
 *
 * The tree:
 *  - leaves hold up to ZS_LEAF_CAP node pointers in (score, member) order
 *    and are linked both ways (iteration is O(1) per step);
 *  - inner nodes hold up to ZS_INNER_CAP children, each with the number
 *    of members below it and its smallest member as a separator (the node
 *    pointer and a copy of its score, so a descent by score reads no
 *    member node); a descent finds the last child whose separator is
 *    before the target, summing the counts to its left for the rank;
 *  - every leaf is at depth `height`; an inner node other than the root
 *    has at least icap / 2 children, the root at least 2; a leaf has at
 *    least lcap / 2 members unless it is the first or last leaf (those
 *    hold at least 1, so that appending ascending scores, or prepending
 *    descending ones, leaves full leaves behind, and popping from an end
 *    drains a leaf before touching its neighbour).
 * So height <= log(len / (lcap / 2)) / log(icap / 2) + 2 and all but two
 * leaves are at least half full.  lcap and icap are ZS_LEAF_CAP and
 * ZS_INNER_CAP, or smaller in tests (zs_new_fanout) to grow deep trees
 * from few members.
 *
 * Allocation happens only in zt_insert / zt_move, all of it before the
 * tree is touched: they fail with -ENOMEM and the tree unchanged.
 * Removal never allocates.
 *
 * Concurrency: none; one thread owns a tree.
 */
#ifndef FLASHKV_STORE_ENC_ZS_TREE_H
#define FLASHKV_STORE_ENC_ZS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/enc/ht.h"
#include "store/enc/zs.h"

/* One member is one node of the member index, an ht_node_t of a map-mode
 * table (store/enc/ht.h): the chain pointer, varint length, the member's
 * bytes, then the score as the node's 8-byte value (varint 8, one byte,
 * then a double in host order).  zs_node_t is that node under its own
 * name; only these accessors look inside. */
static inline const unsigned char *zn_member(const zs_node_t *n, size_t *len)
{
    return (const unsigned char *)ht_key((const ht_node_t *)n, len);
}

/* Where the score lives: after the member and the value's length byte. */
static inline unsigned char *zn_score_at(const zs_node_t *n)
{
    size_t len;
    const unsigned char *m = zn_member(n, &len);
    return (unsigned char *)m + len + 1;
}

static inline double zn_score(const zs_node_t *n)
{
    double s;
    memcpy(&s, zn_score_at(n), sizeof s);
    return s;
}

/* Overwrite the score in place (the node does not move). */
static inline void zn_set_score(zs_node_t *n, double s)
{
    memcpy(zn_score_at(n), &s, sizeof s);
}

/* Member bytes order: memcmp, then the shorter first. */
static inline int zt_cmp_bytes(const unsigned char *a, size_t al,
                               const unsigned char *b, size_t bl)
{
    size_t l = al < bl ? al : bl;
    int c = l ? memcmp(a, b, l) : 0;
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

/* A position in the order: a score and member bytes. */
typedef struct zt_key {
    double s;
    const unsigned char *m;
    size_t len;
} zt_key_t;

/* Fan-out, chosen by measurement (see zs.c's header comment): a leaf is
 * 24 + 8 * 60 = 504 bytes (a 512-byte glibc chunk), an inner node
 * 8 + 32 * 32 = 1032. */
#ifndef ZS_LEAF_CAP
#define ZS_LEAF_CAP 60
#endif
#ifndef ZS_INNER_CAP
#define ZS_INNER_CAP 32
#endif
/* Deeper than any tree of 2^40 members with 2-child inner nodes. */
#define ZT_MAX_HEIGHT 40

typedef struct zt_leaf {
    struct zt_leaf *prev, *next;
    uint32_t n;
    zs_node_t *e[ZS_LEAF_CAP];
} zt_leaf_t;

typedef struct zt_inner {
    uint32_t n;
    double key[ZS_INNER_CAP];       /* == zn_score(kn[i]) */
    zs_node_t *kn[ZS_INNER_CAP];    /* smallest member below child i */
    size_t cnt[ZS_INNER_CAP];       /* members below child i */
    void *child[ZS_INNER_CAP];      /* zt_inner_t, or zt_leaf_t at the last level */
} zt_inner_t;

typedef struct zt {
    void *root;         /* zt_leaf_t if height == 0; NULL when empty */
    unsigned height;    /* inner levels */
    size_t len;
    size_t mem;         /* malloc_usable_size of leaves and inner nodes */
    unsigned lcap;      /* members per leaf: ZS_LEAF_CAP, less in tests */
    unsigned icap;      /* children per inner node: ZS_INNER_CAP, or less */
} zt_t;

/* A root-to-leaf path: in[d] is at depth d, its child idx[d] at d + 1. */
typedef struct zt_path {
    zt_inner_t *in[ZT_MAX_HEIGHT];
    unsigned idx[ZT_MAX_HEIGHT];
    zt_leaf_t *leaf;
    unsigned pos;
} zt_path_t;

/* Called on each member a removal drops (the tree forgets it). */
typedef void (*zt_drop_fn)(void *arg, zs_node_t *n);

/* ---- shared by zs_tree.c and zs_tree_del.c ---- */

/* Set the separator of child i of x (at depth d) from the child's min. */
static inline void zt_set_sep(const zt_t *t, zt_inner_t *x, unsigned d, unsigned i)
{
    zs_node_t *m;
    if (d + 1 == t->height)
        m = ((zt_leaf_t *)x->child[i])->e[0];
    else
        m = ((zt_inner_t *)x->child[i])->kn[0];
    x->kn[i] = m;
    x->key[i] = zn_score(m);
}

/* The min of the child on the path at depth d + 1 may have changed:
 * refresh its separator, and its parent's while it is a first child. */
static inline void zt_fix_min(const zt_t *t, const zt_path_t *p, int d)
{
    for (; d >= 0; d--) {
        zt_set_sep(t, p->in[d], (unsigned)d, p->idx[d]);
        if (p->idx[d] != 0)
            break;
    }
}

/* Path to the member of rank r (< len). */
void zt_seek(const zt_t *t, size_t r, zt_path_t *p);

/* ---- zs_tree.c ---- */

/* Insert n at the position of k (k is what the order compares; n's own
 * score is not read for n).  The rank it got in *rank.  0, or -ENOMEM
 * with the tree unchanged.  O(log n). */
int zt_insert(zt_t *t, zs_node_t *n, const zt_key_t *k, size_t *rank);
/* Give member n (in the tree) the score s: in place when its neighbours
 * allow, else by an insert at the new place and a removal at the old.
 * 0, or -ENOMEM with n and the tree unchanged.  O(log n). */
int zt_move(zt_t *t, zs_node_t *n, double s);
size_t zt_rank(const zt_t *t, const zs_node_t *n);
zs_node_t *zt_at(const zt_t *t, size_t r);
/* Rank of the first member with score > s (excl) or >= s; lex: with
 * member bytes > or >= m. */
size_t zt_lower_score(const zt_t *t, double s, bool excl);
size_t zt_lower_lex(const zt_t *t, const unsigned char *m, size_t len, bool excl);

/* ---- zs_tree_del.c ---- */

/* Remove ranks [start, start + count) (within len), calling fn (if not
 * NULL) on each member dropped, in order.  O(count + log n per leaf). */
void zt_remove(zt_t *t, size_t start, size_t count, zt_drop_fn fn, void *arg);
/* Free at most *budget members (through fn) and tree nodes, decreasing
 * *budget; true once the tree is empty (and holds no memory).  With fn
 * NULL the members are someone else's: a leaf goes in one unit, unread. */
bool zt_free_step(zt_t *t, size_t *budget, zt_drop_fn fn, void *arg);
/* Check shape, order, counts, separators, links and mem.  O(n). */
bool zt_validate(const zt_t *t);

#endif
