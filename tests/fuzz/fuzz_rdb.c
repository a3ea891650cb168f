/*
 * fuzz_rdb.c - libFuzzer target for the RDB decoder (store/persist/rdb.h):
 * RESTORE payloads and whole RDB images made of arbitrary bytes.
 *
 * Input: byte 0 picks the mode and byte 1 the settings (Redis's defaults,
 * or tiny limits so every conversion on load is reached); the rest is
 *   mode 0: a value (type byte + body): the footer (version 10, CRC64) is
 *           appended, so the fuzzer's bytes reach the decoder;
 *   mode 1: a whole DUMP payload, footer included, as RESTORE gets it;
 *   mode 2: a whole RDB image (a zero CRC is not checked, as in Redis).
 * Whatever decodes must be sound (the encodings' own checks pass, it is
 * not empty, every element can be read), and survive DUMP -> RESTORE with
 * the same encoding and the same contents.
 *
 * Concurrency: single-threaded.
 */
#include <math.h>

#include "store/enc/lp.h"
#include "store/enc/ql.h"
#include "store/persist/rdb.h"
#include "store/types/hash_obj.h"
#include "store/types/list_enc.h"
#include "store/types/set_enc.h"
#include "store/types/zset_obj.h"
#include "tests/fuzz/fuzz.h"

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return (h ^ n) * 0x9E3779B97F4A7C15ull;
}

/* A digest of e's contents: ordered for lists and sorted sets, a sum
 * (order-free) for sets and hashes, whose order depends on the table. */
static uint64_t digest(entry_t *e, size_t *count)
{
    char b1[NUM_LL_BUF], b2[NUM_LL_BUF], db[NUM_D_BUF];
    size_t l1, l2;
    uint64_t h = 1469598103934665603ull;

    *count = 0;
    switch (e->otype) {
    case OBJ_STRING: {
        const char *s = entry_str(e, b1, &l1);
        *count = 1;
        return mix(h, s, l1);
    }
    case OBJ_LIST: {
        list_iter_t it;
        list_elem_t x;
        list_enc_iter_init(&it, e, 0, true);
        while (list_enc_iter_next(&it, &x) == 1) {
            const char *s = list_enc_str(&x, b1, &l1);
            h = mix(h, s, l1);
            ++*count;
        }
        list_enc_iter_done(&it);
        return h;
    }
    case OBJ_SET: {
        setv_t v = setv_of(e);
        setv_iter_t it;
        setv_member_t m;
        setv_pos_t pos;
        uint64_t sum = 0;
        setv_iter_init(&it, &v);
        while (setv_iter_next(&it, &m, &pos)) {
            FZ_CHECK(setv_has(&v, m.s, m.len), "member not found");
            sum += mix(h, m.s, m.len);
            ++*count;
        }
        setv_iter_done(&it);
        return sum;
    }
    case OBJ_HASH: {
        hash_obj_iter_t it;
        hash_obj_sv_t f, v, got;
        uint64_t sum = 0;
        hash_obj_iter_init(&it, e);
        while (hash_obj_iter_next(&it, &f, &v)) {
            const char *fs = hash_obj_sv_bytes(&f, b1, &l1);
            const char *vs = hash_obj_sv_bytes(&v, b2, &l2);
            sum += mix(mix(h, fs, l1), vs, l2);
            ++*count;
        }
        /* every field found by value (not only walked) */
        hash_obj_iter_init(&it, e);
        while (hash_obj_iter_next(&it, &f, NULL)) {
            const char *fs = hash_obj_sv_bytes(&f, b1, &l1);
            char fcopy[256];
            if (l1 <= sizeof fcopy) {
                memcpy(fcopy, fs, l1);
                FZ_CHECK(hash_obj_get(e, fcopy, l1, &got), "field not found");
            }
        }
        return sum;
    }
    case OBJ_ZSET: {
        zobj_t z = zobj_of(e);
        zobj_iter_t it;
        zobj_elem_t el;
        zobj_iter_init(&it, &z, 0, true);
        while (zobj_iter_next(&it, &el)) {
            FZ_CHECK(!isnan(el.score), "NaN score");
            l2 = num_fmt_d(db, el.score);
            h = mix(mix(h, el.s, el.len), db, l2);
            ++*count;
        }
        return h;
    }
    }
    FZ_CHECK(false, "type %u", e->otype);
    return 0;
}

static void check_sound(entry_t *e)
{
    size_t n;
    switch (e->otype) {
    case OBJ_LIST:
        if (e->type == ENC_LIST_QL)
            FZ_CHECK(ql_validate(e->v.obj, 0), "quicklist");
        else
            FZ_CHECK(lp_validate(e->v.obj, lp_bytes(e->v.obj), true), "listpack");
        break;
    case OBJ_ZSET: {
        zobj_t z = zobj_of(e);
        FZ_CHECK(zobj_validate(&z), "zset");
        break;
    }
    }
    digest(e, &n);
    FZ_CHECK(e->otype == OBJ_STRING || n > 0, "empty collection loaded");
}

/* A sound value, and DUMP -> RESTORE gives it back unchanged. */
static void check_value(entry_t *e, const store_cfg_t *cfg)
{
    rdb_buf_t b = {0};
    rdb_err_t err;
    entry_t *back;
    size_t n1, n2;

    check_sound(e);
    FZ_CHECK(rdb_dump(&b, e, true) == 0, "dump");
    FZ_CHECK(rdb_restore(b.p, b.len, e->key, e->klen, cfg, &back, &err) == 0,
             "restore of a dump: %s at %zu", err.msg, err.offset);
    FZ_CHECK(back->otype == e->otype && back->type == e->type, "encoding changed: %s -> %s",
             entry_encoding(e), entry_encoding(back));
    FZ_CHECK(digest(e, &n1) == digest(back, &n2) && n1 == n2, "contents changed");
    entry_free(back);
    rdb_buf_free(&b);
}

typedef struct load_arg {
    const store_cfg_t *cfg;
    size_t keys;
} load_arg_t;

static int on_key(void *arg, int db, entry_t *e, int64_t expire_ms, int64_t idle_s, int freq,
                  rdb_err_t *err)
{
    load_arg_t *a = arg;
    (void)db, (void)expire_ms, (void)idle_s, (void)freq, (void)err;
    check_value(e, a->cfg);
    entry_free(e);
    a->keys++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    store_cfg_t cfg = STORE_CFG_DEFAULT;
    rdb_err_t err;
    entry_t *e;

    if (size < 2)
        return 0;
    unsigned mode = data[0] % 3, knobs = data[1];
    if (knobs & 1) {
        cfg.hash_max_listpack_entries = 2;
        cfg.hash_max_listpack_value = 4;
        cfg.set_max_intset_entries = 2;
        cfg.zset_max_listpack_entries = 2;
        cfg.zset_max_listpack_value = 4;
        cfg.list_max_listpack_size = (knobs & 2) ? 2 : -1;
        cfg.list_compress_depth = (knobs >> 2) & 3;
    }
    data += 2;
    size -= 2;
    if (mode == 2) {
        load_arg_t a = {&cfg, 0};
        rdb_load_cb_t cb = {.arg = &a, .key = on_key};
        if (rdb_load(data, size, 16, &cfg, &cb, &err) != 0)
            FZ_CHECK(err.msg[0] && err.offset <= size, "error without message or offset");
        return 0;
    }
    uint8_t *p = fz_xmalloc(size + 10);
    size_t n = size;
    memcpy(p, data, size);
    if (mode == 0) {
        p[n++] = RDB_VERSION;
        p[n++] = 0;
        uint64_t crc = rdb_crc64(0, p, n);
        for (int i = 0; i < 8; i++)
            p[n++] = (uint8_t)(crc >> (8 * i));
    }
    if (rdb_restore(p, n, "key", 3, &cfg, &e, &err) == 0) {
        check_value(e, &cfg);
        entry_free(e);
    } else {
        FZ_CHECK(strcmp(err.msg, "Bad data format") == 0 ||
                     strcmp(err.msg, "DUMP payload version or checksum are wrong") == 0,
                 "RESTORE error %s", err.msg);
        FZ_CHECK(mode == 1 || strcmp(err.msg, "Bad data format") == 0, "footer refused");
    }
    free(p);
    return 0;
}
