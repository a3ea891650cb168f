/*
 * rename.c - RENAME and RENAMENX when the two keys live on different
 * shards: the value moves in steps, each a request to one shard, driven by
 * the replies:
 *
 *   RENAME:    __take src (src shard)  ->  __put dst (dst shard)  -> +OK
 *   RENAMENX:  EXISTS src -> EXISTS dst -> __take src -> __put dst -> :1
 *
 * __take detaches the value (with its TTL) from the source keyspace and
 * replies with a handle to it; __put stores it under the new name.  The
 * value itself is never copied.  Another client may observe the key
 * missing from both shards between the steps: making this atomic across
 * shards is issue 4's protocol.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "errors.h"

typedef struct moved {
	ks_blob_t *blob;
	int64_t pexpire_at;
} moved_t;

static void take_proc(cmd_ctx_t *ctx)
{
	moved_t mv;
	if (ks_take(ctx->ks, ctx->argv[1].ptr, ctx->argv[1].len, &mv.blob,
		    &mv.pexpire_at) < 0) {
		reply_error(ctx->reply, ERR_NO_SUCH_KEY);
		return;
	}
	reply_bulk(ctx->reply, &mv, sizeof(mv));
}

static void put_proc(cmd_ctx_t *ctx)
{
	moved_t mv;
	memcpy(&mv, ctx->argv[2].ptr, sizeof(mv));
	if (ks_put(ctx->ks, ctx->argv[1].ptr, ctx->argv[1].len, mv.blob,
		   mv.pexpire_at) < 0)
		reply_error(ctx->reply, ERR_OOM);
	else
		reply_ok(ctx->reply);
}

static const cmd_t take_cmd = {
	.name = "__take", .proc = take_proc, .arity = 2, .flags = CMD_WRITE,
	.first_key = 1, .last_key = 1, .key_step = 1, .tips = "",
};
static const cmd_t put_cmd = {
	.name = "__put", .proc = put_proc, .arity = 3, .flags = CMD_WRITE,
	.first_key = 1, .last_key = 1, .key_step = 1, .tips = "",
};

enum step { CHECK_SRC, CHECK_DST, TAKE, PUT };

typedef struct rename_state {
	enum step step;
	bool nx;
	int src_shard, dst_shard;
	cmd_arg_t src, dst;
	char moved[sizeof(moved_t)]; /* __take's answer, kept for __put */
	char keys[];
} rename_state_t;

static void issue(conn_t *c, req_t *req, rename_state_t *st, const char *moved)
{
	static const cmd_arg_t exists_name = { "exists", 6 };
	const cmd_t *exists = cmd_lookup("exists", 6);
	cmd_arg_t argv[3];
	req->parts_left++;
	switch (st->step) {
	case CHECK_SRC:
	case CHECK_DST:
		argv[0] = exists_name;
		argv[1] = st->step == CHECK_SRC ? st->src : st->dst;
		dispatch_to_shard(c, req, st->step == CHECK_SRC ? st->src_shard
								: st->dst_shard,
				  0, exists, 2, argv);
		return;
	case TAKE:
		argv[0] = (cmd_arg_t){ "__take", 6 };
		argv[1] = st->src;
		dispatch_to_shard(c, req, st->src_shard, 0, &take_cmd, 2, argv);
		return;
	case PUT:
		argv[0] = (cmd_arg_t){ "__put", 5 };
		argv[1] = st->dst;
		argv[2] = (cmd_arg_t){ moved, sizeof(moved_t) };
		dispatch_to_shard(c, req, st->dst_shard, 0, &put_cmd, 3, argv);
		return;
	}
}

static void done(conn_t *c, req_t *req, const char *bytes, size_t len)
{
	reply_raw(&req->buf, bytes, len);
	dispatch_multistep_done(c, req);
}

/* One step's reply arrived: go on, or finish with the client's reply. */
void rename_step(conn_t *c, req_t *req, const char *bytes, size_t len)
{
	rename_state_t *st = req->extra;
	req->parts_left--;
	if (len > 0 && bytes[0] == '-') {
		done(c, req, bytes, len);
		return;
	}
	switch (st->step) {
	case CHECK_SRC:
		if (len > 1 && bytes[1] == '0') {
			reply_error(&req->buf, ERR_NO_SUCH_KEY);
			dispatch_multistep_done(c, req);
			return;
		}
		st->step = CHECK_DST;
		break;
	case CHECK_DST:
		if (len > 1 && bytes[1] != '0') {
			done(c, req, ":0\r\n", 4);
			return;
		}
		st->step = TAKE;
		break;
	case TAKE: {
		/* "$16\r\n<moved_t>\r\n" */
		const char *body = memchr(bytes, '\n', len);
		memcpy(st->moved, body + 1, sizeof(moved_t));
		st->step = PUT;
		issue(c, req, st, st->moved);
		return;
	}
	case PUT:
		if (st->nx)
			done(c, req, ":1\r\n", 4);
		else
			done(c, req, "+OK\r\n", 5);
		return;
	}
	issue(c, req, st, NULL);
}

bool rename_start(conn_t *c, const cmd_t *cmd, const cmd_arg_t *argv,
		  int src_shard, int dst_shard)
{
	rename_state_t *st = malloc(sizeof(*st) + argv[1].len + argv[2].len);
	if (!st)
		abort();
	st->nx = !strcmp(cmd->name, "renamenx");
	st->step = st->nx ? CHECK_SRC : TAKE;
	st->src_shard = src_shard;
	st->dst_shard = dst_shard;
	memcpy(st->keys, argv[1].ptr, argv[1].len);
	memcpy(st->keys + argv[1].len, argv[2].ptr, argv[2].len);
	st->src = (cmd_arg_t){ st->keys, argv[1].len };
	st->dst = (cmd_arg_t){ st->keys + argv[1].len, argv[2].len };
	req_t *req = dispatch_new_req(c, MERGE_RENAME, 0);
	req->is_write = true;
	req->extra = st;
	c->multistep++;
	issue(c, req, st, NULL);
	return true;
}
