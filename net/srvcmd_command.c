/*
 * srvcmd_command.c - COMMAND: COUNT, LIST, INFO, DOCS, GETKEYS and HELP over
 * both command tables (store/'s and the connection's own), with Redis
 * 7.0's reply shapes and errors.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "srvcmd.h"


static void flags_reply(reply_t *r, uint32_t bits, const char *(*name)(uint32_t),
			bool status)
{
	size_t n = 0;
	for (int b = 0; b < 32; b++)
		if ((bits & (1u << b)) && name(1u << b))
			n++;
	reply_set(r, n);
	for (int b = 0; b < 32; b++) {
		const char *s = (bits & (1u << b)) ? name(1u << b) : NULL;
		if (!s)
			continue;
		if (status)
			reply_simple(r, s, strlen(s));
		else
			reply_simple(r, s, strlen(s));
	}
}

static void tips_reply(reply_t *r, const char *tips)
{
	size_t n = 0;
	for (const char *p = tips; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ')
			p++;
	}
	reply_set(r, n);
	for (const char *p = tips; *p;) {
		while (*p == ' ')
			p++;
		const char *s = p;
		while (*p && *p != ' ')
			p++;
		if (p > s)
			reply_simple(r, s, (size_t)(p - s));
	}
}

static void command_info_reply(reply_t *r, const cmd_t *cmd)
{
	reply_array(r, 10);
	reply_bulk_cstr(r, cmd->name);
	reply_int(r, cmd->arity);
	flags_reply(r, cmd->flags, cmd_flag_name, true);
	reply_int(r, cmd->first_key);
	reply_int(r, cmd->last_key);
	reply_int(r, cmd->key_step);
	flags_reply(r, cmd->acl, cmd_acl_name, true);
	tips_reply(r, cmd->tips ? cmd->tips : "");
	reply_array(r, 0); /* key specs: not kept (first/last/step are) */
	reply_array(r, (size_t)(cmd->subs ? cmd->nsubs : 0));
	for (int i = 0; cmd->subs && i < cmd->nsubs; i++)
		command_info_reply(r, &cmd->subs[i]);
}

static const cmd_t *any_lookup(const char *name, size_t len)
{
	srvcmd_proc_t p;
	const cmd_t *cmd = cmd_lookup(name, len);
	return cmd ? cmd : srvcmd_lookup(name, len, &p);
}

static const subcmd_t command_subs[] = {
	{ "count", 2 }, { "info", -2 }, { "docs", -2 }, { "list", -2 },
	{ "getkeys", -4 }, { "help", 2 }, { NULL, 0 },
};

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
	"HELP",
	"    Print this help.",
	NULL,
};

static void command_getkeys(reply_t *r, int argc, const cmd_arg_t *argv)
{
	const cmd_t *cmd = any_lookup(argv[2].ptr, argv[2].len);
	int n = argc - 2; /* the inner command's argc */
	if (!cmd) {
		reply_error(r, "ERR Invalid command specified");
		return;
	}
	if ((cmd->arity > 0 && cmd->arity != n) || n < -cmd->arity) {
		reply_error(r, "ERR Invalid number of arguments specified for command");
		return;
	}
	const cmd_t *keys = cmd->subs ? cmd_subcommand(cmd, n, argv + 2) : cmd;
	int pos[256];
	int k = keys ? cmd_key_positions(keys, n, pos, 256) : 0;
	if (k <= 0) {
		reply_error(r, "ERR The command has no key arguments");
		return;
	}
	if (k > 256)
		k = 256;
	reply_array(r, (size_t)k);
	for (int i = 0; i < k; i++)
		reply_bulk(r, argv[2 + pos[i]].ptr, argv[2 + pos[i]].len);
}

static const cmd_t *table_at(size_t i)
{
	return i < cmd_count() ? cmd_at(i) : srvcmd_at(i - cmd_count());
}

void srvcmd_command(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	size_t total = cmd_count() + srvcmd_count();
	const subcmd_t *sc = argc == 1 ? NULL
		: srvcmd_subcommand(r, "command", "COMMAND", command_subs, argc, argv);
	if (argc == 1) {
		reply_array(r, total);
		for (size_t i = 0; i < total; i++)
			command_info_reply(r, table_at(i));
	} else if (!sc) {
		/* error written */
	} else if (!strcmp(sc->name, "list")) {
		reply_array(r, total);
		for (size_t i = 0; i < total; i++)
			reply_bulk_cstr(r, table_at(i)->name);
	} else if (!strcmp(sc->name, "count")) {
		reply_int(r, (long long)total);
	} else if (!strcmp(sc->name, "info")) {
		if (argc == 2) {
			reply_array(r, total);
			for (size_t i = 0; i < total; i++)
				command_info_reply(r, table_at(i));
		} else {
			reply_array(r, (size_t)argc - 2);
			for (int i = 2; i < argc; i++) {
				const cmd_t *cmd = any_lookup(argv[i].ptr,
							      argv[i].len);
				if (cmd)
					command_info_reply(r, cmd);
				else
					reply_null_array(r);
			}
		}
	} else if (!strcmp(sc->name, "docs")) {
		reply_map(r, 0); /* no docs: clients fall back gracefully */
	} else if (!strcmp(sc->name, "getkeys")) {
		command_getkeys(r, argc, argv);
	} else {
		srvcmd_help(r, command_help);
	}
	dispatch_finish_now(c, req);
}

