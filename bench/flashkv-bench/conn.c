/*
 * conn.c - socket plumbing of a client connection (conn.h).  Level-
 * triggered epoll: EPOLLIN stays in the interest set, EPOLLOUT only while
 * a write is blocked, so the common turn costs one read and one write.
 */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define READ_CHUNK 65536

int conn_init(conn_t *c, uint32_t idx, uint32_t cap)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->idx = idx;
	c->cap = cap;
	c->ring = calloc(cap, sizeof(*c->ring));
	return c->ring ? 0 : -ENOMEM;
}

void conn_fini(conn_t *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->ring);
	c->ring = NULL;
	buf_free(&c->out);
	buf_free(&c->in);
}

static int watch(conn_t *c, int epfd, int op, bool out)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLRDHUP | (out ? EPOLLOUT : 0),
		.data.ptr = c,
	};
	if (epoll_ctl(epfd, op, c->fd, &ev))
		return -errno;
	c->epout = out;
	return 0;
}

static void nodelay(int fd)
{
	int one = 1;
	/* Requests are small and latency is the point: no Nagle. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int conn_open(conn_t *c, int epfd, const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	c->fd = fd;
	int rc = connect(fd, sa, len);
	if (rc && errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		c->fd = -1;
		return rc;
	}
	c->state = rc ? CONN_CONNECTING : CONN_READY;
	if (c->state == CONN_READY)
		nodelay(fd);
	rc = watch(c, epfd, EPOLL_CTL_ADD, c->state == CONN_CONNECTING);
	if (rc) {
		close(fd);
		c->fd = -1;
		c->state = CONN_CLOSED;
	}
	return rc;
}

int conn_finish_connect(conn_t *c, int epfd)
{
	int err = 0;
	socklen_t l = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l))
		return -errno;
	if (err)
		return -err;
	nodelay(c->fd);
	c->state = CONN_READY;
	return watch(c, epfd, EPOLL_CTL_MOD, buf_avail(&c->out) > 0);
}

void conn_close(conn_t *c, int epfd)
{
	if (c->fd >= 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->state = CONN_CLOSED;
	c->head = c->count = 0;
	c->out.off = c->out.len = 0;
	c->in.off = c->in.len = 0;
	c->epout = false;
}

int conn_flush(conn_t *c, int epfd)
{
	if (c->state != CONN_READY)
		return 0;
	while (buf_avail(&c->out)) {
		ssize_t n = send(c->fd, c->out.data + c->out.off,
		    buf_avail(&c->out), MSG_NOSIGNAL);
		if (n > 0) {
			buf_consume(&c->out, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return c->epout ? 0 : watch(c, epfd, EPOLL_CTL_MOD, true);
		return n < 0 ? -errno : -EPIPE;
	}
	return c->epout ? watch(c, epfd, EPOLL_CTL_MOD, false) : 0;
}

long conn_read(conn_t *c)
{
	if (buf_reserve(&c->in, READ_CHUNK))
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
		if (n > 0) {
			c->in.len += (size_t)n;
			return n;
		}
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}
