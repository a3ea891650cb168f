/*
 * prefetch.h - on a big keyspace, ask the CPU for the keys of the next
 * commands of a pipelined read before running them, so their cache misses
 * overlap.  Connection worker only.
 */
#ifndef FLASHKV_NET_PREFETCH_H
#define FLASHKV_NET_PREFETCH_H

#include "conn.h"

/* Hint the keys of the next CONN_PREFETCH_BATCH buffered commands into
 * the cache. */
#define CONN_PREFETCH_BATCH 32
void conn_prefetch_keys(const conn_t *c);

#endif
