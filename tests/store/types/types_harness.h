/*
 * types_harness.h - what the in-process command tests of tests/store/types
 * share: two keyspaces (ks1, and ks2 for a command over shards, with
 * route[] saying which keyspace each argument's key is in), a reply
 * buffer, a config, running a command line, comparing its reply byte for
 * byte, and checking the keyspace's memory accounting.
 *
 * A test file includes this, links types_harness.c and declares its suite
 * with `TestSuite(name, .init = th_setup, .fini = th_teardown)`.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#ifndef FLASHKV_TESTS_STORE_TYPES_HARNESS_H
#define FLASHKV_TESTS_STORE_TYPES_HARNESS_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "store/base/reply.h"
#include "store/cmd/cfg.h"
#include "store/commands.h"
#include "store/db/keyspace.h"

#define NOW 1700000000000LL
#define MAX_ARGS 2100

extern ks_t *ks1, *ks2;
extern reply_t R;               /* the last reply (RESP2 unless changed) */
extern store_cfg_t cfg;         /* STORE_CFG_DEFAULT at each test's start */
extern ks_t *route[MAX_ARGS];   /* used when routed is set */
extern bool routed;

void th_setup(void);
void th_teardown(void);

/* Run argv; the reply is R.buf (R.len bytes, NUL-terminated for the
 * string asserts). */
const char *runv(int argc, const cmd_arg_t *argv);
/* Run a command written as words separated by single spaces. */
const char *run(const char *line);
/* Bytes as printable text (\xHH for the others), for failure messages;
 * four results stay valid at a time. */
const char *show(const char *p, size_t n);

/* The reply of line is exactly want (a C string; EXPECTN: a string
 * literal that may hold NULs). */
#define EXPECT(line, want) do { \
        const char *got_ = run(line); \
        cr_assert(R.len == strlen(want) && memcmp(got_, want, R.len) == 0, \
                  "%s\n  want %s\n  got  %s", line, show(want, strlen(want)), \
                  show(got_, R.len)); \
    } while (0)
#define EXPECTN(line, want) do { \
        const char *got_ = run(line); \
        cr_assert(R.len == sizeof(want) - 1 && memcmp(got_, want, R.len) == 0, \
                  "%s\n  want %s\n  got  %s", line, show(want, sizeof(want) - 1), \
                  show(got_, R.len)); \
    } while (0)

#define WRONGTYPE "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

/* The entry of key in ks, without touching it; NULL if missing. */
entry_t *find(ks_t *ks, const char *key);
/* The keyspace's accounted data bytes are exactly the sum of its
 * entries' (after: what ran, for the message). */
void check_mem(ks_t *ks, const char *after);

#endif
