/*
 * srvcmd.c - commands the connection answers itself, without a shard:
 * PING, ECHO, QUIT, TIME, SELECT, CONFIG, CLIENT and INFO (which gathers
 * shard statistics through a fan-out, see info.c), and their table.
 * COMMAND is in srvcmd_command.c, HELLO and AUTH in srvcmd_auth.c.
 *
 * Replies and errors are Redis 7.0's.  The table uses store/'s cmd_t so
 * that COMMAND reports both tables the same way; CONFIG, CLIENT and
 * COMMAND are containers whose subcommand rows are both what COMMAND INFO
 * reports and what srvcmd_subcommand dispatches on.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "srvcmd.h"
#include "cfglive.h"
#include "info.h"
#include "net/conn/agent.h"
#include "net/conn/dispatch.h"
#include "net/conn/multi.h"
#include "net/conn/subscribe.h"
#include "net/core/log.h"
#include "store/base/errors.h"
#include "store/base/glob.h"
#include "store/base/num.h"

bool srvcmd_arg_is(const cmd_arg_t *a, const char *s)
{
	return a->len == strlen(s) && strncasecmp(a->ptr, s, a->len) == 0;
}

static void sc_ping(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (argc > 2) {
		reply_errorf(r, ERRF_ARITY, "ping");
	} else if (c->ps && c->ps->mode && c->proto == 2) {
		/* Subscribed mode answers as a message: "pong" and the text. */
		reply_array(r, 2);
		reply_bulk(r, "pong", 4);
		reply_bulk(r, argc == 2 ? argv[1].ptr : "", argc == 2 ? argv[1].len : 0);
	} else if (argc == 2)
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
	subscribe_leave(c); /* the +OK goes once the owners know */
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

bool srvcmd_parse_ll(const cmd_arg_t *a, long long *out)
{
	return num_parse_ll(a->ptr, a->len, out); /* Redis's string2ll */
}

static void sc_select(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	long long db;
	if (!srvcmd_parse_ll(&argv[1], &db))
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

/* Resolve argv[1] as a subcommand of the container @container (a row of
 * this file's table) as Redis 7.0 does.  NULL (error written to @r) or the
 * subcommand's row, arity checked. */
const cmd_t *srvcmd_subcommand(reply_t *r, const char *container, int argc,
			       const cmd_arg_t *argv)
{
	conn_cmd_proc_t proc;
	const cmd_t *cmd = srvcmd_lookup(container, strlen(container), &proc);
	return cmd_resolve(cmd, argc, argv, r);
}

void srvcmd_help(reply_t *r, const char *const *lines)
{
	size_t n = 0;
	while (lines[n])
		n++;
	reply_array(r, n);
	for (size_t i = 0; i < n; i++)
		reply_simple(r, lines[i], strlen(lines[i]));
}

/* ---- CONFIG ---------------------------------------------------------- */

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

static bool config_wanted(const char *name, int argc, const cmd_arg_t *argv)
{
	for (int a = 2; a < argc; a++)
		if (glob_match(argv[a].ptr, argv[a].len, name, strlen(name), true))
			return true;
	return false;
}

/* CONFIG GET pattern...: name/value pairs, a map in RESP3. */
static void config_get_reply(reply_t *r, int argc, const cmd_arg_t *argv)
{
	const config_t *cfg = server_cfg(); /* one snapshot for the reply */
	size_t n = 0;
	for (size_t i = 0; config_name_at(i); i++)
		n += config_wanted(config_name_at(i), argc, argv);
	reply_map(r, n);
	for (size_t i = 0; config_name_at(i); i++) {
		const char *name = config_name_at(i);
		char val[2048];
		if (!config_wanted(name, argc, argv))
			continue;
		if (config_get_string(cfg, name, val, sizeof(val)) < 0)
			val[0] = '\0';
		reply_bulk_cstr(r, name);
		reply_bulk_cstr(r, val);
	}
}

static void sc_config(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	const cmd_t *sc = srvcmd_subcommand(r, "config", argc, argv);
	if (!sc) {
		/* error written */
	} else if (!strcmp(sc->name, "config|help")) {
		srvcmd_help(r, config_help);
	} else if (!strcmp(sc->name, "config|rewrite")) {
		reply_error(r, ERR_NO_CONFIG_FILE);
	} else if (srvcmd_arg_is(&argv[1], "get") && argc >= 3) {
		config_get_reply(r, argc, argv);
	} else if (srvcmd_arg_is(&argv[1], "set")) {
		cfglive_config_set(r, argc, argv);
		/* The commands pipelined behind it are parsed with the new
		 * limits (the agents update the other connections). */
		const config_t *cfg = server_cfg();
		c->limits.max_bulk_len = cfg->proto_max_bulk_len;
		c->limits.auth_required = !c->authed && cfg->requirepass[0];
	} else {
		reply_ok(r); /* RESETSTAT */
	}
	dispatch_finish_now(c, req);
}

/* ---- CLIENT ------------------------------------------------------------ */

/* ON / OFF argument; writes Redis's syntax error otherwise. */
static bool on_off(reply_t *r, const cmd_arg_t *a, bool *on)
{
	if (srvcmd_arg_is(a, "on"))
		*on = true;
	else if (srvcmd_arg_is(a, "off"))
		*on = false;
	else {
		reply_error(r, ERR_SYNTAX);
		return false;
	}
	return true;
}

static bool copy_addr(char *dst, size_t cap, const cmd_arg_t *a)
{
	if (a->len >= cap)
		return false;
	memcpy(dst, a->ptr, a->len);
	dst[a->len] = '\0';
	return true;
}

/* CLIENT KILL addr | CLIENT KILL <filter value> ...: parse as Redis 7.0;
 * false with the error in @r, or the filter and the reply's kind. */
static bool client_kill_parse(reply_t *r, int argc, const cmd_arg_t *argv,
			      kill_msg_t *k, uint8_t *merge)
{
	memset(k, 0, sizeof(*k));
	if (argc == 3) { /* the old form: one address, no skipme */
		*merge = MERGE_KILL_OLD;
		if (!copy_addr(k->addr, sizeof(k->addr), &argv[2]))
			k->none = true;
		return true;
	}
	*merge = MERGE_SUM;
	k->skipme = true;
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc) {
			reply_error(r, ERR_SYNTAX);
			return false;
		}
		const cmd_arg_t *v = &argv[i + 1];
		long long id;
		if (srvcmd_arg_is(&argv[i], "id")) {
			if (!srvcmd_parse_ll(v, &id) || id <= 0) {
				reply_error(r, ERR_CLIENT_ID);
				return false;
			}
			k->id = (uint64_t)id;
		} else if (srvcmd_arg_is(&argv[i], "addr")) {
			if (!copy_addr(k->addr, sizeof(k->addr), v))
				k->none = true;
		} else if (srvcmd_arg_is(&argv[i], "laddr")) {
			if (!copy_addr(k->laddr, sizeof(k->laddr), v))
				k->none = true;
		} else if (srvcmd_arg_is(&argv[i], "user")) {
			if (!srvcmd_arg_is(v, "default")) { /* the only user */
				reply_errorf(r, ERRF_NO_SUCH_USER,
					     (int)v->len, v->ptr);
				return false;
			}
		} else if (srvcmd_arg_is(&argv[i], "type")) {
			if (srvcmd_arg_is(v, "master") || srvcmd_arg_is(v, "slave") ||
			    srvcmd_arg_is(v, "replica") || srvcmd_arg_is(v, "pubsub"))
				k->none = true;
			else if (!srvcmd_arg_is(v, "normal")) {
				reply_errorf(r, ERRF_CLIENT_TYPE,
					     (int)v->len, v->ptr);
				return false;
			}
		} else if (srvcmd_arg_is(&argv[i], "skipme")) {
			if (srvcmd_arg_is(v, "yes"))
				k->skipme = true;
			else if (srvcmd_arg_is(v, "no"))
				k->skipme = false;
			else {
				reply_error(r, ERR_SYNTAX);
				return false;
			}
		} else {
			reply_error(r, ERR_SYNTAX);
			return false;
		}
	}
	return true;
}

/* CLIENT UNBLOCK client-id [TIMEOUT|ERROR]; false after replying an
 * error. */
static bool client_unblock_parse(reply_t *r, int argc, const cmd_arg_t *argv,
				 kill_msg_t *k)
{
	long long id;
	memset(k, 0, sizeof(*k));
	if (argc > 4) {
		reply_errorf(r, ERRF_SUBCOMMAND_SYNTAX, "unblock", "CLIENT");
		return false;
	}
	k->unblock = UNBLOCK_TIMEOUT; /* the reason first, as Redis */
	if (argc == 4) {
		if (srvcmd_arg_is(&argv[3], "error"))
			k->unblock = UNBLOCK_ERROR;
		else if (!srvcmd_arg_is(&argv[3], "timeout")) {
			reply_error(r, ERR_UNBLOCK_REASON);
			return false;
		}
	}
	if (!srvcmd_parse_ll(&argv[2], &id)) {
		reply_error(r, ERR_NOT_INTEGER);
		return false;
	}
	k->id = (uint64_t)id;
	if (id <= 0) {
		reply_int(r, 0);
		return false;
	}
	return true;
}

static void client_reply(conn_t *c, reply_t *r, const cmd_arg_t *mode)
{
	if (srvcmd_arg_is(mode, "on")) {
		c->reply_off = false;
		c->reply_skip = 0;
		c->reply_force = true; /* answered even after OFF */
		reply_ok(r);
	} else if (srvcmd_arg_is(mode, "off")) {
		c->reply_off = true; /* no reply, this one included */
	} else if (srvcmd_arg_is(mode, "skip")) {
		if (!c->reply_off)
			c->reply_skip = 1; /* no reply now, nor for the next */
	} else {
		reply_error(r, ERR_SYNTAX);
	}
}

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
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    End the wait of a client blocked in BLPOP and the like.",
	"HELP",
	"    Print this help.",
	NULL,
};

static void sc_client(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	const cmd_t *sc = srvcmd_subcommand(r, "client", argc, argv);
	if (!sc) {
		/* error written */
	} else if (!strcmp(sc->name, "client|help")) {
		srvcmd_help(r, client_help);
	} else if (srvcmd_arg_is(&argv[1], "id") && argc == 2) {
		reply_int(r, (long long)c->id);
	} else if (srvcmd_arg_is(&argv[1], "getname") && argc == 2) {
		if (c->name[0])
			reply_bulk_cstr(r, c->name);
		else
			reply_null(r);
	} else if (srvcmd_arg_is(&argv[1], "setname") && argc == 3) {
		bool ok = argv[2].len < sizeof(c->name);
		for (size_t i = 0; ok && i < argv[2].len; i++)
			ok = argv[2].ptr[i] > ' ' && argv[2].ptr[i] <= '~';
		if (!ok) {
			reply_error(r, ERR_CLIENT_NAME);
		} else {
			memcpy(c->name, argv[2].ptr, argv[2].len);
			c->name[argv[2].len] = '\0';
			reply_ok(r);
		}
	} else if (srvcmd_arg_is(&argv[1], "setinfo") && argc == 4) {
		reply_ok(r);
	} else if (!strcmp(sc->name, "client|kill")) {
		kill_msg_t k;
		uint8_t merge;
		if (client_kill_parse(r, argc, argv, &k, &merge)) {
			dispatch_finish_now(c, req); /* nothing written */
			conn_kill_all(c, &k, merge);
			return;
		}
	} else if (!strcmp(sc->name, "client|unblock")) {
		kill_msg_t k;
		if (client_unblock_parse(r, argc, argv, &k)) {
			dispatch_finish_now(c, req); /* nothing written */
			conn_kill_all(c, &k, MERGE_SUM);
			return;
		}
	} else if (!strcmp(sc->name, "client|reply")) {
		client_reply(c, r, &argv[2]);
	} else if (!strcmp(sc->name, "client|no-evict") ||
		   !strcmp(sc->name, "client|no-touch")) {
		/* No eviction here, and idle times are per key: accepted. */
		bool on;
		if (on_off(r, &argv[2], &on))
			reply_ok(r);
	} else if (srvcmd_arg_is(&argv[1], "info")) {
		reply_t text;
		reply_init(&text, 2);
		conn_list_fill(c->worker, &text, c);
		reply_verbatim(r, text.buf ? text.buf : "", text.len, "txt");
		reply_free(&text);
	} else {
		/* LIST: every worker lists its own connections. */
		dispatch_finish_now(c, req);
		conn_list_all(c);
		return;
	}
	dispatch_finish_now(c, req);
}

/* requirepass check; Redis compares in constant time, and so do we. */
/* RESET: the connection as new (db 0, RESP2, no name, replies on,
 * authenticated only if no password is required). */
static void sc_reset(conn_t *c, int argc, const cmd_arg_t *argv)
{
	if (!multi_reset(c)) {
		c->must_wait = true; /* holds for UNWATCH on their way */
		return;
	}
	subscribe_leave(c); /* silently, as Redis */
	c->db = 0;
	c->proto = 2;
	c->out.proto = 2;
	c->name[0] = '\0';
	c->reply_off = false;
	c->reply_skip = 0;
	c->reply_force = true;
	c->authed = server_cfg()->requirepass[0] == '\0';
	c->limits.auth_required = !c->authed;
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	r->proto = 2;
	reply_simple(r, "RESET", 5);
	dispatch_finish_now(c, req);
	(void)argc, (void)argv;
}

static void sc_info(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req = dispatch_new_req(c, MERGE_FOLD, (uint16_t)srv.nshards);
	req->fold = info_build;
	req->parts = calloc((size_t)srv.nshards, sizeof(reply_t));
	if (!req->parts) {
		log_warning("out of memory gathering INFO");
		abort();
	}
	if (argc >= 2) {
		/* The section names, lowercased, as " a b c " for info.c. */
		size_t len = 2;
		for (int i = 1; i < argc; i++)
			len += argv[i].len + 1;
		char *sec = malloc(len);
		if (sec) {
			char *p = sec;
			*p++ = ' ';
			for (int i = 1; i < argc; i++) {
				for (size_t k = 0; k < argv[i].len; k++)
					*p++ = (char)tolower((unsigned char)argv[i].ptr[k]);
				*p++ = ' ';
			}
			*p = '\0';
		}
		req->extra = sec;
	}
	cmd_arg_t one = { "__shardinfo", 11 };
	for (int s = 0; s < srv.nshards; s++)
		dispatch_to_shard(c, req, s, (uint16_t)s, &info_shard_cmd, 1, &one);
}

/* The table: Redis 7.0.15's COMMAND INFO values (no keys here). */
#define ROW(n, ar, fl, ac, tp)                                                 \
	{ .name = n, .proc = NULL, .arity = ar, .flags = fl, .acl = ac,          \
	  .tips = tp }
/* A container: its subcommand rows, named "container|sub". */
#define CONTAINER(n, ar, fl, ac, tp, s)                                        \
	{ .name = n, .proc = NULL, .arity = ar, .flags = fl, .acl = ac,          \
	  .tips = tp, .subs = s, .nsubs = (uint16_t)(sizeof(s) / sizeof(s[0])) }

/* Common flag and category sets of the rows below. */
#define LS (CMD_LOADING | CMD_STALE)
#define NLS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define ADM (CMD_ADMIN | NLS)
#define CONN (ACL_SLOW | ACL_CONNECTION)
#define ADM_CONN (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION)

static const cmd_t config_subs[] = {
	ROW("config|get", -3, ADM, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, ""),
	ROW("config|set", -4, ADM, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS,
		"request_policy:all_nodes response_policy:all_succeeded"),
	ROW("config|resetstat", 2, ADM, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, ""),
	ROW("config|rewrite", 2, ADM, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, ""),
	ROW("config|help", 2, LS, ACL_SLOW, ""),
};

/* SETINFO and NO-TOUCH came after 7.0: accepted, not reported. */
static const cmd_t client_subs[] = {
	ROW("client|id", 2, NLS, CONN, ""),
	ROW("client|getname", 2, NLS, CONN, ""),
	ROW("client|setname", 3, NLS, CONN, ""),
	ROW("client|setinfo", 4, NLS | CMD_UNLISTED, CONN, ""),
	ROW("client|list", -2, ADM, ADM_CONN, "nondeterministic_output"),
	ROW("client|info", 2, NLS, CONN, "nondeterministic_output"),
	ROW("client|reply", 3, NLS, CONN, ""),
	ROW("client|no-evict", 3, ADM, ADM_CONN, ""),
	ROW("client|kill", -3, ADM, ADM_CONN, ""),
	ROW("client|unblock", -3, ADM, ADM_CONN, ""),
	ROW("client|no-touch", 3, NLS | CMD_UNLISTED, CONN, ""),
	ROW("client|help", 2, LS, CONN, ""),
};

static const cmd_t command_subs[] = {
	ROW("command|count", 2, LS, CONN, ""),
	ROW("command|info", -2, LS, CONN, "nondeterministic_output_order"),
	ROW("command|docs", -2, LS, CONN, "nondeterministic_output_order"),
	ROW("command|list", -2, LS, CONN, "nondeterministic_output_order"),
	ROW("command|getkeys", -4, LS, CONN, ""),
	ROW("command|getkeysandflags", -4, LS, CONN, ""),
	ROW("command|help", 2, LS, CONN, ""),
};

#define PS (CMD_PUBSUB | LS)
static const cmd_t pubsub_subs[] = {
	ROW("pubsub|help", 2, LS, ACL_SLOW, ""),
	ROW("pubsub|numpat", 2, PS, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("pubsub|shardchannels", -2, PS, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("pubsub|channels", -2, PS, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("pubsub|numsub", -2, PS, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("pubsub|shardnumsub", -2, PS, ACL_PUBSUB | ACL_SLOW, ""),
};

/* SPUBLISH's channel and SSUBSCRIBE's channels are keys for routing in a
 * cluster (not_key: no data behind them). */
static const cmd_keyspec_t spublish_keys[] = {
	{ .flags = KS_NOT_KEY, .begin = KS_BEGIN_INDEX, .pos = 1,
	  .find = KS_FIND_RANGE, .a = 0, .b = 1, .c = 0 },
};
static const cmd_keyspec_t ssubscribe_keys[] = {
	{ .flags = KS_NOT_KEY, .begin = KS_BEGIN_INDEX, .pos = 1,
	  .find = KS_FIND_RANGE, .a = -1, .b = 1, .c = 0 },
};
#define SHARD_ROW(n, ar, fl, ac, last, ks)                                     \
	{ .name = n, .arity = ar, .flags = fl, .acl = ac, .first_key = 1,       \
	  .last_key = last, .key_step = 1, .tips = "", .keyspecs = ks,          \
	  .nkeyspecs = 1 }

/* WATCH key [key ...]: every argument is a key, read only. */
static const cmd_keyspec_t watch_keys[] = {
	{ .flags = KS_RO, .begin = KS_BEGIN_INDEX, .pos = 1,
	  .find = KS_FIND_RANGE, .a = -1, .b = 1, .c = 0 },
};
#define TXN (NLS | CMD_FAST | CMD_ALLOW_BUSY)

static const cmd_t table[] = {
	ROW("ping", -1, CMD_FAST, ACL_FAST | ACL_CONNECTION,
		"request_policy:all_shards response_policy:all_succeeded"),
	ROW("echo", 2, LS | CMD_FAST, ACL_FAST | ACL_CONNECTION, ""),
	ROW("quit", -1, CMD_ALLOW_BUSY | NLS | CMD_FAST | CMD_NO_AUTH,
		ACL_FAST | ACL_CONNECTION, ""),
	ROW("time", 1, LS | CMD_FAST, ACL_FAST, "nondeterministic_output"),
	ROW("select", 2, LS | CMD_FAST, ACL_FAST | ACL_CONNECTION, ""),
	CONTAINER("command", -1, LS, CONN, "nondeterministic_output_order",
		command_subs),
	CONTAINER("config", -2, 0, ACL_SLOW, "", config_subs),
	CONTAINER("client", -2, 0, ACL_SLOW, "", client_subs),
	ROW("hello", -1, NLS | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
		ACL_FAST | ACL_CONNECTION, ""),
	ROW("info", -1, LS, ACL_SLOW | ACL_DANGEROUS,
		"nondeterministic_output request_policy:all_shards "
		"response_policy:special"),
	ROW("reset", 1, NLS | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
		ACL_FAST | ACL_CONNECTION, ""),
	ROW("auth", -2, NLS | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
		ACL_FAST | ACL_CONNECTION, ""),
	ROW("multi", 1, TXN, ACL_FAST | ACL_TRANSACTION, ""),
	ROW("exec", 1, NLS | CMD_SKIP_SLOWLOG, ACL_SLOW | ACL_TRANSACTION, ""),
	ROW("discard", 1, TXN, ACL_FAST | ACL_TRANSACTION, ""),
	{ .name = "watch", .arity = -2, .flags = TXN,
	  .acl = ACL_FAST | ACL_TRANSACTION, .first_key = 1, .last_key = -1,
	  .key_step = 1, .tips = "", .keyspecs = watch_keys, .nkeyspecs = 1 },
	ROW("unwatch", 1, TXN, ACL_FAST | ACL_TRANSACTION, ""),
	ROW("shutdown", -1, ADM | CMD_NO_MULTI | CMD_ALLOW_BUSY,
		ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, ""),
	ROW("save", 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI,
		ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, ""),
	ROW("bgsave", -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING,
		ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, ""),
	ROW("lastsave", 1, LS | CMD_FAST, ACL_ADMIN | ACL_FAST | ACL_DANGEROUS,
		"nondeterministic_output"),
	ROW("subscribe", -2, PS | CMD_NOSCRIPT, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("unsubscribe", -1, PS | CMD_NOSCRIPT, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("psubscribe", -2, PS | CMD_NOSCRIPT, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("punsubscribe", -1, PS | CMD_NOSCRIPT, ACL_PUBSUB | ACL_SLOW, ""),
	ROW("publish", 3, PS | CMD_FAST, ACL_PUBSUB | ACL_FAST, ""),
	SHARD_ROW("spublish", 3, PS | CMD_FAST, ACL_PUBSUB | ACL_FAST, 1,
		  spublish_keys),
	SHARD_ROW("ssubscribe", -2, PS | CMD_NOSCRIPT, ACL_PUBSUB | ACL_SLOW, -1,
		  ssubscribe_keys),
	SHARD_ROW("sunsubscribe", -1, PS | CMD_NOSCRIPT, ACL_PUBSUB | ACL_SLOW, -1,
		  ssubscribe_keys),
	CONTAINER("pubsub", -2, 0, ACL_SLOW, "", pubsub_subs),
};

static const conn_cmd_proc_t procs[] = {
	sc_ping, sc_echo, sc_quit, sc_time, sc_select, srvcmd_command, sc_config,
	sc_client, srvcmd_hello, sc_info, sc_reset, srvcmd_auth,
	multi_cmd_multi, multi_cmd_exec, multi_cmd_discard, multi_cmd_watch,
	multi_cmd_unwatch, srvcmd_shutdown, srvcmd_save, srvcmd_bgsave,
	srvcmd_lastsave, subscribe_cmd_subscribe, subscribe_cmd_unsubscribe,
	subscribe_cmd_psubscribe, subscribe_cmd_punsubscribe,
	subscribe_cmd_publish, subscribe_cmd_spublish, subscribe_cmd_ssubscribe,
	subscribe_cmd_sunsubscribe, subscribe_cmd_pubsub,
};

const cmd_t *srvcmd_lookup(const char *name, size_t len, conn_cmd_proc_t *proc)
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
