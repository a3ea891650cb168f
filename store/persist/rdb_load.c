/*
 * rdb_load.c - a whole RDB image (rdb.h's rdb_load): the header, the
 * opcodes between keys, each key through rdb__load_value, the EOF and the
 * CRC64 trailer.  Redis 7.0's rdbLoadRio is the model for what is
 * accepted and for the error texts; functions, module data and streams
 * are refused (FlashKV has none of them yet).
 *
 * Concurrency: none; runs on the caller's buffer, hands each new entry
 * to the caller's callback.
 */
#include "store/persist/rdb_read.h"

#include <string.h>

/* rdb.h's opcodes. */
#define RDB_OPCODE_FUNCTION2 245
#define RDB_OPCODE_FUNCTION 246
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248
#define RDB_OPCODE_FREQ 249
#define RDB_OPCODE_AUX 250
#define RDB_OPCODE_RESIZEDB 251
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

/* The first RDB version with the CRC64 trailer. */
#define RDB_CRC_SINCE 5

/* The state between keys: what the opcodes before the next key said. */
typedef struct load_state {
    int db;
    int64_t expire_ms, idle_s;
    int freq;
} load_state_t;

/* A callback said stop: keep its message, name the offset. */
static int cb_failed(rdb_rd_t *rd)
{
    if (!rd->failed) {
        rd->failed = true;
        if (!rd->err->msg[0])
            strcpy(rd->err->msg, "loading stopped");
        rd->err->offset = rdb__off(rd);
    }
    return -1;
}

static int read_header(rdb_rd_t *rd, int *ver)
{
    const unsigned char *b;

    if (rdb__bytes(rd, 9, &b))
        return -1;
    if (memcmp(b, "REDIS", 5) != 0) {
        rd->p = rd->base;
        return rdb__fail(rd, "Wrong signature trying to load DB from file");
    }
    /* atoi of the four digits, as Redis (a non-digit ends the number) */
    *ver = 0;
    for (int i = 5; i < 9 && b[i] >= '0' && b[i] <= '9'; i++)
        *ver = *ver * 10 + (b[i] - '0');
    if (*ver < 1 || *ver > RDB_VERSION) {
        rd->p = rd->base + 5;
        return rdb__fail(rd, "Can't handle RDB format version %d", *ver);
    }
    return 0;
}

static int read_aux(rdb_rd_t *rd, const rdb_load_cb_t *cb)
{
    rdb_str_t k, v;
    int rc = -1;

    if (rdb__str(rd, &k) == 0) {
        if (rdb__str(rd, &v) == 0) {
            rc = 0;
            if (cb->aux && cb->aux(cb->arg, k.s, k.len, v.s, v.len, rd->err))
                rc = cb_failed(rd);
        }
        rdb__str_done(&v);
    }
    rdb__str_done(&k);
    return rc;
}

static int read_key(rdb_rd_t *rd, unsigned type, const store_cfg_t *cfg,
                    const rdb_load_cb_t *cb, load_state_t *st)
{
    rdb_str_t key;
    entry_t *e = NULL;
    int rc;

    if (rdb__str(rd, &key))
        return -1;
    rc = rdb__load_value(rd, type, key.s, key.len, cfg, &e);
    rdb__str_done(&key);
    if (rc < 0)
        return -1;
    /* rc 1: an empty collection, skipped as Redis 7.0 does (older
     * versions could write them). */
    if (rc == 0) {
        if (!cb->key)
            entry_free(e);
        else if (cb->key(cb->arg, st->db, e, st->expire_ms, st->idle_s, st->freq, rd->err))
            return cb_failed(rd);
    }
    st->expire_ms = st->idle_s = -1;
    st->freq = -1;
    return 0;
}

/* One opcode or key; 1 at EOF. */
static int read_record(rdb_rd_t *rd, int ndbs, const store_cfg_t *cfg,
                       const rdb_load_cb_t *cb, load_state_t *st)
{
    unsigned op;
    uint64_t a, b;

    if (rdb__u8(rd, &op))
        return -1;
    switch (op) {
    case RDB_OPCODE_EXPIRETIME_MS:
        return rdb__time_ms(rd, &st->expire_ms);
    case RDB_OPCODE_EXPIRETIME:
        return rdb__time_s(rd, &st->expire_ms);
    case RDB_OPCODE_FREQ: {
        unsigned f;
        if (rdb__u8(rd, &f))
            return -1;
        st->freq = (int)f;
        return 0;
    }
    case RDB_OPCODE_IDLE:
        if (rdb__len(rd, &a, NULL))
            return -1;
        st->idle_s = a > INT64_MAX ? INT64_MAX : (int64_t)a;
        return 0;
    case RDB_OPCODE_EOF:
        return 1;
    case RDB_OPCODE_SELECTDB:
        if (rdb__len(rd, &a, NULL))
            return -1;
        if (a >= (uint64_t)ndbs)
            return rdb__fail(rd,
                             "FATAL: Data file was created with a Redis server configured to "
                             "handle more than %d databases",
                             ndbs);
        st->db = (int)a;
        return 0;
    case RDB_OPCODE_RESIZEDB:
        if (rdb__len(rd, &a, NULL) || rdb__len(rd, &b, NULL))
            return -1;
        if (cb->resize && cb->resize(cb->arg, st->db, a, b, rd->err))
            return cb_failed(rd);
        return 0;
    case RDB_OPCODE_AUX:
        return read_aux(rd, cb);
    case RDB_OPCODE_MODULE_AUX:
        rd->p--;
        return rdb__fail(rd, "module auxiliary data is not supported");
    case RDB_OPCODE_FUNCTION:
    case RDB_OPCODE_FUNCTION2:
        rd->p--;
        return rdb__fail(rd, "functions are not supported yet");
    default:
        return read_key(rd, op, cfg, cb, st);
    }
}

static uint64_t get_le64(const unsigned char *b)
{
    uint64_t v = 0;

    for (int i = 8; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

int rdb_load(const unsigned char *p, size_t n, int ndbs, const store_cfg_t *cfg,
             const rdb_load_cb_t *cb, rdb_err_t *err)
{
    load_state_t st = {.db = 0, .expire_ms = -1, .idle_s = -1, .freq = -1};
    rdb_rd_t rd;
    const unsigned char *crc;
    int ver = 0, rc;

    rdb__rd_init(&rd, p, n, err);
    if (read_header(&rd, &ver))
        return -1;
    while ((rc = read_record(&rd, ndbs, cfg, cb, &st)) == 0)
        ;
    if (rc < 0)
        return -1;
    if (ver < RDB_CRC_SINCE)
        return 0;
    size_t covered = rdb__off(&rd);
    if (rdb__bytes(&rd, 8, &crc))
        return -1;
    uint64_t want = get_le64(crc), got;
    if (want != 0 && want != (got = rdb_crc64(0, p, covered))) {
        rd.p = crc;
        return rdb__fail(&rd, "Wrong RDB checksum expected: (%llx) got (%llx)",
                         (unsigned long long)want, (unsigned long long)got);
    }
    return 0;
}
