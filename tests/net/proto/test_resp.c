/*
 * test_resp.c - the RESP request parser against Redis 7.0's behaviour:
 * every split point of a mixed pipeline, every protocol error (text as
 * redis-server 7.0.15 sends it), limits applied before data is awaited,
 * 100k-argument commands, binary bodies, inline quoting, the encoder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "net/proto/resp.h"
#include "net/proto/resp_split.h"

/* What a connection would see: commands as "arg|arg|..." strings with
 * binary bytes escaped, then the final status. */
typedef struct feed {
	char *out;
	size_t outlen, outcap;
	int ncmds;
	int rc;          /* last non-OK return */
	const char *err; /* its message */
} feed_t;

static void out_add(feed_t *f, const char *s, size_t n)
{
	if (f->outlen + n + 1 > f->outcap) {
		f->outcap = (f->outlen + n + 1) * 2;
		f->out = realloc(f->out, f->outcap);
		cr_assert(f->out);
	}
	memcpy(f->out + f->outlen, s, n);
	f->outlen += n;
	f->out[f->outlen] = '\0';
}

static void record(feed_t *f, const resp_arg_t *argv, int argc)
{
	for (int i = 0; i < argc; i++) {
		for (size_t k = 0; k < argv[i].len; k++) {
			unsigned char c = (unsigned char)argv[i].ptr[k];
			char esc[8];
			if (c < 0x20 || c >= 0x7f || c == '|' || c == '\\') {
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				out_add(f, esc, 4);
			} else {
				out_add(f, (const char *)&c, 1);
			}
		}
		out_add(f, i + 1 < argc ? "|" : "\n", 1);
	}
	f->ncmds++;
}

/* Feeds @in in chunks of @chunk bytes (0: all at once).  The query buffer
 * moves to a fresh block whenever it grows and is compacted after every
 * call, to check that the parser keeps offsets, not pointers. */
static feed_t run(const char *in, size_t len, size_t chunk,
		  const resp_limits_t *lim)
{
	feed_t f = { 0 };
	resp_parser_t p;
	char *qb = NULL;
	size_t qlen = 0, qcap = 0, fed = 0;

	resp_parser_init(&p);
	f.rc = RESP_NEED_MORE;
	while (fed < len || fed == 0) {
		size_t n = chunk && len - fed > chunk ? chunk : len - fed;
		if (qlen + n + 1 > qcap) {
			qcap = (qlen + n + 1) * 2;
			char *nq = malloc(qcap);
			cr_assert(nq);
			if (qlen)
				memcpy(nq, qb, qlen);
			free(qb);
			qb = nq;
		}
		memcpy(qb + qlen, in + fed, n);
		qlen += n;
		fed += n;
		for (;;) {
			const resp_arg_t *argv;
			int argc;
			size_t used;
			int rc = resp_parse(&p, qb, qlen, lim, &argv, &argc,
					    &used);
			cr_assert(used <= qlen);
			if (rc == RESP_OK)
				record(&f, argv, argc);
			memmove(qb, qb + used, qlen - used);
			qlen -= used;
			if (rc != RESP_OK) {
				f.rc = rc;
				f.err = rc < 0 && rc != -ENOMEM
						? resp_parser_strerror(&p, rc)
						: NULL;
				break;
			}
		}
		if (f.rc < 0 || len == 0)
			break;
	}
	if (f.err) {
		/* keep the text valid after the parser is gone */
		static char keep[64];
		snprintf(keep, sizeof(keep), "%s", f.err);
		f.err = keep;
	}
	resp_parser_free(&p);
	free(qb);
	if (!f.out)
		out_add(&f, "", 0);
	return f;
}

#define S(lit) (lit), sizeof(lit) - 1

/* A pipeline mixing multibulk, inline, empty commands and binary data. */
static const char pipeline[] =
	"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\0\r\n\r\n"
	"PING\r\n"
	"\r\n"
	"*0\r\n"
	"  get   \"a b\\x41\\n\" 'it\\'s'\n"
	"*-1\r\n"
	"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
	"*1\r\n$4\r\nPING\r\n"
	"set k v\r\n";
static const char expected[] =
	"SET|key|va\\x00\\x0d\\x0a\n"
	"PING\n"
	"get|a bA\\x0a|it's\n"
	"ECHO|\n"
	"PING\n"
	"set|k|v\n";

Test(resp, pipeline_whole)
{
	feed_t f = run(S(pipeline), 0, NULL);
	cr_assert_str_eq(f.out, expected);
	cr_assert_eq(f.rc, RESP_NEED_MORE);
	free(f.out);
}

Test(resp, pipeline_every_split_point)
{
	size_t n = sizeof(pipeline) - 1;

	for (size_t k = 1; k < n; k++) {
		feed_t f = { 0 };
		resp_parser_t p;
		char buf[sizeof(pipeline)];
		size_t have = 0, used, start = 0;
		const resp_arg_t *argv;
		int argc, rc;

		/* first the prefix [0,k), then the rest, in one buffer that
		 * is compacted between calls */
		resp_parser_init(&p);
		memcpy(buf, pipeline, k);
		have = k;
		for (int round = 0; round < 2; round++) {
			while ((rc = resp_parse(&p, buf + start, have - start,
						NULL, &argv, &argc, &used)) ==
			       RESP_OK) {
				record(&f, argv, argc);
				start += used;
			}
			cr_assert_eq(rc, RESP_NEED_MORE, "split %zu", k);
			start += used;
			memmove(buf, buf + start, have - start);
			have -= start;
			start = 0;
			if (round == 0) {
				memcpy(buf + have, pipeline + k, n - k);
				have += n - k;
			}
		}
		cr_assert_str_eq(f.out, expected, "split at %zu", k);
		cr_assert_eq(have, 0);
		free(f.out);
		resp_parser_free(&p);
	}
}

Test(resp, pipeline_byte_by_byte)
{
	feed_t f = run(S(pipeline), 1, NULL);
	cr_assert_str_eq(f.out, expected);
	free(f.out);
}

Test(resp, consumed_counts_skipped_empty_commands)
{
	char buf[] = "*0\r\n\r\n*-1\r\n*1\r\n$4\r\nPI";
	resp_parser_t p;
	const resp_arg_t *argv;
	int argc;
	size_t used;

	resp_parser_init(&p);
	cr_assert_eq(resp_parse(&p, buf, strlen(buf), NULL, &argv, &argc,
				&used), RESP_NEED_MORE);
	cr_assert_eq(used, 11);
	/* the caller drops those bytes and appends the rest */
	char rest[] = "*1\r\n$4\r\nPING\r\n";
	cr_assert_eq(resp_parse(&p, rest, strlen(rest), NULL, &argv, &argc,
				&used), RESP_OK);
	cr_assert_eq(argc, 1);
	cr_assert_eq(used, strlen(rest));
	cr_assert_eq(memcmp(argv[0].ptr, "PING", 4), 0);
	resp_parser_free(&p);
}

Test(resp, empty_buffer)
{
	resp_parser_t p;
	const resp_arg_t *argv;
	int argc;
	size_t used = 99;

	resp_parser_init(&p);
	cr_assert_eq(resp_parse(&p, NULL, 0, NULL, &argv, &argc, &used),
		     RESP_NEED_MORE);
	cr_assert_eq(used, 0);
	resp_parser_free(&p);
}

/* Redis skips the byte after a header's '\r' and the two bytes after a
 * body without looking at them; clients depend on neither, but matching
 * keeps the same bytes meaning the same commands. */
Test(resp, redis_leniencies)
{
	feed_t f = run(S("*1\r\n$4\r\nPINGxx*1\rX$4\rXPINGxx"), 0, NULL);
	cr_assert_str_eq(f.out, "PING\nPING\n");
	free(f.out);
}

typedef struct bad {
	const char *in;
	size_t len;
	int rc;
	const char *msg;
} bad_t;

#define BAD(lit, rc, msg) { lit, sizeof(lit) - 1, rc, msg }

/* Messages as redis-server 7.0.15 sends them (checked over a socket). */
static const bad_t bads[] = {
	BAD("*abc\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("*\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("*01\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("*+1\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("* 1\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("*2147483648\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("*99999999999999999999\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("*1\nX$4\r\n", RESP_ERR_MBULK_LEN,
	    "Protocol error: invalid multibulk length"),
	BAD("*1\r\n$abc\r\n", RESP_ERR_BULK_LEN,
	    "Protocol error: invalid bulk length"),
	BAD("*1\r\n$\r\n", RESP_ERR_BULK_LEN,
	    "Protocol error: invalid bulk length"),
	BAD("*1\r\n$-1\r\n", RESP_ERR_BULK_LEN,
	    "Protocol error: invalid bulk length"),
	BAD("*1\r\n$04\r\n", RESP_ERR_BULK_LEN,
	    "Protocol error: invalid bulk length"),
	BAD("*1\r\n$536870913\r\n", RESP_ERR_BULK_LEN,
	    "Protocol error: invalid bulk length"),
	BAD("*1\r\nX3\r\nfoo\r\n", RESP_ERR_EXPECTED_DOLLAR,
	    "Protocol error: expected '$', got 'X'"),
	BAD("*2\r\n$1\r\na\r\n:3\r\n", RESP_ERR_EXPECTED_DOLLAR,
	    "Protocol error: expected '$', got ':'"),
	BAD("*1\r\n\r3\r\nfoo\r\n", RESP_ERR_EXPECTED_DOLLAR,
	    "Protocol error: expected '$', got ' '"),
	BAD("*1\r\n\n3\r\nfoo\r\n", RESP_ERR_EXPECTED_DOLLAR,
	    "Protocol error: expected '$', got ' '"),
	BAD("ECHO \"abc\r\n", RESP_ERR_QUOTES,
	    "Protocol error: unbalanced quotes in request"),
	BAD("ECHO \"abc\"d\r\n", RESP_ERR_QUOTES,
	    "Protocol error: unbalanced quotes in request"),
	BAD("ECHO a\"b c\"d\r\n", RESP_ERR_QUOTES,
	    "Protocol error: unbalanced quotes in request"),
	BAD("ECHO 'abc\r\n", RESP_ERR_QUOTES,
	    "Protocol error: unbalanced quotes in request"),
	BAD("ECHO 'a'b\n", RESP_ERR_QUOTES,
	    "Protocol error: unbalanced quotes in request"),
	BAD("ECHO \"a\\\"\r\n", RESP_ERR_QUOTES,
	    "Protocol error: unbalanced quotes in request"),
	BAD("ECHO \"a\\\r\n", RESP_ERR_QUOTES,
	    "Protocol error: unbalanced quotes in request"),
	/* commands before the bad one still come out */
	BAD("*1\r\n$4\r\nPING\r\n*1\r\n$abc\r\n", RESP_ERR_BULK_LEN,
	    "Protocol error: invalid bulk length"),
};

Test(resp, protocol_errors_whole_and_byte_by_byte)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		for (size_t chunk = 0; chunk < 2; chunk++) {
			feed_t f = run(bads[i].in, bads[i].len, chunk, NULL);
			cr_assert_eq(f.rc, bads[i].rc, "case %zu chunk %zu: %d",
				     i, chunk, f.rc);
			cr_assert_str_eq(f.err, bads[i].msg, "case %zu", i);
			cr_assert_eq(f.ncmds, i == sizeof(bads) / sizeof(bads[0]) - 1,
				     "case %zu", i);
			free(f.out);
		}
	}
}

Test(resp, strerror_table)
{
	cr_assert_str_eq(resp_strerror(RESP_ERR_INLINE_TOO_BIG),
			 "Protocol error: too big inline request");
	cr_assert_str_eq(resp_strerror(RESP_ERR_MBULK_STR_TOO_BIG),
			 "Protocol error: too big mbulk count string");
	cr_assert_str_eq(resp_strerror(RESP_ERR_BULK_STR_TOO_BIG),
			 "Protocol error: too big bulk count string");
	cr_assert_str_eq(resp_strerror(RESP_ERR_UNAUTH_MBULK),
			 "Protocol error: unauthenticated multibulk length");
	cr_assert_str_eq(resp_strerror(RESP_ERR_UNAUTH_BULK),
			 "Protocol error: unauthenticated bulk length");
	cr_assert_null(resp_strerror(0));
	cr_assert_null(resp_strerror(RESP_NEED_MORE));
	cr_assert_null(resp_strerror(-ENOMEM));
	cr_assert_null(resp_strerror(RESP_ERR_UNAUTH_BULK + 1));
}

/* An unterminated line is refused once it passes 64 KB, and not before
 * (redis-server: 65536 bytes pending is fine, 65537 is not). */
static void too_big(const char *prefix, char fill, int err)
{
	size_t plen = strlen(prefix), n = plen + 65536 + 1;
	char *in = malloc(n);

	memcpy(in, prefix, plen);
	memset(in + plen, fill, n - plen);
	/* 64 KB pending after the line start: still waiting */
	size_t line_start = prefix[0] == '*' && plen > 1 ? 4 : 0;
	feed_t f = run(in, line_start + 65536, 4096, NULL);
	cr_assert_eq(f.rc, RESP_NEED_MORE, "%s", prefix);
	free(f.out);
	f = run(in, line_start + 65537, 4096, NULL);
	cr_assert_eq(f.rc, err, "%s: %d", prefix, f.rc);
	free(f.out);
	/* and byte by byte: the line end search resumes, no rescans */
	f = run(in, line_start + 65537, 1, NULL);
	cr_assert_eq(f.rc, err, "%s", prefix);
	free(f.out);
	free(in);
}

Test(resp, too_big_lines)
{
	too_big("GET ", 'a', RESP_ERR_INLINE_TOO_BIG);
	too_big("*", '1', RESP_ERR_MBULK_STR_TOO_BIG);
	too_big("*1\r\n$", '1', RESP_ERR_BULK_STR_TOO_BIG);
}

/* Redis checks the 64 KB only while no line end has arrived: a longer
 * line that arrives whole is a command. */
Test(resp, long_inline_line_arriving_whole)
{
	size_t n = 100000;
	char *in = malloc(n + 2);

	memcpy(in, "GET ", 4);
	memset(in + 4, 'k', n - 4);
	memcpy(in + n, "\r\n", 2);
	feed_t f = run(in, n + 2, 0, NULL);
	cr_assert_eq(f.ncmds, 1);
	cr_assert_eq(f.rc, RESP_NEED_MORE);
	free(f.out);
	free(in);
}

Test(resp, limits_refuse_before_data)
{
	resp_limits_t lim = RESP_LIMITS_DEFAULT;

	lim.max_bulk_len = 10;
	feed_t f = run(S("*1\r\n$11\r\n"), 0, &lim);
	cr_assert_eq(f.rc, RESP_ERR_BULK_LEN);
	free(f.out);
	f = run(S("*1\r\n$10\r\n0123456789\r\n"), 0, &lim);
	cr_assert_eq(f.ncmds, 1);
	free(f.out);

	lim = RESP_LIMITS_DEFAULT;
	lim.max_multibulk_len = 3;
	f = run(S("*4\r\n"), 0, &lim);
	cr_assert_eq(f.rc, RESP_ERR_MBULK_LEN);
	free(f.out);

	/* proto-max-bulk-len default: 512 MB is announced and awaited */
	f = run(S("*1\r\n$536870912\r\n"), 0, NULL);
	cr_assert_eq(f.rc, RESP_NEED_MORE);
	free(f.out);
}

Test(resp, unauthenticated_limits)
{
	resp_limits_t lim = RESP_LIMITS_DEFAULT;

	lim.auth_required = true;
	feed_t f = run(S("*10\r\n"), 0, &lim);
	cr_assert_eq(f.rc, RESP_NEED_MORE);
	free(f.out);
	f = run(S("*11\r\n"), 0, &lim);
	cr_assert_eq(f.rc, RESP_ERR_UNAUTH_MBULK);
	cr_assert_str_eq(f.err,
			 "Protocol error: unauthenticated multibulk length");
	free(f.out);
	f = run(S("*1\r\n$16384\r\n"), 0, &lim);
	cr_assert_eq(f.rc, RESP_NEED_MORE);
	free(f.out);
	f = run(S("*1\r\n$16385\r\n"), 0, &lim);
	cr_assert_eq(f.rc, RESP_ERR_UNAUTH_BULK);
	free(f.out);
	/* validity is checked first, as in Redis */
	f = run(S("*1\r\n$-2\r\n"), 0, &lim);
	cr_assert_eq(f.rc, RESP_ERR_BULK_LEN);
	free(f.out);
}

/* A header announcing two billion arguments allocates nothing until the
 * arguments actually arrive. */
Test(resp, announced_count_allocates_nothing)
{
	char buf[] = "*2147483647\r\n$1\r\na\r\n$1\r\nb\r\n";
	resp_parser_t p;
	const resp_arg_t *argv;
	int argc;
	size_t used;

	resp_parser_init(&p);
	cr_assert_eq(resp_parse(&p, buf, strlen(buf), NULL, &argv, &argc,
				&used), RESP_NEED_MORE);
	cr_assert_eq(used, 0);
	cr_assert_eq(p.cap, RESP_ARGV_INLINE);
	cr_assert_eq(p.spans, p.spans_inline);
	resp_parser_free(&p);
}

static char *encode(int argc, const resp_arg_t *argv, size_t *len)
{
	size_t n = resp_encode_command(NULL, 0, argc, argv);
	char *out = malloc(n);

	cr_assert(out);
	cr_assert_eq(resp_encode_command(out, n, argc, argv), n);
	*len = n;
	return out;
}

Test(resp, hundred_thousand_args)
{
	enum { N = 100001 };
	resp_arg_t *args = malloc(N * sizeof(*args));
	char (*keys)[12] = malloc(N * sizeof(*keys));
	size_t len;

	args[0] = (resp_arg_t){ "MSET", 4 };
	for (int i = 1; i < N; i++) {
		int n = snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		args[i] = (resp_arg_t){ keys[i], (size_t)n };
	}
	char *req = encode(N, args, &len);

	for (int round = 0; round < 2; round++) {
		size_t chunk = round ? 16384 : len;
		resp_parser_t p;
		const resp_arg_t *argv = NULL;
		int argc = 0, rc = RESP_NEED_MORE;
		size_t used, have = 0;

		resp_parser_init(&p);
		while (rc == RESP_NEED_MORE && have < len) {
			have += len - have < chunk ? len - have : chunk;
			rc = resp_parse(&p, req, have, NULL, &argv, &argc,
					&used);
		}
		cr_assert_eq(rc, RESP_OK);
		cr_assert_eq(used, len);
		cr_assert_eq(argc, N);
		for (int i = 0; i < N; i++) {
			cr_assert_eq(argv[i].len, args[i].len);
			cr_assert_eq(memcmp(argv[i].ptr, args[i].ptr,
					    args[i].len), 0, "arg %d", i);
		}
		/* the big arrays go back when the next command starts */
		char ping[] = "PING\n";
		cr_assert_eq(resp_parse(&p, ping, 5, NULL, &argv, &argc,
					&used), RESP_OK);
		cr_assert_eq(p.cap, RESP_ARGV_INLINE);
		resp_parser_free(&p);
	}
	free(req);
	free(keys);
	free(args);
}

/* A 32 MB value arriving in 1 KB pieces: 32k calls.  If each call rescanned
 * the body this would take minutes; it must take well under a second. */
Test(resp, big_bulk_in_pieces_is_linear)
{
	size_t vlen = 32u << 20;
	char *val = malloc(vlen);
	size_t len;

	memset(val, 'v', vlen);
	val[100] = '\r'; /* line ends inside the body are not headers */
	val[101] = '\n';
	resp_arg_t args[] = { { "SET", 3 }, { "big", 3 }, { val, vlen } };
	char *req = encode(3, args, &len);
	resp_parser_t p;
	const resp_arg_t *argv;
	int argc, rc = RESP_NEED_MORE;
	size_t used, have = 0;
	clock_t t0 = clock();

	resp_parser_init(&p);
	while (rc == RESP_NEED_MORE) {
		have += len - have < 1024 ? len - have : 1024;
		rc = resp_parse(&p, req, have, NULL, &argv, &argc, &used);
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	cr_assert_eq(rc, RESP_OK);
	cr_assert_eq(argc, 3);
	cr_assert_eq(argv[2].len, vlen);
	cr_assert_eq(argv[2].ptr, req + (len - vlen - 2));
	cr_assert_lt(secs, 1.0, "took %.2fs", secs);
	resp_parser_free(&p);
	free(req);
	free(val);
}

Test(resp, binary_safe_and_empty_bulks)
{
	static const char in[] = "*4\r\n$3\r\nSET\r\n$0\r\n\r\n"
				 "$6\r\n\r\n\0\r\n\0\r\n$2\r\n$3\r\n";
	feed_t f = run(in, sizeof(in) - 1, 1, NULL);
	cr_assert_str_eq(f.out,
			 "SET||\\x0d\\x0a\\x00\\x0d\\x0a\\x00|$3\n");
	free(f.out);
}

typedef struct inl {
	const char *in;
	const char *out;
} inl_t;

/* Outputs as redis-server splits them (sdssplitargs). */
static const inl_t inlines[] = {
	{ "PING\n", "PING\n" },
	{ "  PING  \r\n", "PING\n" },
	{ "\v\fECHO x\r\n", "ECHO|x\n" },
	{ "ECHO a\vb\r\n", "ECHO|a\\x0bb\n" },
	{ "ECHO \"a\"\v\r\n", "ECHO|a\n" },
	{ "SET \"\" ''\n", "SET||\n" },
	{ "ECHO \"\\x41\\x4a\\x4g\\n\\r\\t\\b\\a\\\\\\\"\\z\"\n",
	  "ECHO|AJx4g\\x0a\\x0d\\x09\\x08\\x07\\x5c\"z\n" },
	{ "ECHO 'a\\'b\\n'\n", "ECHO|a'b\\x5cn\n" },
	{ "ECHO a\"b c\" 'd'\n", "ECHO|ab c|d\n" },
	{ "ECHO \"x\"\t'y'\n", "ECHO|x|y\n" },
	{ "GET a\r\r\n", "GET|a\n" },
	{ "a\tb\rc\n", "a|b|c\n" },
	{ "\r\n \n\t\r\nPING\n", "PING\n" },
	{ "ECHO \"\\xff\\x00z\"\n", "ECHO|\\xff\\x00z\n" },
};

Test(resp, inline_quoting)
{
	for (size_t i = 0; i < sizeof(inlines) / sizeof(inlines[0]); i++) {
		for (size_t chunk = 0; chunk < 2; chunk++) {
			feed_t f = run(inlines[i].in, strlen(inlines[i].in),
				       chunk, NULL);
			cr_assert_eq(f.rc, RESP_NEED_MORE, "case %zu", i);
			cr_assert_str_eq(f.out, inlines[i].out, "case %zu", i);
			free(f.out);
		}
	}
}

Test(resp, split_next_on_a_line)
{
	char line[] = "set \"k 1\" v\\x  'q'";
	char *pos = line;
	resp_arg_t a;
	const char *want[] = { "set", "k 1", "v\\x", "q" };

	for (int i = 0; i < 4; i++) {
		cr_assert_eq(resp_split_next(&pos, line + strlen(line), &a), 1);
		cr_assert_eq(a.len, strlen(want[i]));
		cr_assert_eq(memcmp(a.ptr, want[i], a.len), 0, "arg %d", i);
	}
	cr_assert_eq(resp_split_next(&pos, line + strlen(line), &a), 0);

	char bad[] = "a \"b";
	pos = bad;
	cr_assert_eq(resp_split_next(&pos, bad + 4, &a), 1);
	cr_assert_eq(resp_split_next(&pos, bad + 4, &a), RESP_ERR_QUOTES);

	/* a NUL ends the line, as in sdssplitargs */
	char nul[] = "a\0b";
	pos = nul;
	cr_assert_eq(resp_split_next(&pos, nul + 3, &a), 1);
	cr_assert_eq(resp_split_next(&pos, nul + 3, &a), 0);
}

Test(resp, encoder)
{
	resp_arg_t args[] = { { "SET", 3 }, { "k", 1 }, { "", 0 },
			      { "a\0\r\nb", 5 } };
	static const char want[] = "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
				   "$5\r\na\0\r\nb\r\n";
	char out[128];
	size_t n = resp_encode_command(out, sizeof(out), 4, args);

	cr_assert_eq(n, sizeof(want) - 1);
	cr_assert_eq(memcmp(out, want, n), 0);

	/* too small: reports the size, writes nothing */
	memset(out, 'z', sizeof(out));
	cr_assert_eq(resp_encode_command(out, n - 1, 4, args), n);
	cr_assert_eq(out[0], 'z');

	/* round trip */
	feed_t f = run(out, resp_encode_command(out, sizeof(out), 4, args), 0,
		       NULL);
	cr_assert_str_eq(f.out, "SET|k||a\\x00\\x0d\\x0ab\n");
	free(f.out);

	cr_assert_eq(resp_encode_command(out, sizeof(out), 0, NULL), 4);
	cr_assert_eq(memcmp(out, "*0\r\n", 4), 0);
}

Test(resp, reset_forgets_partial_command)
{
	char part[] = "*2\r\n$3\r\nGET\r\n";
	char full[] = "PING\r\n";
	resp_parser_t p;
	const resp_arg_t *argv;
	int argc;
	size_t used;

	resp_parser_init(&p);
	cr_assert_eq(resp_parse(&p, part, strlen(part), NULL, &argv, &argc,
				&used), RESP_NEED_MORE);
	resp_parser_reset(&p);
	cr_assert_eq(resp_parse(&p, full, strlen(full), NULL, &argv, &argc,
				&used), RESP_OK);
	cr_assert_eq(argc, 1);
	resp_parser_free(&p);
}
