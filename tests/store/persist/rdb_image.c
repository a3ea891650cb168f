/*
 * rdb_image.c - writes rdb_image.h's RDB image to the file named on the
 * command line, for tests/e2e/test_dump.py to load into redis-server.
 * Exit 0 on success.
 */
#include <stdio.h>

#include "rdb_image.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: rdb_image FILE\n");
        return 2;
    }
    rdb_buf_t b = {0};
    FILE *f = NULL;
    int ok = img_build(&b) == 0 && (f = fopen(argv[1], "wb")) &&
             fwrite(b.p, 1, b.len, f) == b.len;
    if (f && fclose(f))
        ok = 0;
    rdb_buf_free(&b);
    if (!ok)
        fprintf(stderr, "rdb_image: could not write %s\n", argv[1]);
    return ok ? 0 : 1;
}
