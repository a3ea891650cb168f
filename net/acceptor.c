/*
 * acceptor.c - the acceptor actor: owns the listening sockets, accepts, and
 * hands each socket to a worker (round-robin), where a new connection actor
 * takes it.  maxclients is enforced here, with Redis's error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ck_pr.h>

#include "log.h"
#include "server.h"

typedef struct acceptor {
	int fds[CONFIG_BIND_MAX];
	int nfds;
	unsigned next_worker;
} acceptor_t;

static void addr_string(const struct sockaddr_storage *sa, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
	}
	snprintf(out, cap, "%s:%d", host, port);
}

static int listen_on(const char *addr, int port, int backlog, char *err,
		     size_t errlen)
{
	bool optional = addr[0] == '-'; /* Redis: "-::1" may fail quietly */
	if (optional)
		addr++;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST };
	struct addrinfo *res;
	char portstr[16];
	snprintf(portstr, sizeof(portstr), "%d", port);
	int rc = getaddrinfo(strcmp(addr, "*") ? addr : NULL, portstr, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "Invalid bind address '%s': %s", addr,
			 gai_strerror(rc));
		return optional ? -EAGAIN : -EINVAL;
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (res->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, backlog) < 0) {
		int e = errno;
		snprintf(err, errlen, "Could not create server TCP listening "
			 "socket %s:%d: %s", addr, port, strerror(e));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return optional ? -EAGAIN : -e;
	}
	freeaddrinfo(res);
	return fd;
}

static void hand_over(acceptor_t *ac, int fd, const struct sockaddr_storage *sa)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((unsigned)ck_pr_load_int(&srv.connected_clients) >= srv.cfg.maxclients) {
		static const char msg[] = "-ERR max number of clients reached\r\n";
		ssize_t w = write(fd, msg, sizeof(msg) - 1);
		(void)w;
		close(fd);
		ck_pr_inc_64(&srv.rejected_connections);
		return;
	}
	int worker = (int)(ac->next_worker++ % (unsigned)srv.nworkers);
	act_actor_t *conn = conn_spawn(worker);
	accepted_msg_t *m = (accepted_msg_t *)act_msg_new(sizeof(*m), MSG_ACCEPTED);
	if (!conn || !m) {
		close(fd);
		if (m)
			act_msg_free(&m->hdr);
		if (conn)
			act_stop(conn), act_actor_unref(conn);
		return;
	}
	ck_pr_inc_int(&srv.connected_clients);
	ck_pr_inc_64(&srv.total_connections);
	m->fd = fd;
	addr_string(sa, m->peer, sizeof(m->peer));
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	if (getsockname(fd, (struct sockaddr *)&local, &len) == 0)
		addr_string(&local, m->local, sizeof(m->local));
	else
		m->local[0] = '\0';
	act_send(conn, &m->hdr);
	act_actor_unref(conn); /* it lives on its socket; stops itself */
}

/* Accept up to a bounded number; true if more may be pending. */
static bool accept_some(acceptor_t *ac, int lfd)
{
	for (int i = 0; i < 256; i++) { /* bounded: let other actors run */
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(lfd, (struct sockaddr *)&sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warning("Accepting client connection: %s",
					    strerror(errno));
			return false;
		}
		hand_over(ac, fd, &sa);
	}
	return true;
}

enum { MSG_ACCEPT_MORE = 100 };

typedef struct more_msg {
	act_msg_t hdr;
	int index;
} more_msg_t;

static void accept_from(act_actor_t *self, acceptor_t *ac, int index)
{
	if (!accept_some(ac, ac->fds[index]))
		return;
	/* Edge-triggered: no new event will come for what is still queued in
	 * the backlog, so come back after the messages already waiting. */
	more_msg_t *m = (more_msg_t *)act_msg_new(sizeof(*m), MSG_ACCEPT_MORE);
	if (m) {
		m->index = index;
		act_send(self, &m->hdr);
	}
}

static void acceptor_on_start(act_actor_t *self, void *state)
{
	acceptor_t *ac = state;
	for (int i = 0; i < ac->nfds; i++)
		if (act_fd_watch(self, ac->fds[i], ACT_FD_READ, (uint64_t)i, NULL) < 0)
			log_warning("Cannot watch listening socket: %s",
				    strerror(errno));
}

static void acceptor_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	acceptor_t *ac = state;
	if (msg->type == ACT_MSG_FD)
		accept_from(self, ac, (int)((act_fd_msg_t *)msg)->tag);
	else if (msg->type == MSG_ACCEPT_MORE)
		accept_from(self, ac, ((more_msg_t *)msg)->index);
}

static void acceptor_on_stop(act_actor_t *self, void *state)
{
	acceptor_t *ac = state;
	for (int i = 0; i < ac->nfds; i++)
		close(ac->fds[i]);
	free(ac);
	(void)self;
}

static const act_behaviour_t acceptor_behaviour = {
	.name = "acceptor",
	.on_start = acceptor_on_start,
	.receive = acceptor_receive,
	.on_stop = acceptor_on_stop,
};

act_actor_t *acceptor_start(char *err, size_t errlen)
{
	acceptor_t *ac = calloc(1, sizeof(*ac));
	if (!ac) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < srv.cfg.bind_count && srv.cfg.port; i++) {
		int fd = listen_on(srv.cfg.bind[i], srv.cfg.port,
				   srv.cfg.tcp_backlog, err, errlen);
		if (fd == -EAGAIN)
			continue;
		if (fd < 0) {
			for (int j = 0; j < ac->nfds; j++)
				close(ac->fds[j]);
			free(ac);
			return NULL;
		}
		ac->fds[ac->nfds++] = fd;
	}
	if (ac->nfds == 0 && srv.cfg.port) {
		snprintf(err, errlen, "Failed listening on port %d (tcp), aborting.",
			 srv.cfg.port);
		free(ac);
		return NULL;
	}
	act_actor_t *a = act_spawn(srv.sys, &acceptor_behaviour, ac, 0);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		for (int j = 0; j < ac->nfds; j++)
			close(ac->fds[j]);
		free(ac);
	}
	return a;
}
