/*
 * resp_split.c - sdssplitargs' rules for one line (see resp_split.h).
 *
 * Threads: no shared state.
 */
#include "resp_split.h"

#include <stddef.h>

/* sdssplitargs treats the line as a C string: a NUL (or the end) stops it. */
static int at(const char *p, const char *end, size_t i)
{
	return p + i < end ? (unsigned char)p[i] : 0;
}

/* isspace() in the C locale, without depending on the process locale. */
static int blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char unescape(int c)
{
	switch (c) {
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'b': return '\b';
	case 'a': return '\a';
	default: return (char)c;
	}
}

/* A closing quote must be followed by a blank or the end of the line. */
static int quote_closes(const char *p, const char *end)
{
	int next = at(p, end, 1);

	return next == 0 || blank(next);
}

/* Decodes in place: the write cursor never passes the read cursor, because
 * every step writes at most one byte and reads at least one. */
int resp_split_next(char **pos, char *end, resp_arg_t *arg)
{
	char *p = *pos;
	int inq = 0, insq = 0;

	while (at(p, end, 0) && blank(at(p, end, 0)))
		p++;
	if (!at(p, end, 0)) {
		*pos = p;
		return 0;
	}
	char *w = p;
	arg->ptr = p;
	for (;;) {
		int c = at(p, end, 0);

		if (inq) {
			if (c == '\\' && at(p, end, 1) == 'x' &&
			    hexval(at(p, end, 2)) >= 0 &&
			    hexval(at(p, end, 3)) >= 0) {
				*w++ = (char)(hexval(p[2]) * 16 + hexval(p[3]));
				p += 4;
			} else if (c == '\\' && at(p, end, 1)) {
				*w++ = unescape((unsigned char)p[1]);
				p += 2;
			} else if (c == '"') {
				if (!quote_closes(p, end))
					return RESP_ERR_QUOTES;
				p++;
				break;
			} else if (c == 0) {
				return RESP_ERR_QUOTES;
			} else {
				*w++ = (char)c;
				p++;
			}
		} else if (insq) {
			if (c == '\\' && at(p, end, 1) == '\'') {
				*w++ = '\'';
				p += 2;
			} else if (c == '\'') {
				if (!quote_closes(p, end))
					return RESP_ERR_QUOTES;
				p++;
				break;
			} else if (c == 0) {
				return RESP_ERR_QUOTES;
			} else {
				*w++ = (char)c;
				p++;
			}
		} else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
			p++;
			break;
		} else if (c == 0) {
			break;
		} else if (c == '"') {
			inq = 1;
			p++;
		} else if (c == '\'') {
			insq = 1;
			p++;
		} else {
			*w++ = (char)c;
			p++;
		}
	}
	arg->len = (size_t)(w - arg->ptr);
	*pos = p;
	return 1;
}
