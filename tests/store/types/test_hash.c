/*
 * test_hash.c - the hash commands in process, on one keyspace: both
 * encodings and the conversions between them (at the entry and value
 * thresholds, before and after a write, never back), binary fields and
 * values, deletion of an emptied hash in either encoding, memory
 * accounting and WATCH after every kind of write, integer and float edge
 * cases, HRANDFIELD's cases (repeats, distinct picks near and far from the
 * size, the whole hash, RESP2 and RESP3 shapes, huge counts) and HSCAN's
 * guarantee on a hash table that grows, rehashes and shrinks between
 * calls.
 *
 * Replies are parsed by a small RESP reader below (bulk strings, integers,
 * nulls and nested aggregates, flattened).
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/reply.h"
#include "store/commands.h"
#include "store/db/keyspace.h"
#include "store/db/ks_watch.h"
#include "store/enc/ht.h"

#define NOW 1700000000000LL
#define MAXA 1100

/* ---- running commands ---- */

typedef struct env {
    ks_t *ks;
    store_cfg_t cfg;
    reply_t r;
} env_t;

static env_t E;

static void setup(void)
{
    E.ks = ks_create(42);
    E.cfg = STORE_CFG_DEFAULT;
    reply_init(&E.r, 2);
}

static void teardown(void)
{
    reply_free(&E.r);
    ks_destroy(E.ks);
}

TestSuite(hash, .init = setup, .fini = teardown);

/* Run argv; the reply stays in E.r (NUL-terminated for the asserts). */
static const char *runv(int argc, const cmd_arg_t *argv)
{
    const cmd_t *c = cmd_lookup(argv[0].ptr, argv[0].len);
    cr_assert_neq(c, NULL, "no command %.*s", (int)argv[0].len, argv[0].ptr);
    reply_reset(&E.r);
    cmd_ctx_t ctx = {.ks = E.ks, .argc = argc, .argv = argv, .reply = &E.r,
                     .now_ms = NOW, .cfg = &E.cfg};
    cmd_exec(c, &ctx);
    cr_assert(!reply_failed(&E.r));
    reply_raw(&E.r, "", 1);
    E.r.len--;
    return E.r.buf;
}

#define A(s) {s, sizeof(s) - 1}
#define RUN(...) runv((int)(sizeof((cmd_arg_t[]){__VA_ARGS__}) / sizeof(cmd_arg_t)), \
                      (cmd_arg_t[]){__VA_ARGS__})
#define EXPECT(exp, ...) do { \
        const char *got_ = RUN(__VA_ARGS__); \
        cr_assert(E.r.len == sizeof(exp) - 1 && memcmp(got_, exp, E.r.len) == 0, \
                  "expected %s got %s", #exp, got_); \
    } while (0)

/* Argument lists built at run time (many fields). */
typedef struct args {
    cmd_arg_t v[MAXA];
    char buf[MAXA][32];
    int n;
} args_t;

static void args_add(args_t *a, const char *fmt, long long i)
{
    cr_assert(a->n < MAXA);
    int len = snprintf(a->buf[a->n], sizeof a->buf[0], fmt, i);
    a->v[a->n].ptr = a->buf[a->n];
    a->v[a->n].len = (size_t)len;
    a->n++;
}

static void args_str(args_t *a, const char *s)
{
    cr_assert(a->n < MAXA && strlen(s) < sizeof a->buf[0]);
    strcpy(a->buf[a->n], s);
    a->v[a->n].ptr = a->buf[a->n];
    a->v[a->n].len = strlen(s);
    a->n++;
}

/* HSET key f<from>..f<to-1> with values v<i>, 500 pairs a call. */
static void hset_range(const char *key, long long from, long long to)
{
    static args_t a;
    for (long long at = from; at < to; at += 500) {
        a.n = 0;
        args_str(&a, "HSET");
        args_str(&a, key);
        for (long long i = at; i < to && i < at + 500; i++) {
            args_add(&a, "f%lld", i);
            args_add(&a, "v%lld", i);
        }
        runv(a.n, a.v);
    }
}

static entry_t *get(const char *key)
{
    return ks_peek(E.ks, key, strlen(key));
}

static const char *enc(const char *key)
{
    entry_t *e = get(key);
    cr_assert_neq(e, NULL, "no key %s", key);
    return entry_encoding(e);
}

/* ---- a small RESP reader: every bulk string / integer / null of a reply,
 * depth first ---- */

typedef struct item {
    const char *s;      /* NULL for a null */
    size_t len;
    long long ll;       /* integers */
    char type;
} item_t;

typedef struct parsed {
    item_t it[1 << 16];
    size_t n;
    long long top;      /* the top aggregate's count */
    char toptype;
} parsed_t;

static const char *parse_one(const char *p, parsed_t *o, int depth)
{
    char t = *p++;
    long long n = strtoll(p, NULL, 10);
    p = strstr(p, "\r\n") + 2;
    if (depth == 0) {
        o->top = n;
        o->toptype = t;
    }
    switch (t) {
    case '*': case '~': case '%':
        if (t == '%')
            n *= 2;
        for (long long i = 0; i < n; i++)
            p = parse_one(p, o, depth + 1);
        return p;
    case '$':
        cr_assert(o->n < (1 << 16));
        if (n < 0) {
            o->it[o->n++] = (item_t){.type = '_'};
            return p;
        }
        o->it[o->n++] = (item_t){.s = p, .len = (size_t)n, .type = '$'};
        return p + n + 2;
    case ':':
        o->it[o->n++] = (item_t){.ll = n, .type = ':'};
        return p;
    case '_':
        o->it[o->n++] = (item_t){.type = '_'};
        return p;
    }
    cr_assert_fail("unexpected reply type %c", t);
    return p;
}

static parsed_t P;

static parsed_t *parse(const char *reply)
{
    P.n = 0;
    parse_one(reply, &P, 0);
    return &P;
}

static bool item_is(const item_t *it, const char *s)
{
    return it->s && it->len == strlen(s) && memcmp(it->s, s, it->len) == 0;
}

/* "f<i>" -> i, -1 if not of that form. */
static long long field_no(const item_t *it)
{
    if (!it->s || it->len < 2 || it->s[0] != 'f')
        return -1;
    char b[32];
    snprintf(b, sizeof b, "%.*s", (int)it->len - 1, it->s + 1);
    return atoll(b);
}

/* ---- encodings ---- */

Test(hash, listpack_then_hashtable_at_entries)
{
    E.cfg.hash_max_listpack_entries = 4;
    hset_range("h", 0, 4);
    cr_assert_str_eq(enc("h"), "listpack");
    EXPECT(":0\r\n", A("HSET"), A("h"), A("f0"), A("again"));
    cr_assert_str_eq(enc("h"), "listpack");
    EXPECT(":1\r\n", A("HSET"), A("h"), A("f4"), A("v4"));
    cr_assert_str_eq(enc("h"), "hashtable");
    /* never back, whatever is deleted or configured */
    E.cfg.hash_max_listpack_entries = 512;
    EXPECT(":4\r\n", A("HDEL"), A("h"), A("f0"), A("f1"), A("f2"), A("f3"));
    cr_assert_str_eq(enc("h"), "hashtable");
    EXPECT("$2\r\nv4\r\n", A("HGET"), A("h"), A("f4"));
    EXPECT(":1\r\n", A("HDEL"), A("h"), A("f4"));
    cr_assert_eq(get("h"), NULL);
}

Test(hash, zero_entries_means_always_table)
{
    E.cfg.hash_max_listpack_entries = 0;
    EXPECT(":1\r\n", A("HINCRBY"), A("h"), A("a"), A("1"));
    cr_assert_str_eq(enc("h"), "hashtable");
    EXPECT(":1\r\n", A("HSETNX"), A("h2"), A("a"), A("1"));
    cr_assert_str_eq(enc("h2"), "hashtable");
}

Test(hash, converts_before_adding_a_long_value)
{
    E.cfg.hash_max_listpack_value = 8;
    EXPECT(":1\r\n", A("HSET"), A("h"), A("a"), A("12345678"));
    cr_assert_str_eq(enc("h"), "listpack");
    EXPECT(":1\r\n", A("HSET"), A("h"), A("b"), A("123456789"));
    cr_assert_str_eq(enc("h"), "hashtable");
    /* a long field in a later pair of the same call */
    EXPECT(":2\r\n", A("HSET"), A("h2"), A("a"), A("1"), A("123456789"), A("2"));
    cr_assert_str_eq(enc("h2"), "hashtable");
    EXPECT("$1\r\n2\r\n", A("HGET"), A("h2"), A("123456789"));
}

Test(hash, hsetnx_converts_only_when_it_adds)
{
    E.cfg.hash_max_listpack_value = 3;
    EXPECT(":1\r\n", A("HSET"), A("h"), A("a"), A("1"));
    EXPECT(":0\r\n", A("HSETNX"), A("h"), A("a"), A("long value"));
    cr_assert_str_eq(enc("h"), "listpack");
    EXPECT(":1\r\n", A("HSETNX"), A("h"), A("b"), A("long value"));
    cr_assert_str_eq(enc("h"), "hashtable");
}

Test(hash, increments_convert_on_long_results)
{
    E.cfg.hash_max_listpack_value = 5;
    EXPECT(":1\r\n", A("HSET"), A("h"), A("a"), A("99999"));
    EXPECT(":100000\r\n", A("HINCRBY"), A("h"), A("a"), A("1"));
    cr_assert_str_eq(enc("h"), "hashtable");
    EXPECT(":1\r\n", A("HSET"), A("g"), A("a"), A("1"));
    EXPECT("$6\r\n1.1234\r\n", A("HINCRBYFLOAT"), A("g"), A("a"), A("0.1234"));
    cr_assert_str_eq(enc("g"), "hashtable");
    EXPECT(":1\r\n", A("HSET"), A("k"), A("a"), A("1"));
    EXPECT(":1\r\n", A("HINCRBY"), A("k"), A("abcdef"), A("1"));
    cr_assert_str_eq(enc("k"), "hashtable");
}

/* The same reads in both encodings, binary safe. */
static void binary_reads(void)
{
    EXPECT(":3\r\n", A("HSET"), A("h"), A(""), A(""), A("a\0b"), A("v\0w"), A("5"), A("-7"));
    EXPECT("$0\r\n\r\n", A("HGET"), A("h"), A(""));
    EXPECT("$3\r\nv\0w\r\n", A("HGET"), A("h"), A("a\0b"));
    EXPECT("$-1\r\n", A("HGET"), A("h"), A("a"));
    EXPECT("$-1\r\n", A("HGET"), A("h"), A("a\0c"));
    EXPECT("$-1\r\n", A("HGET"), A("h"), A("05"));
    EXPECT("$2\r\n-7\r\n", A("HGET"), A("h"), A("5"));
    EXPECT(":2\r\n", A("HSTRLEN"), A("h"), A("5"));
    EXPECT(":3\r\n", A("HSTRLEN"), A("h"), A("a\0b"));
    EXPECT(":1\r\n", A("HEXISTS"), A("h"), A(""));
    EXPECT(":3\r\n", A("HLEN"), A("h"));
    EXPECT("*4\r\n$0\r\n\r\n$3\r\nv\0w\r\n$-1\r\n$2\r\n-7\r\n",
           A("HMGET"), A("h"), A(""), A("a\0b"), A("nosuch"), A("5"));
    EXPECT(":-3\r\n", A("HINCRBY"), A("h"), A("5"), A("4"));
    parsed_t *p = parse(RUN(A("HGETALL"), A("h")));
    cr_assert_eq(p->n, 6);
    EXPECT(":1\r\n", A("HDEL"), A("h"), A("a\0b"));
    EXPECT(":0\r\n", A("HDEL"), A("h"), A("a\0b"));
    EXPECT(":2\r\n", A("HDEL"), A("h"), A(""), A("5"));
    cr_assert_eq(get("h"), NULL);
    ks_stats_t st;
    ks_stats(E.ks, &st);
    cr_assert_eq(st.keys, 0);
    cr_assert_eq(st.mem_data, 0, "an emptied hash left %zu bytes accounted", st.mem_data);
}

Test(hash, binary_listpack)
{
    binary_reads();
}

Test(hash, binary_hashtable)
{
    E.cfg.hash_max_listpack_entries = 0;
    binary_reads();
}

/* ---- memory accounting and WATCH ---- */

Test(hash, memory_returns_to_empty)
{
    size_t base = ks_memory(E.ks);
    E.cfg.hash_max_listpack_entries = 8;
    EXPECT(":1\r\n", A("HSET"), A("h"), A("a"), A("1"));
    size_t one = ks_memory(E.ks);
    cr_assert_gt(one, base);
    hset_range("h", 0, 50);
    cr_assert_str_eq(enc("h"), "hashtable");
    size_t big = ks_memory(E.ks);
    cr_assert_gt(big, one);
    EXPECT(":51\r\n", A("HLEN"), A("h"));
    /* the accounted size follows the value, write after write */
    RUN(A("HINCRBY"), A("h"), A("f1"), A("100000000000"));
    RUN(A("HINCRBYFLOAT"), A("h"), A("f2"), A("1.5"));
    RUN(A("HSETNX"), A("h"), A("new"), A("x"));
    RUN(A("HMSET"), A("h"), A("f3"), A("a much longer value than before, to grow the node"));
    RUN(A("HDEL"), A("h"), A("f4"), A("f5"));
    entry_t *e = get("h");
    ks_stats_t st;
    ks_stats(E.ks, &st);
    cr_assert_eq(st.mem_data, entry_mem(e), "data %zu entry %zu", st.mem_data, entry_mem(e));
    cr_assert_gt(entry_mem(e), ht_mem(e->v.obj));
    RUN(A("DEL"), A("h"));
    ks_stats(E.ks, &st);
    cr_assert_eq(st.mem_data, 0);
}

Test(hash, memory_listpack_writes)
{
    EXPECT(":2\r\n", A("HSET"), A("h"), A("a"), A("1"), A("b"), A("2"));
    RUN(A("HSET"), A("h"), A("a"), A("a longer value"));
    RUN(A("HINCRBY"), A("h"), A("b"), A("1000000"));
    RUN(A("HINCRBYFLOAT"), A("h"), A("c"), A("0.25"));
    ks_stats_t st;
    ks_stats(E.ks, &st);
    cr_assert_eq(st.mem_data, entry_mem(get("h")));
    EXPECT(":3\r\n", A("HDEL"), A("h"), A("a"), A("b"), A("c"));
    ks_stats(E.ks, &st);
    cr_assert_eq(st.mem_data, 0);
    cr_assert_eq(st.keys, 0);
}

static bool touched_by(const cmd_arg_t *argv, int argc)
{
    uint64_t ver;
    bool expired;
    cr_assert_eq(ks_watch(E.ks, "h", 1, &ver, &expired), 0);
    runv(argc, argv);
    return ks_watch_touched(E.ks, "h", 1, ver, expired);
}

#define TOUCHES(...) touched_by((cmd_arg_t[]){__VA_ARGS__}, \
                                (int)(sizeof((cmd_arg_t[]){__VA_ARGS__}) / sizeof(cmd_arg_t)))

Test(hash, watch_sees_writes_only)
{
    RUN(A("HSET"), A("h"), A("a"), A("1"), A("b"), A("x"));
    cr_assert(TOUCHES(A("HSET"), A("h"), A("a"), A("1")));
    cr_assert(TOUCHES(A("HMSET"), A("h"), A("c"), A("1")));
    cr_assert(TOUCHES(A("HINCRBY"), A("h"), A("a"), A("1")));
    cr_assert(TOUCHES(A("HINCRBYFLOAT"), A("h"), A("a"), A("1")));
    cr_assert(TOUCHES(A("HSETNX"), A("h"), A("d"), A("1")));
    cr_assert(TOUCHES(A("HDEL"), A("h"), A("d")));
    cr_assert(!TOUCHES(A("HSETNX"), A("h"), A("a"), A("1")));
    cr_assert(!TOUCHES(A("HDEL"), A("h"), A("nosuch")));
    cr_assert(!TOUCHES(A("HINCRBY"), A("h"), A("b"), A("1")));
    cr_assert(!TOUCHES(A("HINCRBYFLOAT"), A("h"), A("b"), A("1")));
    cr_assert(!TOUCHES(A("HGET"), A("h"), A("a")));
    cr_assert(!TOUCHES(A("HGETALL"), A("h")));
    cr_assert(!TOUCHES(A("HRANDFIELD"), A("h"), A("-5")));
    cr_assert(!TOUCHES(A("HSCAN"), A("h"), A("0")));
    cr_assert(TOUCHES(A("HDEL"), A("h"), A("a"), A("b"), A("c")));
    cr_assert_eq(get("h"), NULL);
}

/* ---- numbers ---- */

Test(hash, hincrby_edges)
{
    EXPECT(":-9223372036854775808\r\n", A("HINCRBY"), A("h"), A("a"),
           A("-9223372036854775808"));
    EXPECT("-ERR increment or decrement would overflow\r\n", A("HINCRBY"), A("h"), A("a"),
           A("-1"));
    EXPECT(":9223372036854775807\r\n", A("HINCRBY"), A("h"), A("b"), A("9223372036854775807"));
    EXPECT("-ERR increment or decrement would overflow\r\n", A("HINCRBY"), A("h"), A("b"),
           A("1"));
    EXPECT(":-1\r\n", A("HINCRBY"), A("h"), A("a"), A("9223372036854775807"));
    EXPECT("-ERR value is not an integer or out of range\r\n", A("HINCRBY"), A("h"), A("a"),
           A("9223372036854775808"));
    RUN(A("HSET"), A("h"), A("s"), A(" 1"), A("z"), A("05"));
    EXPECT("-ERR hash value is not an integer\r\n", A("HINCRBY"), A("h"), A("s"), A("1"));
    EXPECT("-ERR hash value is not an integer\r\n", A("HINCRBY"), A("h"), A("z"), A("1"));
    /* the increment is parsed before the key is looked up */
    RUN(A("SET"), A("str"), A("x"));
    EXPECT("-ERR value is not an integer or out of range\r\n", A("HINCRBY"), A("str"), A("a"),
           A("x"));
    EXPECT("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
           A("HINCRBY"), A("str"), A("a"), A("1"));
}

Test(hash, hincrbyfloat_edges)
{
    EXPECT("$4\r\n10.5\r\n", A("HINCRBYFLOAT"), A("h"), A("a"), A("10.5"));
    EXPECT("$4\r\n5000\r\n", A("HINCRBYFLOAT"), A("h"), A("b"), A("5.0e3"));
    EXPECT("$1\r\n0\r\n", A("HINCRBYFLOAT"), A("h"), A("c"), A("-0"));
    EXPECT("-ERR value is NaN or Infinity\r\n", A("HINCRBYFLOAT"), A("new"), A("a"), A("inf"));
    cr_assert_eq(get("new"), NULL);
    EXPECT("-ERR value is not a valid float\r\n", A("HINCRBYFLOAT"), A("h"), A("a"), A("nan"));
    RUN(A("HSET"), A("h"), A("i"), A("inf"), A("n"), A("nan"));
    EXPECT("-ERR increment would produce NaN or Infinity\r\n", A("HINCRBYFLOAT"), A("h"),
           A("i"), A("1"));
    EXPECT("-ERR hash value is not a float\r\n", A("HINCRBYFLOAT"), A("h"), A("n"), A("1"));
    /* an integer result is stored as one: the listpack keeps an integer */
    EXPECT("$2\r\n11\r\n", A("HINCRBYFLOAT"), A("h"), A("a"), A("0.5"));
    EXPECT(":12\r\n", A("HINCRBY"), A("h"), A("a"), A("1"));
}

/* ---- HRANDFIELD ---- */

/* Checks an HRANDFIELD reply of n picks from fields f0..f<size-1> with
 * values v<i>; counts each field's appearances into seen. */
static void check_picks(const char *reply, long long n, bool withvalues, int proto,
                        long long size, int *seen)
{
    parsed_t *p = parse(reply);
    long long per = withvalues ? 2 : 1;
    cr_assert_eq(p->toptype, '*');
    cr_assert_eq(p->top, proto == 3 || !withvalues ? n : n * 2);
    cr_assert_eq((long long)p->n, n * per);
    for (size_t i = 0; i < p->n; i += (size_t)per) {
        long long f = field_no(&p->it[i]);
        cr_assert(f >= 0 && f < size, "bad field %.*s", (int)p->it[i].len, p->it[i].s);
        if (withvalues) {
            char v[32];
            snprintf(v, sizeof v, "v%lld", f);
            cr_assert(item_is(&p->it[i + 1], v));
        }
        seen[f]++;
    }
}

static void hrandfield_cases(long long size)
{
    static int seen[1000];
    char cnt[32];
    hset_range("h", 0, size);
    for (int proto = 2; proto <= 3; proto++) {
        E.r.proto = proto;
        for (int wv = 0; wv < 2; wv++) {
            /* repeats: exactly |count| picks, and every field turns up.
             * The picks are Redis's "fair" sample, far from uniform while
             * a table rehashes (a field may come 5x below the mean), so
             * 300 picks per field in 6 calls: the rarest expects about
             * 60. */
            memset(seen, 0, sizeof seen);
            long long n = size * 50;
            snprintf(cnt, sizeof cnt, "-%lld", n);
            cmd_arg_t a[] = {A("HRANDFIELD"), A("h"), {cnt, strlen(cnt)}, A("WITHVALUES")};
            for (int call = 0; call < 6; call++)
                check_picks(runv(3 + wv, a), n, wv, proto, size, seen);
            for (long long i = 0; i < size; i++)
                cr_assert_gt(seen[i], 0, "field %lld never picked", i);
            /* distinct, for counts near and far from the size */
            long long counts[] = {1, 2, size / 4, size / 3, size / 3 + 1, size / 2, size - 1};
            for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
                long long c = counts[k];
                if (c < 1)
                    continue;
                memset(seen, 0, sizeof seen);
                snprintf(cnt, sizeof cnt, "%lld", c);
                cmd_arg_t b[] = {A("HRANDFIELD"), A("h"), {cnt, strlen(cnt)}, A("WITHVALUES")};
                check_picks(runv(3 + wv, b), c, wv, proto, size, seen);
                for (long long i = 0; i < size; i++)
                    cr_assert_leq(seen[i], 1, "count %lld: field %lld twice", c, i);
            }
            /* the whole hash */
            memset(seen, 0, sizeof seen);
            snprintf(cnt, sizeof cnt, "%lld", size);
            cmd_arg_t d[] = {A("HRANDFIELD"), A("h"), {cnt, strlen(cnt)}, A("WITHVALUES")};
            check_picks(runv(3 + wv, d), size, wv, proto, size, seen);
            for (long long i = 0; i < size; i++)
                cr_assert_eq(seen[i], 1);
        }
    }
    /* no count: every field turns up */
    E.r.proto = 2;
    memset(seen, 0, sizeof seen);
    for (long long i = 0; i < size * 300; i++) {     /* as above */
        parsed_t *p = parse(RUN(A("HRANDFIELD"), A("h")));
        cr_assert_eq(p->n, 1);
        long long f = field_no(&p->it[0]);
        cr_assert(f >= 0 && f < size);
        seen[f]++;
    }
    for (long long i = 0; i < size; i++)
        cr_assert_gt(seen[i], 0);
}

Test(hash, hrandfield_listpack)
{
    hrandfield_cases(60);
    cr_assert_str_eq(enc("h"), "listpack");
}

Test(hash, hrandfield_hashtable)
{
    E.cfg.hash_max_listpack_entries = 16;
    hrandfield_cases(600);
    cr_assert_str_eq(enc("h"), "hashtable");
}

Test(hash, hrandfield_shapes)
{
    RUN(A("HSET"), A("h"), A("a"), A("1"));
    EXPECT("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n", A("HRANDFIELD"), A("h"),
           A("-2"), A("WITHVALUES"));
    E.r.proto = 3;
    EXPECT("*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", A("HRANDFIELD"),
           A("h"), A("-2"), A("WITHVALUES"));
    EXPECT("*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", A("HRANDFIELD"), A("h"), A("1"),
           A("withvalues"));
    EXPECT("_\r\n", A("HRANDFIELD"), A("nokey"));
    EXPECT("*0\r\n", A("HRANDFIELD"), A("nokey"), A("3"));
    EXPECT("*0\r\n", A("HRANDFIELD"), A("h"), A("0"), A("WITHVALUES"));
    EXPECT("-ERR value is out of range\r\n", A("HRANDFIELD"), A("h"),
           A("-4611686018427387904"), A("WITHVALUES"));
    EXPECT("-ERR value is out of range, value must between -9223372036854775807 and "
           "9223372036854775807\r\n", A("HRANDFIELD"), A("h"), A("-9223372036854775808"));
    /* a count whose reply could not be carried is refused, not built */
    EXPECT("-ERR value is out of range\r\n", A("HRANDFIELD"), A("h"),
           A("-9223372036854775807"));
    EXPECT("-ERR value is out of range\r\n", A("HRANDFIELD"), A("h"),
           A("-4611686018427387903"), A("WITHVALUES"));
    /* while a huge distinct count is the whole hash */
    EXPECT("*1\r\n$1\r\na\r\n", A("HRANDFIELD"), A("h"), A("9223372036854775807"));
}

/* ---- HSCAN ---- */

/* One HSCAN call: returns the next cursor; marks the fields f<i> seen. */
static unsigned long hscan_page(unsigned long cursor, const char *count, int *seen, size_t nseen)
{
    char cur[32];
    snprintf(cur, sizeof cur, "%lu", cursor);
    cmd_arg_t a[] = {A("HSCAN"), A("h"), {cur, strlen(cur)}, A("COUNT"), {count, strlen(count)}};
    parsed_t *p = parse(runv(5, a));
    cr_assert_eq(p->top, 2);
    cr_assert_geq(p->n, 1);
    char b[32];
    snprintf(b, sizeof b, "%.*s", (int)p->it[0].len, p->it[0].s);
    cr_assert_eq((p->n - 1) % 2, 0);
    for (size_t i = 1; i < p->n; i += 2) {
        long long f = field_no(&p->it[i]);
        cr_assert(f >= 0);
        char v[32];
        snprintf(v, sizeof v, "v%lld", f);
        cr_assert(item_is(&p->it[i + 1], v));
        if ((size_t)f < nseen)
            seen[f]++;
    }
    return strtoul(b, NULL, 10);
}

Test(hash, hscan_listpack_one_page)
{
    static int seen[100];
    hset_range("h", 0, 100);
    cr_assert_str_eq(enc("h"), "listpack");
    cr_assert_eq(hscan_page(77, "1", seen, 100), 0);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(seen[i], 1);
}

/* Every field present for the whole scan is returned at least once, while
 * the table grows (rehashing between calls), then shrinks. */
Test(hash, hscan_guarantee_across_rehash)
{
    enum { ORIG = 300, EXTRA = 6000 };
    static int seen[ORIG];
    E.cfg.hash_max_listpack_entries = 8;
    hset_range("h", 0, ORIG);
    cr_assert_str_eq(enc("h"), "hashtable");
    unsigned long cursor = 0;
    long long added = ORIG, calls = 0;
    bool shrunk = false, rehashing_seen = false;
    do {
        cursor = hscan_page(cursor, "4", seen, ORIG);
        calls++;
        if (added < ORIG + EXTRA) {
            /* grow by a few per call: rehashes stay in progress */
            hset_range("h", added, added + 40);
            added += 40;
        } else if (!shrunk) {
            static args_t a;
            a.n = 0;
            args_str(&a, "HDEL");
            args_str(&a, "h");
            for (long long i = ORIG; i < added; i++) {
                args_add(&a, "f%lld", i);
                if (a.n == MAXA) {
                    runv(a.n, a.v);
                    a.n = 2;
                }
            }
            if (a.n > 2)
                runv(a.n, a.v);
            shrunk = true;
        }
        ht_t *ht = get("h")->v.obj;
        rehashing_seen |= ht_is_rehashing(ht);
    } while (cursor != 0);
    cr_assert(rehashing_seen);
    cr_assert_gt(calls, 10);
    for (int i = 0; i < ORIG; i++)
        cr_assert_geq(seen[i], 1, "field f%d missed", i);
    EXPECT(":300\r\n", A("HLEN"), A("h"));
}

Test(hash, hscan_count_bounds_a_page)
{
    E.cfg.hash_max_listpack_entries = 8;
    hset_range("h", 0, 1000);
    parsed_t *p = parse(RUN(A("HSCAN"), A("h"), A("0"), A("COUNT"), A("10")));
    /* a page stops once it holds COUNT fields (a bucket more at most) */
    cr_assert_geq((p->n - 1) / 2, 10);
    cr_assert_lt((p->n - 1) / 2, 10 + 8);
    p = parse(RUN(A("HSCAN"), A("h"), A("0"), A("COUNT"), A("1")));
    cr_assert_lt((p->n - 1) / 2, 8);
    p = parse(RUN(A("HSCAN"), A("h"), A("0"), A("MATCH"), A("f99?"), A("COUNT"), A("100000")));
    cr_assert(item_is(&p->it[0], "0"));
    cr_assert_eq(p->n - 1, 20);
    EXPECT("*2\r\n$1\r\n0\r\n*0\r\n", A("HSCAN"), A("nokey"), A("0"), A("COUNT"), A("0"));
    EXPECT("-ERR syntax error\r\n", A("HSCAN"), A("h"), A("0"), A("COUNT"), A("0"));
    EXPECT("-ERR invalid cursor\r\n", A("HSCAN"), A("nokey"), A("x"));
}

/* ---- the rest of the errors and shapes ---- */

Test(hash, replies_of_missing_keys)
{
    EXPECT("$-1\r\n", A("HGET"), A("h"), A("f"));
    EXPECT("*2\r\n$-1\r\n$-1\r\n", A("HMGET"), A("h"), A("a"), A("b"));
    EXPECT(":0\r\n", A("HLEN"), A("h"));
    EXPECT(":0\r\n", A("HSTRLEN"), A("h"), A("f"));
    EXPECT(":0\r\n", A("HEXISTS"), A("h"), A("f"));
    EXPECT(":0\r\n", A("HDEL"), A("h"), A("f"));
    EXPECT("*0\r\n", A("HKEYS"), A("h"));
    EXPECT("*0\r\n", A("HVALS"), A("h"));
    EXPECT("*0\r\n", A("HGETALL"), A("h"));
    E.r.proto = 3;
    EXPECT("%0\r\n", A("HGETALL"), A("h"));
    EXPECT("*2\r\n_\r\n_\r\n", A("HMGET"), A("h"), A("a"), A("b"));
    RUN(A("HSET"), A("h"), A("a"), A("1"));
    EXPECT("%1\r\n$1\r\na\r\n$1\r\n1\r\n", A("HGETALL"), A("h"));
    cr_assert_eq(ks_size(E.ks), 1);
}

Test(hash, hset_pairs_and_replies)
{
    EXPECT("-ERR wrong number of arguments for 'hset' command\r\n", A("HSET"), A("h"), A("a"),
           A("1"), A("b"));
    EXPECT("-ERR wrong number of arguments for 'hmset' command\r\n", A("HMSET"), A("h"), A("a"),
           A("1"), A("b"));
    cr_assert_eq(get("h"), NULL);
    EXPECT(":2\r\n", A("HSET"), A("h"), A("a"), A("1"), A("b"), A("2"), A("a"), A("3"));
    EXPECT("$1\r\n3\r\n", A("HGET"), A("h"), A("a"));
    EXPECT("+OK\r\n", A("HMSET"), A("h"), A("c"), A("1"));
    EXPECT("*6\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n1\r\n",
           A("HGETALL"), A("h"));
    EXPECT("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", A("HKEYS"), A("h"));
    EXPECT("*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n", A("HVALS"), A("h"));
}

Test(hash, wrongtype_everywhere)
{
    RUN(A("SET"), A("s"), A("x"));
    const char *w = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
#define WT(...) cr_assert_str_eq(RUN(__VA_ARGS__), w)
    WT(A("HSET"), A("s"), A("a"), A("1"));
    WT(A("HSETNX"), A("s"), A("a"), A("1"));
    WT(A("HMSET"), A("s"), A("a"), A("1"));
    WT(A("HGET"), A("s"), A("a"));
    WT(A("HMGET"), A("s"), A("a"));
    WT(A("HDEL"), A("s"), A("a"));
    WT(A("HLEN"), A("s"));
    WT(A("HSTRLEN"), A("s"), A("a"));
    WT(A("HEXISTS"), A("s"), A("a"));
    WT(A("HKEYS"), A("s"));
    WT(A("HVALS"), A("s"));
    WT(A("HGETALL"), A("s"));
    WT(A("HINCRBY"), A("s"), A("a"), A("1"));
    WT(A("HINCRBYFLOAT"), A("s"), A("a"), A("1"));
    WT(A("HRANDFIELD"), A("s"));
    WT(A("HRANDFIELD"), A("s"), A("0"));
    WT(A("HSCAN"), A("s"), A("0"), A("BAD"));
#undef WT
    cr_assert_str_eq(RUN(A("GET"), A("s")), "$1\r\nx\r\n");
}
