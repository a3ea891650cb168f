/*
 * commands.h - the store's command table: every command FlashKV runs on a
 * shard, by name.  Rows are cmd_t (store/cmd/cmd.h), with Redis 7.0's
 * metadata; the connection layer routes by them and runs them with
 * cmd_exec.
 *
 * Concurrency: read-only after load; safe from any thread.
 */
#ifndef FLASHKV_STORE_COMMANDS_H
#define FLASHKV_STORE_COMMANDS_H

#include <stddef.h>

#include "store/cmd/cmd.h"

/* Command by name (any case), NULL if unknown.  Case-insensitive, through
 * a small hash table built once at load time. */
const cmd_t *cmd_lookup(const char *name, size_t len);

/* The table, for COMMAND / COMMAND COUNT (containers, not their
 * subcommands: those are in cmd->subs). */
size_t cmd_count(void);
const cmd_t *cmd_at(size_t i);

#endif
