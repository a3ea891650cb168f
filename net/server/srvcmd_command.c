/*
 * srvcmd_command.c - COMMAND and its subcommands COUNT, LIST [FILTERBY],
 * INFO, DOCS, GETKEYS, GETKEYSANDFLAGS and HELP over both command tables
 * (store/'s and the connection's own), with Redis 7.0's reply shapes and
 * errors.  The replies of one command are written by store/cmd_meta.c from
 * the table data; this file finds the commands.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "srvcmd.h"
#include "net/conn/dispatch.h"
#include "net/core/log.h"
#include "store/base/errors.h"
#include "store/base/glob.h"
#include "store/cmd/cmd_docs.h"
#include "store/cmd/cmd_meta.h"
#include "store/commands.h"

/* A top-level command of either table by name (any case), NULL if none. */
static const cmd_t *any_lookup(const char *name, size_t len)
{
	conn_cmd_proc_t p;
	const cmd_t *cmd = cmd_lookup(name, len);
	return cmd ? cmd : srvcmd_lookup(name, len, &p);
}

/* A command by full name, "get" or "object|encoding" (Redis's
 * lookupCommandBySds: one level of subcommands, listed ones only). */
static const cmd_t *fullname_lookup(const cmd_arg_t *a)
{
	const char *bar = memchr(a->ptr, '|', a->len);
	if (!bar)
		return a->len ? any_lookup(a->ptr, a->len) : NULL;
	const cmd_t *base = any_lookup(a->ptr, (size_t)(bar - a->ptr));
	size_t rest = a->len - (size_t)(bar - a->ptr) - 1;
	if (!base || !base->subs || memchr(bar + 1, '|', rest))
		return NULL;
	return cmd_listed_sub(base, bar + 1, rest);
}

/* The command a full command line names: the container's subcommand when
 * there is an argument after it (Redis's lookupCommand). */
static const cmd_t *line_lookup(int argc, const cmd_arg_t *argv)
{
	const cmd_t *base = any_lookup(argv[0].ptr, argv[0].len);
	if (!base || argc == 1 || !base->subs)
		return base;
	return cmd_listed_sub(base, argv[1].ptr, argv[1].len);
}

static size_t table_count(void)
{
	return cmd_count() + srvcmd_count();
}

static const cmd_t *table_at(size_t i)
{
	return i < cmd_count() ? cmd_at(i) : srvcmd_at(i - cmd_count());
}

static const char *const command_help[] = {
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
	NULL,
};

/* GETKEYS / GETKEYSANDFLAGS: argv[2..] is the command line. */
static void command_getkeys(reply_t *r, int argc, const cmd_arg_t *argv,
			    bool with_flags)
{
	int n = argc - 2;
	const cmd_arg_t *line = argv + 2;
	const cmd_t *cmd = line_lookup(n, line);
	if (!cmd) {
		reply_error(r, ERR_GETKEYS_NO_COMMAND);
		return;
	}
	if (!cmd_has_keys(cmd)) {
		reply_error(r, ERR_GETKEYS_NO_KEYS);
		return;
	}
	if ((cmd->arity > 0 && cmd->arity != n) || n < -cmd->arity) {
		reply_error(r, ERR_GETKEYS_ARITY);
		return;
	}
	cmd_keyref_t *keys = malloc((size_t)n * sizeof(*keys));
	if (!keys) {
		log_warning("out of memory in COMMAND GETKEYS");
		abort();
	}
	int k = cmd_getkeys(cmd, n, line, keys, n);
	if (k == 0 && (cmd->flags & CMD_NO_MANDATORY_KEYS)) {
		reply_array(r, 0);
	} else if (k == 0) {
		reply_error(r, ERR_GETKEYS_ARGS);
	} else {
		reply_array(r, (size_t)k);
		for (int i = 0; i < k; i++) {
			const cmd_arg_t *key = &line[keys[i].pos];
			if (with_flags)
				reply_array(r, 2);
			reply_bulk(r, key->ptr, key->len);
			if (with_flags)
				cmd_keyspec_flags_reply(r, keys[i].flags);
		}
	}
	free(keys);
}

/* COMMAND LIST FILTERBY: which filter, and its argument. */
enum list_filter { FILTER_NONE, FILTER_MODULE, FILTER_ACLCAT, FILTER_PATTERN };

static bool list_wanted(const cmd_t *cmd, enum list_filter f,
			const cmd_arg_t *arg)
{
	if (f == FILTER_MODULE)
		return false; /* no modules */
	if (f == FILTER_PATTERN)
		return glob_match(arg->ptr, arg->len, cmd->name,
				  strlen(cmd->name), true);
	/* The category, compared as a C string (as Redis does). */
	size_t len = strnlen(arg->ptr, arg->len);
	for (int b = 0; b < 32; b++) {
		const char *cat = cmd_acl_name(1u << b); /* "@read" */
		if (cat && strlen(cat + 1) == len &&
		    !strncasecmp(cat + 1, arg->ptr, len))
			return (cmd->acl & (1u << b)) != 0;
	}
	return false; /* unknown category */
}

/* Names of the commands and listed subcommands that pass the filter;
 * their count. */
static size_t list_filtered(reply_t *r, const cmd_t *cmd, enum list_filter f,
			    const cmd_arg_t *arg)
{
	size_t n = 0;
	if (!(cmd->flags & CMD_UNLISTED) && list_wanted(cmd, f, arg)) {
		reply_bulk_cstr(r, cmd->name);
		n++;
	}
	for (int i = 0; cmd->subs && i < cmd->nsubs; i++)
		n += list_filtered(r, &cmd->subs[i], f, arg);
	return n;
}

static void command_list(reply_t *r, int argc, const cmd_arg_t *argv)
{
	enum list_filter f = FILTER_NONE;
	const cmd_arg_t *arg = NULL;
	for (int i = 2; i < argc; i += 3) {
		if (!srvcmd_arg_is(&argv[i], "filterby") || argc - 1 - i != 2) {
			reply_error(r, ERR_SYNTAX);
			return;
		}
		if (srvcmd_arg_is(&argv[i + 1], "module"))
			f = FILTER_MODULE;
		else if (srvcmd_arg_is(&argv[i + 1], "aclcat"))
			f = FILTER_ACLCAT;
		else if (srvcmd_arg_is(&argv[i + 1], "pattern"))
			f = FILTER_PATTERN;
		else {
			reply_error(r, ERR_SYNTAX);
			return;
		}
		arg = &argv[i + 2];
	}
	if (f == FILTER_NONE) {
		reply_array(r, table_count());
		for (size_t i = 0; i < table_count(); i++)
			reply_bulk_cstr(r, table_at(i)->name);
		return;
	}
	size_t mark = reply_array_begin(r), n = 0;
	for (size_t i = 0; i < table_count(); i++)
		n += list_filtered(r, table_at(i), f, arg);
	reply_array_end(r, mark, n);
}

static void command_info(reply_t *r, int argc, const cmd_arg_t *argv)
{
	if (argc <= 2) {
		reply_array(r, table_count());
		for (size_t i = 0; i < table_count(); i++)
			cmd_info_reply(r, table_at(i));
		return;
	}
	reply_array(r, (size_t)argc - 2);
	for (int i = 2; i < argc; i++) {
		const cmd_t *cmd = fullname_lookup(&argv[i]);
		if (cmd)
			cmd_info_reply(r, cmd);
		else
			reply_null(r);
	}
}

static void command_docs(reply_t *r, int argc, const cmd_arg_t *argv)
{
	if (argc == 2) {
		reply_map(r, table_count());
		for (size_t i = 0; i < table_count(); i++) {
			reply_bulk_cstr(r, table_at(i)->name);
			cmd_docs_reply(r, table_at(i));
		}
		return;
	}
	size_t n = 0;
	for (int i = 2; i < argc; i++)
		n += fullname_lookup(&argv[i]) != NULL;
	reply_map(r, n);
	for (int i = 2; i < argc; i++) {
		const cmd_t *cmd = fullname_lookup(&argv[i]);
		if (!cmd)
			continue;
		reply_bulk_cstr(r, cmd->name);
		cmd_docs_reply(r, cmd);
	}
}

void srvcmd_command(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	const cmd_t *sc = argc == 1 ? NULL
		: srvcmd_subcommand(r, "command", argc, argv);
	const char *sub = sc ? strchr(sc->name, '|') + 1 : "";
	if (argc == 1)
		command_info(r, argc, argv);
	else if (!sc)
		; /* error written */
	else if (!strcmp(sub, "count"))
		reply_int(r, (long long)table_count());
	else if (!strcmp(sub, "list"))
		command_list(r, argc, argv);
	else if (!strcmp(sub, "info"))
		command_info(r, argc, argv);
	else if (!strcmp(sub, "docs"))
		command_docs(r, argc, argv);
	else if (!strcmp(sub, "getkeys"))
		command_getkeys(r, argc, argv, false);
	else if (!strcmp(sub, "getkeysandflags"))
		command_getkeys(r, argc, argv, true);
	else
		srvcmd_help(r, command_help);
	dispatch_finish_now(c, req);
}
