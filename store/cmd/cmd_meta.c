/*
 * cmd_meta.c - COMMAND GETKEYS by key specs, and the COMMAND INFO and
 * COMMAND DOCS replies (see cmd_meta.h), with Redis 7.0's shapes: RESP3
 * maps and sets where Redis writes them, flat arrays in RESP2.
 *
 * Concurrency: reads constant tables only.
 */
#include "cmd_meta.h"

#include <string.h>
#include <strings.h>

#include "cmd_docs.h"
#include "store/base/num.h"

/* ---- key specs applied to a call ---------------------------------------- */

bool cmd_has_keys(const cmd_t *cmd)
{
    for (int i = 0; i < cmd->nkeyspecs; i++)
        if (!(cmd->keyspecs[i].flags & KS_NOT_KEY))
            return true;
    return false;
}

/* argv[i] equals s (any case), compared as C strings as Redis does. */
static bool arg_is(const cmd_arg_t *a, const char *s)
{
    size_t n = strlen(s);
    return strnlen(a->ptr, a->len) == n && strncasecmp(a->ptr, s, n) == 0;
}

/* The flags of a VARIABLE_FLAGS spec for this call. SET is the only such
 * command here: RW (it reads the old value) with GET, else OW (Redis's
 * setGetKeys). */
static uint16_t variable_flags(const cmd_t *cmd, int argc, const cmd_arg_t *argv)
{
    if (strcmp(cmd->name, "set") == 0) {
        for (int i = 3; i < argc; i++)
            if (arg_is(&argv[i], "get"))
                return KS_RW | KS_ACCESS | KS_UPDATE;
        return KS_OW | KS_UPDATE;
    }
    return 0;
}

/* First argv index of a spec's keys, 0 if its keyword is absent, -1 if
 * the spec cannot be applied. */
static int spec_begin(const cmd_keyspec_t *ks, int argc, const cmd_arg_t *argv)
{
    if (ks->begin == KS_BEGIN_INDEX)
        return ks->pos;
    if (ks->begin != KS_BEGIN_KEYWORD)
        return -1;
    int start = ks->pos > 0 ? ks->pos : argc + ks->pos;
    int end = ks->pos > 0 ? argc - 1 : 0;
    for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 0)
            break;
        if (arg_is(&argv[i], ks->keyword))
            return i + 1;
    }
    return 0;
}

/* The last argv index and the step of a spec's keys from the first one;
 * false if the spec cannot be applied. */
static bool spec_range(const cmd_keyspec_t *ks, int argc, const cmd_arg_t *argv,
                       int *first, int *last, int *step)
{
    if (ks->find == KS_FIND_RANGE) {
        *step = ks->b;
        if (ks->a >= 0)
            *last = *first + ks->a;
        else if (!ks->c)
            *last = argc + ks->a;
        else
            *last = *first + ((argc - *first) / ks->c + ks->a);
        return true;
    }
    if (ks->find != KS_FIND_KEYNUM || *first + ks->a >= argc)
        return false;
    long long n;
    const cmd_arg_t *num = &argv[*first + ks->a];
    if (!num_parse_ll(num->ptr, num->len, &n) || n < 0 || n > argc)
        return false;
    *step = ks->c;
    *first += ks->b;
    *last = *first + (int)n - 1;
    return true;
}

int cmd_getkeys(const cmd_t *cmd, int argc, const cmd_arg_t *argv,
                cmd_keyref_t *out, int max)
{
    int n = 0;
    bool variable = false;
    for (int s = 0; s < cmd->nkeyspecs; s++)
        variable |= (cmd->keyspecs[s].flags & KS_VARIABLE_FLAGS) != 0;
    for (int s = 0; s < cmd->nkeyspecs; s++) {
        const cmd_keyspec_t *ks = &cmd->keyspecs[s];
        if (ks->flags & KS_NOT_KEY)
            continue;
        int first = spec_begin(ks, argc, argv), last, step;
        if (first == 0)
            continue; /* keyword absent: no keys from this spec */
        if (first < 0 || !spec_range(ks, argc, argv, &first, &last, &step) ||
            last >= argc || last < first || first >= argc || step <= 0 ||
            (ks->flags & KS_INCOMPLETE))
            return 0;
        uint16_t flags = variable ? variable_flags(cmd, argc, argv) : ks->flags;
        for (int i = first; i <= last; i += step) {
            if (n < max)
                out[n] = (cmd_keyref_t){ .pos = i, .flags = flags };
            n++;
        }
    }
    return n;
}

const cmd_t *cmd_listed_sub(const cmd_t *cmd, const char *name, size_t len)
{
    for (int i = 0; cmd->subs && i < cmd->nsubs; i++) {
        const cmd_t *sc = &cmd->subs[i];
        const char *sub = strchr(sc->name, '|') + 1;
        if (!(sc->flags & CMD_UNLISTED) && strlen(sub) == len &&
            strncasecmp(sub, name, len) == 0)
            return sc;
    }
    return NULL;
}

/* ---- COMMAND INFO ------------------------------------------------------- */

/* The named bits of `bits` as a set of status strings, then `extra` if
 * not NULL. */
static void names_reply_extra(reply_t *r, uint32_t bits, const char *(*name)(uint32_t),
                              const char *extra)
{
    size_t n = extra != NULL;
    for (int b = 0; b < 32; b++)
        n += (bits & (1u << b)) && name(1u << b);
    reply_set(r, n);
    for (int b = 0; b < 32; b++) {
        const char *s = (bits & (1u << b)) ? name(1u << b) : NULL;
        if (s)
            reply_simple(r, s, strlen(s));
    }
    if (extra)
        reply_simple(r, extra, strlen(extra));
}

static void names_reply(reply_t *r, uint32_t bits, const char *(*name)(uint32_t))
{
    names_reply_extra(r, bits, name, NULL);
}

bool cmd_movable_keys(const cmd_t *cmd)
{
    for (int i = 0; i < cmd->nkeyspecs; i++)
        if (cmd->keyspecs[i].begin != KS_BEGIN_INDEX ||
            cmd->keyspecs[i].find != KS_FIND_RANGE)
            return true;
    return false;
}

void cmd_keyspec_flags_reply(reply_t *r, uint32_t flags)
{
    names_reply(r, flags, cmd_keyspec_flag_name);
}

/* Space-separated tips as a set of bulk strings. */
static void tips_reply(reply_t *r, const char *tips)
{
    size_t n = 0;
    for (const char *p = tips; *p; p++)
        n += *p != ' ' && (p == tips || p[-1] == ' ');
    reply_set(r, n);
    for (const char *p = tips; *p;) {
        while (*p == ' ')
            p++;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        if (p > s)
            reply_bulk(r, s, (size_t)(p - s));
    }
}

static void int_field(reply_t *r, const char *key, long long v)
{
    reply_bulk_cstr(r, key);
    reply_int(r, v);
}

static void keyspec_reply(reply_t *r, const cmd_keyspec_t *ks)
{
    reply_map(r, ks->notes ? 4 : 3);
    if (ks->notes) {
        reply_bulk_cstr(r, "notes");
        reply_bulk_cstr(r, ks->notes);
    }
    reply_bulk_cstr(r, "flags");
    cmd_keyspec_flags_reply(r, ks->flags);

    reply_bulk_cstr(r, "begin_search");
    reply_map(r, 2);
    reply_bulk_cstr(r, "type");
    if (ks->begin == KS_BEGIN_INDEX) {
        reply_bulk_cstr(r, "index");
        reply_bulk_cstr(r, "spec");
        reply_map(r, 1);
        int_field(r, "index", ks->pos);
    } else if (ks->begin == KS_BEGIN_KEYWORD) {
        reply_bulk_cstr(r, "keyword");
        reply_bulk_cstr(r, "spec");
        reply_map(r, 2);
        reply_bulk_cstr(r, "keyword");
        reply_bulk_cstr(r, ks->keyword);
        int_field(r, "startfrom", ks->pos);
    } else {
        reply_bulk_cstr(r, "unknown");
        reply_bulk_cstr(r, "spec");
        reply_map(r, 0);
    }

    reply_bulk_cstr(r, "find_keys");
    reply_map(r, 2);
    reply_bulk_cstr(r, "type");
    if (ks->find == KS_FIND_RANGE) {
        reply_bulk_cstr(r, "range");
        reply_bulk_cstr(r, "spec");
        reply_map(r, 3);
        int_field(r, "lastkey", ks->a);
        int_field(r, "keystep", ks->b);
        int_field(r, "limit", ks->c);
    } else if (ks->find == KS_FIND_KEYNUM) {
        reply_bulk_cstr(r, "keynum");
        reply_bulk_cstr(r, "spec");
        reply_map(r, 3);
        int_field(r, "keynumidx", ks->a);
        int_field(r, "firstkey", ks->b);
        int_field(r, "keystep", ks->c);
    } else {
        reply_bulk_cstr(r, "unknown");
        reply_bulk_cstr(r, "spec");
        reply_map(r, 0);
    }
}

static size_t listed_subs(const cmd_t *cmd)
{
    size_t n = 0;
    for (int i = 0; cmd->subs && i < cmd->nsubs; i++)
        n += !(cmd->subs[i].flags & CMD_UNLISTED);
    return n;
}

void cmd_info_reply(reply_t *r, const cmd_t *cmd)
{
    reply_array(r, 10);
    reply_bulk_cstr(r, cmd->name);
    reply_int(r, cmd->arity);
    names_reply_extra(r, cmd->flags, cmd_flag_name,
                      cmd_movable_keys(cmd) ? "movablekeys" : NULL);
    reply_int(r, cmd->first_key);
    reply_int(r, cmd->last_key);
    reply_int(r, cmd->key_step);
    names_reply(r, cmd->acl, cmd_acl_name);
    tips_reply(r, cmd->tips ? cmd->tips : "");
    reply_set(r, cmd->nkeyspecs);
    for (int i = 0; i < cmd->nkeyspecs; i++)
        keyspec_reply(r, &cmd->keyspecs[i]);
    if (!cmd->subs) {
        reply_set(r, 0); /* Redis's spelling of "none" */
        return;
    }
    reply_array(r, listed_subs(cmd));
    for (int i = 0; i < cmd->nsubs; i++)
        if (!(cmd->subs[i].flags & CMD_UNLISTED))
            cmd_info_reply(r, &cmd->subs[i]);
}

/* ---- COMMAND DOCS ------------------------------------------------------- */

static void str_field(reply_t *r, const char *key, const char *v)
{
    reply_bulk_cstr(r, key);
    reply_bulk_cstr(r, v);
}

static void args_reply(reply_t *r, const cmd_doc_arg_t *args, int n)
{
    reply_array(r, (size_t)n);
    for (int i = 0; i < n; i++) {
        const cmd_doc_arg_t *a = &args[i];
        bool nested = a->type == DOC_ARG_ONEOF || a->type == DOC_ARG_BLOCK;
        reply_map(r, 2 + (a->key_spec >= 0) + !!a->token + !!a->since +
                     !!a->deprecated_since + !!a->flags + nested);
        str_field(r, "name", a->name);
        str_field(r, "type", cmd_doc_arg_type_name(a->type));
        if (a->key_spec >= 0)
            int_field(r, "key_spec_index", a->key_spec);
        if (a->token)
            str_field(r, "token", a->token);
        if (a->since)
            str_field(r, "since", a->since);
        if (a->deprecated_since)
            str_field(r, "deprecated_since", a->deprecated_since);
        if (a->flags) {
            reply_bulk_cstr(r, "flags");
            names_reply(r, a->flags, cmd_doc_arg_flag_name);
        }
        if (nested) {
            reply_bulk_cstr(r, "arguments");
            args_reply(r, a->args, a->nargs);
        }
    }
}

void cmd_docs_reply(reply_t *r, const cmd_t *cmd)
{
    const cmd_doc_t *d = cmd_doc_find(cmd->name);
    if (!d) { /* every row has an entry (tests check); keep the shape */
        reply_map(r, 0);
        return;
    }
    reply_map(r, 4 + !!d->doc_flags + !!d->deprecated_since +
                 !!d->replaced_by + !!d->nhistory + !!d->nargs + !!cmd->subs);
    str_field(r, "summary", d->summary);
    str_field(r, "since", d->since);
    str_field(r, "group", d->group);
    str_field(r, "complexity", d->complexity);
    if (d->doc_flags) {
        reply_bulk_cstr(r, "doc_flags");
        names_reply(r, d->doc_flags, cmd_doc_flag_name);
    }
    if (d->deprecated_since)
        str_field(r, "deprecated_since", d->deprecated_since);
    if (d->replaced_by)
        str_field(r, "replaced_by", d->replaced_by);
    if (d->nhistory) {
        reply_bulk_cstr(r, "history");
        reply_set(r, d->nhistory);
        for (int i = 0; i < d->nhistory; i++) {
            reply_array(r, 2);
            reply_bulk_cstr(r, d->history[2 * i]);
            reply_bulk_cstr(r, d->history[2 * i + 1]);
        }
    }
    if (d->nargs) {
        reply_bulk_cstr(r, "arguments");
        args_reply(r, d->args, d->nargs);
    }
    if (cmd->subs) {
        reply_bulk_cstr(r, "subcommands");
        reply_map(r, listed_subs(cmd));
        for (int i = 0; i < cmd->nsubs; i++) {
            if (cmd->subs[i].flags & CMD_UNLISTED)
                continue;
            reply_bulk_cstr(r, cmd->subs[i].name);
            cmd_docs_reply(r, &cmd->subs[i]);
        }
    }
}
