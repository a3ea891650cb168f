/*
 * multi.h - MULTI, EXEC, DISCARD, WATCH, UNWATCH.  Connection worker only.
 */
#ifndef FLASHKV_NET_MULTI_H
#define FLASHKV_NET_MULTI_H

#include <stdbool.h>

#include "conn.h"

/* In MULTI, a command that is queued rather than run (false for EXEC,
 * DISCARD, MULTI, WATCH, QUIT, RESET). */
bool multi_queues(const conn_t *c, const cmd_t *cmd);
void multi_queue(conn_t *c, const cmd_t *cmd, int argc, const cmd_arg_t *argv);
/* A command was refused while queueing: EXEC will abort. */
void multi_refused(conn_t *c);
/* Forget the transaction and the watched keys (RESET, closing).  false:
 * holds are on their way; call again. */
bool multi_reset(conn_t *c);
void multi_free(conn_t *c);
void multi_cmd_multi(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_exec(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_discard(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_watch(conn_t *c, int argc, const cmd_arg_t *argv);
void multi_cmd_unwatch(conn_t *c, int argc, const cmd_arg_t *argv);

#endif
