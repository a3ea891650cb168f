/*
 * zset_lp.h - the listpack form of a sorted set (zset_lp.c): for
 * zset_obj.c alone, which is the sorted set's interface to everybody else.
 * A pair is two elements, the member then its score; "pair i" counts
 * pairs from 0.
 *
 * Concurrency: none; the shard's thread.
 */
#ifndef FLASHKV_STORE_TYPES_ZSET_LP_H
#define FLASHKV_STORE_TYPES_ZSET_LP_H

#include <stddef.h>

#include "zset_obj.h"

/* The text a listpack stores for score d (and ZSCAN of a listpack
 * shows): an integral score within +-2^62 as an integer, else "%.17g". */
size_t zlp_score_text(double d, char buf[NUM_D_BUF]);
/* The score element at p (Redis's zzlGetScore). */
double zlp_score(const unsigned char *p);
/* The member at p and the score after it, into out. */
void zlp_elem(unsigned char *lp, unsigned char *p, zobj_elem_t *out);
/* Insert the pair (m, score) before element p (the terminator to
 * append): the new listpack, or NULL (lp unchanged). */
unsigned char *zlp_insert_pair(unsigned char *lp, unsigned char *p, const char *m,
                               size_t len, double score);
/* The element starting pair i, or the terminator for i == count. */
unsigned char *zlp_pair(unsigned char *lp, size_t i, size_t count);
/* The number of pairs. */
size_t zlp_len(const unsigned char *lp);
/* The pair index where (m, score) belongs among the pairs other than
 * index skip (SIZE_MAX: among all). */
size_t zlp_place(unsigned char *lp, const char *m, size_t len, double score, size_t skip);
/* The member element equal to m and its pair index (if idx), or NULL. */
unsigned char *zlp_find_member(unsigned char *lp, const char *m, size_t len, size_t *idx);

#endif
