/*
 * test_cmd_meta.c - key specs and documentation of store's command table:
 * every row has docs whose key arguments name its key specs, the legacy
 * key triple agrees with the specs, cmd_getkeys applies them as Redis
 * 7.0 does, and the COMMAND INFO / DOCS replies have Redis's bytes (the
 * expected INFO bytes are redis-server 7.0.15's). The whole tables are
 * compared with redis-server by tests/e2e (test_diff.py, test_command_docs.py).
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store/commands.h"
#include "store/cmd/cmd_docs.h"
#include "store/cmd/cmd_meta.h"
#include "store/base/reply.h"

/* Marks in *seen the key spec indexes the key arguments name. */
static void key_args(const cmd_doc_arg_t *a, int n, unsigned *seen, const char *cmd)
{
    for (int i = 0; i < n; i++) {
        cr_assert_eq(a[i].type == DOC_ARG_KEY, a[i].key_spec >= 0, "%s", cmd);
        if (a[i].key_spec >= 0)
            *seen |= 1u << a[i].key_spec;
        cr_assert_eq(a[i].type == DOC_ARG_ONEOF || a[i].type == DOC_ARG_BLOCK,
                     a[i].nargs > 0, "%s %s", cmd, a[i].name);
        key_args(a[i].args, a[i].nargs, seen, cmd);
    }
}

static void check_row(const cmd_t *c)
{
    const cmd_doc_t *d = cmd_doc_find(c->name);
    cr_assert(d, "no docs for %s", c->name);
    cr_assert(d->summary[0] && d->since[0] && d->group[0] && d->complexity[0]);
    unsigned seen = 0;
    key_args(d->args, d->nargs, &seen, c->name);
    cr_assert_eq(seen, (1u << c->nkeyspecs) - 1, "%s: key args vs specs", c->name);
    cr_assert_eq(cmd_has_keys(c), c->nkeyspecs > 0);

    /* The legacy triple is what the leading index/range specs span, as
     * Redis derives it: 0 0 0 when the first spec already moves (a
     * numkeys argument: LMPOP, SINTERCARD), the destination alone for
     * ZUNIONSTORE or GEORADIUS (their sources or STORE key move).  Such
     * rows are routed by their specs (cmd_movable_keys). */
    int first = 0, last = 0, step = 0;
    bool movable = false;
    for (int i = 0; i < c->nkeyspecs; i++) {
        const cmd_keyspec_t *ks = &c->keyspecs[i];
        movable |= ks->begin != KS_BEGIN_INDEX || ks->find != KS_FIND_RANGE;
        if (movable)
            continue;
        if (!first)
            first = ks->pos;
        last = ks->a < 0 ? ks->a : ks->pos + ks->a;
        step = ks->b;
    }
    cr_assert_eq(cmd_movable_keys(c), movable, "%s: movable keys", c->name);
    cr_assert(c->first_key == first && c->last_key == last && c->key_step == step,
              "%s: legacy keys", c->name);
}

Test(cmd_meta, every_row_has_docs_and_consistent_keys)
{
    for (size_t i = 0; i < cmd_count(); i++) {
        const cmd_t *c = cmd_at(i);
        check_row(c);
        for (int j = 0; j < c->nsubs; j++)
            check_row(&c->subs[j]);
    }
    for (size_t i = 1; i < cmd_doc_count(); i++)
        cr_assert(strcmp(cmd_doc_at(i - 1)->name, cmd_doc_at(i)->name) < 0);
    cr_assert_eq(cmd_doc_find("nosuch"), NULL);
    cr_assert_eq(cmd_doc_find("GET"), NULL); /* names are lowercase */
    const cmd_doc_t *d = cmd_doc_find("getset");
    cr_assert(d->doc_flags == DOC_DEPRECATED && !strcmp(d->deprecated_since, "6.2.0"));
    cr_assert_str_eq(cmd_doc_arg_type_name(DOC_ARG_PURE_TOKEN), "pure-token");
    cr_assert_str_eq(cmd_doc_arg_flag_name(DOC_ARG_MULTIPLE_TOKEN), "multiple_token");
    cr_assert_eq(cmd_doc_arg_type_name(99), NULL);
}

#define A(s) {s, sizeof(s) - 1}
#define ARGV(...) (cmd_arg_t[]){__VA_ARGS__}, \
    (int)(sizeof((cmd_arg_t[]){__VA_ARGS__}) / sizeof(cmd_arg_t))

/* cmd_getkeys on a call; returns the count, keys in out. */
static int keys_of(const char *name, const cmd_arg_t *argv, int argc,
                   cmd_keyref_t *out)
{
    const cmd_t *c = cmd_subcommand(cmd_lookup(name, strlen(name)), argc, argv);
    return cmd_getkeys(c, argc, argv, out, 8);
}

Test(cmd_meta, getkeys_by_key_specs)
{
    cmd_keyref_t k[8];
    cr_assert_eq(keys_of("get", ARGV(A("get"), A("a")), k), 1);
    cr_assert(k[0].pos == 1 && k[0].flags == (KS_RO | KS_ACCESS));
    /* SET's flags depend on GET (a C-string compare, any case). */
    cr_assert_eq(keys_of("set", ARGV(A("set"), A("a"), A("v")), k), 1);
    cr_assert_eq(k[0].flags, KS_OW | KS_UPDATE);
    cr_assert_eq(keys_of("set", ARGV(A("set"), A("a"), A("v"), A("EX"), A("1"), A("gEt")), k), 1);
    cr_assert_eq(k[0].flags, KS_RW | KS_ACCESS | KS_UPDATE);
    cr_assert_eq(keys_of("set", ARGV(A("set"), A("a"), A("v"), A("get\0x")), k), 1);
    cr_assert_eq(k[0].flags, KS_RW | KS_ACCESS | KS_UPDATE);
    cr_assert_eq(keys_of("set", ARGV(A("set"), A("a"), A("v"), A("gett")), k), 1);
    cr_assert_eq(k[0].flags, KS_OW | KS_UPDATE);
    /* MSET's range steps by two, even past an odd tail (as Redis). */
    cr_assert_eq(keys_of("mset", ARGV(A("mset"), A("a"), A("1"), A("b")), k), 2);
    cr_assert(k[0].pos == 1 && k[1].pos == 3);
    /* Two specs, in order, with their own flags. */
    cr_assert_eq(keys_of("rename", ARGV(A("rename"), A("a"), A("b")), k), 2);
    cr_assert(k[0].pos == 1 && k[0].flags == (KS_RW | KS_ACCESS | KS_DELETE));
    cr_assert(k[1].pos == 2 && k[1].flags == (KS_OW | KS_UPDATE));
    cr_assert_eq(keys_of("lcs", ARGV(A("lcs"), A("a"), A("b"), A("LEN")), k), 2);
    cr_assert_eq(keys_of("del", ARGV(A("del"), A("a"), A("b"), A("c")), k), 3);
    cr_assert_eq(keys_of("object", ARGV(A("object"), A("encoding"), A("k")), k), 1);
    cr_assert_eq(k[0].pos, 2);
    /* Keys beyond the call: not applicable. */
    cr_assert_eq(keys_of("lcs", ARGV(A("lcs"), A("a")), k), 0);
    cr_assert_eq(keys_of("keys", ARGV(A("keys"), A("*")), k), 0);
    /* More keys than room: the count still says how many. */
    const cmd_t *del = cmd_lookup("del", 3);
    cmd_arg_t dv[] = {A("del"), A("a"), A("b"), A("c")};
    k[1].pos = -1;
    cr_assert_eq(cmd_getkeys(del, 4, dv, k, 1), 3);
    cr_assert(k[0].pos == 1 && k[1].pos == -1);
}

static void expect(reply_t *r, const char *exp, size_t len)
{
    cr_assert_eq(r->len, len, "got %.*s", (int)r->len, r->buf);
    cr_assert(memcmp(r->buf, exp, len) == 0, "got %.*s", (int)r->len, r->buf);
    reply_reset(r);
}
#define EXPECT(r, s) expect(r, s, sizeof(s) - 1)

Test(cmd_meta, info_reply_bytes)
{
    reply_t r;
    reply_init(&r, 2);
    cmd_info_reply(&r, cmd_lookup("mget", 4));
    EXPECT(&r, "*10\r\n$4\r\nmget\r\n:-2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:-1\r\n:1\r\n"
           "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*1\r\n$26\r\nrequest_policy:multi_shard\r\n"
           "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n"
           "*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"
           "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n"
           "$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n");
    r.proto = 3;
    cmd_arg_t oh[] = {A("object"), A("help")};
    cmd_info_reply(&r, cmd_subcommand(cmd_lookup("object", 6), 2, oh));
    EXPECT(&r, "*10\r\n$11\r\nobject|help\r\n:2\r\n~2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n"
           ":0\r\n~2\r\n+@keyspace\r\n+@slow\r\n~0\r\n~0\r\n~0\r\n");
    reply_free(&r);
}

Test(cmd_meta, docs_reply_shape)
{
    reply_t r;
    reply_init(&r, 3);
    const cmd_doc_t *d = cmd_doc_find("getdel");
    char exp[512];
    int n = snprintf(exp, sizeof exp,
                     "%%5\r\n$7\r\nsummary\r\n$%zu\r\n%s\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n"
                     "$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n"
                     "$9\r\narguments\r\n*1\r\n%%3\r\n$4\r\nname\r\n$3\r\nkey\r\n"
                     "$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n",
                     strlen(d->summary), d->summary);
    cmd_docs_reply(&r, cmd_lookup("getdel", 6));
    expect(&r, exp, (size_t)n);
    reply_free(&r);
}
