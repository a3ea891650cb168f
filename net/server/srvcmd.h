/*
 * srvcmd.h - the commands a connection answers itself rather than a shard
 * (PING, SELECT, HELLO, AUTH, CLIENT, CONFIG, INFO, COMMAND, SHUTDOWN,
 * MULTI...): their table, registered with the pipeline by main
 * (route_set_conn_commands), and the helpers their files share (srvcmd.c,
 * srvcmd_command.c, srvcmd_auth.c, srvcmd_shutdown.c).  Connection worker
 * only.
 */
#ifndef FLASHKV_SRVCMD_H
#define FLASHKV_SRVCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "net/conn/route.h"

/* The table (Redis 7.0.15's COMMAND INFO values; no keys here): a row
 * and its procedure by name (any case), NULL if none; and by index, for
 * COMMAND and commandstats. */
const cmd_t *srvcmd_lookup(const char *name, size_t len, conn_cmd_proc_t *proc);
size_t srvcmd_count(void);
const cmd_t *srvcmd_at(size_t i);

/* Case-insensitive comparison of an argument with a C string. */
bool srvcmd_arg_is(const cmd_arg_t *a, const char *s);
/* A strict decimal long long, as Redis's string2ll. */
bool srvcmd_parse_ll(const cmd_arg_t *a, long long *out);
/* Resolve argv[1] as a subcommand of the container @container (a row of
 * srvcmd.c's table: "config", "client", "command") as Redis 7.0 does:
 * unknown subcommand and arity errors.  NULL (error written to @r) or the
 * subcommand's row ("config|get"). */
const cmd_t *srvcmd_subcommand(reply_t *r, const char *container, int argc,
			       const cmd_arg_t *argv);
/* A HELP reply: one status line per string, up to NULL. */
void srvcmd_help(reply_t *r, const char *const *lines);

void srvcmd_command(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_auth(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_hello(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_shutdown(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_save(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_bgsave(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_lastsave(conn_t *c, int argc, const cmd_arg_t *argv);
/* Hold every shard for a command that needs all the data (SAVE,
 * SHUTDOWN): true when held; false: the holds are on their way and the
 * command must return (it is routed again when they are). */
bool srvcmd_hold_all(conn_t *c);

#endif
