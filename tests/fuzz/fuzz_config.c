/*
 * fuzz_config.c - libFuzzer target for the configuration parser
 * (net/config/config.h) on arbitrary text: config files
 * (config_load_string), CONFIG SET (config_set, config_set_pairs) and
 * command lines (config_parse_args).
 *
 * Input: byte 0 picks the entry point; the rest is the text (mode 0) or
 * NUL-separated words (names and values, or command-line arguments).
 *
 * Checks: error messages are NUL-terminated within their buffer; a failed
 * config_set / config_set_pairs leaves the configuration byte for byte as
 * it was (all or nothing); and after any success, CONFIG GET of every
 * parameter works, and setting a mutable one to what GET printed succeeds
 * and prints the same again (what the server shows, it accepts back).
 *
 * Concurrency: single-threaded.
 */
#include <errno.h>

#include "net/config/config.h"
#include "tests/fuzz/fuzz.h"

#define ERRLEN 256

static void check_err(const char *err, size_t cap)
{
    FZ_CHECK(memchr(err, '\0', cap) != NULL, "error text not terminated");
}

/* The parameters whose value is several words. CONFIG SET splits their
 * value with the quoting rules of a config line (Redis 7.0 splits it at
 * spaces only), so when a file or a command line gave them a word with a
 * blank, a quote or nothing in it, GET prints a text SET reads
 * differently (each round takes off one level of quotes) or refuses: a
 * known divergence, reported, not checked.  For them SET of GET's text
 * must only succeed or refuse it cleanly. */
static bool multi_word(const char *name)
{
    return strcmp(name, "bind") == 0 || strcmp(name, "save") == 0 ||
           strcmp(name, "client-output-buffer-limit") == 0;
}

/* SET name to what GET prints, on a copy. 0 or SET's error; *again gets
 * GET's text afterwards. */
static int get_set_get(config_t *copy, const char *name, char *val, char *again, size_t cap)
{
    char err[ERRLEN];
    int n = config_get_string(copy, name, val, cap);
    FZ_CHECK(n >= 0 && (size_t)n < cap, "CONFIG GET %s: %d", name, n);
    err[0] = 0;
    int rc = config_set(copy, name, val, err, sizeof err);
    check_err(err, sizeof err);
    if (rc == 0) {
        n = config_get_string(copy, name, again, cap);
        FZ_CHECK(n >= 0 && (size_t)n < cap, "CONFIG GET %s: %d", name, n);
    }
    return rc;
}

/* CONFIG GET of every parameter, then SET of each value back. */
static void check_roundtrip(const config_t *c)
{
    for (size_t i = 0;; i++) {
        const char *name = config_name_at(i);
        if (!name)
            break;
        char val[4096], again[4096];
        config_t copy;
        memcpy(&copy, c, sizeof copy);
        int rc = get_set_get(&copy, name, val, again, sizeof val);
        if (rc == -EPERM)
            continue;
        if (multi_word(name)) {
            FZ_CHECK(rc == 0 || rc == -EINVAL, "CONFIG SET %s '%s': %d", name, val, rc);
            continue;
        }
        FZ_CHECK(rc == 0, "CONFIG SET %s '%s' (what GET printed): %d", name, val, rc);
        FZ_CHECK(strcmp(val, again) == 0, "%s: GET '%s', SET, GET '%s'", name, val, again);
    }
}

/* Splits the input at NUL bytes into at most max words (each a copy,
 * NUL-terminated). Returns the count. */
static int words(fz_in_t *in, char **w, size_t *lens, int max)
{
    int n = 0;
    while (fz_more(in) && n < max) {
        size_t start = in->pos;
        while (in->pos < in->n && in->p[in->pos] != 0)
            in->pos++;
        size_t len = in->pos - start;
        if (in->pos < in->n)
            in->pos++;
        w[n] = fz_xmalloc(len + 1);
        memcpy(w[n], in->p + start, len);
        w[n][len] = 0;
        lens[n] = len;
        n++;
    }
    return n;
}

static void load_text(config_t *c, fz_in_t *in)
{
    size_t len = in->n - in->pos;
    char *text = fz_xmalloc(len + 1);
    memcpy(text, in->p + in->pos, len);
    text[len] = 0;
    char err[ERRLEN];
    err[0] = 0;
    int rc = config_load_string(c, text, "fuzz", err, sizeof err);
    check_err(err, sizeof err);
    FZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM, "config_load_string: %d", rc);
    if (rc == 0)
        check_roundtrip(c);
    free(text);
}

static void set_one_by_one(config_t *c, int n, char **w)
{
    for (int i = 0; i + 1 < n; i += 2) {
        config_t before;
        memcpy(&before, c, sizeof before);
        char err[ERRLEN];
        err[0] = 0;
        int rc = config_set(c, w[i], w[i + 1], err, sizeof err);
        check_err(err, sizeof err);
        FZ_CHECK(rc == 0 || rc == -ENOENT || rc == -EPERM || rc == -EINVAL || rc == -ENOMEM,
                 "config_set: %d", rc);
        if (rc != 0)
            FZ_CHECK(memcmp(&before, c, sizeof before) == 0, "failed CONFIG SET %s changed it",
                     w[i]);
    }
    check_roundtrip(c);
}

static void set_pairs(config_t *c, int n, char **w, const size_t *lens)
{
    int np = n / 2;
    if (np == 0)
        return;
    char *names[16], *values[16];
    size_t vlens[16];
    const char *set[16];
    for (int i = 0; i < np; i++) {
        names[i] = w[2 * i];
        values[i] = w[2 * i + 1];
        vlens[i] = lens[2 * i + 1];
    }
    config_t before;
    memcpy(&before, c, sizeof before);
    char err[ERRLEN];
    err[0] = 0;
    int rc = config_set_pairs(c, np, names, values, vlens, set, err, sizeof err);
    check_err(err, sizeof err);
    if (rc != 0) {
        FZ_CHECK(err[0] != 0, "config_set_pairs %d without a message", rc);
        FZ_CHECK(memcmp(&before, c, sizeof before) == 0, "failed CONFIG SET changed it");
    } else {
        for (int i = 0; i < np; i++)
            FZ_CHECK(set[i] != NULL, "no canonical name for pair %d", i);
        check_roundtrip(c);
    }
}

static void parse_args(config_t *c, int n, char **w)
{
    /* Never a file or stdin: argv[1] starts with '-', and no "-". */
    char *argv[34];
    argv[0] = "flashkv-server";
    for (int i = 0; i < n; i++) {
        if (strcmp(w[i], "-") == 0)
            w[i][0] = 'x';
        argv[i + 1] = w[i];
    }
    char first[4096];
    if (n > 0 && w[0][0] != '-') {
        snprintf(first, sizeof first, "--%s", w[0]);
        argv[1] = first;
    }
    char err[ERRLEN];
    err[0] = 0;
    int rc = config_parse_args(c, n + 1, argv, err, sizeof err);
    check_err(err, sizeof err);
    if (rc == 0)
        check_roundtrip(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size, 0};
    config_t c;
    config_init(&c);
    uint8_t mode = fz_u8(&in);
    if (mode % 4 == 0) {
        load_text(&c, &in);
        return 0;
    }
    char *w[32];
    size_t lens[32];
    int n = words(&in, w, lens, 32);
    switch (mode % 4) {
    case 1:
        set_one_by_one(&c, n, w);
        break;
    case 2:
        set_pairs(&c, n, w, lens);
        break;
    default:
        parse_args(&c, n, w);
        break;
    }
    for (int i = 0; i < n; i++)
        free(w[i]);
    return 0;
}
