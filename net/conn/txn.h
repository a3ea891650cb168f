/*
 * txn.h - the hold protocol: a connection takes the shards of a command
 * over several shards, in ascending order, runs it on their data and gives
 * them back (docs/atomicity.md).  Connection worker only.
 */
#ifndef FLASHKV_NET_TXN_H
#define FLASHKV_NET_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"

/* Hold every shard of @want (a [nshards] set).  true: all are held, run
 * the command (the top-level route releases them after it).  false: holds
 * are on their way; route the command again when they are. */
bool txn_hold(conn_t *c, const uint8_t *want);
void txn_on_held(conn_t *c, const hold_msg_t *m);
void txn_release(conn_t *c);

#endif
