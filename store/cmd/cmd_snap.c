/*
 * cmd_snap.c - a write command's keys go to the snapshot in progress
 * before the command changes them (store/db/ks_snap.h), so a snapshot
 * taken while the shards keep serving holds every value as it was at its
 * cut.  Called by cmd_exec only while some keyspace is snapshotting.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_meta.h"
#include "proc.h"
#include "store/db/ks_snap.h"

#define STACK_KEYS 16

/* Every database of the shards the command may touch: MOVE and COPY ...
 * DB n write another database than the selected one; FLUSHDB, FLUSHALL
 * and SWAPDB (no keys) the whole keyspace. */
static void snap_dbs(ks_t **dbs, int ndbs)
{
    for (int d = 0; dbs && d < ndbs; d++)
        if (ks_snapping(dbs[d]))
            ks_snap_all(dbs[d]);
}

void cmd__snap_before(const cmd_t *cmd, cmd_ctx_t *ctx)
{
    if (cmd->first_key == 0 && !cmd_movable_keys(cmd)) {
        snap_dbs(ctx->dbs, ctx->ndbs);
        if (!ctx->dbs && ks_snapping(ctx->ks))
            ks_snap_all(ctx->ks);
        return;
    }
    if (!strcmp(cmd->name, "move") || !strcmp(cmd->name, "copy")) {
        snap_dbs(ctx->dbs, ctx->ndbs);
        snap_dbs(ctx->dbs2, ctx->ndbs);
    }
    cmd_keyref_t stack[STACK_KEYS];
    cmd_keyref_t *refs = ctx->argc <= STACK_KEYS ? stack
        : malloc((size_t)ctx->argc * sizeof(*refs));
    if (!refs) {
        /* No memory to list the keys: write out everything instead. */
        snap_dbs(ctx->dbs, ctx->ndbs);
        if (!ctx->dbs)
            ks_snap_all(ctx->ks);
        return;
    }
    int n = cmd_getkeys(cmd, ctx->argc, ctx->argv, refs, ctx->argc);
    for (int k = 0; k < n; k++) {
        int pos = refs[k].pos;
        ks_t *ks = ctx->kss ? ctx->kss[pos] : ctx->ks;
        ks_snap_key(ks, ctx->argv[pos].ptr, ctx->argv[pos].len);
    }
    if (refs != stack)
        free(refs);
}
