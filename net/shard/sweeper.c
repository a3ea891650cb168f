/*
 * sweeper.c - the sweeper actor: a periodic timer, `hz` times a second,
 * that sends each shard a tick; the shard then runs its own bounded,
 * adaptive active-expiry cycle on its own data (shard.c).  CONFIG SET hz
 * sends it MSG_HZ, and the timer restarts at the new rate.
 */
#include "sweeper.h"

#include <stdlib.h>

#include "net/core/log.h"
#include "shard.h"

typedef struct sweeper {
	act_timer_t *timer;
	int hz;
} sweeper_t;

static void arm(act_actor_t *self, sweeper_t *sw)
{
	sw->hz = server_cfg()->hz;
	uint64_t period = 1000000000ull / (uint64_t)sw->hz;
	if (act_timer_start(self, period, period, 0, &sw->timer) < 0) {
		sw->timer = NULL;
		log_warning("Cannot start the expiry timer");
	}
}

static void sweeper_on_start(act_actor_t *self, void *state)
{
	arm(self, state);
}

static void sweeper_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	sweeper_t *sw = state;
	if (msg->type == MSG_HZ) {
		if (sw->timer && sw->hz == server_cfg()->hz)
			return;
		if (sw->timer)
			act_timer_cancel(self, sw->timer);
		arm(self, sw);
		return;
	}
	if (msg->type != ACT_MSG_TIMER)
		return;
	for (int s = 0; s < srv.nshards; s++) {
		act_msg_t *tick = act_msg_new(sizeof(act_msg_t), MSG_TICK);
		if (tick)
			act_send(srv.shards[s]->actor, tick);
	}
}

static void sweeper_on_stop(act_actor_t *self, void *state)
{
	free(state); /* the runtime has cancelled the timer */
	(void)self;
}

static const act_behaviour_t sweeper_behaviour = {
	.name = "sweeper",
	.on_start = sweeper_on_start,
	.receive = sweeper_receive,
	.on_stop = sweeper_on_stop,
};

act_actor_t *sweeper_start(void)
{
	sweeper_t *sw = calloc(1, sizeof(*sw));
	if (!sw)
		return NULL;
	act_actor_t *a = act_spawn(srv.sys, &sweeper_behaviour, sw, 0);
	if (!a)
		free(sw);
	return a;
}
