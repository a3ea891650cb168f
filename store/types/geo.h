/*
 * geo.h - the GEO commands' procedures, for the command table
 * (store/commands.c), and what their two files share.  A GEO key is a
 * sorted set whose scores are 52-bit geohashes (geohash.h), so every
 * command here goes through zset_obj.h and works on any sorted set, as
 * in Redis.  geo.c has GEOADD GEOPOS GEODIST GEOHASH; geo_search.c the
 * searches: GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER and
 * their _RO forms.
 *
 * Concurrency: as cmd_exec.
 */
#ifndef FLASHKV_STORE_TYPES_GEO_H
#define FLASHKV_STORE_TYPES_GEO_H

#include <stdbool.h>

#include "store/cmd/cmd.h"

/* geo.c */
void cmd__geoadd(cmd_ctx_t *ctx);
void cmd__geopos(cmd_ctx_t *ctx);
void cmd__geodist(cmd_ctx_t *ctx);
void cmd__geohash(cmd_ctx_t *ctx);

/* geo_search.c */
void cmd__geosearch(cmd_ctx_t *ctx);
void cmd__geosearchstore(cmd_ctx_t *ctx);
void cmd__georadius(cmd_ctx_t *ctx);
void cmd__georadius_ro(cmd_ctx_t *ctx);
void cmd__georadiusbymember(cmd_ctx_t *ctx);
void cmd__georadiusbymember_ro(cmd_ctx_t *ctx);

/* ---- shared by geo*.c ---- */

/* argv[i], argv[i + 1] as longitude, latitude into xy: false after
 * replying Redis's error (not a float, or outside the WGS84 limits). */
bool geo__arg_lonlat(cmd_ctx_t *ctx, int i, double xy[2]);
/* argv[i] as a unit (m km ft mi, any case): metres per unit, or a
 * negative value after replying the error. */
double geo__arg_unit(cmd_ctx_t *ctx, int i);
/* A coordinate as Redis's GEOPOS and WITHCOORD print it (its "human"
 * long double text): RESP2 a bulk string, RESP3 a double. */
void geo__reply_coord(cmd_ctx_t *ctx, double v);
/* A distance with 4 decimals, a bulk string in both protocols. */
void geo__reply_dist(cmd_ctx_t *ctx, double d);

#endif
