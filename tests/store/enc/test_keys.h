/*
 * test_keys.h - what the hash-table tests (test_ht.c, test_zs.c) share:
 * members named by a number, of every awkward kind, and telling glibc's
 * allocator from the instrumented ones.  Include it once, in the test's
 * one source file.
 */
#ifndef FLASHKV_TEST_KEYS_H
#define FLASHKV_TEST_KEYS_H

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's allocator (not ASan's or valgrind's, which report exact sizes):
 * 8 bytes of header, 16-byte granularity, so malloc(13) has 24 usable.
 * Also tells the slow (instrumented) runs apart, which do less of the
 * long tests. */
static inline bool glibc_malloc(void)
{
    void *(*volatile m)(size_t) = malloc;
    void *p = m(13);
    size_t u = malloc_usable_size(p);
    free(p);
    return u == 24;
}

/* The key for id into buf (256 bytes): "" for 0, 200 bytes (a 2-byte
 * varint) for some, binary with NULs and 0xff for others, "k:<id>"
 * otherwise; all distinct, and many prefixes of others ("k:1" of
 * "k:12").  Returns its length. */
static inline size_t test_key(char *buf, unsigned id)
{
    if (id == 0)
        return 0;
    if (id % 97 == 1) {
        buf[0] = 'L';
        memcpy(buf + 1, &id, 4);
        memset(buf + 5, 'x', 195);
        return 200;
    }
    if (id % 7 == 3) {
        buf[0] = 0;
        buf[1] = (char)0xff;
        memcpy(buf + 2, &id, 4);
        buf[6] = 0;
        return 7;
    }
    return (size_t)snprintf(buf, 32, "k:%u", id);
}

/* The id test_key made k from. */
static inline unsigned test_key_id(const char *k, size_t len)
{
    unsigned id = 0;
    if (len == 0)
        return 0;
    if (k[0] == 'L')
        memcpy(&id, k + 1, 4);
    else if (k[0] == 0)
        memcpy(&id, k + 2, 4);
    else
        for (size_t i = 2; i < len; i++)     /* not NUL-terminated */
            id = id * 10 + (unsigned)(k[i] - '0');
    return id;
}

#endif
