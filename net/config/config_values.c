/*
 * config_values.c - the parsers behind every setting (Redis's string2ll,
 * memtoull and yes/no) and the settings whose values need their own
 * setter and getter: hz, bind, client-output-buffer-limit, save.
 *
 * Every setter validates all of its arguments before writing anything.
 * Threads: no shared state.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"

static const char *const classes[] = { "normal", "slave", "pubsub" };

/* Redis's string2ll: optional '-', digits without leading zeros. */
int config__parse_int(const char *s, long long *out)
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
int config__parse_mem(const char *s, unsigned long long *out)
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

int config__parse_bool(const char *s)
{
	if (!strcasecmp(s, "yes"))
		return 1;
	if (!strcasecmp(s, "no"))
		return 0;
	return -1;
}

int config__out_of_range(const param_t *pm, ctx_t *x)
{
	return config__fail(x, "argument must be between %lld and %lld inclusive",
		    pm->min, pm->max);
}

/* hz outside 1..500 is accepted and clamped, as Redis's updateHZ does. */
int config__set_hz(config_t *c, const param_t *pm, int argc, char **argv,
		  ctx_t *x)
{
	long long n;

	if (config__parse_int(argv[0], &n) < 0)
		return config__fail(x, "argument couldn't be parsed into an integer");
	if (n < 0 || n > INT_MAX)
		return config__out_of_range(pm, x);
	c->hz = n < 1 ? 1 : n > 500 ? 500 : (int)n;
	return 0;
}

int config__get_hz(const config_t *c, char *out, size_t cap)
{
	return snprintf(out, cap, "%d", c->hz);
}

int config__set_bind(config_t *c, const param_t *pm, int argc, char **argv,
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

int config__get_bind(const config_t *c, char *out, size_t cap)
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
int config__set_obuf(config_t *c, const param_t *pm, int argc, char **argv,
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
		if (config__parse_mem(argv[j + 1], &lim[cls].hard) < 0 ||
		    config__parse_mem(argv[j + 2], &lim[cls].soft) < 0)
			return config__fail(x, "%s", bad);
		errno = 0;
		lim[cls].soft_seconds = strtoll(argv[j + 3], &end, 10);
		if (*end || errno || lim[cls].soft_seconds < 0)
			return config__fail(x, "%s", bad);
	}
	memcpy(c->obuf_limit, lim, sizeof(lim));
	return 0;
}

int config__get_obuf(const config_t *c, char *out, size_t cap)
{
	const config_obuf_limit_t *l = c->obuf_limit;

	return snprintf(out, cap,
			"%s %llu %llu %lld %s %llu %llu %lld %s %llu %llu %lld",
			classes[0], l[0].hard, l[0].soft, l[0].soft_seconds,
			classes[1], l[1].hard, l[1].soft, l[1].soft_seconds,
			classes[2], l[2].hard, l[2].soft, l[2].soft_seconds);
}

/* save <seconds> <changes> ...: the save points (net/persist). */
int config__set_save(config_t *c, const param_t *pm, int argc, char **argv,
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

int config__get_save(const config_t *c, char *out, size_t cap)
{
	return snprintf(out, cap, "%s", c->save);
}

/* dir: stored here, applied by main at start (chdir), as Redis applies it
 * while loading the config (CONFIG SET refuses it: a protected config). */
int config__set_dir(config_t *c, const param_t *pm, int argc, char **argv,
		    ctx_t *x)
{
	(void)pm;
	if (argc != 1)
		return config__fail(x, "wrong number of arguments");
	if (strlen(argv[0]) >= sizeof(c->dir))
		return config__fail(x, "argument is too long");
	struct stat st;
	if (stat(argv[0], &st) < 0)
		return config__fail(x, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return config__fail(x, "%s", strerror(ENOTDIR));
	strcpy(c->dir, argv[0]);
	return 0;
}

/* The working directory, which is what `dir` became (Redis's getcwd). */
int config__get_dir(const config_t *c, char *out, size_t cap)
{
	if (getcwd(out, cap))
		return (int)strlen(out);
	return snprintf(out, cap, "%s", c->dir);
}

int config__set_dbfilename(config_t *c, const param_t *pm, int argc,
			   char **argv, ctx_t *x)
{
	(void)pm;
	if (argc != 1)
		return config__fail(x, "wrong number of arguments");
	if (strchr(argv[0], '/'))
		return config__fail(x, "dbfilename can't be a path, just a filename");
	if (!argv[0][0] || strlen(argv[0]) >= sizeof(c->dbfilename))
		return config__fail(x, "Invalid dbfilename");
	strcpy(c->dbfilename, argv[0]);
	return 0;
}

int config__get_dbfilename(const config_t *c, char *out, size_t cap)
{
	return snprintf(out, cap, "%s", c->dbfilename);
}
