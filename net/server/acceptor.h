/*
 * acceptor.h - the acceptor actor: it owns the listening sockets, accepts,
 * and hands each new socket to a worker's new connection actor
 * (MSG_ACCEPTED), round-robin.
 *
 * Concurrency: acceptor_start before the workers start; prepare, commit and
 * abort from CONFIG SET (any worker, its lock held).
 */
#ifndef FLASHKV_NET_ACCEPTOR_H
#define FLASHKV_NET_ACCEPTOR_H

#include <stddef.h>

#include <flashkv/act.h>

#include "net/config/config.h"

/* Opens the listening sockets of srv.cfg and spawns the acceptor; NULL
 * with @err set if it cannot listen. */
act_actor_t *acceptor_start(char *err, size_t errlen);
/* CONFIG SET port / bind, with CONFIG SET's lock held: listening sockets
 * for @cfg's port and addresses, opened now (those the acceptor has already
 * are kept, not reopened).  0, or -errno with @err set and nothing changed.
 * Then exactly one of acceptor_commit (the acceptor takes them and closes
 * the ones it no longer needs) or acceptor_abort (closed again). */
typedef struct acceptor_set acceptor_set_t;
int acceptor_prepare(const config_t *cfg, acceptor_set_t **out, char *err,
		     size_t errlen);
void acceptor_commit(acceptor_set_t *set);
void acceptor_abort(acceptor_set_t *set);

#endif
