/*
 * config_internal.h - what config.c (the parameter table) shares with
 * config_load.c (files and command lines).  Not for other modules.
 */
#ifndef FLASHKV_CONFIG_INTERNAL_H
#define FLASHKV_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define MAX_LINE_ARGS 256 /* arguments of one directive */

/* State of one load (file and command line share one, as in Redis). */
typedef struct ctx {
	bool loading;     /* file or command line, not CONFIG SET */
	bool save_loaded; /* the first "save" of a load replaces, later append */
	char why[192];    /* reason of the last failure */
} ctx_t;

/* Records the reason of a failure in @x; returns -EINVAL. */
int config__fail(ctx_t *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Splits @s in place with the inline-command quoting rules (s[len] must be
 * writable).  Returns the count, or -1 for unbalanced quotes / too many. */
int config__split(char *s, size_t len, char **argv, int cap);
/* Applies one directive (argv[0] is its name, lowercased here). */
int config__apply_directive(config_t *c, int argc, char **argv, ctx_t *x);

#endif
