/*
 * test_stop.c - stopping actors and shutting the system down.
 *
 * The rules under test (act.h):
 *   - a send to an actor whose stop has been processed returns -ESRCH and
 *     frees the message (a leak checker, ASan in CI or valgrind by hand,
 *     sees whether it was freed);
 *   - a stop takes effect after the message being handled: nothing queued
 *     (before or after the stop was asked for) is delivered any more;
 *   - shutdown with messages in flight (in mailboxes, between workers,
 *     from foreign threads, timers and fd events pending): every actor gets
 *     on_stop exactly once, undelivered messages are freed, nothing leaks.
 */
#include <pthread.h>
#include <sys/socket.h>

#include "helpers.h"

typedef struct stop_state {
	uint64_t received;
	uint64_t last_seq;
	int out_of_order;
	int stops;
	int after_stop;           /* messages delivered after on_stop */
	uint64_t stop_at;         /* CMD: stop self when seq reaches this */
	int send_rc;              /* result of a send to a stopped actor */
	int send_done;
	act_actor_t *victim;      /* a stopped actor to send to */
} stop_state_t;

enum { CMD_SEND_TO_VICTIM = 1 };

static void stop_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	stop_state_t *s = st;
	if (LOAD(&s->stops))
		ADD(&s->after_stop, 1);
	seq_msg_t *m = (seq_msg_t *)msg;
	if (msg->type == T_CMD && m->cmd == CMD_SEND_TO_VICTIM) {
		s->send_rc = send_seq(s->victim, T_SEQ, 0, 0);
		STORE(&s->send_done, 1);
		return;
	}
	if (msg->type != T_SEQ)
		return;
	if (m->seq != LOAD(&s->received))
		ADD(&s->out_of_order, 1);
	STORE(&s->last_seq, m->seq);
	ADD(&s->received, 1);
	if (s->stop_at && m->seq == s->stop_at)
		act_stop(self);
}

static void stop_on_stop(act_actor_t *self, void *st)
{
	stop_state_t *s = st;
	ADD(&s->stops, 1);
	(void)self;
}

static const act_behaviour_t stop_beh = {
	.name = "stoppable",
	.receive = stop_receive,
	.on_stop = stop_on_stop,
};

Test(stop, send_to_stopped_actor_is_refused_and_freed)
{
	act_system_t *sys = make_system(2, 20000, 0, true);
	stop_state_t vs = { 0 }, os = { 0 };
	act_actor_t *victim = act_spawn(sys, &stop_beh, &vs, 0);
	act_actor_t *other = act_spawn(sys, &stop_beh, &os, 1);
	os.victim = victim;

	cr_assert_eq(send_seq(victim, T_SEQ, 0, 0), 0);
	WAIT_UNTIL(LOAD(&vs.received) == 1, 5000);
	act_stop(victim);
	WAIT_UNTIL(LOAD(&vs.stops) == 1, 5000);

	/* From a foreign thread: -ESRCH, message freed by the runtime. */
	for (int i = 0; i < 100; i++)
		cr_assert_eq(send_seq(victim, T_SEQ, 0, 1), -ESRCH);
	/* A big one (malloc path) too. */
	act_msg_t *big = act_msg_new(100000, T_SEQ);
	cr_assert_eq(act_send(victim, big), -ESRCH);

	/* From an actor on another worker (pooled message): the same. */
	send_cmd(other, CMD_SEND_TO_VICTIM, NULL);
	WAIT_UNTIL(LOAD(&os.send_done), 5000);
	cr_assert_eq(os.send_rc, -ESRCH);

	act_stop(victim); /* again: nothing happens */
	usleep(10000);
	cr_assert_eq(LOAD(&vs.stops), 1);
	cr_assert_eq(LOAD(&vs.received), 1);
	cr_assert_eq(LOAD(&vs.after_stop), 0);
	act_actor_unref(victim);
	act_actor_unref(other);
	end_system(sys);
	cr_assert_eq(vs.stops, 1);
	cr_assert_eq(os.stops, 1);
}

Test(stop, stop_drops_what_is_still_queued)
{
	/* One worker, not started yet: everything below is queued before
	 * anything runs.  The stop overtakes the queued messages (none is
	 * delivered once the stop was asked for) but not the start. */
	act_system_t *sys = make_system(1, 0, 0, false);
	stop_state_t s = { 0 };
	act_actor_t *a = act_spawn(sys, &stop_beh, &s, 0);
	for (uint64_t i = 0; i < 10; i++)
		cr_assert_eq(send_seq(a, T_SEQ, 0, i), 0);
	act_stop(a);
	for (uint64_t i = 10; i < 20; i++) /* not stopped yet: accepted */
		cr_assert_eq(send_seq(a, T_SEQ, 0, i), 0);
	cr_assert_eq(act_system_start(sys), 0);
	WAIT_UNTIL(LOAD(&s.stops) == 1, 5000);
	usleep(20000);
	cr_assert_eq(LOAD(&s.received), 0, "freed undelivered");
	cr_assert_eq(LOAD(&s.after_stop), 0);
	cr_assert_eq(send_seq(a, T_SEQ, 0, 99), -ESRCH);
	act_actor_unref(a);
	end_system(sys);
}

Test(stop, actor_stops_itself)
{
	act_system_t *sys = make_system(2, 20000, 0, true);
	stop_state_t s = { .stop_at = 500 };
	act_actor_t *a = act_spawn(sys, &stop_beh, &s, 1);
	/* Keep sending until refused: every send before the refusal either
	 * was delivered or was freed undelivered. */
	uint64_t sent = 0;
	uint64_t deadline = act_now_ns() + 10000 * MS;
	while (send_seq(a, T_SEQ, 0, sent) == 0 && act_now_ns() < deadline) {
		sent++;
		if ((sent & 63) == 0)
			usleep(100);
	}
	cr_assert_geq(sent, 501, "refused before the stop was asked for");
	WAIT_UNTIL(LOAD(&s.stops) == 1, 5000);
	cr_assert_eq(LOAD(&s.last_seq), 500, "nothing after the self-stop");
	cr_assert_eq(LOAD(&s.after_stop), 0);
	cr_assert_eq(s.out_of_order, 0);
	act_actor_unref(a);
	end_system(sys);
}

/* ---- shutdown with messages in flight -------------------------------- */

enum { N_RING = 8, N_BALLS = 64 };

typedef struct ring_state {
	act_actor_t *next;
	uint64_t hops;
	int stops;
	int *heap_state;        /* freed in on_stop: a leak shows */
	int sv[2];              /* a socket pair with a watch on sv[0] */
	bool started_watch;
} ring_state_t;

static void ring_start(act_actor_t *self, void *st)
{
	ring_state_t *s = st;
	s->heap_state = malloc(64);
	/* A periodic timer and an fd watch, alive at shutdown. */
	act_timer_start(self, 1 * MS, 1 * MS, 1, NULL);
	act_timer_start(self, 3600000 * MS, 0, 2, NULL);
	if (act_fd_watch(self, s->sv[0], ACT_FD_READ | ACT_FD_WRITE, 3, NULL) == 0)
		s->started_watch = true;
}

static void ring_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	ring_state_t *s = st;
	if (msg->type == T_SEQ) {
		/* Pass a new ball on (pooled here, freed on the next worker)
		 * and, now and then, an extra big one that is malloc'ed. */
		seq_msg_t *m = (seq_msg_t *)msg;
		send_seq(s->next, T_SEQ, 0, m->seq + 1);
		if ((m->seq & 255) == 0) {
			act_msg_t *big = act_msg_new(20000, T_DATA);
			if (big)
				act_send(s->next, big);
		}
		ADD(&s->hops, 1);
	}
	(void)self;
}

static void ring_stop(act_actor_t *self, void *st)
{
	ring_state_t *s = st;
	ADD(&s->stops, 1);
	free(s->heap_state);
	s->heap_state = NULL;
	(void)self;
}

static const act_behaviour_t ring_beh = {
	.name = "ring",
	.on_start = ring_start,
	.receive = ring_receive,
	.on_stop = ring_stop,
};

typedef struct pelter {
	act_actor_t *to[N_RING];
	int stop;
	uint64_t sent, refused;
} pelter_t;

static void *pelt(void *p)
{
	pelter_t *pl = p;
	for (uint64_t i = 0; !LOAD(&pl->stop); i++) {
		int rc = send_seq(pl->to[i % N_RING], T_DATA, 0, i);
		if (rc == 0)
			ADD(&pl->sent, 1);
		else
			ADD(&pl->refused, 1);
		if ((i & 127) == 0)
			sched_yield();
	}
	return NULL;
}

static void shutdown_in_flight(bool destroy_without_shutdown)
{
	act_system_t *sys = make_system(2, 20000, 16, true);
	ring_state_t rs[N_RING];
	act_actor_t *a[N_RING];
	memset(rs, 0, sizeof(rs));
	for (int i = 0; i < N_RING; i++) {
		cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
					rs[i].sv), 0);
		a[i] = act_spawn(sys, &ring_beh, &rs[i], i % 2);
	}
	for (int i = 0; i < N_RING; i++)
		rs[i].next = a[(i + 1) % N_RING];
	pelter_t pl = { .stop = 0 };
	memcpy(pl.to, a, sizeof(a));
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, pelt, &pl), 0);
	for (int b = 0; b < N_BALLS; b++)
		send_seq(a[b % N_RING], T_SEQ, 0, 0);
	/* Generous: only the start of the traffic is awaited, and a loaded
	 * machine can starve it for seconds. */
	WAIT_UNTIL(LOAD(&rs[0].hops) > 1000 && LOAD(&pl.sent) > 1000, 60000);
	for (int i = 0; i < N_RING; i++)
		write(rs[i].sv[1], "x", 1); /* readiness pending too */

	/* Messages are in mailboxes, in run queues, in transit between
	 * workers and arriving from foreign threads right now. */
	if (destroy_without_shutdown) {
		STORE(&pl.stop, 1);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		for (int i = 0; i < N_RING; i++)
			act_actor_unref(a[i]);
		act_system_destroy(sys); /* shuts down itself */
	} else {
		cr_assert_eq(act_system_shutdown(sys), 0);
		/* Senders racing with the shutdown: refused or queued. */
		usleep(1000);
		STORE(&pl.stop, 1);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		for (int i = 0; i < N_RING; i++) {
			cr_assert_eq(send_seq(a[i], T_SEQ, 0, 0), -ESRCH);
			act_actor_unref(a[i]);
		}
		act_system_destroy(sys);
	}
	for (int i = 0; i < N_RING; i++) {
		cr_assert_eq(rs[i].stops, 1, "actor %d: on_stop %d times", i,
			     rs[i].stops);
		cr_assert(rs[i].started_watch);
		cr_assert_null(rs[i].heap_state);
		close(rs[i].sv[0]);
		close(rs[i].sv[1]);
	}
	cr_assert_gt(pl.sent, 0);
}

Test(stop, shutdown_with_messages_in_flight, .timeout = 60)
{
	for (unsigned r = 0; r < 5 * stress_scale(); r++)
		shutdown_in_flight(false);
}

Test(stop, destroy_with_messages_in_flight, .timeout = 60)
{
	for (unsigned r = 0; r < 5 * stress_scale(); r++)
		shutdown_in_flight(true);
}

Test(stop, destroy_never_started_system_with_queued_messages)
{
	act_system_t *sys = make_system(2, 0, 0, false);
	stop_state_t s[4];
	act_actor_t *a[4];
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 4; i++) {
		a[i] = act_spawn(sys, &stop_beh, &s[i], i % 2);
		for (int k = 0; k < 100; k++)
			cr_assert_eq(send_seq(a[i], T_SEQ, 0, (uint64_t)k), 0);
		act_msg_t *big = act_msg_new(50000, T_SEQ);
		cr_assert_eq(act_send(a[i], big), 0);
	}
	act_stop(a[0]);
	act_actor_unref(a[0]);
	act_actor_unref(a[1]);
	act_system_destroy(sys); /* never started: all freed undelivered */
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(s[i].received, 0);
		cr_assert_eq(s[i].stops, 1);
	}
}
