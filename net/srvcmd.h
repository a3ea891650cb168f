/*
 * srvcmd.h - helpers shared by the files of the connection-level commands
 * (srvcmd.c, srvcmd_command.c, srvcmd_auth.c).  Connection worker only.
 */
#ifndef FLASHKV_SRVCMD_H
#define FLASHKV_SRVCMD_H

#include "conn.h"

typedef struct subcmd {
	const char *name;
	int arity; /* of the whole call, Redis convention */
} subcmd_t;

/* Case-insensitive comparison of an argument with a C string. */
bool srvcmd_arg_is(const cmd_arg_t *a, const char *s);
/* A strict decimal long long, as Redis's string2ll. */
bool srvcmd_parse_ll(const cmd_arg_t *a, long long *out);
/* Check argv[1] against @subs as Redis 7.0 does.  NULL (error written to
 * @r) or the subcommand's entry. */
const subcmd_t *srvcmd_subcommand(reply_t *r, const char *container,
				  const char *upper, const subcmd_t *subs,
				  int argc, const cmd_arg_t *argv);
/* A HELP reply: one status line per string, up to NULL. */
void srvcmd_help(reply_t *r, const char *const *lines);

void srvcmd_command(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_auth(conn_t *c, int argc, const cmd_arg_t *argv);
void srvcmd_hello(conn_t *c, int argc, const cmd_arg_t *argv);

#endif
