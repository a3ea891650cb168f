/*
 * config_load.c - configuration from redis.conf-style text (files, stdin,
 * strings) and from redis-server-style command lines (see config.h).
 *
 * The command line is turned into directive lines exactly as redis-server
 * does it (values re-quoted) and run through the same line loader as
 * files, so both accept the same things and fail with the same messages;
 * each directive goes to config.c's parameter table.
 *
 * Threads: no shared state; callers serialise writers of one config_t.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"

static bool trimmed(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Applies directive lines; @unit names what a line is in messages
 * ("line" in files, "option" on the command line). */
static int load_text(config_t *c, const char *text, size_t len,
		     const char *origin, const char *unit, ctx_t *x,
		     char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *s = text, *e = text;
	char *argv[MAX_LINE_ARGS];
	char *buf = NULL;
	size_t bufcap = 0;
	int lineno = 0, rc = 0, argc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		s = p;
		e = nl ? nl : end;
		p = nl ? nl + 1 : end;
		lineno++;
		while (s < e && trimmed(*s))
			s++;
		while (e > s && trimmed(e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		size_t n = (size_t)(e - s);
		if (n + 1 > bufcap) {
			char *nb = realloc(buf, n + 1);
			if (!nb) {
				config__fail(x, "out of memory");
				rc = -ENOMEM;
				goto error;
			}
			buf = nb;
			bufcap = n + 1;
		}
		memcpy(buf, s, n);
		buf[n] = '\0';
		argc = config__split(buf, n, argv, MAX_LINE_ARGS);
		if (argc < 0) {
			rc = config__fail(x, "Unbalanced quotes in configuration line");
			goto error;
		}
		if (argc > 0 && (rc = config__apply_directive(c, argc, argv, x)) < 0)
			goto error;
	}
	free(buf);
	return 0;
error:
	if (err && errlen)
		snprintf(err, errlen, "%s, %s %d: '%.*s': %s", origin, unit,
			 lineno, (int)(e - s > 200 ? 200 : e - s), s, x->why);
	free(buf);
	return rc;
}

/* Reads a whole stream (a file, or stdin for "-"). */
static int slurp(FILE *f, char **out, size_t *outlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				free(buf);
				return -EIO;
			}
			break;
		}
		if (len == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static int load_path(config_t *c, const char *path, ctx_t *x, char *err,
		     size_t errlen)
{
	bool std = !strcmp(path, "-");
	FILE *f = std ? stdin : fopen(path, "r");
	char origin[CONFIG_PATH_LEN + 32];
	size_t len;
	char *text;
	int rc;

	if (!f) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen,
				 "Fatal error, can't open config file '%s': %s",
				 path, strerror(-rc));
		return rc;
	}
	rc = slurp(f, &text, &len);
	if (!std)
		fclose(f);
	if (rc < 0) {
		if (err && errlen)
			snprintf(err, errlen, "Error reading config file '%s': %s",
				 path, strerror(-rc));
		return rc;
	}
	if (std)
		snprintf(origin, sizeof(origin), "config from stdin");
	else
		snprintf(origin, sizeof(origin), "config file '%s'", path);
	rc = load_text(c, text, len, origin, "line", x, err, errlen);
	free(text);
	return rc;
}

int config_load_file(config_t *c, const char *path, char *err, size_t errlen)
{
	ctx_t x = { .loading = true };

	return load_path(c, path, &x, err, errlen);
}

int config_load_string(config_t *c, const char *text, const char *origin,
		       char *err, size_t errlen)
{
	ctx_t x = { .loading = true };

	return load_text(c, text, strlen(text), origin ? origin : "config",
			 "line", &x, err, errlen);
}

/* A growable string for the command line turned into directive lines. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
} sbuf_t;

static void sb_add(sbuf_t *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(sbuf_t *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Quotes @s so that the splitter gives it back unchanged (sdscatrepr). */
static void sb_repr(sbuf_t *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[5];

		switch (ch) {
		case '\\': sb_add(b, "\\\\", 2); break;
		case '"': sb_add(b, "\\\"", 2); break;
		case '\n': sb_add(b, "\\n", 2); break;
		case '\r': sb_add(b, "\\r", 2); break;
		case '\t': sb_add(b, "\\t", 2); break;
		case '\a': sb_add(b, "\\a", 2); break;
		case '\b': sb_add(b, "\\b", 2); break;
		default:
			if (ch >= 0x20 && ch < 0x7f) {
				sb_add(b, (const char *)&ch, 1);
			} else {
				snprintf(esc, sizeof(esc), "\\x%02x", ch);
				sb_add(b, esc, 4);
			}
		}
	}
	sb_add(b, "\"", 1);
}

static bool is_long_opt(const char *s)
{
	return s[0] == '-' && s[1] == '-';
}

/* Words in one argument: "--port 6380" passed as a single argv element
 * names the option and its value at once. */
static int words(const char *s)
{
	size_t len = strlen(s);
	char *copy = malloc(len + 1);
	char *argv[2];
	int n;

	if (!copy)
		return -1;
	memcpy(copy, s, len + 1);
	n = config__split(copy, len, argv, 2);
	free(copy);
	return n < 0 ? 2 : n;
}

/* redis-server's rules: "--name" starts a directive line; following
 * arguments are its values (quoted); an option given without a value takes
 * the next argument even if it starts with "--", except that a bare
 * "--save" means save "". */
static int build_options(int argc, char **argv, int j, sbuf_t *b,
			 bool *from_stdin)
{
	bool has_value = true;

	for (; j < argc; j++) {
		const char *a = argv[j];

		if (!strcmp(a, "-") && (j == 1 || j == argc - 1)) {
			*from_stdin = true;
		} else if (has_value && is_long_opt(a)) {
			if (b->len)
				sb_str(b, "\n");
			sb_str(b, a + 2);
			sb_str(b, " ");
			int n = words(a);
			if (n < 0)
				return -ENOMEM;
			has_value = n != 1;
			if (n == 1 && !strcasecmp(a, "--save") &&
			    (j == argc - 1 || is_long_opt(argv[j + 1]))) {
				sb_str(b, "\"\"");
				has_value = true;
			}
		} else {
			sb_repr(b, a);
			sb_str(b, " ");
			has_value = true;
		}
	}
	return b->oom ? -ENOMEM : 0;
}

int config_parse_args(config_t *c, int argc, char **argv, char *err,
		      size_t errlen)
{
	ctx_t x = { .loading = true };
	sbuf_t opts = { 0 };
	bool from_stdin = false;
	const char *file = NULL;
	int j = 1, rc;

	if (argc >= 2) {
		if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version"))
			return CONFIG_ARGS_VERSION;
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
			return CONFIG_ARGS_HELP;
		if (argv[1][0] != '-') {
			file = argv[1];
			j = 2;
		}
	}
	rc = build_options(argc, argv, j, &opts, &from_stdin);
	if (rc < 0) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Same order as Redis: the file, then stdin, then the options. */
	if (file && (rc = load_path(c, file, &x, err, errlen)) < 0)
		goto out;
	if (from_stdin && (rc = load_path(c, "-", &x, err, errlen)) < 0)
		goto out;
	if (opts.len)
		rc = load_text(c, opts.p, opts.len, "command line", "option",
			       &x, err, errlen);
out:
	free(opts.p);
	return rc;
}

void config_usage(FILE *out)
{
	fputs("Usage: ./flashkv-server [/path/to/flashkv.conf] [options] [-]\n"
	      "       ./flashkv-server - (read config from stdin)\n"
	      "       ./flashkv-server -v or --version\n"
	      "       ./flashkv-server -h or --help\n"
	      "\n"
	      "Options are config file directives with '--' in front, applied\n"
	      "after the file:\n"
	      "  --port <n>                     TCP port (6379; 0 = none)\n"
	      "  --bind \"<addr> ...\"            addresses (127.0.0.1)\n"
	      "  --threads <n>                  workers (0 = one per CPU)\n"
	      "  --shards <n>                   keyspace shards (0 = one per worker)\n"
	      "  --timeout <secs>               close idle clients (0 = never)\n"
	      "  --maxclients <n>               (10000)\n"
	      "  --tcp-backlog <n>              (511)\n"
	      "  --hz <n>                       background task rate (10)\n"
	      "  --loglevel <level>             debug, verbose, notice, warning\n"
	      "  --logfile <path>               (\"\" = stdout)\n"
	      "  --proto-max-bulk-len <bytes>   (512mb)\n"
	      "  --client-query-buffer-limit <bytes> (1gb)\n"
	      "  --client-output-buffer-limit <class> <hard> <soft> <secs>\n"
	      "  --databases <n>                (16)\n"
	      "  --requirepass <password>\n"
	      "  --protected-mode yes|no        (yes)\n"
	      "\n"
	      "Examples:\n"
	      "       ./flashkv-server (run the server with default conf)\n"
	      "       ./flashkv-server /etc/flashkv/6379.conf\n"
	      "       ./flashkv-server --port 7777\n"
	      "       ./flashkv-server --port 7777 --bind \"127.0.0.1 ::1\"\n"
	      "       ./flashkv-server /etc/myflashkv.conf --loglevel verbose\n",
	      out);
}
