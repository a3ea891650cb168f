/*
 * config.c - defaults and the parameter table behind CONFIG GET / SET and
 * behind each directive that config_load.c reads (see config.h).
 *
 * Every setter validates all of its arguments before writing anything, so
 * a failed CONFIG SET leaves the configuration as it was.
 *
 * Threads: no shared state; callers serialise writers of one config_t.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "net/proto/resp_split.h"
#include "store/base/errors.h"

static const char *const loglevels[] = { "debug", "verbose", "notice",
					 "warning" };
int config__fail(ctx_t *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void *field(config_t *c, const param_t *pm)
{
	return (char *)c + pm->off;
}

static const void *cfield(const config_t *c, const param_t *pm)
{
	return (const char *)c + pm->off;
}

static int set_generic(config_t *c, const param_t *pm, const char *v,
		       ctx_t *x)
{
	unsigned long long m;
	long long n;
	int b;

	switch (pm->type) {
	case T_INT:
	case T_UINT:
		if (config__parse_int(v, &n) < 0)
			return config__fail(x, "argument couldn't be parsed into an integer");
		if (n < pm->min || n > pm->max)
			return config__out_of_range(pm, x);
		if (pm->type == T_INT)
			*(int *)field(c, pm) = (int)n;
		else
			*(unsigned *)field(c, pm) = (unsigned)n;
		return 0;
	case T_LL:
		if (config__parse_int(v, &n) < 0)
			return config__fail(x, "argument couldn't be parsed into an integer");
		if (n < pm->min || n > pm->max)
			return config__out_of_range(pm, x);
		*(long long *)field(c, pm) = n;
		return 0;
	case T_LLMEM:
	case T_MEM:
		if (config__parse_mem(v, &m) < 0)
			return config__fail(x, "argument must be a memory value");
		if (m > (unsigned long long)pm->max || (long long)m < pm->min)
			return config__out_of_range(pm, x);
		*(long long *)field(c, pm) = (long long)m;
		return 0;
	case T_BOOL:
		if ((b = config__parse_bool(v)) < 0)
			return config__fail(x, "argument must be 'yes' or 'no'");
		*(bool *)field(c, pm) = b;
		return 0;
	case T_ENUM:
		for (size_t i = 0; i < sizeof(loglevels) / sizeof(*loglevels); i++)
			if (!strcasecmp(v, loglevels[i])) {
				*(config_loglevel_t *)field(c, pm) =
					(config_loglevel_t)i;
				return 0;
			}
		return config__fail(x, "argument(s) must be one of the following: "
			       "debug, verbose, notice, warning");
	case T_STR:
		if (strlen(v) >= (size_t)pm->max)
			return config__fail(x, "argument is too long");
		strcpy(field(c, pm), v);
		return 0;
	}
	return config__fail(x, "internal error");
}

#define NUM(n, t, f, fld, lo, hi)                                            \
	{ n, t, f, offsetof(config_t, fld), lo, hi, NULL, NULL }
#define STR(n, f, fld)                                                       \
	{ n, T_STR, f, offsetof(config_t, fld), 0,                           \
	  sizeof(((config_t *)0)->fld), NULL, NULL }
#define CUSTOM(n, f, s, g) { n, T_CUSTOM, f, 0, 0, INT_MAX, s, g }

/* Mutable or not as in Redis 7.0; FlashKV's own threads, shards,
 * pin-threads and spin-us fix the runtime's shape at start. */
static const param_t params[] = {
	NUM("port", T_INT, 0, port, 0, 65535),
	CUSTOM("bind", F_MULTI, config__set_bind, config__get_bind),
	NUM("threads", T_INT, F_IMMUTABLE, threads, 0, 1024),
	NUM("shards", T_INT, F_IMMUTABLE, shards, 0, 16384),
	NUM("pin-threads", T_BOOL, F_IMMUTABLE, pin_threads, 0, 1),
	NUM("spin-us", T_INT, F_IMMUTABLE, spin_us, 0, 1000000),
	NUM("timeout", T_INT, 0, timeout, 0, INT_MAX),
	NUM("maxclients", T_UINT, 0, maxclients, 1, UINT_MAX),
	NUM("tcp-backlog", T_INT, F_IMMUTABLE, tcp_backlog, 0, INT_MAX),
	CUSTOM("hz", 0, config__set_hz, config__get_hz),
	NUM("loglevel", T_ENUM, 0, loglevel, 0, 0),
	STR("logfile", F_IMMUTABLE, logfile),
	NUM("proto-max-bulk-len", T_MEM, 0, proto_max_bulk_len, 1024 * 1024,
	    LLONG_MAX),
	NUM("client-query-buffer-limit", T_MEM, 0, client_query_buffer_limit,
	    1024 * 1024, LLONG_MAX),
	CUSTOM("client-output-buffer-limit", F_MULTI, config__set_obuf, config__get_obuf),
	NUM("databases", T_INT, F_IMMUTABLE, databases, 1, INT_MAX),
	STR("requirepass", 0, requirepass),
	/* The collections' encodings; the ziplist names are Redis's aliases. */
	NUM("hash-max-listpack-entries", T_LL, 0, store.hash_max_listpack_entries, 0, LLONG_MAX),
	NUM("hash-max-ziplist-entries", T_LL, 0, store.hash_max_listpack_entries, 0, LLONG_MAX),
	NUM("hash-max-listpack-value", T_LLMEM, 0, store.hash_max_listpack_value, 0, LLONG_MAX),
	NUM("hash-max-ziplist-value", T_LLMEM, 0, store.hash_max_listpack_value, 0, LLONG_MAX),
	NUM("set-max-intset-entries", T_LL, 0, store.set_max_intset_entries, 0, LLONG_MAX),
	NUM("list-max-listpack-size", T_LL, 0, store.list_max_listpack_size, INT_MIN, INT_MAX),
	NUM("list-max-ziplist-size", T_LL, 0, store.list_max_listpack_size, INT_MIN, INT_MAX),
	NUM("list-compress-depth", T_LL, 0, store.list_compress_depth, 0, INT_MAX),
	NUM("zset-max-listpack-entries", T_LL, 0, store.zset_max_listpack_entries, 0, LLONG_MAX),
	NUM("zset-max-ziplist-entries", T_LL, 0, store.zset_max_listpack_entries, 0, LLONG_MAX),
	NUM("zset-max-listpack-value", T_LLMEM, 0, store.zset_max_listpack_value, 0, LLONG_MAX),
	NUM("zset-max-ziplist-value", T_LLMEM, 0, store.zset_max_listpack_value, 0, LLONG_MAX),
	NUM("lazyfree-lazy-eviction", T_BOOL, 0, lazyfree_eviction, 0, 1),
	NUM("lazyfree-lazy-expire", T_BOOL, 0, lazyfree_expire, 0, 1),
	NUM("lazyfree-lazy-server-del", T_BOOL, 0, lazyfree_server_del, 0, 1),
	NUM("lazyfree-lazy-user-del", T_BOOL, 0, lazyfree_user_del, 0, 1),
	NUM("lazyfree-lazy-user-flush", T_BOOL, 0, lazyfree_user_flush, 0, 1),
	NUM("protected-mode", T_BOOL, 0, protected_mode, 0, 1),
	NUM("daemonize", T_BOOL, F_IMMUTABLE, daemonize, 0, 1),
	NUM("appendonly", T_BOOL, 0, appendonly, 0, 1),
	CUSTOM("save", F_MULTI, config__set_save, config__get_save),
	/* Persistence (net/persist).  dir is applied at start (main chdirs)
	 * and CONFIG GET shows the working directory, as Redis. */
	CUSTOM("dir", F_PROTECTED, config__set_dir, config__get_dir),
	CUSTOM("dbfilename", F_PROTECTED, config__set_dbfilename, config__get_dbfilename),
	NUM("rdbcompression", T_BOOL, 0, store.rdbcompression, 0, 1),
	NUM("rdbchecksum", T_BOOL, F_IMMUTABLE, rdbchecksum, 0, 1),
	NUM("stop-writes-on-bgsave-error", T_BOOL, 0, stop_writes_on_bgsave_error, 0, 1),
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

/* redis.conf directives accepted and ignored, so such files load.  The
 * list is the uncommented lines of Redis 7.0's stock redis.conf plus the
 * common tuning knobs; anything else is still an error. */
static const char *const ignored[] = {
	"acllog-max-len", "activedefrag", "activerehashing", "active-expire-effort",
	"always-show-logo", "aof-load-truncated", "aof-rewrite-incremental-fsync",
	"aof-timestamp-enabled", "aof-use-rdb-preamble", "appenddirname",
	"appendfilename", "appendfsync", "auto-aof-rewrite-min-size",
	"auto-aof-rewrite-percentage", "busy-reply-threshold", "crash-log-enabled",
	"crash-memcheck-enabled", "disable-thp", "dynamic-hz",
	"hll-sparse-max-bytes", "io-threads", "io-threads-do-reads",
	"jemalloc-bg-thread", "latency-monitor-threshold", "lfu-decay-time",
	"lfu-log-factor", "lua-time-limit", "maxmemory", "maxmemory-policy",
	"maxmemory-samples", "no-appendfsync-on-rewrite", "notify-keyspace-events",
	"oom-score-adj", "oom-score-adj-values", "pidfile", "proc-title-template",
	"rdb-del-sync-files", "rdb-save-incremental-fsync",
	"repl-disable-tcp-nodelay", "repl-diskless-load",
	"repl-diskless-sync", "repl-diskless-sync-delay",
	"repl-diskless-sync-max-replicas", "replica-lazy-flush", "replica-priority",
	"replica-read-only", "replica-serve-stale-data", "set-proc-title",
	"slowlog-log-slower-than", "slowlog-max-len", "stream-node-max-bytes",
	"stream-node-max-entries", "supervised",
	"syslog-enabled", "syslog-facility", "syslog-ident", "tcp-keepalive",
};

static const param_t *lookup(const char *name)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (!strcasecmp(name, params[i].name))
			return &params[i];
	return NULL;
}

static bool is_ignored(const char *name)
{
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (!strcasecmp(name, ignored[i]))
			return true;
	return false;
}

/* Splits @s (modified in place, NUL-terminating each argument; @s must
 * have a writable byte at s[len]).  Returns the count or -1 for
 * unbalanced quotes / too many arguments. */
int config__split(char *s, size_t len, char **argv, int cap)
{
	char *pos = s;
	resp_arg_t a;
	int n = 0, rc;

	while ((rc = resp_split_next(&pos, s + len, &a)) == 1) {
		if (n == cap)
			return -1;
		/* The decoded argument ends before where the scan resumes,
		 * so the terminator never lands on unread bytes. */
		((char *)a.ptr)[a.len] = '\0';
		argv[n++] = (char *)a.ptr;
	}
	return rc < 0 ? -1 : n;
}

static int apply(config_t *c, const param_t *pm, int argc, char **argv,
		 ctx_t *x)
{
	if (!(pm->flags & F_MULTI) && argc != 1)
		return config__fail(x, "wrong number of arguments");
	if (pm->type == T_CUSTOM)
		return pm->set(c, pm, argc, argv, x);
	return set_generic(c, pm, argv[0], x);
}

/* A multi-argument parameter given as one non-empty string ("--bind '1 2'",
 * CONFIG SET bind "1 2") is split on blanks, as Redis does. */
static int apply_split(config_t *c, const param_t *pm, int argc, char **argv,
		       ctx_t *x)
{
	if (!(pm->flags & F_MULTI) || argc != 1 || !argv[0][0])
		return apply(c, pm, argc, argv, x);

	size_t len = strlen(argv[0]);
	char *copy = malloc(len + 1);
	char *sub[MAX_LINE_ARGS];
	int rc, n;

	if (!copy) {
		config__fail(x, "out of memory");
		return -ENOMEM;
	}
	memcpy(copy, argv[0], len + 1);
	n = config__split(copy, len, sub, MAX_LINE_ARGS);
	rc = n < 0 ? config__fail(x, "Unbalanced quotes or too many arguments")
		   : apply(c, pm, n, sub, x);
	free(copy);
	return rc;
}

int config_set(config_t *c, const char *name, const char *value, char *err,
	       size_t errlen)
{
	const param_t *pm = lookup(name);
	ctx_t x = { .loading = false };
	char *argv[1] = { (char *)value };
	int rc;

	if (!pm) {
		rc = -ENOENT;
		snprintf(x.why, sizeof(x.why), "Unknown option");
	} else if (pm->flags & (F_IMMUTABLE | F_PROTECTED)) {
		rc = -EPERM;
		snprintf(x.why, sizeof(x.why), "%s", pm->flags & F_IMMUTABLE
			 ? "can't set immutable config"
			 : "can't set protected config");
	} else {
		rc = apply_split(c, pm, 1, argv, &x);
	}
	if (rc < 0 && err && errlen)
		snprintf(err, errlen, "%s", x.why);
	return rc;
}

/* Redis's configSetCommand: every name is checked before any value (the
 * first unknown, immutable or repeated name is the error), then the values
 * are set in order on a copy, so that a failure leaves @c untouched. */
int config_set_pairs(config_t *c, int n, char *const *names,
		     char *const *values, const size_t *vlens,
		     const char **set, char *err, size_t errlen)
{
	const param_t **pms = calloc(n > 0 ? (size_t)n : 1, sizeof(*pms));
	config_t *next = malloc(sizeof(*next));
	ctx_t x = { .loading = false };
	const char *bad = NULL, *why = NULL;
	int rc = 0;

	if (!pms || !next) {
		snprintf(err, errlen, ERR_OUT_OF_MEMORY);
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n && !bad; i++) {
		if (!(pms[i] = lookup(names[i]))) {
			snprintf(err, errlen, ERRF_CONFIG_UNKNOWN, names[i]);
			rc = -ENOENT;
			goto out;
		}
		if (pms[i]->flags & F_IMMUTABLE)
			why = "can't set immutable config";
		else if (pms[i]->flags & F_PROTECTED)
			why = "can't set protected config";
		for (int j = 0; j < i && !why; j++)
			if (pms[j] == pms[i])
				why = "duplicate parameter";
		if (why)
			bad = names[i]; /* as the user spelt it, like Redis */
	}
	if (bad) {
		snprintf(err, errlen, ERRF_CONFIG_SET_FAILED, bad, why);
		rc = -EPERM;
		goto out;
	}
	memcpy(next, c, sizeof(*next));
	for (int i = 0; i < n; i++) {
		char *argv[1] = { values[i] };

		if (vlens && strlen(values[i]) != vlens[i])
			rc = config__fail(&x, "argument must not contain NUL "
					  "bytes");
		else
			rc = apply_split(next, pms[i], 1, argv, &x);
		if (rc < 0) {
			snprintf(err, errlen, ERRF_CONFIG_SET_FAILED, pms[i]->name,
				 x.why);
			goto out;
		}
		if (set)
			set[i] = pms[i]->name;
	}
	memcpy(c, next, sizeof(*next));
out:
	free(pms);
	free(next);
	return rc;
}

int config_get_string(const config_t *c, const char *name, char *out,
		      size_t cap)
{
	const param_t *pm = lookup(name);
	const void *f;

	if (!pm)
		return -ENOENT;
	f = cfield(c, pm);
	switch (pm->type) {
	case T_INT:
		return snprintf(out, cap, "%d", *(const int *)f);
	case T_UINT:
		return snprintf(out, cap, "%u", *(const unsigned *)f);
	case T_MEM:
	case T_LL:
	case T_LLMEM:
		return snprintf(out, cap, "%lld", *(const long long *)f);
	case T_BOOL:
		return snprintf(out, cap, "%s", *(const bool *)f ? "yes" : "no");
	case T_ENUM:
		return snprintf(out, cap, "%s",
				loglevels[*(const config_loglevel_t *)f]);
	case T_STR:
		return snprintf(out, cap, "%s", (const char *)f);
	default:
		return pm->get(c, out, cap);
	}
}

const char *config_name_at(size_t i)
{
	return i < NPARAMS ? params[i].name : NULL;
}

void config_init(config_t *c)
{
	memset(c, 0, sizeof(*c));
	c->port = 6379;
	c->bind_count = 1;
	strcpy(c->bind[0], "127.0.0.1");
	c->timeout = 0;
	c->maxclients = 10000;
	c->tcp_backlog = 511;
	c->hz = 10;
	c->loglevel = CONFIG_LOG_NOTICE;
	c->proto_max_bulk_len = 512LL * 1024 * 1024;
	c->client_query_buffer_limit = 1024LL * 1024 * 1024;
	c->obuf_limit[CONFIG_CLIENT_REPLICA] =
		(config_obuf_limit_t){ 256ULL << 20, 64ULL << 20, 60 };
	c->obuf_limit[CONFIG_CLIENT_PUBSUB] =
		(config_obuf_limit_t){ 32ULL << 20, 8ULL << 20, 60 };
	c->databases = 16;
	c->protected_mode = true;
	c->pin_threads = false; /* see README: pinned workers wait for a shared CPU */
	c->spin_us = 0; /* measured: README, "FlashKV against redis-server" */
	c->store = STORE_CFG_DEFAULT;
	strcpy(c->save, "3600 1 300 100 60 10000"); /* Redis's default */
	strcpy(c->dbfilename, "dump.rdb");
	c->rdbchecksum = true;
	c->stop_writes_on_bgsave_error = true;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int config__apply_directive(config_t *c, int argc, char **argv, ctx_t *x)
{
	const param_t *pm;

	lower(argv[0]);
	pm = lookup(argv[0]);
	if (pm)
		return apply_split(c, pm, argc - 1, argv + 1, x);
	if (is_ignored(argv[0]))
		return 0;
	return config__fail(x, "Bad directive or wrong number of arguments");
}

