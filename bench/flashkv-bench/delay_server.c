/*
 * delay_server.c - a RESP server with a known latency, to prove that
 * flashkv-bench measures what happens: every reply leaves a fixed delay
 * after its request arrived, and optionally, once, the server answers
 * nothing for a stall period (replies due then leave when it ends).
 *
 *   delay_server [--port P] [--delay-us D] [--stall-after-ms A]
 *                [--stall-ms S] [--max-seconds M]
 *
 * It listens on 127.0.0.1 only; port 0 (the default) picks a free port.
 * The first line on stdout is the port, so a test can start it without
 * guessing one.  The stall starts A ms after the first request.  It exits
 * on SIGTERM/SIGINT, and by itself after M seconds (120) so that a test
 * that dies cannot leave it behind.
 *
 * Requests are parsed with the server's own RESP parser (net/resp.h).
 * Replies: GET a bulk string, INCR :1, PING +PONG, HELLO a RESP3 map,
 * anything else +OK.  One thread, one epoll loop.  Because the delay
 * is the same for every request, reply times are in arrival order over
 * all connections, so one FIFO is the whole timer structure.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/proto/resp.h"
#include "buf.h"
#include "mono.h"

#define MAX_FDS 65536

struct client {
	uint32_t gen;        /* bumped on close: stale FIFO entries skip */
	bool open;
	bool epout;          /* EPOLLOUT is in the interest set */
	buf_t in, out;
	resp_parser_t parser; /* the project's request parser */
};

struct pending {
	uint64_t due;
	int fd;
	uint32_t gen;
	const char *reply;
};

static struct client *clients;
static struct pending *fifo;
static size_t fifo_head, fifo_len, fifo_cap;
static volatile sig_atomic_t quit;
static uint64_t delay_ns, stall_after_ns, stall_ns;
static uint64_t first_req, served;

static void on_signal(int s)
{
	(void)s;
	quit = 1;
}

static int fifo_push(struct pending p)
{
	if (fifo_len == fifo_cap) {
		size_t cap = fifo_cap ? fifo_cap * 2 : 4096;
		struct pending *n = malloc(cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		for (size_t i = 0; i < fifo_len; i++)
			n[i] = fifo[(fifo_head + i) % fifo_cap];
		free(fifo);
		fifo = n;
		fifo_cap = cap;
		fifo_head = 0;
	}
	fifo[(fifo_head + fifo_len++) % fifo_cap] = p;
	return 0;
}

/* The reply to command @name. */
static const char *reply_for(const resp_arg_t *name)
{
	static const struct {
		const char *cmd, *reply;
	} table[] = {
		{"GET", "$5\r\nvalue\r\n"},
		{"INCR", ":1\r\n"},
		{"PING", "+PONG\r\n"},
		{"HELLO", "%1\r\n+server\r\n+delay_server\r\n"},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(*table); i++)
		if (name->len == strlen(table[i].cmd) &&
		    !strncasecmp(name->ptr, table[i].cmd, name->len))
			return table[i].reply;
	return "+OK\r\n";
}

/* When the reply to a request that arrived at @now may leave. */
static uint64_t due_of(uint64_t now)
{
	if (!first_req)
		first_req = now;
	uint64_t due = now + delay_ns;
	uint64_t s0 = first_req + stall_after_ns, s1 = s0 + stall_ns;
	if (stall_ns && due >= s0 && due < s1)
		due = s1;
	return due;
}

static void drop(int ep, int fd)
{
	struct client *c = &clients[fd];
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	c->open = false;
	c->epout = false;
	c->gen++;
	c->in.off = c->in.len = c->out.off = c->out.len = 0;
	resp_parser_reset(&c->parser);
}

static void flush(int ep, int fd)
{
	struct client *c = &clients[fd];
	while (buf_avail(&c->out)) {
		ssize_t n = send(fd, c->out.data + c->out.off, buf_avail(&c->out),
		    MSG_NOSIGNAL);
		if (n > 0) {
			buf_consume(&c->out, (size_t)n);
		} else if (n < 0 && errno == EAGAIN) {
			/* A client that does not read stalls itself only. */
			struct epoll_event ev = {EPOLLIN | EPOLLOUT, {.fd = fd}};
			if (!c->epout)
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			c->epout = true;
			return;
		} else if (!(n < 0 && errno == EINTR)) {
			drop(ep, fd);
			return;
		}
	}
	if (c->epout) {
		struct epoll_event ev = {EPOLLIN, {.fd = fd}};
		epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
		c->epout = false;
	}
}

static void on_readable(int ep, int fd)
{
	struct client *c = &clients[fd];
	if (buf_reserve(&c->in, 65536)) {
		drop(ep, fd);
		return;
	}
	ssize_t n = read(fd, c->in.data + c->in.len, c->in.cap - c->in.len);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop(ep, fd);
		return;
	}
	c->in.len += (size_t)n;
	uint64_t now = mono_now_ns();
	for (;;) {
		const resp_arg_t *argv;
		int argc;
		size_t used = 0;
		int rc = resp_parse(&c->parser, c->in.data + c->in.off,
		    buf_avail(&c->in), NULL, &argv, &argc, &used);
		if (rc == RESP_NEED_MORE) {
			buf_consume(&c->in, used);
			break;
		}
		if (rc != RESP_OK) {
			drop(ep, fd);
			return;
		}
		struct pending p = {due_of(now), fd, c->gen, reply_for(&argv[0])};
		buf_consume(&c->in, used);
		if (fifo_push(p)) {
			drop(ep, fd);
			return;
		}
	}
}

/* Sends every reply that is due; returns when the next one is. */
static uint64_t send_due(int ep, uint64_t now)
{
	while (fifo_len) {
		struct pending *p = &fifo[fifo_head];
		if (p->due > now)
			return p->due;
		struct client *c = &clients[p->fd];
		if (c->open && c->gen == p->gen) {
			size_t l = strlen(p->reply);
			if (buf_reserve(&c->out, l) == 0) {
				memcpy(c->out.data + c->out.len, p->reply, l);
				c->out.len += l;
				served++;
				/* Flush when the next entry is for another client or
				 * not due yet, so a burst leaves in one write. */
				struct pending *q = fifo_len > 1 ?
				    &fifo[(fifo_head + 1) % fifo_cap] : NULL;
				if (!q || q->fd != p->fd || q->due > now)
					flush(ep, p->fd);
			}
		}
		fifo_head = (fifo_head + 1) % fifo_cap;
		fifo_len--;
	}
	return UINT64_MAX;
}

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1024) ||
	    getsockname(fd, (struct sockaddr *)&a, &al)) {
		close(fd);
		return -1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

int main(int argc, char **argv)
{
	int port = 0;
	double max_s = 120;
	static const struct option lo[] = {
		{"port", required_argument, 0, 'p'},
		{"delay-us", required_argument, 0, 'd'},
		{"stall-after-ms", required_argument, 0, 'a'},
		{"stall-ms", required_argument, 0, 's'},
		{"max-seconds", required_argument, 0, 'm'},
		{0, 0, 0, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "p:d:a:s:m:", lo, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'd': delay_ns = (uint64_t)(atof(optarg) * 1e3); break;
		case 'a': stall_after_ns = (uint64_t)(atof(optarg) * 1e6); break;
		case 's': stall_ns = (uint64_t)(atof(optarg) * 1e6); break;
		case 'm': max_s = atof(optarg); break;
		default:
			fprintf(stderr, "usage: delay_server [--port P] [--delay-us D] "
			    "[--stall-after-ms A] [--stall-ms S] [--max-seconds M]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Replies due in 2 ms must not leave 50 us late (default slack). */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	clients = calloc(MAX_FDS, sizeof(*clients));
	int lfd = listen_on(port), ep = epoll_create1(EPOLL_CLOEXEC);
	if (!clients || lfd < 0 || ep < 0) {
		perror("delay_server");
		return 1;
	}
	struct epoll_event ev = {EPOLLIN, {.fd = lfd}};
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	uint64_t give_up = mono_now_ns() + (uint64_t)(max_s * 1e9);
	while (!quit) {
		uint64_t now = mono_now_ns();
		if (now >= give_up)
			break;
		uint64_t next = send_due(ep, now), until = give_up;
		if (next < until)
			until = next;
		uint64_t wait = until - now;
		if (wait > 100 * MONO_MS)
			wait = 100 * MONO_MS;
		struct timespec ts = {(time_t)(wait / MONO_S), (long)(wait % MONO_S)};
		struct epoll_event evs[128];
		int n = epoll_pwait2(ep, evs, 128, &ts, NULL);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == lfd) {
				int c;
				while ((c = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					if (c >= MAX_FDS) {
						close(c);
						continue;
					}
					int one = 1;
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					clients[c].open = true;
					resp_parser_init(&clients[c].parser);
					struct epoll_event cev = {EPOLLIN, {.fd = c}};
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
				}
				continue;
			}
			if (evs[i].events & EPOLLOUT)
				flush(ep, fd);
			if (clients[fd].open && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				on_readable(ep, fd);
		}
	}
	fprintf(stderr, "delay_server: served %llu replies\n", (unsigned long long)served);
	return 0;
}
