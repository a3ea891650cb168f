/*
 * resp.c - incremental RESP request parser, inline splitter and request
 * encoder (see resp.h for the contract).
 *
 * The parser is a small state machine over offsets from the start of the
 * current command: "reading the *N header", then per argument "reading a
 * $len header" or "waiting for len+2 bytes of body".  A call resumes where
 * the last one stopped, so each byte of a multibulk command is examined at
 * most once for line ends, and a body is never scanned at all.
 *
 * Threads: a parser belongs to one connection (one thread at a time).
 */
#include "resp.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resp_split.h"

enum { KIND_NONE = 0, KIND_INLINE = 'i', KIND_MBULK = '*' };

/* Internal outcome of one command's parse besides RESP_OK / NEED_MORE /
 * errors: a command without arguments, to be skipped. */
enum { EMPTY = 2 };

/* Above this many args, memory grown for a big command is given back when
 * the next command starts, so one MSET does not pin megabytes. */
#define KEEP_ARGS 1024

void resp_parser_init(resp_parser_t *p)
{
	memset(p, 0, sizeof(*p));
	p->spans = p->spans_inline;
	p->argv = p->argv_inline;
	p->cap = RESP_ARGV_INLINE;
	p->bulklen = -1;
}

static void release(resp_parser_t *p)
{
	if (p->spans != p->spans_inline)
		free(p->spans);
	if (p->argv != p->argv_inline)
		free(p->argv);
	p->spans = p->spans_inline;
	p->argv = p->argv_inline;
	p->cap = RESP_ARGV_INLINE;
}

/* Back to "between commands", keeping the arrays (argv may still be read
 * by the caller until the next call). */
static void restart(resp_parser_t *p)
{
	p->kind = KIND_NONE;
	p->argc = 0;
	p->remaining = 0;
	p->bulklen = -1;
	p->pos = 0;
	p->scan = 0;
}

void resp_parser_reset(resp_parser_t *p)
{
	release(p);
	restart(p);
}

void resp_parser_free(resp_parser_t *p)
{
	release(p);
}

/* Redis's string2ll: optional '-', no '+', no leading zeros, no blanks,
 * at most 20 characters, no overflow. */
static int parse_ll(const char *s, size_t len, long long *out)
{
	unsigned long long v = 0;
	size_t i = 0;
	int neg = 0;

	if (len == 0 || len > 20)
		return 0;
	if (len == 1 && s[0] == '0') {
		*out = 0;
		return 1;
	}
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return 0;
	}
	if (s[i] < '1' || s[i] > '9')
		return 0;
	/* Lengths in the protocol are short: up to 18 digits cannot overflow,
	 * so the common case skips the per-digit overflow test. */
	bool can_overflow = len - i > 18;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || (can_overflow && v > (ULLONG_MAX - d) / 10))
			return 0;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return 0;
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							      : -(long long)v;
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return 0;
		*out = (long long)v;
	}
	return 1;
}

/* A length of the protocol ("*2", "$16"): nearly always a few digits,
 * read inline; anything else (sign, zero, long) goes to parse_ll. */
static inline int parse_len(const char *s, size_t len, long long *out)
{
	if (len - 1 < 18 && s[0] >= '1' && s[0] <= '9') {
		long long v = s[0] - '0';
		for (size_t i = 1; i < len; i++) {
			unsigned d = (unsigned char)s[i] - '0';
			if (d > 9)
				return 0;
			v = v * 10 + d;
		}
		*out = v;
		return 1;
	}
	return parse_ll(s, len, out);
}

/* Room for one more span.  Grows geometrically but never past the count
 * the header announced, and only as arguments actually arrive, so a lying
 * "*2147483647" costs nothing until the bytes are really sent. */
static int grow(resp_parser_t *p)
{
	long long want = (long long)p->cap * 2;
	long long need = (long long)p->argc + (p->remaining > 0 ? p->remaining : 1);

	if (p->kind == KIND_MBULK && want > need)
		want = need;
	if (want > INT_MAX)
		want = INT_MAX;
	if (want <= p->cap)
		return -ENOMEM;
	resp_span_t *s = malloc((size_t)want * sizeof(*s));
	resp_arg_t *a = malloc((size_t)want * sizeof(*a));
	if (!s || !a) {
		free(s);
		free(a);
		return -ENOMEM;
	}
	memcpy(s, p->spans, (size_t)p->argc * sizeof(*s));
	release(p);
	p->spans = s;
	p->argv = a;
	p->cap = (int)want;
	return 0;
}

static int push_span(resp_parser_t *p, size_t off, size_t len)
{
	if (p->argc == p->cap) {
		int rc = grow(p);
		if (rc < 0)
			return rc;
	}
	p->spans[p->argc].off = off;
	p->spans[p->argc].len = len;
	p->argc++;
	return 0;
}

/* Finds the '\r' ending the header line that starts at p->pos.  Returns
 * its offset, or (size_t)-1 when the line (plus the byte Redis skips after
 * '\r') has not fully arrived; the search resumes at p->scan next time. */
/* memchr for '\r', looking at the first bytes inline: in "*2\r\n" and
 * "$16\r\n" it is a few bytes away, closer than a library call pays. */
static const char *find_cr_from(const char *s, size_t n)
{
	size_t head = n < 8 ? n : 8;
	for (size_t i = 0; i < head; i++)
		if (s[i] == '\r')
			return s + i;
	return n > head ? memchr(s + head, '\r', n - head) : NULL;
}

static size_t find_cr(resp_parser_t *p, const char *cmd, size_t avail)
{
	size_t from = p->scan > p->pos ? p->scan : p->pos;
	const char *cr = find_cr_from(cmd + from, avail - from);

	if (!cr) {
		p->scan = avail;
		return (size_t)-1;
	}
	size_t at = (size_t)(cr - cmd);
	/* Redis only requires one more byte after '\r'; it does not check
	 * that it is '\n'. */
	if (at + 2 > avail) {
		p->scan = at;
		return (size_t)-1;
	}
	return at;
}

static int parse_mbulk_header(resp_parser_t *p, const char *cmd, size_t avail,
			      const resp_limits_t *lim)
{
	size_t cr = find_cr(p, cmd, avail);
	long long n;

	if (cr == (size_t)-1)
		return avail - p->pos > lim->max_inline_len
			       ? RESP_ERR_MBULK_STR_TOO_BIG
			       : RESP_NEED_MORE;
	if (!parse_len(cmd + 1, cr - 1, &n) || n > INT_MAX ||
	    n > lim->max_multibulk_len)
		return RESP_ERR_MBULK_LEN;
	if (n > RESP_UNAUTH_MBULK_MAX && lim->auth_required)
		return RESP_ERR_UNAUTH_MBULK;
	p->pos = cr + 2;
	p->scan = p->pos;
	if (n <= 0)
		return EMPTY;
	p->remaining = n;
	p->bulklen = -1;
	return RESP_OK;
}

/* The one error whose text depends on the input, so it is built when it
 * happens.  Redis turns CR and LF in error replies into spaces to keep the
 * reply one line; NUL too here, to keep the message a C string. */
static void set_expected_dollar(resp_parser_t *p, char c)
{
	static const char text[] = "Protocol error: expected '$', got 'X'";

	if (c == '\r' || c == '\n' || c == '\0')
		c = ' ';
	memcpy(p->errmsg, text, sizeof(text));
	p->errmsg[sizeof(text) - 3] = c;
}

static int parse_bulk_header(resp_parser_t *p, const char *cmd, size_t avail,
			     const resp_limits_t *lim)
{
	size_t cr = find_cr(p, cmd, avail);
	long long n;

	if (cr == (size_t)-1)
		return avail - p->pos > lim->max_inline_len
			       ? RESP_ERR_BULK_STR_TOO_BIG
			       : RESP_NEED_MORE;
	if (cmd[p->pos] != '$') {
		set_expected_dollar(p, cmd[p->pos]);
		return RESP_ERR_EXPECTED_DOLLAR;
	}
	if (!parse_len(cmd + p->pos + 1, cr - p->pos - 1, &n) || n < 0 ||
	    n > lim->max_bulk_len)
		return RESP_ERR_BULK_LEN;
	if (n > RESP_UNAUTH_BULK_MAX && lim->auth_required)
		return RESP_ERR_UNAUTH_BULK;
	p->pos = cr + 2;
	p->bulklen = n;
	return RESP_OK;
}

static int parse_mbulk(resp_parser_t *p, const char *cmd, size_t avail,
		       const resp_limits_t *lim)
{
	int rc;

	if (p->remaining == 0) {
		rc = parse_mbulk_header(p, cmd, avail, lim);
		if (rc != RESP_OK)
			return rc;
	}
	while (p->remaining > 0) {
		if (p->bulklen < 0) {
			rc = parse_bulk_header(p, cmd, avail, lim);
			if (rc != RESP_OK)
				return rc;
		}
		/* Body plus the two bytes Redis skips without checking. */
		if (avail - p->pos < (size_t)p->bulklen + 2)
			return RESP_NEED_MORE;
		rc = push_span(p, p->pos, (size_t)p->bulklen);
		if (rc < 0)
			return rc;
		p->pos += (size_t)p->bulklen + 2;
		p->scan = p->pos;
		p->bulklen = -1;
		p->remaining--;
	}
	return RESP_OK;
}

static int parse_inline(resp_parser_t *p, char *cmd, size_t avail,
			const resp_limits_t *lim)
{
	const char *nl = memchr(cmd + p->scan, '\n', avail - p->scan);
	resp_arg_t arg;
	int rc;

	if (!nl) {
		p->scan = avail;
		return avail > lim->max_inline_len ? RESP_ERR_INLINE_TOO_BIG
						   : RESP_NEED_MORE;
	}
	size_t at = (size_t)(nl - cmd);
	size_t linelen = at > 0 && cmd[at - 1] == '\r' ? at - 1 : at;
	char *pos = cmd;

	while ((rc = resp_split_next(&pos, cmd + linelen, &arg)) == 1) {
		rc = push_span(p, (size_t)(arg.ptr - cmd), arg.len);
		if (rc < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	p->pos = at + 1;
	return p->argc ? RESP_OK : EMPTY;
}

int resp_parse(resp_parser_t *p, char *buf, size_t len,
	       const resp_limits_t *lim, const resp_arg_t **argv, int *argc,
	       size_t *consumed)
{
	static const resp_limits_t defaults = RESP_LIMITS_DEFAULT;
	size_t base = 0;
	int rc;

	if (!lim)
		lim = &defaults;
	*consumed = 0;
	for (;;) {
		size_t avail = len - base;

		if (p->kind == KIND_NONE) {
			if (avail == 0) {
				*consumed = base;
				return RESP_NEED_MORE;
			}
			if (p->cap > KEEP_ARGS)
				release(p);
			p->kind = buf[base] == '*' ? KIND_MBULK : KIND_INLINE;
		}
		char *cmd = buf + base;
		rc = p->kind == KIND_MBULK ? parse_mbulk(p, cmd, avail, lim)
					   : parse_inline(p, cmd, avail, lim);
		if (rc != EMPTY)
			break;
		base += p->pos;
		restart(p);
	}
	*consumed = base;
	if (rc != RESP_OK)
		return rc;
	for (int i = 0; i < p->argc; i++) {
		p->argv[i].ptr = buf + base + p->spans[i].off;
		p->argv[i].len = p->spans[i].len;
	}
	*argv = p->argv;
	*argc = p->argc;
	*consumed = base + p->pos;
	restart(p);
	return RESP_OK;
}

static const char *const messages[] = {
	[RESP_ERR_MBULK_LEN - RESP_ERR_MBULK_LEN] =
		"Protocol error: invalid multibulk length",
	[RESP_ERR_BULK_LEN - RESP_ERR_MBULK_LEN] =
		"Protocol error: invalid bulk length",
	[RESP_ERR_EXPECTED_DOLLAR - RESP_ERR_MBULK_LEN] =
		"Protocol error: expected '$'",
	[RESP_ERR_INLINE_TOO_BIG - RESP_ERR_MBULK_LEN] =
		"Protocol error: too big inline request",
	[RESP_ERR_MBULK_STR_TOO_BIG - RESP_ERR_MBULK_LEN] =
		"Protocol error: too big mbulk count string",
	[RESP_ERR_BULK_STR_TOO_BIG - RESP_ERR_MBULK_LEN] =
		"Protocol error: too big bulk count string",
	[RESP_ERR_QUOTES - RESP_ERR_MBULK_LEN] =
		"Protocol error: unbalanced quotes in request",
	[RESP_ERR_UNAUTH_MBULK - RESP_ERR_MBULK_LEN] =
		"Protocol error: unauthenticated multibulk length",
	[RESP_ERR_UNAUTH_BULK - RESP_ERR_MBULK_LEN] =
		"Protocol error: unauthenticated bulk length",
};

const char *resp_strerror(int err)
{
	int i = err - RESP_ERR_MBULK_LEN;

	if (i < 0 || i >= (int)(sizeof(messages) / sizeof(messages[0])))
		return NULL;
	return messages[i];
}

const char *resp_parser_strerror(const resp_parser_t *p, int err)
{
	return err == RESP_ERR_EXPECTED_DOLLAR ? p->errmsg : resp_strerror(err);
}

static size_t digits(size_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static char *put_header(char *o, char type, size_t v)
{
	size_t n = digits(v);

	*o++ = type;
	for (size_t i = n; i > 0; i--) {
		o[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	o += n;
	*o++ = '\r';
	*o++ = '\n';
	return o;
}

size_t resp_encode_command(char *out, size_t cap, int argc,
			   const resp_arg_t *argv)
{
	size_t need = 3 + digits((size_t)argc);

	for (int i = 0; i < argc; i++)
		need += 5 + digits(argv[i].len) + argv[i].len;
	if (need > cap)
		return need;
	char *o = put_header(out, '*', (size_t)argc);
	for (int i = 0; i < argc; i++) {
		o = put_header(o, '$', argv[i].len);
		if (argv[i].len)
			memcpy(o, argv[i].ptr, argv[i].len);
		o += argv[i].len;
		*o++ = '\r';
		*o++ = '\n';
	}
	return need;
}
