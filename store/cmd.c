/*
 * cmd.c - command table, lookup, arity and execution (see cmd.h).
 *
 * The table rows are Redis 7.0.15's COMMAND INFO values. The name index is
 * an open-addressing hash table filled by a load-time constructor, before
 * any thread can call cmd_lookup, so lookups need no synchronization.
 *
 * Concurrency: the table and index are read-only after load.
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd_internal.h"
#include "entry.h"

/* Key specs of the common kind: the first key at argv index idx, then a
 * range up to lastkey (relative, or negative from the end) by keystep. */
#define KS(fl, idx, last, step) \
    { .flags = (fl), .begin = KS_BEGIN_INDEX, .pos = (idx), \
      .find = KS_FIND_RANGE, .a = (last), .b = (step), .c = 0 }
#define KSN(note, fl, idx, last, step) \
    { .notes = (note), .flags = (fl), .begin = KS_BEGIN_INDEX, .pos = (idx), \
      .find = KS_FIND_RANGE, .a = (last), .b = (step), .c = 0 }
#define SPECS(...) \
    .keyspecs = (const cmd_keyspec_t[]){ __VA_ARGS__ }, \
    .nkeyspecs = (uint16_t)(sizeof((const cmd_keyspec_t[]){ __VA_ARGS__ }) / \
                            sizeof(cmd_keyspec_t))
#define NO_SPECS .nkeyspecs = 0

/* A row: name, proc, arity, flags, ACL categories, the legacy key triple
 * (first, last, step: what routing uses), tips, then the key specs:
 * SPECS(KS(...), ...) or NO_SPECS. */
#define ROW(n, p, ar, fl, ac, fk, lk, st, tp, specs) \
    { .name = n, .proc = cmd__##p, .arity = ar, .flags = fl, .acl = ac, \
      .first_key = fk, .last_key = lk, .key_step = st, .tips = tp, specs }
/* A container command: no flags or keys of its own (Redis's values). */
#define CONTAINER(n, ac, sub) \
    { .name = n, .proc = cmd__container, .arity = -2, .flags = 0, .acl = ac, \
      .tips = "", .subs = sub, .nsubs = (uint16_t)(sizeof sub / sizeof sub[0]) }

static const cmd_t object_subs[] = {
    ROW("object|encoding", object_encoding, 3, CMD_READONLY,
        ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1, "nondeterministic_output",
        SPECS(KS(KS_RO, 2, 0, 1))),
    ROW("object|refcount", object_refcount, 3, CMD_READONLY,
        ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1, "nondeterministic_output",
        SPECS(KS(KS_RO, 2, 0, 1))),
    ROW("object|idletime", object_idletime, 3, CMD_READONLY,
        ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1, "nondeterministic_output",
        SPECS(KS(KS_RO, 2, 0, 1))),
    ROW("object|freq", object_freq, 3, CMD_READONLY,
        ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1, "nondeterministic_output",
        SPECS(KS(KS_RO, 2, 0, 1))),
    ROW("object|help", object_help, 2, CMD_LOADING | CMD_STALE,
        ACL_KEYSPACE | ACL_SLOW, 0, 0, 0, "",
        NO_SPECS),
};

/* MEMORY DOCTOR, MALLOC-STATS, PURGE and STATS are about the whole server:
 * they belong to the connection layer, not to a shard. */
static const cmd_t memory_subs[] = {
    ROW("memory|usage", memory_usage, -3, CMD_READONLY,
        ACL_READ | ACL_SLOW, 2, 2, 1, "",
        SPECS(KS(KS_RO, 2, 0, 1))),
    ROW("memory|help", memory_help, 2, CMD_LOADING | CMD_STALE,
        ACL_SLOW, 0, 0, 0, "",
        NO_SPECS),
};

static const cmd_t table[] = {
    /* strings */
    ROW("get", get, 2, CMD_READONLY | CMD_FAST,
        ACL_READ | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1))),
    ROW("set", set, -3, CMD_WRITE | CMD_DENYOOM,
        ACL_WRITE | ACL_STRING | ACL_SLOW, 1, 1, 1, "",
        SPECS(KSN("RW and ACCESS due to the optional `GET` argument",
                  KS_RW|KS_ACCESS|KS_UPDATE|KS_VARIABLE_FLAGS, 1, 0, 1))),
    ROW("setnx", setnx, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_OW|KS_INSERT, 1, 0, 1))),
    ROW("setex", setex, 4, CMD_WRITE | CMD_DENYOOM,
        ACL_WRITE | ACL_STRING | ACL_SLOW, 1, 1, 1, "",
        SPECS(KS(KS_OW|KS_UPDATE, 1, 0, 1))),
    ROW("psetex", psetex, 4, CMD_WRITE | CMD_DENYOOM,
        ACL_WRITE | ACL_STRING | ACL_SLOW, 1, 1, 1, "",
        SPECS(KS(KS_OW|KS_UPDATE, 1, 0, 1))),
    ROW("getset", getset, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("getdel", getdel, 2, CMD_WRITE | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_DELETE, 1, 0, 1))),
    ROW("getex", getex, -2, CMD_WRITE | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KSN("RW and UPDATE because it changes the TTL",
                  KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("mget", mget, -2, CMD_READONLY | CMD_FAST,
        ACL_READ | ACL_STRING | ACL_FAST, 1, -1, 1, "request_policy:multi_shard",
        SPECS(KS(KS_RO|KS_ACCESS, 1, -1, 1))),
    ROW("mset", mset, -3, CMD_WRITE | CMD_DENYOOM,
        ACL_WRITE | ACL_STRING | ACL_SLOW, 1, -1, 2,
        "request_policy:multi_shard response_policy:all_succeeded",
        SPECS(KS(KS_OW|KS_UPDATE, 1, -1, 2))),
    ROW("msetnx", msetnx, -3, CMD_WRITE | CMD_DENYOOM,
        ACL_WRITE | ACL_STRING | ACL_SLOW, 1, -1, 2,
        "request_policy:multi_shard response_policy:agg_min",
        SPECS(KS(KS_OW|KS_INSERT, 1, -1, 2))),
    ROW("incr", incr, 2, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("decr", decr, 2, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("incrby", incrby, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("decrby", decrby, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("incrbyfloat", incrbyfloat, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("append", append, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
        ACL_WRITE | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_INSERT, 1, 0, 1))),
    ROW("strlen", strlen, 2, CMD_READONLY | CMD_FAST,
        ACL_READ | ACL_STRING | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RO, 1, 0, 1))),
    ROW("getrange", getrange, 4, CMD_READONLY,
        ACL_READ | ACL_STRING | ACL_SLOW, 1, 1, 1, "",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1))),
    ROW("substr", getrange, 4, CMD_READONLY,
        ACL_READ | ACL_STRING | ACL_SLOW, 1, 1, 1, "",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1))),
    ROW("setrange", setrange, 4, CMD_WRITE | CMD_DENYOOM,
        ACL_WRITE | ACL_STRING | ACL_SLOW, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_UPDATE, 1, 0, 1))),
    ROW("lcs", lcs, -3, CMD_READONLY,
        ACL_READ | ACL_STRING | ACL_SLOW, 1, 2, 1, "",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 1, 1))),
    /* keyspace */
    ROW("del", del, -2, CMD_WRITE,
        ACL_KEYSPACE | ACL_WRITE | ACL_SLOW, 1, -1, 1,
        "request_policy:multi_shard response_policy:agg_sum",
        SPECS(KS(KS_RM|KS_DELETE, 1, -1, 1))),
    ROW("unlink", del, -2, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, -1, 1,
        "request_policy:multi_shard response_policy:agg_sum",
        SPECS(KS(KS_RM|KS_DELETE, 1, -1, 1))),
    ROW("exists", exists, -2, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 1, -1, 1,
        "request_policy:multi_shard response_policy:agg_sum",
        SPECS(KS(KS_RO, 1, -1, 1))),
    ROW("touch", touch, -2, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 1, -1, 1,
        "request_policy:multi_shard response_policy:agg_sum",
        SPECS(KS(KS_RO, 1, -1, 1))),
    ROW("type", type, 2, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RO, 1, 0, 1))),
    ROW("keys", keys, 2, CMD_READONLY,
        ACL_KEYSPACE | ACL_READ | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
        "request_policy:all_shards nondeterministic_output_order",
        NO_SPECS),
    ROW("scan", scan, -2, CMD_READONLY,
        ACL_KEYSPACE | ACL_READ | ACL_SLOW, 0, 0, 0,
        "nondeterministic_output request_policy:special",
        NO_SPECS),
    ROW("dbsize", dbsize, 1, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 0, 0, 0,
        "request_policy:all_shards response_policy:agg_sum",
        NO_SPECS),
    ROW("flushdb", flushdb, -1, CMD_WRITE,
        ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
        "request_policy:all_shards response_policy:all_succeeded",
        NO_SPECS),
    ROW("flushall", flushall, -1, CMD_WRITE,
        ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
        "request_policy:all_shards response_policy:all_succeeded",
        NO_SPECS),
    ROW("randomkey", randomkey, 1, CMD_READONLY,
        ACL_KEYSPACE | ACL_READ | ACL_SLOW, 0, 0, 0,
        "request_policy:all_shards nondeterministic_output",
        NO_SPECS),
    ROW("rename", rename, 3, CMD_WRITE,
        ACL_KEYSPACE | ACL_WRITE | ACL_SLOW, 1, 2, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_DELETE, 1, 0, 1), KS(KS_OW|KS_UPDATE, 2, 0, 1))),
    ROW("renamenx", renamenx, 3, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, 2, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_DELETE, 1, 0, 1), KS(KS_OW|KS_INSERT, 2, 0, 1))),
    CONTAINER("object", ACL_SLOW, object_subs),
    CONTAINER("memory", ACL_SLOW, memory_subs),
    /* databases */
    ROW("copy", copy, -3, CMD_WRITE | CMD_DENYOOM,
        ACL_KEYSPACE | ACL_WRITE | ACL_SLOW, 1, 2, 1, "",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1), KS(KS_OW|KS_UPDATE, 2, 0, 1))),
    ROW("move", move, 3, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_ACCESS|KS_UPDATE, 1, 0, 1))),
    ROW("swapdb", swapdb, 3, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST | ACL_DANGEROUS, 0, 0, 0, "",
        NO_SPECS),
    /* expiry */
    ROW("expire", expire, -3, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_UPDATE, 1, 0, 1))),
    ROW("pexpire", pexpire, -3, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_UPDATE, 1, 0, 1))),
    ROW("expireat", expireat, -3, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_UPDATE, 1, 0, 1))),
    ROW("pexpireat", pexpireat, -3, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_UPDATE, 1, 0, 1))),
    ROW("ttl", ttl, 2, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 1, 1, 1, "nondeterministic_output",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1))),
    ROW("pttl", pttl, 2, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 1, 1, 1, "nondeterministic_output",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1))),
    ROW("expiretime", expiretime, 2, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1))),
    ROW("pexpiretime", pexpiretime, 2, CMD_READONLY | CMD_FAST,
        ACL_KEYSPACE | ACL_READ | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RO|KS_ACCESS, 1, 0, 1))),
    ROW("persist", persist, 2, CMD_WRITE | CMD_FAST,
        ACL_KEYSPACE | ACL_WRITE | ACL_FAST, 1, 1, 1, "",
        SPECS(KS(KS_RW|KS_UPDATE, 1, 0, 1))),
};

#define NCMDS (sizeof table / sizeof table[0])
/* Power of two, at least twice the row count: probes stay short. */
#define INDEX_SIZE 128
_Static_assert(NCMDS * 2 <= INDEX_SIZE, "grow INDEX_SIZE");

static unsigned char name_index[INDEX_SIZE];    /* row + 1, 0 = empty */
static unsigned char name_len[NCMDS];           /* strlen of each row's name */

static const char *const flag_names[] = {
    "write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking",
    "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast",
    "no_auth", "may_replicate", "no_mandatory_keys", "no_multi", "allow_busy",
};

static const char *const keyspec_flag_names[] = {
    "RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
    "not_key", "incomplete", "variable_flags",
};

static const char *const acl_names[] = {
    "@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash",
    "@string", "@bitmap", "@hyperloglog", "@geo", "@stream", "@pubsub",
    "@admin", "@fast", "@slow", "@blocking", "@dangerous", "@connection",
    "@transaction", "@scripting",
};

/* FNV-1a over ASCII-lowercased bytes. */
static uint32_t name_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        h = (h ^ c) * 16777619u;
    }
    return h;
}

__attribute__((constructor)) static void build_index(void)
{
    for (size_t i = 0; i < NCMDS; i++) {
        name_len[i] = (unsigned char)strlen(table[i].name);
        uint32_t slot = name_hash(table[i].name, name_len[i]) & (INDEX_SIZE - 1);
        while (name_index[slot])
            slot = (slot + 1) & (INDEX_SIZE - 1);
        name_index[slot] = (unsigned char)(i + 1);
    }
}

/* Whether name (any case) spells lower, a table name (lowercase): inline,
 * as this runs for every command. */
static bool same_name(const char *lower, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != (unsigned char)lower[i])
            return false;
    }
    return true;
}

const cmd_t *cmd_lookup(const char *name, size_t len)
{
    uint32_t slot = name_hash(name, len) & (INDEX_SIZE - 1);
    for (;;) {
        unsigned row = name_index[slot];
        if (!row)
            return NULL;
        const cmd_t *c = &table[row - 1];
        if (name_len[row - 1] == len && same_name(c->name, name, len))
            return c;
        slot = (slot + 1) & (INDEX_SIZE - 1);
    }
}

size_t cmd_count(void) { return NCMDS; }
const cmd_t *cmd_at(size_t i) { return i < NCMDS ? &table[i] : NULL; }

const char *cmd_bit_name(uint32_t bit, const char *const *names, size_t n)
{
    if (bit == 0 || (bit & (bit - 1)))
        return NULL;
    size_t i = (size_t)__builtin_ctz(bit);
    return i < n ? names[i] : NULL;
}

const char *cmd_flag_name(uint32_t bit)
{
    return cmd_bit_name(bit, flag_names, sizeof flag_names / sizeof *flag_names);
}

const char *cmd_acl_name(uint32_t bit)
{
    return cmd_bit_name(bit, acl_names, sizeof acl_names / sizeof *acl_names);
}

const char *cmd_keyspec_flag_name(uint32_t bit)
{
    return cmd_bit_name(bit, keyspec_flag_names,
                    sizeof keyspec_flag_names / sizeof *keyspec_flag_names);
}

bool cmd_check_arity(const cmd_t *cmd, int argc, reply_t *r)
{
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_errorf(r, ERRF_ARITY, cmd->name);
        return false;
    }
    return true;
}

void cmd_reply_unknown(reply_t *r, int argc, const cmd_arg_t *argv)
{
    /* Redis prints each argument with "'%.*s' " while the list is shorter
     * than 128 bytes, the precision being the room left; %s stops at NUL. */
    char args[128 + 3 + 1];
    size_t n = 0;
    for (int i = 1; i < argc && n < 128; i++) {
        size_t take = cmd__clen(&argv[i]);
        if (take > 128 - n)
            take = 128 - n;
        args[n++] = '\'';
        memcpy(args + n, argv[i].ptr, take);
        n += take;
        args[n++] = '\'';
        args[n++] = ' ';
    }
    args[n] = '\0';
    /* The name is printed with "%.128s": up to 128 bytes, up to a NUL. */
    size_t nlen = argc > 0 ? cmd__clen(&argv[0]) : 0;
    reply_errorf(r, ERRF_UNKNOWN_COMMAND, (int)(nlen > 128 ? 128 : nlen),
                 argc > 0 ? argv[0].ptr : "", args);
}

const cmd_t *cmd_subcommand(const cmd_t *cmd, int argc, const cmd_arg_t *argv)
{
    if (!cmd->subs)
        return cmd;
    if (argc < 2)
        return NULL;
    /* The whole argument must match (Redis looks it up as an sds). */
    for (int i = 0; i < cmd->nsubs; i++) {
        const char *sub = strchr(cmd->subs[i].name, '|') + 1;
        if (strlen(sub) == argv[1].len && strncasecmp(sub, argv[1].ptr, argv[1].len) == 0)
            return &cmd->subs[i];
    }
    return NULL;
}

const cmd_t *cmd_resolve(const cmd_t *cmd, int argc, const cmd_arg_t *argv, reply_t *r)
{
    if (!cmd->subs || argc < 2)
        return cmd_check_arity(cmd, argc, r) ? cmd : NULL;
    const cmd_t *sub = cmd_subcommand(cmd, argc, argv);
    if (sub)
        return cmd_check_arity(sub, argc, r) ? sub : NULL;
    char up[16];
    size_t n = strlen(cmd->name);
    if (n >= sizeof up)
        n = sizeof up - 1;
    for (size_t i = 0; i < n; i++) {
        char c = cmd->name[i];
        up[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    up[n] = '\0';
    size_t alen = cmd__clen(&argv[1]);
    reply_errorf(r, ERRF_UNKNOWN_SUBCOMMAND, (int)(alen > 128 ? 128 : alen), argv[1].ptr, up);
    return NULL;
}

void cmd__container(cmd_ctx_t *ctx)
{
    const cmd_t *sub = cmd_resolve(ctx->cmd, ctx->argc, ctx->argv, ctx->reply);
    if (!sub)
        return;
    ctx->cmd = sub;
    sub->proc(ctx);
}

int cmd_key_positions(const cmd_t *cmd, int argc, int *pos, int max)
{
    if (cmd->first_key <= 0 || cmd->first_key >= argc)
        return 0;
    int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
    if (last >= argc)
        last = argc - 1;
    int n = 0;
    for (int i = cmd->first_key; i <= last; i += cmd->key_step) {
        if (n < max)
            pos[n] = i;
        n++;
    }
    return n;
}

void cmd__reply_value(cmd_ctx_t *ctx, const entry_t *e)
{
    char buf[NUM_LL_BUF];
    size_t len;
    const char *p = entry_str(e, buf, &len);
    reply_bulk(ctx->reply, p, len);
}

void cmd_exec(const cmd_t *cmd, cmd_ctx_t *ctx)
{
    if (!cmd_check_arity(cmd, ctx->argc, ctx->reply))
        return;
    ctx->cmd = cmd;
    ks_set_now(ctx->ks, ctx->now_ms);
    cmd->proc(ctx);
}
