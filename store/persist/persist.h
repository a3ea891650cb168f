/*
 * persist.h - the command procedures of store/persist (DUMP, RESTORE),
 * for the command table (store/commands.c, rows in persist_table.inc).
 *
 * Concurrency: as cmd_exec (the shard's thread).
 */
#ifndef FLASHKV_STORE_PERSIST_PERSIST_H
#define FLASHKV_STORE_PERSIST_PERSIST_H

#include "store/cmd/cmd.h"

/* dump_cmd.c */
void cmd__dump(cmd_ctx_t *ctx);
void cmd__restore(cmd_ctx_t *ctx);

#endif
