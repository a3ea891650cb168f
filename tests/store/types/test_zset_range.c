/*
 * test_zset_range.c - the sorted set range commands in process: replies
 * byte for byte (RESP2 and RESP3) for ranks, score and lex bounds and
 * LIMIT, Redis's errors and their order (a bad bound wins over
 * WRONGTYPE), both encodings (listpack and the big form) checked against
 * a simple model over random sets and random ranges, ZRANGESTORE across
 * two keyspaces and the encoding of its result, and the ZREMRANGE
 * deletions: emptied keys deleted, memory accounted, WATCH touched only
 * when something changed.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/reply.h"
#include "store/commands.h"
#include "store/db/keyspace.h"
#include "store/db/ks_watch.h"
#include "store/db/value.h"
#include "types_harness.h"

TestSuite(zset_range, .init = th_setup, .fini = th_teardown);

static int enc_of(ks_t *ks, const char *key)
{
    entry_t *e = find(ks, key);
    cr_assert(e, "no key %s", key);
    cr_assert_eq(e->otype, OBJ_ZSET);
    return e->type;
}

static bool touched_by(const char *line, const char *key)
{
    uint64_t ver;
    bool expired;
    cr_assert_eq(ks_watch(ks1, key, strlen(key), &ver, &expired), 0);
    run(line);
    bool t = ks_watch_touched(ks1, key, strlen(key), ver, expired);
    ks_unwatch(ks1, key, strlen(key));
    return t;
}

#define WT WRONGTYPE

/* ---- replies ---- */

Test(zset_range, by_rank_resp2_and_resp3)
{
    run("ZADD z 1 a 2 b 3 c 4 d 5.5 e");
    EXPECT("ZRANGE z 0 -1", "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
    EXPECT("ZRANGE z 1 2 WITHSCORES", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    EXPECT("ZRANGE z -2 100 REV", "*2\r\n$1\r\nb\r\n$1\r\na\r\n");
    EXPECT("ZREVRANGE z 0 0 WITHSCORES", "*2\r\n$1\r\ne\r\n$3\r\n5.5\r\n");
    EXPECT("ZRANGE z 3 1", "*0\r\n");
    EXPECT("ZRANGE z 5 9", "*0\r\n");
    EXPECT("ZRANGE z -100 -6", "*0\r\n");
    EXPECT("ZRANGE nokey 0 -1", "*0\r\n");
    /* LIMIT with rank: only "no limit" (-1) passes, as in Redis. */
    EXPECT("ZRANGE z 0 0 LIMIT 3 -1", "*1\r\n$1\r\na\r\n");
    EXPECT("ZRANGE z 0 0 LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in "
                                     "combination with either BYSCORE or BYLEX\r\n");
    R.proto = 3;
    EXPECT("ZRANGE z 0 1 WITHSCORES", "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
    EXPECT("ZRANGE z 0 1", "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    EXPECT("ZRANGEBYSCORE z 4 +inf WITHSCORES", "*2\r\n*2\r\n$1\r\nd\r\n,4\r\n"
                                                "*2\r\n$1\r\ne\r\n,5.5\r\n");
}

Test(zset_range, score_bounds)
{
    run("ZADD z -inf lo 1 a 2 b 2 bb 3 c +inf hi");
    EXPECT("ZRANGEBYSCORE z (1 (3", "*2\r\n$1\r\nb\r\n$2\r\nbb\r\n");
    EXPECT("ZRANGEBYSCORE z -inf -inf WITHSCORES", "*2\r\n$2\r\nlo\r\n$4\r\n-inf\r\n");
    EXPECT("ZRANGEBYSCORE z (inf +inf", "*0\r\n");
    EXPECT("ZRANGEBYSCORE z +inf +inf", "*1\r\n$2\r\nhi\r\n");
    EXPECT("ZREVRANGEBYSCORE z 2 (1", "*2\r\n$2\r\nbb\r\n$1\r\nb\r\n");
    EXPECT("ZRANGE z 2 (1 BYSCORE REV", "*2\r\n$2\r\nbb\r\n$1\r\nb\r\n");
    EXPECT("ZRANGEBYSCORE z 3 1", "*0\r\n");
    EXPECT("ZRANGEBYSCORE z (2 2", "*0\r\n");
    /* strtod's grammar, as Redis: hex, spaces before, an empty string. */
    EXPECT("ZRANGEBYSCORE z 0x2 2", "*2\r\n$1\r\nb\r\n$2\r\nbb\r\n");
    EXPECT("ZCOUNT z  2", ":3\r\n");
    EXPECT("ZCOUNT z ( 3", ":4\r\n");
    EXPECT("ZCOUNT z 1e400 inf", ":1\r\n");
    const char *bad = "-ERR min or max is not a float\r\n";
    EXPECT("ZRANGEBYSCORE z nan 1", bad);
    EXPECT("ZRANGEBYSCORE z 1 (nan", bad);
    EXPECT("ZRANGEBYSCORE z [1 2", bad);
    EXPECT("ZRANGEBYSCORE z 1 2x", bad);
    EXPECT("ZCOUNT z 1 \"2\"", bad);
    /* A NUL ends the bound, as Redis reads it as a C string. */
    cmd_arg_t nul[] = {{"ZCOUNT", 6}, {"z", 1}, {"1\0junk", 6}, {"2", 1}};
    runv(4, nul);
    cr_assert_str_eq(R.buf, ":3\r\n");
}

Test(zset_range, limit)
{
    run("ZADD z 1 a 2 b 3 c 4 d 5 e");
    EXPECT("ZRANGEBYSCORE z -inf +inf LIMIT 1 2", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    EXPECT("ZRANGEBYSCORE z -inf +inf LIMIT 3 -1", "*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
    EXPECT("ZRANGEBYSCORE z -inf +inf LIMIT 3 -7", "*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
    EXPECT("ZRANGEBYSCORE z -inf +inf LIMIT -1 2", "*0\r\n");
    EXPECT("ZRANGEBYSCORE z -inf +inf LIMIT 5 2", "*0\r\n");
    EXPECT("ZRANGEBYSCORE z -inf +inf LIMIT 2 0", "*0\r\n");
    EXPECT("ZRANGEBYSCORE z -inf +inf LIMIT 0 1 LIMIT 4 1", "*1\r\n$1\r\ne\r\n");
    EXPECT("ZREVRANGEBYSCORE z 4 -inf LIMIT 1 2 WITHSCORES",
           "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n");
    EXPECT("ZRANGEBYLEX z - + LIMIT 4 9", "*1\r\n$1\r\ne\r\n");
    EXPECT("ZRANGEBYSCORE z 1 2 LIMIT x 1", "-ERR value is not an integer or out of range\r\n");
    EXPECT("ZRANGEBYSCORE z 1 2 LIMIT 0", "-ERR syntax error\r\n");
}

Test(zset_range, lex_bounds)
{
    cmd_arg_t add[] = {{"ZADD", 4}, {"z", 1}, {"0", 1}, {"a", 1}, {"0", 1}, {"b", 1},
                       {"0", 1}, {"", 0}, {"0", 1}, {"a\0", 2}, {"0", 1}, {"\xff", 1}};
    runv(12, add);
    cr_assert_str_eq(R.buf, ":5\r\n");
    EXPECTN("ZRANGEBYLEX z - +", "*5\r\n$0\r\n\r\n$1\r\na\r\n$2\r\na\0\r\n$1\r\nb\r\n$1\r\n\xff\r\n");
    EXPECTN("ZRANGEBYLEX z (a [b", "*2\r\n$2\r\na\0\r\n$1\r\nb\r\n");
    EXPECT("ZRANGEBYLEX z [ (a", "*1\r\n$0\r\n\r\n");
    EXPECTN("ZREVRANGEBYLEX z + (a", "*3\r\n$1\r\n\xff\r\n$1\r\nb\r\n$2\r\na\0\r\n");
    EXPECTN("ZRANGE z (b [a BYLEX REV", "*2\r\n$2\r\na\0\r\n$1\r\na\r\n");
    EXPECT("ZRANGEBYLEX z + -", "*0\r\n");
    EXPECT("ZRANGEBYLEX z [b [a", "*0\r\n");
    EXPECT("ZLEXCOUNT z - +", ":5\r\n");
    EXPECT("ZLEXCOUNT z (a +", ":3\r\n");
    EXPECT("ZLEXCOUNT z [b (a", ":0\r\n");
    const char *bad = "-ERR min or max not valid string range item\r\n";
    EXPECT("ZRANGEBYLEX z a +", bad);
    EXPECT("ZRANGEBYLEX z - ++", bad);
    EXPECT("ZLEXCOUNT z  +", bad);
    EXPECT("ZREMRANGEBYLEX z -x +", bad);
    EXPECT("ZRANGEBYLEX z - + WITHSCORES",
           "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
    /* "+" then a NUL is "+", as a C string. */
    cmd_arg_t plus[] = {{"ZLEXCOUNT", 9}, {"z", 1}, {"[b", 2}, {"+\0x", 3}};
    runv(4, plus);
    cr_assert_str_eq(R.buf, ":2\r\n");
}

Test(zset_range, option_errors_and_their_order)
{
    run("ZADD z 1 a");
    run("SET s x");
    const char *syn = "-ERR syntax error\r\n";
    EXPECT("ZRANGE z 0 -1 REV REV", syn);
    EXPECT("ZRANGE z 0 -1 BYSCORE BYLEX", syn);
    EXPECT("ZRANGEBYSCORE z 0 1 BYSCORE", syn);
    EXPECT("ZRANGEBYSCORE z 0 1 REV", syn);
    EXPECT("ZREVRANGE z 0 1 REV", syn);
    EXPECT("ZRANGESTORE d z 0 -1 WITHSCORES", syn);
    EXPECT("ZRANGE z 0 -1 junk", syn);
    /* Options, then bounds, then the key. */
    EXPECT("ZRANGE s 0 -1 junk", syn);
    EXPECT("ZRANGE s a b", "-ERR value is not an integer or out of range\r\n");
    EXPECT("ZRANGEBYSCORE s a b", "-ERR min or max is not a float\r\n");
    EXPECT("ZRANGEBYLEX s a b", "-ERR min or max not valid string range item\r\n");
    EXPECT("ZCOUNT s a b", "-ERR min or max is not a float\r\n");
    EXPECT("ZREMRANGEBYRANK s a 1", "-ERR value is not an integer or out of range\r\n");
    EXPECT("ZREMRANGEBYSCORE s a 1", "-ERR min or max is not a float\r\n");
    EXPECT("ZREMRANGEBYLEX s a +", "-ERR min or max not valid string range item\r\n");
    EXPECT("ZRANGE s 0 -1", WT);
    EXPECT("ZRANGEBYSCORE s 0 1", WT);
    EXPECT("ZLEXCOUNT s - +", WT);
    EXPECT("ZREMRANGEBYRANK s 0 1", WT);
    EXPECT("ZRANGESTORE d s 0 -1", WT);
    cr_assert_null(find(ks1, "d"));
    /* LIMIT's own check comes before WITHSCORES's. */
    EXPECT("ZRANGE z 0 -1 LIMIT 0 2 WITHSCORES", "-ERR syntax error, LIMIT is only "
           "supported in combination with either BYSCORE or BYLEX\r\n");
    EXPECT("ZRANGE z - + LIMIT 0 2 WITHSCORES BYLEX",
           "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
    EXPECT("ZCOUNT nokey a 1", "-ERR min or max is not a float\r\n");
    EXPECT("ZCOUNT nokey 0 1", ":0\r\n");
    EXPECT("ZREMRANGEBYLEX nokey - +", ":0\r\n");
}

/* ---- both encodings against a model ---- */

typedef struct melem {
    double score;
    char m[4];
    size_t len;
} melem_t;

static int melem_cmp(const void *a, const void *b)
{
    const melem_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->m, y->m, n);
    return c ? c : (int)x->len - (int)y->len;
}

static melem_t M[200];
static size_t MN;

/* Arguments built one by one, their bytes in a pool. */
static cmd_arg_t A[MAX_ARGS];
static int AN;
static char pool[1 << 16];
static size_t pool_used;

static void args_reset(void)
{
    AN = 0;
    pool_used = 0;
}

static void arg(const char *s, size_t len)
{
    cr_assert(AN < MAX_ARGS && pool_used + len <= sizeof pool);
    memcpy(pool + pool_used, s, len);
    A[AN++] = (cmd_arg_t){pool + pool_used, len};
    pool_used += len;
}

static void argf(const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    arg(buf, (size_t)n);
}

/* A random set of n distinct members of 1..3 bytes over {a, b, NUL,
 * 0xff}; scores from a few values (ties), or all 0 (for lex ranges). */
static void model_fill(size_t n, bool lex)
{
    static const char alpha[] = {'a', 'b', '\0', '\xff'};
    static const double scores[] = {-2, -0.5, 0, 1, 1.5, 3};
    MN = 0;
    while (MN < n) {
        melem_t e = {.len = 1 + (size_t)(rand() % 3)};
        for (size_t i = 0; i < e.len; i++)
            e.m[i] = alpha[rand() % 4];
        e.score = lex ? 0 : scores[rand() % 6];
        bool dup = false;
        for (size_t i = 0; i < MN && !dup; i++)
            dup = M[i].len == e.len && memcmp(M[i].m, e.m, e.len) == 0;
        if (!dup)
            M[MN++] = e;
    }
    qsort(M, MN, sizeof M[0], melem_cmp);
}

/* Load the model into key z (listpack or big, as cfg says). */
static void model_load(const char *key)
{
    args_reset();
    arg("ZADD", 4);
    arg(key, strlen(key));
    for (size_t i = 0; i < MN; i++) {
        argf("%.17g", M[i].score);
        arg(M[i].m, M[i].len);
    }
    runv(AN, A);
}

static size_t reply_len(const char *p);

/* The expected RESP2 reply of the model members idx[0..n). */
static char *expect_reply(const size_t *idx, size_t n, bool withscores)
{
    static char out[1 << 16];
    size_t o = (size_t)sprintf(out, "*%zu\r\n", withscores ? 2 * n : n);
    for (size_t i = 0; i < n; i++) {
        const melem_t *e = &M[idx[i]];
        o += (size_t)sprintf(out + o, "$%zu\r\n", e->len);
        memcpy(out + o, e->m, e->len);
        o += e->len;
        o += (size_t)sprintf(out + o, "\r\n");
        if (withscores) {
            char s[40];
            int sl = sprintf(s, "%.17g", M[idx[i]].score);
            o += (size_t)sprintf(out + o, "$%d\r\n%s\r\n", sl, s);
        }
    }
    out[o] = '\0';
    return out;
}

static void check_reply(const char *want, size_t wlen, const char *what)
{
    runv(AN, A);
    cr_assert(R.len == wlen && memcmp(R.buf, want, wlen) == 0, "%s\n  want %s\n  got  %s",
              what, show(want, wlen), show(R.buf, R.len));
}

/* Apply Redis's offset/count to the in-range members cand[0..n). */
static size_t apply_limit(size_t *cand, size_t n, long long off, long long cnt)
{
    if (off < 0 || (size_t)off >= n)
        return 0;
    size_t k = n - (size_t)off;
    if (cnt >= 0 && (size_t)cnt < k)
        k = (size_t)cnt;
    memmove(cand, cand + off, k * sizeof *cand);
    return k;
}

static bool in_score(double x, double min, bool minex, double max, bool maxex)
{
    return (minex ? x > min : x >= min) && (maxex ? x < max : x <= max);
}

/* A random score bound ("(" or not) among the scores used and beyond. */
static void rand_score_bound(double *v, bool *ex)
{
    static const double b[] = {-5, -2, -0.5, 0, 0.7, 1, 1.5, 3, 4};
    *v = b[rand() % 9];
    *ex = rand() % 2;
}

static void one_score_query(size_t n)
{
    double min, max;
    bool minex, maxex, rev = rand() % 2, ws = rand() % 2, lim = rand() % 2;
    rand_score_bound(&min, &minex);
    rand_score_bound(&max, &maxex);
    long long off = rand() % ((long long)n + 3) - 1, cnt = rand() % ((long long)n + 3) - 2;
    size_t cand[200], k = 0;
    for (size_t j = 0; j < MN; j++) {
        size_t i = rev ? MN - 1 - j : j;
        if (in_score(M[i].score, min, minex, max, maxex))
            cand[k++] = i;
    }
    size_t count = k;
    if (lim)
        k = apply_limit(cand, k, off, cnt);
    args_reset();
    arg(rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", rev ? 16 : 13);
    arg("z", 1);
    argf("%s%g", rev ? (maxex ? "(" : "") : (minex ? "(" : ""), rev ? max : min);
    argf("%s%g", rev ? (minex ? "(" : "") : (maxex ? "(" : ""), rev ? min : max);
    if (ws)
        arg("WITHSCORES", 10);
    if (lim) {
        arg("LIMIT", 5);
        argf("%lld", off);
        argf("%lld", cnt);
    }
    const char *want = expect_reply(cand, k, ws);
    check_reply(want, reply_len(want), "score range");
    /* The same count by ZCOUNT (min, max in order). */
    args_reset();
    arg("ZCOUNT", 6);
    arg("z", 1);
    argf("%s%g", minex ? "(" : "", min);
    argf("%s%g", maxex ? "(" : "", max);
    char c[32];
    sprintf(c, ":%zu\r\n", count);
    check_reply(c, strlen(c), "zcount");
}

/* Expected replies with NULs: expect_reply's length is its header's
 * claim, so compute it by walking (strlen stops at a NUL member). */
static size_t reply_len(const char *p)
{
    size_t n = strtoul(p + 1, NULL, 10);
    const char *q = strchr(p, '\n') + 1;
    for (size_t i = 0; i < n; i++) {
        size_t l = strtoul(q + 1, NULL, 10);
        q = strchr(q, '\n') + 1 + l + 2;
    }
    return (size_t)(q - p);
}

static void one_rank_query(size_t n)
{
    long long s = rand() % ((long long)n * 2 + 6) - (long long)n - 3;
    long long e = rand() % ((long long)n * 2 + 6) - (long long)n - 3;
    bool rev = rand() % 2, ws = rand() % 2;
    long long ln = (long long)MN, a = s < 0 ? s + ln : s, b = e < 0 ? e + ln : e;
    if (a < 0)
        a = 0;
    if (b >= ln)
        b = ln - 1;
    size_t cand[200], k = 0;
    for (long long r = a; r <= b; r++)
        cand[k++] = rev ? (size_t)(ln - 1 - r) : (size_t)r;
    args_reset();
    arg(rev ? "ZREVRANGE" : "ZRANGE", rev ? 9 : 6);
    arg("z", 1);
    argf("%lld", s);
    argf("%lld", e);
    if (ws)
        arg("WITHSCORES", 10);
    const char *want = expect_reply(cand, k, ws);
    check_reply(want, reply_len(want), "rank range");
}

static int lex_cmp(const melem_t *e, const char *s, size_t len)
{
    size_t n = e->len < len ? e->len : len;
    int c = memcmp(e->m, s, n);
    return c ? c : (int)e->len - (int)len;
}

/* A random lex bound: "-", "+", or "[" / "(" and a short string. */
static void rand_lex_bound(char *buf, size_t *len, int *kind)
{
    static const char alpha[] = {'a', 'b', '\0', '\xff'};
    *kind = rand() % 6;         /* 0 "-", 1 "+", 2..3 "[", 4..5 "(" */
    if (*kind < 2) {
        buf[0] = *kind ? '+' : '-';
        *len = 1;
        return;
    }
    buf[0] = *kind < 4 ? '[' : '(';
    *len = 1 + (size_t)(rand() % 3);
    for (size_t i = 1; i < *len; i++)
        buf[i] = alpha[rand() % 4];
}

static bool lex_ok(const melem_t *e, const char *b, size_t len, int kind, bool is_min)
{
    if (kind == 0)
        return is_min;
    if (kind == 1)
        return !is_min;
    int c = lex_cmp(e, b + 1, len - 1);
    if (is_min)
        return kind < 4 ? c >= 0 : c > 0;
    return kind < 4 ? c <= 0 : c < 0;
}

static void one_lex_query(size_t n)
{
    char lo[4], hi[4];
    size_t lolen, hilen;
    int lok, hik;
    rand_lex_bound(lo, &lolen, &lok);
    rand_lex_bound(hi, &hilen, &hik);
    bool rev = rand() % 2, lim = rand() % 2;
    long long off = rand() % ((long long)n + 3) - 1, cnt = rand() % ((long long)n + 3) - 2;
    size_t cand[200], k = 0;
    for (size_t j = 0; j < MN; j++) {
        size_t i = rev ? MN - 1 - j : j;
        if (lex_ok(&M[i], lo, lolen, lok, true) && lex_ok(&M[i], hi, hilen, hik, false))
            cand[k++] = i;
    }
    size_t count = k;
    if (lim)
        k = apply_limit(cand, k, off, cnt);
    args_reset();
    arg(rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", rev ? 14 : 11);
    arg("z", 1);
    arg(rev ? hi : lo, rev ? hilen : lolen);
    arg(rev ? lo : hi, rev ? lolen : hilen);
    if (lim) {
        arg("LIMIT", 5);
        argf("%lld", off);
        argf("%lld", cnt);
    }
    const char *want = expect_reply(cand, k, false);
    check_reply(want, reply_len(want), "lex range");
    args_reset();
    arg("ZLEXCOUNT", 9);
    arg("z", 1);
    arg(lo, lolen);
    arg(hi, hilen);
    char c[32];
    sprintf(c, ":%zu\r\n", count);
    check_reply(c, strlen(c), "zlexcount");
}

/* Random ranges over random sets, in each encoding. */
static void model_queries(bool big)
{
    cfg.zset_max_listpack_entries = big ? 0 : 128;
    srand(big ? 7 : 3);
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + (size_t)(rand() % 40);
        bool lex = round % 2;
        model_fill(n, lex);
        run("DEL z");
        model_load("z");
        cr_assert_eq(enc_of(ks1, "z"), big ? ENC_ZSET_ZS : ENC_ZSET_LP);
        for (int q = 0; q < 60; q++) {
            one_rank_query(MN);
            if (lex)
                one_lex_query(MN);
            else
                one_score_query(MN);
        }
    }
}

Test(zset_range, model_listpack)
{
    model_queries(false);
}

Test(zset_range, model_big)
{
    model_queries(true);
}

/* ZREMRANGEBY*: the model's members outside the range remain. */
static void remove_check(const char *what)
{
    size_t idx[200];
    for (size_t i = 0; i < MN; i++)
        idx[i] = i;
    const char *want = expect_reply(idx, MN, true);
    args_reset();
    arg("ZRANGE", 6);
    arg("z", 1);
    arg("0", 1);
    arg("-1", 2);
    arg("WITHSCORES", 10);
    check_reply(want, reply_len(want), what);
    cr_assert_eq(find(ks1, "z") != NULL, MN > 0, "%s: an emptied key is deleted", what);
    check_mem(ks1, what);
}

static void model_removals(bool big)
{
    cfg.zset_max_listpack_entries = big ? 0 : 128;
    srand(big ? 11 : 5);
    for (int round = 0; round < 120; round++) {
        bool lex = round % 3 == 2;
        model_fill(1 + (size_t)(rand() % 30), lex);
        run("DEL z");
        model_load("z");
        size_t keep = 0, before = MN;
        args_reset();
        if (round % 3 == 0) {
            long long ln = (long long)MN;
            long long s = rand() % (2 * ln + 4) - ln - 2, e = rand() % (2 * ln + 4) - ln - 2;
            long long a = s < 0 ? s + ln : s, b = e < 0 ? e + ln : e;
            arg("ZREMRANGEBYRANK", 15);
            arg("z", 1);
            argf("%lld", s);
            argf("%lld", e);
            for (size_t i = 0; i < MN; i++)
                if (!((long long)i >= a && (long long)i <= b))
                    M[keep++] = M[i];
        } else if (round % 3 == 1) {
            double min, max;
            bool minex, maxex;
            rand_score_bound(&min, &minex);
            rand_score_bound(&max, &maxex);
            arg("ZREMRANGEBYSCORE", 16);
            arg("z", 1);
            argf("%s%g", minex ? "(" : "", min);
            argf("%s%g", maxex ? "(" : "", max);
            for (size_t i = 0; i < MN; i++)
                if (!in_score(M[i].score, min, minex, max, maxex))
                    M[keep++] = M[i];
        } else {
            char lo[4], hi[4];
            size_t lolen, hilen;
            int lok, hik;
            rand_lex_bound(lo, &lolen, &lok);
            rand_lex_bound(hi, &hilen, &hik);
            arg("ZREMRANGEBYLEX", 14);
            arg("z", 1);
            arg(lo, lolen);
            arg(hi, hilen);
            for (size_t i = 0; i < MN; i++)
                if (!(lex_ok(&M[i], lo, lolen, lok, true) && lex_ok(&M[i], hi, hilen, hik, false)))
                    M[keep++] = M[i];
        }
        char c[32];
        sprintf(c, ":%zu\r\n", before - keep);
        check_reply(c, strlen(c), "zremrange count");
        MN = keep;
        remove_check("zremrange");
        if (MN)
            cr_assert_eq(enc_of(ks1, "z"), big ? ENC_ZSET_ZS : ENC_ZSET_LP, "encoding kept");
    }
}

Test(zset_range, removals_listpack)
{
    model_removals(false);
}

Test(zset_range, removals_big)
{
    model_removals(true);
}

/* ---- ZRANGESTORE ---- */

Test(zset_range, rangestore_across_keyspaces)
{
    run("ZADD src 1 a 2 b 3 c 4 d");
    cr_assert_not_null(find(ks1, "src"));
    route[1] = ks2;             /* destination */
    route[2] = ks1;             /* source */
    routed = true;
    ks_add(ks2, "dst", 3, "old", 3);
    EXPECT("ZRANGESTORE dst src 1 2", ":2\r\n");
    cr_assert_eq(enc_of(ks2, "dst"), ENC_ZSET_LP, "a string replaced by a zset");
    check_mem(ks2, "rangestore");
    route[1] = ks2;
    EXPECT("ZRANGESTORE dst src +inf (1 BYSCORE REV LIMIT 0 2", ":2\r\n");
    routed = false;
    ks_t *keep = ks1;
    ks1 = ks2;
    EXPECT("ZRANGE dst 0 -1 WITHSCORES", "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n");
    ks1 = keep;
    routed = true;
    /* An empty result deletes the destination, even from a missing source. */
    EXPECT("ZRANGESTORE dst src 10 20", ":0\r\n");
    cr_assert_null(find(ks2, "dst"));
    ks_add(ks2, "dst", 3, "old", 3);
    EXPECT("ZRANGESTORE dst nosuch 0 -1", ":0\r\n");
    cr_assert_null(find(ks2, "dst"));
    /* A source of the wrong type leaves the destination alone. */
    ks_add(ks1, "str", 3, "v", 1);
    ks_add(ks2, "dst", 3, "old", 3);
    EXPECT("ZRANGESTORE dst str 0 -1", WT);
    cr_assert_not_null(find(ks2, "dst"));
    check_mem(ks1, "rangestore");
    check_mem(ks2, "rangestore");
}

Test(zset_range, rangestore_encoding_and_self)
{
    char line[64];
    for (int i = 0; i < 200; i++) {
        snprintf(line, sizeof line, "ZADD z %d m%03d", i, i);
        run(line);
    }
    cr_assert_eq(enc_of(ks1, "z"), ENC_ZSET_ZS);
    EXPECT("ZRANGESTORE d z 0 127", ":128\r\n");
    cr_assert_eq(enc_of(ks1, "d"), ENC_ZSET_LP, "128 members fit a listpack");
    EXPECT("ZRANGESTORE d z 0 128 REV", ":129\r\n");
    cr_assert_eq(enc_of(ks1, "d"), ENC_ZSET_ZS);
    EXPECT("ZRANGE d 0 0 WITHSCORES", "*2\r\n$4\r\nm071\r\n$2\r\n71\r\n");
    EXPECT("ZRANGESTORE d z 5 (9 BYSCORE", ":4\r\n");
    cr_assert_eq(enc_of(ks1, "d"), ENC_ZSET_LP);
    /* The source as its own destination. */
    EXPECT("ZRANGESTORE z z 10 12", ":3\r\n");
    EXPECT("ZRANGE z 0 -1", "*3\r\n$4\r\nm010\r\n$4\r\nm011\r\n$4\r\nm012\r\n");
    cr_assert_eq(enc_of(ks1, "z"), ENC_ZSET_LP);
    EXPECT("ZRANGESTORE z z [x + BYLEX", ":0\r\n");
    cr_assert_null(find(ks1, "z"));
    check_mem(ks1, "self store");
}

/* ---- deletions: WATCH and memory ---- */

Test(zset_range, removals_touch_only_when_they_delete)
{
    run("ZADD z 1 a 2 b 3 c 4 d");
    cr_assert(!touched_by("ZREMRANGEBYRANK z 5 9", "z"));
    cr_assert(!touched_by("ZREMRANGEBYSCORE z 10 20", "z"));
    cr_assert(!touched_by("ZREMRANGEBYLEX z (d +", "z"));
    cr_assert(!touched_by("ZRANGE z 0 -1", "z"));
    cr_assert(!touched_by("ZCOUNT z -inf +inf", "z"));
    cr_assert(touched_by("ZREMRANGEBYRANK z 0 0", "z"));
    cr_assert(touched_by("ZREMRANGEBYSCORE z 2 2", "z"));
    cr_assert(touched_by("ZREMRANGEBYLEX z [c [c", "z"));
    check_mem(ks1, "removals");
    cr_assert(touched_by("ZRANGESTORE z z 0 -1", "z"));
    cr_assert(touched_by("ZREMRANGEBYRANK z 0 -1", "z"));
    cr_assert_null(find(ks1, "z"));
    check_mem(ks1, "removals");
}

/* A big set: ranges in the middle of 5000 members, deletions that leave
 * the rest in order. */
Test(zset_range, big_set_middle_ranges)
{
    char line[64];
    for (int i = 0; i < 5000; i++) {
        snprintf(line, sizeof line, "ZADD z %d m%04d", i / 2, i);
        run(line);
    }
    cr_assert_eq(enc_of(ks1, "z"), ENC_ZSET_ZS);
    EXPECT("ZRANGEBYSCORE z (1000 1001", "*2\r\n$5\r\nm2002\r\n$5\r\nm2003\r\n");
    EXPECT("ZREVRANGEBYSCORE z 1001 (1000 LIMIT 1 5", "*1\r\n$5\r\nm2002\r\n");
    EXPECT("ZRANGE z 2500 2501 WITHSCORES", "*4\r\n$5\r\nm2500\r\n$4\r\n1250\r\n"
                                            "$5\r\nm2501\r\n$4\r\n1250\r\n");
    EXPECT("ZCOUNT z 100 (200", ":200\r\n");
    EXPECT("ZREMRANGEBYSCORE z 100 (200", ":200\r\n");
    EXPECT("ZCOUNT z -inf +inf", ":4800\r\n");
    EXPECT("ZRANGE z 199 200", "*2\r\n$5\r\nm0199\r\n$5\r\nm0400\r\n");
    EXPECT("ZREMRANGEBYRANK z 0 -4001", ":800\r\n");
    EXPECT("ZRANGE z 0 0", "*1\r\n$5\r\nm1000\r\n");
    check_mem(ks1, "big removals");
}
