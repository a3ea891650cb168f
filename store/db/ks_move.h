/*
 * ks_move.h - moving a value from one key to another: RENAME within a
 * keyspace, the two halves of a move between shards (ks_take / ks_put),
 * MOVE between databases of a shard, and COPY.
 *
 * Ownership: as keyspace.h; a blob taken belongs to the caller until
 * ks_put or ks_blob_free, and may cross threads in between.
 * Concurrency: none; each keyspace on its owning thread.
 */
#ifndef FLASHKV_STORE_KS_MOVE_H
#define FLASHKV_STORE_KS_MOVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyspace.h"

/* Rename src to dst within this keyspace, keeping the TTL and replacing
 * any dst. With nx, an existing dst is left alone. 0 on success, -ENOENT if
 * src is missing, -EEXIST if nx and dst exists, -ENOMEM. src == dst
 * (same bytes) succeeds without change (-EEXIST with nx), as in Redis. */
int ks_rename(ks_t *ks, const void *src, size_t slen, const void *dst, size_t dlen, bool nx);

/* Cross-shard move, first half: remove key and hand its value and TTL
 * (absolute ms, -1 = none) to the caller, who owns *blob until ks_put or
 * ks_blob_free. 0 or -ENOENT. The value is not copied. */
int ks_take(ks_t *ks, const void *key, size_t klen, ks_blob_t **blob, int64_t *pexpire_at);
/* Second half: store blob under key (replacing any value) with the TTL
 * (-1 = none). Consumes blob in every case. 0 or -ENOMEM. */
int ks_put(ks_t *ks, const void *key, size_t klen, ks_blob_t *blob, int64_t pexpire_at);
void ks_blob_free(ks_blob_t *blob);
/* Loading (RDB): link e, a new entry with its key inside, under that key
 * with the TTL (-1 = none), keeping its lru; the key must be absent
 * (ks_peek returned NULL).  Consumes e in every case: 0 or -ENOMEM. */
int ks_put_entry(ks_t *ks, entry_t *e, int64_t pexpire_at);

/* MOVE within a shard: relink e (live, in src) into dst under the same
 * key with its TTL, without copying; dst must not hold the key (ks_find
 * returned NULL). dst's clock should be current (ks_set_now). 0, or
 * -ENOMEM with e still in src, unchanged. */
int ks_move(ks_t *src, entry_t *e, ks_t *dst);

/* COPY: store under key in dst a copy of src's value in the same
 * encoding, with the TTL pexpire_at (-1 = none), replacing whatever key
 * holds in dst. src (a live entry of dst or of another keyspace) is only
 * read and must not be key's own entry in dst. Returns the new entry,
 * NULL on ENOMEM (dst unchanged). */
entry_t *ks_add_dup(ks_t *dst, const void *key, size_t klen, const entry_t *src,
                    int64_t pexpire_at);

#endif
