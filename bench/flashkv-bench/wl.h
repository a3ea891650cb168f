/*
 * wl.h - the workload: a weighted mix of command templates, and the RESP
 * encoding of one request drawn from it.
 *
 * A template is a command line, split into words as redis-cli and Redis's
 * inline commands do ("..." with escapes, '...'), whose words may contain
 * placeholders:
 *   __key__       a key: the key prefix + a 12-digit index from the key
 *                 distribution (each occurrence draws its own key)
 *   __rand_int__  the 12-digit index alone (redis-benchmark's spelling)
 *   __value__     a value of the configured size (alias __data__)
 * Built-in names: get, set, incr, mget, mset, ping (see wl_add_builtin).
 *
 * A wl_t is built once by the main thread and then only read; each thread
 * draws from it with its own wl_gen_t.
 */
#ifndef FKB_WL_H
#define FKB_WL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "keys.h"
#include "rng.h"

#define WL_MAX_CMDS 16
#define WL_MAX_SEGS 256

typedef struct wl_seg {
	uint8_t kind;       /* WL_SEG_* (wl.c) */
	uint8_t arg_end;    /* 1 if this segment ends its argument */
	uint32_t off, len;  /* literal bytes in wl_cmd_t.text */
} wl_seg_t;

typedef struct wl_cmd {
	char name[32];      /* shown in reports: GET, SET, ... */
	double weight;
	int nargs;
	int nsegs;
	wl_seg_t segs[WL_MAX_SEGS];
	char *text;         /* literal bytes, owned */
} wl_cmd_t;

typedef struct wl {
	int ncmd;
	wl_cmd_t cmd[WL_MAX_CMDS];
	double cum[WL_MAX_CMDS];  /* cumulative share, last is 1 */
	keys_t keys;
	char key_prefix[64];
	size_t vmin, vmax;        /* value size range, bytes */
	char *value;              /* vmax bytes of 'x', owned */
	int mget_keys;            /* keys per built-in MGET/MSET */
} wl_t;

typedef struct wl_gen {
	rng_t rng;
	keys_cursor_t cur;
} wl_gen_t;

/* Empty workload over @keys; values of @vmin..@vmax bytes.  0 or -errno. */
int wl_init(wl_t *w, const keys_t *keys, const char *key_prefix,
    size_t vmin, size_t vmax, int mget_keys);
void wl_fini(wl_t *w);

/* Adds a template with @weight (> 0).  @name NULL means its first word.
 * Returns 0, -EINVAL (empty, unbalanced quotes, too long) or -ENOSPC. */
int wl_add_template(wl_t *w, const char *tmpl, const char *name, double weight);

/* Adds built-in @name (get, set, incr, mget, mset, ping).  -EINVAL if there
 * is no such built-in. */
int wl_add_builtin(wl_t *w, const char *name, double weight);

/* Applies "a:b:c=x:y:z": the names are built-ins, or c1, c2, ... for the
 * templates already added in that order, which then get those weights.
 * Returns 0 or -EINVAL with a reason in @err (size @errlen). */
int wl_apply_ratio(wl_t *w, const char *spec, int ntemplates, char *err,
    size_t errlen);

/* Turns weights into the cumulative table.  Call once, after the adds. */
int wl_finish(wl_t *w);

void wl_gen_init(const wl_t *w, wl_gen_t *g, uint64_t seed, int part, int parts);

/* Draws a command index by weight (what wl_emit does first). */
int wl_pick(const wl_t *w, wl_gen_t *g);

/* Appends one request to @out, RESP-encoded.  Returns the index of the
 * command it drew (>= 0) or -ENOMEM. */
int wl_emit(const wl_t *w, wl_gen_t *g, buf_t *out);

/* Appends the request of command @i (for fixed-command runs such as the
 * key-space fill).  Returns @i or -ENOMEM. */
int wl_emit_cmd(const wl_t *w, wl_gen_t *g, int i, buf_t *out);

#endif
