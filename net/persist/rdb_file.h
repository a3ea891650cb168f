/*
 * rdb_file.h - one snapshot file being written: "temp-<pid>.rdb" in the
 * working directory, bytes appended with a running CRC-64, then EOF and
 * the CRC, fsync, rename over `dbfilename`, fsync of the directory (a
 * crash leaves the old file or the new one, never half of one).  Used by
 * SAVE (rdb_file.c) and by the background writer (writer.c).
 *
 * Concurrency: one thread per rdbf_t.
 */
#ifndef FLASHKV_NET_PERSIST_RDB_FILE_H
#define FLASHKV_NET_PERSIST_RDB_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/persist/rdb.h"

typedef struct rdbf {
	int fd;
	uint64_t crc;
	int err;                /* errno of the first failure, 0 = fine */
	char tmp[64];
} rdbf_t;

/* Create the temporary file.  0, or -1 with Redis's message in err. */
int rdbf_open(rdbf_t *f, char *err, size_t errlen);
/* Append (a failure is remembered and reported by rdbf_commit). */
void rdbf_write(rdbf_t *f, const void *p, size_t n);
/* EOF, the CRC (0 when !checksum), fsync, rename over dbfilename.  0, or
 * -1 with the reason logged and in err (the temporary file removed).
 * cancelled (NULL: never) is asked under the lock every rename takes, so
 * a save cancelled before another one renames can never rename after it
 * (FLUSHALL's save and a background save it cancels). */
int rdbf_commit(rdbf_t *f, const char *dbfilename, bool checksum,
		bool (*cancelled)(void), char *err, size_t errlen);
/* Give up: close and remove the temporary file. */
void rdbf_abort(rdbf_t *f);

/* The header: "REDIS0010" and Redis 7.0's AUX fields (used-mem: the sum
 * of every keyspace's memory, read by the caller who owns the shards). */
int rdbf_header(rdb_buf_t *b, size_t used_mem);

#endif
