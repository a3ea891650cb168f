/*
 * route.h - where each parsed command goes: run inline, batched to a
 * remote shard, run over several held shards, queued in MULTI, or answered
 * by the connection itself through the table of connection commands that
 * the server registers (route_set_conn_commands), so this folder needs
 * nothing from net/server/.  Connection worker only.
 */
#ifndef FLASHKV_NET_ROUTE_H
#define FLASHKV_NET_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"

/* A command the connection answers itself (PING, CLIENT, INFO...). */
typedef void (*conn_cmd_proc_t)(conn_t *c, int argc, const cmd_arg_t *argv);
/* The row and procedure of such a command by name (any case), or NULL. */
typedef const cmd_t *(*conn_cmd_lookup_t)(const char *name, size_t len,
					  conn_cmd_proc_t *proc);
/* Before the workers start: the lookup of connection commands. */
void route_set_conn_commands(conn_cmd_lookup_t lookup);

/* One parsed command of @c (argv points into the read buffer). */
void route_command(conn_t *c, int argc, const cmd_arg_t *argv);
/* Route the command that had to wait, if it can go now. */
bool route_retry_stalled(conn_t *c);
/* Route one command from inside EXEC (all its shards held). */
void route_in_exec(conn_t *c, int argc, const cmd_arg_t *argv);

#endif
