/*
 * test_fd.c - file-descriptor readiness delivered as messages: read and
 * write readiness on a socket pair and a pipe, edge-triggered re-arming
 * after EAGAIN, modify, unwatch (from another message and from inside the
 * fd handler), hang-up, and the threading rule.
 */
#include <fcntl.h>
#include <sys/socket.h>

#include "helpers.h"

enum { CMD_WATCH = 1, CMD_MODIFY, CMD_UNWATCH, CMD_FILL };

typedef struct fd_state {
	int fd;
	uint32_t watch_events;      /* for CMD_WATCH / CMD_MODIFY */
	bool unwatch_in_handler;    /* unwatch on the first readiness */
	act_fd_t *watch;
	int rc;                     /* last watch/modify result */
	int cmds;                   /* commands handled */
	/* seen */
	char buf[4096];
	size_t len;
	int fd_msgs;
	int reads, writes, hups;
	int eof;
	int bad_tag;
	size_t filled;              /* bytes written by CMD_FILL */
} fd_state_t;

static void drain(fd_state_t *s)
{
	for (;;) {
		char tmp[512];
		ssize_t n = read(s->fd, tmp, sizeof(tmp));
		if (n > 0) {
			size_t room = sizeof(s->buf) - 1 - s->len;
			size_t k = (size_t)n < room ? (size_t)n : room;
			memcpy(s->buf + s->len, tmp, k);
			STORE(&s->len, s->len + k);
			continue;
		}
		if (n == 0)
			STORE(&s->eof, 1);
		return; /* EAGAIN (edge consumed), EOF or error */
	}
}

static void fd_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	fd_state_t *s = st;
	if (msg->type == ACT_MSG_FD) {
		act_fd_msg_t *fm = (act_fd_msg_t *)msg;
		if (fm->tag != 42 || fm->watch != s->watch)
			ADD(&s->bad_tag, 1);
		if (fm->events & ACT_FD_HUP)
			ADD(&s->hups, 1);
		if (fm->events & ACT_FD_WRITE)
			ADD(&s->writes, 1);
		if (fm->events & ACT_FD_READ) {
			ADD(&s->reads, 1);
			drain(s);
		}
		if (s->unwatch_in_handler) {
			act_fd_unwatch(self, fm->watch);
			s->watch = NULL;
		}
		ADD(&s->fd_msgs, 1);
		return;
	}
	seq_msg_t *c = (seq_msg_t *)msg;
	switch (c->cmd) {
	case CMD_WATCH:
		s->rc = act_fd_watch(self, s->fd, s->watch_events, 42, &s->watch);
		break;
	case CMD_MODIFY:
		s->rc = act_fd_modify(self, s->watch, s->watch_events);
		break;
	case CMD_UNWATCH:
		act_fd_unwatch(self, s->watch);
		s->watch = NULL;
		break;
	case CMD_FILL: {
		static const char junk[4096];
		ssize_t n;
		while ((n = write(s->fd, junk, sizeof(junk))) > 0)
			s->filled += (size_t)n;
		break;
	}
	}
	ADD(&s->cmds, 1);
}

static const act_behaviour_t fd_beh = { .name = "fd", .receive = fd_receive };

/* Send a command and wait until the actor has handled it. */
static void command(act_actor_t *a, fd_state_t *s, int cmd)
{
	int before = LOAD(&s->cmds);
	cr_assert_eq(send_cmd(a, (uint32_t)cmd, NULL), 0);
	WAIT_UNTIL(LOAD(&s->cmds) > before, 5000);
}

static void make_pair(int sv[2])
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
}

Test(fd, read_readiness_and_rearm_after_eagain)
{
	act_system_t *sys = make_system(2, 20000, 0, true);
	int sv[2];
	make_pair(sv);
	fd_state_t s = { .fd = sv[0], .watch_events = ACT_FD_READ };
	act_actor_t *a = act_spawn(sys, &fd_beh, &s, 1);
	command(a, &s, CMD_WATCH);
	cr_assert_eq(s.rc, 0);

	cr_assert_eq(write(sv[1], "hello", 5), 5);
	/* Read, and the handler done (it has seen EAGAIN). */
	WAIT_UNTIL(LOAD(&s.len) == 5 && LOAD(&s.fd_msgs) >= 1, 5000);
	cr_assert_eq(memcmp(s.buf, "hello", 5), 0);
	/* Edge-triggered: the actor read to EAGAIN, the next data is a
	 * new edge and a new message. */
	cr_assert_eq(write(sv[1], " world", 6), 6);
	WAIT_UNTIL(LOAD(&s.len) == 11, 5000);
	cr_assert_eq(memcmp(s.buf, "hello world", 11), 0);
	cr_assert_geq(LOAD(&s.reads), 2);
	cr_assert_eq(s.bad_tag, 0);
	cr_assert_eq(s.writes, 0, "not asked for");

	/* Many small writes while the actor is busy or not: all arrive.
	 * (Each one costs a whole buffer in the socket's accounting: when
	 * it is full, wait for the actor to drain it.) */
	for (int i = 0; i < 1000; i++) {
		ssize_t n;
		while ((n = write(sv[1], "x", 1)) < 0 && errno == EAGAIN)
			usleep(100);
		cr_assert_eq(n, 1);
	}
	WAIT_UNTIL(LOAD(&s.len) == 1011, 5000);

	/* Hang-up: the peer closes. */
	close(sv[1]);
	WAIT_UNTIL(LOAD(&s.eof), 5000);
	WAIT_UNTIL(LOAD(&s.hups) >= 1, 5000);
	command(a, &s, CMD_UNWATCH);
	close(sv[0]);
	act_actor_unref(a);
	end_system(sys);
}

Test(fd, write_readiness_and_modify)
{
	act_system_t *sys = make_system(2, 20000, 0, true);
	int sv[2];
	make_pair(sv);
	fd_state_t s = { .fd = sv[0], .watch_events = ACT_FD_WRITE };
	act_actor_t *a = act_spawn(sys, &fd_beh, &s, 0);
	command(a, &s, CMD_WATCH);
	cr_assert_eq(s.rc, 0);
	/* An empty socket is writable at once. */
	WAIT_UNTIL(LOAD(&s.writes) >= 1, 5000);

	/* Fill it until EAGAIN: no write readiness while full... */
	command(a, &s, CMD_FILL);
	cr_assert_gt(s.filled, 0);
	usleep(20000);
	int w = LOAD(&s.writes);
	usleep(20000);
	cr_assert_eq(LOAD(&s.writes), w, "full socket reported writable");
	/* ...and a new edge once the peer reads it all. */
	char tmp[65536];
	size_t got = 0;
	while (got < s.filled) {
		ssize_t n = read(sv[1], tmp, sizeof(tmp));
		if (n > 0)
			got += (size_t)n;
		else
			usleep(1000);
	}
	WAIT_UNTIL(LOAD(&s.writes) > w, 5000);

	/* Modify to read only: data is seen, no more write messages. */
	s.watch_events = ACT_FD_READ;
	command(a, &s, CMD_MODIFY);
	cr_assert_eq(s.rc, 0);
	w = LOAD(&s.writes);
	cr_assert_eq(write(sv[1], "abc", 3), 3);
	WAIT_UNTIL(LOAD(&s.len) == 3, 5000);
	cr_assert_eq(LOAD(&s.writes), w);

	command(a, &s, CMD_UNWATCH);
	close(sv[0]);
	close(sv[1]);
	act_actor_unref(a);
	end_system(sys);
}

Test(fd, unwatch_stops_delivery)
{
	act_system_t *sys = make_system(1, 0, 0, true);
	int sv[2];
	make_pair(sv);
	fd_state_t s = { .fd = sv[0], .watch_events = ACT_FD_READ };
	act_actor_t *a = act_spawn(sys, &fd_beh, &s, 0);
	command(a, &s, CMD_WATCH);
	cr_assert_eq(write(sv[1], "a", 1), 1);
	WAIT_UNTIL(LOAD(&s.len) == 1, 5000);
	command(a, &s, CMD_UNWATCH);
	int msgs = LOAD(&s.fd_msgs);
	cr_assert_eq(write(sv[1], "b", 1), 1);
	close(sv[1]); /* a hang-up too */
	usleep(50000);
	cr_assert_eq(LOAD(&s.fd_msgs), msgs, "messages after unwatch");
	cr_assert_eq(LOAD(&s.len), 1);
	/* Watch again: the pending data is reported. */
	command(a, &s, CMD_WATCH);
	cr_assert_eq(s.rc, 0);
	WAIT_UNTIL(LOAD(&s.len) == 2, 5000);
	command(a, &s, CMD_UNWATCH);
	close(sv[0]);
	act_actor_unref(a);
	end_system(sys);
}

Test(fd, unwatch_inside_the_fd_handler)
{
	act_system_t *sys = make_system(1, 0, 0, true);
	int sv[2];
	make_pair(sv);
	fd_state_t s = { .fd = sv[0], .watch_events = ACT_FD_READ | ACT_FD_WRITE,
			 .unwatch_in_handler = true };
	act_actor_t *a = act_spawn(sys, &fd_beh, &s, 0);
	command(a, &s, CMD_WATCH);
	WAIT_UNTIL(LOAD(&s.fd_msgs) == 1, 5000);
	cr_assert_eq(write(sv[1], "zz", 2), 2);
	usleep(50000);
	cr_assert_eq(LOAD(&s.fd_msgs), 1, "delivered after unwatch");
	close(sv[0]);
	close(sv[1]);
	act_actor_unref(a);
	end_system(sys);
}

Test(fd, pipe_read_end)
{
	act_system_t *sys = make_system(2, 0, 0, true);
	int p[2];
	cr_assert_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	fd_state_t s = { .fd = p[0], .watch_events = ACT_FD_READ };
	act_actor_t *a = act_spawn(sys, &fd_beh, &s, 1);
	command(a, &s, CMD_WATCH);
	cr_assert_eq(s.rc, 0);
	usleep(20000); /* let the worker park: readiness must wake it */
	cr_assert_eq(write(p[1], "pipe!", 5), 5);
	WAIT_UNTIL(LOAD(&s.len) == 5, 5000);
	cr_assert_eq(memcmp(s.buf, "pipe!", 5), 0);
	close(p[1]);
	WAIT_UNTIL(LOAD(&s.eof), 5000);
	command(a, &s, CMD_UNWATCH);
	close(p[0]);
	act_actor_unref(a);
	end_system(sys);
}

Test(fd, errors_and_threading_rule)
{
	act_system_t *sys = make_system(1, 0, 0, true);
	fd_state_t s = { .fd = -1, .watch_events = ACT_FD_READ };
	act_actor_t *a = act_spawn(sys, &fd_beh, &s, 0);
	command(a, &s, CMD_WATCH);
	cr_assert_eq(s.rc, -EBADF);
	cr_assert_null(s.watch);
	int sv[2];
	make_pair(sv);
	act_fd_t *w = NULL;
	cr_assert_eq(act_fd_watch(a, sv[0], ACT_FD_READ, 0, &w), -EPERM,
		     "not from outside the actor");
	cr_assert_null(w);
	close(sv[0]);
	close(sv[1]);
	act_actor_unref(a);
	end_system(sys);
}

Test(fd, watches_alive_at_shutdown_are_removed)
{
	act_system_t *sys = make_system(2, 0, 0, true);
	int sv[2][2];
	fd_state_t s[2];
	act_actor_t *a[2];
	for (int i = 0; i < 2; i++) {
		make_pair(sv[i]);
		s[i] = (fd_state_t){ .fd = sv[i][0],
				     .watch_events = ACT_FD_READ | ACT_FD_WRITE };
		a[i] = act_spawn(sys, &fd_beh, &s[i], i);
		command(a[i], &s[i], CMD_WATCH);
		cr_assert_eq(write(sv[i][1], "q", 1), 1);
	}
	act_stop(a[0]);
	for (int i = 0; i < 2; i++)
		act_actor_unref(a[i]);
	end_system(sys); /* unwatches (and frees) what is left */
	for (int i = 0; i < 2; i++) {
		close(sv[i][0]);
		close(sv[i][1]);
	}
}
