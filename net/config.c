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
#include "errors.h"
#include "resp.h"


enum { T_INT, T_UINT, T_MEM, T_BOOL, T_ENUM, T_STR, T_CUSTOM };
enum { F_IMMUTABLE = 1, F_MULTI = 2 };

typedef struct param param_t;
typedef int set_fn(config_t *c, const param_t *pm, int argc, char **argv,
		   ctx_t *x);
typedef int get_fn(const config_t *c, char *out, size_t cap);

struct param {
	const char *name;
	int type;
	unsigned flags;
	size_t off;           /* of the field in config_t */
	long long min, max;   /* numbers; for T_STR max is the buffer size */
	set_fn *set;          /* T_CUSTOM */
	get_fn *get;          /* T_CUSTOM */
};

static const char *const loglevels[] = { "debug", "verbose", "notice",
					 "warning" };
static const char *const classes[] = { "normal", "slave", "pubsub" };

int config__fail(ctx_t *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Redis's string2ll: optional '-', digits without leading zeros. */
static int parse_int(const char *s, long long *out)
{
	size_t len = strlen(s), i = 0;
	unsigned long long v = 0;

	if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
		return -1;
	if (s[0] == '-' && ++i == len)
		return -1;
	if (s[i] == '0' && len > 1)
		return -1;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (s[0] == '-') {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -1;
		*out = (long long)(0 - v);
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return -1;
		*out = (long long)v;
	}
	return 0;
}

/* Redis's memtoull: digits then an optional unit; k/m/g are powers of
 * 1000, kb/mb/gb of 1024, any case.  Overflow saturates (and so fails the
 * caller's range check). */
static int parse_mem(const char *s, unsigned long long *out)
{
	static const struct {
		const char *unit;
		unsigned long long mul;
	} units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1000 }, { "kb", 1024 },
		{ "m", 1000 * 1000 }, { "mb", 1024 * 1024 },
		{ "g", 1000ULL * 1000 * 1000 }, { "gb", 1024ULL * 1024 * 1024 },
	};
	unsigned long long v = 0, mul = 0;
	const char *u = s;

	while (*u >= '0' && *u <= '9') {
		unsigned d = (unsigned)(*u++ - '0');
		v = v > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : v * 10 + d;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(u, units[i].unit))
			mul = units[i].mul;
	if (!mul || u - s >= 128)
		return -1;
	*out = v > ULLONG_MAX / mul ? ULLONG_MAX : v * mul;
	return 0;
}

static int parse_bool(const char *s)
{
	if (!strcasecmp(s, "yes"))
		return 1;
	if (!strcasecmp(s, "no"))
		return 0;
	return -1;
}

static void *field(config_t *c, const param_t *pm)
{
	return (char *)c + pm->off;
}

static const void *cfield(const config_t *c, const param_t *pm)
{
	return (const char *)c + pm->off;
}

static int out_of_range(const param_t *pm, ctx_t *x)
{
	return config__fail(x, "argument must be between %lld and %lld inclusive",
		    pm->min, pm->max);
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
		if (parse_int(v, &n) < 0)
			return config__fail(x, "argument couldn't be parsed into an integer");
		if (n < pm->min || n > pm->max)
			return out_of_range(pm, x);
		if (pm->type == T_INT)
			*(int *)field(c, pm) = (int)n;
		else
			*(unsigned *)field(c, pm) = (unsigned)n;
		return 0;
	case T_MEM:
		if (parse_mem(v, &m) < 0)
			return config__fail(x, "argument must be a memory value");
		if (m > (unsigned long long)pm->max || (long long)m < pm->min)
			return out_of_range(pm, x);
		*(long long *)field(c, pm) = (long long)m;
		return 0;
	case T_BOOL:
		if ((b = parse_bool(v)) < 0)
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

/* hz outside 1..500 is accepted and clamped, as Redis's updateHZ does. */
static int set_hz(config_t *c, const param_t *pm, int argc, char **argv,
		  ctx_t *x)
{
	long long n;

	if (parse_int(argv[0], &n) < 0)
		return config__fail(x, "argument couldn't be parsed into an integer");
	if (n < 0 || n > INT_MAX)
		return out_of_range(pm, x);
	c->hz = n < 1 ? 1 : n > 500 ? 500 : (int)n;
	return 0;
}

static int get_hz(const config_t *c, char *out, size_t cap)
{
	return snprintf(out, cap, "%d", c->hz);
}

static int set_bind(config_t *c, const param_t *pm, int argc, char **argv,
		    ctx_t *x)
{
	if (argc == 1 && !argv[0][0])
		argc = 0; /* bind "" : listen nowhere on TCP */
	if (argc > CONFIG_BIND_MAX)
		return config__fail(x, "Too many bind addresses specified.");
	for (int i = 0; i < argc; i++)
		if (strlen(argv[i]) >= CONFIG_ADDR_LEN)
			return config__fail(x, "argument is too long");
	for (int i = 0; i < argc; i++)
		strcpy(c->bind[i], argv[i]);
	c->bind_count = argc;
	return 0;
}

static int get_bind(const config_t *c, char *out, size_t cap)
{
	size_t n = 0;

	if (cap)
		out[0] = '\0';
	for (int i = 0; i < c->bind_count; i++) {
		int w = snprintf(out + (n < cap ? n : cap),
				 n < cap ? cap - n : 0, "%s%s", i ? " " : "",
				 c->bind[i]);
		n += (size_t)w;
	}
	return (int)n;
}

static int class_of(const char *name)
{
	if (!strcasecmp(name, "normal"))
		return CONFIG_CLIENT_NORMAL;
	if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica"))
		return CONFIG_CLIENT_REPLICA;
	if (!strcasecmp(name, "pubsub"))
		return CONFIG_CLIENT_PUBSUB;
	return -1;
}

/* client-output-buffer-limit <class> <hard> <soft> <soft-seconds> ... */
static int set_obuf(config_t *c, const param_t *pm, int argc, char **argv,
		    ctx_t *x)
{
	config_obuf_limit_t lim[CONFIG_CLIENT_CLASSES];
	static const char bad[] = "Error in hard, soft or soft_seconds setting "
				  "in buffer limit configuration.";

	if (argc % 4)
		return config__fail(x, "Wrong number of arguments in buffer limit "
			       "configuration.");
	memcpy(lim, c->obuf_limit, sizeof(lim));
	for (int j = 0; j < argc; j += 4) {
		int cls = class_of(argv[j]);
		char *end;

		if (cls < 0)
			return config__fail(x, "Invalid client class specified in "
				       "buffer limit configuration.");
		if (parse_mem(argv[j + 1], &lim[cls].hard) < 0 ||
		    parse_mem(argv[j + 2], &lim[cls].soft) < 0)
			return config__fail(x, "%s", bad);
		errno = 0;
		lim[cls].soft_seconds = strtoll(argv[j + 3], &end, 10);
		if (*end || errno || lim[cls].soft_seconds < 0)
			return config__fail(x, "%s", bad);
	}
	memcpy(c->obuf_limit, lim, sizeof(lim));
	return 0;
}

static int get_obuf(const config_t *c, char *out, size_t cap)
{
	const config_obuf_limit_t *l = c->obuf_limit;

	return snprintf(out, cap,
			"%s %llu %llu %lld %s %llu %llu %lld %s %llu %llu %lld",
			classes[0], l[0].hard, l[0].soft, l[0].soft_seconds,
			classes[1], l[1].hard, l[1].soft, l[1].soft_seconds,
			classes[2], l[2].hard, l[2].soft, l[2].soft_seconds);
}

/* save <seconds> <changes> ...: stored for CONFIG GET only. */
static int set_save(config_t *c, const param_t *pm, int argc, char **argv,
		    ctx_t *x)
{
	char buf[CONFIG_SAVE_LEN];
	size_t n = 0;

	if (argc == 1 && !argv[0][0])
		argc = 0; /* save "" : no snapshots */
	if (argc % 2)
		return config__fail(x, "Invalid save parameters");
	/* Within one load, later save lines add to the first one. */
	if (x->loading && x->save_loaded && argc)
		n = (size_t)snprintf(buf, sizeof(buf), "%s", c->save);
	else
		buf[0] = '\0';
	for (int j = 0; j < argc; j++) {
		char *end;
		errno = 0;
		long long v = strtoll(argv[j], &end, 10);

		if (*end || errno || v < (j % 2 ? 0 : 1))
			return config__fail(x, "Invalid save parameters");
		n += (size_t)snprintf(buf + (n < sizeof(buf) ? n : sizeof(buf)),
				      n < sizeof(buf) ? sizeof(buf) - n : 0,
				      "%s%lld", n ? " " : "", v);
	}
	if (n >= sizeof(buf))
		return config__fail(x, "argument is too long");
	if (x->loading)
		x->save_loaded = true;
	strcpy(c->save, buf);
	return 0;
}

static int get_save(const config_t *c, char *out, size_t cap)
{
	return snprintf(out, cap, "%s", c->save);
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
	CUSTOM("bind", F_MULTI, set_bind, get_bind),
	NUM("threads", T_INT, F_IMMUTABLE, threads, 0, 1024),
	NUM("shards", T_INT, F_IMMUTABLE, shards, 0, 16384),
	NUM("pin-threads", T_BOOL, F_IMMUTABLE, pin_threads, 0, 1),
	NUM("spin-us", T_INT, F_IMMUTABLE, spin_us, 0, 1000000),
	NUM("timeout", T_INT, 0, timeout, 0, INT_MAX),
	NUM("maxclients", T_UINT, 0, maxclients, 1, UINT_MAX),
	NUM("tcp-backlog", T_INT, F_IMMUTABLE, tcp_backlog, 0, INT_MAX),
	CUSTOM("hz", 0, set_hz, get_hz),
	NUM("loglevel", T_ENUM, 0, loglevel, 0, 0),
	STR("logfile", F_IMMUTABLE, logfile),
	NUM("proto-max-bulk-len", T_MEM, 0, proto_max_bulk_len, 1024 * 1024,
	    LLONG_MAX),
	NUM("client-query-buffer-limit", T_MEM, 0, client_query_buffer_limit,
	    1024 * 1024, LLONG_MAX),
	CUSTOM("client-output-buffer-limit", F_MULTI, set_obuf, get_obuf),
	NUM("databases", T_INT, F_IMMUTABLE, databases, 1, INT_MAX),
	STR("requirepass", 0, requirepass),
	NUM("protected-mode", T_BOOL, 0, protected_mode, 0, 1),
	NUM("daemonize", T_BOOL, F_IMMUTABLE, daemonize, 0, 1),
	NUM("appendonly", T_BOOL, 0, appendonly, 0, 1),
	CUSTOM("save", F_MULTI, set_save, get_save),
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

/* redis.conf directives accepted and ignored, so such files load.  The
 * list is the uncommented lines of Redis 7.0's stock redis.conf plus the
 * common tuning knobs; anything else is still an error. */
static const char *const ignored[] = {
	"acllog-max-len", "activedefrag", "activerehashing",
	"active-expire-effort", "always-show-logo", "aof-load-truncated",
	"aof-rewrite-incremental-fsync", "aof-timestamp-enabled",
	"aof-use-rdb-preamble", "appenddirname", "appendfilename",
	"appendfsync", "auto-aof-rewrite-min-size",
	"auto-aof-rewrite-percentage", "busy-reply-threshold",
	"crash-log-enabled", "crash-memcheck-enabled", "dbfilename", "dir",
	"disable-thp", "dynamic-hz", "hash-max-listpack-entries",
	"hash-max-listpack-value", "hash-max-ziplist-entries",
	"hash-max-ziplist-value", "hll-sparse-max-bytes", "io-threads",
	"io-threads-do-reads", "jemalloc-bg-thread", "latency-monitor-threshold",
	"lazyfree-lazy-eviction", "lazyfree-lazy-expire",
	"lazyfree-lazy-server-del", "lazyfree-lazy-user-del",
	"lazyfree-lazy-user-flush", "lfu-decay-time", "lfu-log-factor",
	"list-compress-depth", "list-max-listpack-size",
	"list-max-ziplist-size", "lua-time-limit", "maxmemory",
	"maxmemory-policy", "maxmemory-samples", "no-appendfsync-on-rewrite",
	"notify-keyspace-events", "oom-score-adj", "oom-score-adj-values",
	"pidfile", "proc-title-template", "rdb-del-sync-files",
	"rdb-save-incremental-fsync", "rdbchecksum", "rdbcompression",
	"repl-disable-tcp-nodelay", "repl-diskless-load", "repl-diskless-sync",
	"repl-diskless-sync-delay", "repl-diskless-sync-max-replicas",
	"replica-lazy-flush", "replica-priority", "replica-read-only",
	"replica-serve-stale-data", "set-max-intset-entries", "set-proc-title",
	"slowlog-log-slower-than", "slowlog-max-len",
	"stop-writes-on-bgsave-error", "stream-node-max-bytes",
	"stream-node-max-entries", "supervised", "syslog-enabled",
	"syslog-facility", "syslog-ident", "tcp-keepalive",
	"zset-max-listpack-entries", "zset-max-listpack-value",
	"zset-max-ziplist-entries", "zset-max-ziplist-value",
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
	} else if (pm->flags & F_IMMUTABLE) {
		rc = -EPERM;
		snprintf(x.why, sizeof(x.why), "can't set immutable config");
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

