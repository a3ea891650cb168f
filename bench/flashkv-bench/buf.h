/*
 * buf.h - a growable byte buffer with a read offset, for the requests a
 * connection still has to write and the replies it has read but not parsed.
 *
 * Threads: a buffer belongs to one connection, hence one thread.
 * Errors: buf_reserve returns 0 or -ENOMEM; on failure the buffer is intact.
 */
#ifndef FKB_BUF_H
#define FKB_BUF_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
	char *data;
	size_t off;  /* first byte not yet consumed */
	size_t len;  /* end of the valid bytes */
	size_t cap;
} buf_t;

static inline size_t buf_avail(const buf_t *b)
{
	return b->len - b->off;
}

/* Makes room for @n more bytes after len, first sliding the unconsumed
 * bytes to the front so a long run does not grow the buffer forever. */
static inline int buf_reserve(buf_t *b, size_t n)
{
	if (b->off && (b->off == b->len || b->cap - b->len < n)) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (b->cap - b->len >= n)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

static inline void buf_consume(buf_t *b, size_t n)
{
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}

static inline void buf_free(buf_t *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

#endif
