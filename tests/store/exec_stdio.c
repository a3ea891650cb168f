/*
 * exec_stdio.c - run RESP commands from stdin against one keyspace and
 * write the replies to stdout: a stand-in "server" for comparing FlashKV's
 * command replies byte for byte with redis-server (see oracle_diff.py).
 *
 * Commands arrive as RESP arrays of bulk strings. "HELLO 2|3" switches the
 * reply protocol (replying +OK, unlike Redis); "SELECT n" picks one of 16
 * databases (as Redis's default). Uses the real clock.
 *
 * Concurrency: single-threaded tool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/commands.h"
#include "store/db/ks_reclaim.h"
#include "store/base/errors.h"

static char *buf;
static size_t blen, bcap, bpos;

static int fill(void)
{
    if (bpos > 0) {
        memmove(buf, buf + bpos, blen - bpos);
        blen -= bpos;
        bpos = 0;
    }
    if (blen == bcap) {
        bcap = bcap ? bcap * 2 : 1 << 16;
        buf = realloc(buf, bcap);
        if (!buf)
            exit(1);
    }
    ssize_t n = read(0, buf + blen, bcap - blen);
    if (n <= 0)
        return -1;
    blen += (size_t)n;
    return 0;
}

/* Read "<prefix><number>\r\n" at the cursor (refilling as needed). */
static long long read_num(char prefix)
{
    for (;;) {
        char *nl = blen > bpos ? memchr(buf + bpos, '\n', blen - bpos) : NULL;
        if (nl) {
            if (buf[bpos] != prefix) {
                fprintf(stderr, "protocol error\n");
                exit(1);
            }
            long long v = strtoll(buf + bpos + 1, NULL, 10);
            bpos = (size_t)(nl - buf) + 1;
            return v;
        }
        if (fill() != 0)
            exit(0);
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define NDBS 16

int main(void)
{
    ks_t *dbs[NDBS];
    int db = 0;
    for (int i = 0; i < NDBS; i++)
        dbs[i] = ks_create(0);
    reply_t r;
    reply_init(&r, 2);

    for (;;) {
        int argc = (int)read_num('*');
        cmd_arg_t *argv = calloc((size_t)argc + 1, sizeof *argv);
        size_t *offs = calloc((size_t)argc + 1, sizeof *offs);
        for (int i = 0; i < argc; i++) {
            size_t len = (size_t)read_num('$');
            while (blen - bpos < len + 2)
                if (fill() != 0)
                    return 0;
            offs[i] = bpos;
            argv[i].len = len;
            bpos += len + 2;
        }
        /* Offsets, not pointers: fill() may have moved the buffer. */
        for (int i = 0; i < argc; i++)
            argv[i].ptr = buf + offs[i];
        reply_reset(&r);
        const cmd_t *c = argc ? cmd_lookup(argv[0].ptr, argv[0].len) : NULL;
        if (argc == 2 && argv[0].len == 5 && strncasecmp(argv[0].ptr, "hello", 5) == 0) {
            r.proto = argv[1].ptr[0] == '3' ? 3 : 2;
            reply_ok(&r);
        } else if (argc == 2 && argv[0].len == 6 && strncasecmp(argv[0].ptr, "select", 6) == 0) {
            int n = atoi(argv[1].ptr);
            if (n >= 0 && n < NDBS) {
                db = n;
                reply_ok(&r);
            } else {
                reply_error(&r, ERR_DB_INDEX_RANGE);
            }
        } else if (!c) {
            cmd_reply_unknown(&r, argc, argv);
        } else {
            cmd_ctx_t ctx = {.ks = dbs[db], .dbs = dbs, .ndbs = NDBS, .argc = argc,
                             .argv = argv, .reply = &r, .now_ms = now_ms()};
            cmd_exec(c, &ctx);
        }
        /* Spread reclaim work as a shard actor would in idle time. */
        for (int i = 0; i < NDBS; i++)
            ks_reclaim_step(dbs[i], 1 << 16);
        if (write(1, r.buf, r.len) != (ssize_t)r.len)
            return 1;
        free(argv);
        free(offs);
    }
}
