/*
 * test_list.c - the list commands in process, through the command table:
 * exact RESP bytes in RESP2 and RESP3, both encodings (one listpack, a
 * quicklist) and the conversions between them at the configured limits,
 * compression, binary and integer-looking elements, emptied keys deleted,
 * memory accounting, keys in two keyspaces (LMOVE across shards), and a
 * randomized run against a plain array model on every encoding setting.
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/reply.h"
#include "store/commands.h"
#include "store/db/keyspace.h"
#include "store/enc/lp.h"
#include "store/enc/ql.h"

#define NOW 1700000000000LL
#define MAXARGS 64

static ks_t *ks, *ks2;
static reply_t r;
static store_cfg_t cfg;
static int proto = 2;

static void setup(void)
{
    ks = ks_create(1);
    ks2 = ks_create(2);
    reply_init(&r, 2);
    cfg = STORE_CFG_DEFAULT;
    proto = 2;
}

static void teardown(void)
{
    ks_destroy(ks);
    ks_destroy(ks2);
    reply_free(&r);
}

TestSuite(list, .init = setup, .fini = teardown);

/* Run argv (lengths given) with the keyspace of each argument in kss
 * (NULL: all in ks); the reply is r.buf, r.len. */
static void runk(int argc, const cmd_arg_t *argv, ks_t *const *kss)
{
    reply_reset(&r);
    r.proto = proto;
    const cmd_t *c = cmd_lookup(argv[0].ptr, argv[0].len);
    cr_assert(c, "no command %.*s", (int)argv[0].len, argv[0].ptr);
    cmd_ctx_t ctx = {.ks = kss ? kss[1] : ks, .kss = kss, .cfg = &cfg, .argc = argc,
                     .argv = argv, .reply = &r, .now_ms = NOW};
    cmd_exec(c, &ctx);
    cr_assert(!reply_failed(&r));
}

/* Run a NULL-terminated list of C-string arguments; returns the reply
 * as a C string (replies here hold no NUL unless a test says so). */
static const char *R(const char *a0, ...)
{
    static char out[1 << 16];
    cmd_arg_t argv[MAXARGS];
    int argc = 0;
    va_list ap;
    va_start(ap, a0);
    for (const char *a = a0; a; a = va_arg(ap, const char *)) {
        cr_assert(argc < MAXARGS);
        argv[argc++] = (cmd_arg_t){a, strlen(a)};
    }
    va_end(ap);
    runk(argc, argv, NULL);
    size_t n = r.len < sizeof out - 1 ? r.len : sizeof out - 1;
    memcpy(out, r.buf, n);
    out[n] = 0;
    return out;
}

#define EQ(exp, ...) cr_assert_str_eq(R(__VA_ARGS__, NULL), exp)

/* The last reply is exactly the C string exp. */
static void reply_is(const char *exp)
{
    cr_assert(r.len == strlen(exp) && memcmp(r.buf, exp, r.len) == 0, "reply %.*s, want %s",
              (int)r.len, r.buf, exp);
}

static entry_t *find(ks_t *k, const char *key)
{
    return ks_find_notouch(k, key, strlen(key));
}

/* The encoding of key's list (-1: no such key), checked for integrity. */
static int enc_of(const char *key)
{
    entry_t *e = find(ks, key);
    if (!e)
        return -1;
    cr_assert_eq(e->otype, OBJ_LIST);
    if (e->type == ENC_LIST_QL)
        cr_assert(ql_validate(e->v.obj, QL_CHECK_COMPRESSION));
    else
        cr_assert(lp_validate(e->v.obj, lp_bytes(e->v.obj), true));
    return e->type;
}

/* ---- replies and errors ---- */

Test(list, push_pop_basics)
{
    EQ(":1\r\n", "RPUSH", "l", "a");
    EQ(":3\r\n", "RPUSH", "l", "b", "c");
    EQ(":5\r\n", "LPUSH", "l", "y", "x");
    EQ("*5\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "l", "0", "-1");
    EQ("$1\r\nx\r\n", "LPOP", "l");
    EQ("$1\r\nc\r\n", "RPOP", "l");
    EQ("*2\r\n$1\r\nb\r\n$1\r\na\r\n", "RPOP", "l", "2");
    EQ("*1\r\n$1\r\ny\r\n", "LPOP", "l", "5");
    cr_assert_eq(enc_of("l"), -1, "an emptied list is deleted");
    EQ(":0\r\n", "LPUSHX", "l", "a");
    EQ(":0\r\n", "RPUSHX", "l", "a");
    cr_assert_eq(enc_of("l"), -1);
    EQ(":1\r\n", "RPUSH", "l", "a");
    EQ(":3\r\n", "LPUSHX", "l", "b", "c");
    EQ(":4\r\n", "RPUSHX", "l", "d");
    EQ("*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n", "LRANGE", "l", "0", "-1");
    EQ(":4\r\n", "LLEN", "l");
    EQ(":0\r\n", "LLEN", "nokey");
}

Test(list, pop_null_shapes)
{
    EQ("$-1\r\n", "LPOP", "none");
    EQ("*-1\r\n", "LPOP", "none", "0");
    EQ("*-1\r\n", "RPOP", "none", "3");
    EQ("-ERR value is out of range, must be positive\r\n", "LPOP", "none", "-1");
    EQ("-ERR value is out of range, must be positive\r\n", "LPOP", "none", "x");
    EQ("-ERR wrong number of arguments for 'lpop' command\r\n", "LPOP", "a", "1", "2");
    EQ(":1\r\n", "RPUSH", "l", "a");
    EQ("*0\r\n", "LPOP", "l", "0");
    proto = 3;
    EQ("_\r\n", "LPOP", "none");
    EQ("_\r\n", "LPOP", "none", "1");
    EQ("*0\r\n", "RPOP", "l", "0");
    EQ("_\r\n", "LMPOP", "1", "none", "LEFT");
    EQ("_\r\n", "LINDEX", "l", "5");
    EQ("_\r\n", "LPOS", "l", "zz");
    EQ("*0\r\n", "LPOS", "l", "zz", "COUNT", "0");
}

Test(list, wrongtype_and_order)
{
    cr_assert(ks_add(ks, "s", 1, "v", 1));
    const char *wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    EQ(wt, "LPUSH", "s", "a");
    EQ(wt, "RPUSHX", "s", "a");
    EQ(wt, "LPOP", "s");
    EQ(wt, "LPOP", "s", "0");
    EQ("-ERR value is out of range, must be positive\r\n", "LPOP", "s", "-2");
    EQ(wt, "LLEN", "s");
    EQ(wt, "LINDEX", "s", "x");     /* the key first */
    EQ("-ERR value is not an integer or out of range\r\n", "LRANGE", "s", "x", "0");
    EQ(wt, "LSET", "s", "x", "v");
    EQ("-ERR syntax error\r\n", "LINSERT", "s", "middle", "a", "b");
    EQ(wt, "LINSERT", "s", "before", "a", "b");
    EQ("-ERR value is not an integer or out of range\r\n", "LREM", "s", "x", "a");
    EQ(wt, "LREM", "s", "0", "a");
    EQ(wt, "LTRIM", "s", "0", "1");
    EQ("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
       "or use negative to start from the end of the list\r\n", "LPOS", "s", "a", "RANK", "0");
    EQ(wt, "LPOS", "s", "a");
    EQ("-ERR syntax error\r\n", "LMOVE", "s", "d", "LEFT", "UP");
    EQ(wt, "LMOVE", "s", "d", "LEFT", "LEFT");
    EQ(wt, "LMPOP", "2", "none", "s", "LEFT");
    EQ(":2\r\n", "RPUSH", "l", "a", "b");
    EQ(wt, "LMOVE", "l", "s", "LEFT", "LEFT");
    EQ(wt, "RPOPLPUSH", "l", "s");
    EQ(":2\r\n", "LLEN", "l");   /* nothing lost */
    EQ("$-1\r\n", "RPOPLPUSH", "none", "s");
    EQ("*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n", "LMPOP", "2", "l", "s", "LEFT");
}

Test(list, index_set_insert)
{
    EQ(":3\r\n", "RPUSH", "l", "a", "b", "c");
    EQ("$1\r\nc\r\n", "LINDEX", "l", "-1");
    EQ("$1\r\na\r\n", "LINDEX", "l", "-3");
    EQ("$-1\r\n", "LINDEX", "l", "-4");
    EQ("$-1\r\n", "LINDEX", "l", "3");
    EQ("$-1\r\n", "LINDEX", "nokey", "x");
    EQ("-ERR no such key\r\n", "LSET", "nokey", "0", "x");
    EQ("-ERR index out of range\r\n", "LSET", "l", "3", "x");
    EQ("-ERR index out of range\r\n", "LSET", "l", "-4", "x");
    EQ("+OK\r\n", "LSET", "l", "-1", "C");
    EQ(":4\r\n", "LINSERT", "l", "BEFORE", "a", "0");
    EQ(":5\r\n", "LINSERT", "l", "after", "C", "D");
    EQ(":-1\r\n", "LINSERT", "l", "after", "zz", "D");
    EQ(":0\r\n", "LINSERT", "nokey", "after", "zz", "D");
    EQ("*5\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nC\r\n$1\r\nD\r\n", "LRANGE", "l", "0", "-1");
}

Test(list, lrange_ltrim_edges)
{
    EQ(":5\r\n", "RPUSH", "l", "0", "1", "2", "3", "4");
    EQ("*0\r\n", "LRANGE", "l", "5", "10");
    EQ("*0\r\n", "LRANGE", "l", "3", "2");
    EQ("*2\r\n$1\r\n3\r\n$1\r\n4\r\n", "LRANGE", "l", "-2", "100");
    EQ("*1\r\n$1\r\n0\r\n", "LRANGE", "l", "-100", "-5");
    EQ("*0\r\n", "LRANGE", "l", "-100", "-6");
    EQ("*5\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n",
       "LRANGE", "l", "-9223372036854775808", "9223372036854775807");
    EQ("*0\r\n", "LRANGE", "nokey", "0", "-1");
    EQ("+OK\r\n", "LTRIM", "l", "1", "-2");
    EQ("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "LRANGE", "l", "0", "-1");
    EQ("+OK\r\n", "LTRIM", "l", "-100", "100");
    EQ(":3\r\n", "LLEN", "l");
    EQ("+OK\r\n", "LTRIM", "l", "2", "1");
    cr_assert_eq(enc_of("l"), -1, "trimmed to nothing: deleted");
    EQ("+OK\r\n", "LTRIM", "nokey", "0", "1");
}

Test(list, lrem_count_sign)
{
    EQ(":7\r\n", "RPUSH", "l", "a", "b", "a", "c", "a", "b", "a");
    EQ(":2\r\n", "LREM", "l", "-2", "a");
    EQ("*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n", "LRANGE", "l", "0", "-1");
    EQ(":1\r\n", "LREM", "l", "1", "a");
    EQ("*4\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n", "LRANGE", "l", "0", "-1");
    EQ(":2\r\n", "LREM", "l", "0", "b");
    EQ(":0\r\n", "LREM", "l", "0", "zz");
    EQ(":1\r\n", "LREM", "l", "-9223372036854775808", "a");
    EQ(":1\r\n", "LREM", "l", "9223372036854775807", "c");
    cr_assert_eq(enc_of("l"), -1);
    EQ(":0\r\n", "LREM", "l", "0", "c");
}

Test(list, lpos_options)
{
    EQ(":8\r\n", "RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c");
    EQ(":2\r\n", "LPOS", "l", "c");
    EQ(":6\r\n", "LPOS", "l", "c", "RANK", "2");
    EQ(":7\r\n", "LPOS", "l", "c", "RANK", "-1");
    EQ(":2\r\n", "LPOS", "l", "c", "RANK", "-3");
    EQ("$-1\r\n", "LPOS", "l", "c", "RANK", "4");
    EQ("*3\r\n:2\r\n:6\r\n:7\r\n", "LPOS", "l", "c", "COUNT", "0");
    EQ("*2\r\n:6\r\n:7\r\n", "LPOS", "l", "c", "RANK", "2", "COUNT", "0");
    EQ("*2\r\n:7\r\n:6\r\n", "LPOS", "l", "c", "RANK", "-1", "COUNT", "2");
    EQ("*1\r\n:2\r\n", "LPOS", "l", "c", "COUNT", "5", "MAXLEN", "3");
    EQ("$-1\r\n", "LPOS", "l", "c", "MAXLEN", "2");
    EQ(":7\r\n", "LPOS", "l", "c", "RANK", "-1", "MAXLEN", "1");
    EQ(":3\r\n", "LPOS", "l", "1");
    EQ("*3\r\n:7\r\n:6\r\n:2\r\n", "LPOS", "l", "c", "RANK", "-9223372036854775808", "COUNT", "1");
    EQ(":7\r\n", "LPOS", "l", "c", "RANK", "-9223372036854775808");
    EQ("-ERR COUNT can't be negative\r\n", "LPOS", "l", "c", "COUNT", "-1");
    EQ("-ERR COUNT can't be negative\r\n", "LPOS", "l", "c", "COUNT", "x");
    EQ("-ERR MAXLEN can't be negative\r\n", "LPOS", "l", "c", "MAXLEN", "-1");
    EQ("-ERR value is not an integer or out of range\r\n", "LPOS", "l", "c", "RANK", "x");
    EQ("-ERR syntax error\r\n", "LPOS", "l", "c", "RANK");
    EQ("-ERR syntax error\r\n", "LPOS", "l", "c", "FOO", "1");
    EQ("$-1\r\n", "LPOS", "nokey", "c");
    EQ("*0\r\n", "LPOS", "nokey", "c", "COUNT", "1");
}

Test(list, lmpop_args)
{
    EQ("-ERR numkeys should be greater than 0\r\n", "LMPOP", "0", "a", "LEFT");
    EQ("-ERR numkeys should be greater than 0\r\n", "LMPOP", "x", "a", "LEFT");
    EQ("-ERR syntax error\r\n", "LMPOP", "2", "a", "LEFT");
    EQ("-ERR syntax error\r\n", "LMPOP", "9223372036854775807", "a", "LEFT");
    EQ("-ERR syntax error\r\n", "LMPOP", "1", "a", "UP");
    EQ("-ERR count should be greater than 0\r\n", "LMPOP", "1", "a", "LEFT", "COUNT", "0");
    EQ("-ERR count should be greater than 0\r\n", "LMPOP", "1", "a", "LEFT", "COUNT", "x");
    EQ("-ERR syntax error\r\n", "LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1");
    EQ("-ERR syntax error\r\n", "LMPOP", "1", "a", "LEFT", "COUNT");
    EQ("*-1\r\n", "LMPOP", "2", "a", "b", "RIGHT", "COUNT", "3");
    EQ(":3\r\n", "RPUSH", "b", "1", "2", "3");
    EQ("*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n", "LMPOP", "2", "a", "b", "RIGHT", "count", "2");
    EQ("*2\r\n$1\r\nb\r\n*1\r\n$1\r\n1\r\n", "LMPOP", "2", "a", "b", "LEFT", "COUNT", "9");
    cr_assert_eq(enc_of("b"), -1);
}

/* ---- element bytes ---- */

Test(list, integers_stay_as_given)
{
    static const char *v[] = {"-0", "007", "9223372036854775808", "-9223372036854775808",
                              "9223372036854775807", "0", "-1", "+1", " 1", "1 ", "12345678901234567890"};
    size_t n = sizeof v / sizeof *v;
    for (size_t i = 0; i < n; i++)
        R("RPUSH", "l", v[i], NULL);
    for (size_t i = 0; i < n; i++) {
        char idx[8], exp[64];
        snprintf(idx, sizeof idx, "%zu", i);
        snprintf(exp, sizeof exp, "$%zu\r\n%s\r\n", strlen(v[i]), v[i]);
        EQ(exp, "LINDEX", "l", idx);
    }
    /* Matching is by bytes: "007" is not 7, "-0" is not 0. */
    EQ(":1\r\n", "LPOS", "l", "007");
    EQ("$-1\r\n", "LPOS", "l", "7");
    EQ(":5\r\n", "LPOS", "l", "0");
    EQ(":3\r\n", "LPOS", "l", "-9223372036854775808");
    EQ(":1\r\n", "LREM", "l", "0", "-0");
    EQ(":0\r\n", "LREM", "l", "0", "-00");
}

Test(list, binary_members)
{
    cmd_arg_t push[] = {{"RPUSH", 5}, {"k", 1}, {"a\0b", 3}, {"", 0}, {"\0", 1}, {"", 0}};
    runk(6, push, NULL);
    reply_is(":4\r\n");
    cmd_arg_t range[] = {{"LRANGE", 6}, {"k", 1}, {"0", 1}, {"-1", 2}};
    runk(4, range, NULL);
    static const char exp[] = "*4\r\n$3\r\na\0b\r\n$0\r\n\r\n$1\r\n\0\r\n$0\r\n\r\n";
    cr_assert_eq(r.len, sizeof exp - 1);
    cr_assert(memcmp(r.buf, exp, r.len) == 0);
    cmd_arg_t pos[] = {{"LPOS", 4}, {"k", 1}, {"", 0}, {"RANK", 4}, {"-1", 2}};
    runk(5, pos, NULL);
    reply_is(":3\r\n");
    cmd_arg_t pos2[] = {{"LPOS", 4}, {"k", 1}, {"a", 1}};
    runk(3, pos2, NULL);
    reply_is("$-1\r\n");
    cmd_arg_t ins[] = {{"LINSERT", 7}, {"k", 1}, {"AFTER", 5}, {"\0", 1}, {"x\0", 2}};
    runk(5, ins, NULL);
    reply_is(":5\r\n");
    cmd_arg_t rem[] = {{"LREM", 4}, {"k", 1}, {"0", 1}, {"", 0}};
    runk(4, rem, NULL);
    reply_is(":2\r\n");
    cmd_arg_t idx[] = {{"LINDEX", 6}, {"k", 1}, {"2", 1}};
    runk(3, idx, NULL);
    cr_assert_eq(r.len, 8);
    cr_assert(memcmp(r.buf, "$2\r\nx\0\r\n", 8) == 0);
}

/* ---- encodings ---- */

Test(list, converts_both_ways_by_count)
{
    cfg.list_max_listpack_size = 4;
    EQ(":4\r\n", "RPUSH", "l", "1", "2", "3", "4");
    cr_assert_eq(enc_of("l"), ENC_LIST_LP);
    EQ(":5\r\n", "RPUSH", "l", "5");
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    EQ("$1\r\n5\r\n", "RPOP", "l");
    EQ("$1\r\n4\r\n", "RPOP", "l");
    cr_assert_eq(enc_of("l"), ENC_LIST_QL, "3 > 4/2: still a quicklist");
    EQ("$1\r\n3\r\n", "RPOP", "l");
    cr_assert_eq(enc_of("l"), ENC_LIST_LP, "one node of 2 <= 4/2: a listpack");
    EQ("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "LRANGE", "l", "0", "-1");
    /* A push of many at once converts before pushing. */
    EQ(":12\r\n", "LPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    EQ("+OK\r\n", "LTRIM", "l", "0", "1");
    cr_assert_eq(enc_of("l"), ENC_LIST_LP);
    EQ("*2\r\n$1\r\nj\r\n$1\r\ni\r\n", "LRANGE", "l", "0", "-1");
}

Test(list, converts_by_size_and_settings)
{
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    cfg.list_max_listpack_size = -1;            /* 4 KiB nodes */
    EQ(":1\r\n", "RPUSH", "l", "a");
    cr_assert_eq(enc_of("l"), ENC_LIST_LP);
    EQ(":2\r\n", "RPUSH", "l", big);            /* bigger than a node */
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    EQ(":3\r\n", "RPUSH", "l", "b");
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    EQ(":1\r\n", "LREM", "l", "0", big);
    cr_assert_eq(enc_of("l"), ENC_LIST_LP);
    /* A new limit applies from the next command; the same list grows
     * into a quicklist of the new fill. */
    cfg.list_max_listpack_size = 2;
    EQ(":3\r\n", "RPUSH", "l", "c");
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    entry_t *e = find(ks, "l");
    cr_assert_eq(ql_fill(e->v.obj), 2);
    cr_assert_eq(ql_nodes(e->v.obj), 2);
    /* Out of range values clamp as in Redis. */
    cfg.list_max_listpack_size = -100;
    EQ(":1\r\n", "RPUSH", "m", big);
    cr_assert_eq(enc_of("m"), ENC_LIST_LP, "5000 bytes fit a 64 KiB node");
    cfg.list_max_listpack_size = 1000000;
    char huge[9000];
    memset(huge, 'h', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    EQ(":1\r\n", "RPUSH", "n", "a");
    EQ(":2\r\n", "RPUSH", "n", huge);
    cr_assert_eq(enc_of("n"), ENC_LIST_QL, "positive fills keep nodes within 8 KiB");
    cfg.list_max_listpack_size = 0;
    EQ(":2\r\n", "RPUSH", "o", "1", "2");
    cr_assert_eq(enc_of("o"), ENC_LIST_QL);
    e = find(ks, "o");
    cr_assert_eq(ql_nodes(e->v.obj), 2, "fill 0: one element a node");
}

Test(list, lset_and_linsert_convert)
{
    cfg.list_max_listpack_size = 3;
    EQ(":3\r\n", "RPUSH", "l", "a", "b", "c");
    cr_assert_eq(enc_of("l"), ENC_LIST_LP);
    EQ(":-1\r\n", "LINSERT", "l", "BEFORE", "zz", "x");
    cr_assert_eq(enc_of("l"), ENC_LIST_LP, "a missed pivot changes nothing");
    EQ(":4\r\n", "LINSERT", "l", "BEFORE", "c", "x");
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    EQ("*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n$1\r\nc\r\n", "LRANGE", "l", "0", "-1");
    cfg.list_max_listpack_size = -2;
    char big[9000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = 0;
    EQ(":2\r\n", "RPUSH", "m", "a", "b");
    EQ("+OK\r\n", "LSET", "m", "0", big);
    cr_assert_eq(enc_of("m"), ENC_LIST_QL);
    EQ("+OK\r\n", "LSET", "m", "0", "small");
    EQ("*2\r\n$5\r\nsmall\r\n$1\r\nb\r\n", "LRANGE", "m", "0", "-1");
    EQ(":3\r\n", "RPUSH", "m", "c");
    EQ("$1\r\nc\r\n", "RPOP", "m");
    cr_assert_eq(enc_of("m"), ENC_LIST_LP, "small again after a pop");
}

Test(list, compressed_quicklist)
{
    cfg.list_max_listpack_size = 8;
    cfg.list_compress_depth = 1;
    char v[80];
    for (int i = 0; i < 400; i++) {
        snprintf(v, sizeof v, "value-%d-padding-padding-padding-padding-padding", i);
        R("RPUSH", "l", v, NULL);
    }
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    entry_t *e = find(ks, "l");
    cr_assert_eq(ql_depth(e->v.obj), 1);
    EQ("$49\r\nvalue-200-padding-padding-padding-padding-padding\r\n", "LINDEX", "l", "200");
    EQ(":200\r\n", "LPOS", "l", "value-200-padding-padding-padding-padding-padding");
    EQ(":1\r\n", "LREM", "l", "0", "value-200-padding-padding-padding-padding-padding");
    EQ(":400\r\n", "LINSERT", "l", "AFTER", "value-300-padding-padding-padding-padding-padding", "x");
    EQ("+OK\r\n", "LSET", "l", "250", "y");
    EQ("*3\r\n$1\r\ny\r\n$49\r\nvalue-252-padding-padding-padding-padding-padding\r\n"
       "$49\r\nvalue-253-padding-padding-padding-padding-padding\r\n", "LRANGE", "l", "250", "252");
    cr_assert_eq(enc_of("l"), ENC_LIST_QL);
    EQ("+OK\r\n", "LTRIM", "l", "100", "101");
    cr_assert_eq(enc_of("l"), ENC_LIST_LP);
}

Test(list, big_list_lrange)
{
    enum { N = 100000 };
    cmd_arg_t argv[2 + 1000];
    static char vals[1000][8];
    argv[0] = (cmd_arg_t){"RPUSH", 5};
    argv[1] = (cmd_arg_t){"big", 3};
    for (int b = 0; b < N / 1000; b++) {
        for (int i = 0; i < 1000; i++) {
            int n = snprintf(vals[i], sizeof vals[i], "%d", b * 1000 + i);
            argv[2 + i] = (cmd_arg_t){vals[i], (size_t)n};
        }
        runk(1002, argv, NULL);
    }
    EQ(":100000\r\n", "LLEN", "big");
    cr_assert_eq(enc_of("big"), ENC_LIST_QL);
    EQ("*2\r\n$5\r\n50000\r\n$5\r\n50001\r\n", "LRANGE", "big", "50000", "50001");
    EQ("*1\r\n$5\r\n99999\r\n", "LRANGE", "big", "-1", "-1");
    EQ("$5\r\n99998\r\n", "LINDEX", "big", "-2");
    cmd_arg_t all[] = {{"LRANGE", 6}, {"big", 3}, {"0", 1}, {"-1", 2}};
    runk(4, all, NULL);
    static const char head[] = "*100000\r\n$1\r\n0\r\n$1\r\n1\r\n", tail[] = "$5\r\n99999\r\n";
    cr_assert(r.len > 100000 && memcmp(r.buf, head, sizeof head - 1) == 0);
    cr_assert(memcmp(r.buf + r.len - (sizeof tail - 1), tail, sizeof tail - 1) == 0);
    EQ(":77777\r\n", "LPOS", "big", "77777");
    EQ("+OK\r\n", "LTRIM", "big", "10", "-11");
    EQ(":99980\r\n", "LLEN", "big");
    EQ("$2\r\n10\r\n", "LPOP", "big");
}

/* ---- moves and keyspaces ---- */

Test(list, lmove_rotation_and_cross_keyspace)
{
    EQ(":3\r\n", "RPUSH", "l", "a", "b", "c");
    EQ("$1\r\nc\r\n", "RPOPLPUSH", "l", "l");
    EQ("$1\r\nc\r\n", "LMOVE", "l", "l", "LEFT", "RIGHT");
    EQ("$1\r\nc\r\n", "LMOVE", "l", "l", "RIGHT", "RIGHT");
    EQ("$1\r\na\r\n", "LMOVE", "l", "l", "LEFT", "LEFT");
    EQ("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "l", "0", "-1");
    EQ(":1\r\n", "RPUSH", "one", "x");
    EQ("$1\r\nx\r\n", "LMOVE", "one", "one", "LEFT", "RIGHT");
    EQ("*1\r\n$1\r\nx\r\n", "LRANGE", "one", "0", "-1");
    EQ("$1\r\nx\r\n", "LMOVE", "one", "two", "LEFT", "RIGHT");
    cr_assert_eq(enc_of("one"), -1);
    EQ("*1\r\n$1\r\nx\r\n", "LRANGE", "two", "0", "-1");

    /* src in ks, dst in ks2, as a command spanning two shards sees them */
    ks_t *kss[5] = {ks, ks, ks2, ks, ks};
    cmd_arg_t mv[] = {{"LMOVE", 5}, {"l", 1}, {"d", 1}, {"RIGHT", 5}, {"LEFT", 4}};
    runk(5, mv, kss);
    reply_is("$1\r\nc\r\n");
    cr_assert_null(find(ks, "d"));
    entry_t *d = find(ks2, "d");
    cr_assert(d && d->otype == OBJ_LIST);
    cr_assert(ks_add(ks2, "s", 1, "v", 1));
    cmd_arg_t mv2[] = {{"RPOPLPUSH", 9}, {"l", 1}, {"s", 1}};
    runk(3, mv2, kss);
    reply_is("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EQ(":2\r\n", "LLEN", "l");
    /* LMPOP over keys of two keyspaces: the first non-empty one wins */
    ks_t *kss3[5] = {ks, ks, ks, ks2, ks};
    cmd_arg_t mp[] = {{"LMPOP", 5}, {"2", 1}, {"zz", 2}, {"d", 1}, {"LEFT", 4}};
    runk(5, mp, kss3);
    reply_is("*2\r\n$1\r\nd\r\n*1\r\n$1\r\nc\r\n");
    cr_assert_null(find(ks2, "d"), "emptied in its own keyspace");
}

/* ---- memory accounting ---- */

static size_t data_mem(void)
{
    ks_stats_t st;
    ks_stats(ks, &st);
    return st.mem_data;
}

Test(list, memory_returns_to_baseline)
{
    size_t base = data_mem();
    cfg.list_max_listpack_size = 4;
    cfg.list_compress_depth = 1;
    char v[64];
    for (int i = 0; i < 300; i++) {
        snprintf(v, sizeof v, "%d-some-padding-to-compress-some-padding", i);
        R(i % 2 ? "RPUSH" : "LPUSH", "l", v, NULL);
    }
    R("LSET", "l", "100", "z", NULL);
    R("LINSERT", "l", "BEFORE", "z", "zz", NULL);
    R("LREM", "l", "0", "zz", NULL);
    R("LTRIM", "l", "5", "-5", NULL);
    R("LMOVE", "l", "m", "LEFT", "RIGHT", NULL);
    R("LPOP", "l", "100", NULL);
    cr_assert_gt(data_mem(), base);
    entry_t *e = find(ks, "l");
    cr_assert_eq(ks_entry_usage(ks, e) > entry_mem(e), true);
    R("LMPOP", "2", "m", "l", "LEFT", "COUNT", "1000", NULL);
    R("LMPOP", "2", "m", "l", "LEFT", "COUNT", "1000", NULL);
    cr_assert_null(find(ks, "l"));
    cr_assert_null(find(ks, "m"));
    cr_assert_eq(data_mem(), base);
}

/* ---- randomized, against a model ---- */

typedef struct model {
    char **v;
    size_t *len;
    size_t n;
} model_t;

static void m_insert(model_t *m, size_t at, const char *s, size_t len)
{
    m->v = realloc(m->v, (m->n + 1) * sizeof *m->v);
    m->len = realloc(m->len, (m->n + 1) * sizeof *m->len);
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof *m->v);
    memmove(m->len + at + 1, m->len + at, (m->n - at) * sizeof *m->len);
    m->v[at] = malloc(len + 1);
    memcpy(m->v[at], s, len);
    m->len[at] = len;
    m->n++;
}

static void m_delete(model_t *m, size_t at)
{
    free(m->v[at]);
    memmove(m->v + at, m->v + at + 1, (m->n - at - 1) * sizeof *m->v);
    memmove(m->len + at, m->len + at + 1, (m->n - at - 1) * sizeof *m->len);
    m->n--;
}

/* The whole list as LRANGE 0 -1 must reply it. */
static void m_check(const model_t *m)
{
    cmd_arg_t all[] = {{"LRANGE", 6}, {"k", 1}, {"0", 1}, {"-1", 2}};
    runk(4, all, NULL);
    char *exp = malloc(64 + m->n * 64 + 1);
    size_t at = (size_t)sprintf(exp, "*%zu\r\n", m->n);
    for (size_t i = 0; i < m->n; i++) {
        at += (size_t)sprintf(exp + at, "$%zu\r\n", m->len[i]);
        memcpy(exp + at, m->v[i], m->len[i]);
        at += m->len[i];
        memcpy(exp + at, "\r\n", 2);
        at += 2;
    }
    if (m->n == 0)
        cr_assert_null(find(ks, "k"));
    else
        enc_of("k");
    cr_assert_eq(r.len, at);
    cr_assert(memcmp(r.buf, exp, at) == 0);
    free(exp);
}

static const char *pick_value(unsigned x, char *buf, size_t *len)
{
    static const char *fixed[] = {"", "0", "-1", "007", "-0", "9223372036854775807",
                                  "9223372036854775808", "a", "b", "\0z"};
    if (x % 3 == 0) {
        *len = (size_t)snprintf(buf, 64, "%u", x % 50);
    } else if (x % 3 == 1) {
        const char *s = fixed[x % 10];
        *len = x % 10 == 9 ? 2 : strlen(s);
        memcpy(buf, s, *len);
    } else {
        *len = 20 + x % 40;
        memset(buf, 'a' + (int)(x % 26), *len);
    }
    return buf;
}

Test(list, random_against_model, .timeout = 60)
{
    static const long long fills[][2] = {{-2, 0}, {3, 0}, {4, 1}, {-1, 2}, {1, 0}, {128, 3}};
    unsigned seed = 12345;
    for (size_t f = 0; f < sizeof fills / sizeof *fills; f++) {
        cfg.list_max_listpack_size = fills[f][0];
        cfg.list_compress_depth = fills[f][1];
        model_t m = {0};
        for (int step = 0; step < 3000; step++) {
            seed = seed * 1103515245u + 12345u;
            unsigned x = seed >> 8, op = x % 9;
            char vb[64], ib[32], cb[32];
            size_t vl;
            const char *v = pick_value(x / 9, vb, &vl);
            long idx = m.n ? (long)((x / 7) % (m.n * 2 + 1)) - (long)m.n : 0;
            snprintf(ib, sizeof ib, "%ld", idx);
            if (op <= 2 || m.n < 4) {
                bool head = op == 1;
                cmd_arg_t a[] = {{head ? "LPUSH" : "RPUSH", 5}, {"k", 1}, {v, vl}};
                runk(3, a, NULL);
                m_insert(&m, head ? 0 : m.n, v, vl);
            } else if (op == 3) {
                long cnt = (long)((x / 5) % 4);
                snprintf(cb, sizeof cb, "%ld", cnt);
                bool head = x & 1;
                cmd_arg_t a[] = {{head ? "LPOP" : "RPOP", 4}, {"k", 1}, {cb, strlen(cb)}};
                runk(3, a, NULL);
                for (long i = 0; i < cnt && m.n; i++)
                    m_delete(&m, head ? 0 : m.n - 1);
            } else if (op == 4) {
                cmd_arg_t a[] = {{"LSET", 4}, {"k", 1}, {ib, strlen(ib)}, {v, vl}};
                runk(4, a, NULL);
                size_t at = (size_t)(idx < 0 ? idx + (long)m.n : idx);
                if (at < m.n) {
                    free(m.v[at]);
                    m.v[at] = malloc(vl + 1);
                    memcpy(m.v[at], v, vl);
                    m.len[at] = vl;
                }
            } else if (op == 5) {
                /* LINSERT before/after the element at a random index */
                size_t at = (x / 11) % m.n;
                bool after = x & 2;
                cmd_arg_t a[] = {{"LINSERT", 7}, {"k", 1}, {after ? "AFTER" : "BEFORE",
                                 after ? 5 : 6}, {m.v[at], m.len[at]}, {v, vl}};
                size_t first = 0;
                while (!(m.len[first] == m.len[at] && memcmp(m.v[first], m.v[at], m.len[at]) == 0))
                    first++;
                runk(5, a, NULL);
                m_insert(&m, first + after, v, vl);
            } else if (op == 6) {
                long cnt = (long)((x / 3) % 5) - 2;
                snprintf(cb, sizeof cb, "%ld", cnt);
                cmd_arg_t a[] = {{"LREM", 4}, {"k", 1}, {cb, strlen(cb)}, {v, vl}};
                runk(4, a, NULL);
                long want = cnt < 0 ? -cnt : cnt, done = 0;
                if (cnt >= 0) {
                    for (size_t i = 0; i < m.n && (!want || done < want);)
                        if (m.len[i] == vl && memcmp(m.v[i], v, vl) == 0)
                            m_delete(&m, i), done++;
                        else
                            i++;
                } else {
                    for (size_t i = m.n; i-- > 0 && done < want;)
                        if (m.len[i] == vl && memcmp(m.v[i], v, vl) == 0)
                            m_delete(&m, i), done++;
                }
                char exp[32];
                snprintf(exp, sizeof exp, ":%ld\r\n", done);
                cr_assert(r.len == strlen(exp) && memcmp(r.buf, exp, r.len) == 0);
            } else if (op == 7) {
                /* LTRIM keeping most of it, or LMOVE onto itself */
                if (x & 1) {
                    long a0 = (long)((x / 13) % 3), a1 = -1 - (long)((x / 17) % 3);
                    char s0[8], s1[8];
                    snprintf(s0, sizeof s0, "%ld", a0);
                    snprintf(s1, sizeof s1, "%ld", a1);
                    cmd_arg_t a[] = {{"LTRIM", 5}, {"k", 1}, {s0, strlen(s0)}, {s1, strlen(s1)}};
                    runk(4, a, NULL);
                    long keep_to = (long)m.n + a1;
                    while ((long)m.n - 1 > keep_to)
                        m_delete(&m, m.n - 1);
                    for (long i = 0; i < a0 && m.n; i++)
                        m_delete(&m, 0);
                } else {
                    cmd_arg_t a[] = {{"LMOVE", 5}, {"k", 1}, {"k", 1}, {"LEFT", 4}, {"RIGHT", 5}};
                    runk(5, a, NULL);
                    char *s = m.v[0];
                    size_t l = m.len[0];
                    m_insert(&m, m.n, s, l);
                    m_delete(&m, 0);
                }
            } else {
                cmd_arg_t a[] = {{"LINDEX", 6}, {"k", 1}, {ib, strlen(ib)}};
                runk(3, a, NULL);
                size_t at = (size_t)(idx < 0 ? idx + (long)m.n : idx);
                if (at < m.n) {
                    char exp[128];
                    int h = snprintf(exp, sizeof exp, "$%zu\r\n", m.len[at]);
                    cr_assert(r.len == (size_t)h + m.len[at] + 2);
                    cr_assert(memcmp(r.buf + h, m.v[at], m.len[at]) == 0);
                }
            }
            if (step % 50 == 0 || m.n < 8)
                m_check(&m);
        }
        m_check(&m);
        R("DEL", "k", NULL);
        while (m.n)
            m_delete(&m, 0);
        free(m.v);
        free(m.len);
    }
}
