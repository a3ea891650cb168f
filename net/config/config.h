/*
 * config.h - the server's configuration: defaults, redis.conf-style files,
 * `flashkv-server [config-file] [--option value ...]` command lines, and a
 * name -> (get as string, set from string) table for CONFIG GET / SET.
 *
 * Syntax and error texts follow Redis 7.0 (one directive per line, '#'
 * comments, arguments split like inline commands, case-insensitive names,
 * memory units 1k=1000 1kb=1024 m mb g gb, yes/no booleans).  Directives
 * of redis.conf that FlashKV has no use for yet (maxmemory, ...) are
 * accepted and ignored so that such files load; "appendonly" is stored
 * (CONFIG GET shows it) but has no effect yet.
 *
 * Threads: a config_t is plain data, copyable with memcpy, owning no
 * memory.  The functions touch only their arguments; serialise writers.
 */
#ifndef FLASHKV_CONFIG_H
#define FLASHKV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "store/cmd/cfg.h"

#define CONFIG_VERSION_STRING "FlashKV server v=0.1.0"

#define CONFIG_BIND_MAX 16   /* addresses, as Redis's CONFIG_BINDADDR_MAX */
#define CONFIG_ADDR_LEN 64   /* one address, NUL included */
#define CONFIG_PATH_LEN 1024 /* logfile */
#define CONFIG_PASS_LEN 512  /* requirepass */
#define CONFIG_SAVE_LEN 512  /* save, as "secs changes ..." */
#define CONFIG_NAME_LEN 256  /* dbfilename */

typedef enum config_loglevel {
	CONFIG_LOG_DEBUG,
	CONFIG_LOG_VERBOSE,
	CONFIG_LOG_NOTICE,
	CONFIG_LOG_WARNING,
} config_loglevel_t;

/* Client classes of client-output-buffer-limit, in Redis's order. */
enum {
	CONFIG_CLIENT_NORMAL,
	CONFIG_CLIENT_REPLICA,
	CONFIG_CLIENT_PUBSUB,
	CONFIG_CLIENT_CLASSES,
};

typedef struct config_obuf_limit {
	unsigned long long hard; /* bytes; 0 = no limit */
	unsigned long long soft; /* bytes; 0 = no limit */
	long long soft_seconds;  /* how long soft may be exceeded */
} config_obuf_limit_t;

typedef struct config {
	int port;       /* 0..65535; 0 = no TCP listener */
	int bind_count; /* 0..CONFIG_BIND_MAX */
	char bind[CONFIG_BIND_MAX][CONFIG_ADDR_LEN]; /* as given ("-::1" too) */
	int threads;    /* workers; 0 = one per CPU of the affinity mask */
	int shards;     /* keyspace shards; 0 = one per worker */
	bool pin_threads; /* pin worker i to the i-th CPU of the affinity mask */
	int spin_us;    /* a worker busy-polls this long before sleeping */
	int timeout;    /* idle client seconds; 0 = never */
	unsigned maxclients;
	int tcp_backlog;
	int hz;         /* 1..500; larger and smaller values are clamped */
	config_loglevel_t loglevel;
	char logfile[CONFIG_PATH_LEN]; /* "" = stdout */
	long long proto_max_bulk_len;
	long long client_query_buffer_limit;
	config_obuf_limit_t obuf_limit[CONFIG_CLIENT_CLASSES];
	int databases;
	char requirepass[CONFIG_PASS_LEN]; /* "" = no password */
	bool protected_mode;
	bool daemonize; /* parsed only; the server does not fork */
	bool appendonly; /* stored, no effect */
	char save[CONFIG_SAVE_LEN]; /* "secs changes ..." ("" = no save points) */
	char dir[CONFIG_PATH_LEN];  /* "" = the working directory at start */
	char dbfilename[CONFIG_NAME_LEN];
	bool rdbchecksum, stop_writes_on_bgsave_error; /* rdbcompression: store */
	store_cfg_t store; /* what the collection commands obey */
	/* lazyfree-lazy-*: stored; FlashKV frees big values in steps always */
	bool lazyfree_eviction, lazyfree_expire, lazyfree_server_del,
	     lazyfree_user_del, lazyfree_user_flush;
} config_t;

/* Return values of config_parse_args() besides 0 and -errno. */
enum { CONFIG_ARGS_HELP = 1, CONFIG_ARGS_VERSION = 2 };

/* Fills @c with the defaults (port 6379, bind 127.0.0.1, ...). */
void config_init(config_t *c);

/* Applies the directives in @path on top of @c.
 * Returns 0, -EINVAL for a bad directive, or -errno when the file cannot
 * be read; @err then holds a message naming the file, the line number,
 * the line and the reason, e.g.
 *   "config file 'x.conf', line 3: 'port abc': argument couldn't be
 *    parsed into an integer".
 * On error @c may hold the lines before the bad one. */
int config_load_file(config_t *c, const char *path, char *err, size_t errlen);

/* Same, for directives held in memory (@origin names them in messages). */
int config_load_string(config_t *c, const char *text, const char *origin,
		       char *err, size_t errlen);

/* Parses a command line as redis-server does: argv[1] is a config file
 * unless it starts with '-'; then "--name value..." options, applied after
 * the file ("--name" takes the following arguments up to the next "--x";
 * "--bind '127.0.0.1 ::1'" and "--bind 127.0.0.1 ::1" are the same).
 * Returns 0, CONFIG_ARGS_HELP for -h/--help, CONFIG_ARGS_VERSION for
 * -v/--version (both only as argv[1]: print config_usage() or
 * CONFIG_VERSION_STRING), or -errno with @err filled. */
int config_parse_args(config_t *c, int argc, char **argv, char *err,
		      size_t errlen);

/* Prints the command-line help. */
void config_usage(FILE *out);

/* CONFIG SET: sets one parameter from a string (multi-argument ones such
 * as bind or client-output-buffer-limit split it on blanks).  Names are
 * case-insensitive.  All or nothing: on error @c is unchanged.
 * Returns 0; -ENOENT for an unknown name; -EPERM for a parameter that
 * cannot change while running ("can't set immutable config"); -EINVAL for
 * a bad value.  @err (may be NULL) gets the bare reason, e.g. "argument
 * must be 'yes' or 'no'", for the server to wrap as Redis does:
 * "ERR CONFIG SET failed (possibly related to argument 'x') - <reason>". */
int config_set(config_t *c, const char *name, const char *value, char *err,
	       size_t errlen);

/* CONFIG SET name value [name value ...] as Redis 7.0 does it, on @c:
 * the names first (case-insensitive; the first unknown, immutable or
 * repeated one is the error), then each value in the order given; all or
 * nothing, so on error @c is unchanged.  @vlens (may be NULL) holds each
 * value's length: a value with a NUL byte inside is refused.  @set (may
 * be NULL; @n entries) receives the canonical name of each pair's
 * parameter, in order, for the caller's side effects.
 * Returns 0, or -ENOENT, -EPERM, -EINVAL (-ENOMEM) with Redis's whole error
 * line in @err, e.g. "ERR Unknown option or number of arguments for CONFIG
 * SET - 'foo'" or "ERR CONFIG SET failed (possibly related to argument
 * 'timeout') - argument couldn't be parsed into an integer". */
int config_set_pairs(config_t *c, int n, char *const *names,
		     char *const *values, const size_t *vlens,
		     const char **set, char *err, size_t errlen);

/* CONFIG GET: writes the value of @name as Redis prints it (e.g. "yes",
 * "536870912", "normal 0 0 0 slave ...") into @out, NUL-terminated and
 * truncated to @cap.  Returns the full length (as snprintf) or -ENOENT. */
int config_get_string(const config_t *c, const char *name, char *out,
		      size_t cap);

/* Names of the parameters CONFIG GET knows, for pattern matching: the
 * @i-th (from 0), or NULL past the last. */
const char *config_name_at(size_t i);

#endif
