/*
 * info.h - INFO: the reply folded from every shard's statistics
 * (__shardinfo) and the server's own counters.  Connection worker only.
 */
#ifndef FLASHKV_NET_INFO_H
#define FLASHKV_NET_INFO_H

#include "net/conn/conn.h"

/* The internal command each shard answers with its databases' figures. */
extern const cmd_t info_shard_cmd;
/* A MERGE_FOLD request's fold: INFO from the shards' parts, for the
 * sections in req->extra (" a b ", NULL: the default ones). */
void info_build(conn_t *c, req_t *req);

#endif
