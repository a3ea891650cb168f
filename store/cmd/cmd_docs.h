/*
 * cmd_docs.h - the documentation COMMAND DOCS reports, one entry per
 * command and subcommand FlashKV has (store's and the connection's).
 *
 * The tables are generated at build time from cmd_docs.txt (see its top
 * for the format) by gen_cmd_docs.py, apart from the command table so the
 * table routing reads stays small. The layout mirrors Redis 7.0's
 * redisCommandArg: an argument is a leaf (string, key, token...) or a
 * oneof / block holding further arguments.
 *
 * Concurrency: constants only; safe from any thread.
 */
#ifndef FLASHKV_STORE_CMD_DOCS_H
#define FLASHKV_STORE_CMD_DOCS_H

#include <stddef.h>
#include <stdint.h>

/* Argument types, in Redis's order (cmd_doc_arg_type_name). */
enum cmd_doc_arg_type {
    DOC_ARG_STRING, DOC_ARG_INTEGER, DOC_ARG_DOUBLE, DOC_ARG_KEY,
    DOC_ARG_PATTERN, DOC_ARG_UNIX_TIME, DOC_ARG_PURE_TOKEN, DOC_ARG_ONEOF,
    DOC_ARG_BLOCK,
};

/* Argument flags, as named in the reply. */
enum cmd_doc_arg_flag {
    DOC_ARG_OPTIONAL = 1u << 0,
    DOC_ARG_MULTIPLE = 1u << 1,
    DOC_ARG_MULTIPLE_TOKEN = 1u << 2,
};

/* Command doc flags, as named in the reply. */
enum cmd_doc_flag {
    DOC_DEPRECATED = 1u << 0,
    DOC_SYSCMD = 1u << 1,
};

typedef struct cmd_doc_arg {
    const char *name;
    const char *token;              /* NULL: none (all optional fields) */
    const char *since;
    const char *deprecated_since;
    const struct cmd_doc_arg *args; /* oneof / block: nargs arguments */
    int8_t key_spec;                /* key spec index, -1: not a key */
    uint8_t type;                   /* enum cmd_doc_arg_type */
    uint8_t flags;                  /* enum cmd_doc_arg_flag */
    uint8_t nargs;
} cmd_doc_arg_t;

typedef struct cmd_doc {
    const char *name;               /* full name, lowercase: "object|encoding" */
    const char *summary;
    const char *since;
    const char *group;
    const char *complexity;
    const char *deprecated_since;   /* NULL unless deprecated */
    const char *replaced_by;        /* NULL unless deprecated */
    const char *const *history;     /* nhistory (version, text) pairs */
    const cmd_doc_arg_t *args;
    uint8_t doc_flags;              /* enum cmd_doc_flag */
    uint8_t nhistory;
    uint8_t nargs;
} cmd_doc_t;

/* The entry of a full name ("get", "object|encoding"; lowercase), NULL
 * if there is none. */
const cmd_doc_t *cmd_doc_find(const char *name);

/* Every entry, sorted by name: cmd_doc_at(i) for i < cmd_doc_count(). */
size_t cmd_doc_count(void);
const cmd_doc_t *cmd_doc_at(size_t i);

/* Reply names of argument types and flag bits (NULL if unknown). */
const char *cmd_doc_arg_type_name(unsigned type);
const char *cmd_doc_arg_flag_name(uint32_t bit);
const char *cmd_doc_flag_name(uint32_t bit);

/* The generated tables themselves (cmd_docs_data.c), for cmd_docs.c. */
extern const cmd_doc_t cmd__docs[];
extern const size_t cmd__ndocs;

#endif
