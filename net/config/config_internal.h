/*
 * config_internal.h - what config.c (the parameter table) shares with
 * config_values.c (the values that need their own parser) and
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

enum { T_INT, T_UINT, T_LL, T_LLMEM, T_MEM, T_BOOL, T_ENUM, T_STR, T_CUSTOM };
/* F_PROTECTED: Redis's PROTECTED_CONFIG (dir, dbfilename): CONFIG SET
 * refuses it, as with Redis's default enable-protected-configs no. */
enum { F_IMMUTABLE = 1, F_MULTI = 2, F_PROTECTED = 4 };

typedef struct param param_t;
typedef int set_fn(config_t *c, const param_t *pm, int argc, char **argv,
		   ctx_t *x);
typedef int get_fn(const config_t *c, char *out, size_t cap);

struct param {
	const char *name;
	int type;
	unsigned flags;
	size_t off;           /* of the field in config_t */
	long long min, max;   /* numbers; for T_STR max is the buffer size */
	set_fn *set;          /* T_CUSTOM */
	get_fn *get;          /* T_CUSTOM */
};

/* Value parsers with Redis's rules; 0, or -1 if @s is not one.
 * parse_int: string2ll (optional '-', no leading zeros);
 * parse_mem: memtoull (digits then k/m/g powers of 1000, kb/mb/gb of 1024,
 * any case; overflow saturates); parse_bool: yes/no (1/0, -1 otherwise). */
int config__parse_int(const char *s, long long *out);
int config__parse_mem(const char *s, unsigned long long *out);
int config__parse_bool(const char *s);
/* "argument must be between <min> and <max> inclusive"; -EINVAL. */
int config__out_of_range(const param_t *pm, ctx_t *x);

/* The T_CUSTOM parameters (config_values.c). */
set_fn config__set_hz, config__set_bind, config__set_obuf, config__set_save,
	config__set_dir, config__set_dbfilename;
get_fn config__get_hz, config__get_bind, config__get_obuf, config__get_save,
	config__get_dir, config__get_dbfilename;

#endif
