/*
 * replay.c - the regression test of a fuzz target without libFuzzer: a
 * main() that feeds every file of the directories it is given (the seed
 * corpus and the regression inputs of one target) once through the
 * target's LLVMFuzzerTestOneInput, so every bug the fuzzers found stays
 * fixed in the ordinary builds (release and ASan) without clang.
 *
 * usage: fuzz_replay_<target> DIR... (files in name order; prints one TAP
 * line per directory, "ok N - DIR (F files)"; a failing input aborts
 * inside the target, after its name was printed to stderr).
 *
 * Concurrency: single-threaded.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into a buffer of exactly its size (so a read past
 * the input's end is caught by ASan, as under libFuzzer). */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = fz_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    uint8_t *exact = fz_xmalloc(n);
    memcpy(exact, buf, n);
    free(buf);
    *len = n;
    return exact;
}

/* Runs every regular file of dir; returns how many, or -1. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = fz_xrealloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n)      /* qsort's array must not be NULL, even empty */
        qsort(names, n, sizeof *names, by_name);
    long ran = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            size_t len;
            uint8_t *data = slurp(path, &len);
            if (!data) {
                fprintf(stderr, "cannot read %s\n", path);
                return -1;
            }
            fprintf(stderr, "replay %s\n", path);
            LLVMFuzzerTestOneInput(data, len);
            free(data);
            ran++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    int bad = 0;
    printf("1..%d\n", argc - 1);
    for (int i = 1; i < argc; i++) {
        long ran = replay_dir(argv[i]);
        if (ran < 0) {
            printf("not ok %d - %s (unreadable)\n", i, argv[i]);
            bad = 1;
        } else {
            printf("ok %d - %s (%ld files)\n", i, argv[i], ran);
        }
    }
    return bad;
}
