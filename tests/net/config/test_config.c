/*
 * test_config.c - configuration defaults, units, files, command lines and
 * CONFIG GET / SET, with error texts as redis-server 7.0.15 prints them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "net/config/config.h"

static const char *get(const config_t *c, const char *name)
{
	static char buf[512];
	int n = config_get_string(c, name, buf, sizeof(buf));

	cr_assert_geq(n, 0, "get %s", name);
	return buf;
}

/* CONFIG SET that must fail with @want as the reason, leaving @c as is. */
static void set_fails(config_t *c, const char *name, const char *value,
		      int rc, const char *want)
{
	config_t before = *c;
	char err[256] = "";

	cr_assert_eq(config_set(c, name, value, err, sizeof(err)), rc,
		     "%s %s", name, value);
	cr_assert_str_eq(err, want, "%s %s", name, value);
	cr_assert_eq(memcmp(&before, c, sizeof(before)), 0, "%s changed", name);
}

static void set_ok(config_t *c, const char *name, const char *value)
{
	char err[256] = "";

	cr_assert_eq(config_set(c, name, value, err, sizeof(err)), 0,
		     "%s %s: %s", name, value, err);
}

Test(config, defaults)
{
	config_t c;
	static const char *const want[][2] = {
		{ "port", "6379" },
		{ "bind", "127.0.0.1" },
		{ "threads", "0" },
		{ "shards", "0" },
		{ "timeout", "0" },
		{ "maxclients", "10000" },
		{ "tcp-backlog", "511" },
		{ "hz", "10" },
		{ "loglevel", "notice" },
		{ "logfile", "" },
		{ "proto-max-bulk-len", "536870912" },
		{ "client-query-buffer-limit", "1073741824" },
		{ "client-output-buffer-limit",
		  "normal 0 0 0 slave 268435456 67108864 60 "
		  "pubsub 33554432 8388608 60" },
		{ "databases", "16" },
		{ "requirepass", "" },
		{ "protected-mode", "yes" },
		{ "daemonize", "no" },
		{ "appendonly", "no" },
		{ "save", "3600 1 300 100 60 10000" },
		{ "dbfilename", "dump.rdb" },
		{ "rdbcompression", "yes" },
		{ "rdbchecksum", "yes" },
		{ "stop-writes-on-bgsave-error", "yes" },
	};

	config_init(&c);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_str_eq(get(&c, want[i][0]), want[i][1], "%s",
				 want[i][0]);
	cr_assert_eq(c.port, 6379);
	cr_assert_eq(c.bind_count, 1);
	cr_assert_eq(c.loglevel, CONFIG_LOG_NOTICE);
	cr_assert_eq(c.obuf_limit[CONFIG_CLIENT_NORMAL].hard, 0);
	cr_assert(c.protected_mode);
}

Test(config, names_iterate_and_get)
{
	config_t c;
	char small[4];
	size_t i;

	config_init(&c);
	for (i = 0; config_name_at(i); i++)
		cr_assert_geq(config_get_string(&c, config_name_at(i), small,
						sizeof(small)), 0);
	cr_assert_eq(i, 43); /* 41 of Redis's (ziplist aliases included), pin-threads, spin-us */
	cr_assert_eq(config_get_string(&c, "nosuch", small, sizeof(small)),
		     -ENOENT);
	/* truncated like snprintf, full length returned */
	cr_assert_eq(config_get_string(&c, "proto-max-bulk-len", small,
				       sizeof(small)), 9);
	cr_assert_str_eq(small, "536");
	cr_assert_str_eq(get(&c, "PORT"), "6379");
	cr_assert_str_eq(get(&c, "pin-threads"), "no");
	cr_assert_str_eq(get(&c, "spin-us"), "0");
}

Test(config, memory_units)
{
	static const char *const ok[][2] = {
		{ "2mb", "2097152" },     { "2MB", "2097152" },
		{ "2mB", "2097152" },     { "2m", "2000000" },
		{ "2000k", "2000000" },   { "2048kb", "2097152" },
		{ "1gb", "1073741824" },  { "1G", "1000000000" },
		{ "2097152b", "2097152" }, { "1048576", "1048576" },
	};
	config_t c;

	config_init(&c);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		set_ok(&c, "proto-max-bulk-len", ok[i][0]);
		cr_assert_str_eq(get(&c, "proto-max-bulk-len"), ok[i][1], "%s",
				 ok[i][0]);
	}
	set_fails(&c, "proto-max-bulk-len", "1.5mb", -EINVAL,
		  "argument must be a memory value");
	set_fails(&c, "proto-max-bulk-len", "-5", -EINVAL,
		  "argument must be a memory value");
	set_fails(&c, "proto-max-bulk-len", "1x", -EINVAL,
		  "argument must be a memory value");
	set_fails(&c, "proto-max-bulk-len", "1000", -EINVAL,
		  "argument must be between 1048576 and 9223372036854775807 "
		  "inclusive");
	set_fails(&c, "proto-max-bulk-len", "", -EINVAL,
		  "argument must be between 1048576 and 9223372036854775807 "
		  "inclusive");
	set_fails(&c, "client-query-buffer-limit", "99999999999999999999",
		  -EINVAL,
		  "argument must be between 1048576 and 9223372036854775807 "
		  "inclusive");
	set_ok(&c, "client-query-buffer-limit", "2gb");
	cr_assert_eq(c.client_query_buffer_limit, 2LL << 30);
}

Test(config, integers_booleans_enums)
{
	config_t c;

	config_init(&c);
	set_ok(&c, "timeout", "300");
	cr_assert_eq(c.timeout, 300);
	set_fails(&c, "timeout", "007", -EINVAL,
		  "argument couldn't be parsed into an integer");
	set_fails(&c, "timeout", "+5", -EINVAL,
		  "argument couldn't be parsed into an integer");
	set_fails(&c, "timeout", "1k", -EINVAL,
		  "argument couldn't be parsed into an integer");
	set_fails(&c, "timeout", " 1", -EINVAL,
		  "argument couldn't be parsed into an integer");
	set_fails(&c, "timeout", "-1", -EINVAL,
		  "argument must be between 0 and 2147483647 inclusive");
	set_fails(&c, "maxclients", "0", -EINVAL,
		  "argument must be between 1 and 4294967295 inclusive");
	set_ok(&c, "maxclients", "4294967295");
	cr_assert_eq(c.maxclients, 4294967295u);

	/* hz is clamped to 1..500, as Redis does */
	set_ok(&c, "hz", "1000");
	cr_assert_str_eq(get(&c, "hz"), "500");
	set_ok(&c, "hz", "0");
	cr_assert_eq(c.hz, 1);
	set_fails(&c, "hz", "-1", -EINVAL,
		  "argument must be between 0 and 2147483647 inclusive");

	set_ok(&c, "protected-mode", "NO");
	cr_assert(!c.protected_mode);
	set_ok(&c, "protected-mode", "Yes");
	cr_assert_str_eq(get(&c, "protected-mode"), "yes");
	set_fails(&c, "protected-mode", "maybe", -EINVAL,
		  "argument must be 'yes' or 'no'");

	set_ok(&c, "loglevel", "VERBOSE");
	cr_assert_eq(c.loglevel, CONFIG_LOG_VERBOSE);
	cr_assert_str_eq(get(&c, "loglevel"), "verbose");
	set_fails(&c, "loglevel", "nothing", -EINVAL,
		  "argument(s) must be one of the following: debug, verbose, "
		  "notice, warning");

	set_ok(&c, "requirepass", "s3cret pass");
	cr_assert_str_eq(c.requirepass, "s3cret pass");
}

Test(config, set_refuses_unknown_and_immutable)
{
	config_t c;

	config_init(&c);
	set_fails(&c, "nosuch", "1", -ENOENT, "Unknown option");
	set_fails(&c, "databases", "3", -EPERM, "can't set immutable config");
	set_fails(&c, "threads", "3", -EPERM, "can't set immutable config");
	/* ignored redis.conf directives are not parameters */
	set_fails(&c, "maxmemory", "1mb", -ENOENT, "Unknown option");
	cr_assert_eq(config_set(&c, "nosuch", "1", NULL, 0), -ENOENT);
}

Test(config, output_buffer_limits)
{
	config_t c;
	static const char bad[] = "Error in hard, soft or soft_seconds setting "
				  "in buffer limit configuration.";

	config_init(&c);
	set_ok(&c, "client-output-buffer-limit", "normal 1mb 2k 3");
	cr_assert_str_eq(get(&c, "client-output-buffer-limit"),
			 "normal 1048576 2000 3 slave 268435456 67108864 60 "
			 "pubsub 33554432 8388608 60");
	set_ok(&c, "client-output-buffer-limit",
	       "replica 1 2 3 pubsub 4 5 6 NORMAL 0 0 0");
	cr_assert_str_eq(get(&c, "client-output-buffer-limit"),
			 "normal 0 0 0 slave 1 2 3 pubsub 4 5 6");
	set_fails(&c, "client-output-buffer-limit", "normal 1 2", -EINVAL,
		  "Wrong number of arguments in buffer limit configuration.");
	set_fails(&c, "client-output-buffer-limit", "foo 1 2 3", -EINVAL,
		  "Invalid client class specified in buffer limit "
		  "configuration.");
	set_fails(&c, "client-output-buffer-limit", "master 1 2 3", -EINVAL,
		  "Invalid client class specified in buffer limit "
		  "configuration.");
	set_fails(&c, "client-output-buffer-limit", "normal 1 x 3", -EINVAL,
		  bad);
	set_fails(&c, "client-output-buffer-limit", "normal 1 2 3kb", -EINVAL,
		  bad);
	set_fails(&c, "client-output-buffer-limit", "normal -1 2 3", -EINVAL,
		  bad);
	/* all or nothing: a bad second class keeps the first unchanged */
	set_fails(&c, "client-output-buffer-limit",
		  "normal 7 7 7 pubsub x 1 1", -EINVAL, bad);
}

static int load(config_t *c, const char *text, char *err, size_t errlen)
{
	return config_load_string(c, text, "t", err, errlen);
}

Test(config, bind_and_save)
{
	char err[256] = "";
	config_t c;

	config_init(&c);
	cr_assert_eq(load(&c, "bind 127.0.0.1 -::1\n", err, sizeof(err)), 0);
	cr_assert_eq(c.bind_count, 2);
	cr_assert_str_eq(c.bind[1], "-::1");
	cr_assert_str_eq(get(&c, "bind"), "127.0.0.1 -::1");
	cr_assert_eq(load(&c, "bind \"10.0.0.1 ::1 -fe80::1\"\n", err,
			  sizeof(err)), 0);
	cr_assert_eq(c.bind_count, 3);
	cr_assert_eq(load(&c, "bind \"\"\n", err, sizeof(err)), 0);
	cr_assert_eq(c.bind_count, 0);
	cr_assert_eq(load(&c, "bind\n", err, sizeof(err)), 0);
	cr_assert_eq(c.bind_count, 0);
	cr_assert_eq(load(&c, "bind a b c d e f g h i j k l m n o p q\n", err,
			  sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "t, line 1: 'bind a b c d e f g h i j k l m n o "
			      "p q': Too many bind addresses specified.");
	/* CONFIG SET bind: the acceptor rebinds (the server's part) */
	set_ok(&c, "bind", "::1 -127.0.0.1");
	cr_assert_str_eq(get(&c, "bind"), "::1 -127.0.0.1");

	set_ok(&c, "save", "10 1 20 2");
	cr_assert_str_eq(get(&c, "save"), "10 1 20 2");
	set_fails(&c, "save", "900", -EINVAL, "Invalid save parameters");
	set_fails(&c, "save", "abc 1", -EINVAL, "Invalid save parameters");
	set_fails(&c, "save", "900 -1", -EINVAL, "Invalid save parameters");
	set_fails(&c, "save", "0 1", -EINVAL, "Invalid save parameters");
	/* CONFIG SET replaces, it does not add */
	set_ok(&c, "save", "30 3");
	cr_assert_str_eq(get(&c, "save"), "30 3");
	set_ok(&c, "save", "");
	cr_assert_str_eq(get(&c, "save"), "");
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/flashkv-test-config-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char conf_text[] =
	"# FlashKV test configuration\n"
	"\n"
	"   PORT 7000   \r\n"
	"bind \"127.0.0.1 ::1\"\n"
	"\tthreads 2\n"
	"shards 8\n"
	"timeout 60\n"
	"maxclients 100\n"
	"tcp-backlog 128\n"
	"hz 100\n"
	"loglevel warning\n"
	"logfile '/tmp/flash kv.log'\n"
	"proto-max-bulk-len 1GB\n"
	"client-query-buffer-limit 2gb\n"
	"client-output-buffer-limit normal 1mb 512kb 10\n"
	"client-output-buffer-limit pubsub 32mb 8mb 60\n"
	"databases 4\n"
	"requirepass \"p\\x41ss word\"\n"
	"protected-mode no\n"
	"daemonize no\n"
	"appendonly yes\n"
	"save 900 1\n"
	"save 300 10\n"
	"dir /var/lib/redis\n"
	"maxmemory 100mb\n"
	"  # indented comment\n";

static void check_loaded(const config_t *c)
{
	cr_assert_eq(c->port, 7000);
	cr_assert_eq(c->bind_count, 2);
	cr_assert_str_eq(c->bind[0], "127.0.0.1");
	cr_assert_str_eq(c->bind[1], "::1");
	cr_assert_eq(c->threads, 2);
	cr_assert_eq(c->shards, 8);
	cr_assert_eq(c->timeout, 60);
	cr_assert_eq(c->maxclients, 100);
	cr_assert_eq(c->tcp_backlog, 128);
	cr_assert_eq(c->hz, 100);
	cr_assert_eq(c->loglevel, CONFIG_LOG_WARNING);
	cr_assert_str_eq(c->logfile, "/tmp/flash kv.log");
	cr_assert_eq(c->proto_max_bulk_len, 1LL << 30);
	cr_assert_eq(c->client_query_buffer_limit, 2LL << 30);
	cr_assert_eq(c->obuf_limit[CONFIG_CLIENT_NORMAL].hard, 1 << 20);
	cr_assert_eq(c->obuf_limit[CONFIG_CLIENT_NORMAL].soft, 512 << 10);
	cr_assert_eq(c->obuf_limit[CONFIG_CLIENT_NORMAL].soft_seconds, 10);
	cr_assert_eq(c->obuf_limit[CONFIG_CLIENT_REPLICA].hard, 256 << 20);
	cr_assert_eq(c->databases, 4);
	cr_assert_str_eq(c->requirepass, "pAss word");
	cr_assert(!c->protected_mode);
	cr_assert(!c->daemonize);
	cr_assert(c->appendonly);
	/* save lines of one load add up, as in Redis */
	cr_assert_str_eq(c->save, "900 1 300 10");
}

Test(config, load_file)
{
	char *path = write_temp(conf_text);
	char err[256] = "";
	config_t c;

	config_init(&c);
	cr_assert_eq(config_load_file(&c, path, err, sizeof(err)), 0, "%s",
		     err);
	check_loaded(&c);
	unlink(path);
	free(path);

	config_init(&c);
	cr_assert_eq(config_load_string(&c, conf_text, "test", err,
					sizeof(err)), 0, "%s", err);
	check_loaded(&c);
}

typedef struct bad {
	const char *text;
	const char *msg;
} bad_t;

Test(config, file_errors)
{
	static const bad_t bads[] = {
		{ "port 1\n\nfoo bar\n",
		  "t, line 3: 'foo bar': Bad directive or wrong number of "
		  "arguments" },
		{ "port 1 2\n", "t, line 1: 'port 1 2': wrong number of arguments" },
		{ "port\n", "t, line 1: 'port': wrong number of arguments" },
		{ "port abc\n",
		  "t, line 1: 'port abc': argument couldn't be parsed into an "
		  "integer" },
		{ "port 70000\n",
		  "t, line 1: 'port 70000': argument must be between 0 and "
		  "65535 inclusive" },
		{ "# c\nbind \"a\n",
		  "t, line 2: 'bind \"a': Unbalanced quotes in configuration "
		  "line" },
		{ "databases 0\n",
		  "t, line 1: 'databases 0': argument must be between 1 and "
		  "2147483647 inclusive" },
		{ "daemonize maybe\n",
		  "t, line 1: 'daemonize maybe': argument must be 'yes' or "
		  "'no'" },
		{ "save 900\n", "t, line 1: 'save 900': Invalid save parameters" },
	};

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		config_t c;
		char err[256] = "";

		config_init(&c);
		cr_assert_eq(config_load_string(&c, bads[i].text, "t", err,
						sizeof(err)), -EINVAL, "%zu", i);
		cr_assert_str_eq(err, bads[i].msg);
	}
}

Test(config, missing_file)
{
	config_t c;
	char err[256] = "";

	config_init(&c);
	cr_assert_eq(config_load_file(&c, "/nonexistent/flashkv.conf", err,
				      sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "Fatal error, can't open config file "
			      "'/nonexistent/flashkv.conf': No such file or "
			      "directory");
}

static int parse(config_t *c, char *err, size_t errlen, int argc, ...)
{
	char *argv[32];
	va_list ap;

	cr_assert_lt(argc, 32);
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	config_init(c);
	return config_parse_args(c, argc, argv, err, errlen);
}

Test(config, command_line)
{
	char err[256] = "";
	config_t c;

	cr_assert_eq(parse(&c, err, sizeof(err), 1, "flashkv-server"), 0);
	cr_assert_eq(c.port, 6379);

	cr_assert_eq(parse(&c, err, sizeof(err), 7, "s", "--port", "7001",
			   "--bind", "127.0.0.1 ::1", "--loglevel", "debug"),
		     0, "%s", err);
	cr_assert_eq(c.port, 7001);
	cr_assert_eq(c.bind_count, 2);
	cr_assert_eq(c.loglevel, CONFIG_LOG_DEBUG);

	/* several values after one option; option and value in one arg */
	cr_assert_eq(parse(&c, err, sizeof(err), 6, "s", "--bind", "10.0.0.1",
			   "::1", "--port 6380", "--save"), 0, "%s", err);
	cr_assert_eq(c.bind_count, 2);
	cr_assert_str_eq(c.bind[1], "::1");
	cr_assert_eq(c.port, 6380);
	cr_assert_str_eq(c.save, "");

	/* an option without a value yet takes the next argument, even one
	 * starting with "--"; a bare --save means save "" */
	cr_assert_eq(parse(&c, err, sizeof(err), 6, "s", "--requirepass",
			   "--weird", "--save", "--port", "7"), 0, "%s", err);
	cr_assert_str_eq(c.requirepass, "--weird");
	cr_assert_eq(c.port, 7);

	/* values are re-quoted, so any bytes survive */
	cr_assert_eq(parse(&c, err, sizeof(err), 3, "s", "--requirepass",
			   "a \"b\"\\c\n'\x01"), 0, "%s", err);
	cr_assert_str_eq(c.requirepass, "a \"b\"\\c\n'\x01");

	cr_assert_eq(parse(&c, err, sizeof(err), 3, "s", "--port", "abc"),
		     -EINVAL);
	cr_assert_str_eq(err, "command line, option 1: 'port \"abc\"': "
			      "argument couldn't be parsed into an integer");
	cr_assert_eq(parse(&c, err, sizeof(err), 4, "s", "--port", "1", "2"),
		     -EINVAL);
	cr_assert_eq(parse(&c, err, sizeof(err), 3, "s", "--foo", "bar"),
		     -EINVAL);
	cr_assert_str_eq(err, "command line, option 1: 'foo \"bar\"': "
			      "Bad directive or wrong number of arguments");
	cr_assert_eq(parse(&c, err, sizeof(err), 2, "s", "--loglevel"),
		     -EINVAL);
	cr_assert_str_eq(err, "command line, option 1: 'loglevel': "
			      "wrong number of arguments");
}

Test(config, help_and_version)
{
	char err[64];
	config_t c;

	cr_assert_eq(parse(&c, err, sizeof(err), 2, "s", "-v"),
		     CONFIG_ARGS_VERSION);
	cr_assert_eq(parse(&c, err, sizeof(err), 2, "s", "--version"),
		     CONFIG_ARGS_VERSION);
	cr_assert_eq(parse(&c, err, sizeof(err), 2, "s", "--help"),
		     CONFIG_ARGS_HELP);
	cr_assert_eq(parse(&c, err, sizeof(err), 2, "s", "-h"),
		     CONFIG_ARGS_HELP);
	cr_assert_str_eq(CONFIG_VERSION_STRING, "FlashKV server v=0.1.0");

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	config_usage(f);
	fclose(f);
	cr_assert(strstr(text, "Usage: ./flashkv-server"));
	cr_assert(strstr(text, "--port"));
	free(text);
}

Test(config, file_then_options)
{
	char *path = write_temp("port 7000\nsave 10 1\nsave 20 2\n"
				"loglevel warning\n");
	char err[256] = "";
	config_t c;

	cr_assert_eq(parse(&c, err, sizeof(err), 6, "s", path, "--port", "7100",
			   "--save", "30 3"), 0, "%s", err);
	cr_assert_eq(c.port, 7100);
	cr_assert_eq(c.loglevel, CONFIG_LOG_WARNING);
	/* redis-server 7.0 adds command-line save points to the file's */
	cr_assert_str_eq(c.save, "10 1 20 2 30 3");

	cr_assert_eq(parse(&c, err, sizeof(err), 2, "s", "/nonexistent.conf"),
		     -ENOENT);
	unlink(path);
	free(path);
}

/* The stock redis.conf must load (its directives are known or ignored). */
Test(config, stock_redis_conf)
{
	const char *path = "/etc/redis/redis.conf";
	char err[256] = "";
	config_t c;

	if (access(path, R_OK) != 0)
		cr_skip_test("%s not readable", path);
	config_init(&c);
	cr_assert_eq(config_load_file(&c, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.port, 6379);
}

/* CONFIG SET name value [name value ...]: Redis 7.0.15's answers. */
static int pairs(config_t *c, const char *const *nv, int n, char *err,
		 size_t errlen)
{
	char *names[8], *values[8];
	const char *set[8];

	for (int i = 0; i < n; i++) {
		names[i] = (char *)nv[2 * i];
		values[i] = (char *)nv[2 * i + 1];
	}
	return config_set_pairs(c, n, names, values, NULL, set, err, errlen);
}

static void pairs_fail(config_t *c, const char *const *nv, int n, int rc,
		       const char *want)
{
	config_t before = *c;
	char err[512] = "";

	cr_assert_eq(pairs(c, nv, n, err, sizeof(err)), rc, "%s", err);
	cr_assert_str_eq(err, want);
	cr_assert_eq(memcmp(&before, c, sizeof(before)), 0, "changed");
}

Test(config, set_pairs)
{
	config_t c;
	char err[512] = "";

	config_init(&c);
	const char *ok[] = { "timeout", "5", "MaxClients", "7", "loglevel",
			     "WARNING", "requirepass", "pw" };
	cr_assert_eq(pairs(&c, ok, 4, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.timeout, 5);
	cr_assert_eq(c.maxclients, 7);
	cr_assert_eq(c.loglevel, CONFIG_LOG_WARNING);
	cr_assert_str_eq(c.requirepass, "pw");

	/* all or nothing: a bad second value leaves the first as it was */
	const char *bad2[] = { "timeout", "9", "maxclients", "abc" };
	pairs_fail(&c, bad2, 2, -EINVAL, "ERR CONFIG SET failed (possibly "
		   "related to argument 'maxclients') - argument couldn't be "
		   "parsed into an integer");
	/* names before values: an unknown name wins over a bad value */
	const char *unk[] = { "timeout", "abc", "foo", "1" };
	pairs_fail(&c, unk, 2, -ENOENT, "ERR Unknown option or number of "
		   "arguments for CONFIG SET - 'foo'");
	/* the first bad name wins; it is quoted as spelt */
	const char *imm[] = { "Databases", "4", "foo", "1" };
	pairs_fail(&c, imm, 2, -EPERM, "ERR CONFIG SET failed (possibly "
		   "related to argument 'Databases') - can't set immutable "
		   "config");
	const char *dup[] = { "timeout", "1", "TIMEOUT", "2" };
	pairs_fail(&c, dup, 2, -EPERM, "ERR CONFIG SET failed (possibly "
		   "related to argument 'TIMEOUT') - duplicate parameter");
	/* a failing value names the parameter in lower case */
	const char *low[] = { "HZ", "-1" };
	pairs_fail(&c, low, 1, -EINVAL, "ERR CONFIG SET failed (possibly "
		   "related to argument 'hz') - argument must be between 0 and "
		   "2147483647 inclusive");
	const char *mem[] = { "proto-max-bulk-len", "1kb" };
	pairs_fail(&c, mem, 1, -EINVAL, "ERR CONFIG SET failed (possibly "
		   "related to argument 'proto-max-bulk-len') - argument must "
		   "be between 1048576 and 9223372036854775807 inclusive");
	const char *flash[] = { "spin-us", "5" };
	pairs_fail(&c, flash, 1, -EPERM, "ERR CONFIG SET failed (possibly "
		   "related to argument 'spin-us') - can't set immutable "
		   "config");

	/* a value with a NUL byte inside is refused, not cut short */
	char *n1[] = { "requirepass" }, *v1[] = { "ab\0c" };
	size_t l1[] = { 4 };
	cr_assert_eq(config_set_pairs(&c, 1, n1, v1, l1, NULL, err,
				      sizeof(err)), -EINVAL);
	cr_assert_str_eq(c.requirepass, "pw");
}
