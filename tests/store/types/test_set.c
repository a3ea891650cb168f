/*
 * test_set.c - the set commands in process: replies byte for byte (RESP2
 * and RESP3), each encoding (intset, listpack, hash table) and the
 * conversions between them at Redis's thresholds and FlashKV's listpack
 * limits, binary members, int64 edges, deletion of emptied keys, keys in
 * two keyspaces (a command over shards), memory accounting and WATCH
 * versions after every kind of write, the random commands' counts and
 * distinctness, bounded work on a million-member set, and SSCAN's
 * guarantee over a hash table that changes between calls.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/commands.h"
#include "store/db/keyspace.h"
#include "store/db/ks_watch.h"
#include "store/base/reply.h"
#include "store/types/set_enc.h"
#include "types_harness.h"

TestSuite(set, .init = th_setup, .fini = th_teardown);

static int enc_of(ks_t *ks, const char *key)
{
    entry_t *e = find(ks, key);
    cr_assert(e, "no key %s", key);
    cr_assert_eq(e->otype, OBJ_SET);
    return e->type;
}

/* One aggregate reply of bulk strings: its elements (pointing into R). */
typedef struct elems {
    char type;
    size_t n;
    const char *s[1 << 17];
    size_t len[1 << 17];
} elems_t;

static elems_t *E;

static elems_t *parse(void)
{
    if (!E)
        E = malloc(sizeof *E);
    const char *p = R.buf;
    E->type = *p;
    cr_assert(*p == '*' || *p == '~', "not an aggregate: %s", show(R.buf, R.len));
    E->n = strtoul(p + 1, (char **)&p, 10);
    p += 2;
    cr_assert(E->n <= sizeof E->s / sizeof E->s[0]);
    for (size_t i = 0; i < E->n; i++) {
        cr_assert_eq(*p, '$');
        E->len[i] = strtoul(p + 1, (char **)&p, 10);
        E->s[i] = p + 2;
        p += 2 + E->len[i] + 2;
    }
    cr_assert_eq((size_t)(p - R.buf), R.len, "trailing bytes");
    return E;
}

static bool has_elem(const elems_t *e, const char *s, size_t len)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->len[i] == len && memcmp(e->s[i], s, len) == 0)
            return true;
    return false;
}

static bool distinct(const elems_t *e)
{
    for (size_t i = 0; i < e->n; i++)
        for (size_t j = i + 1; j < e->n; j++)
            if (e->len[i] == e->len[j] && memcmp(e->s[i], e->s[j], e->len[i]) == 0)
                return false;
    return true;
}

/* ---- SADD / SREM / SCARD / SISMEMBER / SMISMEMBER ---- */

Test(set, sadd_srem_basics)
{
    EXPECT("SADD s a b c a", ":3\r\n");
    EXPECT("SADD s a d", ":1\r\n");
    EXPECT("SCARD s", ":4\r\n");
    EXPECT("SCARD nokey", ":0\r\n");
    EXPECT("SISMEMBER s a", ":1\r\n");
    EXPECT("SISMEMBER s z", ":0\r\n");
    EXPECT("SISMEMBER nokey a", ":0\r\n");
    EXPECT("SMISMEMBER s a z d", "*3\r\n:1\r\n:0\r\n:1\r\n");
    EXPECT("SMISMEMBER nokey a b", "*2\r\n:0\r\n:0\r\n");
    EXPECT("SREM s a z", ":1\r\n");
    EXPECT("SREM nokey a", ":0\r\n");
    EXPECT("SREM s b c d", ":3\r\n");
    cr_assert_null(find(ks1, "s"), "an emptied set is deleted");
    check_mem(ks1, "s");
    run("SET str x");
    const char *wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    EXPECT("SADD str a", wt);
    EXPECT("SREM str a", wt);
    EXPECT("SCARD str", wt);
    EXPECT("SISMEMBER str a", wt);
    EXPECT("SMISMEMBER str a", wt);
    EXPECT("SMEMBERS str", wt);
    EXPECT("SRANDMEMBER str", wt);
    EXPECT("SPOP str", wt);
    EXPECT("SSCAN str 0", wt);
}

Test(set, intset_sorted_and_int64_edges)
{
    EXPECT("SADD s 5 -3 100000 9223372036854775807 -9223372036854775808 0", ":6\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_INTSET);
    EXPECT("SMEMBERS s", "*6\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n0\r\n"
                         "$1\r\n5\r\n$6\r\n100000\r\n$19\r\n9223372036854775807\r\n");
    EXPECT("SISMEMBER s 9223372036854775807", ":1\r\n");
    EXPECT("SISMEMBER s 9223372036854775808", ":0\r\n");
    EXPECT("SISMEMBER s 05", ":0\r\n");
    EXPECT("SISMEMBER s +5", ":0\r\n");
    EXPECT("SREM s -0 05 +5", ":0\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_INTSET);
    /* Not canonical integers: strings, so no longer an intset. */
    EXPECT("SADD s 9223372036854775808", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_LP);
    EXPECT("SADD t -0", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "t"), ENC_SET_LP);
    EXPECT("SADD u 01", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "u"), ENC_SET_LP);
    EXPECT("SISMEMBER u 1", ":0\r\n");
    EXPECT("SADD u 1", ":1\r\n");
    EXPECT("SCARD u", ":2\r\n");
    EXPECT("OBJECT ENCODING u", "$9\r\nhashtable\r\n");
    EXPECT("SADD v 1", ":1\r\n");
    EXPECT("OBJECT ENCODING v", "$6\r\nintset\r\n");
}

/* Redis's thresholds: set-max-intset-entries; FlashKV's listpack limits
 * (entries, bytes); never back to a smaller encoding. */
Test(set, conversions)
{
    char line[256];
    cfg.set_max_intset_entries = 4;
    EXPECT("SADD s 1 2 3 4", ":4\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_INTSET);
    EXPECT("SADD s 4", ":0\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_INTSET);
    EXPECT("SADD s 5", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_LP, "5 ints over a limit of 4");
    EXPECT("OBJECT ENCODING s", "$9\r\nhashtable\r\n");
    EXPECT("SREM s 1 2 3 4", ":4\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_LP, "never back to an intset");
    check_mem(ks1, "s");
    run("DEL s");

    cfg.set_max_intset_entries = 512;
    /* intset -> listpack on a string, listpack -> table past 128. */
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof line, "SADD s %d", i);
        run(line);
    }
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_INTSET);
    EXPECT("SADD s x", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_LP);
    for (int i = 0; i < 27; i++) {
        snprintf(line, sizeof line, "SADD s m%d", i);
        run(line);
    }
    EXPECT("SCARD s", ":128\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_LP);
    EXPECT("SADD s m0", ":0\r\n");
    EXPECT("SADD s 5", ":0\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_LP);
    EXPECT("SADD s last", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_HT);
    EXPECT("SISMEMBER s 99", ":1\r\n");
    EXPECT("SISMEMBER s m26", ":1\r\n");
    EXPECT("SISMEMBER s x", ":1\r\n");
    check_mem(ks1, "s");
    for (int i = 0; i < 27; i++) {
        snprintf(line, sizeof line, "SREM s m%d", i);
        run(line);
    }
    EXPECT("SREM s x last", ":2\r\n");
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_HT, "a table stays a table");
    EXPECT("OBJECT ENCODING s", "$9\r\nhashtable\r\n");
    run("DEL s");

    /* A member over 64 bytes: straight to the table. */
    char big[65];
    memset(big, 'b', 65);
    snprintf(line, sizeof line, "SADD s 1 %.64s", big);
    run(line);
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_LP, "64 bytes fit");
    snprintf(line, sizeof line, "SADD s %.65s", big);
    run(line);
    cr_assert_eq(enc_of(ks1, "s"), ENC_SET_HT);
    snprintf(line, sizeof line, "SADD t 1 %.65s", big);
    run(line);
    cr_assert_eq(enc_of(ks1, "t"), ENC_SET_HT, "intset -> table directly");

    /* An intset past the limit with more than 128 members: a table. */
    cfg.set_max_intset_entries = 200;
    for (int i = 0; i < 201; i++) {
        snprintf(line, sizeof line, "SADD big %d", i);
        run(line);
    }
    cr_assert_eq(enc_of(ks1, "big"), ENC_SET_HT);
    /* Limit 0: even one integer is too many. */
    cfg.set_max_intset_entries = 0;
    run("SADD zero 1");
    EXPECT("OBJECT ENCODING zero", "$9\r\nhashtable\r\n");
}

Test(set, binary_members_each_encoding)
{
    /* NUL bytes, CR LF and the empty string, in a listpack and a table. */
    cmd_arg_t a[] = {{"SADD", 4}, {"b", 1}, {"a\0b", 3}, {"", 0}, {"\r\n", 2}, {"a", 1}};
    runv(6, a);
    cr_assert_str_eq(R.buf, ":4\r\n");
    cr_assert_eq(enc_of(ks1, "b"), ENC_SET_LP);
    cmd_arg_t q[] = {{"SISMEMBER", 9}, {"b", 1}, {"a\0b", 3}};
    runv(3, q);
    cr_assert_str_eq(R.buf, ":1\r\n");
    q[2] = (cmd_arg_t){"a\0c", 3};
    runv(3, q);
    cr_assert_str_eq(R.buf, ":0\r\n");
    q[2] = (cmd_arg_t){"", 0};
    runv(3, q);
    cr_assert_str_eq(R.buf, ":1\r\n");
    for (int round = 0; round < 2; round++) {
        cmd_arg_t sm[] = {{"SMEMBERS", 8}, {"b", 1}};
        runv(2, sm);
        elems_t *e = parse();
        cr_assert_eq(e->n, 4);
        cr_assert(has_elem(e, "a\0b", 3) && has_elem(e, "", 0) && has_elem(e, "\r\n", 2) &&
                  has_elem(e, "a", 1));
        if (round == 0) {
            char line[64];
            for (int i = 0; i < 130; i++) {
                snprintf(line, sizeof line, "SADD b fill%d", i);
                run(line);
            }
            cr_assert_eq(enc_of(ks1, "b"), ENC_SET_HT);
            for (int i = 0; i < 130; i++) {
                snprintf(line, sizeof line, "SREM b fill%d", i);
                run(line);
            }
        }
    }
    cmd_arg_t r[] = {{"SREM", 4}, {"b", 1}, {"a\0b", 3}, {"", 0}, {"\r\n", 2}, {"a", 1}};
    runv(6, r);
    cr_assert_str_eq(R.buf, ":4\r\n");
    cr_assert_null(find(ks1, "b"));
}

/* ---- SMOVE ---- */

Test(set, smove)
{
    run("SADD s a b 1");
    EXPECT("SMOVE s s a", ":1\r\n");
    EXPECT("SMOVE s s zz", ":0\r\n");
    EXPECT("SMOVE nokey s a", ":0\r\n");
    run("SET str x");
    const char *wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    EXPECT("SMOVE nokey str a", ":0\r\n");
    EXPECT("SMOVE str s a", wt);
    EXPECT("SMOVE s str a", wt);
    EXPECT("SISMEMBER s a", ":1\r\n");
    EXPECT("SMOVE s d zz", ":0\r\n");
    cr_assert_null(find(ks1, "d"));
    EXPECT("SMOVE s d 1", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "d"), ENC_SET_INTSET, "a new set from an integer");
    EXPECT("SMOVE s d a", ":1\r\n");
    cr_assert_eq(enc_of(ks1, "d"), ENC_SET_LP);
    EXPECT("SMOVE s e b", ":1\r\n");
    cr_assert_null(find(ks1, "s"), "the emptied source is deleted");
    cr_assert_eq(enc_of(ks1, "e"), ENC_SET_LP);
    run("SADD s a");
    EXPECT("SMOVE s d a", ":1\r\n");
    EXPECT("SCARD d", ":2\r\n");
    cr_assert_null(find(ks1, "s"));
}

/* A command over two shards: each key in its own keyspace. */
Test(set, smove_and_store_across_keyspaces)
{
    route[1] = ks1;
    route[2] = ks2;
    route[3] = ks1;
    routed = true;
    EXPECT("SADD a 1 2 x", ":3\r\n");
    cr_assert_not_null(find(ks1, "a"));
    EXPECT("SMOVE a b 2", ":1\r\n");
    cr_assert_eq(enc_of(ks2, "b"), ENC_SET_INTSET);
    cr_assert_null(find(ks1, "b"));
    check_mem(ks2, "b");
    check_mem(ks1, "a");
    /* SUNIONSTORE a(ks1) b(ks2) a(ks1) */
    EXPECT("SUNIONSTORE a b a", ":3\r\n");
    cr_assert_eq(enc_of(ks1, "a"), ENC_SET_LP);
    route[1] = ks2;
    route[2] = ks1;
    route[3] = ks2;
    EXPECT("SINTERSTORE b a b", ":1\r\n");
    EXPECT("SMEMBERS b", "*1\r\n$1\r\n2\r\n");
    cr_assert_eq(enc_of(ks2, "b"), ENC_SET_INTSET);
    /* A wrong type in the other keyspace is seen. */
    route[1] = ks1;
    route[2] = ks2;
    ks_add(ks2, "str", 3, "v", 1);
    EXPECT("SMOVE a str x", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT("SINTER a str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

/* ---- algebra ---- */

Test(set, inter_union_diff)
{
    run("SADD a 5 1 3");
    run("SADD b 3 5 7 9");
    run("SADD h x 1 3 5");
    EXPECT("SINTER a b", "*2\r\n$1\r\n3\r\n$1\r\n5\r\n");
    EXPECT("SINTER a nokey b", "*0\r\n");
    EXPECT("SINTER a a", "*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n");
    EXPECT("SUNION a b nokey", "*5\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n7\r\n$1\r\n9\r\n");
    EXPECT("SDIFF b a", "*2\r\n$1\r\n7\r\n$1\r\n9\r\n");
    EXPECT("SDIFF b nokey a", "*2\r\n$1\r\n7\r\n$1\r\n9\r\n");
    EXPECT("SDIFF nokey a", "*0\r\n");
    EXPECT("SDIFF a b a", "*0\r\n");
    EXPECT("SDIFF a h", "*0\r\n");
    EXPECT("SDIFF h a", "*1\r\n$1\r\nx\r\n");
    /* An all-integer result from a listpack set is an intset: sorted. */
    run("SREM h x");
    EXPECT("SUNION h", "*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n");
    run("SET str v");
    const char *wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    EXPECT("SINTER nokey str", wt);
    EXPECT("SUNION a str", wt);
    EXPECT("SDIFF nokey str", wt);
    EXPECT("SINTERSTORE d nokey str", wt);
    EXPECT("SINTERCARD 2 nokey str", wt);
    R.proto = 3;
    EXPECT("SINTER a nokey", "~0\r\n");
    EXPECT("SMEMBERS nokey", "~0\r\n");
    EXPECT("SUNION nokey", "~0\r\n");
    EXPECT("SDIFF a b", "~1\r\n$1\r\n1\r\n");
}

Test(set, store_forms)
{
    run("SADD a 5 1 3");
    run("SADD b 3 5 x");
    run("SET d old");
    ks_ttl_set(ks1, find(ks1, "d"), NOW + 100000);
    EXPECT("SINTERSTORE d a b", ":2\r\n");
    cr_assert_eq(enc_of(ks1, "d"), ENC_SET_INTSET, "from a listpack set, all integers");
    cr_assert_eq(ks_ttl_get(ks1, find(ks1, "d")), -1, "the TTL goes");
    EXPECT("SMEMBERS d", "*2\r\n$1\r\n3\r\n$1\r\n5\r\n");
    EXPECT("SUNIONSTORE d a b", ":4\r\n");
    cr_assert_eq(enc_of(ks1, "d"), ENC_SET_LP);
    EXPECT("SDIFFSTORE d b a", ":1\r\n");
    EXPECT("SMEMBERS d", "*1\r\n$1\r\nx\r\n");
    /* Empty results delete the destination and answer 0. */
    EXPECT("SINTERSTORE d a nokey", ":0\r\n");
    cr_assert_null(find(ks1, "d"));
    run("SADD d 1");
    EXPECT("SDIFFSTORE d a a", ":0\r\n");
    cr_assert_null(find(ks1, "d"));
    run("SADD d 1");
    EXPECT("SUNIONSTORE d nokey", ":0\r\n");
    cr_assert_null(find(ks1, "d"));
    /* Destination among the sources. */
    EXPECT("SUNIONSTORE a a b", ":4\r\n");
    EXPECT("SINTERSTORE a a b", ":3\r\n");
    EXPECT("SDIFFSTORE a a b", ":0\r\n");
    cr_assert_null(find(ks1, "a"));
    check_mem(ks1, "a");
    /* Past set-max-intset-entries the stored result is no intset. */
    cfg.set_max_intset_entries = 2;
    run("SADD c 1 2");
    run("SADD e 3");
    EXPECT("SUNIONSTORE f c e", ":3\r\n");
    EXPECT("OBJECT ENCODING f", "$9\r\nhashtable\r\n");
}

Test(set, sintercard)
{
    run("SADD a 1 2 3 4 5");
    run("SADD b 2 3 4 5 6");
    EXPECT("SINTERCARD 2 a b", ":4\r\n");
    EXPECT("SINTERCARD 2 a b LIMIT 0", ":4\r\n");
    EXPECT("SINTERCARD 2 a b LIMIT 2", ":2\r\n");
    EXPECT("SINTERCARD 2 a b limit 9 LIMIT 3", ":3\r\n");
    EXPECT("SINTERCARD 1 a", ":5\r\n");
    EXPECT("SINTERCARD 2 a nokey", ":0\r\n");
    EXPECT("SINTERCARD 0 a", "-ERR numkeys should be greater than 0\r\n");
    EXPECT("SINTERCARD x a", "-ERR numkeys should be greater than 0\r\n");
    EXPECT("SINTERCARD 3 a b", "-ERR Number of keys can't be greater than number of args\r\n");
    EXPECT("SINTERCARD 1 a LIMIT -1", "-ERR LIMIT can't be negative\r\n");
    EXPECT("SINTERCARD 1 a LIMIT x", "-ERR LIMIT can't be negative\r\n");
    EXPECT("SINTERCARD 1 a LIMIT", "-ERR syntax error\r\n");
    EXPECT("SINTERCARD 1 a b", "-ERR syntax error\r\n");
}

/* ---- SRANDMEMBER / SPOP ---- */

static void fill(const char *key, int n, const char *prefix)
{
    char line[128];
    for (int i = 0; i < n; i++) {
        snprintf(line, sizeof line, "SADD %s %s%d", key, prefix, i);
        run(line);
    }
}

Test(set, srandmember_each_encoding)
{
    fill("i", 20, "");
    fill("l", 20, "m");
    fill("h", 300, "m");
    cr_assert_eq(enc_of(ks1, "i"), ENC_SET_INTSET);
    cr_assert_eq(enc_of(ks1, "l"), ENC_SET_LP);
    cr_assert_eq(enc_of(ks1, "h"), ENC_SET_HT);
    const char *keys[] = {"i", "l", "h"};
    size_t sizes[] = {20, 20, 300};
    char line[64];
    for (int k = 0; k < 3; k++) {
        long counts[] = {1, 2, 5, 7, 19, 20, 21, 100, 299, 300, 1000, -1, -5, -50, -1000};
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            snprintf(line, sizeof line, "SRANDMEMBER %s %ld", keys[k], counts[c]);
            run(line);
            elems_t *e = parse();
            cr_assert_eq(e->type, '*');
            size_t want = counts[c] < 0 ? (size_t)-counts[c]
                        : (size_t)counts[c] < sizes[k] ? (size_t)counts[c] : sizes[k];
            cr_assert_eq(e->n, want, "%s: %zu elements", line, e->n);
            if (counts[c] > 0)
                cr_assert(distinct(e), "%s: repeats", line);
            /* Every one a member (copied: SISMEMBER reuses the reply). */
            size_t n = e->n;
            char (*got)[16] = malloc(n * 16);
            size_t *gl = malloc(n * sizeof *gl);
            for (size_t i = 0; i < n; i++) {
                cr_assert(e->len[i] < 16);
                memcpy(got[i], e->s[i], e->len[i]);
                gl[i] = e->len[i];
            }
            for (size_t i = 0; i < n; i++) {
                cmd_arg_t q[] = {{"SISMEMBER", 9}, {keys[k], 1}, {got[i], gl[i]}};
                runv(3, q);
                cr_assert_str_eq(R.buf, ":1\r\n");
            }
            free(got);
            free(gl);
        }
        snprintf(line, sizeof line, "SRANDMEMBER %s", keys[k]);
        run(line);
        cr_assert_eq(R.buf[0], '$');
        snprintf(line, sizeof line, "SCARD %s", keys[k]);
        run(line);
        cr_assert_eq(atol(R.buf + 1), (long)sizes[k], "SRANDMEMBER changes nothing");
    }
    EXPECT("SRANDMEMBER i 0", "*0\r\n");
    EXPECT("SRANDMEMBER nokey 5", "*0\r\n");
    EXPECT("SRANDMEMBER nokey", "$-1\r\n");
    EXPECT("SRANDMEMBER i x", "-ERR value is not an integer or out of range\r\n");
    EXPECT("SRANDMEMBER i -9223372036854775808",
           "-ERR value is out of range, value must between -9223372036854775807 and "
           "9223372036854775807\r\n");
    EXPECT("SRANDMEMBER i 1 2", "-ERR syntax error\r\n");
    /* count >= size: the whole set in its order (an intset: sorted). */
    run("SADD small 3 1 2");
    EXPECT("SRANDMEMBER small 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    R.proto = 3;
    EXPECT("SRANDMEMBER small 5", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    EXPECT("SRANDMEMBER nokey", "_\r\n");
    EXPECT("SRANDMEMBER nokey 2", "*0\r\n");
}

/* SPOP takes exactly count distinct members, leaves the rest. */
static void check_spop(const char *key, int size, int count)
{
    char line[64];
    snprintf(line, sizeof line, "SPOP %s %d", key, count);
    run(line);
    elems_t *e = parse();
    int want = count < size ? count : size;
    cr_assert_eq(e->n, (size_t)want, "%s on %d: %zu", line, size, e->n);
    cr_assert(distinct(e));
    /* Save the popped members, then check none is left. */
    char (*got)[32] = malloc((size_t)want * 32);
    size_t *gl = malloc((size_t)want * sizeof *gl);
    for (int i = 0; i < want; i++) {
        cr_assert(e->len[i] < 32);
        memcpy(got[i], e->s[i], e->len[i]);
        gl[i] = e->len[i];
    }
    for (int i = 0; i < want; i++) {
        cmd_arg_t q[] = {{"SISMEMBER", 9}, {key, strlen(key)}, {got[i], gl[i]}};
        runv(3, q);
        cr_assert_str_eq(R.buf, ":0\r\n");
    }
    snprintf(line, sizeof line, "SCARD %s", key);
    run(line);
    cr_assert_eq(atoi(R.buf + 1), size - want);
    if (size == want)
        cr_assert_null(find(ks1, key), "SPOP of everything deletes the key");
    check_mem(ks1, key);
    free(got);
    free(gl);
}

Test(set, spop_each_encoding_and_strategy)
{
    const char *prefixes[] = {"", "m", "m"};
    int sizes[] = {60, 60, 600};
    /* counts: small (pop one by one), near the size (keep few), all. */
    int counts[] = {1, 5, 40, 51, 58, 59, 60, 100};
    for (int k = 0; k < 3; k++) {
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            fill("p", sizes[k], prefixes[k]);
            int count = counts[c] * sizes[k] / 60;
            check_spop("p", sizes[k], count);
            run("DEL p");
        }
    }
    /* The members that stay keep Redis's encoding rule. */
    fill("p", 60, "");
    run("SADD p x");
    run("SREM p x");
    cr_assert_eq(enc_of(ks1, "p"), ENC_SET_LP);
    run("SPOP p 55");
    cr_assert_eq(enc_of(ks1, "p"), ENC_SET_INTSET, "rebuilt from integers");
    run("DEL p");
    run("SADD p 3 1 2");
    EXPECT("SPOP p 0", "*0\r\n");
    EXPECT("SPOP p 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    cr_assert_null(find(ks1, "p"));
    /* All of a listpack set of integers comes out sorted, as from Redis's
     * intset-built union. */
    run("SADD p 3 x 1 2");
    run("SREM p x");
    EXPECT("SPOP p 10", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    run("SADD p one");
    EXPECT("SPOP p", "$3\r\none\r\n");
    cr_assert_null(find(ks1, "p"));
    EXPECT("SPOP p", "$-1\r\n");
    EXPECT("SPOP p 2", "*0\r\n");
    EXPECT("SPOP p -1", "-ERR value is out of range, must be positive\r\n");
    EXPECT("SPOP p x", "-ERR value is out of range, must be positive\r\n");
    EXPECT("SPOP p 1 2", "-ERR syntax error\r\n");
    R.proto = 3;
    EXPECT("SPOP p", "_\r\n");
    EXPECT("SPOP p 2", "~0\r\n");
    run("SADD p 1 2");
    EXPECT("SPOP p 0", "~0\r\n");
    EXPECT("SPOP p 5", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A million members: small counts must not walk the set. */
Test(set, bounded_work_on_a_million_members, .timeout = 120)
{
    setv_t v;
    cr_assert_eq(setv_new(&v), 0);
    char m[32];
    for (int i = 0; i < 1000000; i++) {
        int n = snprintf(m, sizeof m, "member:%d", i);
        cr_assert_eq(setv_add(&v, m, (size_t)n, &cfg), 1);
    }
    cr_assert_eq(v.enc, ENC_SET_HT);
    cr_assert_not_null(ks_add_obj(ks1, "big", 3, OBJ_SET, v.enc, v.obj));
    double t0 = now_s();
    for (int i = 0; i < 2000; i++) {
        run("SRANDMEMBER big 10");
        run("SRANDMEMBER big -10");
        run("SRANDMEMBER big");
        run("SPOP big");
        run("SPOP big 3");
        run("SISMEMBER big member:77");
        run("SINTERCARD 1 big LIMIT 5");
        run("SSCAN big 0 COUNT 10");
    }
    double dt = now_s() - t0;
    /* A walk of the set costs tens of milliseconds; 16000 calls of them
     * would take minutes. */
    cr_assert_lt(dt, 10.0, "16000 small calls took %.2f s", dt);
    EXPECT("SCARD big", ":992000\r\n");
    check_mem(ks1, "big");
}

/* ---- SSCAN ---- */

Test(set, sscan_small_sets_at_once)
{
    run("SADD i 3 1 2 10");
    EXPECT("SSCAN i 0", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
    EXPECT("SSCAN i 0 COUNT 1", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
    EXPECT("SSCAN i 0 MATCH 1*", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n10\r\n");
    run("SADD l a b ab");
    EXPECT("SSCAN l 0 MATCH a* COUNT 1", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$2\r\nab\r\n");
    EXPECT("SSCAN nokey 0 foo", "*2\r\n$1\r\n0\r\n*0\r\n");
    EXPECT("SSCAN i x", "-ERR invalid cursor\r\n");
    EXPECT("SSCAN i 0 TYPE set", "-ERR syntax error\r\n");
    EXPECT("SSCAN i 0 COUNT 0", "-ERR syntax error\r\n");
    EXPECT("SSCAN i 0 COUNT x", "-ERR value is not an integer or out of range\r\n");
    EXPECT("SSCAN i 0 MATCH", "-ERR syntax error\r\n");
}

/* SCAN's guarantee: a member present for the whole scan is reported at
 * least once, while the table grows, shrinks and rehashes in between. */
Test(set, sscan_guarantee_over_a_changing_table)
{
    /* k0..k199 stay for the whole scan; everything else comes and goes:
     * the table grows, rehashes, shrinks under 10% and grows again. */
    for (int seed = 1; seed <= 4; seed++) {
        run("DEL h");
        fill("h", 2000, "k");
        srand((unsigned)seed);
        unsigned char *seen = calloc(200, 1);
        char cursor[32] = "0", line[96];
        int calls = 0, next_new = 0;
        size_t most = 0, least = SIZE_MAX;
        do {
            snprintf(line, sizeof line, "SSCAN h %s COUNT %d", cursor, 1 + rand() % 40);
            run(line);
            /* *2 $n cursor *m ... */
            const char *p = strchr(R.buf + 4, '\n') + 1;
            size_t cl = (size_t)(strchr(p, '\r') - p);
            memcpy(cursor, p, cl);
            cursor[cl] = '\0';
            p = strchr(p, '\n') + 1;
            long n = strtol(p + 1, (char **)&p, 10);
            p += 2;
            for (long i = 0; i < n; i++) {
                long len = strtol(p + 1, (char **)&p, 10);
                p += 2;
                if (len > 1 && p[0] == 'k' && atoi(p + 1) < 200)
                    seen[atoi(p + 1)] = 1;
                p += len + 2;
            }
            for (int j = 0; j < 20; j++) {
                snprintf(line, sizeof line, "SREM h k%d", 200 + rand() % 1800);
                run(line);
                snprintf(line, sizeof line, "SADD h n%d", next_new++);
                run(line);
            }
            if (calls % 40 == 20) {
                for (int j = 200; j < 2000; j++) {
                    snprintf(line, sizeof line, "SREM h k%d", j);
                    run(line);
                }
                for (int j = 0; j < next_new; j++) {
                    snprintf(line, sizeof line, "SREM h n%d", j);
                    run(line);
                }
            }
            ht_t *ht = find(ks1, "h")->v.obj;
            size_t buckets = ht->size[1] ? ht->size[1] : ht->size[0]; /* the new one */
            most = buckets > most ? buckets : most;
            least = buckets < least ? buckets : least;
            calls++;
        } while (strcmp(cursor, "0") != 0 && calls < 100000);
        cr_assert_lt(calls, 100000);
        cr_assert_leq(least * 4, most, "the table did not shrink (%zu..%zu)", least, most);
        for (int i = 0; i < 200; i++)
            cr_assert(seen[i], "seed %d: k%d never reported", seed, i);
        free(seen);
    }
}

/* ---- WATCH versions ---- */

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

Test(set, watch_sees_every_write_and_only_writes)
{
    run("SADD s a b");
    cr_assert(touched_by("SADD s c", "s"));
    cr_assert(!touched_by("SADD s c", "s"), "no new member: no change");
    cr_assert(!touched_by("SREM s zz", "s"));
    cr_assert(touched_by("SREM s c", "s"));
    cr_assert(!touched_by("SISMEMBER s a", "s"));
    cr_assert(!touched_by("SRANDMEMBER s 2", "s"));
    cr_assert(touched_by("SPOP s", "s"));
    run("SADD s a b c");
    cr_assert(touched_by("SPOP s 1", "s"));
    run("DEL s");
    run("SADD s a b c");
    cr_assert(touched_by("SMOVE s d a", "d"));
    cr_assert(touched_by("SMOVE s d b", "s"));
    cr_assert(touched_by("SINTERSTORE x s d", "x") == false, "x absent, result empty");
    cr_assert(touched_by("SUNIONSTORE x s d", "x"));
    cr_assert(touched_by("SINTERSTORE x nokey", "x"));
    cr_assert(!touched_by("SMOVE s d zz", "d"));
}
