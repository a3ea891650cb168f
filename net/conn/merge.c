/*
 * merge.c - gather the parts of a fanned-out command into the one reply
 * Redis would have sent: sums (DEL, EXISTS, DBSIZE), +OK (MSET, FLUSHALL),
 * concatenated arrays (KEYS), elements back in key order (MGET), the first
 * non-null (RANDOMKEY), or whatever the request's fold makes of the parts
 * (INFO's shard statistics).
 *
 * Parts arrive in any order; each is a complete RESP reply from one shard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "net/proto/resp_reply.h"
#include "store/base/errors.h"
#include "store/base/num.h"

void merge_free(req_t *req)
{
	if (req->parts) {
		for (unsigned i = 0; i < req->nparts; i++)
			reply_free(&req->parts[i]);
		free(req->parts);
		req->parts = NULL;
	}
	free(req->key_part);
	req->key_part = NULL;
	free(req->extra);
	req->extra = NULL;
	req->nkeys = 0;
}

/* The number of ":123\r\n" or "*12\r\n" (a shard wrote it: well formed). */
static long long parse_int_line(const char *p, size_t len)
{
	const char *cr = memchr(p, '\r', len);
	long long v = 0;
	if (!cr || !num_parse_ll(p + 1, (size_t)(cr - p - 1), &v))
		return 0;
	return v;
}

/* Offset of the first element of an array reply (after "*N\r\n"). */
static size_t after_header(const reply_t *r)
{
	const char *nl = memchr(r->buf, '\n', r->len);
	return nl ? (size_t)(nl - r->buf) + 1 : r->len;
}

static void keep_error(req_t *req, const char *bytes, size_t len)
{
	if (req->failed)
		return;
	req->failed = true;
	reply_reset(&req->buf);
	reply_raw(&req->buf, bytes, len);
}

static void finish_concat(req_t *req)
{
	long long total = 0;
	for (unsigned i = 0; i < req->nparts; i++) {
		const reply_t *p = &req->parts[i];
		if (p->len && (p->buf[0] == '*' || p->buf[0] == '~'))
			total += parse_int_line(p->buf, p->len);
	}
	reply_array(&req->buf, (size_t)total);
	for (unsigned i = 0; i < req->nparts; i++) {
		const reply_t *p = &req->parts[i];
		size_t off = after_header(p);
		reply_raw(&req->buf, p->buf + off, p->len - off);
	}
}

static void finish_bykey(req_t *req)
{
	size_t cursor[SERVER_MAX_SHARDS];
	for (unsigned i = 0; i < req->nparts; i++)
		cursor[i] = after_header(&req->parts[i]);
	reply_array(&req->buf, req->nkeys);
	for (uint32_t k = 0; k < req->nkeys; k++) {
		const reply_t *p = &req->parts[req->key_part[k]];
		size_t *cur = &cursor[req->key_part[k]];
		long n = resp_reply_scan(p->buf + *cur, p->len - *cur, NULL);
		if (n <= 0) { /* cannot happen: the shard replied in full */
			reply_null(&req->buf);
			continue;
		}
		reply_raw(&req->buf, p->buf + *cur, (size_t)n);
		*cur += (size_t)n;
	}
}

static void finish_any(req_t *req)
{
	unsigned start = (unsigned)rand() % req->nparts;
	for (unsigned i = 0; i < req->nparts; i++) {
		const reply_t *p = &req->parts[(start + i) % req->nparts];
		if (p->len && p->buf[0] == '$' && p->buf[1] != '-') {
			reply_raw(&req->buf, p->buf, p->len);
			return;
		}
	}
	reply_null(&req->buf);
}

/* SCAN's global cursor is (shard cursor << 8) | shard: a shard's page
 * that ends its own iteration moves on to the next shard. */
static void finish_scan(req_t *req, const char *bytes, size_t len)
{
	if (len == 0 || bytes[0] != '*') {
		reply_raw(&req->buf, bytes, len); /* an error */
		return;
	}
	const char *p = memchr(bytes, '\n', len);      /* after *2 */
	const char *digits = p ? memchr(p + 1, '\n', len - (size_t)(p + 1 - bytes)) : NULL;
	if (!digits) {
		reply_raw(&req->buf, bytes, len);
		return;
	}
	digits++;
	unsigned long long inner = strtoull(digits, NULL, 10);
	const char *rest = memchr(digits, '\n', len - (size_t)(digits - bytes)) + 1;
	unsigned long long shard = (unsigned long long)req->acc, next;
	if (inner != 0)
		next = (inner << 8) | shard;
	else if (shard + 1 < (unsigned long long)srv.nshards)
		next = shard + 1;
	else
		next = 0;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", next);
	reply_array(&req->buf, 2);
	reply_bulk(&req->buf, buf, (size_t)n);
	reply_raw(&req->buf, rest, len - (size_t)(rest - bytes));
}

static void finish(conn_t *c, req_t *req)
{
	switch (req->merge) {
	case MERGE_SUM:
		if (!req->failed)
			reply_int(&req->buf, req->acc);
		break;
	case MERGE_KILL_OLD:
		if (req->acc > 0)
			reply_ok(&req->buf);
		else
			reply_error(&req->buf, ERR_NO_SUCH_CLIENT);
		break;
	case MERGE_OK:
		if (!req->failed)
			reply_ok(&req->buf);
		break;
	case MERGE_TRUE:
		if (!req->failed)
			reply_int(&req->buf, 1);
		break;
	case MERGE_CONCAT:
		finish_concat(req);
		break;
	case MERGE_BYKEY:
		finish_bykey(req);
		break;
	case MERGE_ANY:
		finish_any(req);
		break;
	case MERGE_FOLD:
		req->fold(c, req);
		break;
	case MERGE_CLIENTS: {
		reply_t all;
		reply_init(&all, 2);
		for (unsigned i = 0; i < req->nparts; i++)
			reply_raw(&all, req->parts[i].buf, req->parts[i].len);
		reply_verbatim(&req->buf, all.buf ? all.buf : "", all.len, "txt");
		reply_free(&all);
		break;
	}
	}
	req->done = true;
}

void merge_part(conn_t *c, req_t *req, const rep_entry_t *e, const char *bytes)
{
	bool is_err = e->len > 0 && bytes[0] == '-';
	if (req->merge == MERGE_SCAN) {
		finish_scan(req, bytes, e->len);
		req->parts_left--;
		req->done = true;
		return;
	}
	switch (req->merge) {
	case MERGE_ONE:
		reply_raw(&req->buf, bytes, e->len);
		break;
	case MERGE_SUM:
	case MERGE_KILL_OLD:
	case MERGE_OK:
	case MERGE_TRUE:
		if (is_err)
			keep_error(req, bytes, e->len);
		else if (req->merge == MERGE_SUM || req->merge == MERGE_KILL_OLD)
			req->acc += parse_int_line(bytes, e->len);
		break;
	default:
		if (req->parts && e->part < req->nparts) {
			reply_t *p = &req->parts[e->part];
			if (!p->buf)
				reply_init(p, c->proto);
			reply_raw(p, bytes, e->len);
		}
		break;
	}
	if (--req->parts_left == 0)
		finish(c, req);
}
