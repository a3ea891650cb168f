/*
 * fuzz_cmd.c - libFuzzer target for the whole command path in process:
 * the input is decoded as RESP commands by the real request parser
 * (net/proto/resp.h), and each runs through cmd_lookup + cmd_resolve +
 * cmd_exec against one shard's 16 databases, as a one-shard server runs
 * it (tests/store/exec_stdio.c does the same by hand).
 *
 * Input: byte 0 picks the settings the commands obey (small listpack,
 * intset and quicklist limits, so a few elements convert encodings, or
 * Redis's defaults); byte 1 the reply protocol (RESP2 or RESP3) and the
 * hash seeds; the rest is the RESP stream (at most MAX_CMDS commands).
 * Every key argument (cmd_key_positions, or the key specs for LMPOP,
 * ZUNIONSTORE and the like: cmd_movable_keys) is mapped onto one of
 * NKEYS names by its first byte, so commands meet the same keys with
 * every type.  As the connection layer
 * does, SELECT and HELLO are answered here; "TICK n" (the harness's own)
 * moves the clock n ms on and runs an active expiry cycle, so TTLs pass.
 * A few calls that are slow or huge by design (a 512 MB SETRANGE, LCS of
 * two big strings, SRANDMEMBER / HRANDFIELD with a huge count: Redis
 * would do the same) are answered with an error instead of run.
 *
 * After each command: its reply is exactly one complete RESP reply
 * (resp_reply_scan); in every database ks_size equals the keys a full
 * ks_scan finds and the DBSIZE command's reply; each key's TYPE is one of
 * the type names; each collection's encoding validates (lp_validate,
 * ql_validate, intset_validate, zs_validate), its length is what LLEN /
 * SCARD / HLEN / ZCARD say and what LRANGE / SMEMBERS / HGETALL / ZRANGE
 * return; memory accounting does not wrap (mem_data + mem_overhead +
 * mem_flushing == memory, each far below SIZE_MAX, mem_data 0 in an empty
 * database).  At the end FLUSHALL
 * and reclaim leave no data memory.
 *
 * Concurrency: single-threaded.
 */
#include <errno.h>
#include <strings.h>

#include "net/proto/resp.h"
#include "net/proto/resp_reply.h"
#include "store/base/errors.h"
#include "store/cmd/cmd_meta.h"
#include "store/commands.h"
#include "store/db/ks_reclaim.h"
#include "store/db/value.h"
#include "store/enc/intset.h"
#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "store/enc/zs.h"
#include "tests/fuzz/fuzz.h"

#define NDBS 16
#define NKEYS 8
#define MAX_CMDS 64
#define NOW0 1700000000000LL
/* Far below any real size: a wrapped counter is near SIZE_MAX. */
#define MEM_SANE ((size_t)1 << 40)

static const cmd_arg_t key_names[NKEYS] = {
    {"a", 1}, {"b", 1}, {"key:1", 5}, {"{t}x", 4}, {"{t}y", 4}, {"10", 2}, {"", 0},
    {"a-much-longer-key-name-over-forty-four-bytes!", 45},
};

typedef struct shard {
    ks_t *dbs[NDBS];
    int sel;
    int64_t now;
    reply_t r;      /* the fuzzed command's reply */
    reply_t aux;    /* the checks' own commands */
    store_cfg_t cfg;
} shard_t;

static uint64_t g_fake_us;

/* The expiry cycle's time budget, on a clock that only the cycle moves
 * (so a run never depends on the machine's speed). */
static uint64_t fake_clock(void *arg)
{
    (void)arg;
    return g_fake_us += 10;
}

/* ---- running commands ---- */

static void exec_in(shard_t *sh, reply_t *r, int argc, const cmd_arg_t *argv)
{
    const cmd_t *c = cmd_lookup(argv[0].ptr, argv[0].len);
    if (!c) {
        cmd_reply_unknown(r, argc, argv);
        return;
    }
    const cmd_t *run = cmd_resolve(c, argc, argv, r);
    if (!run)
        return;
    cmd_ctx_t ctx = {.ks = sh->dbs[sh->sel], .dbs = sh->dbs, .ndbs = NDBS, .cfg = &sh->cfg,
                     .argc = argc, .argv = argv, .reply = r, .now_ms = sh->now};
    cmd_exec(run, &ctx);
}

/* One of the checks' commands; its reply in sh->aux, which must be one
 * complete reply. */
static const char *aux(shard_t *sh, int argc, const cmd_arg_t *argv)
{
    reply_reset(&sh->aux);
    exec_in(sh, &sh->aux, argc, argv);
    FZ_CHECK(!reply_failed(&sh->aux), "out of memory in %.*s", (int)argv[0].len, argv[0].ptr);
    long n = resp_reply_scan(sh->aux.buf, sh->aux.len, NULL);
    FZ_CHECK(n > 0 && (size_t)n == sh->aux.len, "%.*s: malformed reply (%ld of %zu bytes)",
             (int)argv[0].len, argv[0].ptr, n, sh->aux.len);
    return sh->aux.buf;
}

/* The number of an integer reply, or of an aggregate's header (maps
 * count pairs). */
static long long reply_num(const char *buf, char type)
{
    FZ_CHECK(buf[0] == type, "reply '%.*s', expected '%c'", (int)strcspn(buf, "\r"), buf, type);
    return strtoll(buf + 1, NULL, 10);
}

static long long aggregate_len(const shard_t *sh, const char *buf)
{
    if (buf[0] == '%')
        return 2 * reply_num(buf, '%');
    if (buf[0] == '~')
        return reply_num(buf, '~');
    return reply_num(buf, '*');
}

static bool word_is(const cmd_arg_t *a, const char *w)
{
    return a->len == strlen(w) && strncasecmp(a->ptr, w, a->len) == 0;
}

static bool parse_ll(const cmd_arg_t *a, long long *v)
{
    char buf[32];
    if (a->len == 0 || a->len >= sizeof buf)
        return false;
    memcpy(buf, a->ptr, a->len);
    buf[a->len] = 0;
    char *end;
    errno = 0;
    *v = strtoll(buf, &end, 10);
    return errno == 0 && *end == 0;
}

static size_t strlen_of(shard_t *sh, const cmd_arg_t *k)
{
    entry_t *e = ks_peek(sh->dbs[sh->sel], k->ptr, k->len);
    return e && entry_is_str(e) ? entry_strlen(e) : 0;
}

/* Calls that are slow or huge by design, not by bug (see the top). */
static bool too_costly(shard_t *sh, int argc, const cmd_arg_t *argv)
{
    long long v;
    if (word_is(&argv[0], "setrange") && argc > 2 && parse_ll(&argv[2], &v))
        return v > (1 << 16);
    /* Bit offsets grow strings up to 512 MB: keep them to 64 KB. */
    if (word_is(&argv[0], "setbit") && argc > 2 && parse_ll(&argv[2], &v))
        return v > (1 << 19);
    if (word_is(&argv[0], "bitfield") || word_is(&argv[0], "bitfield_ro"))
        for (int i = 2; i < argc; i++) {
            cmd_arg_t a = argv[i];
            if (a.len && a.ptr[0] == '#')
                a.ptr++, a.len--;   /* "#N": N times the width */
            if (parse_ll(&a, &v) && (v > (1 << 13) || v < -(1 << 13)))
                return true;
        }
    if ((word_is(&argv[0], "srandmember") || word_is(&argv[0], "hrandfield") ||
         word_is(&argv[0], "zrandmember")) && argc > 2 && parse_ll(&argv[2], &v))
        return v > 4096 || v < -4096;
    if (word_is(&argv[0], "lcs") && argc > 2)
        return (unsigned long long)strlen_of(sh, &argv[1]) * strlen_of(sh, &argv[2]) >
               ((unsigned long long)1 << 22);
    return false;
}

/* Maps every key argument onto a key name, in place. */
static void map_keys(int argc, cmd_arg_t *argv)
{
    const cmd_t *c = cmd_lookup(argv[0].ptr, argv[0].len);
    if (c && c->subs)
        c = cmd_subcommand(c, argc, argv);
    if (!c)
        return;
    int pos[64];
    int n;
    if (cmd_movable_keys(c)) {
        cmd_keyref_t refs[64];
        n = cmd_getkeys(c, argc, argv, refs, 64);
        for (int k = 0; k < n && k < 64; k++)
            pos[k] = refs[k].pos;
    } else {
        n = cmd_key_positions(c, argc, pos, 64);
    }
    for (int k = 0; k < n && k < 64; k++) {
        cmd_arg_t *a = &argv[pos[k]];
        *a = key_names[(a->len ? (unsigned char)a->ptr[0] : 0) % NKEYS];
    }
}

static void tick(shard_t *sh, int argc, const cmd_arg_t *argv)
{
    long long ms = 0;
    if (argc > 1 && parse_ll(&argv[1], &ms))
        ms = ms < 0 ? -ms % 100000 : ms % 100000;
    sh->now += ms;
    for (int i = 0; i < NDBS; i++) {
        ks_cycle_t out;
        ks_expire_cycle(sh->dbs[i], sh->now, 1000, &out);
    }
    reply_ok(&sh->r);
}

/* The fuzzed command: the connection layer's part (SELECT, HELLO), the
 * harness's TICK, or the store's. */
static void run_one(shard_t *sh, int argc, cmd_arg_t *argv)
{
    reply_reset(&sh->r);
    map_keys(argc, argv);
    long long v;
    if (word_is(&argv[0], "select") && argc == 2) {
        if (parse_ll(&argv[1], &v) && v >= 0 && v < NDBS) {
            sh->sel = (int)v;
            reply_ok(&sh->r);
        } else {
            reply_error(&sh->r, ERR_DB_INDEX_RANGE);
        }
    } else if (word_is(&argv[0], "hello") && argc == 2) {
        sh->r.proto = sh->aux.proto = argv[1].len == 1 && argv[1].ptr[0] == '3' ? 3 : 2;
        reply_ok(&sh->r);
    } else if (word_is(&argv[0], "tick")) {
        tick(sh, argc, argv);
    } else if (too_costly(sh, argc, argv)) {
        reply_error(&sh->r, "ERR skipped by the fuzz harness");
    } else {
        exec_in(sh, &sh->r, argc, argv);
    }
    FZ_CHECK(!reply_failed(&sh->r), "out of memory");
    resp_reply_info_t info;
    long n = resp_reply_scan(sh->r.buf, sh->r.len, &info);
    FZ_CHECK(n > 0 && (size_t)n == sh->r.len, "%.*s: not one complete reply (%ld of %zu bytes)",
             (int)argv[0].len, argv[0].ptr, n, sh->r.len);
    /* Reclaim between commands, as a shard does when idle. */
    for (int i = 0; i < NDBS; i++)
        ks_reclaim_step(sh->dbs[i], 64);
}

/* ---- invariants ---- */

typedef struct seen {
    const entry_t *e[256];
    size_t n;
    bool overflow;
} seen_t;

static void seen_add(void *arg, const entry_t *e)
{
    seen_t *s = arg;
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i] == e)
            return;
    if (s->n == 256) {
        s->overflow = true;
        return;
    }
    s->e[s->n++] = e;
}

static void check_encoding(const entry_t *e)
{
    const void *obj = e->v.obj;
    size_t len = value_len(e->otype, e->type, obj);
    FZ_CHECK(len > 0, "an empty collection is kept");
    switch (e->otype) {
    case OBJ_LIST:
        if (e->type == ENC_LIST_LP)
            FZ_CHECK(lp_validate(obj, lp_bytes(obj), true) && lp_count(obj) == len,
                     "list listpack invalid");
        else
            FZ_CHECK(ql_validate(obj, QL_CHECK_COMPRESSION) && ql_count(obj) == len,
                     "quicklist invalid");
        break;
    case OBJ_SET:
        if (e->type == ENC_SET_INTSET)
            FZ_CHECK(intset_validate(intset_blob(obj), intset_blob_len(obj), true),
                     "intset invalid");
        else if (e->type == ENC_SET_LP)
            FZ_CHECK(lp_validate(obj, lp_bytes(obj), true) && lp_count(obj) == len,
                     "set listpack invalid");
        break;
    case OBJ_HASH:
        if (e->type == ENC_HASH_LP)
            FZ_CHECK(lp_validate(obj, lp_bytes(obj), true) && lp_count(obj) == 2 * len,
                     "hash listpack invalid");
        break;
    case OBJ_ZSET:
        if (e->type == ENC_ZSET_LP)
            FZ_CHECK(lp_validate(obj, lp_bytes(obj), true) && lp_count(obj) == 2 * len,
                     "zset listpack invalid");
        else
            FZ_CHECK(zs_validate(obj) && zs_len(obj) == len, "zset skiplist invalid");
        break;
    default:
        break;
    }
}

/* TYPE, and for the collections their length both ways. */
static void check_key(shard_t *sh, const entry_t *e)
{
    cmd_arg_t key = {e->key, e->klen};
    cmd_arg_t av[4] = {{"TYPE", 4}, key};
    const char *t = aux(sh, 2, av);
    static const char *const types[] = {"+string\r\n", "+list\r\n", "+set\r\n", "+hash\r\n",
                                        "+zset\r\n", "+none\r\n"};
    size_t ti = 0;
    /* The reply buffer is not NUL-terminated: compare by length. */
    while (ti < 6 && !fz_eq(t, sh->aux.len, types[ti], strlen(types[ti])))
        ti++;
    FZ_CHECK(ti < 6, "TYPE: %.*s", (int)sh->aux.len, t);
    if (ti == 5)
        return; /* expired, and TYPE deleted it */
    FZ_CHECK(ti == e->otype, "TYPE %s for otype %u", types[ti], e->otype);
    if (e->otype == OBJ_STRING)
        return;
    check_encoding(e);
    long long len = (long long)value_len(e->otype, e->type, e->v.obj);
    static const char *const lencmd[] = {NULL, "LLEN", "SCARD", "HLEN", "ZCARD"};
    static const char *const allcmd[] = {NULL, "LRANGE", "SMEMBERS", "HGETALL", "ZRANGE"};
    av[0] = (cmd_arg_t){lencmd[e->otype], strlen(lencmd[e->otype])};
    FZ_CHECK(reply_num(aux(sh, 2, av), ':') == len, "%s differs from value_len %lld",
             lencmd[e->otype], len);
    av[0] = (cmd_arg_t){allcmd[e->otype], strlen(allcmd[e->otype])};
    av[2] = (cmd_arg_t){"0", 1};
    av[3] = (cmd_arg_t){"-1", 2};
    bool ranged = e->otype == OBJ_LIST || e->otype == OBJ_ZSET;
    long long got = aggregate_len(sh, aux(sh, ranged ? 4 : 2, av));
    FZ_CHECK(got == (e->otype == OBJ_HASH ? 2 * len : len), "%s returned %lld for %lld",
             allcmd[e->otype], got, len);
}

static void check_db(shard_t *sh, int db)
{
    ks_t *ks = sh->dbs[db];
    ks_stats_t st;
    ks_stats(ks, &st);
    FZ_CHECK(st.memory == ks_memory(ks) && st.memory < MEM_SANE && st.mem_data < MEM_SANE &&
                 st.mem_overhead < MEM_SANE && st.mem_flushing < MEM_SANE,
             "db %d memory %zu (data %zu, overhead %zu, flushing %zu)", db, st.memory,
             st.mem_data, st.mem_overhead, st.mem_flushing);
    FZ_CHECK(st.memory == st.mem_data + st.mem_overhead + st.mem_flushing,
             "db %d memory %zu is not the sum of its parts", db, st.memory);
    size_t size = ks_size(ks);
    if (size == 0)
        FZ_CHECK(st.mem_data == 0, "db %d: no keys, %zu bytes of data", db, st.mem_data);
    static seen_t seen;
    seen.n = 0;
    seen.overflow = false;
    size_t cursor = 0;
    int rounds = 0;
    do {
        cursor = ks_scan(ks, cursor, seen_add, &seen);
        FZ_CHECK(++rounds < 1 << 20, "scan does not end");
    } while (cursor != 0);
    FZ_CHECK(seen.overflow || seen.n == size, "db %d: ks_size %zu, scan found %zu", db, size,
             seen.n);
    if (size == 0 && db != sh->sel)
        return;
    int sel = sh->sel;
    sh->sel = db;
    cmd_arg_t dbsize = {"DBSIZE", 6};
    FZ_CHECK(reply_num(aux(sh, 1, &dbsize), ':') == (long long)size, "db %d: DBSIZE", db);
    /* TYPE may delete an expired key: copy the keys first. */
    size_t n = seen.n;
    static entry_t copies[256];
    static char keys[256][64];
    for (size_t i = 0; i < n; i++) {
        size_t kl = seen.e[i]->klen < 64 ? seen.e[i]->klen : 64;
        memcpy(keys[i], seen.e[i]->key, kl);
        copies[i].klen = (uint32_t)kl;
    }
    for (size_t i = 0; i < n; i++) {
        entry_t *e = ks_peek(ks, keys[i], copies[i].klen);
        if (e)
            check_key(sh, e);
    }
    sh->sel = sel;
}

static void check_all(shard_t *sh)
{
    for (int i = 0; i < NDBS; i++)
        check_db(sh, i);
}

/* ---- the input ---- */

static void shard_init(shard_t *sh, uint8_t mode, uint8_t flags)
{
    for (int i = 0; i < NDBS; i++) {
        sh->dbs[i] = ks_create((uint64_t)(flags >> 1) * 7919 + (uint64_t)i);
        FZ_CHECK(sh->dbs[i], "ks_create");
        ks_set_clock(sh->dbs[i], fake_clock, NULL);
    }
    sh->sel = 0;
    sh->now = NOW0;
    reply_init(&sh->r, flags & 1 ? 3 : 2);
    reply_init(&sh->aux, flags & 1 ? 3 : 2);
    sh->cfg = STORE_CFG_DEFAULT;
    if (mode & 1) {
        /* Small limits: a few elements convert an encoding. */
        sh->cfg.hash_max_listpack_entries = 1 + (mode >> 1) % 4;
        sh->cfg.hash_max_listpack_value = 1 + (mode >> 3) % 8;
        sh->cfg.set_max_intset_entries = 1 + (mode >> 1) % 4;
        sh->cfg.zset_max_listpack_entries = 1 + (mode >> 1) % 4;
        sh->cfg.zset_max_listpack_value = 1 + (mode >> 3) % 8;
        static const long long sizes[] = {-5, -4, -3, -2, -1, 1, 2, 3};
        sh->cfg.list_max_listpack_size = sizes[(mode >> 3) % 8];
        sh->cfg.list_compress_depth = (mode >> 6) % 4;
    }
}

static void shard_destroy(shard_t *sh)
{
    /* FLUSHALL and reclaim everything: no data memory may remain. */
    cmd_arg_t flushall = {"FLUSHALL", 8};
    aux(sh, 1, &flushall);
    for (int i = 0; i < NDBS; i++) {
        int steps = 0;
        while (!ks_reclaim_step(sh->dbs[i], 1 << 16))
            FZ_CHECK(++steps < 1 << 20, "reclaim does not end");
        ks_stats_t st;
        ks_stats(sh->dbs[i], &st);
        FZ_CHECK(ks_size(sh->dbs[i]) == 0 && st.mem_data == 0 && st.mem_flushing == 0,
                 "db %d after FLUSHALL: %zu keys, data %zu, flushing %zu", i,
                 ks_size(sh->dbs[i]), st.mem_data, st.mem_flushing);
        ks_destroy(sh->dbs[i]);
    }
    reply_free(&sh->r);
    reply_free(&sh->aux);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static shard_t sh;
    shard_init(&sh, data[0], data[1]);
    char *buf = fz_xmalloc(size - 2);
    memcpy(buf, data + 2, size - 2);
    size_t off = 0, len = size - 2;
    resp_parser_t p;
    resp_parser_init(&p);
    int ncmds = 0;
    while (ncmds < MAX_CMDS) {
        const resp_arg_t *av;
        int ac;
        size_t used;
        if (resp_parse(&p, buf + off, len - off, NULL, &av, &ac, &used) != RESP_OK)
            break;
        off += used;
        cmd_arg_t *argv = fz_xmalloc((size_t)ac * sizeof *argv);
        for (int i = 0; i < ac; i++)
            argv[i] = (cmd_arg_t){av[i].ptr, av[i].len};
        run_one(&sh, ac, argv);
        free(argv);
        check_all(&sh);
        ncmds++;
    }
    resp_parser_free(&p);
    shard_destroy(&sh);
    free(buf);
    return 0;
}
