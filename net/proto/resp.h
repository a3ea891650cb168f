/*
 * resp.h - the server side of RESP: an incremental, zero-copy parser for the
 * requests clients send (multibulk "*N\r\n$len\r\n..." and inline "GET k\n"),
 * and a request encoder for clients, tests and benchmarks (the inline
 * argument splitter is resp_split.h).
 *
 * Behaviour follows Redis 7.0's processMultibulkBuffer / processInlineBuffer
 * byte for byte where a client can see it: same error strings, same
 * leniencies (the two bytes after a bulk body and the byte after a header's
 * '\r' are skipped unchecked, as Redis does), same limits.
 *
 * Threads: a parser is owned by one connection and used by one thread at a
 * time; everything else is a pure function of its arguments.
 */
#ifndef FLASHKV_RESP_H
#define FLASHKV_RESP_H

#include <stdbool.h>
#include <stddef.h>

/* Return codes of resp_parse().  Protocol errors are negative but far from
 * errno values, so -ENOMEM (the only errno it returns) stays distinct. */
enum {
	RESP_OK = 0,        /* one complete command */
	RESP_NEED_MORE = 1, /* incomplete: append bytes and call again */

	RESP_ERR_MBULK_LEN = -1000,  /* invalid multibulk length */
	RESP_ERR_BULK_LEN,           /* invalid bulk length */
	RESP_ERR_EXPECTED_DOLLAR,    /* expected '$', got 'X' */
	RESP_ERR_INLINE_TOO_BIG,     /* too big inline request */
	RESP_ERR_MBULK_STR_TOO_BIG,  /* too big mbulk count string */
	RESP_ERR_BULK_STR_TOO_BIG,   /* too big bulk count string */
	RESP_ERR_QUOTES,             /* unbalanced quotes in request */
	RESP_ERR_UNAUTH_MBULK,       /* unauthenticated multibulk length */
	RESP_ERR_UNAUTH_BULK,        /* unauthenticated bulk length */
};

/* Redis's defaults (PROTO_INLINE_MAX_SIZE, proto-max-bulk-len, INT_MAX). */
#define RESP_INLINE_MAX_DEFAULT ((size_t)64 * 1024)
#define RESP_BULK_MAX_DEFAULT ((long long)512 * 1024 * 1024)
#define RESP_MBULK_MAX_DEFAULT 2147483647LL
/* Before AUTH, Redis refuses bigger requests so that an unauthenticated
 * client cannot make the server buffer much. */
#define RESP_UNAUTH_MBULK_MAX 10
#define RESP_UNAUTH_BULK_MAX 16384
/* Args kept inside the parser; only longer commands allocate. */
#define RESP_ARGV_INLINE 16

/* Limits checked as soon as a length header is read, before any byte of
 * the announced data is waited for or anything is allocated for it. */
typedef struct resp_limits {
	long long max_bulk_len;      /* proto-max-bulk-len */
	long long max_multibulk_len; /* args per command; Redis: INT_MAX */
	size_t max_inline_len;       /* unterminated inline line / header */
	bool auth_required;          /* apply the RESP_UNAUTH_* limits */
} resp_limits_t;

#define RESP_LIMITS_DEFAULT                                                  \
	((resp_limits_t){ .max_bulk_len = RESP_BULK_MAX_DEFAULT,             \
			  .max_multibulk_len = RESP_MBULK_MAX_DEFAULT,       \
			  .max_inline_len = RESP_INLINE_MAX_DEFAULT,         \
			  .auth_required = false })

/* One argument: points into the caller's buffer, not NUL-terminated. */
typedef struct resp_arg {
	const char *ptr;
	size_t len;
} resp_arg_t;

/* Where one argument lies, relative to the start of its command.  Offsets,
 * not pointers, so the caller may move its buffer between calls. */
typedef struct resp_span {
	size_t off;
	size_t len;
} resp_span_t;

/* State of one connection's half-received command.  Embed it in the
 * connection; fields are private. */
typedef struct resp_parser {
	int kind;            /* 0 between commands, else '*' or inline */
	int argc;            /* args located so far */
	int cap;             /* capacity of spans and argv */
	long long remaining; /* multibulk args not yet located */
	long long bulklen;   /* body length of the current arg, -1: header */
	size_t pos;          /* next unparsed byte, from the command start */
	size_t scan;         /* where the search for a line end resumes */
	resp_span_t *spans;
	resp_arg_t *argv;
	resp_span_t spans_inline[RESP_ARGV_INLINE];
	resp_arg_t argv_inline[RESP_ARGV_INLINE];
	char errmsg[48];     /* text of RESP_ERR_EXPECTED_DOLLAR */
} resp_parser_t;

void resp_parser_init(resp_parser_t *p);
/* Forgets a half-parsed command and gives back memory grown for a big one. */
void resp_parser_reset(resp_parser_t *p);
void resp_parser_free(resp_parser_t *p);

/* Parses the next command from @buf[0..@len): the bytes not yet consumed,
 * i.e. on each call @buf must start where the previous call's *@consumed
 * ended (the caller may compact or realloc its buffer in between: the
 * parser keeps offsets only).  Empty commands (*0, *-1, blank inline lines)
 * are skipped.  @lim may be NULL for the defaults.
 *
 * Returns
 *   RESP_OK: a command; *@argv / *@argc describe it (argc >= 1), pointing
 *     into @buf.  They stay valid until the next call or until @buf is
 *     changed.  *@consumed counts this command and any empty ones before it.
 *   RESP_NEED_MORE: no complete command.  *@consumed bytes (empty commands
 *     only) may be dropped; the partial command after them is remembered
 *     so that bytes are not rescanned: a 500 MB value arriving in pieces
 *     costs O(1) per call once its header is read.
 *   RESP_ERR_*: protocol error, text from resp_parser_strerror(); the
 *     connection must be closed after replying.  *@consumed counts the
 *     empty commands before the bad one.
 *   -ENOMEM: growing the argument array failed.
 * After an error the parser must be reset before it is used again.
 *
 * Divergence from Redis: a NUL byte inside an inline line or a length
 * header makes Redis (which searches with strchr) wait for more data
 * until the 64 KB limit; here the line is found and judged at once (an
 * inline NUL ends the line's arguments, as in sdssplitargs).
 *
 * Ownership: inline commands are unquoted in place, so bytes of the
 * returned (consumed) line may be rewritten; multibulk bytes are never
 * written.  Argument arrays grow with the arguments actually received,
 * never with an announced count. */
int resp_parse(resp_parser_t *p, char *buf, size_t len,
	       const resp_limits_t *lim, const resp_arg_t **argv, int *argc,
	       size_t *consumed);

/* The message Redis sends for @err, without the "-ERR " prefix and CRLF;
 * NULL if @err is not a RESP_ERR_* code.  For RESP_ERR_EXPECTED_DOLLAR it
 * cannot know the byte: use resp_parser_strerror(). */
const char *resp_strerror(int err);
/* Exact message for the error @p last returned, e.g.
 * "Protocol error: expected '$', got 'X'". */
const char *resp_parser_strerror(const resp_parser_t *p, int err);

/* Writes the request *argc\r\n$len\r\narg\r\n... into @out when it fits in
 * @cap bytes.  Returns the number of bytes the request takes, whether or
 * not it fit (so call with cap 0 to size a buffer). */
size_t resp_encode_command(char *out, size_t cap, int argc,
			   const resp_arg_t *argv);

#endif
