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

/* Where the keys of a store command live (@keys: the row naming them,
 * subcommand resolved): the legacy key triple, or the key specs for keys
 * that move (numkeys, keywords).  shard_of_arg[i] (argc of them) gets the
 * shard of argv[i] for each key, the first key's shard elsewhere
 * (shard_of_arg[0] included); *spans whether they are not all one.
 * Returns the number of keys: 0 for a keyless call, or one whose key count
 * is wrong (the command itself will refuse it). */
int route_key_shards(const cmd_t *keys, int argc, const cmd_arg_t *argv,
		     int *shard_of_arg, bool *spans);

/* One parsed command of @c (argv points into the read buffer). */
void route_command(conn_t *c, int argc, const cmd_arg_t *argv);
/* Route the command that had to wait, if it can go now. */
bool route_retry_stalled(conn_t *c);
/* Route one command from inside EXEC (all its shards held). */
void route_in_exec(conn_t *c, int argc, const cmd_arg_t *argv);

#endif
