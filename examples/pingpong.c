/*
 * pingpong.c - the actor runtime on its own: two actors bat a ball between
 * two workers, a one-shot timer serves the first ball, a periodic timer
 * counts the time spent, and the main thread waits for the end of the game
 * on a pipe.
 *
 * Build against the installed library:
 *   cc pingpong.c $(pkg-config --cflags --libs flashkv-actors) -o pingpong
 * Run:
 *   ./pingpong [round-trips]        (default 100000)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flashkv/act.h>

/* Message types are the user's: anything below ACT_MSG_RUNTIME. */
enum { MSG_BALL = 1 };

/* Every message starts with the runtime's header. */
typedef struct ball {
	act_msg_t hdr;
	uint64_t hits;
} ball_t;

enum { TAG_SERVE = 1, TAG_TICK = 2 };

typedef struct player {
	act_actor_t *partner;   /* whom to hit the ball to */
	uint64_t goal;          /* ping only: round trips to play */
	uint64_t started_ns;
	uint64_t ticks;         /* periodic timer deliveries (ms) */
	act_timer_t *tick;
	int done_fd;            /* ping only: written when the game ends */
} player_t;

static int hit(act_actor_t *to, uint64_t hits)
{
	/* Allocated on this worker's pool; freed by the runtime after the
	 * receiver's handler returns, wherever that runs. */
	ball_t *b = (ball_t *)act_msg_new(sizeof(*b), MSG_BALL);
	if (!b)
		return -ENOMEM;
	b->hits = hits;
	return act_send(to, &b->hdr); /* ownership passes to the runtime */
}

/* ping: serves after 1 ms, counts round trips, ends the game. */
static void ping_start(act_actor_t *self, void *state)
{
	player_t *p = state;
	/* Timers belong to the actor and are started from inside it. */
	act_timer_start(self, 1000000, 0, TAG_SERVE, NULL);        /* one-shot */
	act_timer_start(self, 1000000, 1000000, TAG_TICK, &p->tick); /* 1 ms */
}

static void ping_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	player_t *p = state;
	if (msg->type == ACT_MSG_TIMER) {
		act_timer_msg_t *t = (act_timer_msg_t *)msg;
		if (t->tag == TAG_SERVE) {
			p->started_ns = act_now_ns();
			hit(p->partner, 0);
		} else {
			p->ticks += t->expired; /* periods, even if some were missed */
		}
		return;
	}
	ball_t *b = (ball_t *)msg; /* borrowed: do not free */
	if (b->hits + 1 < p->goal) {
		hit(p->partner, b->hits + 1);
		return;
	}
	double us = (double)(act_now_ns() - p->started_ns) / 1e3;
	printf("pingpong: %llu round trips between workers %d and %d, "
	       "%.2f us each, %llu timer ticks\n",
	       (unsigned long long)p->goal, act_current_worker(),
	       act_actor_worker(p->partner), us / (double)p->goal,
	       (unsigned long long)p->ticks);
	act_timer_cancel(self, p->tick);
	char one = 1;
	if (write(p->done_fd, &one, 1) != 1)
		perror("write");
}

/* pong: returns every ball. */
static void pong_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	player_t *p = state;
	if (msg->type == MSG_BALL)
		hit(p->partner, ((ball_t *)msg)->hits);
	(void)self;
}

static const act_behaviour_t ping_beh = {
	.name = "ping", .on_start = ping_start, .receive = ping_receive,
};
static const act_behaviour_t pong_beh = {
	.name = "pong", .receive = pong_receive,
};

int main(int argc, char **argv)
{
	uint64_t goal = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000;
	if (goal == 0)
		goal = 1;
	int done[2];
	if (pipe(done) < 0) {
		perror("pipe");
		return 1;
	}

	act_config_t cfg;
	act_config_default(&cfg);   /* one pinned worker per allowed CPU */
	act_system_t *sys;
	int err = act_system_create(&cfg, &sys);
	if (err < 0) {
		fprintf(stderr, "act_system_create: %s\n", strerror(-err));
		return 1;
	}
	int n = act_system_workers(sys);

	player_t ping = { .goal = goal, .done_fd = done[1] };
	player_t pong = { 0 };
	/* Spawn before start: the actors' first messages wait in their
	 * mailboxes.  Each handle holds one reference. */
	act_actor_t *a = act_spawn(sys, &pong_beh, &pong, n > 1 ? 1 : 0);
	ping.partner = a;
	act_actor_t *b = act_spawn(sys, &ping_beh, &ping, 0);
	pong.partner = b;
	if (!a || !b || (err = act_system_start(sys)) < 0) {
		fprintf(stderr, "cannot start the actors\n");
		return 1;
	}

	char c;
	while (read(done[0], &c, 1) < 0 && errno == EINTR)
		;

	/* Stop the game.  Shutdown rule: messages still in flight are
	 * freed undelivered, every actor gets on_stop, later sends fail with
	 * -ESRCH.  Handles die with the system: unref them first. */
	act_actor_unref(a);
	act_actor_unref(b);
	act_system_shutdown(sys);
	act_system_destroy(sys);
	close(done[0]);
	close(done[1]);
	printf("pingpong: ok\n");
	return 0;
}
