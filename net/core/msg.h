/*
 * msg.h - the kinds of message FlashKV's actors send each other: one
 * number space, so a message that reaches the wrong actor is recognised
 * as such.  Each message's layout is declared by the module that receives
 * it (shard/shard.h, conn/conn.h, conn/agent.h).
 */
#ifndef FLASHKV_NET_MSG_H
#define FLASHKV_NET_MSG_H

enum {
	MSG_REQ_BATCH = 1,  /* conn -> shard: commands to run, in order */
	MSG_REPLY_BATCH,    /* shard -> conn: their replies, in order */
	MSG_ACCEPTED,       /* acceptor -> new conn actor: its socket */
	MSG_TICK,           /* sweeper -> shard: active expiry cycle */
	MSG_SHUTDOWN,       /* main -> per-worker agent -> its conns: drain */
	MSG_CLIENT_LIST,    /* conn -> per-worker agent: list your conns */
	MSG_CLIENT_KILL,    /* conn -> per-worker agent: close matching conns */
	MSG_KILL,           /* agent -> conn: close (after what is in flight) */
	MSG_HOLD,           /* conn -> shard: hold yourself for me (hold_msg_t) */
	MSG_HELD,           /* shard -> conn: held; the data is yours */
	MSG_RELEASE,        /* conn -> shard: take your data back, go on */
	MSG_RESUME,         /* conn -> shard of its worker, released directly:
			     * serve what you kept */
	MSG_CONFIG_SYNC,    /* CONFIG SET -> per-worker agent: new settings */
	MSG_IDLE_CHECK,     /* agent -> conn: close if idle past `timeout` */
	MSG_HZ,             /* CONFIG SET -> sweeper: `hz` changed */
	MSG_LISTENERS,      /* CONFIG SET -> acceptor: new listening sockets */
	MSG_SERVED,         /* shard -> conn: a waiter's reply (waiter.h) */
	MSG_WAKE,           /* shard -> conn: a key of a waiter over shards
			     * has data: decide */
	MSG_UNBLOCK,        /* agent -> conn: CLIENT UNBLOCK */
	MSG_CLIENT_UNBLOCK, /* conn -> per-worker agent: unblock this id */
	MSG_RECLAIM,        /* shard -> itself: free flushed data and big
			     * deleted values a step at a time, between
			     * other messages */
	MSG_BGSAVE,         /* BGSAVE, save points -> saver: snapshot now */
	MSG_SNAP_PULL,      /* saver -> shard: the next chunk of records */
	MSG_SNAP_CHUNK,     /* shard -> saver: records (snap_chunk_msg_t) */
	MSG_SNAP_WRITTEN,   /* writer thread -> saver: a chunk is on disk, or
			     * the file is done (persist/writer.h) */
	MSG_LOAD_BATCH,     /* main -> shard: keys read from the RDB file
			     * (load_batch_msg_t; none: the last one) */
};

#endif
