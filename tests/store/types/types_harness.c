/*
 * types_harness.c - see types_harness.h.
 *
 * Concurrency: single-threaded.
 */
#include "types_harness.h"

#include <stdio.h>

ks_t *ks1, *ks2;
reply_t R;
store_cfg_t cfg;
ks_t *route[MAX_ARGS];
bool routed;

void th_setup(void)
{
    ks1 = ks_create(1);
    ks2 = ks_create(2);
    reply_init(&R, 2);
    cfg = STORE_CFG_DEFAULT;
    routed = false;
    for (int i = 0; i < MAX_ARGS; i++)
        route[i] = ks1;
}

void th_teardown(void)
{
    ks_destroy(ks1);
    ks_destroy(ks2);
    reply_free(&R);
}

const char *runv(int argc, const cmd_arg_t *argv)
{
    reply_reset(&R);
    const cmd_t *c = cmd_lookup(argv[0].ptr, argv[0].len);
    cr_assert(c, "no command %.*s", (int)argv[0].len, argv[0].ptr);
    cmd_ctx_t ctx = {.ks = routed ? route[1] : ks1, .argc = argc, .argv = argv, .reply = &R,
                     .now_ms = NOW, .cfg = &cfg, .kss = routed ? route : NULL};
    cmd_exec(c, &ctx);
    cr_assert(!reply_failed(&R));
    reply_reserve(&R, 1);
    R.buf[R.len] = '\0';
    return R.buf;
}

const char *run(const char *line)
{
    static char copy[1 << 17];
    cmd_arg_t argv[MAX_ARGS];
    int argc = 0;
    size_t n = strlen(line);
    cr_assert(n < sizeof copy);
    memcpy(copy, line, n + 1);
    for (char *p = copy, *tok; (tok = strsep(&p, " "));) {
        cr_assert(argc < MAX_ARGS);
        argv[argc++] = (cmd_arg_t){tok, strlen(tok)};
    }
    return runv(argc, argv);
}

const char *show(const char *p, size_t n)
{
    static char out[4][2048];
    static int k;
    char *o = out[k++ & 3];
    size_t j = 0;
    for (size_t i = 0; i < n && j < 2000; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f)
            o[j++] = (char)c;
        else
            j += (size_t)snprintf(o + j, 2048 - j, "\\x%02x", c);
    }
    o[j] = '\0';
    return o;
}

entry_t *find(ks_t *ks, const char *key)
{
    return ks_find_notouch(ks, key, strlen(key));
}

static void sum_cb(void *arg, const entry_t *e)
{
    *(size_t *)arg += entry_mem(e);
}

void check_mem(ks_t *ks, const char *after)
{
    ks_stats_t st;
    ks_stats(ks, &st);
    size_t sum = 0, cur = 0;
    do
        cur = ks_scan(ks, cur, sum_cb, &sum);
    while (cur);
    cr_assert_eq(st.mem_data, sum, "after %s: accounted %zu, held %zu", after, st.mem_data, sum);
}
