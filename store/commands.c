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
#include "store/persist/persist.h"
#include "store/types/hash.h"
#include "store/types/list.h"
#include "store/types/set.h"
#include "store/types/types.h"
#include "store/types/zset.h"
#include "store/types/geo.h"
#include "store/types/hll.h"
#include "store/types/bits.h"

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

#include "store/keys/keys_subs.inc"

static const cmd_t table[] = {
#include "store/types/string_table.inc"
#include "store/types/list_table.inc"
#include "store/types/hash_table.inc"
#include "store/types/set_table.inc"
#include "store/types/zset_table.inc"
#include "store/types/geo_table.inc"
#include "store/types/hll_table.inc"
#include "store/types/bits_table.inc"
#include "store/keys/keys_table.inc"
#include "store/persist/persist_table.inc"
};

#define NCMDS (sizeof table / sizeof table[0])
/* Power of two, at least twice the row count: probes stay short. */
#define INDEX_SIZE 512
_Static_assert(NCMDS * 2 <= INDEX_SIZE, "grow INDEX_SIZE");

static uint16_t name_index[INDEX_SIZE];         /* row + 1, 0 = empty */
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
        name_index[slot] = (uint16_t)(i + 1);
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

/* The last name looked up on this thread, as the client spelled it: a
 * pipeline repeats one command (SET SET SET...), so most lookups are one
 * compare of a few bytes instead of a hash and a probe. */
#define LAST_MAX 16
static __thread struct {
    char name[LAST_MAX];
    size_t len;
    const cmd_t *cmd;
} last;

static const cmd_t *lookup_index(const char *name, size_t len)
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

const cmd_t *cmd_lookup(const char *name, size_t len)
{
    if (len == last.len && last.cmd && memcmp(name, last.name, len) == 0)
        return last.cmd;
    const cmd_t *c = lookup_index(name, len);
    if (c && len <= LAST_MAX) {
        memcpy(last.name, name, len);
        last.len = len;
        last.cmd = c;
    }
    return c;
}

size_t cmd_count(void) { return NCMDS; }
const cmd_t *cmd_at(size_t i) { return i < NCMDS ? &table[i] : NULL; }
