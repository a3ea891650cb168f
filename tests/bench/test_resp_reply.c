/*
 * test_resp_reply.c - the client-side reply scanner (net/resp_reply.h):
 * every RESP2 and RESP3 type, nesting, attributes, streamed replies, the
 * "need more" answer for every proper prefix, and malformed input.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/proto/resp_reply.h"

/* Checks that @s is one whole reply of type @type and @flags, that every
 * proper prefix asks for more, and that a second reply behind it is left
 * alone. */
static void whole(const char *s, char type, unsigned flags)
{
	size_t n = strlen(s);
	resp_reply_info_t info = {0, 0};
	cr_assert_eq(resp_reply_scan(s, n, &info), (long)n, "scan of %s", s);
	cr_assert_eq(info.type, type, "type of %s", s);
	cr_assert_eq(info.flags, flags, "flags of %s", s);
	for (size_t k = 0; k < n; k++)
		cr_assert_eq(resp_reply_scan(s, k, NULL), 0,
		    "prefix %zu of %s not 'need more'", k, s);
	char *two = malloc(2 * n + 8);
	sprintf(two, "%s+OK\r\n", s);
	cr_assert_eq(resp_reply_scan(two, strlen(two), NULL), (long)n);
	free(two);
}

static void bad(const char *s)
{
	cr_assert_eq(resp_reply_scan(s, strlen(s), NULL), -EPROTO,
	    "'%s' accepted", s);
}

Test(resp_reply, resp2_types)
{
	whole("+OK\r\n", '+', 0);
	whole("-ERR unknown command 'FOO'\r\n", '-', RESP_REPLY_ERROR);
	whole(":12345\r\n", ':', 0);
	whole(":-1\r\n", ':', 0);
	whole("$5\r\nhello\r\n", '$', 0);
	whole("$0\r\n\r\n", '$', 0);
	whole("$-1\r\n", '$', RESP_REPLY_NULL);
	whole("*-1\r\n", '*', RESP_REPLY_NULL);
	whole("*0\r\n", '*', 0);
	whole("*3\r\n$3\r\nfoo\r\n$-1\r\n:7\r\n", '*', 0);
	/* Bulk bodies may hold CR, LF and NUL: they are skipped by length. */
	static const char bin[] = "$6\r\na\r\n\0b\n\r\n";
	cr_assert_eq(resp_reply_scan(bin, sizeof(bin) - 1, NULL), (long)sizeof(bin) - 1);
}

Test(resp_reply, resp3_types)
{
	whole("_\r\n", '_', RESP_REPLY_NULL);
	whole(",3.14\r\n", ',', 0);
	whole(",inf\r\n", ',', 0);
	whole("#t\r\n", '#', 0);
	whole("(3492890328409238509324850943850943825024385\r\n", '(', 0);
	whole("!21\r\nSYNTAX invalid syntax\r\n", '!', RESP_REPLY_ERROR);
	whole("=15\r\ntxt:Some string\r\n", '=', 0);
	whole("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", '%', 0);
	whole("~3\r\n+a\r\n+b\r\n+c\r\n", '~', 0);
	whole(">3\r\n$9\r\nsubscribe\r\n$3\r\nfoo\r\n:1\r\n", '>', RESP_REPLY_PUSH);
	whole("%0\r\n", '%', 0);
}

Test(resp_reply, nested_aggregates)
{
	whole("*2\r\n*2\r\n:1\r\n:2\r\n%1\r\n+k\r\n*1\r\n~1\r\n_\r\n", '*', 0);
	/* The EXEC shape: an error inside an array is not a top-level error. */
	whole("*2\r\n+OK\r\n-ERR wrong type\r\n", '*', 0);
	/* Exactly RESP_REPLY_MAX_DEPTH levels is fine, one more is not. */
	char deep[1024] = "", *p = deep;
	for (int i = 0; i < RESP_REPLY_MAX_DEPTH; i++)
		p += sprintf(p, "*1\r\n");
	strcpy(p, ":1\r\n");
	whole(deep, '*', 0);
	memmove(deep + 4, deep, strlen(deep) + 1);
	memcpy(deep, "*1\r\n", 4);
	bad(deep);
}

Test(resp_reply, attributes_go_with_their_reply)
{
	/* An attribute, then the reply it annotates: one unit, typed by the
	 * reply. */
	whole("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n",
	    '*', 0);
	whole("|1\r\n+ttl\r\n:3600\r\n-ERR no\r\n", '-', RESP_REPLY_ERROR);
	/* Inside an array, an attribute does not count as an element. */
	whole("*2\r\n:1\r\n|1\r\n+a\r\n+b\r\n:2\r\n", '*', 0);
}

Test(resp_reply, streamed)
{
	whole("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n", '$', 0);
	whole("*?\r\n:1\r\n:2\r\n:3\r\n.\r\n", '*', 0);
	whole("%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n", '%', 0);
	whole("*2\r\n~?\r\n+x\r\n.\r\n:5\r\n", '*', 0);
	whole("*?\r\n.\r\n", '*', 0);
}

Test(resp_reply, malformed)
{
	bad("?\r\n");
	bad("\r\n");
	bad("$abc\r\n");
	bad("$-2\r\n");
	bad("*-2\r\n");
	bad("%-1\r\n");
	bad("!-1\r\n");
	bad("$3\r\nfooXY");       /* no CRLF after the body */
	bad("+OK\n");             /* bare LF */
	bad("_x\r\n");
	bad(".\r\n");             /* end of a stream that never began */
	bad("$?\r\n;x\r\n");
	bad("$?\r\nfoo\r\n");
	bad(">?\r\n");
	bad("$123456789012345678901234567890\r\n"); /* length too long */
	bad("$1234567890123456789012345678901234567890");
	/* A simple string may be long: no CRLF yet means more to come. */
	char big[10000];
	memset(big, 'x', sizeof(big));
	big[0] = '+';
	cr_assert_eq(resp_reply_scan(big, sizeof(big), NULL), 0);
}
