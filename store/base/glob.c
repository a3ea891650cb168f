/*
 * glob.c - Redis-compatible glob matching (see glob.h).
 *
 * Redis reads one byte past the pattern in a few places and finds the NUL
 * that terminates its strings; our patterns point into a network buffer, so
 * at() returns 0 past the end to reproduce that without reading it.
 *
 * Concurrency: pure function.
 */
#include "glob.h"

static inline int at(const char *p, long len, long i)
{
    return i < len ? (int)(signed char)p[i] : 0;
}

/* ASCII-only case folding: Redis runs in the "C" LC_CTYPE locale. */
static inline int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool match(const char *p, long pl, const char *s, long sl, bool nocase,
                  bool *skip_longer, int nesting)
{
    if (nesting > GLOB_MAX_NESTING)
        return false;
    while (pl > 0 && sl > 0) {
        switch (p[0]) {
        case '*':
            while (at(p, pl, 1) == '*') {
                p++;
                pl--;
            }
            if (pl == 1)
                return true;
            while (sl > 0) {
                if (match(p + 1, pl - 1, s, sl, nocase, skip_longer, nesting + 1))
                    return true;
                /* The rest of the pattern matched nowhere in the rest of the
                 * string: earlier stars cannot help by matching more. */
                if (*skip_longer)
                    return false;
                s++;
                sl--;
            }
            *skip_longer = true;
            return false;
        case '?':
            s++;
            sl--;
            break;
        case '[': {
            bool neg, hit = false;
            p++;
            pl--;
            neg = at(p, pl, 0) == '^';
            if (neg) {
                p++;
                pl--;
            }
            for (;;) {
                if (at(p, pl, 0) == '\\' && pl >= 2) {
                    p++;
                    pl--;
                    if (p[0] == s[0])
                        hit = true;
                } else if (at(p, pl, 0) == ']') {
                    break;
                } else if (pl == 0) {
                    /* Unterminated: step back so the outer advance lands on
                     * the end of the pattern. */
                    p--;
                    pl++;
                    break;
                } else if (pl >= 3 && p[1] == '-') {
                    int lo = (signed char)p[0], hi = (signed char)p[2];
                    int c = (signed char)s[0];
                    if (lo > hi) {
                        int t = lo;
                        lo = hi;
                        hi = t;
                    }
                    if (nocase) {
                        lo = lower(lo);
                        hi = lower(hi);
                        c = lower(c);
                    }
                    p += 2;
                    pl -= 2;
                    if (c >= lo && c <= hi)
                        hit = true;
                } else if (!nocase) {
                    if (p[0] == s[0])
                        hit = true;
                } else if (lower((signed char)p[0]) == lower((signed char)s[0])) {
                    hit = true;
                }
                p++;
                pl--;
            }
            if (neg)
                hit = !hit;
            if (!hit)
                return false;
            s++;
            sl--;
            break;
        }
        case '\\':
            if (pl >= 2) {
                p++;
                pl--;
            }
            /* fall through */
        default:
            if (!nocase) {
                if (p[0] != s[0])
                    return false;
            } else if (lower((signed char)p[0]) != lower((signed char)s[0])) {
                return false;
            }
            s++;
            sl--;
            break;
        }
        p++;
        pl--;
        if (sl == 0) {
            while (at(p, pl, 0) == '*') {
                p++;
                pl--;
            }
            break;
        }
    }
    return pl == 0 && sl == 0;
}

bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase)
{
    bool skip_longer = false;
    return match(pat, (long)plen, str, (long)slen, nocase, &skip_longer, 0);
}
