/*
 * sweeper.h - the sweeper actor: a timer that ticks every shard `hz` times
 * a second (MSG_TICK); each shard then runs its own bounded active-expiry,
 * rehash and reclaim steps.  MSG_HZ tells it `hz` changed.
 */
#ifndef FLASHKV_NET_SWEEPER_H
#define FLASHKV_NET_SWEEPER_H

#include <flashkv/act.h>

/* Spawn it (before the workers start); NULL on ENOMEM. */
act_actor_t *sweeper_start(void);

#endif
