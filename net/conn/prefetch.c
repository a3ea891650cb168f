/*
 * prefetch.c - overlap the hash table's cache misses of a pipelined read.
 *
 * On a keyspace bigger than the caches, a GET waits twice on memory: for
 * its bucket, then for the entry the bucket points to (perf, pipelined GET
 * over 600 k keys: 40% of the server's CPU on those two loads).  Before
 * the commands of a read run one by one, this looks ahead at the next
 * ones in the buffer, asks for every key's bucket, then for every bucket's
 * first entry: the misses of the whole batch then overlap instead of
 * coming one after the other.
 *
 * The look-ahead is a light scan of well-formed RESP arrays, stopping at
 * anything else; the real parser still checks every byte.  It only reads
 * the tables of shards the connection may touch now (conn_runs_inline),
 * and only those big enough to miss the cache.  Hints only: nothing here
 * changes any state.
 */
#include <string.h>

#include "prefetch.h"

#define BIG_KEYSPACE 65536       /* keys: below this the table is cached */

/* A decimal length at *p ending in CRLF, within [*p, end); advances. */
static bool scan_len(const char **p, const char *end, size_t *out)
{
	size_t v = 0;
	const char *s = *p;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (size_t)(*s - '0')) > (1u << 30))
			return false;
	if (end - s < 2 || s[0] != '\r' || s[1] != '\n')
		return false;
	*p = s + 2;
	*out = v;
	return true;
}

/* The next complete command in [*p, end): its second argument (the key
 * of most commands; klen 0 if it has none), advancing past it. */
static bool scan_command(const char **p, const char *end, const char **key,
			 size_t *klen)
{
	const char *s = *p;
	size_t argc, len;
	if (s >= end || *s++ != '*' || !scan_len(&s, end, &argc))
		return false;
	*klen = 0;
	for (size_t i = 0; i < argc; i++) {
		if (s >= end || *s++ != '$' || !scan_len(&s, end, &len) ||
		    (size_t)(end - s) < len + 2)
			return false;
		if (i == 1) {
			*key = s;
			*klen = len;
		}
		s += len + 2;
	}
	*p = s;
	return true;
}

/* Whether any shard this connection may run on now has a big table in
 * its database: else the scan would cost more than it saves. */
static bool worth_it(const conn_t *c)
{
	for (int s = 0; s < srv.nshards; s++)
		if (conn_runs_inline(c, s) &&
		    ks_size(srv.shards[s]->dbs[c->db]) >= BIG_KEYSPACE)
			return true;
	return false;
}

void conn_prefetch_keys(const conn_t *c)
{
	const char *p = c->qbuf + c->qpos, *end = c->qbuf + c->qlen;
	if (end - p < 64 || !worth_it(c))
		return; /* one short command, or small tables */
	const ks_t *ks[CONN_PREFETCH_BATCH];
	uint64_t hash[CONN_PREFETCH_BATCH];
	int n = 0;
	const char *key;
	size_t klen;
	for (int seen = 0; seen < CONN_PREFETCH_BATCH && scan_command(&p, end, &key, &klen);
	     seen++) {
		if (klen == 0)
			continue;
		int s = server_key_shard(key, klen);
		if (!conn_runs_inline(c, s))
			continue;
		ks[n] = srv.shards[s]->dbs[c->db];
		if (ks_size(ks[n]) < BIG_KEYSPACE)
			continue;
		hash[n] = ks_hash(ks[n], key, klen);
		ks_prefetch_bucket(ks[n], hash[n]);
		n++;
	}
	for (int i = 0; i < n; i++)
		ks_prefetch_entry(ks[i], hash[i]);
}
