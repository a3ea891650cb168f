/*
 * list_enc.h - a list value over its two encodings, for the list
 * commands (list.c, list_range.c): every encoding-specific step is here,
 * once, so each command is written once for both.
 *
 *   ENC_LIST_LP  one bare listpack, while the list fits one quicklist
 *                node under list-max-listpack-size;
 *   ENC_LIST_QL  a quicklist of listpack nodes (fill and compress depth
 *                taken from the settings when it is made).
 *
 * Conversions (Redis 7.2's rules; OBJECT ENCODING says "quicklist" for
 * both, as Redis 7.0 always does): list_enc_grow turns a listpack into a
 * quicklist before an addition would take it past one node's limit;
 * list_enc_shrink turns a quicklist back into a listpack once it is one
 * node of at most half that limit, so a list hovering at the limit does
 * not flip at every push and pop.
 *
 * Elements come out as ql_entry_t: bytes (s != NULL) or an integer (s ==
 * NULL: the encodings store canonical decimal strings as integers), valid
 * until the next call on the list.
 *
 * Ownership: the functions change the entry's object and encoding fields
 * (e->v.obj, e->type) in place; the caller takes entry_mem(e) before and
 * calls ks_changed after, and deletes an emptied list.
 * Errors: -ENOMEM with the list unchanged.
 * Concurrency: none; the shard's thread (cmd_exec).
 */
#ifndef FLASHKV_STORE_TYPES_LIST_ENC_H
#define FLASHKV_STORE_TYPES_LIST_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "store/base/num.h"
#include "store/cmd/cfg.h"
#include "store/db/entry.h"
#include "store/enc/ql.h"

typedef ql_entry_t list_elem_t;

/* A new empty list object in the small encoding (ENC_LIST_LP), for
 * ks_add_obj; NULL if out of memory. */
void *list_enc_new(void);

/* Elements of the list e. O(1). */
size_t list_enc_len(const entry_t *e);

/* The bytes of x (an integer printed into buf). */
const char *list_enc_str(const list_elem_t *x, char buf[NUM_LL_BUF], size_t *len);

/* Bytes one element s takes in a listpack (for list_enc_grow). */
size_t list_enc_elem_size(const char *s, size_t len);

/* Before adding add_count elements of add_bytes listpack bytes in all (or
 * replacing one: add_count 0): make e a quicklist if the listpack would
 * pass one node's limit under cfg. 0 or -ENOMEM. */
int list_enc_grow(entry_t *e, const store_cfg_t *cfg, size_t add_bytes, size_t add_count);
/* After removing or replacing elements: make e a listpack again if it is
 * a quicklist of one node within half the limit (best effort). */
void list_enc_shrink(entry_t *e, const store_cfg_t *cfg);

/* Push s at the head or the tail. 0 or -ENOMEM. */
int list_enc_push(entry_t *e, const char *s, size_t len, bool head);

/* Receives the element about to be popped; a negative return cancels. */
typedef int (*list_take_fn)(void *arg, const list_elem_t *x);
/* Remove the head or tail element, handing it to fn first (fn may be
 * NULL). 1 popped, 0 empty, or fn's / -ENOMEM error (nothing removed). */
int list_enc_pop(entry_t *e, bool head, list_take_fn fn, void *arg);

/* Element at index (negative from the end): 1, 0 out of range, -ENOMEM. */
int list_enc_index(entry_t *e, long index, list_elem_t *out);
/* Replace the element at index. 0, -ERANGE or -ENOMEM. */
int list_enc_replace(entry_t *e, long index, const char *s, size_t len);
/* Delete up to count elements from start (negative from the end). The
 * number deleted or -ENOMEM. */
long list_enc_del_range(entry_t *e, long start, long count);

/* What list_enc_match compares with: a string, and whether it reads as
 * an integer the encodings would store as one (parsed once). */
typedef struct list_needle {
    const char *s;
    size_t len;
    bool is_int;
    long long ival;
} list_needle_t;

void list_enc_needle(list_needle_t *n, const char *s, size_t len);
/* Whether x equals the needle byte for byte (Redis's listTypeEqual). */
static inline bool list_enc_match(const list_elem_t *x, const list_needle_t *n)
{
    if (!x->s)
        return n->is_int && n->ival == x->ival;
    return x->len == n->len && (n->len == 0 || memcmp(x->s, n->s, n->len) == 0);
}

/* Iteration from index start (negative from the end) towards the tail
 * (fwd) or the head; a start out of range yields nothing. While it runs,
 * change the list only through it. */
typedef struct list_iter {
    entry_t *e;
    bool fwd;
    bool pending;           /* listpack: p not yet returned */
    unsigned char *p;       /* listpack: current / next element, NULL: end */
    ql_iter_t qi;           /* quicklist */
} list_iter_t;

void list_enc_iter_init(list_iter_t *it, entry_t *e, long start, bool fwd);
/* Next element: 1, 0 at the end, -ENOMEM. */
int list_enc_iter_next(list_iter_t *it, list_elem_t *x);
/* Delete the element last returned; iteration goes on past it. 0 or
 * -ENOMEM. */
int list_enc_iter_delete(list_iter_t *it);
/* Insert s before or after the element last returned (end the iteration
 * afterwards). 0 or -ENOMEM. The caller has called list_enc_grow. */
int list_enc_iter_insert(list_iter_t *it, const char *s, size_t len, bool after);
void list_enc_iter_done(list_iter_t *it);

#endif
