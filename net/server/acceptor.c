/*
 * acceptor.c - the acceptor actor: owns the listening sockets, accepts, and
 * hands each socket to a worker (round-robin), where a new connection actor
 * takes it.  maxclients and protected mode are enforced here, with Redis's
 * errors.
 *
 * CONFIG SET port / bind opens the new listening sockets on its own thread
 * (acceptor_prepare), so that a failure is known before anything changes,
 * and sends them to the acceptor (acceptor_commit), which closes those it
 * no longer needs.  A socket for an address and port that stay is kept, not
 * reopened (binding it again while the old one listens would fail).  The
 * registry of what the acceptor has or is about to have is shared with
 * CONFIG SET under `reg_lock`; the acceptor's own arrays are its alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ck_pr.h>

#include "acceptor.h"
#include "net/conn/conn.h"
#include "net/core/log.h"
#include "store/base/errors.h"

typedef struct acceptor {
	int fds[CONFIG_BIND_MAX];
	act_fd_t *watch[CONFIG_BIND_MAX];
	int nfds;
	unsigned next_worker;
} acceptor_t;

/* Listening sockets: what the acceptor has, or will have once the last
 * MSG_LISTENERS sent to it arrives.  Under reg_lock. */
struct acceptor_set {
	int n;
	int port;
	int fds[CONFIG_BIND_MAX];
	char addr[CONFIG_BIND_MAX][CONFIG_ADDR_LEN]; /* as configured */
	bool fresh[CONFIG_BIND_MAX]; /* opened by acceptor_prepare */
};

typedef struct listeners_msg {
	act_msg_t hdr;
	int n;
	int fds[CONFIG_BIND_MAX];
} listeners_msg_t;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static acceptor_set_t reg;
static bool reg_stopped; /* the acceptor has closed its sockets */

/* Redis's connIsLocal: is @peer ("ip:port") on the loopback? */
static bool peer_is_local(const char *peer)
{
	const char *colon = strrchr(peer, ':');
	size_t hostlen = colon ? (size_t)(colon - peer) : strlen(peer);
	return !strncmp(peer, "127.", 4) ||
	       (hostlen == 3 && !strncmp(peer, "::1", 3));
}

static const char denied[] = "-" ERR_PROTECTED_MODE "\r\n";

/* A best-effort error line, then close (Redis does not check the write). */
static void refuse(int fd, const char *msg, size_t len)
{
	ssize_t w = write(fd, msg, len);
	(void)w;
	close(fd);
	ck_pr_inc_64(&srv.rejected_connections);
}

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
	const config_t *cfg = server_cfg();
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((unsigned)ck_pr_load_int(&srv.connected_clients) >= cfg->maxclients) {
		static const char msg[] = "-" ERR_MAX_CLIENTS "\r\n";
		refuse(fd, msg, sizeof(msg) - 1);
		return;
	}
	accepted_msg_t *m = (accepted_msg_t *)act_msg_new(sizeof(*m), MSG_ACCEPTED);
	if (m)
		addr_string(sa, m->peer, sizeof(m->peer));
	/* Redis 7.0: whatever `bind` says, with no password a non-loopback
	 * peer is refused while protected mode is on. */
	if (m && cfg->protected_mode && !cfg->requirepass[0] &&
	    !peer_is_local(m->peer)) {
		act_msg_free(&m->hdr);
		refuse(fd, denied, sizeof(denied) - 1);
		return;
	}
	int worker = (int)(ac->next_worker++ % (unsigned)srv.nworkers);
	act_actor_t *conn = conn_spawn(worker);
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
	int fd;
} more_msg_t;

/* Events and MSG_ACCEPT_MORE name a socket by its fd (the watch tag): one
 * that is no longer ours (replaced by CONFIG SET) is ignored. */
static bool ours(const acceptor_t *ac, int fd)
{
	for (int i = 0; i < ac->nfds; i++)
		if (ac->fds[i] == fd)
			return true;
	return false;
}

static void accept_from(act_actor_t *self, acceptor_t *ac, int fd)
{
	if (!ours(ac, fd) || !accept_some(ac, fd))
		return;
	/* Edge-triggered: no new event will come for what is still queued in
	 * the backlog, so come back after the messages already waiting. */
	more_msg_t *m = (more_msg_t *)act_msg_new(sizeof(*m), MSG_ACCEPT_MORE);
	if (m) {
		m->fd = fd;
		act_send(self, &m->hdr);
	}
}

static void watch(act_actor_t *self, acceptor_t *ac, int i)
{
	if (act_fd_watch(self, ac->fds[i], ACT_FD_READ, (uint64_t)ac->fds[i],
			 &ac->watch[i]) < 0) {
		log_warning("Cannot watch listening socket: %s", strerror(errno));
		ac->watch[i] = NULL;
	}
}

static void acceptor_on_start(act_actor_t *self, void *state)
{
	acceptor_t *ac = state;
	for (int i = 0; i < ac->nfds; i++)
		watch(self, ac, i);
}

/* CONFIG SET port / bind: take the new set, close what is not in it. */
static void swap_listeners(act_actor_t *self, acceptor_t *ac,
			   const listeners_msg_t *m)
{
	acceptor_t old = *ac;
	ac->nfds = m->n;
	for (int j = 0; j < m->n; j++) {
		ac->fds[j] = m->fds[j];
		ac->watch[j] = NULL;
		for (int i = 0; i < old.nfds; i++)
			if (old.fds[i] == m->fds[j]) {
				ac->watch[j] = old.watch[i]; /* kept */
				old.fds[i] = -1;
			}
	}
	for (int i = 0; i < old.nfds; i++)
		if (old.fds[i] >= 0) {
			if (old.watch[i])
				act_fd_unwatch(self, old.watch[i]);
			close(old.fds[i]);
		}
	for (int j = 0; j < ac->nfds; j++)
		if (!ac->watch[j])
			watch(self, ac, j); /* reports what is pending */
}

static void acceptor_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	acceptor_t *ac = state;
	if (msg->type == ACT_MSG_FD)
		accept_from(self, ac, (int)((act_fd_msg_t *)msg)->tag);
	else if (msg->type == MSG_ACCEPT_MORE)
		accept_from(self, ac, ((more_msg_t *)msg)->fd);
	else if (msg->type == MSG_LISTENERS)
		swap_listeners(self, ac, (const listeners_msg_t *)msg);
}

static void acceptor_on_stop(act_actor_t *self, void *state)
{
	acceptor_t *ac = state;
	pthread_mutex_lock(&reg_lock);
	reg_stopped = true; /* CONFIG SET keeps its hands off from now on */
	reg.n = 0;
	pthread_mutex_unlock(&reg_lock);
	for (int i = 0; i < ac->nfds; i++)
		close(ac->fds[i]);
	free(ac);
	(void)self;
}

/* "-addr" (may fail quietly) and "addr" are the same socket. */
static bool same_addr(const char *a, const char *b)
{
	return !strcmp(a + (a[0] == '-'), b + (b[0] == '-'));
}

int acceptor_prepare(const config_t *cfg, acceptor_set_t **out, char *err,
		     size_t errlen)
{
	acceptor_set_t *set = calloc(1, sizeof(*set));
	if (!set) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	set->port = cfg->port;
	pthread_mutex_lock(&reg_lock);
	int rc = reg_stopped ? -ESHUTDOWN : 0;
	if (rc)
		snprintf(err, errlen, "shutting down");
	for (int b = 0; !rc && cfg->port && b < cfg->bind_count; b++) {
		const char *addr = cfg->bind[b];
		int fd = -1;
		for (int i = 0; i < reg.n && fd < 0; i++)
			if (reg.port == cfg->port && same_addr(reg.addr[i], addr))
				fd = reg.fds[i];
		for (int j = 0; j < set->n && fd >= 0; j++)
			if (set->fds[j] == fd)
				fd = -1; /* named twice: bind it again, and fail */
		bool fresh = fd < 0;
		if (fresh)
			fd = listen_on(addr, cfg->port, srv.cfg.tcp_backlog, err,
				       errlen);
		if (fd == -EAGAIN)
			continue; /* "-addr": optional */
		if (fd < 0) {
			rc = fd;
			break;
		}
		set->fds[set->n] = fd;
		set->fresh[set->n] = fresh;
		snprintf(set->addr[set->n], CONFIG_ADDR_LEN, "%s", addr);
		set->n++;
	}
	pthread_mutex_unlock(&reg_lock);
	if (rc < 0) {
		acceptor_abort(set);
		return rc;
	}
	*out = set;
	return 0;
}

void acceptor_abort(acceptor_set_t *set)
{
	for (int i = 0; i < set->n; i++)
		if (set->fresh[i])
			close(set->fds[i]);
	free(set);
}

void acceptor_commit(acceptor_set_t *set)
{
	listeners_msg_t *m = (listeners_msg_t *)act_msg_new(sizeof(*m),
							    MSG_LISTENERS);
	pthread_mutex_lock(&reg_lock);
	if (reg_stopped || !m) {
		pthread_mutex_unlock(&reg_lock);
		if (m)
			act_msg_free(&m->hdr);
		acceptor_abort(set);
		return;
	}
	m->n = set->n;
	memcpy(m->fds, set->fds, sizeof(m->fds));
	reg = *set;
	/* Sent under the lock: the acceptor gets the sets in registry order. */
	act_send(srv.acceptor, &m->hdr);
	pthread_mutex_unlock(&reg_lock);
	free(set);
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
	reg.port = srv.cfg.port;
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
		snprintf(reg.addr[ac->nfds], CONFIG_ADDR_LEN, "%s", srv.cfg.bind[i]);
		reg.fds[ac->nfds] = fd;
		ac->fds[ac->nfds++] = fd;
	}
	reg.n = ac->nfds; /* before the workers start: no lock needed */
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
