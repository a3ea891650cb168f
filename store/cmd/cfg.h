/*
 * cfg.h - the settings the store's commands obey (redis.conf names).  The
 * server keeps them in its configuration (net/config) and hands the ones
 * in force to every command (cmd_ctx_t.cfg), so CONFIG SET applies from
 * the next command.
 *
 * Concurrency: plain data; a command reads the snapshot it was given.
 */
#ifndef FLASHKV_STORE_CMD_CFG_H
#define FLASHKV_STORE_CMD_CFG_H

#include <stdbool.h>

/* The settings commands obey (redis.conf names), read by the encodings'
 * conversions; CONFIG SET changes them between commands. */
typedef struct store_cfg {
    long long hash_max_listpack_entries;    /* 512 */
    long long hash_max_listpack_value;      /* 64 */
    long long set_max_intset_entries;       /* 512 */
    long long list_max_listpack_size;       /* -2: 8 KiB nodes */
    long long list_compress_depth;          /* 0: off */
    long long zset_max_listpack_entries;    /* 128 */
    long long zset_max_listpack_value;      /* 64 */
    bool rdbcompression;                    /* yes: LZF in DUMP and RDB files */
} store_cfg_t;

/* Redis 7.0's defaults. */
#define STORE_CFG_DEFAULT                                                   \
    ((store_cfg_t){ .hash_max_listpack_entries = 512,                      \
                    .hash_max_listpack_value = 64,                         \
                    .set_max_intset_entries = 512,                         \
                    .list_max_listpack_size = -2,                          \
                    .list_compress_depth = 0,                              \
                    .zset_max_listpack_entries = 128,                      \
                    .zset_max_listpack_value = 64,                         \
                    .rdbcompression = true })

#endif
