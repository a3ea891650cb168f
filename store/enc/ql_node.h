/*
 * ql_node.h - the quicklist's node engine, shared by ql.c and ql_node.c
 * only: node layout, links, the fill rule, LZF compression, and inserting,
 * splitting and merging at a position. Nothing outside the quicklist may
 * include it.
 *
 * Invariants (ql_validate checks them): count, len and mem are the sums
 * over the nodes; every node is non-empty and, with 2+ elements, within
 * the fill limit (exact sizes: lp_entry_size tells what an insert adds);
 * at most one inner node, ql->loose, is decompressed for reading.
 *
 * Every node that exists counts towards count and mem, linked or not, so
 * qn_new / qn_drop / qn_set keep the totals right by construction.
 *
 * Concurrency: none; one thread owns a quicklist.
 */
#ifndef FLASHKV_STORE_ENC_QL_NODE_H
#define FLASHKV_STORE_ENC_QL_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/enc/ql.h"

#define QN_SAFETY_BYTES 8192 /* node size cap under a positive fill */
#define QN_FILL_MAX 32767
#define QN_DEPTH_MAX 65535
#define QN_MIN_COMPRESS 48   /* smaller nodes are not worth compressing */
#define QN_MIN_IMPROVE 8     /* compression must save more than this */

typedef struct ql_node {
    struct ql_node *prev, *next;
    unsigned char *buf; /* listpack, or qn_zblob_t when packed */
    size_t sz;          /* listpack bytes, also while packed */
    uint32_t count;
    bool packed;
    bool tried;         /* this content did not compress: don't retry */
} ql_node_t;

typedef struct qn_zblob {
    uint32_t csz;
    unsigned char data[];
} qn_zblob_t;

struct ql {
    ql_node_t *head, *tail;
    size_t count, len, mem;
    ql_node_t *loose;   /* inner node decompressed for reading, or NULL */
    int fill, depth;
};

/* An element position: offset off within node n. */
typedef struct qn_pos {
    ql_node_t *n;
    long off;
} qn_pos_t;

size_t qn_usable(const void *p);
/* Whether a node of sz bytes and count elements obeys ql's fill. */
bool qn_fits(const ql_t *ql, size_t sz, size_t count);
/* Whether n takes one more element of len bytes: Redis 7.0's estimate
 * (node bytes + len + 8, never below the exact size for elements under
 * 2 MB), so nodes split where redis-server's do and DUMP bytes match. */
static inline bool qn_fits_one_more(const ql_t *ql, const ql_node_t *n, size_t len)
{
    return qn_fits(ql, n->sz + len + 8, n->count + 1u);
}

/* ---- nodes and links ---- */

/* Unlinked node adopting lp (NULL if out of memory, lp still the
 * caller's); one holding just s. */
ql_node_t *qn_new(ql_t *ql, unsigned char *lp);
ql_node_t *qn_with(ql_t *ql, const char *s, size_t len);
/* n's listpack became lp; old_usable is the old buffer's usable size,
 * read before the call that may have moved it. */
void qn_set(ql_t *ql, ql_node_t *n, unsigned char *lp, size_t old_usable);
/* Delete cnt elements from start in raw node n. */
void qn_trim(ql_t *ql, ql_node_t *n, long start, long cnt);
/* Link n after at (at NULL: as the new head). */
void qn_link_after(ql_t *ql, ql_node_t *at, ql_node_t *n);
void qn_unlink(ql_t *ql, ql_node_t *n);
/* Unlink and free. */
void qn_drop(ql_t *ql, ql_node_t *n);

/* ---- compression (all best effort but qn_unpack / qn_touch) ---- */

/* Decompress n in place: 0 or -ENOMEM. */
int qn_unpack(ql_t *ql, ql_node_t *n);
/* After an edit at n (may be NULL): keep the depth nodes at each end raw,
 * compress n and its neighbours if inner, and the nodes just inside the
 * raw windows. */
void qn_comp_fix(ql_t *ql, ql_node_t *n);
/* Recompress the loose node, if any. */
void qn_settle(ql_t *ql);
/* Make n readable; an inner node becomes the loose one. */
int qn_touch(ql_t *ql, ql_node_t *n);

/* ---- positions and edits ---- */

/* Position of index (negative from the end); false if out of range.
 * Walks from the closer end, skipping whole nodes. */
bool qn_locate(const ql_t *ql, long index, qn_pos_t *pos);
/* The element at p as an entry. */
void qn_entry(const unsigned char *p, ql_entry_t *e);
/* a absorbs its successor b if the union fits (best effort); *pos (may
 * be NULL) is remapped if it pointed into b. */
bool qn_merge(ql_t *ql, ql_node_t *a, ql_node_t *b, qn_pos_t *pos);
/* Push s onto the head or tail of node m, which has room. */
int qn_edge_push(ql_t *ql, ql_node_t *m, bool head, const char *s, size_t len,
                 qn_pos_t *out);
/* Put s at offset off of node n (off == count: after its last element),
 * or in place of element off: in n if it fits, else spilling to a
 * neighbour or splitting n. *out receives where s ended up. 0 or -ENOMEM
 * with nothing changed. */
int qn_place(ql_t *ql, ql_node_t *n, long off, const char *s, size_t len, bool replace,
             qn_pos_t *out);

#endif
