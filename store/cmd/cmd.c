/*
 * cmd.c - what every command row shares: flag names, arity, subcommands,
 * key positions and execution (see cmd.h).
 *
 * Concurrency: constant tables only.
 */
#include "cmd.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proc.h"
#include "store/db/ks_snap.h"

static const char *const flag_names[] = {
    "write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking",
    "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast",
    "no_auth", "may_replicate", "no_mandatory_keys", "no_async_loading",
    "no_multi", "allow_busy",
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

entry_t *cmd__find_typed(cmd_ctx_t *ctx, int i, unsigned type, bool *wrong)
{
    const cmd_arg_t *k = &ctx->argv[i];
    entry_t *e = ks_find(cmd__ks_of(ctx, i), k->ptr, k->len);
    *wrong = e && e->otype != type;
    if (*wrong) {
        reply_error(ctx->reply, ERR_WRONGTYPE);
        return NULL;
    }
    return e;
}

void cmd__reply_value(cmd_ctx_t *ctx, const entry_t *e)
{
    char buf[NUM_LL_BUF];
    size_t len;
    const char *p = entry_str(e, buf, &len);
    reply_bulk(ctx->reply, p, len);
}

bool cmd__rand_args(cmd_ctx_t *ctx, const char *with, long long *count, bool *withval)
{
    if (!cmd__arg_ll(ctx, 2, count))
        return false;
    if (*count < -LLONG_MAX) {
        reply_error(ctx->reply, ERR_RAND_COUNT_RANGE);
        return false;
    }
    if (ctx->argc > 4 || (ctx->argc == 4 && !cmd__opt_is(&ctx->argv[3], with))) {
        reply_error(ctx->reply, ERR_SYNTAX);
        return false;
    }
    *withval = ctx->argc == 4;
    if (*withval && (*count < -LLONG_MAX / 2 || *count > LLONG_MAX / 2)) {
        reply_error(ctx->reply, ERR_RAND_VALUES_RANGE);
        return false;
    }
    return true;
}

bool cmd__rand_fits(cmd_ctx_t *ctx, size_t count, bool withval)
{
    const size_t min_element_bytes = 6, most = UINT32_MAX / min_element_bytes;
    if (count <= most / (withval ? 2 : 1))
        return true;
    reply_error(ctx->reply, ERR_RAND_VALUES_RANGE);
    return false;
}

void cmd_exec(const cmd_t *cmd, cmd_ctx_t *ctx)
{
    if (!cmd_check_arity(cmd, ctx->argc, ctx->reply))
        return;
    ctx->cmd = cmd;
    ks_set_now(ctx->ks, ctx->now_ms);
    if (ctx->kss)
        for (int i = 1; i < ctx->argc; i++)
            if (ctx->kss[i] != ctx->ks)
                ks_set_now(ctx->kss[i], ctx->now_ms);
    if (__builtin_expect(ks_snaps_any(), 0) && (cmd->flags & CMD_WRITE))
        cmd__snap_before(cmd, ctx);
    cmd->proc(ctx);
}
