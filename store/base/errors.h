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
#define ERR_WRONGTYPE       "WRONGTYPE Operation against a key holding the wrong kind of value"
/* getIntFromObjectOrReply's range error (COPY ... DB n, MOVE) */
#define ERR_INT_RANGE       "ERR value is out of range, value must between -2147483648 and 2147483647"

/* ---- random picks: SRANDMEMBER HRANDFIELD ZRANDMEMBER ---- */
/* the count: -LLONG_MAX .. LLONG_MAX */
#define ERR_RAND_COUNT_RANGE "ERR value is out of range, value must between " \
    "-9223372036854775807 and 9223372036854775807"
/* with values or scores: half of that */
#define ERR_RAND_VALUES_RANGE "ERR value is out of range"

/* ---- blocking commands ---- */
#define ERR_TIMEOUT_NOT_FLOAT "ERR timeout is not a float or out of range"
#define ERR_TIMEOUT_NEGATIVE "ERR timeout is negative"
#define ERR_UNBLOCK_REASON  "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
#define ERR_UNBLOCKED       "UNBLOCKED client unblocked via CLIENT UNBLOCK"

/* ---- lists ---- */
/* LPOP/RPOP count: also for a count that is not an integer */
#define ERR_LIST_POSITIVE   "ERR value is out of range, must be positive"
#define ERR_LIST_INDEX_RANGE "ERR index out of range"
#define ERR_LIST_RANK_ZERO  "ERR RANK can't be zero: use 1 to start from the first match, " \
    "2 from the second ... or use negative to start from the end of the list"
#define ERR_LIST_COUNT_NEG  "ERR COUNT can't be negative"
#define ERR_LIST_MAXLEN_NEG "ERR MAXLEN can't be negative"
/* LMPOP: also for values that are not integers */
#define ERR_LIST_NUMKEYS    "ERR numkeys should be greater than 0"
#define ERR_LIST_COUNT      "ERR count should be greater than 0"

/* ---- hashes ---- */
#define ERR_HASH_NOT_INTEGER "ERR hash value is not an integer"
#define ERR_HASH_NOT_FLOAT  "ERR hash value is not a float"
/* HINCRBYFLOAT's increment itself (checked before the key) */
#define ERR_HASH_NAN_INF    "ERR value is NaN or Infinity"

/* ---- sets ---- */
/* SINTERCARD's numkeys (also when it is no integer) */
#define ERR_SET_NUMKEYS     "ERR numkeys should be greater than 0"
#define ERR_SET_NUMKEYS_ARGS "ERR Number of keys can't be greater than number of args"
/* SINTERCARD's LIMIT (also when it is no integer) */
#define ERR_SET_LIMIT_NEG   "ERR LIMIT can't be negative"
/* SPOP's count (also when it is no integer) */
#define ERR_SET_COUNT_POSITIVE "ERR value is out of range, must be positive"

/* ---- zsets ---- */
#define ERR_ZSET_XX_NX      "ERR XX and NX options at the same time are not compatible"
#define ERR_ZSET_GT_LT_NX   "ERR GT, LT, and/or NX options at the same time are not compatible"
#define ERR_ZSET_INCR_PAIR  "ERR INCR option supports a single increment-element pair"
#define ERR_ZSET_NAN        "ERR resulting score is not a number (NaN)"
/* ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE ... bounds */
#define ERR_ZSET_MINMAX_FLOAT "ERR min or max is not a float"
/* ZRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX ... bounds */
#define ERR_ZSET_MINMAX_LEX "ERR min or max not valid string range item"
#define ERR_ZSET_LIMIT_RANK "ERR syntax error, LIMIT is only supported in combination with " \
    "either BYSCORE or BYLEX"
#define ERR_ZSET_WITHSCORES_LEX "ERR syntax error, WITHSCORES not supported in combination " \
    "with BYLEX"
/* ZUNION ZINTER ZDIFF ZINTERCARD and the STORE forms; argument: the
 * lowercase command name */
#define ERRF_ZSET_NUMKEYS   "ERR at least 1 input key is needed for '%s' command"
#define ERR_ZSET_WEIGHT     "ERR weight value is not a float"
/* ZINTERCARD's LIMIT (also when it is no integer) */
#define ERR_ZSET_LIMIT_NEG  "ERR LIMIT can't be negative"
/* ZMPOP's numkeys and COUNT (also when they are no integers) */
#define ERR_ZSET_NUMKEYS_POSITIVE "ERR numkeys should be greater than 0"
#define ERR_ZSET_COUNT_POSITIVE "ERR count should be greater than 0"
/* ZPOPMIN/ZPOPMAX count (also when it is no integer) */
#define ERR_ZSET_POSITIVE   "ERR value is out of range, must be positive"

/* ---- geo ---- */
/* the two values as "%f" */
#define ERRF_GEO_LONLAT     "ERR invalid longitude,latitude pair %f,%f"
#define ERR_GEO_UNIT        "ERR unsupported unit provided. please use M, KM, FT, MI"
#define ERR_GEO_RADIUS_NUM  "ERR need numeric radius"
#define ERR_GEO_RADIUS_NEG  "ERR radius cannot be negative"
#define ERR_GEO_WIDTH_NUM   "ERR need numeric width"
#define ERR_GEO_HEIGHT_NUM  "ERR need numeric height"
#define ERR_GEO_BOX_NEG     "ERR height or width cannot be negative"
#define ERR_GEO_MEMBER      "ERR could not decode requested zset member"
#define ERR_GEO_COUNT       "ERR COUNT must be > 0"
#define ERR_GEO_ANY_COUNT   "ERR the ANY argument requires COUNT argument"
/* argument: "GEOSEARCHSTORE" or "STORE option in GEORADIUS" */
#define ERRF_GEO_STORE_WITH "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
/* argument: the command name as the client spelled it */
#define ERRF_GEO_FROM       "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %.*s"
#define ERRF_GEO_BY         "ERR exactly one of BYRADIUS and BYBOX can be specified for %.*s"

/* ---- databases: COPY MOVE SWAPDB ---- */
#define ERR_SAME_OBJECT     "ERR source and destination objects are the same"
#define ERR_SWAPDB_FIRST    "ERR invalid first DB index"
#define ERR_SWAPDB_SECOND   "ERR invalid second DB index"

/* ---- LCS ---- */
#define ERR_LCS_NOT_STRINGS "ERR The specified keys must contain string values"
#define ERR_LCS_IDX_AND_LEN "ERR If you want both the length and indexes, please just use IDX."
#define ERR_LCS_TOO_LONG    "ERR String too long for LCS"
#define ERR_LCS_OVER_LIMIT  "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
#define ERR_LCS_NOMEM       "ERR Insufficient memory, failed allocating transient memory for LCS"

/* ---- Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD (store/types/bits*) ---- */
#define ERR_BIT_OFFSET      "ERR bit offset is not an integer or out of range"
#define ERR_BIT_VALUE       "ERR bit is not an integer or out of range"
#define ERR_BITPOS_BIT      "ERR The bit argument must be 1 or 0."
#define ERR_BITOP_NOT_ONE   "ERR BITOP NOT must be called with a single source key."
#define ERR_BITFIELD_TYPE   "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
#define ERR_BITFIELD_OVERFLOW "ERR Invalid OVERFLOW type specified"
#define ERR_BITFIELD_RO     "ERR BITFIELD_RO only supports the GET subcommand"

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
/* argument: resp_parser_strerror's text ("Protocol error: ..."): those texts
 * are net/resp.c's table, which the log shares */
#define ERRF_PROTOCOL       "ERR %s"

/* ---- connection: max clients, protected mode, AUTH, HELLO (net/) ---- */
/* The acceptor writes these two raw: "-" ... "\r\n", then closes. */
#define ERR_MAX_CLIENTS     "ERR max number of clients reached"
#define ERR_PROTECTED_MODE  "DENIED Redis is running in protected mode because protected " \
    "mode is enabled and no password is set for the default user. " \
    "In this mode connections are only accepted from the loopback " \
    "interface. If you want to connect from external computers to Redis " \
    "you may adopt one of the following solutions: 1) Just disable " \
    "protected mode sending the command 'CONFIG SET protected-mode no' " \
    "from the loopback interface by connecting to Redis from the same " \
    "host the server is running, however MAKE SURE Redis is not publicly " \
    "accessible from internet if you do so. Use CONFIG REWRITE to make " \
    "this change permanent. 2) Alternatively you can just disable the " \
    "protected mode by editing the Redis configuration file, and setting " \
    "the protected mode option to 'no', and then restarting the server. " \
    "3) If you started the server manually just for testing, restart it " \
    "with the '--protected-mode no' option. 4) Setup a an authentication " \
    "password for the default user. NOTE: You only need to do one of the " \
    "above things in order for the server to start accepting connections " \
    "from the outside."
#define ERR_NOAUTH          "NOAUTH Authentication required."
#define ERR_WRONGPASS       "WRONGPASS invalid username-password pair or user is disabled."
#define ERR_AUTH_NO_PASSWORD "ERR AUTH <password> called without any password " \
    "configured for the default user. Are you sure your configuration is correct?"
#define ERR_HELLO_PROTOVER  "ERR Protocol version is not an integer or out of range"
/* arguments: the option's length and bytes, as given */
#define ERRF_HELLO_OPTION   "ERR Syntax error in HELLO option '%.*s'"
#define ERR_HELLO_NOAUTH    "NOAUTH HELLO must be called with the client already " \
    "authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to " \
    "authenticate the client and select the RESP protocol version at the same time"

/* ---- CLIENT ---- */
/* CLIENT SETNAME and HELLO ... SETNAME */
#define ERR_CLIENT_NAME     "ERR Client names cannot contain spaces, newlines or special characters."
#define ERR_NO_SUCH_CLIENT  "ERR No such client"
#define ERR_CLIENT_ID       "ERR client-id should be greater than 0"
/* arguments (both): the value's length and bytes, as given */
#define ERRF_NO_SUCH_USER   "ERR No such user '%.*s'"
#define ERRF_CLIENT_TYPE    "ERR Unknown client type '%.*s'"

/* ---- CONFIG ---- */
#define ERR_NO_CONFIG_FILE  "ERR The server is running without a config file"
/* an allocation failed (not maxmemory: that is ERR_OOM) */
#define ERR_OUT_OF_MEMORY   "ERR out of memory"
/* argument: the parameter name as given */
#define ERRF_CONFIG_UNKNOWN "ERR Unknown option or number of arguments for CONFIG SET - '%s'"
/* arguments: the parameter name, then the reason */
#define ERRF_CONFIG_SET_FAILED "ERR CONFIG SET failed (possibly related to argument '%s') - %s"

/* ---- COMMAND GETKEYS / GETKEYSANDFLAGS ---- */
#define ERR_GETKEYS_NO_COMMAND "ERR Invalid command specified"
#define ERR_GETKEYS_NO_KEYS "ERR The command has no key arguments"
#define ERR_GETKEYS_ARITY   "ERR Invalid number of arguments specified for command"
#define ERR_GETKEYS_ARGS    "ERR Invalid arguments specified for command"

/* ---- transactions: MULTI EXEC DISCARD WATCH ---- */
#define ERR_NOT_ALLOWED_IN_MULTI "ERR Command not allowed inside a transaction"
#define ERR_MULTI_NESTED    "ERR MULTI calls can not be nested"
#define ERR_DISCARD_NO_MULTI "ERR DISCARD without MULTI"
#define ERR_EXEC_NO_MULTI   "ERR EXEC without MULTI"
#define ERR_EXECABORT       "EXECABORT Transaction discarded because of previous errors."
#define ERR_WATCH_IN_MULTI  "ERR WATCH inside MULTI is not allowed"
#define ERR_EXEC_INTERNAL   "ERR internal error in EXEC"

/* ---- SHUTDOWN ---- */
#define ERR_NO_SHUTDOWN     "ERR No shutdown in progress."
#define ERR_SHUTDOWN_FAILED "ERR Errors trying to SHUTDOWN. Check logs."
/* Persistence (net/persist): SAVE's failure is Redis's bare "-ERR". */
#define ERR_SAVE_FAILED     "ERR"
#define ERR_BGSAVE_RUNNING  "ERR Background save already in progress"
#define ERR_LOADING         "LOADING Redis is loading the dataset in memory"
#define ERR_MISCONF         "MISCONF Redis is configured to save RDB snapshots, " \
    "but it's currently unable to persist to disk. Commands that may modify the data " \
    "set are disabled, because this instance is configured to report errors during " \
    "writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please " \
    "check the Redis logs for details about the RDB error."

/* ---- DUMP / RESTORE (store/persist/dump_cmd.c) ---- */
#define ERR_BUSYKEY         "BUSYKEY Target key name already exists."
#define ERR_RESTORE_TTL     "ERR Invalid TTL value, must be >= 0"
#define ERR_RESTORE_IDLE    "ERR Invalid IDLETIME value, must be >= 0"
#define ERR_RESTORE_FREQ    "ERR Invalid FREQ value, must be >= 0 and <= 255"
/* rdb_restore's messages, "DUMP payload version or checksum are wrong"
 * and "Bad data format", are the ones after this prefix. */
#define ERRF_RESTORE        "ERR %s"

/* ---- Pub/Sub (net/conn/subscribe.c) ---- */
/* argument: the command's full name ("get", "client|list") */
#define ERRF_PUBSUB_CONTEXT "ERR Can't execute '%s': only (P|S)SUBSCRIBE / " \
    "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"

/* ---- HyperLogLog (store/types/hll.c) ---- */
#define ERR_HLL_NOT_HLL     "WRONGTYPE Key is not a valid HyperLogLog string value."
#define ERR_HLL_CORRUPT     "INVALIDOBJ Corrupted HLL object detected"
#define ERR_HLL_NO_KEY      "ERR The specified key does not exist"
#define ERR_HLL_NOT_SPARSE  "ERR HLL encoding is not sparse"
/* arguments: the subcommand's length up to its first NUL, its bytes */
#define ERRF_HLL_PFDEBUG    "ERR Unknown PFDEBUG subcommand '%.*s'"
/* PFSELFTEST's failures (formats: register, value, expected value; the
 * cardinality and the absolute error) */
#define ERR_HLL_TEST_SPARSE "TESTFAILED sparse encoding not used"
#define ERR_HLL_TEST_AGREE  "TESTFAILED dense/sparse disagree"
#define ERRF_HLL_TEST_REG   "TESTFAILED Register error at %ld: %d != %u"
#define ERRF_HLL_TEST_ERROR "TESTFAILED Too big error. card:%llu abserr:%llu"

/* ---- formats (argument: the lowercase command name unless noted) ---- */
#define ERRF_ARITY          "ERR wrong number of arguments for '%s' command"
/* arguments: the subcommand as given (precision: min(128, up to a NUL)),
 * then the container's name in upper case */
#define ERRF_UNKNOWN_SUBCOMMAND "ERR unknown subcommand '%.*s'. Try %s HELP."
/* Redis's addReplySubcommandSyntaxError: subcommand, container. */
#define ERRF_SUBCOMMAND_SYNTAX "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
#define ERRF_EXPIRE_TIME    "ERR invalid expire time in '%s' command"
/* argument: the option as given (C string: stops at a NUL byte) */
#define ERRF_UNSUPPORTED_OPTION "ERR Unsupported option %.*s"
/* arguments: the command name as typed (precision 128), then the quoted
 * argument list built by cmd_reply_unknown */
#define ERRF_UNKNOWN_COMMAND "ERR unknown command '%.*s', with args beginning with: %s"

#endif
