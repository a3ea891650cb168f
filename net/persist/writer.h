/*
 * writer.h - the background snapshot's file writer: a plain thread, not
 * a worker, so that write(2) and fsync, which can take long, never hold
 * up an actor.  The saver hands it chunks of records in file order; it
 * appends them (rdb_file.h), then, told to finish, writes EOF and the
 * CRC, fsyncs and renames.  After each chunk, and once at the end, it
 * tells the saver with MSG_SNAP_WRITTEN (flow control, and the outcome).
 *
 * The queue between the saver and this thread is a mutex and a condition
 * variable: two parties, off the data path, a few messages per megabyte.
 */
#ifndef FLASHKV_NET_PERSIST_WRITER_H
#define FLASHKV_NET_PERSIST_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include <flashkv/act.h>

#include "store/persist/rdb.h"

typedef struct writer writer_t;

/* MSG_SNAP_WRITTEN */
typedef struct snap_written_msg {
	act_msg_t hdr;
	size_t bytes;           /* of the chunk now written (0 for the end) */
	bool final;             /* the file is done: ok says how */
	bool ok;
} snap_written_msg_t;

/* Open the temporary file and start the thread, which writes header
 * first (taken over).  NULL with err set if the file cannot be made. */
writer_t *writer_start(act_actor_t *notify, rdb_buf_t header, char *err, size_t errlen);
/* Append a chunk (taken over). */
void writer_put(writer_t *w, rdb_buf_t chunk);
/* The last call: finish the file under dbfilename (or, with discard,
 * remove it).  The final MSG_SNAP_WRITTEN follows. */
void writer_finish(writer_t *w, const char *dbfilename, bool checksum, bool discard);
/* After the final message: wait for the thread and free everything. */
void writer_join(writer_t *w);

#endif
