/*
 * test_zset_ops.c - the sorted set algebra in process (ZUNION ZINTER
 * ZDIFF ZINTERCARD and the STORE forms): replies byte for byte in RESP2
 * and RESP3, Redis's score rules (weights, SUM/MIN/MAX, inf + -inf and
 * inf * 0), plain sets of each encoding as inputs, the order of checks
 * and the exact errors, the STORE results' encodings at the listpack
 * limits, replaced and deleted destinations, a destination that is also
 * a source, big sets checked against a model, keys in two keyspaces (a
 * command over shards), memory accounting and WATCH.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/reply.h"
#include "store/commands.h"
#include "store/db/keyspace.h"
#include "store/db/ks_watch.h"
#include "store/types/set_enc.h"
#include "store/types/zset_obj.h"
#include "types_harness.h"

TestSuite(zops, .init = th_setup, .fini = th_teardown);

#define SYNTAX "-ERR syntax error\r\n"

/* The encoding of the sorted set at key, after checking its invariants. */
static unsigned zenc_of(ks_t *ks, const char *key)
{
    entry_t *e = find(ks, key);
    cr_assert(e, "no key %s", key);
    cr_assert_eq(e->otype, OBJ_ZSET);
    zobj_t z = zobj_of(e);
    cr_assert(zobj_validate(&z), "%s fails validation", key);
    return e->type;
}

/* ---- replies ---- */

Test(zops, union_inter_diff_resp2)
{
    run("ZADD a 1 x 2 y 3 z");
    run("ZADD b 10 y 20 z 30 w");
    EXPECT("ZUNION 2 a b", "*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n");
    EXPECT("ZUNION 2 a b WITHSCORES",
           "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n"
           "$1\r\nw\r\n$2\r\n30\r\n");
    EXPECT("ZINTER 2 a b WITHSCORES", "*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n");
    EXPECT("ZDIFF 2 a b WITHSCORES", "*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    EXPECT("ZDIFF 2 b a", "*1\r\n$1\r\nw\r\n");
    EXPECT("ZINTERCARD 2 a b", ":2\r\n");
    EXPECT("ZDIFF 2 a a", "*0\r\n");
    EXPECT("ZINTER 2 a nokey WITHSCORES", "*0\r\n");
    EXPECT("ZUNION 2 nokey a", "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n");
    EXPECT("ZDIFF 2 nokey a", "*0\r\n");
}

Test(zops, withscores_resp3_pairs)
{
    R.proto = 3;
    run("ZADD a 1.5 x 2 y");
    run("ZADD b 1 y");
    EXPECT("ZUNION 2 a b WITHSCORES",
           "*2\r\n*2\r\n$1\r\nx\r\n,1.5\r\n*2\r\n$1\r\ny\r\n,3\r\n");
    EXPECT("ZUNION 2 a b", "*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
    EXPECT("ZINTER 2 a b WITHSCORES", "*1\r\n*2\r\n$1\r\ny\r\n,3\r\n");
    EXPECT("ZDIFF 1 nokey WITHSCORES", "*0\r\n");
    EXPECT("ZINTERCARD 1 a", ":2\r\n");
}

/* ---- scores ---- */

Test(zops, weights_and_aggregates)
{
    run("ZADD a 1 x 2 y");
    run("ZADD b 10 y 20 w");
    EXPECT("ZUNION 2 a b WEIGHTS 2 -1 WITHSCORES",
           "*6\r\n$1\r\nw\r\n$3\r\n-20\r\n$1\r\ny\r\n$2\r\n-6\r\n$1\r\nx\r\n$1\r\n2\r\n");
    EXPECT("ZUNION 2 a b AGGREGATE MIN WITHSCORES",
           "*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nw\r\n$2\r\n20\r\n");
    EXPECT("ZINTER 2 a b aggregate max WITHSCORES", "*2\r\n$1\r\ny\r\n$2\r\n10\r\n");
    /* The last WEIGHTS and AGGREGATE given win. */
    EXPECT("ZINTER 2 a b WEIGHTS 5 5 AGGREGATE MAX WEIGHTS 1 0.5 AGGREGATE SUM WITHSCORES",
           "*2\r\n$1\r\ny\r\n$1\r\n7\r\n");
}

/* inf + -inf is 0 in SUM; inf * 0 is 0 for the first source (and every
 * union source); in ZINTER a later source's NaN product makes a SUM 0
 * and leaves MIN and MAX as they were. */
Test(zops, infinities_and_nan)
{
    run("ZADD a inf x -inf y 5 z");
    run("ZADD b -inf x 1 y 7 z 8 q");
    EXPECT("ZUNION 2 a b WITHSCORES",
           "*8\r\n$1\r\ny\r\n$4\r\n-inf\r\n$1\r\nx\r\n$1\r\n0\r\n$1\r\nq\r\n$1\r\n8\r\n"
           "$1\r\nz\r\n$2\r\n12\r\n");
    EXPECT("ZUNION 2 a b WEIGHTS 0 1 WITHSCORES",
           "*8\r\n$1\r\nx\r\n$4\r\n-inf\r\n$1\r\ny\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n7\r\n"
           "$1\r\nq\r\n$1\r\n8\r\n");
    /* a (3 members) is walked first: its x is inf, b's x * 0 is NaN. */
    EXPECT("ZINTER 2 a b WEIGHTS 1 0 WITHSCORES",
           "*6\r\n$1\r\ny\r\n$4\r\n-inf\r\n$1\r\nx\r\n$1\r\n0\r\n$1\r\nz\r\n$1\r\n5\r\n");
    EXPECT("ZINTER 2 a b WEIGHTS 1 0 AGGREGATE MIN WITHSCORES",
           "*6\r\n$1\r\ny\r\n$4\r\n-inf\r\n$1\r\nz\r\n$1\r\n0\r\n$1\r\nx\r\n$3\r\ninf\r\n");
    EXPECT("ZINTER 2 a b WEIGHTS 0 1 AGGREGATE MAX WITHSCORES",
           "*6\r\n$1\r\nx\r\n$1\r\n0\r\n$1\r\ny\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n7\r\n");
    /* -0 replies as Redis's skiplist does; stored, a listpack keeps 0. */
    run("ZADD c 0 m");
    EXPECT("ZUNION 1 c WEIGHTS -1 WITHSCORES", "*2\r\n$1\r\nm\r\n$2\r\n-0\r\n");
}

/* The union adds up in the sources' size order, as Redis. */
Test(zops, sums_in_size_order)
{
    run("ZADD big 1e16 m 1 p 2 q");
    run("ZADD mid 1 m 3 r");
    run("ZADD small -1e16 m");
    /* small + mid + big: (-1e16 + 1) + 1e16 = 0, whatever the order given. */
    EXPECT("ZUNION 3 big mid small WITHSCORES",
           "*8\r\n$1\r\nm\r\n$1\r\n0\r\n$1\r\np\r\n$1\r\n1\r\n$1\r\nq\r\n$1\r\n2\r\n"
           "$1\r\nr\r\n$1\r\n3\r\n");
    EXPECT("ZINTER 3 big small mid WITHSCORES", "*2\r\n$1\r\nm\r\n$1\r\n0\r\n");
}

/* ---- plain sets ---- */

Test(zops, plain_sets_of_every_encoding)
{
    run("SADD si 1 2 3");
    run("SADD sl a b 3");
    char line[4096];
    int n = snprintf(line, sizeof line, "SADD sh");
    for (int i = 0; i < 200; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " h%d", i);
    run(line);
    run("SADD sh 3 a");
    cr_assert_eq(find(ks1, "si")->type, ENC_SET_INTSET);
    cr_assert_eq(find(ks1, "sl")->type, ENC_SET_LP);
    cr_assert_eq(find(ks1, "sh")->type, ENC_SET_HT);
    run("ZADD z 5 3 6 a 7 q");
    EXPECT("ZINTER 4 si sl sh z WITHSCORES", "*2\r\n$1\r\n3\r\n$1\r\n8\r\n");
    EXPECT("ZINTER 2 sl sh WEIGHTS 2 3 WITHSCORES",
           "*4\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\na\r\n$1\r\n5\r\n");
    EXPECT("ZUNION 2 si sl WITHSCORES",
           "*10\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n"
           "$1\r\nb\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n2\r\n");
    EXPECT("ZDIFF 2 sl z WITHSCORES", "*2\r\n$1\r\nb\r\n$1\r\n1\r\n");
    EXPECT("ZDIFF 3 z si sl WITHSCORES", "*2\r\n$1\r\nq\r\n$1\r\n7\r\n");
    EXPECT("ZINTERCARD 2 sh sl", ":2\r\n");
    EXPECT("ZINTERCARD 2 sh sh LIMIT 150", ":150\r\n");
    EXPECT("ZUNIONSTORE d 1 sh", ":202\r\n");
    cr_assert_eq(zenc_of(ks1, "d"), ENC_ZSET_ZS);
    EXPECT("ZSCORE d h7", "$1\r\n1\r\n");
    check_mem(ks1, "zops");
}

/* ---- checks and errors ---- */

Test(zops, numkeys_and_option_errors)
{
    run("ZADD a 1 x");
    EXPECT("ZUNION 0 a", "-ERR at least 1 input key is needed for 'zunion' command\r\n");
    EXPECT("ZINTERSTORE d -1 a",
           "-ERR at least 1 input key is needed for 'zinterstore' command\r\n");
    EXPECT("ZINTERCARD 0 a", "-ERR at least 1 input key is needed for 'zintercard' command\r\n");
    EXPECT("ZDIFF x a", "-ERR value is not an integer or out of range\r\n");
    EXPECT("ZUNION 2 a", SYNTAX);
    EXPECT("ZUNION 1 a b", SYNTAX);
    EXPECT("ZUNION 1 a WEIGHTS", SYNTAX);
    EXPECT("ZUNION 1 a WEIGHTS nan", "-ERR weight value is not a float\r\n");
    EXPECT("ZUNION 1 a WEIGHTS 1 2", SYNTAX);
    EXPECT("ZUNION 1 a AGGREGATE", SYNTAX);
    EXPECT("ZUNION 1 a AGGREGATE avg", SYNTAX);
    EXPECT("ZDIFF 1 a WEIGHTS 1", SYNTAX);
    EXPECT("ZDIFF 1 a AGGREGATE MIN", SYNTAX);
    EXPECT("ZUNIONSTORE d 1 a WITHSCORES", SYNTAX);
    EXPECT("ZINTERCARD 1 a WITHSCORES", SYNTAX);
    EXPECT("ZINTERCARD 1 a WEIGHTS 1", SYNTAX);
    EXPECT("ZINTERCARD 1 a LIMIT -1", "-ERR LIMIT can't be negative\r\n");
    EXPECT("ZINTERCARD 1 a LIMIT x", "-ERR LIMIT can't be negative\r\n");
    EXPECT("ZINTERCARD 1 a LIMIT", SYNTAX);
    cr_assert_null(find(ks1, "d"), "a failed STORE writes nothing");
}

/* Every key is checked before any option: WRONGTYPE wins. */
Test(zops, wrong_type_first)
{
    run("SET str v");
    run("ZADD a 1 x");
    EXPECT("ZUNION 2 nokey str", WRONGTYPE);
    EXPECT("ZUNION 2 a str WEIGHTS x y", WRONGTYPE);
    EXPECT("ZINTERCARD 2 str a LIMIT -1", WRONGTYPE);
    EXPECT("ZDIFFSTORE d 2 a str BADOPT", WRONGTYPE);
    cr_assert_null(find(ks1, "d"));
    /* The destination may hold anything: it is replaced. */
    EXPECT("ZUNIONSTORE str 1 a", ":1\r\n");
    cr_assert_eq(zenc_of(ks1, "str"), ENC_ZSET_LP);
}

/* ---- ZINTERCARD ---- */

Test(zops, intercard_limit)
{
    run("ZADD a 1 p 2 q 3 r 4 s");
    run("SADD b p q r t");
    EXPECT("ZINTERCARD 2 a b", ":3\r\n");
    EXPECT("ZINTERCARD 2 a b LIMIT 0", ":3\r\n");
    EXPECT("ZINTERCARD 2 a b LIMIT 2", ":2\r\n");
    EXPECT("ZINTERCARD 2 a b LIMIT 3", ":3\r\n");
    EXPECT("ZINTERCARD 2 a b LIMIT 9", ":3\r\n");
    EXPECT("ZINTERCARD 2 a nokey LIMIT 1", ":0\r\n");
}

/* ---- STORE ---- */

Test(zops, store_replaces_and_deletes)
{
    run("ZADD a 1 x 2 y");
    run("SET d old EX 100");
    EXPECT("ZUNIONSTORE d 1 a", ":2\r\n");
    EXPECT("TTL d", ":-1\r\n");
    EXPECT("ZRANGE d 0 -1 WITHSCORES", "*4\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n");
    EXPECT("ZINTERSTORE d 2 a nokey", ":0\r\n");
    cr_assert_null(find(ks1, "d"), "an empty result deletes the destination");
    EXPECT("ZDIFFSTORE d 2 a a", ":0\r\n");
    cr_assert_null(find(ks1, "d"));
    run("ZADD c 0 m");
    EXPECT("ZUNIONSTORE d 1 c WEIGHTS -1", ":1\r\n");
    EXPECT("ZSCORE d m", "$1\r\n0\r\n");
    check_mem(ks1, "zops");
}

Test(zops, destination_among_sources)
{
    run("ZADD a 1 x 2 y 3 z");
    run("ZADD b 5 y 6 w");
    EXPECT("ZUNIONSTORE a 2 a b", ":4\r\n");
    EXPECT("ZRANGE a 0 -1 WITHSCORES",
           "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$1\r\n6\r\n"
           "$1\r\ny\r\n$1\r\n7\r\n");
    EXPECT("ZINTERSTORE b 2 a b WEIGHTS 1 10", ":2\r\n");
    EXPECT("ZRANGE b 0 -1 WITHSCORES", "*4\r\n$1\r\ny\r\n$2\r\n57\r\n$1\r\nw\r\n$2\r\n66\r\n");
    EXPECT("ZDIFFSTORE a 2 a b", ":2\r\n");
    EXPECT("ZRANGE a 0 -1", "*2\r\n$1\r\nx\r\n$1\r\nz\r\n");
    run("SADD s 1 2");
    EXPECT("ZUNIONSTORE s 2 s a", ":4\r\n");
    cr_assert_eq(zenc_of(ks1, "s"), ENC_ZSET_LP);
    check_mem(ks1, "zops");
}

/* The result is a listpack when it fits both limits, else the big form,
 * whatever the sources' encodings. */
Test(zops, store_encodings_at_the_limits)
{
    cfg.zset_max_listpack_entries = 3;
    run("ZADD a 1 p 2 q");
    run("ZADD b 3 r 4 s");
    EXPECT("ZUNIONSTORE d 2 a b", ":4\r\n");
    cr_assert_eq(zenc_of(ks1, "d"), ENC_ZSET_ZS);
    EXPECT("ZDIFFSTORE d 2 d a", ":2\r\n");
    cr_assert_eq(zenc_of(ks1, "d"), ENC_ZSET_LP);
    EXPECT("ZUNIONSTORE e 1 a", ":2\r\n");
    cr_assert_eq(zenc_of(ks1, "e"), ENC_ZSET_LP);
    cfg.zset_max_listpack_entries = 128;
    cfg.zset_max_listpack_value = 3;
    run("ZADD c 1 abcd");
    EXPECT("ZUNIONSTORE d 2 a c", ":3\r\n");
    cr_assert_eq(zenc_of(ks1, "d"), ENC_ZSET_ZS);
    EXPECT("ZDIFFSTORE d 2 d c", ":2\r\n");
    cr_assert_eq(zenc_of(ks1, "d"), ENC_ZSET_LP);
    check_mem(ks1, "zops");
}

/* ---- big sets against a model ---- */

/* argv of "ZADD key score member ..." for members m<i> of [lo, hi) with
 * score i * mul. */
static void zadd_range(const char *key, int lo, int hi, int mul)
{
    static char line[1 << 16];
    int n = snprintf(line, sizeof line, "ZADD %s", key);
    for (int i = lo; i < hi; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " %d m%d", i * mul, i);
    run(line);
}

/* The score of m<i> in key, or false. */
static bool score_of(const char *key, int i, double *out)
{
    entry_t *e = find(ks1, key);
    if (!e)
        return false;
    zobj_t z = zobj_of(e);
    char m[32];
    int n = snprintf(m, sizeof m, "m%d", i);
    return zobj_score(&z, m, (size_t)n, out);
}

Test(zops, big_sets_match_a_model)
{
    zadd_range("a", 0, 300, 1);     /* m0..m299 score i */
    zadd_range("b", 200, 500, 2);   /* m200..m499 score 2i */
    cr_assert_eq(zenc_of(ks1, "a"), ENC_ZSET_ZS);
    EXPECT("ZUNIONSTORE u 2 a b", ":500\r\n");
    EXPECT("ZINTERSTORE i 2 a b AGGREGATE MAX", ":100\r\n");
    EXPECT("ZDIFFSTORE d 2 a b", ":200\r\n");
    EXPECT("ZINTERCARD 2 a b LIMIT 42", ":42\r\n");
    cr_assert_eq(zenc_of(ks1, "u"), ENC_ZSET_ZS);
    cr_assert_eq(zenc_of(ks1, "i"), ENC_ZSET_LP);
    cr_assert_eq(zenc_of(ks1, "d"), ENC_ZSET_ZS);
    for (int k = 0; k < 500; k++) {
        double s;
        bool in_a = k < 300, in_b = k >= 200;
        cr_assert(score_of("u", k, &s) && s == (in_a ? k : 0) + (in_b ? 2 * k : 0));
        cr_assert_eq(score_of("i", k, &s), in_a && in_b);
        if (in_a && in_b)
            cr_assert_eq(s, 2.0 * k);
        cr_assert_eq(score_of("d", k, &s), in_a && !in_b);
    }
    /* The reply walks the result in (score, member) order. */
    run("ZUNION 2 a b");
    cr_assert(strncmp(R.buf, "*500\r\n$2\r\nm0\r\n$2\r\nm1\r\n", 22) == 0);
    check_mem(ks1, "zops");
}

/* ---- over two keyspaces ---- */

Test(zops, sources_in_another_keyspace)
{
    routed = true;
    route[1] = ks1;     /* dst */
    route[2] = ks1;     /* numkeys */
    route[3] = ks2;
    route[4] = ks1;
    EXPECT("ZADD d 1 x", ":1\r\n");
    route[1] = ks2;
    EXPECT("ZADD a 5 x 6 y", ":2\r\n");
    route[1] = ks1;
    EXPECT("ZUNIONSTORE d 2 a d", ":2\r\n");
    cr_assert_null(find(ks1, "a"));
    EXPECT("ZRANGE d 0 -1 WITHSCORES", "*4\r\n$1\r\nx\r\n$1\r\n6\r\n$1\r\ny\r\n$1\r\n6\r\n");
    /* ZINTER numkeys a(ks2) d(ks1) */
    route[2] = ks2;
    route[3] = ks1;
    route[1] = ks1;
    EXPECT("ZINTER 2 a d WITHSCORES", "*4\r\n$1\r\nx\r\n$2\r\n11\r\n$1\r\ny\r\n$2\r\n12\r\n");
    /* ZDIFF numkeys d(ks1) str: a string in ks2, looked up there only. */
    ks_add(ks2, "str", 3, "v", 1);
    route[2] = ks1;
    EXPECT("ZDIFF 2 d str", "*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
    route[3] = ks2;
    EXPECT("ZDIFF 2 d str", WRONGTYPE);
    check_mem(ks1, "zops");
    check_mem(ks2, "zops");
}

/* ---- WATCH ---- */

Test(zops, watch_touched_by_store_only)
{
    run("ZADD a 1 x");
    uint64_t ver;
    bool expired;
    cr_assert_eq(ks_watch(ks1, "d", 1, &ver, &expired), 0);
    run("ZUNION 1 a");
    cr_assert_not(ks_watch_touched(ks1, "d", 1, ver, expired));
    run("ZUNIONSTORE d 1 a");
    cr_assert(ks_watch_touched(ks1, "d", 1, ver, expired));
    ks_unwatch(ks1, "d", 1);
}
