/*
 * ql.h - quicklist: a list stored as a doubly linked chain of listpack
 * nodes, with Redis 7.0's fill and compression rules.
 *
 * fill (list-max-listpack-size): > 0 caps a node's elements (and its size
 * at 8 KiB); -1..-5 caps its bytes at 4, 8, 16, 32, 64 KiB. An element too
 * big for any node gets a node of its own (a one-element listpack: Redis
 * 7.0's "plain" nodes, for elements over 1 GB, are not used). Inserting
 * into a full node spills to a neighbour or splits it; deleting merges
 * neighbours whose union fits a node, and drops empty nodes.
 *
 * depth (list-compress-depth): 0 = off; n keeps n nodes at each end raw
 * and LZF-compresses the inner ones (if >= 48 bytes and it saves more
 * than 8), decompressing one node at a time on access. Compression is
 * best effort: when memory runs short a node may stay raw, or stay
 * compressed inside the raw window; reads and writes still work.
 *
 * Entries handed out (ql_entry_t) point into node memory: valid until the
 * next call on the quicklist or on any of its iterators.
 *
 * Errors: -ENOMEM with the list unchanged, except where a function says
 * otherwise. Merges and compression that fail for memory are skipped.
 *
 * Code: ql.c (these functions) over the node engine in ql_node.c, whose
 * header ql_node.h is private to the two.
 *
 * Concurrency: none. One thread owns a quicklist and its iterators.
 */
#ifndef FLASHKV_STORE_ENC_QL_H
#define FLASHKV_STORE_ENC_QL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ql ql_t;
struct ql_node;

/* An element: string bytes (s != NULL) or an integer (s == NULL). */
typedef struct ql_entry {
    const unsigned char *s;
    size_t len;
    long long ival;
} ql_entry_t;

/* Caller-allocated iterator; fields are private to ql.c. While one is in
 * use, modify the list only through it (or end it with ql_iter_done). */
typedef struct ql_iter {
    ql_t *ql;
    struct ql_node *node;  /* node holding the current / next element */
    unsigned char *buf;    /* node buffer p points into */
    unsigned char *p;      /* current / next element, NULL: seek off */
    long off;              /* its index within node */
    bool fwd;
    bool pending;          /* (node, off) not yet returned by ql_iter_next */
} ql_iter_t;

/* ql_validate flag: also check which nodes are compressed. */
#define QL_CHECK_COMPRESSION 1u

/* Empty list. fill is clamped to -5..32767, depth to 0..65535. NULL if
 * out of memory. */
ql_t *ql_new(int fill, int depth);
/* Free everything: O(nodes). */
void ql_free(ql_t *ql);
/* Free at most *budget nodes (decrementing it). Returns true once all is
 * freed, including ql itself. After the first call only ql_free_step may
 * be used on ql. */
bool ql_free_step(ql_t *ql, size_t *budget);

/* A list holding lp's elements; takes ownership of lp on success. lp is
 * kept as the only node if it satisfies fill, else its elements are
 * copied into nodes and lp freed. NULL if out of memory (lp untouched,
 * still the caller's). */
ql_t *ql_from_lp(unsigned char *lp, int fill, int depth);
/* Append lp's elements as ql_from_lp does (RDB loading: one call per
 * saved node). 0, or -ENOMEM with ql and lp untouched. */
int ql_append_lp(ql_t *ql, unsigned char *lp);
/* Hand the only node's listpack to the caller (lp_new(0) if empty) and
 * leave ql empty. NULL if ql has more than one node or out of memory. */
unsigned char *ql_to_lp(ql_t *ql);

/* O(1) element count, node count, and bytes held (malloc_usable_size of
 * the struct, nodes and their buffers). */
size_t ql_count(const ql_t *ql);
size_t ql_nodes(const ql_t *ql);
size_t ql_mem(const ql_t *ql);
/* The fill and depth the list was made with (after clamping). */
int ql_fill(const ql_t *ql);
int ql_depth(const ql_t *ql);

/* Push s at the head or tail. 0 or -ENOMEM. */
int ql_push(ql_t *ql, const char *s, size_t len, bool head);

/* Receives a popped element before it is removed; a negative return
 * cancels the pop and is passed through. */
typedef int (*ql_take_fn)(void *arg, const ql_entry_t *e);
/* Remove the head or tail element, handing it to fn first (fn may be
 * NULL). 1 popped, 0 empty, or fn's / -ENOMEM error (nothing removed). */
int ql_pop(ql_t *ql, bool head, ql_take_fn fn, void *arg);

/* Element at index (negative from the end) into *out. 1 found, 0 out of
 * range, -ENOMEM. O(nodes) to find the node, then O(node). */
int ql_index(ql_t *ql, long index, ql_entry_t *out);
/* Replace the element at index (LSET). 0, -ERANGE, or -ENOMEM. */
int ql_replace_at(ql_t *ql, long index, const char *s, size_t len);
/* Delete up to count elements from start (negative from the end), as
 * LTRIM and LPOP count need. Returns the number deleted (0 if start is
 * out of range) or -ENOMEM (nothing deleted). */
long ql_del_range(ql_t *ql, long start, long count);

/* True if e equals s: strings byte for byte, integers only their
 * canonical decimal (as lp_eq). */
bool ql_entry_eq(const ql_entry_t *e, const char *s, size_t len);

/* Iterate from index start (negative from the end) towards the tail
 * (forward) or the head. An out of range start yields nothing. */
void ql_iter_init(ql_iter_t *it, ql_t *ql, long start, bool forward);
/* Next element into *e: 1, 0 at the end, or -ENOMEM (decompressing; the
 * same call may be retried). */
int ql_iter_next(ql_iter_t *it, ql_entry_t *e);
/* End an iteration (recompresses the node it left decompressed). */
void ql_iter_done(ql_iter_t *it);
/* Delete the element last returned; iteration continues with the one
 * after it (LREM). 0 or -ENOMEM. */
int ql_iter_delete(ql_iter_t *it);
/* Replace the element last returned; it stays the current one. */
int ql_iter_replace(ql_iter_t *it, const char *s, size_t len);
/* Insert s before or after the element last returned (LINSERT); the new
 * element becomes the current one. 0 or -ENOMEM. */
int ql_iter_insert(ql_iter_t *it, const char *s, size_t len, bool after);

/* Check links, counts, cached sizes, memory total, every node's listpack
 * (deep) and the fill rule: every node with 2+ elements fits. With
 * QL_CHECK_COMPRESSION also: the depth nodes at each end are raw and
 * inner ones compressed unless too small, incompressible, or the one
 * being read. For tests and fuzzing: O(total bytes). */
bool ql_validate(const ql_t *ql, unsigned flags);

#endif
