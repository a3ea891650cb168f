/*
 * rdb_restore.c - RESTORE's payload (rdb.h's rdb_restore): the footer
 * (RDB version as 2 bytes LE, then the CRC64 of everything before the
 * CRC as 8 bytes LE) is checked as Redis 7.0's verifyDumpPayload does
 * (a zero CRC is not special there), then the value is decoded.  The
 * errors are Redis's texts; the detailed reason is not a client's
 * business (Redis says "Bad data format" for all of them).
 *
 * Concurrency: none; the new entry belongs to the caller.
 */
#include "store/persist/rdb_read.h"

#include <string.h>

#define FOOTER 10

int rdb_restore(const unsigned char *p, size_t n, const void *key, size_t klen,
                const store_cfg_t *cfg, entry_t **out, rdb_err_t *err)
{
    rdb_rd_t rd;
    unsigned type;
    uint64_t want = 0;
    int rc;

    *out = NULL;
    rdb__rd_init(&rd, p, n, err);
    if (n < FOOTER || (p[n - FOOTER] | p[n - FOOTER + 1] << 8) > RDB_VERSION)
        goto wrong;
    for (int i = 8; i-- > 0;)
        want = want << 8 | p[n - 8 + i];
    if (rdb_crc64(0, p, n - 8) != want)
        goto wrong;
    /* The value must lie before the footer; bytes left between the two
     * are ignored, as Redis does. */
    rd.end = p + n - FOOTER;
    if (rdb__u8(&rd, &type))
        rc = -1;
    else
        rc = rdb__load_value(&rd, type, key, klen, cfg, out);
    if (rc == 0)
        return 0;
    size_t at = err->offset;
    strcpy(err->msg, rd.oom ? "out of memory" : "Bad data format");
    err->offset = rc == 1 ? 0 : at;
    return -1;
wrong:
    strcpy(err->msg, "DUMP payload version or checksum are wrong");
    err->offset = n < FOOTER ? n : n - FOOTER;
    return -1;
}
