/*
 * resp_reply.c - framing of RESP2/RESP3 replies for clients (resp_reply.h).
 *
 * One pass over the buffer with an explicit stack of open aggregates instead
 * of recursion, so a hostile reply can neither overflow the C stack nor make
 * us allocate.  Each stack frame counts the elements its aggregate still
 * waits for; streamed aggregates wait for a '.' instead, and attributes
 * complete without counting as an element of their parent.
 */
#include "resp_reply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "resp.h"

/* Longest header line with a length in it: "$" + 20 digits + sign + CRLF. */
#define LEN_LINE_MAX 32

enum frame_kind { FR_COUNTED, FR_STREAMED, FR_ATTR };

struct frame {
	int64_t left;   /* elements still expected (FR_COUNTED, FR_ATTR) */
	enum frame_kind kind;
};

/* Finds the CRLF that ends the line starting at @p.  Returns the offset of
 * the '\r', -1 for need-more, -2 for a bare LF (not RESP). */
static long line_end(const char *buf, size_t len, size_t p, size_t max)
{
	size_t avail = len - p;
	const char *lf = memchr(buf + p, '\n', avail < max ? avail : max);
	if (!lf)
		return avail < max ? -1 : -2;
	size_t at = (size_t)(lf - buf);
	if (at == p || buf[at - 1] != '\r')
		return -2;
	return (long)(at - 1);
}

/* Parses the signed decimal in buf[p..end).  Returns false if it is not one
 * (empty, stray characters, more than 18 digits). */
static bool parse_len(const char *buf, size_t p, size_t end, int64_t *out)
{
	bool neg = false;
	int64_t v = 0;
	if (p < end && buf[p] == '-') {
		neg = true;
		p++;
	}
	if (p == end || end - p > 18)
		return false;
	for (; p < end; p++) {
		if (buf[p] < '0' || buf[p] > '9')
			return false;
		v = v * 10 + (buf[p] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

/* Scans "$?" chunks starting at @p (just past the "$?\r\n" line).
 * Returns the offset past ";0\r\n", 0 for need-more, -EPROTO. */
static long scan_streamed_string(const char *buf, size_t len, size_t p)
{
	for (;;) {
		if (p >= len)
			return 0;
		if (buf[p] != ';')
			return -EPROTO;
		long e = line_end(buf, len, p, LEN_LINE_MAX);
		if (e == -1)
			return 0;
		int64_t n;
		if (e < 0 || !parse_len(buf, p + 1, (size_t)e, &n) || n < 0)
			return -EPROTO;
		p = (size_t)e + 2;
		if (n == 0)
			return (long)p;
		if (len - p < (size_t)n + 2)
			return 0;
		if (buf[p + n] != '\r' || buf[p + n + 1] != '\n')
			return -EPROTO;
		p += (size_t)n + 2;
	}
}

long resp_reply_scan(const char *buf, size_t len, resp_reply_info_t *info)
{
	struct frame st[RESP_REPLY_MAX_DEPTH];
	int depth = 0;
	size_t p = 0;
	resp_reply_info_t out = {0, 0};

	for (;;) {
		if (p >= len)
			return 0;
		char t = buf[p];
		bool top = depth == 0;
		/* strchr also matches the string's NUL: rule that byte out. */
		bool counted_len = t && strchr("$!=*%~>|", t) != NULL;
		long e = line_end(buf, len, p, counted_len ? LEN_LINE_MAX : SIZE_MAX);
		if (e == -1)
			return 0;
		if (e < 0)
			return -EPROTO;
		size_t body = p + 1, next = (size_t)e + 2;
		int64_t n = 0;
		bool streamed = counted_len && (size_t)e == body + 1 && buf[body] == '?';
		if (counted_len && !streamed && !parse_len(buf, body, (size_t)e, &n))
			return -EPROTO;
		if (top && t != '|') {
			out.type = t;
			if (t == '-' || t == '!')
				out.flags |= RESP_REPLY_ERROR;
			if (t == '>')
				out.flags |= RESP_REPLY_PUSH;
		}

		switch (t) {
		case '+': case '-': case ':': case ',': case '#': case '(': case '_':
			if (t == '_' && (size_t)e != body)
				return -EPROTO;
			if (t == '_' && top)
				out.flags |= RESP_REPLY_NULL;
			p = next;
			break;
		case '$': case '!': case '=':
			if (streamed) {
				if (t != '$')
					return -EPROTO;
				long r = scan_streamed_string(buf, len, next);
				if (r <= 0)
					return r;
				p = (size_t)r;
				break;
			}
			if (n < 0) {
				if (n != -1 || t != '$')
					return -EPROTO;
				if (top)
					out.flags |= RESP_REPLY_NULL;
				p = next;
				break;
			}
			if (len - next < (size_t)n + 2)
				return 0;
			if (buf[next + n] != '\r' || buf[next + n + 1] != '\n')
				return -EPROTO;
			p = next + (size_t)n + 2;
			break;
		case '*': case '%': case '~': case '>': case '|':
			p = next;
			if (streamed) {
				if (t == '>' || t == '|')
					return -EPROTO;
				if (depth == RESP_REPLY_MAX_DEPTH)
					return -EPROTO;
				st[depth++] = (struct frame){0, FR_STREAMED};
				continue;
			}
			if (n < 0) {
				if (n != -1 || t != '*')
					return -EPROTO;
				if (top)
					out.flags |= RESP_REPLY_NULL;
				break;
			}
			if (t == '%' || t == '|')
				n *= 2; /* key and value each count */
			if (n == 0 && t != '|')
				break;  /* an empty aggregate is complete at once */
			if (n == 0)
				continue; /* an empty attribute annotates what follows */
			if (depth == RESP_REPLY_MAX_DEPTH)
				return -EPROTO;
			st[depth++] = (struct frame){n, t == '|' ? FR_ATTR : FR_COUNTED};
			continue;
		case '.':
			/* End of a streamed aggregate: it completes as one element. */
			if ((size_t)e != body || depth == 0 ||
			    st[depth - 1].kind != FR_STREAMED)
				return -EPROTO;
			depth--;
			p = next;
			break;
		default:
			return -EPROTO;
		}

		/* An element just ended at p: close every aggregate it fills. */
		for (;;) {
			if (depth == 0) {
				if (info)
					*info = out;
				return (long)p;
			}
			struct frame *f = &st[depth - 1];
			if (f->kind == FR_STREAMED || --f->left > 0)
				break;
			depth--;
			if (f->kind == FR_ATTR)
				break; /* the annotated element is still to come */
		}
	}
}
