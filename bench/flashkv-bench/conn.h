/*
 * conn.h - one client connection of a driver thread: a nonblocking TCP
 * socket in the thread's epoll set, the bytes waiting to be written and
 * read, and the requests in flight in send order (RESP replies come back
 * in that order).
 *
 * Threads: a connection belongs to one driver thread.
 * Errors: 0 or a negative errno.
 */
#ifndef FKB_CONN_H
#define FKB_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"

/* A request in flight.  cmd < 0 marks a set-up command (HELLO) whose reply
 * is not measured. */
typedef struct conn_req {
	uint64_t intended;  /* when it should have been sent */
	uint64_t sent;      /* when it was handed to the socket */
	int16_t cmd;        /* workload command index */
	uint8_t measured;   /* intended inside the measured window */
} conn_req_t;

enum conn_state {
	CONN_CLOSED,        /* no socket; retry_at says when to try again */
	CONN_CONNECTING,    /* connect() in progress, waiting for EPOLLOUT */
	CONN_READY,
	CONN_DEAD,          /* gave up reconnecting */
};

typedef struct conn {
	int fd;
	enum conn_state state;
	uint32_t idx;        /* position among its thread's connections */
	buf_t out, in;
	conn_req_t *ring;    /* cap slots; head is the oldest request */
	uint32_t cap, head, count;
	uint64_t due;        /* open loop: requests assigned so far */
	uint64_t issued;     /* requests written so far */
	uint64_t retry_at;
	uint32_t failures;   /* consecutive failed connects */
	bool epout;          /* EPOLLOUT is in the interest set */
	bool dirty;          /* queued for a fill in this loop turn */
} conn_t;

/* Room for @cap requests in flight.  0 or -ENOMEM. */
int conn_init(conn_t *c, uint32_t idx, uint32_t cap);
void conn_fini(conn_t *c);

/* Starts a nonblocking connect and adds the socket to @epfd.  The state is
 * CONNECTING (or READY when loopback connected at once).  0 or -errno. */
int conn_open(conn_t *c, int epfd, const struct sockaddr *sa, socklen_t len);

/* After EPOLLOUT on a CONNECTING socket: READY, or the connect error. */
int conn_finish_connect(conn_t *c, int epfd);

/* Closes the socket and forgets everything in flight or buffered.  The
 * caller accounts for the lost requests first. */
void conn_close(conn_t *c, int epfd);

static inline conn_req_t *conn_push(conn_t *c)
{
	uint32_t i = c->head + c->count++;
	return &c->ring[i >= c->cap ? i - c->cap : i];
}

static inline conn_req_t *conn_peek(conn_t *c, uint32_t k)
{
	uint32_t i = c->head + k;
	return &c->ring[i >= c->cap ? i - c->cap : i];
}

static inline conn_req_t conn_pop(conn_t *c)
{
	conn_req_t r = c->ring[c->head];
	if (++c->head == c->cap)
		c->head = 0;
	c->count--;
	return r;
}

/* Writes what it can of c->out; asks for EPOLLOUT while bytes remain and
 * drops the interest once they are gone.  0 or -errno (peer gone). */
int conn_flush(conn_t *c, int epfd);

/* Reads once into c->in (growing it).  Returns bytes read, 0 at EOF,
 * -EAGAIN when nothing was there, or another -errno. */
long conn_read(conn_t *c);

#endif
