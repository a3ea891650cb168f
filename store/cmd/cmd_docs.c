/*
 * cmd_docs.c - lookup in the generated documentation tables (cmd_docs.h)
 * and the names the COMMAND DOCS reply gives their codes.
 *
 * Concurrency: read-only data; safe from any thread.
 */
#include "cmd_docs.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static int by_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const cmd_doc_t *)elem)->name);
}

const cmd_doc_t *cmd_doc_find(const char *name)
{
    return bsearch(name, cmd__docs, cmd__ndocs, sizeof cmd__docs[0], by_name);
}

size_t cmd_doc_count(void) { return cmd__ndocs; }

const cmd_doc_t *cmd_doc_at(size_t i)
{
    return i < cmd__ndocs ? &cmd__docs[i] : NULL;
}

static const char *const type_names[] = {
    "string", "integer", "double", "key", "pattern", "unix-time",
    "pure-token", "oneof", "block",
};

static const char *const arg_flag_names[] = {
    "optional", "multiple", "multiple_token",
};

static const char *const doc_flag_names[] = { "deprecated", "syscmd" };

const char *cmd_doc_arg_type_name(unsigned type)
{
    return type < sizeof type_names / sizeof *type_names ? type_names[type] : NULL;
}

const char *cmd_doc_arg_flag_name(uint32_t bit)
{
    return cmd_bit_name(bit, arg_flag_names, sizeof arg_flag_names / sizeof *arg_flag_names);
}

const char *cmd_doc_flag_name(uint32_t bit)
{
    return cmd_bit_name(bit, doc_flag_names, sizeof doc_flag_names / sizeof *doc_flag_names);
}
