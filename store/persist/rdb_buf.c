/*
 * rdb_buf.c - the growing byte buffer the RDB encoders append to, and
 * Redis's CRC-64 (the checksum of RDB files and DUMP payloads).
 *
 * CRC-64/Jones as Redis computes it: polynomial 0xad93d23594c935a9,
 * reflected input and output, initial value 0, no final xor.  Reflected,
 * the register shifts right and the table uses the bit-reversed
 * polynomial; one 256-entry table (built once, on first use) is enough:
 * saving is bounded by the encoders, not by the checksum.
 *
 * Concurrency: rdb_buf_* on caller-owned buffers.  rdb_crc64 is safe
 * from any thread: the table is built under a pthread_once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/persist/rdb.h"

void rdb_buf_free(rdb_buf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int rdb_buf_put(rdb_buf_t *b, const void *p, size_t n)
{
    if (n > SIZE_MAX - b->len)
        return -ENOMEM;
    if (b->len + n > b->cap) {
        /* Double, so appending a file's worth of small records costs
         * O(total) copies. */
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n)
            cap = cap > SIZE_MAX / 2 ? b->len + n : cap * 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q)
            return -ENOMEM;
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

/* 0xad93d23594c935a9 with its 64 bits reversed. */
#define CRC64_POLY_REFLECTED 0x95ac9329ac4bc9b5ull

static uint64_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        crc_table[i] = c;
    }
}

uint64_t rdb_crc64(uint64_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;
    pthread_once(&crc_once, crc_table_init);
    while (n--)
        crc = crc_table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}
