/*
 * test_zset.c - the sorted set commands by member, the pops, ZRANDMEMBER
 * and ZSCAN in process: replies byte for byte against tables taken from
 * redis-server 7.0 (RESP2 and RESP3), each table run on both encodings
 * (a listpack, and the big form with zset-max-listpack-entries 0, where
 * Redis itself answers -0 as "-0"); emptied keys deleted and memory
 * accounted after writes; ZRANDMEMBER's counts, distinctness and scores
 * on every strategy, its bounded work on big sets; ZSCAN's full coverage
 * of a big set that changes between calls.  test_zset_obj.c has the
 * encoding layer.
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
#include "store/db/value.h"
#include "types_harness.h"


TestSuite(zset, .init = th_setup, .fini = th_teardown);

/* ---- tables from redis-server ---- */

/* One command and Redis's replies: r2/r3 for a listpack (r3 NULL: as
 * r2), b2/b3 for the big form (b2 NULL: as the listpack; "": not
 * compared, a hash table's order; b3 NULL: as b2). */

typedef struct step {
    const char *cmd, *r2, *r3, *b2, *b3;
} step_t;

/* The table on a fresh keyspace for each encoding and protocol; memory
 * accounting checked after every step. */
static void run_steps(const step_t *t, size_t n)
{
    for (int pass = 0; pass < 4; pass++) {
        bool big = pass >= 2;
        ks_destroy(ks1);
        ks1 = ks_create(1);
        cfg.zset_max_listpack_entries = big ? 0 : 128;
        R.proto = pass % 2 ? 3 : 2;
        for (size_t i = 0; i < n; i++) {
            const step_t *s = &t[i];
            const char *w2 = s->r2, *w3 = s->r3 ? s->r3 : s->r2;
            if (big && s->b2) {
                w2 = s->b2;
                w3 = s->b3 ? s->b3 : s->b2;
            }
            const char *want = R.proto == 3 ? w3 : w2;
            if (!*want) {
                run(s->cmd);
                continue;
            }
            const char *got = run(s->cmd);
            cr_assert(R.len == strlen(want) && memcmp(got, want, R.len) == 0,
                      "%s (%s, RESP%d)\n  want %s\n  got  %s", s->cmd,
                      big ? "big form" : "listpack", R.proto, show(want, strlen(want)),
                      show(got, R.len));
            check_mem(ks1, s->cmd);
        }
    }
}

#define RUN_STEPS(t) run_steps(t, sizeof t / sizeof *t)

static const step_t zadd_steps[] = {
    {"ZADD z 1 a 2 b 3 c a", "-ERR syntax error\r\n", NULL},
    {"ZADD z 1 a 2 b 3 c", ":3\r\n", NULL},
    {"ZADD z 1 a", ":0\r\n", NULL},
    {"ZADD z CH 10 a 2 b", ":1\r\n", NULL},
    {"ZADD z NX 100 a 4 d", ":1\r\n", NULL},
    {"ZADD z XX 5 d 6 e", ":0\r\n", NULL},
    {"ZADD z XX CH 7 d 7 e", ":1\r\n", NULL},
    {"ZADD z GT 1 a 20 a", ":0\r\n", NULL},
    {"ZADD z GT CH 1 a 20 a", ":0\r\n", NULL},
    {"ZADD z LT CH 15 a 30 b", ":1\r\n", NULL},
    {"ZADD z GT LT 1 a",
     "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
     NULL},
    {"ZADD z NX GT 1 a",
     "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
     NULL},
    {"ZADD z NX LT 1 a",
     "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
     NULL},
    {"ZADD z NX XX 1 a", "-ERR XX and NX options at the same time are not compatible\r\n", NULL},
    {"ZADD z INCR 5 a", "$2\r\n20\r\n", ",20\r\n"},
    {"ZADD z INCR 5 a 6 b", "-ERR INCR option supports a single increment-element pair\r\n", NULL},
    {"ZADD z NX INCR 5 a", "$-1\r\n", "_\r\n"},
    {"ZADD z XX INCR 5 nosuch", "$-1\r\n", "_\r\n"},
    {"ZADD z GT INCR -1 a", "$-1\r\n", "_\r\n"},
    {"ZADD z LT INCR -1 a", "$2\r\n19\r\n", ",19\r\n"},
    {"ZADD z nx xx ch incr gt 1 a",
     "-ERR XX and NX options at the same time are not compatible\r\n",
     NULL},
    {"ZADD z 1", "-ERR wrong number of arguments for 'zadd' command\r\n", NULL},
    {"ZADD z", "-ERR wrong number of arguments for 'zadd' command\r\n", NULL},
    {"ZADD z abc a", "-ERR value is not a valid float\r\n", NULL},
    {"ZADD z 1 a abc b", "-ERR value is not a valid float\r\n", NULL},
    {"ZADD z nan a", "-ERR value is not a valid float\r\n", NULL},
    {"ZADD z inf a -inf b +inf c", ":0\r\n", NULL},
    {"ZADD z INCR -inf c", "-ERR resulting score is not a number (NaN)\r\n", NULL},
    {"ZADD z INCR inf b", "-ERR resulting score is not a number (NaN)\r\n", NULL},
    {"ZADD z XX 1 nokey", ":0\r\n", NULL},
    {"ZADD nokey XX 1 a", ":0\r\n", NULL},
    {"EXISTS nokey", ":0\r\n", NULL},
    {"ZCARD z", ":4\r\n", NULL},
    {"ZINCRBY z 1", "-ERR wrong number of arguments for 'zincrby' command\r\n", NULL},
    {"ZINCRBY z abc a", "-ERR value is not a valid float\r\n", NULL},
    {"ZINCRBY z 2.5 newm", "$3\r\n2.5\r\n", ",2.5\r\n"},
    {"ZINCRBY z -2.5 newm", "$1\r\n0\r\n", ",0\r\n"},
    {"ZINCRBY z inf a", "$3\r\ninf\r\n", ",inf\r\n"},
    {"ZINCRBY z nan a", "-ERR value is not a valid float\r\n", NULL},
    {"ZINCRBY z 1e308 d", "$6\r\n1e+308\r\n", ",1e+308\r\n"},
    {"ZINCRBY z 1e308 d", "$3\r\ninf\r\n", ",inf\r\n"},
    {"ZSCORE z d", "$3\r\ninf\r\n", ",inf\r\n"},
    {"ZSCORE z newm", "$1\r\n0\r\n", ",0\r\n"},
    {"SET str x", "+OK\r\n", NULL},
    {"ZADD str 1 a", WRONGTYPE, NULL},
    {"ZINCRBY str 1 a", WRONGTYPE, NULL},
    {"ZADD str abc a", "-ERR value is not a valid float\r\n", NULL},
    {"ZADD str NX XX 1 a", "-ERR XX and NX options at the same time are not compatible\r\n", NULL},
    {"ZADD z 0x10 a", ":0\r\n", NULL},
    {"ZADD z 1e5 x -0 y 0.1 w", ":3\r\n", NULL},
    {"ZSCORE z x", "$6\r\n100000\r\n", ",100000\r\n"},
    {"ZSCORE z y", "$1\r\n0\r\n", ",0\r\n", "$2\r\n-0\r\n", ",-0\r\n"},
    {"ZSCORE z w", "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
    {"ZSCORE z nosuch", "$-1\r\n", "_\r\n"},
    {"ZSCORE nokey a", "$-1\r\n", "_\r\n"},
    {"ZSCORE str a", WRONGTYPE, NULL},
    {"ZMSCORE z x y nosuch w",
     "*4\r\n$6\r\n100000\r\n$1\r\n0\r\n$-1\r\n$19\r\n0.10000000000000001\r\n",
     "*4\r\n,100000\r\n,0\r\n_\r\n,0.10000000000000001\r\n",
     "*4\r\n$6\r\n100000\r\n$2\r\n-0\r\n$-1\r\n$19\r\n0.10000000000000001\r\n",
     "*4\r\n,100000\r\n,-0\r\n_\r\n,0.10000000000000001\r\n"},
    {"ZMSCORE nokey a b", "*2\r\n$-1\r\n$-1\r\n", "*2\r\n_\r\n_\r\n"},
    {"ZMSCORE str a", WRONGTYPE, NULL},
    {"ZMSCORE z", "-ERR wrong number of arguments for 'zmscore' command\r\n", NULL},
    {"ZADD z GT 5 newgt", ":1\r\n", NULL},
    {"ZADD z LT CH 5 newlt", ":1\r\n", NULL},
    {"ZADD z GT INCR 5 newgti", "$1\r\n5\r\n", ",5\r\n"},
    {"ZADD z XX GT 100 newgt", ":0\r\n", NULL},
    {"ZADD z XX LT CH 1 newgt", ":1\r\n", NULL},
    {"ZADD z INCR CH 0 newgt", "$1\r\n1\r\n", ",1\r\n"},
    {"ZADD z ch CH 1 newgt", ":0\r\n", NULL},
    {"ZADD z 1 dup 1 dup", ":1\r\n", NULL},
    {"ZADD z 3 dup2 4 dup2", ":1\r\n", NULL},
    {"ZSCORE z dup2", "$1\r\n4\r\n", ",4\r\n"},
    {"ZADD z CH 3 dup3 3 dup3 5 dup3", ":2\r\n", NULL},
    {"ZADD z INCR nan newgt", "-ERR value is not a valid float\r\n", NULL},
    {"ZADD z INCR inf ix", "$3\r\ninf\r\n", ",inf\r\n"},
    {"ZADD z INCR -inf ix", "-ERR resulting score is not a number (NaN)\r\n", NULL},
    {"ZSCORE z ix", "$3\r\ninf\r\n", ",inf\r\n"},
    {"ZINCRBY z 1 a extra", "-ERR wrong number of arguments for 'zincrby' command\r\n", NULL},
    {"ZINCRBY z -inf ix", "-ERR resulting score is not a number (NaN)\r\n", NULL},
    {"ZADD z INCR 1 \"", "$1\r\n1\r\n", ",1\r\n"},
    {"ZADD z 1.0e1 e1 0x1p3 hx -.5 neg .5e-3 small", ":4\r\n", NULL},
    {"ZMSCORE z e1 hx neg small",
     "*4\r\n$2\r\n10\r\n$1\r\n8\r\n$4\r\n-0.5\r\n$22\r\n0.00050000000000000001\r\n",
     "*4\r\n,10\r\n,8\r\n,-0.5\r\n,0.00050000000000000001\r\n"},
    {"ZADD z 1e400 over", "-ERR value is not a valid float\r\n", NULL},
    {"ZADD z -1e400 over", "-ERR value is not a valid float\r\n", NULL},
    {"ZADD z infinity over", ":1\r\n", NULL},
    {"ZADD z -INF over2", ":1\r\n", NULL},
    {"ZSCORE z over2", "$4\r\n-inf\r\n", ",-inf\r\n"},
    {"ZCARD z", ":22\r\n", NULL},
};

static const step_t rem_steps[] = {
    {"ZADD z 1 a 2 b 3 c 4 d", ":4\r\n", NULL},
    {"ZREM z a x", ":1\r\n", NULL},
    {"ZREM z x y", ":0\r\n", NULL},
    {"ZREM nokey a", ":0\r\n", NULL},
    {"ZREM z", "-ERR wrong number of arguments for 'zrem' command\r\n", NULL},
    {"ZCARD z", ":3\r\n", NULL},
    {"ZCARD nokey", ":0\r\n", NULL},
    {"ZCARD z x", "-ERR wrong number of arguments for 'zcard' command\r\n", NULL},
    {"ZRANK z b", ":0\r\n", NULL},
    {"ZRANK z d", ":2\r\n", NULL},
    {"ZRANK z x", "$-1\r\n", "_\r\n"},
    {"ZRANK nokey a", "$-1\r\n", "_\r\n"},
    {"ZREVRANK z b", ":2\r\n", NULL},
    {"ZREVRANK z d", ":0\r\n", NULL},
    {"ZREVRANK z x", "$-1\r\n", "_\r\n"},
    {"ZRANK z b withscore", "-ERR wrong number of arguments for 'zrank' command\r\n", NULL},
    {"ZRANK z", "-ERR wrong number of arguments for 'zrank' command\r\n", NULL},
    {"ZREM z b c d", ":3\r\n", NULL},
    {"EXISTS z", ":0\r\n", NULL},
    {"SET str x", "+OK\r\n", NULL},
    {"ZREM str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", NULL},
    {"ZCARD str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", NULL},
    {"ZRANK str a", WRONGTYPE, NULL},
    {"ZREVRANK str a", WRONGTYPE, NULL},
};

static const step_t pop_steps[] = {
    {"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5\r\n", NULL},
    {"ZPOPMIN z", "*2\r\n$1\r\na\r\n$1\r\n1\r\n", "*2\r\n$1\r\na\r\n,1\r\n"},
    {"ZPOPMAX z", "*2\r\n$1\r\ne\r\n$1\r\n5\r\n", "*2\r\n$1\r\ne\r\n,5\r\n"},
    {"ZPOPMIN z 2",
     "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
     "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"},
    {"ZPOPMIN z 0", "*0\r\n", NULL},
    {"ZPOPMIN z -1", "-ERR value is out of range, must be positive\r\n", NULL},
    {"ZPOPMIN z abc", "-ERR value is out of range, must be positive\r\n", NULL},
    {"ZPOPMIN z 1 2", "-ERR syntax error\r\n", NULL},
    {"ZPOPMAX z 10", "*2\r\n$1\r\nd\r\n$1\r\n4\r\n", "*1\r\n*2\r\n$1\r\nd\r\n,4\r\n"},
    {"EXISTS z", ":0\r\n", NULL},
    {"ZPOPMIN nokey", "*0\r\n", NULL},
    {"ZPOPMIN nokey 3", "*0\r\n", NULL},
    {"ZPOPMAX nokey -1", "-ERR value is out of range, must be positive\r\n", NULL},
    {"SET str x", "+OK\r\n", NULL},
    {"ZPOPMIN str", WRONGTYPE, NULL},
    {"ZPOPMAX str 2", WRONGTYPE, NULL},
    {"ZADD z1 1 a 2 b 3 c", ":3\r\n", NULL},
    {"ZADD z2 10 x", ":1\r\n", NULL},
    {"ZMPOP 2 nokey z1 MIN",
     "*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
     "*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n"},
    {"ZMPOP 2 z2 z1 MAX COUNT 5",
     "*2\r\n$2\r\nz2\r\n*1\r\n*2\r\n$1\r\nx\r\n$2\r\n10\r\n",
     "*2\r\n$2\r\nz2\r\n*1\r\n*2\r\n$1\r\nx\r\n,10\r\n"},
    {"ZMPOP 2 z2 z1 MAX",
     "*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
     "*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n"},
    {"ZMPOP 1 z1 MAX COUNT 10",
     "*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
     "*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
    {"ZMPOP 1 z1 MIN", "*-1\r\n", "_\r\n"},
    {"ZMPOP 0 z1 MIN", "-ERR numkeys should be greater than 0\r\n", NULL},
    {"ZMPOP -1 z1 MIN", "-ERR numkeys should be greater than 0\r\n", NULL},
    {"ZMPOP abc z1 MIN", "-ERR numkeys should be greater than 0\r\n", NULL},
    {"ZMPOP 1 z1", "-ERR wrong number of arguments for 'zmpop' command\r\n", NULL},
    {"ZMPOP 1 z1 foo", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 1 z1 MIN COUNT 0", "-ERR count should be greater than 0\r\n", NULL},
    {"ZMPOP 1 z1 MIN COUNT -1", "-ERR count should be greater than 0\r\n", NULL},
    {"ZMPOP 1 z1 MIN COUNT abc", "-ERR count should be greater than 0\r\n", NULL},
    {"ZMPOP 1 z1 MIN COUNT 1 COUNT 2", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 1 z1 MIN foo", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 2 z1 MIN", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 1 str MIN", WRONGTYPE, NULL},
    {"ZMPOP 2 nokey str MIN", WRONGTYPE, NULL},
    {"ZADD z 1 a 2 b 3 c -0 d inf e", ":5\r\n", NULL},
    {"ZPOPMIN z 9223372036854775807",
     "*10\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n"
     "$1\r\n3\r\n$1\r\ne\r\n$3\r\ninf\r\n",
     "*5\r\n*2\r\n$1\r\nd\r\n,0\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\n"
     "c\r\n,3\r\n*2\r\n$1\r\ne\r\n,inf\r\n",
     "*10\r\n$1\r\nd\r\n$2\r\n-0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n"
     "$1\r\n3\r\n$1\r\ne\r\n$3\r\ninf\r\n",
     "*5\r\n*2\r\n$1\r\nd\r\n,-0\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\n"
     "c\r\n,3\r\n*2\r\n$1\r\ne\r\n,inf\r\n"},
    {"ZADD z 1 a 2 b 3 c -0 d inf e", ":5\r\n", NULL},
    {"ZPOPMAX z -0", "-ERR value is out of range, must be positive\r\n", NULL},
    {"ZPOPMAX z 1", "*2\r\n$1\r\ne\r\n$3\r\ninf\r\n", "*1\r\n*2\r\n$1\r\ne\r\n,inf\r\n"},
    {"ZMPOP 1 z MIN COUNT 9223372036854775807",
     "*2\r\n$1\r\nz\r\n*4\r\n*2\r\n$1\r\nd\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n"
     "$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
     "*2\r\n$1\r\nz\r\n*4\r\n*2\r\n$1\r\nd\r\n,0\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n"
     ",2\r\n*2\r\n$1\r\nc\r\n,3\r\n",
     "*2\r\n$1\r\nz\r\n*4\r\n*2\r\n$1\r\nd\r\n$2\r\n-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n"
     "$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
     "*2\r\n$1\r\nz\r\n*4\r\n*2\r\n$1\r\nd\r\n,-0\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n"
     ",2\r\n*2\r\n$1\r\nc\r\n,3\r\n"},
    {"ZADD z 1 a", ":1\r\n", NULL},
    {"ZMPOP 5 z nokey MIN", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 3 z nokey MIN", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 1 z min count 1",
     "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
     "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n"},
    {"ZMPOP 9223372036854775807 z MIN", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 2147483648 z MIN", "-ERR syntax error\r\n", NULL},
    {"ZMPOP 1 z MIN COUNT", "-ERR syntax error\r\n", NULL},
    {"ZPOPMIN", "-ERR wrong number of arguments for 'zpopmin' command\r\n", NULL},
    {"ZMPOP", "-ERR wrong number of arguments for 'zmpop' command\r\n", NULL},
};

static const step_t rand_steps[] = {
    {"ZADD z 1.5 only", ":1\r\n", NULL},
    {"ZRANDMEMBER z", "$4\r\nonly\r\n", NULL},
    {"ZRANDMEMBER z 1", "*1\r\n$4\r\nonly\r\n", NULL},
    {"ZRANDMEMBER z -3", "*3\r\n$4\r\nonly\r\n$4\r\nonly\r\n$4\r\nonly\r\n", NULL},
    {"ZRANDMEMBER z -2 WITHSCORES",
     "*4\r\n$4\r\nonly\r\n$3\r\n1.5\r\n$4\r\nonly\r\n$3\r\n1.5\r\n",
     "*2\r\n*2\r\n$4\r\nonly\r\n,1.5\r\n*2\r\n$4\r\nonly\r\n,1.5\r\n"},
    {"ZRANDMEMBER z 3 withscores",
     "*2\r\n$4\r\nonly\r\n$3\r\n1.5\r\n",
     "*1\r\n*2\r\n$4\r\nonly\r\n,1.5\r\n"},
    {"ZADD y 1 a 2 b 3 c", ":3\r\n", NULL},
    {"ZRANDMEMBER y 3 WITHSCORES",
     "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n",
     "*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"},
    {"ZRANDMEMBER y 9223372036854775807", "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", NULL},
    {"ZRANDMEMBER y 0", "*0\r\n", NULL},
    {"ZRANDMEMBER nokey", "$-1\r\n", "_\r\n"},
    {"ZRANDMEMBER nokey 3", "*0\r\n", NULL},
    {"ZRANDMEMBER nokey -3 withscores", "*0\r\n", NULL},
    {"ZRANDMEMBER y -9223372036854775808",
     "-ERR value is out of range, value must between -9223372036854775807 and "
     "9223372036854775807\r\n",
     NULL},
    {"ZRANDMEMBER y -4611686018427387904 withscores", "-ERR value is out of range\r\n", NULL},
    {"ZRANDMEMBER y 4611686018427387903 withscores",
     "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n",
     "*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"},
    {"ZRANDMEMBER y 1 foo", "-ERR syntax error\r\n", NULL},
    {"ZRANDMEMBER y abc", "-ERR value is not an integer or out of range\r\n", NULL},
    {"ZSCAN y 0",
     "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n"
     "3\r\n",
     NULL,
     "",
     NULL},
    {"ZSCAN y 0 MATCH b", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", NULL},
    {"ZSCAN y abc", "-ERR invalid cursor\r\n", NULL},
    {"ZSCAN y 0 COUNT 0", "-ERR syntax error\r\n", NULL},
    {"ZSCAN nokey 0", "*2\r\n$1\r\n0\r\n*0\r\n", NULL},
};


Test(zset, zadd_zincrby_zscore_zmscore)
{
    RUN_STEPS(zadd_steps);
}

Test(zset, zrem_zcard_zrank)
{
    RUN_STEPS(rem_steps);
}

Test(zset, zpopmin_zpopmax_zmpop)
{
    RUN_STEPS(pop_steps);
}

Test(zset, zrandmember_zscan_replies)
{
    RUN_STEPS(rand_steps);
}

/* ---- ZRANDMEMBER's counts and strategies ---- */

/* One RESP2 reply of bulk strings, flat (ZSCAN: the page's elements after
 * the cursor): the elements, pointing into R. */
typedef struct elems {
    size_t n;
    const char **s;
    size_t *len;
    unsigned long cursor;
} elems_t;

static void parse(elems_t *e, bool scan)
{
    const char *p = R.buf;
    e->cursor = 0;
    if (scan) {
        cr_assert(strncmp(p, "*2\r\n$", 5) == 0, "not a page: %s", show(R.buf, R.len));
        p = strchr(p + 5, '\n') + 1;
        e->cursor = strtoul(p, (char **)&p, 10);
        p += 2;
    }
    cr_assert_eq(*p, '*', "not an array: %s", show(R.buf, R.len));
    e->n = strtoul(p + 1, (char **)&p, 10);
    p += 2;
    free(e->s);
    free(e->len);
    e->s = malloc((e->n + 1) * sizeof *e->s);
    e->len = malloc((e->n + 1) * sizeof *e->len);
    for (size_t i = 0; i < e->n; i++) {
        cr_assert_eq(*p, '$');
        e->len[i] = strtoul(p + 1, (char **)&p, 10);
        e->s[i] = p + 2;
        p += 2 + e->len[i] + 2;
    }
    cr_assert_eq((size_t)(p - R.buf), R.len, "trailing bytes");
}

/* The index of member "m<i>" (or -1), below size. */
static long member_index(const char *s, size_t len, size_t size)
{
    if (len < 2 || s[0] != 'm')
        return -1;
    char *end;
    long i = strtol(s + 1, &end, 10);
    return end == s + len && i >= 0 && (size_t)i < size ? i : -1;
}

/* A set "z" of size members m0..m<size-1>, score i for m<i>, added 500
 * at a time. */
static void fill(size_t size)
{
    static char line[1 << 16];
    for (size_t i = 0; i < size;) {
        size_t n = (size_t)snprintf(line, sizeof line, "ZADD z");
        for (size_t k = 0; k < 500 && i < size; k++, i++)
            n += (size_t)snprintf(line + n, sizeof line - n, " %zu m%zu", i, i);
        cr_assert_eq(run(line)[0], ':');
    }
}

static int enc_of(const char *key)
{
    entry_t *e = ks_find_notouch(ks1, key, strlen(key));
    cr_assert(e && e->otype == OBJ_ZSET);
    return e->type;
}

/* ZRANDMEMBER z count [WITHSCORES]: the right number of members, distinct
 * for a positive count, each a member with its own score; the whole set
 * from the highest rank down for a count at least the size.  Returns
 * the reply's members as a bitmap of m<i> seen (the caller frees). */
static bool *check_rand(long long count, size_t size, bool withscores, elems_t *e)
{
    char line[96];
    snprintf(line, sizeof line, "ZRANDMEMBER z %lld%s", count, withscores ? " WITHSCORES" : "");
    run(line);
    parse(e, false);
    size_t per = withscores ? 2 : 1;
    size_t want = count < 0 ? (size_t)-count : (size_t)count < size ? (size_t)count : size;
    cr_assert_eq(e->n, want * per, "%s: %zu elements", line, e->n);
    bool *seen = calloc(size, 1);
    for (size_t i = 0; i < e->n; i += per) {
        long m = member_index(e->s[i], e->len[i], size);
        cr_assert(m >= 0, "%s: %s is no member", line, show(e->s[i], e->len[i]));
        cr_assert(count < 0 || !seen[m], "%s: m%ld twice", line, m);
        seen[m] = true;
        if (withscores) {
            char sc[32];
            int n = snprintf(sc, sizeof sc, "%ld", m);
            cr_assert((size_t)n == e->len[i + 1] && memcmp(sc, e->s[i + 1], (size_t)n) == 0,
                      "%s: m%ld with score %s", line, m, show(e->s[i + 1], e->len[i + 1]));
        }
        if (count >= (long long)size)
            cr_assert_eq((size_t)m, size - 1 - i / per, "%s: not highest rank first", line);
    }
    return seen;
}

Test(zset, zrandmember_every_strategy_each_encoding)
{
    elems_t e = {0};
    for (int big = 0; big < 2; big++) {
        size_t size = big ? 300 : 100;
        ks_destroy(ks1);
        ks1 = ks_create(1);
        cfg.zset_max_listpack_entries = big ? 128 : 1000;
        fill(size);
        cr_assert_eq(enc_of("z"), big ? ENC_ZSET_ZS : ENC_ZSET_LP);
        long long counts[] = {1, 2, 5, 33, 50, 99, 100, 101, 150, 299, 300, 1000,
                              -1, -2, -5, -500, 9223372036854775807LL};
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
            for (int ws = 0; ws < 2; ws++)
                if (!ws || counts[c] < 4611686018427387903LL)
                    free(check_rand(counts[c], size, ws, &e));
        /* Each strategy reaches every member: picks by rank (10 of 300),
         * the ordered pass (a half), repeats; a miss has odds below
         * 1e-12. */
        long long spread[] = {10, (long long)size / 2, -(long long)size * 40};
        for (size_t c = 0; c < 3; c++) {
            bool *all = calloc(size, 1);
            for (int round = 0; round < (c == 0 ? 1000 : c == 1 ? 60 : 1); round++) {
                bool *seen = check_rand(spread[c], size, round % 2, &e);
                for (size_t i = 0; i < size; i++)
                    all[i] |= seen[i];
                free(seen);
            }
            for (size_t i = 0; i < size; i++)
                cr_assert(all[i], "count %lld never gave m%zu", spread[c], i);
            free(all);
        }
        run("ZRANDMEMBER z");
        cr_assert_eq(R.buf[0], '$');
        EXPECT("ZCARD z", big ? ":300\r\n" : ":100\r\n");
    }
    free(e.s);
    free(e.len);
}

/* The conversion points through the commands (entries, a member's
 * length, a new key's first member), memory accounted at each, an
 * emptied big set deleted; RESP3's [member, score] pairs on the big form. */
Test(zset, conversions_through_commands)
{
    cfg.zset_max_listpack_entries = 2;
    cfg.zset_max_listpack_value = 4;
    EXPECT("ZADD z 1 a 2 b", ":2\r\n");
    cr_assert_eq(enc_of("z"), ENC_ZSET_LP);
    EXPECT("ZADD z 3 c", ":1\r\n");
    cr_assert_eq(enc_of("z"), ENC_ZSET_ZS);
    check_mem(ks1, "entries");
    EXPECT("ZADD y 1 abcd", ":1\r\n");
    cr_assert_eq(enc_of("y"), ENC_ZSET_LP);
    EXPECT("ZADD y NX 2 abcde 5 abcd", ":1\r\n");
    cr_assert_eq(enc_of("y"), ENC_ZSET_ZS);
    check_mem(ks1, "value length");
    EXPECT("ZINCRBY y 1.5 abcd", "$3\r\n2.5\r\n");
    EXPECT("ZADD w XX 1 abcdef", ":0\r\n");
    EXPECT("ZADD w 1 abcdef", ":1\r\n");
    cr_assert_eq(enc_of("w"), ENC_ZSET_ZS);
    EXPECT("ZPOPMAX z 5",
           "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    EXPECT("EXISTS z", ":0\r\n");
    check_mem(ks1, "emptied");
    R.proto = 3;
    EXPECT("ZRANDMEMBER y 2 WITHSCORES",
           "*2\r\n*2\r\n$4\r\nabcd\r\n,2.5\r\n*2\r\n$5\r\nabcde\r\n,2\r\n");
    const char *got = run("ZRANDMEMBER y -4 WITHSCORES");
    cr_assert(strncmp(got, "*4\r\n*2\r\n$", 9) == 0, "%s", show(got, R.len));
}

/* Work proportional to the reply: a pick on the big form is a rank
 * lookup, repeats over a listpack read it once, a count near the size is
 * one pass.  Quadratic work would run for hours and hit the timeout. */
Test(zset, zrandmember_bounded_work, .timeout = 120)
{
    elems_t e = {0};
    fill(200000);
    cr_assert_eq(enc_of("z"), ENC_ZSET_ZS);
    long long counts[] = {-200000, 199999, 66667, 66666, 1000};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
        free(check_rand(counts[c], 200000, c % 2, &e));
    ks_destroy(ks1);
    ks1 = ks_create(1);
    cfg.zset_max_listpack_entries = 10000;
    fill(5000);
    cr_assert_eq(enc_of("z"), ENC_ZSET_LP);
    free(check_rand(-1000000, 5000, false, &e));
    free(check_rand(4999, 5000, true, &e));
    free(e.s);
    free(e.len);
}

/* ---- ZSCAN ---- */

/* A full scan of the big form with COUNT 7 while members come and go
 * between the calls: every member there for the whole scan is reported,
 * with its score as Redis writes it ("%.17g"), and cursors end at 0. */
Test(zset, zscan_big_form_changing_between_calls)
{
    elems_t e = {0};
    fill(2000);
    cr_assert_eq(enc_of("z"), ENC_ZSET_ZS);
    bool seen[2000] = {0};
    unsigned long cursor = 0;
    char line[96];
    int calls = 0;
    do {
        snprintf(line, sizeof line, "ZSCAN z %lu COUNT 7", cursor);
        run(line);
        parse(&e, true);
        cursor = e.cursor;
        cr_assert_eq(e.n % 2, 0);
        for (size_t i = 0; i < e.n; i += 2) {
            long m = member_index(e.s[i], e.len[i], 2000);
            if (m < 0)
                continue;       /* one of the members that come and go */
            seen[m] = true;
            char sc[32];
            int n = snprintf(sc, sizeof sc, "%ld", m);
            cr_assert((size_t)n == e.len[i + 1] && memcmp(sc, e.s[i + 1], (size_t)n) == 0);
        }
        /* Growth (rehashing) and shrinking meanwhile. */
        snprintf(line, sizeof line, "ZADD z 0.5 x%d 1.5 y%d", calls, calls);
        run(line);
        if (calls >= 50) {
            snprintf(line, sizeof line, "ZREM z x%d y%d", calls - 50, calls - 50);
            run(line);
        }
        calls++;
        cr_assert(calls < 100000, "the scan does not end");
    } while (cursor);
    for (int i = 0; i < 2000; i++)
        cr_assert(seen[i], "m%d never reported", i);
    EXPECT("ZSCAN z 0 MATCH x0 COUNT 100000", "*2\r\n$1\r\n0\r\n*0\r\n");
    run("ZADD z 0.1 w");
    EXPECT("ZSCAN z 0 MATCH w COUNT 100000",
           "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nw\r\n$19\r\n0.10000000000000001\r\n");
    free(e.s);
    free(e.len);
}

/* A listpack answers whole, cursor 0, whatever COUNT says; its scores
 * in their stored form (an integral one as an integer). */
Test(zset, zscan_listpack_at_once)
{
    fill(100);
    cr_assert_eq(enc_of("z"), ENC_ZSET_LP);
    run("ZSCAN z 0 COUNT 1");
    elems_t e = {0};
    parse(&e, true);
    cr_assert_eq(e.cursor, 0);
    cr_assert_eq(e.n, 200);
    for (size_t i = 0; i < 200; i += 2)
        cr_assert_eq(member_index(e.s[i], e.len[i], 100), (long)i / 2, "in rank order");
    run("ZSCAN z 0 MATCH m1?");
    parse(&e, true);
    cr_assert_eq(e.n, 20);
    free(e.s);
    free(e.len);
}
