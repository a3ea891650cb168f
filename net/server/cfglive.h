/*
 * cfglive.h - the settings in force (srv.live, read by server_cfg()) and
 * CONFIG SET, which replaces them as a whole: validated on a copy, the side
 * effects that can fail run first, then one atomic store publishes it; the
 * old snapshot is freed once every worker's agent has had a turn since.
 *
 * Concurrency: CONFIG SET may run on any worker; writers take one mutex
 * (rare, and on no data path); readers take none.
 */
#ifndef FLASHKV_NET_CFGLIVE_H
#define FLASHKV_NET_CFGLIVE_H

#include "net/core/server.h"
#include "store/base/reply.h"

/* srv.live from srv.cfg: before the workers start.  0 or -ENOMEM. */
int cfglive_init(void);
/* After the workers have stopped: frees every snapshot. */
void cfglive_fini(void);
/* CONFIG SET name value [name value ...] (argv[0] is CONFIG): +OK or
 * Redis's error in @r.  Any worker. */
void cfglive_config_set(reply_t *r, int argc, const cmd_arg_t *argv);
/* Redis's adjustOpenFilesLimit: raise RLIMIT_NOFILE for @maxclients
 * (+32 reserved descriptors) as far as the system allows; returns the
 * number of clients the limit allows, at most @maxclients (logs why when
 * less). */
unsigned cfglive_adjust_nofile(unsigned maxclients);

#endif
