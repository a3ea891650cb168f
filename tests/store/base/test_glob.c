/*
 * test_glob.c - glob matching against results recorded from redis-server
 * 7.0.15 (glob_cases.inc: ~340 patterns x 46 keys, including unterminated
 * brackets, escapes, reversed ranges, bytes >= 0x80 and NULs), plus nocase,
 * the nesting limit, pathological patterns and a no-crash fuzz.
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/base/glob.h"

#include "glob_cases.inc"

static bool m(const char *p, const char *s)
{
    return glob_match(p, strlen(p), s, strlen(s), false);
}

static bool mi(const char *p, const char *s)
{
    return glob_match(p, strlen(p), s, strlen(s), true);
}

Test(glob, matches_redis_keys_results)
{
    size_t n = sizeof glob_cases / sizeof glob_cases[0];
    cr_assert_gt(n, 300);
    for (size_t c = 0; c < n; c++) {
        for (int k = 0; k < GLOB_NKEYS; k++) {
            bool want = (glob_cases[c].mask >> k) & 1;
            /* KEYS answers "*" without matching, so it includes the empty
             * key, which stringmatchlen itself does not match. */
            if (glob_cases[c].len == 1 && glob_cases[c].p[0] == '*' && glob_keys[k].len == 0)
                want = false;
            bool got = glob_match(glob_cases[c].p, glob_cases[c].len, glob_keys[k].s,
                                  glob_keys[k].len, false);
            cr_expect_eq(got, want, "pattern #%zu '%.*s' key #%d: want %d", c,
                         (int)glob_cases[c].len, glob_cases[c].p, k, want);
        }
    }
}

Test(glob, basics)
{
    cr_assert(m("*", "anything"));
    cr_assert_not(m("*", ""));          /* Redis: an empty string never matches */
    cr_assert_not(m("", "a"));
    cr_assert(m("", ""));
    cr_assert(m("h?llo", "hello"));
    cr_assert(m("h*llo", "hllo"));
    cr_assert(m("h[ae]llo", "hallo"));
    cr_assert_not(m("h[ae]llo", "hillo"));
    cr_assert(m("h[^e]llo", "hallo"));
    cr_assert_not(m("h[^e]llo", "hello"));
    cr_assert(m("h[a-b]llo", "hbllo"));
    cr_assert(m("h[b-a]llo", "hbllo"));
    cr_assert(m("h\\*llo", "h*llo"));
    cr_assert_not(m("h\\*llo", "hello"));
    cr_assert(m("a\\", "a\\"));         /* trailing backslash is literal */
    cr_assert(m("[\\]]", "]"));
    cr_assert(m("[a", "a"));            /* unterminated bracket */
    cr_assert_not(m("*[", "x"));        /* an empty "[" set matches nothing */
}

Test(glob, binary_safe)
{
    cr_assert(glob_match("a?c", 3, "a\0c", 3, false));
    cr_assert(glob_match("a\0*", 3, "a\0bc", 4, false));
    cr_assert_not(glob_match("a\0*", 3, "a", 1, false));
    cr_assert(glob_match("[\x80-\xff]", 5, "\x90", 1, false));
    /* Bytes >= 0x80 compare as signed chars in ranges, as in Redis. */
    cr_assert_not(glob_match("[a-\xff]", 5, "b", 1, false));
}

Test(glob, nocase)
{
    cr_assert(mi("HELLO", "hello"));
    cr_assert(mi("h*O", "hellO"));
    cr_assert(mi("h[A-Z]llo", "hello"));
    cr_assert(mi("h[a-z]llo", "hEllo"));
    cr_assert(mi("h[E]llo", "hello"));
    cr_assert(mi("h[^X]llo", "hello"));
    cr_assert_not(mi("h[^E]llo", "hello"));
    cr_assert_not(m("HELLO", "hello"));
    /* An escaped char inside brackets is compared exactly, even nocase. */
    cr_assert_not(mi("h[\\E]llo", "hello"));
    /* Folding is ASCII only. */
    cr_assert_not(glob_match("\xc9", 1, "\xe9", 1, true));
}

Test(glob, pathological_patterns_are_fast)
{
    /* Exponential without the "skip longer matches" cut-off. */
    char str[101], pat[64];
    memset(str, 'a', 100);
    str[100] = '\0';
    strcpy(pat, "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    clock_t t0 = clock();
    cr_assert_not(m(pat, str));
    cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 0.5);
}

Test(glob, nesting_limit)
{
    /* Results checked against redis-server 7.0.15 with a 1100-byte key. */
    char key[1100];
    memset(key, 'a', sizeof key);
    static char pat[2 * 1002 + 1];
    for (int n = 998; n <= 1002; n++) {
        for (int i = 0; i < n; i++) {
            pat[2 * i] = '*';
            pat[2 * i + 1] = 'a';
        }
        cr_assert_eq(glob_match(pat, 2 * (size_t)n, key, sizeof key, false), n <= 1000, "*a x %d", n);
        for (int i = 0; i < n; i++) {
            pat[2 * i] = 'a';
            pat[2 * i + 1] = '*';
        }
        cr_assert_eq(glob_match(pat, 2 * (size_t)n, key, sizeof key, false), n <= 1001, "a* x %d", n);
    }
}

Test(glob, fuzz_does_not_crash)
{
    /* Random patterns and strings: only memory safety is checked here (run
     * under the sanitizers), as Redis's own stringmatchlen fuzz test does. */
    srand(1);
    char p[32], s[32];
    for (int i = 0; i < 200000; i++) {
        size_t pl = (size_t)(rand() % 32), sl = (size_t)(rand() % 32);
        for (size_t j = 0; j < pl; j++)
            p[j] = "ab*?[]^-\\\0\xff"[rand() % 11];
        for (size_t j = 0; j < sl; j++)
            s[j] = "ab*?[]^-\\\0\xff"[rand() % 11];
        (void)glob_match(p, pl, s, sl, rand() & 1);
    }
}
