/*
 * zset_lp.c - the listpack form of a sorted set, its primitives: pairs of
 * member and score in (score, member) order, scores stored as Redis 7.0's
 * zzl* functions store them (integral scores within +-2^62 as integers,
 * others as "%.17g" text), so the bytes are Redis's own.  zset_obj.c
 * builds the set operations over them.
 *
 * Concurrency: none; the shard's thread.
 */
#include "zset_lp.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store/enc/lp.h"

/* Redis's double2ll: an integral score in +-LLONG_MAX/2 is stored as an
 * integer (-0 becomes 0). */
static bool score_as_ll(double d, long long *out)
{
    if (!(d >= (double)(-LLONG_MAX / 2) && d <= (double)(LLONG_MAX / 2)))
        return false;
    long long ll = (long long)d;
    if ((double)ll != d)
        return false;
    *out = ll;
    return true;
}

/* The score text a listpack stores (and ZSCAN of a listpack shows). */
size_t zlp_score_text(double d, char buf[NUM_D_BUF])
{
    long long ll;
    if (score_as_ll(d, &ll))
        return num_fmt_ll(buf, ll);
    return num_fmt_d(buf, d);
}

/* The score element p (Redis's zzlGetScore: strtod of at most 127
 * bytes). */
double zlp_score(const unsigned char *p)
{
    uint32_t slen;
    long long ll;
    const unsigned char *s = lp_get(p, &slen, &ll);
    if (!s)
        return (double)ll;
    char buf[128];
    size_t n = slen < sizeof buf - 1 ? slen : sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

/* The member at p and the score after it, into out. */
void zlp_elem(unsigned char *lp, unsigned char *p, zobj_elem_t *out)
{
    out->s = (const char *)lp_get_str(p, out->buf, &out->len);
    out->score = zlp_score(lp_next(lp, p));
}

/* Compare the listpack member p with (m, len). */
static int cmp_member(const unsigned char *p, const char *m, size_t len)
{
    char buf[NUM_LL_BUF];
    size_t plen;
    const char *ps = (const char *)lp_get_str(p, buf, &plen);
    return zobj_cmp_member(ps, plen, m, len);
}

/* Insert the pair (m, score) before element p (the terminator to
 * append).  The new listpack, or NULL (lp unchanged). */
unsigned char *zlp_insert_pair(unsigned char *lp, unsigned char *p, const char *m,
                                     size_t len, double score)
{
    unsigned char *mp, *nl;
    char buf[NUM_D_BUF];
    size_t n = zlp_score_text(score, buf);
    nl = lp_insert(lp, p, m, len, LP_BEFORE, &mp);
    if (!nl)
        return NULL;
    lp = nl;
    nl = lp_insert(lp, mp, buf, n, LP_AFTER, NULL);
    if (!nl)
        return lp_delete(lp, mp, NULL); /* back as it was (never fails) */
    return nl;
}

/* The element p starting pair i, or the terminator for i == count. */
unsigned char *zlp_pair(unsigned char *lp, size_t i, size_t count)
{
    return i < count ? lp_seek(lp, (long)(2 * i)) : lp + lp_bytes(lp) - 1;
}

size_t zlp_len(const unsigned char *lp)
{
    return lp_count(lp) / 2;
}

/* The pair index where (m, score) belongs among the pairs other than
 * index skip (skip = SIZE_MAX: among all). */
size_t zlp_place(unsigned char *lp, const char *m, size_t len, double score, size_t skip)
{
    size_t i = 0, k = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)), i++) {
        if (i == skip)
            continue;
        double s = zlp_score(lp_next(lp, p));
        if (s > score || (s == score && cmp_member(p, m, len) > 0))
            break;
        k++;
    }
    return k;
}

/* The member element equal to m and its pair index, or NULL. */
unsigned char *zlp_find_member(unsigned char *lp, const char *m, size_t len, size_t *idx)
{
    size_t i = 0;
    unsigned char *p = lp_first(lp);
    if (!p)
        return NULL;
    p = lp_find(lp, p, m, len, 1);
    if (p && idx) {
        for (unsigned char *q = lp_first(lp); q != p; q = lp_next(lp, lp_next(lp, q)))
            i++;
        *idx = i;
    }
    return p;
}

