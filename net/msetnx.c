/*
 * msetnx.c - MSETNX when its keys live on several shards, in two steps:
 *
 *   EXISTS k1 k2 ... (split per shard, summed)  ->  0: MSET (split)  -> :1
 *                                                  >0: :0
 *
 * This gives Redis's all-or-nothing answer to the client that sends it;
 * another client may still slip a write between the steps.  Making it
 * atomic for everyone is issue 4's cross-shard protocol.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"

typedef struct msetnx_state {
	bool setting;            /* second step under way */
	long long existing;      /* first step: keys found so far */
	bool failed;
	int argc;
	cmd_arg_t *argv;         /* "mset" k v k v ..., copied */
	int *shard_of_arg;
	char bytes[];
} msetnx_state_t;

bool msetnx_start(conn_t *c, const cmd_t *cmd, int argc, const cmd_arg_t *argv,
		  const int *shard_of_arg)
{
	size_t bytes = 0;
	for (int i = 0; i < argc; i++)
		bytes += argv[i].len;
	msetnx_state_t *st = malloc(sizeof(*st) + bytes);
	cmd_arg_t *keys = malloc((size_t)argc * sizeof(*keys));
	int *key_shard = malloc((size_t)argc * sizeof(int));
	if (st) {
		st->argv = malloc((size_t)argc * sizeof(cmd_arg_t));
		st->shard_of_arg = malloc((size_t)argc * sizeof(int));
	}
	if (!st || !keys || !key_shard || !st->argv || !st->shard_of_arg)
		abort();
	st->setting = false;
	st->existing = 0;
	st->failed = false;
	st->argc = argc;
	char *p = st->bytes;
	for (int i = 0; i < argc; i++) {
		memcpy(p, argv[i].ptr, argv[i].len);
		st->argv[i] = (cmd_arg_t){ p, argv[i].len };
		st->shard_of_arg[i] = shard_of_arg[i];
		p += argv[i].len;
	}
	st->argv[0] = (cmd_arg_t){ "mset", 4 };
	(void)cmd;

	/* EXISTS over the keys: argv positions 1, 3, 5... */
	int n = 0;
	keys[n++] = (cmd_arg_t){ "exists", 6 };
	for (int i = 1; i < argc; i += 2) {
		key_shard[n] = shard_of_arg[i];
		keys[n++] = argv[i];
	}
	req_t *req = dispatch_new_req(c, MERGE_MSETNX, 0);
	req->is_write = true;
	req->extra = st;
	c->multistep++;
	dispatch_split(c, req, cmd_lookup("exists", 6), n, keys, key_shard);
	free(keys);
	free(key_shard);
	return true;
}

static void finish(conn_t *c, req_t *req, const char *bytes, size_t len)
{
	msetnx_state_t *st = req->extra;
	free(st->argv);
	free(st->shard_of_arg);
	st->argv = NULL;
	st->shard_of_arg = NULL;
	reply_raw(&req->buf, bytes, len);
	dispatch_multistep_done(c, req);
}

void msetnx_step(conn_t *c, req_t *req, const char *bytes, size_t len)
{
	msetnx_state_t *st = req->extra;
	req->parts_left--;
	if (len > 0 && bytes[0] == '-' && !st->failed) {
		st->failed = true;
		reply_raw(&req->buf, bytes, len);
	} else if (!st->setting && len > 1 && bytes[0] == ':') {
		st->existing += strtoll(bytes + 1, NULL, 10);
	}
	if (req->parts_left > 0)
		return;
	if (st->failed) {
		finish(c, req, "", 0); /* the error is in the reply already */
		return;
	}
	if (st->setting) {
		finish(c, req, ":1\r\n", 4);
	} else if (st->existing > 0) {
		finish(c, req, ":0\r\n", 4);
	} else {
		st->setting = true;
		dispatch_split(c, req, cmd_lookup("mset", 4), st->argc, st->argv,
			       st->shard_of_arg);
	}
}
