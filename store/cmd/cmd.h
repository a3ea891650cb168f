/*
 * cmd.h - what a command is and how one runs on one keyspace: the row
 * type of the command table (store/commands.h has the table itself), the
 * context a command procedure gets, and execution.
 *
 * The table holds Redis 7.0's metadata for every command implemented here
 * (name, arity, flags, ACL categories, key positions, tips, key specs: the
 * values COMMAND INFO reports), so the connection layer can route by key
 * and answer COMMAND without a second source of truth (cmd_meta.h writes
 * the replies; the COMMAND DOCS text is in cmd_docs.h, apart, so this
 * table stays small). Routing uses the legacy key triple (first, last,
 * step); COMMAND GETKEYS the key specs.
 *
 * Execution runs one command against one shard's keyspace and appends
 * exactly one RESP reply. The connection layer splits multi-key commands
 * (MGET, DEL, MSET, KEYS, DBSIZE, FLUSHALL...) into per-shard sub-commands
 * of the same name, so cmd_exec only ever sees keys of its shard; replies
 * are per shard (DBSIZE counts this shard) and merged by the caller. KEYS
 * runs over the whole shard in one call (ks_iter_* is the chunked form);
 * SCAN's cursor is this shard's own.
 *
 * Container commands (OBJECT, MEMORY) have a row whose `subs` lists their
 * subcommand rows, named "container|sub" as in Redis. cmd_exec on the
 * container picks the subcommand from argv[1] (with Redis's unknown
 * subcommand and subcommand arity errors); the router resolves it first
 * with cmd_subcommand to find the keys (OBJECT ENCODING key: argv[2]).
 *
 * Databases: COPY ... DB n, MOVE and SWAPDB work on the shard's other
 * databases, ctx->dbs; SWAPDB swaps two pointers of that array.
 *
 * Ownership: argv points into the caller's buffer and is only read during
 * cmd_exec; everything a reply needs is copied into ctx->reply.
 * Concurrency: rows are read-only and safe from any thread. cmd_exec must run on the thread that owns ctx->ks (and dbs).
 */
#ifndef FLASHKV_STORE_CMD_H
#define FLASHKV_STORE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "store/base/reply.h"
#include "store/db/keyspace.h"

/* One argument: bytes and length (binary safe, not NUL-terminated). */
typedef struct cmd_arg {
    const char *ptr;
    size_t len;
} cmd_arg_t;

/* Command flags, as named by COMMAND INFO (cmd_flag_name). */
enum cmd_flag {
    CMD_WRITE    = 1u << 0,
    CMD_READONLY = 1u << 1,
    CMD_DENYOOM  = 1u << 2,
    CMD_ADMIN    = 1u << 3,
    CMD_PUBSUB   = 1u << 4,
    CMD_NOSCRIPT = 1u << 5,
    CMD_BLOCKING = 1u << 6,
    CMD_LOADING  = 1u << 7,
    CMD_STALE    = 1u << 8,
    CMD_SKIP_MONITOR = 1u << 9,
    CMD_SKIP_SLOWLOG = 1u << 10,
    CMD_ASKING   = 1u << 11,
    CMD_FAST     = 1u << 12,
    CMD_NO_AUTH  = 1u << 13,
    CMD_MAY_REPLICATE = 1u << 14,
    CMD_NO_MANDATORY_KEYS = 1u << 15,
    CMD_NO_ASYNC_LOADING = 1u << 16,
    CMD_NO_MULTI = 1u << 17,
    CMD_ALLOW_BUSY = 1u << 18,
    /* FlashKV's own: accepted, but not in Redis 7.0, so COMMAND does not
     * report it (CLIENT SETINFO, CLIENT NO-TOUCH). Has no name. */
    CMD_UNLISTED = 1u << 31,
};

/* ACL categories, as named by COMMAND INFO (cmd_acl_name, with '@'). */
enum cmd_acl {
    ACL_KEYSPACE  = 1u << 0,
    ACL_READ      = 1u << 1,
    ACL_WRITE     = 1u << 2,
    ACL_SET       = 1u << 3,
    ACL_SORTEDSET = 1u << 4,
    ACL_LIST      = 1u << 5,
    ACL_HASH      = 1u << 6,
    ACL_STRING    = 1u << 7,
    ACL_BITMAP    = 1u << 8,
    ACL_HYPERLOGLOG = 1u << 9,
    ACL_GEO       = 1u << 10,
    ACL_STREAM    = 1u << 11,
    ACL_PUBSUB    = 1u << 12,
    ACL_ADMIN     = 1u << 13,
    ACL_FAST      = 1u << 14,
    ACL_SLOW      = 1u << 15,
    ACL_BLOCKING  = 1u << 16,
    ACL_DANGEROUS = 1u << 17,
    ACL_CONNECTION = 1u << 18,
    ACL_TRANSACTION = 1u << 19,
    ACL_SCRIPTING = 1u << 20,
};

/* Key specification flags, as named by COMMAND INFO (cmd_keyspec_flag_name). */
enum cmd_ks_flag {
    KS_RO       = 1u << 0,
    KS_RW       = 1u << 1,
    KS_OW       = 1u << 2,
    KS_RM       = 1u << 3,
    KS_ACCESS   = 1u << 4,
    KS_UPDATE   = 1u << 5,
    KS_INSERT   = 1u << 6,
    KS_DELETE   = 1u << 7,
    KS_NOT_KEY  = 1u << 8,
    KS_INCOMPLETE = 1u << 9,
    KS_VARIABLE_FLAGS = 1u << 10,
};

/* How a key spec finds its first key, then the keys. */
enum cmd_ks_begin { KS_BEGIN_UNKNOWN, KS_BEGIN_INDEX, KS_BEGIN_KEYWORD };
enum cmd_ks_find { KS_FIND_UNKNOWN, KS_FIND_RANGE, KS_FIND_KEYNUM };

/* One key specification (Redis 7.0's keySpec), the interface fact COMMAND
 * INFO reports and COMMAND GETKEYS applies. begin_search: argv index
 * `pos` (INDEX), or the argument after `keyword` searched from `pos`
 * (KEYWORD; negative: from the end, backwards). find_keys: RANGE
 * a = lastkey (relative to the first key; negative: from the end),
 * b = keystep, c = limit; KEYNUM a = keynumidx, b = firstkey, c = keystep. */
typedef struct cmd_keyspec {
    const char *notes;          /* NULL if none */
    const char *keyword;        /* KS_BEGIN_KEYWORD only */
    uint16_t flags;             /* enum cmd_ks_flag */
    uint8_t begin, find;        /* enum cmd_ks_begin, enum cmd_ks_find */
    int16_t pos;
    int16_t a, b, c;
} cmd_keyspec_t;

/* A key found by cmd_getkeys: its argv index and its spec's flags. */
typedef struct cmd_keyref {
    int pos;
    uint16_t flags;
} cmd_keyref_t;

struct cmd;

/* Everything one command execution needs. */
typedef struct cmd_ctx {
    ks_t *ks;                   /* selected database of this shard */
    ks_t **dbs;                 /* all databases of this shard (FLUSHALL, COPY DB, MOVE,
                                 * SWAPDB, which swaps entries); NULL = just ks (db 0) */
    int ndbs;
    ks_t *const *kss;           /* a command over keys of several shards, all held:
                                 * the keyspace of each argv[i] (argc of them; the
                                 * first key's is ks). NULL: every key is in ks */
    ks_t **dbs2;                /* the databases of argv[2]'s shard when it is another
                                 * (COPY ... DB n), else NULL */
    const struct store_cfg *cfg;    /* the settings in force; NULL: the defaults */
    /* Blocking commands (BLPOP...): may_block lets one that finds nothing
     * write no reply at all, which tells the caller to make it wait
     * (otherwise it answers as on a timeout: inside MULTI); ready_key,
     * when a waiter is served, is the key that received data, the only
     * one tried. */
    bool may_block;
    const cmd_arg_t *ready_key;
    int argc;
    const cmd_arg_t *argv;      /* argv[0] is the command name */
    reply_t *reply;
    int64_t now_ms;             /* unix ms, cached by the caller per batch */
    const struct cmd *cmd;      /* set by cmd_exec */
} cmd_ctx_t;

typedef void (*cmd_proc_t)(cmd_ctx_t *ctx);

/* One row; 64 bytes on LP64 (routing reads rows on every command). */
typedef struct cmd {
    const char *name;           /* lowercase */
    cmd_proc_t proc;
    int arity;                  /* Redis convention: -N means at least N */
    uint32_t flags;             /* enum cmd_flag */
    uint32_t acl;               /* enum cmd_acl */
    int16_t first_key;          /* 0 = no keys */
    int16_t last_key;           /* negative: counted from the end (-1 = last arg) */
    int16_t key_step;
    uint16_t nsubs;
    uint16_t nkeyspecs;
    const char *tips;           /* Redis command tips, space separated, "" if none */
    const struct cmd *subs;     /* container command: its subcommands, else NULL */
    const cmd_keyspec_t *keyspecs;  /* COMMAND INFO's key specs, in order */
} cmd_t;

/* The row that runs this call: for a container command the subcommand
 * named by argv[1] (any case), NULL if there is none (cmd_exec then
 * replies Redis's "unknown subcommand" error); any other cmd itself. */
const cmd_t *cmd_subcommand(const cmd_t *cmd, int argc, const cmd_arg_t *argv);

/* names[i] for the single bit 1 << i; NULL if bit is not a single bit or
 * i >= n.  Every flag set of the COMMAND replies is named this way. */
const char *cmd_bit_name(uint32_t bit, const char *const *names, size_t n);

/* Names of flag / ACL / key spec flag bits (NULL for an unknown bit);
 * ACL names carry '@'. */
const char *cmd_flag_name(uint32_t bit);
const char *cmd_acl_name(uint32_t bit);
const char *cmd_keyspec_flag_name(uint32_t bit);

/* true if argc fits cmd's arity; otherwise appends Redis's
 * "wrong number of arguments" error and returns false. */
bool cmd_check_arity(const cmd_t *cmd, int argc, reply_t *r);

/* The row that runs this call, checked as Redis 7.0 checks it before
 * running or queueing it: for a container with a subcommand argument, the
 * subcommand (Redis's "unknown subcommand ... Try X HELP." error if there
 * is none), arity checked; for anything else the command, arity checked.
 * NULL after appending the error to r. */
const cmd_t *cmd_resolve(const cmd_t *cmd, int argc, const cmd_arg_t *argv, reply_t *r);

/* Append Redis's "unknown command" error for argv (argv[0] is the name),
 * with its quoting and 128-byte truncation. */
void cmd_reply_unknown(reply_t *r, int argc, const cmd_arg_t *argv);

/* Positions (argv indexes) of the keys of a call, for routing. Writes up
 * to max of them into pos and returns how many the call has (which may
 * exceed max). 0 for keyless commands. */
int cmd_key_positions(const cmd_t *cmd, int argc, int *pos, int max);

/* The procedure of every container row: runs the subcommand named by
 * argv[1], or replies Redis's unknown subcommand / arity error. */
void cmd__container(cmd_ctx_t *ctx);

/* Run cmd on ctx->ks and append its reply to ctx->reply. Checks arity
 * (appending the error) so a caller that already did pays one compare.
 * cmd may be a container or one of its subcommand rows. Sets the
 * keyspace clock to ctx->now_ms. */
void cmd_exec(const cmd_t *cmd, cmd_ctx_t *ctx);

#endif
