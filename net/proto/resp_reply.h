/*
 * resp_reply.h - finds where one RESP reply ends, for clients: a framing
 * scanner, not a decoder.  It tells how many bytes the next complete reply
 * takes, whether it is an error, and whether it is an out-of-band push, and
 * allocates nothing.
 *
 * Covers RESP2 (+ - : $ *) and RESP3 (_ , # ( ! = % ~ > |), nested
 * aggregates to RESP_REPLY_MAX_DEPTH, and RESP3 streamed strings ($? with
 * ;chunks) and streamed aggregates (*? %? ~? ending in '.').  An attribute
 * (|) is not a reply of its own: it is returned together with the reply it
 * annotates.
 *
 * Incremental: call it on whatever has arrived.  "Need more" costs a rescan
 * of the partial reply on the next call, which is cheap for the replies a
 * client sees (bulk bodies are skipped by length, not scanned).
 *
 * Threads: pure functions of their arguments; call from any thread.
 */
#ifndef FLASHKV_RESP_REPLY_H
#define FLASHKV_RESP_REPLY_H

#include <stddef.h>
#include <stdint.h>

/* Deeper nesting is refused as a protocol error (no server sends it). */
#define RESP_REPLY_MAX_DEPTH 64

enum {
	RESP_REPLY_ERROR = 1u << 0, /* top-level reply is - or ! */
	RESP_REPLY_PUSH = 1u << 1,  /* top-level reply is > (not an answer) */
	RESP_REPLY_NULL = 1u << 2,  /* _ , $-1 or *-1 */
};

typedef struct resp_reply_info {
	unsigned flags;  /* RESP_REPLY_* */
	char type;       /* first byte of the reply, after any attribute */
} resp_reply_info_t;

/* Scans the reply at the start of @buf[0..@len).
 * Returns its length in bytes (> 0) and fills @info (may be NULL) when it is
 * complete, 0 when more bytes are needed, or -EPROTO when the bytes cannot
 * be RESP (unknown type byte, bad length, missing CRLF, nesting too deep). */
long resp_reply_scan(const char *buf, size_t len, resp_reply_info_t *info);

#endif
