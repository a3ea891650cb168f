/*
 * test_rdb_load.c - the loading half of the RDB format (rdb_restore,
 * rdb_load) against the bytes redis-server 7.0 writes.
 *
 * fixtures/golden.inc holds DUMP payloads of every type and encoding and
 * fixtures/redis70.rdb a SAVE image (two databases, TTLs), both made by
 * fixtures/gen_golden.py against redis-server 7.0.15 (Debian), with what
 * redis-server showed for each key: its contents, and the encoding it
 * gives the value when it loads it under the default settings.  The
 * RDB 9 era encodings (ziplists, zipmaps...) are in test_rdb_old.c.
 *
 * Corruption: every truncation of each payload is refused (the footer
 * recomputed, so the decoder itself must notice), every bit flip either
 * refused or decoded into a sound value, never a crash (run under ASan).
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include "rdb_image.h"
#include "rdb_load_util.h"

static const store_cfg_t cfg_default = STORE_CFG_DEFAULT;

typedef struct golden {
    const char *key, *hex, *type, *enc;
    size_t n;
    const item_t *items;
} golden_t;

static const golden_t goldens[] = {
#define GOLDEN(k, h, t, e, n, it) {k, h, t, e, n, it},
#define IMAGE_KEY(db, k, pt, t, e, n, it)
#include "fixtures/golden.inc"
#undef GOLDEN
#undef IMAGE_KEY
};
#define NGOLDEN (sizeof goldens / sizeof *goldens)

typedef struct image_key {
    int db;
    const char *key;
    long long pexpiretime;
    const char *type, *enc;
    size_t n;
    const item_t *items;
} image_key_t;

static const image_key_t image_keys[] = {
#define GOLDEN(k, h, t, e, n, it)
#define IMAGE_KEY(db, k, pt, t, e, n, it) {db, k, pt, t, e, n, it},
#include "fixtures/golden.inc"
#undef GOLDEN
#undef IMAGE_KEY
};
#define NIMAGE (sizeof image_keys / sizeof *image_keys)

static int restore(const bytes_t *b, entry_t **e, rdb_err_t *err)
{
    return rdb_restore(b->p, b->n, "k", 1, &cfg_default, e, err);
}

/* ---- golden payloads ---- */

Test(rdb_restore, golden_payloads_decode_as_redis_shows_them)
{
    for (size_t i = 0; i < NGOLDEN; i++) {
        const golden_t *g = &goldens[i];
        bytes_t b = b_hex(g->hex);
        entry_t *e;
        rdb_err_t err;
        cr_assert_eq(restore(&b, &e, &err), 0, "%s: %s at %zu", g->key, err.msg, err.offset);
        cr_assert_str_eq(value_type_name(e->otype), g->type, "%s", g->key);
        cr_assert_str_eq(entry_encoding(e), g->enc, "%s", g->key);
        cr_assert(entry_sound(e), "%s", g->key);
        texts_are(e, g->items, g->n, g->key);
        cr_assert(entry_key_eq(e, "k", 1));
        entry_free(e);
        free(b.p);
    }
}

Test(rdb_restore, footer_is_checked_as_redis_does)
{
    const char *want = "DUMP payload version or checksum are wrong";
    bytes_t b = b_hex(goldens[0].hex);
    entry_t *e;
    rdb_err_t err;

    b.p[b.n - 1] ^= 1;                          /* CRC */
    cr_assert_eq(restore(&b, &e, &err), -1);
    cr_assert_str_eq(err.msg, want);
    memset(b.p + b.n - 8, 0, 8);                /* zero: checked all the same */
    cr_assert_eq(restore(&b, &e, &err), -1);
    cr_assert_str_eq(err.msg, want);
    b.p[b.n - 10] = 11;                         /* version 11 */
    b_recrc(&b);
    cr_assert_eq(restore(&b, &e, &err), -1);
    cr_assert_str_eq(err.msg, want);
    b.p[b.n - 10] = 9;                          /* older versions load */
    b_recrc(&b);
    cr_assert_eq(restore(&b, &e, &err), 0);
    entry_free(e);
    for (size_t n = 0; n < 10; n++) {
        cr_assert_eq(rdb_restore(b.p, n, "k", 1, &cfg_default, &e, &err), -1);
        cr_assert_str_eq(err.msg, want);
    }
    free(b.p);
}

/* Bytes between the value and the footer are ignored, as redis-server
 * 7.0 does (RESTORE of "\0\2hiZZ" + footer answers OK). */
Test(rdb_restore, bytes_after_the_value_are_ignored)
{
    bytes_t b = {0};
    entry_t *e;
    rdb_err_t err;

    b_put(&b, "\0\2hiZZ", 5);
    b_footer(&b, 10);
    cr_assert_eq(restore(&b, &e, &err), 0, "%s", err.msg);
    texts_are(e, (const item_t[]){IT("hi", 2)}, 1, "string");
    entry_free(e);
    free(b.p);
}

/* Every truncation of the value (footer recomputed) is refused. */
Test(rdb_restore, every_truncation_is_refused)
{
    for (size_t i = 0; i < NGOLDEN; i++) {
        bytes_t g = b_hex(goldens[i].hex);
        for (size_t cut = 0; cut < g.n - 10; cut++) {
            bytes_t b = {0};
            entry_t *e;
            rdb_err_t err;
            b_put(&b, g.p, cut);
            b_footer(&b, 10);
            cr_assert_eq(restore(&b, &e, &err), -1, "%s cut at %zu", goldens[i].key, cut);
            cr_assert_str_eq(err.msg, "Bad data format");
            free(b.p);
        }
        free(g.p);
    }
}

/* Every bit of every byte flipped (footer recomputed): refused, or a
 * value whose structures pass their checks. */
Test(rdb_restore, bit_flips_are_refused_or_sound)
{
    for (size_t i = 0; i < NGOLDEN; i++) {
        bytes_t b = b_hex(goldens[i].hex);
        for (size_t at = 0; at < b.n - 10; at++) {
            for (unsigned bit = 0; bit < 8; bit++) {
                entry_t *e;
                rdb_err_t err;
                b.p[at] ^= (unsigned char)(1u << bit);
                b_recrc(&b);
                if (restore(&b, &e, &err) == 0) {
                    cr_assert(entry_sound(e), "%s flip %zu.%u", goldens[i].key, at, bit);
                    texts_t t = entry_texts(e);
                    t_free(&t);
                    entry_free(e);
                } else {
                    cr_assert(strcmp(err.msg, "Bad data format") == 0, "%s", err.msg);
                }
                b.p[at] ^= (unsigned char)(1u << bit);
            }
        }
        free(b.p);
    }
}

/* ---- DUMP -> RESTORE round trips (rdbsave's encoder) ---- */

Test(rdb_restore, round_trip_through_dump_keeps_contents_and_encoding)
{
    store_cfg_t small = cfg_default;

    for (int pass = 0; pass < 2; pass++) {
        /* pass 1: small limits, so the big encodings are made on load */
        if (pass == 1) {
            small.hash_max_listpack_entries = 1;
            small.zset_max_listpack_entries = 1;
            small.set_max_intset_entries = 1;
            small.list_max_listpack_size = 2;
            small.list_compress_depth = 1;
        }
        for (size_t i = 0; i < NGOLDEN; i++) {
            bytes_t g = b_hex(goldens[i].hex);
            entry_t *e, *e2;
            rdb_err_t err;
            rdb_buf_t out = {0};
            cr_assert_eq(rdb_restore(g.p, g.n, "k", 1, &small, &e, &err), 0, "%s", err.msg);
            cr_assert_eq(rdb_dump(&out, e, pass == 0), 0);
            cr_assert_eq(rdb_restore(out.p, out.len, "k", 1, &small, &e2, &err), 0,
                         "%s: %s at %zu", goldens[i].key, err.msg, err.offset);
            cr_assert_str_eq(entry_encoding(e2), entry_encoding(e), "%s", goldens[i].key);
            cr_assert_eq(e2->type, e->type, "%s", goldens[i].key);
            texts_are(e2, goldens[i].items, goldens[i].n, goldens[i].key);
            entry_free(e);
            entry_free(e2);
            rdb_buf_free(&out);
            free(g.p);
        }
    }
}

/* ---- errors ---- */

static void refused(unsigned type, const char *want)
{
    bytes_t b = {0};
    entry_t *e;
    rdb_err_t err;

    b_u8(&b, type);
    b_u8(&b, 0);
    b_footer(&b, 10);
    cr_assert_eq(restore(&b, &e, &err), -1);
    cr_assert_str_eq(err.msg, "Bad data format");
    free(b.p);
    /* rdb_load says why */
    b = (bytes_t){0};
    b_put(&b, "REDIS0010", 9);
    b_u8(&b, type);
    b_cstr(&b, "key");
    b_u8(&b, 0);
    b_u8(&b, 0xFF);
    b_le(&b, 0, 8);
    cr_assert_eq(rdb_load(b.p, b.n, 16, &cfg_default, &(rdb_load_cb_t){0}, &err), -1);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(err.offset, 9 + 1 + 4);
    free(b.p);
}

Test(rdb_restore, streams_modules_and_unknown_types_are_refused)
{
    refused(15, "stream values are not supported");
    refused(19, "stream values are not supported");
    refused(21, "stream values are not supported");
    refused(6, "module values are not supported");
    refused(7, "module values are not supported");
    refused(8, "Unknown RDB encoding type 8");
    refused(22, "Unknown RDB encoding type 22");
}

/* ---- whole files ---- */

typedef struct loaded {
    entry_t *e[64];
    int db[64];
    int64_t expire[64], idle[64];
    int freq[64];
    size_t n, aux, resize;
    bool saw_redis_ver;
} loaded_t;

static int on_aux(void *arg, const char *k, size_t kl, const char *v, size_t vl, rdb_err_t *err)
{
    loaded_t *l = arg;
    (void)err;
    l->aux++;
    if (kl == 9 && memcmp(k, "redis-ver", 9) == 0 && vl == 6 && memcmp(v, "7.0.15", 6) == 0)
        l->saw_redis_ver = true;
    return 0;
}

static int on_resize(void *arg, int db, uint64_t keys, uint64_t expires, rdb_err_t *err)
{
    loaded_t *l = arg;
    (void)db, (void)keys, (void)expires, (void)err;
    l->resize++;
    return 0;
}

static int on_key(void *arg, int db, entry_t *e, int64_t expire_ms, int64_t idle_s, int freq,
                  rdb_err_t *err)
{
    loaded_t *l = arg;
    if (l->n == 64) {
        entry_free(e);
        strcpy(err->msg, "too many keys");
        return -1;
    }
    l->e[l->n] = e;
    l->db[l->n] = db;
    l->idle[l->n] = idle_s;
    l->freq[l->n] = freq;
    l->expire[l->n++] = expire_ms;
    return 0;
}

static void loaded_free(loaded_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        entry_free(l->e[i]);
    l->n = 0;
}

static bytes_t read_file(const char *name)
{
    char path[512];
    bytes_t b = {0};
    unsigned char buf[4096];
    size_t got;

    snprintf(path, sizeof path, "%s/%s", RDB_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        b_put(&b, buf, got);
    fclose(f);
    return b;
}

static int load(const bytes_t *b, loaded_t *l, rdb_err_t *err)
{
    rdb_load_cb_t cb = {.arg = l, .aux = on_aux, .resize = on_resize, .key = on_key};
    return rdb_load(b->p, b->n, 16, &cfg_default, &cb, err);
}

Test(rdb_load, a_redis_7_0_save_loads_whole)
{
    bytes_t b = read_file("redis70.rdb");
    loaded_t l = {0};
    rdb_err_t err;

    cr_assert_eq(load(&b, &l, &err), 0, "%s at %zu", err.msg, err.offset);
    cr_assert_eq(l.n, NIMAGE);
    cr_assert(l.saw_redis_ver);
    cr_assert_eq(l.resize, 2);
    for (size_t i = 0; i < NIMAGE; i++) {
        const image_key_t *k = &image_keys[i];
        size_t j;
        for (j = 0; j < l.n; j++)
            if (l.db[j] == k->db && entry_key_eq(l.e[j], k->key, strlen(k->key)))
                break;
        cr_assert(j < l.n, "%s not loaded", k->key);
        cr_assert_eq(l.expire[j], k->pexpiretime, "%s", k->key);
        cr_assert_str_eq(value_type_name(l.e[j]->otype), k->type, "%s", k->key);
        cr_assert_str_eq(entry_encoding(l.e[j]), k->enc, "%s", k->key);
        texts_are(l.e[j], k->items, k->n, k->key);
    }
    loaded_free(&l);
    free(b.p);
}

Test(rdb_load, truncations_and_a_wrong_crc_are_refused)
{
    bytes_t b = read_file("redis70.rdb");
    loaded_t l = {0};
    rdb_err_t err;

    for (size_t cut = 0; cut < b.n; cut++) {
        bytes_t t = {.p = b.p, .n = cut};
        cr_assert_eq(load(&t, &l, &err), -1, "cut at %zu", cut);
        loaded_free(&l);
    }
    b.p[b.n - 3] ^= 0x10;
    cr_assert_eq(load(&b, &l, &err), -1);
    cr_assert(strncmp(err.msg, "Wrong RDB checksum", 18) == 0, "%s", err.msg);
    cr_assert_eq(err.offset, b.n - 8);
    loaded_free(&l);
    memset(b.p + b.n - 8, 0, 8);        /* 0: not checked, as Redis */
    cr_assert_eq(load(&b, &l, &err), 0, "%s", err.msg);
    loaded_free(&l);
    free(b.p);
}

/* With the CRC off (0), flips reach the decoder: refused or sound. */
Test(rdb_load, bit_flips_are_refused_or_sound)
{
    bytes_t b = read_file("redis70.rdb");
    loaded_t l = {0};
    rdb_err_t err;

    memset(b.p + b.n - 8, 0, 8);
    for (size_t at = 0; at < b.n - 8; at++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            b.p[at] ^= (unsigned char)(1u << bit);
            if (load(&b, &l, &err) == 0)
                for (size_t i = 0; i < l.n; i++)
                    cr_assert(entry_sound(l.e[i]), "flip %zu.%u", at, bit);
            loaded_free(&l);
            b.p[at] ^= (unsigned char)(1u << bit);
        }
    }
    free(b.p);
}

static bytes_t image(void)
{
    bytes_t b = {0};
    b_put(&b, "REDIS0010", 9);
    return b;
}

static void eof_crc(bytes_t *b)
{
    b_u8(b, 0xFF);
    b_le(b, rdb_crc64(0, b->p, b->n), 8);
}

Test(rdb_load, opcodes_and_their_errors)
{
    loaded_t l = {0};
    rdb_err_t err;
    bytes_t b = image();

    b_u8(&b, 0xFA), b_cstr(&b, "x"), b_cstr(&b, "y");  /* AUX */
    b_u8(&b, 0xFE), b_len(&b, 3);                       /* SELECTDB 3 */
    b_u8(&b, 0xFB), b_len(&b, 2), b_len(&b, 1);         /* RESIZEDB */
    b_u8(&b, 0xFD), b_le(&b, 1000, 4);                  /* EXPIRETIME s */
    b_u8(&b, 0xF8), b_len(&b, 77);                      /* IDLE */
    b_u8(&b, 0), b_cstr(&b, "a"), b_cstr(&b, "1");
    b_u8(&b, 0xF9), b_u8(&b, 5);                        /* FREQ */
    b_u8(&b, 0), b_cstr(&b, "b"), b_cstr(&b, "2");
    b_u8(&b, 2), b_cstr(&b, "empty"), b_len(&b, 0);     /* skipped, as Redis */
    eof_crc(&b);
    cr_assert_eq(load(&b, &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.n, 2);
    cr_assert_eq(l.db[0], 3);
    cr_assert_eq(l.expire[0], 1000000);
    cr_assert_eq(l.expire[1], -1);
    cr_assert_eq(l.idle[0], 77);
    cr_assert_eq(l.freq[0], -1);
    cr_assert_eq(l.idle[1], -1);
    cr_assert_eq(l.freq[1], 5);
    loaded_free(&l);
    free(b.p);

    const struct { unsigned op; const char *msg; } bad[] = {
        {0xF5, "functions are not supported yet"},
        {0xF6, "functions are not supported yet"},
        {0xF7, "module auxiliary data is not supported"},
    };
    for (size_t i = 0; i < 3; i++) {
        b = image();
        b_u8(&b, bad[i].op);
        eof_crc(&b);
        cr_assert_eq(load(&b, &l, &err), -1);
        cr_assert_str_eq(err.msg, bad[i].msg);
        cr_assert_eq(err.offset, 9);
        free(b.p);
    }
    b = image();
    b_u8(&b, 0xFE), b_len(&b, 16);
    eof_crc(&b);
    cr_assert_eq(load(&b, &l, &err), -1);
    cr_assert(strstr(err.msg, "more than 16 databases"), "%s", err.msg);
    free(b.p);

    b = (bytes_t){0};
    b_put(&b, "REDIS0011", 9);
    eof_crc(&b);
    cr_assert_eq(load(&b, &l, &err), -1);
    cr_assert_str_eq(err.msg, "Can't handle RDB format version 11");
    b.p[0] = 'X';
    cr_assert_eq(load(&b, &l, &err), -1);
    cr_assert_str_eq(err.msg, "Wrong signature trying to load DB from file");
    free(b.p);

    /* RDB 4 had no CRC trailer */
    b = (bytes_t){0};
    b_put(&b, "REDIS0004", 9);
    b_u8(&b, 0), b_cstr(&b, "a"), b_cstr(&b, "1");
    b_u8(&b, 0xFF);
    cr_assert_eq(load(&b, &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.n, 1);
    loaded_free(&l);
    free(b.p);
}

Test(rdb_load, a_callback_stops_the_load)
{
    bytes_t b = read_file("redis70.rdb");
    loaded_t l = {.n = 64};     /* full: on_key refuses the first key */
    rdb_err_t err;

    cr_assert_eq(load(&b, &l, &err), -1);
    cr_assert_str_eq(err.msg, "too many keys");
    cr_assert_gt(err.offset, 9);
    free(b.p);
}

/* The image rdbsave's encoder writes (rdb_image.h) loads whole. */
Test(rdb_load, the_image_flashkv_writes_loads_whole)
{
    rdb_buf_t out = {0};
    loaded_t l = {0};
    rdb_err_t err;
    static const struct { int db; const char *key, *enc; size_t len; } want[] = {
        {0, "str:int", "int", 1}, {0, "str:lzf", "raw", 1}, {0, "hash:ht", "hashtable", 600},
        {0, "set:ht", "hashtable", 600}, {0, "set:lp", "hashtable", 3},
        {0, "set:is", "intset", 100}, {0, "zset:zs", "skiplist", 300},
        {0, "list:lp", "quicklist", 3}, {0, "list:ql", "quicklist", 1000},
        {0, "list:qlc", "quicklist", 1000}, {1, "12345", "embstr", 1},
    };

    cr_assert_eq(img_build(&out), 0);
    bytes_t b = {.p = out.p, .n = out.len};
    cr_assert_eq(load(&b, &l, &err), 0, "%s at %zu", err.msg, err.offset);
    cr_assert_eq(l.n, 16);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        size_t j;
        for (j = 0; j < l.n; j++)
            if (l.db[j] == want[i].db && entry_key_eq(l.e[j], want[i].key, strlen(want[i].key)))
                break;
        cr_assert(j < l.n, "%s", want[i].key);
        cr_assert_str_eq(entry_encoding(l.e[j]), want[i].enc, "%s", want[i].key);
        cr_assert(entry_sound(l.e[j]), "%s", want[i].key);
        if (l.e[j]->otype != OBJ_STRING)
            cr_assert_eq(value_len(l.e[j]->otype, l.e[j]->type, l.e[j]->v.obj), want[i].len,
                         "%s", want[i].key);
    }
    for (size_t j = 0; j < l.n; j++)
        cr_assert_eq(l.expire[j], entry_key_eq(l.e[j], "str:ttl", 7) ? IMG_TTL_MS : -1);
    loaded_free(&l);
    rdb_buf_free(&out);
}
