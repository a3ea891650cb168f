/*
 * srvcmd.c - commands the connection answers itself, without a shard:
 * PING, ECHO, QUIT, TIME, SELECT, COMMAND, CONFIG, CLIENT, HELLO and INFO
 * (which gathers shard statistics through a fan-out, see info.c).
 *
 * Replies and errors are Redis 7.0's.  The table uses store/'s cmd_t so
 * that COMMAND reports both tables the same way.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "conn.h"
#include "errors.h"
#include "glob.h"
#include "log.h"

static bool arg_is(const cmd_arg_t *a, const char *s)
{
	return a->len == strlen(s) && strncasecmp(a->ptr, s, a->len) == 0;
}

static void sc_ping(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (argc > 2)
		reply_errorf(r, ERRF_ARITY, "ping");
	else if (argc == 2)
		reply_bulk(r, argv[1].ptr, argv[1].len);
	else
		reply_simple(r, "PONG", 4);
	dispatch_finish_now(c, req);
}

static void sc_echo(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	reply_bulk(r, argv[1].ptr, argv[1].len);
	dispatch_finish_now(c, req);
	(void)argc;
}

static void sc_quit(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	reply_ok(r);
	dispatch_finish_now(c, req);
	c->closing = true;
	(void)argc, (void)argv;
}

static void sc_time(conn_t *c, int argc, const cmd_arg_t *argv)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	reply_array(r, 2);
	reply_bulk_ll(r, (long long)tv.tv_sec);
	reply_bulk_ll(r, (long long)tv.tv_usec);
	dispatch_finish_now(c, req);
	(void)argc, (void)argv;
}

static bool parse_ll(const cmd_arg_t *a, long long *out)
{
	char buf[32];
	if (a->len == 0 || a->len >= sizeof(buf))
		return false;
	memcpy(buf, a->ptr, a->len);
	buf[a->len] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (*end || errno || isspace((unsigned char)buf[0]))
		return false;
	*out = v;
	return true;
}

static void sc_select(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	long long db;
	if (!parse_ll(&argv[1], &db))
		reply_error(r, ERR_NOT_INTEGER);
	else if (db < 0 || db >= srv.cfg.databases)
		reply_error(r, ERR_DB_INDEX_RANGE);
	else {
		/* Commands already sent carry their own db: safe to switch. */
		c->db = (int)db;
		reply_ok(r);
	}
	dispatch_finish_now(c, req);
	(void)argc;
}

/* ---- subcommands ----------------------------------------------------- */

typedef struct subcmd {
	const char *name;
	int arity; /* of the whole call, Redis convention */
} subcmd_t;

/* Check argv[1] against @subs as Redis 7.0 does.  NULL (error written to
 * @r) or the subcommand's entry. */
static const subcmd_t *subcommand(reply_t *r, const char *container,
				  const char *upper, const subcmd_t *subs,
				  int argc, const cmd_arg_t *argv)
{
	for (const subcmd_t *sc = subs; sc->name; sc++) {
		if (!arg_is(&argv[1], sc->name))
			continue;
		bool ok = sc->arity > 0 ? argc == sc->arity : argc >= -sc->arity;
		if (ok)
			return sc;
		reply_errorf(r, "ERR wrong number of arguments for '%s|%s' command",
			     container, sc->name);
		return NULL;
	}
	reply_errorf(r, "ERR unknown subcommand '%.*s'. Try %s HELP.",
		     (int)(argv[1].len > 128 ? 128 : argv[1].len), argv[1].ptr,
		     upper);
	return NULL;
}

static void help_reply(reply_t *r, const char *const *lines)
{
	size_t n = 0;
	while (lines[n])
		n++;
	reply_array(r, n);
	for (size_t i = 0; i < n; i++)
		reply_simple(r, lines[i], strlen(lines[i]));
}

/* ---- COMMAND -------------------------------------------------------- */

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

static void sc_command(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	size_t total = cmd_count() + srvcmd_count();
	const subcmd_t *sc = argc == 1 ? NULL
		: subcommand(r, "command", "COMMAND", command_subs, argc, argv);
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
		help_reply(r, command_help);
	}
	dispatch_finish_now(c, req);
}

/* ---- CONFIG ---------------------------------------------------------- */

static const subcmd_t config_subs[] = {
	{ "get", -3 }, { "set", -4 }, { "resetstat", 2 }, { "rewrite", 2 },
	{ "help", 2 }, { NULL, 0 },
};

static const char *const config_help[] = {
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Print this help.",
	NULL,
};

static void sc_config(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	const subcmd_t *sc = subcommand(r, "config", "CONFIG", config_subs,
					argc, argv);
	if (!sc) {
		/* error written */
	} else if (!strcmp(sc->name, "help")) {
		help_reply(r, config_help);
	} else if (!strcmp(sc->name, "rewrite")) {
		reply_error(r, "ERR The server is running without a config file");
	} else if (arg_is(&argv[1], "get") && argc >= 3) {
		size_t mark = reply_array_begin(r);
		size_t n = 0;
		for (size_t i = 0; config_name_at(i); i++) {
			const char *name = config_name_at(i);
			bool match = false;
			for (int a = 2; a < argc && !match; a++)
				match = glob_match(argv[a].ptr, argv[a].len, name,
						   strlen(name), true);
			if (!match)
				continue;
			char val[2048];
			int len = config_get_string(&srv.cfg, name, val, sizeof(val));
			if (len < 0)
				continue;
			reply_bulk_cstr(r, name);
			reply_bulk_cstr(r, val);
			n += 2;
		}
		reply_array_end(r, mark, n);
	} else if (arg_is(&argv[1], "set")) {
		/* Settings are read by every worker: changing them safely needs
		 * RCU (issue 4).  Report Redis's error for anything else. */
		reply_error(r, "ERR CONFIG SET is not supported yet");
	} else {
		reply_ok(r); /* RESETSTAT */
	}
	dispatch_finish_now(c, req);
}

/* ---- CLIENT ------------------------------------------------------------ */

static const subcmd_t client_subs[] = {
	{ "id", 2 }, { "getname", 2 }, { "setname", 3 }, { "setinfo", 4 },
	{ "list", -2 }, { "info", 2 }, { "help", 2 }, { NULL, 0 },
};

static const char *const client_help[] = {
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"LIST",
	"    Return information about client connections.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"HELP",
	"    Print this help.",
	NULL,
};

static void sc_client(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	const subcmd_t *sc = subcommand(r, "client", "CLIENT", client_subs,
					argc, argv);
	if (!sc) {
		/* error written */
	} else if (!strcmp(sc->name, "help")) {
		help_reply(r, client_help);
	} else if (arg_is(&argv[1], "id") && argc == 2) {
		reply_int(r, (long long)c->id);
	} else if (arg_is(&argv[1], "getname") && argc == 2) {
		if (c->name[0])
			reply_bulk_cstr(r, c->name);
		else
			reply_null(r);
	} else if (arg_is(&argv[1], "setname") && argc == 3) {
		bool ok = argv[2].len < sizeof(c->name);
		for (size_t i = 0; ok && i < argv[2].len; i++)
			ok = argv[2].ptr[i] > ' ' && argv[2].ptr[i] <= '~';
		if (!ok) {
			reply_error(r, "ERR Client names cannot contain spaces, "
				    "newlines or special characters.");
		} else {
			memcpy(c->name, argv[2].ptr, argv[2].len);
			c->name[argv[2].len] = '\0';
			reply_ok(r);
		}
	} else if (arg_is(&argv[1], "setinfo") && argc == 4) {
		reply_ok(r);
	} else if (arg_is(&argv[1], "info") || arg_is(&argv[1], "list")) {
		reply_t text;
		reply_init(&text, 2);
		if (arg_is(&argv[1], "info"))
			conn_list_fill(c->worker, &text, c);
		else
			conn_list_fill(c->worker, &text, NULL);
		reply_verbatim(r, text.buf ? text.buf : "", text.len, "txt");
		reply_free(&text);
	}
	dispatch_finish_now(c, req);
}

/* requirepass check; Redis compares in constant time, and so do we. */
static bool password_ok(const cmd_arg_t *pass)
{
	const char *want = srv.cfg.requirepass;
	size_t wl = strlen(want);
	unsigned diff = (unsigned)(wl != pass->len);
	for (size_t i = 0; i < pass->len; i++)
		diff |= (unsigned char)pass->ptr[i] ^
			(unsigned char)(i < wl ? want[i] : 0);
	return diff == 0;
}

static const char *const ERR_WRONGPASS =
	"WRONGPASS invalid username-password pair or user is disabled.";

/* AUTH password | AUTH username password: true when accepted; else the
 * error is in @r. */
static bool authenticate(conn_t *c, const cmd_arg_t *user,
			 const cmd_arg_t *pass, reply_t *r)
{
	if (user && !arg_is(user, "default")) {
		reply_error(r, ERR_WRONGPASS);
		return false;
	}
	if (srv.cfg.requirepass[0] == '\0') {
		if (user) /* the default user has nopass: anything goes */
			return c->authed = true;
		reply_error(r, "ERR AUTH <password> called without any password "
			    "configured for the default user. Are you sure your "
			    "configuration is correct?");
		return false;
	}
	if (!password_ok(pass)) {
		reply_error(r, ERR_WRONGPASS);
		return false;
	}
	c->authed = true;
	c->limits.auth_required = false;
	return true;
}

static void sc_auth(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (argc > 3)
		reply_error(r, ERR_SYNTAX);
	else if (authenticate(c, argc == 3 ? &argv[1] : NULL,
			      &argv[argc - 1], r))
		reply_ok(r);
	dispatch_finish_now(c, req);
}

static void set_proto(conn_t *c, int proto)
{
	c->proto = proto;
	c->out.proto = proto;
}

static void sc_hello(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	long long ver = c->proto;
	const cmd_arg_t *user = NULL, *pass = NULL, *name = NULL;
	if (argc >= 2) {
		if (!parse_ll(&argv[1], &ver)) {
			reply_error(r, "ERR Protocol version is not an integer or "
				    "out of range");
			goto out;
		}
		for (int i = 2; i < argc; i++) {
			int more = argc - i - 1;
			if (arg_is(&argv[i], "auth") && more >= 2) {
				user = &argv[i + 1];
				pass = &argv[i + 2];
				i += 2;
			} else if (arg_is(&argv[i], "setname") && more >= 1) {
				name = &argv[i + 1];
				i += 1;
			} else {
				reply_errorf(r, "ERR Syntax error in HELLO option "
					     "'%.*s'", (int)argv[i].len,
					     argv[i].ptr);
				goto out;
			}
		}
	}
	if (ver < 2 || ver > 3) {
		reply_error(r, ERR_NOPROTO);
		goto out;
	}
	if (user && !authenticate(c, user, pass, r))
		goto out;
	if (!c->authed) {
		reply_error(r, "NOAUTH HELLO must be called with the client "
			    "already authenticated, otherwise the HELLO AUTH "
			    "<user> <pass> option can be used to authenticate "
			    "the client and select the RESP protocol version at "
			    "the same time");
		goto out;
	}
	if (name) {
		bool ok = name->len < sizeof(c->name);
		for (size_t i = 0; ok && i < name->len; i++)
			ok = name->ptr[i] > ' ' && name->ptr[i] <= '~';
		if (!ok) {
			reply_error(r, "ERR Client names cannot contain spaces, "
				    "newlines or special characters.");
			goto out;
		}
		memcpy(c->name, name->ptr, name->len);
		c->name[name->len] = '\0';
	}
	set_proto(c, (int)ver);
	r->proto = (int)ver;
	reply_map(r, 7);
	reply_bulk_cstr(r, "server");
	reply_bulk_cstr(r, "redis");
	reply_bulk_cstr(r, "version");
	reply_bulk_cstr(r, "7.0.15");
	reply_bulk_cstr(r, "proto");
	reply_int(r, ver);
	reply_bulk_cstr(r, "id");
	reply_int(r, (long long)c->id);
	reply_bulk_cstr(r, "mode");
	reply_bulk_cstr(r, "standalone");
	reply_bulk_cstr(r, "role");
	reply_bulk_cstr(r, "master");
	reply_bulk_cstr(r, "modules");
	reply_array(r, 0);
out:
	dispatch_finish_now(c, req);
}

static void sc_info(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req = dispatch_new_req(c, MERGE_INFO, (uint16_t)srv.nshards);
	req->parts = calloc((size_t)srv.nshards, sizeof(reply_t));
	if (argc >= 2) {
		char *sec = malloc(argv[1].len + 1);
		if (sec) {
			for (size_t i = 0; i < argv[1].len; i++)
				sec[i] = (char)tolower((unsigned char)argv[1].ptr[i]);
			sec[argv[1].len] = '\0';
		}
		req->extra = sec;
	}
	cmd_arg_t one = { "__shardinfo", 11 };
	for (int s = 0; s < srv.nshards; s++)
		dispatch_to_shard(c, req, s, (uint16_t)s, &info_shard_cmd, 1, &one);
}

#define ROW(n, fn, ar, fl, ac)                                                 \
	{ .name = n, .proc = NULL, .arity = ar, .flags = fl, .acl = ac,          \
	  .first_key = 0, .last_key = 0, .key_step = 0, .tips = "" }

static const cmd_t table[] = {
	ROW("ping", sc_ping, -1, CMD_FAST, ACL_FAST | ACL_CONNECTION),
	ROW("echo", sc_echo, 2, CMD_FAST, ACL_FAST | ACL_CONNECTION),
	ROW("quit", sc_quit, -1, CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING |
		CMD_STALE | CMD_FAST | CMD_NO_AUTH, ACL_FAST | ACL_CONNECTION),
	ROW("time", sc_time, 1, CMD_LOADING | CMD_STALE | CMD_FAST, ACL_FAST),
	ROW("select", sc_select, 2, CMD_LOADING | CMD_STALE | CMD_FAST,
		ACL_FAST | ACL_CONNECTION),
	ROW("command", sc_command, -1, CMD_LOADING | CMD_STALE,
		ACL_SLOW | ACL_CONNECTION),
	ROW("config", sc_config, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING |
		CMD_STALE, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS),
	ROW("client", sc_client, -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
		ACL_SLOW | ACL_CONNECTION),
	ROW("hello", sc_hello, -1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE |
		CMD_FAST | CMD_NO_AUTH, ACL_FAST | ACL_CONNECTION),
	ROW("info", sc_info, -1, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_DANGEROUS),
	ROW("auth", sc_auth, -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE |
		CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY, ACL_FAST | ACL_CONNECTION),
};

static const srvcmd_proc_t procs[] = {
	sc_ping, sc_echo, sc_quit, sc_time, sc_select, sc_command, sc_config,
	sc_client, sc_hello, sc_info, sc_auth,
};

const cmd_t *srvcmd_lookup(const char *name, size_t len, srvcmd_proc_t *proc)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strlen(table[i].name) == len &&
		    strncasecmp(table[i].name, name, len) == 0) {
			*proc = procs[i];
			return &table[i];
		}
	return NULL;
}

size_t srvcmd_count(void)
{
	return sizeof(table) / sizeof(table[0]);
}

const cmd_t *srvcmd_at(size_t i)
{
	return i < srvcmd_count() ? &table[i] : NULL;
}
