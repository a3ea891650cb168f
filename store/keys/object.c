/*
 * cmd_object.c - introspection of one key: OBJECT ENCODING / REFCOUNT /
 * IDLETIME / FREQ / HELP and MEMORY USAGE / HELP, as Redis 7.0 answers
 * them with its default configuration (no maxmemory, LRU policy).
 *
 * ENCODING and REFCOUNT mirror Redis's string objects (entry.h: "int" for
 * canonical integers of <= 20 chars, "embstr" up to 44 bytes, "raw"
 * beyond and after APPEND/SETRANGE; integers 0..9999 are Redis's shared
 * objects, refcount INT_MAX). IDLETIME uses the entry's LRU clock; Redis
 * stores no clock of its own for a shared integer, so there it reports
 * the idle time of the shared object, which FlashKV does not imitate.
 * FREQ needs an LFU policy, which FlashKV does not have: it always gives
 * Redis's "not selected" error for an existing key.
 *
 * MEMORY USAGE counts what this process holds for the key: the entry's
 * allocation(s) at the allocator's usable size, its bucket slot and its
 * TTL record (ks_entry_usage). Redis sums its own structures (dictEntry,
 * robj, key and value sds) in jemalloc size classes and leaves the TTL
 * out, so the numbers agree only by chance: SET foo bar gives 64 in both
 * (glibc here), SET foo 12345 gives 48 in both for a new key but 64 here
 * if foo held a longer string before (the entry keeps its allocation), and
 * a TTL adds 16 here only. Under AddressSanitizer the usable size is the
 * requested size. Tests compare only the reply type and bounds.
 *
 * Concurrency: runs on the shard's thread (cmd_exec).
 */
#include <stdio.h>

#include "store/cmd/proc.h"
#include "keys.h"

/* OBJECT subcommands look keys up without touching them (LOOKUP_NOTOUCH),
 * expired keys counting as missing: null reply. */
static entry_t *object_lookup(cmd_ctx_t *ctx)
{
    entry_t *e = ks_find_notouch(ctx->ks, ctx->argv[2].ptr, ctx->argv[2].len);
    if (!e)
        reply_null(ctx->reply);
    return e;
}

void cmd__object_encoding(cmd_ctx_t *ctx)
{
    entry_t *e = object_lookup(ctx);
    if (e)
        reply_bulk_cstr(ctx->reply, entry_encoding(e));
}

void cmd__object_refcount(cmd_ctx_t *ctx)
{
    entry_t *e = object_lookup(ctx);
    if (e)
        reply_int(ctx->reply, entry_refcount(e));
}

void cmd__object_idletime(cmd_ctx_t *ctx)
{
    entry_t *e = object_lookup(ctx);
    if (e)
        reply_int(ctx->reply, (long long)(entry_idle_ms(e, ctx->now_ms) / 1000));
}

void cmd__object_freq(cmd_ctx_t *ctx)
{
    if (object_lookup(ctx))
        reply_error(ctx->reply, ERR_LFU_NOT_SELECTED);
}

/* Redis's addReplyHelp: a header naming the command as typed, in upper
 * case, the lines, and the HELP footer, all as simple strings. */
static void reply_help(cmd_ctx_t *ctx, const char *const *lines, size_t n)
{
    char up[16];
    size_t len = cmd__clen(&ctx->argv[0]);
    if (len >= sizeof up)
        len = sizeof up - 1;
    for (size_t i = 0; i < len; i++) {
        char c = ctx->argv[0].ptr[i];
        up[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    up[len] = '\0';

    char head[96];
    int hlen = snprintf(head, sizeof head,
                        "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", up);
    reply_array(ctx->reply, n + 3);
    reply_simple(ctx->reply, head, (size_t)hlen);
    for (size_t i = 0; i < n; i++)
        reply_simple(ctx->reply, lines[i], strlen(lines[i]));
    reply_simple(ctx->reply, "HELP", 4);
    reply_simple(ctx->reply, "    Prints this help.", 21);
}

void cmd__object_help(cmd_ctx_t *ctx)
{
    static const char *const help[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    };
    reply_help(ctx, help, sizeof help / sizeof help[0]);
}

void cmd__memory_help(cmd_ctx_t *ctx)
{
    static const char *const help[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    };
    reply_help(ctx, help, sizeof help / sizeof help[0]);
}

/* MEMORY USAGE key [SAMPLES count]: options first, then the key as it
 * sits in the table (Redis does not check its TTL here). SAMPLES only
 * matters for collections; it is validated like Redis and ignored. */
void cmd__memory_usage(cmd_ctx_t *ctx)
{
    for (int j = 3; j < ctx->argc; j++) {
        long long samples;
        if (cmd__opt_is(&ctx->argv[j], "samples") && j + 1 < ctx->argc) {
            if (!cmd__arg_ll(ctx, ++j, &samples))
                return;
            if (samples < 0) {
                reply_error(ctx->reply, ERR_SYNTAX);
                return;
            }
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return;
        }
    }
    entry_t *e = ks_peek(ctx->ks, ctx->argv[2].ptr, ctx->argv[2].len);
    if (!e)
        reply_null(ctx->reply);
    else
        reply_int(ctx->reply, (long long)ks_entry_usage(ctx->ks, e));
}
