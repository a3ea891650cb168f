/*
 * dispatch.h - a connection's requests in flight: the ring of requests
 * in arrival order, the batches bound for remote shards (one message per
 * shard per read), the replies put back in request order, and the write
 * order across shards.  Connection worker only.
 */
#ifndef FLASHKV_NET_DISPATCH_H
#define FLASHKV_NET_DISPATCH_H

#include "conn.h"

/* Send the batches built so far (end of a read, or before waiting). */
void dispatch_flush(conn_t *c);
void dispatch_on_replies(conn_t *c, rep_batch_t *rb);
/* Reply target for a command answered now: the output buffer when nothing
 * is outstanding, else a new done request in order. */
reply_t *dispatch_reply_now(conn_t *c, req_t **req);
void dispatch_finish_now(conn_t *c, req_t *req);
req_t *dispatch_new_req(conn_t *c, uint8_t merge, uint16_t nparts);
void dispatch_to_shard(conn_t *c, req_t *req, int shard, uint16_t part,
		       const cmd_t *cmd, int argc, const cmd_arg_t *argv);
void dispatch_release(conn_t *c);

#endif
