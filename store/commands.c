/*
 * commands.c - the command table of the store: every command's row
 * (Redis 7.0.15's COMMAND INFO values, with the procedure that runs it)
 * and the lookup by name (see commands.h).
 *
 * The name index is an open-addressing hash table filled by a load-time
 * constructor, before any thread can call cmd_lookup, so lookups need no
 * synchronization.
 *
 * Concurrency: the table and index are read-only after load.
 */
#include "commands.h"

#include <string.h>

#include "store/keys/keys.h"
#include "store/types/types.h"

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
