/*
 * rdb_dump.c - DUMP's payload, as Redis's createDumpPayload builds it:
 * the value's RDB type byte and value, the RDB version as 2 bytes little
 * endian, then the CRC-64 of all of that as 8 bytes little endian.
 *
 * Concurrency: the thread that owns e (rdb.h).
 */
#include "store/persist/rdb_save.h"

int rdb_dump(rdb_buf_t *b, const entry_t *e, bool compress)
{
    size_t start = b->len;
    int rc = rdb__put_byte(b, (unsigned char)rdb__type_of(e));
    if (!rc)
        rc = rdb__put_value(b, e, compress);
    if (!rc)
        rc = rdb__put_le(b, RDB_VERSION, 2);
    if (rc)
        return rc;
    return rdb__put_le(b, rdb_crc64(0, b->p + start, b->len - start), 8);
}
