/*
 * cmd_meta.h - COMMAND's view of the command tables: the key specs applied
 * to a call (COMMAND GETKEYS / GETKEYSANDFLAGS) and the COMMAND INFO and
 * COMMAND DOCS replies of one command, all driven by the table data
 * (cmd_t rows with their key specs, cmd_docs.h entries), none written per
 * command. Replies are Redis 7.0's, RESP2 or RESP3 as reply_t says.
 *
 * Subcommands flagged CMD_UNLISTED are not reported (they are not in
 * Redis 7.0); cmd_listed_sub skips them too.
 *
 * Concurrency: reads constant tables; appends to a reply the caller owns.
 */
#ifndef FLASHKV_STORE_CMD_META_H
#define FLASHKV_STORE_CMD_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "store/base/reply.h"

/* true if cmd has a key spec not marked NOT_KEY (Redis's
 * doesCommandHaveKeys). */
bool cmd_has_keys(const cmd_t *cmd);

/* Redis's CMD_MOVABLE_KEYS: some key spec is not a plain index and range
 * (a numkeys argument or a keyword: ZUNIONSTORE's sources, LMPOP's keys),
 * so the legacy (first, last, step) triple does not find every key and
 * cmd_getkeys must. */
bool cmd_movable_keys(const cmd_t *cmd);

/* The keys of a call (argv[0] is the command name; cmd the row that runs
 * it, subcommand resolved), found by its key specs as Redis 7.0's
 * getKeysFromCommandWithSpecs does, in spec order. Writes up to max of
 * them into out and returns how many there are (at most argc); 0 when the
 * arguments do not fit the specs (Redis: "Invalid arguments"). */
int cmd_getkeys(const cmd_t *cmd, int argc, const cmd_arg_t *argv,
                cmd_keyref_t *out, int max);

/* Subcommand of a container by its name after '|' (any case), skipping
 * CMD_UNLISTED rows; NULL if none. */
const cmd_t *cmd_listed_sub(const cmd_t *cmd, const char *name, size_t len);

/* Key spec flags as COMMAND GETKEYSANDFLAGS writes them (a set). */
void cmd_keyspec_flags_reply(reply_t *r, uint32_t flags);

/* The COMMAND INFO entry of cmd: the 10-element array, subcommands
 * included. */
void cmd_info_reply(reply_t *r, const cmd_t *cmd);

/* The COMMAND DOCS value of cmd (the map that follows its name),
 * subcommands included. */
void cmd_docs_reply(reply_t *r, const cmd_t *cmd);

#endif
