/*
 * sweeper.c - the sweeper actor: a periodic timer, `hz` times a second,
 * that sends each shard a tick; the shard then runs its own bounded,
 * adaptive active-expiry cycle on its own data (shard.c).
 */
#include <stdlib.h>

#include "log.h"
#include "server.h"

static void sweeper_on_start(act_actor_t *self, void *state)
{
	uint64_t period = 1000000000ull / (uint64_t)srv.cfg.hz;
	if (act_timer_start(self, period, period, 0, NULL) < 0)
		log_warning("Cannot start the expiry timer");
	(void)state;
}

static void sweeper_receive(act_actor_t *self, void *state, act_msg_t *msg)
{
	if (msg->type != ACT_MSG_TIMER)
		return;
	for (int s = 0; s < srv.nshards; s++) {
		act_msg_t *tick = act_msg_new(sizeof(act_msg_t), MSG_TICK);
		if (tick)
			act_send(srv.shards[s]->actor, tick);
	}
	(void)self, (void)state;
}

static const act_behaviour_t sweeper_behaviour = {
	.name = "sweeper",
	.on_start = sweeper_on_start,
	.receive = sweeper_receive,
};

act_actor_t *sweeper_start(void)
{
	return act_spawn(srv.sys, &sweeper_behaviour, NULL, 0);
}
