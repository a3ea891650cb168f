/*
 * errors.h - every error string a client can see, spelled as Redis 7.0.
 *
 * One table, so replies stay byte-identical to Redis and a wording fix is
 * made once. Each string carries its error code prefix (ERR, WRONGTYPE,
 * ...) and no leading '-' or trailing CRLF: pass it to reply_error(). The
 * ERRF_ entries are printf formats for reply_errorf(). Strings checked
 * against redis-server 7.0.15.
 *
 * Concurrency: constants only.
 */
#ifndef FLASHKV_STORE_ERRORS_H
#define FLASHKV_STORE_ERRORS_H

/* ---- values and types ---- */
#define ERR_WRONGTYPE       "WRONGTYPE Operation against a key holding the wrong kind of value"
#define ERR_NOT_INTEGER     "ERR value is not an integer or out of range"
#define ERR_NOT_FLOAT       "ERR value is not a valid float"
#define ERR_SYNTAX          "ERR syntax error"
#define ERR_NO_SUCH_KEY     "ERR no such key"
#define ERR_INCR_OVERFLOW   "ERR increment or decrement would overflow"
#define ERR_DECR_OVERFLOW   "ERR decrement would overflow"
#define ERR_INCR_NAN_INF    "ERR increment would produce NaN or Infinity"
#define ERR_STRING_TOO_BIG  "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
#define ERR_OFFSET_RANGE    "ERR offset is out of range"
#define ERR_INVALID_CURSOR  "ERR invalid cursor"
#define ERR_OOM             "OOM command not allowed when used memory > 'maxmemory'."
/* getIntFromObjectOrReply's range error (COPY ... DB n, MOVE) */
#define ERR_INT_RANGE       "ERR value is out of range, value must between -2147483648 and 2147483647"

/* ---- databases: COPY MOVE SWAPDB ---- */
#define ERR_SAME_OBJECT     "ERR source and destination objects are the same"
#define ERR_SWAPDB_FIRST    "ERR invalid first DB index"
#define ERR_SWAPDB_SECOND   "ERR invalid second DB index"

/* ---- LCS ---- */
#define ERR_LCS_IDX_AND_LEN "ERR If you want both the length and indexes, please just use IDX."
#define ERR_LCS_TOO_LONG    "ERR String too long for LCS"
#define ERR_LCS_OVER_LIMIT  "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
#define ERR_LCS_NOMEM       "ERR Insufficient memory, failed allocating transient memory for LCS"

/* ---- OBJECT ---- */
#define ERR_LFU_NOT_SELECTED "ERR An LFU maxmemory policy is not selected, access frequency " \
    "not tracked. Please note that when switching between policies at runtime LRU and LFU " \
    "data will take some time to adjust."

/* ---- EXPIRE family options ---- */
#define ERR_EXPIRE_NX_COMBO "ERR NX and XX, GT or LT options at the same time are not compatible"
#define ERR_EXPIRE_GT_LT    "ERR GT and LT options at the same time are not compatible"

/* ---- connection level (used by net/) ---- */
#define ERR_DB_INDEX_RANGE  "ERR DB index is out of range"
#define ERR_NOPROTO         "NOPROTO unsupported protocol version"
#define ERR_PROTO_MULTIBULK "ERR Protocol error: invalid multibulk length"
#define ERR_PROTO_BULK      "ERR Protocol error: invalid bulk length"
#define ERR_PROTO_QUOTES    "ERR Protocol error: unbalanced quotes in request"
#define ERRF_PROTO_EXPECTED "ERR Protocol error: expected '$', got '%c'"

/* ---- formats (argument: the lowercase command name unless noted) ---- */
#define ERRF_ARITY          "ERR wrong number of arguments for '%s' command"
/* arguments: the subcommand as given (precision: min(128, up to a NUL)),
 * then the container's name in upper case */
#define ERRF_UNKNOWN_SUBCOMMAND "ERR unknown subcommand '%.*s'. Try %s HELP."
#define ERRF_EXPIRE_TIME    "ERR invalid expire time in '%s' command"
/* argument: the option as given (C string: stops at a NUL byte) */
#define ERRF_UNSUPPORTED_OPTION "ERR Unsupported option %.*s"
/* arguments: the command name as typed (precision 128), then the quoted
 * argument list built by cmd_reply_unknown */
#define ERRF_UNKNOWN_COMMAND "ERR unknown command '%.*s', with args beginning with: %s"

#endif
