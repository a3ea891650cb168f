/*
 * test_rdb_old.c - RDB values built by hand: the RDB 9 era encodings
 * (ziplists, zipmaps, linked lists, text scores) that Redis 6 files
 * still carry, the settings' conversion points on load, and the corrupt
 * forms the decoder must refuse (duplicates, empty collections, unsorted
 * or NaN scores, broken ziplist links).
 *
 * The ziplist and zipmap writers here follow the format described in
 * Redis's ziplist.c and zipmap.c comments and share no code with the
 * decoder (store/persist/rdb_ziplist.c).
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include "rdb_load_util.h"

static const store_cfg_t cfg_default = STORE_CFG_DEFAULT;

/* ---- a ziplist writer (ziplist.c's layout) ---- */

typedef struct zl {
    bytes_t b;
    size_t prev, last, count;
} zl_t;

static void zl_init(zl_t *z)
{
    *z = (zl_t){0};
    b_put(&z->b, "\0\0\0\0\0\0\0\0\0\0", 10);
    z->last = 10;
}

static void zl_prevlen(zl_t *z)
{
    if (z->prev < 254) {
        b_u8(&z->b, (unsigned)z->prev);
    } else {
        b_u8(&z->b, 0xFE);
        b_le(&z->b, z->prev, 4);
    }
}

static void zl_done_entry(zl_t *z, size_t off)
{
    z->prev = z->b.n - off;
    z->last = off;
    z->count++;
}

static void zl_str(zl_t *z, const char *s, size_t n)
{
    size_t off = z->b.n;
    zl_prevlen(z);
    if (n <= 63) {
        b_u8(&z->b, (unsigned)n);
    } else if (n <= 16383) {
        b_u8(&z->b, 0x40 | (unsigned)(n >> 8));
        b_u8(&z->b, n & 0xFF);
    } else {
        b_u8(&z->b, 0x80);
        b_be(&z->b, n, 4);
    }
    b_put(&z->b, s, n);
    zl_done_entry(z, off);
}

static void zl_cstr(zl_t *z, const char *s) { zl_str(z, s, strlen(s)); }

static void zl_int(zl_t *z, long long v)
{
    size_t off = z->b.n;
    zl_prevlen(z);
    if (v >= 0 && v <= 12) {
        b_u8(&z->b, 0xF1 + (unsigned)v);
    } else if (v >= INT8_MIN && v <= INT8_MAX) {
        b_u8(&z->b, 0xFE), b_le(&z->b, (uint64_t)v, 1);
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        b_u8(&z->b, 0xC0), b_le(&z->b, (uint64_t)v, 2);
    } else if (v >= -(1 << 23) && v < (1 << 23)) {
        b_u8(&z->b, 0xF0), b_le(&z->b, (uint64_t)v, 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        b_u8(&z->b, 0xD0), b_le(&z->b, (uint64_t)v, 4);
    } else {
        b_u8(&z->b, 0xE0), b_le(&z->b, (uint64_t)v, 8);
    }
    zl_done_entry(z, off);
}

/* Close the ziplist: end byte, then the header fields. */
static bytes_t zl_finish(zl_t *z)
{
    b_u8(&z->b, 0xFF);
    uint64_t hdr[3] = {z->b.n, z->last, z->count < 65535 ? z->count : 65535};
    for (int i = 0; i < 4; i++) {
        z->b.p[i] = (unsigned char)(hdr[0] >> (8 * i));
        z->b.p[4 + i] = (unsigned char)(hdr[1] >> (8 * i));
    }
    z->b.p[8] = hdr[2] & 0xFF;
    z->b.p[9] = (unsigned char)(hdr[2] >> 8);
    return z->b;
}

/* ---- a zipmap writer (zipmap.c's layout) ---- */

static void zm_len(bytes_t *b, size_t n)
{
    if (n < 254) {
        b_u8(b, (unsigned)n);
    } else {
        b_u8(b, 254);
        b_le(b, n, 4);
    }
}

/* pairs[2i], pairs[2i+1]; the value of pair `with_free` gets 3 free
 * bytes after it, as zipmap leaves after a value shrank. */
static bytes_t zm_build(const char *const *pairs, size_t npairs, size_t with_free)
{
    bytes_t b = {0};
    b_u8(&b, npairs < 254 ? (unsigned)npairs : 254);
    for (size_t i = 0; i < npairs; i++) {
        const char *f = pairs[2 * i], *v = pairs[2 * i + 1];
        zm_len(&b, strlen(f));
        b_put(&b, f, strlen(f));
        zm_len(&b, strlen(v));
        b_u8(&b, i == with_free ? 3 : 0);
        b_put(&b, v, strlen(v));
        if (i == with_free)
            b_put(&b, "\x01\x02\x03", 3);
    }
    b_u8(&b, 0xFF);
    return b;
}

/* ---- payloads ---- */

static bytes_t payload(unsigned type)
{
    bytes_t b = {0};
    b_u8(&b, type);
    return b;
}

/* A value of type whose body is one string (a ziplist, zipmap...). */
static bytes_t blob_payload(unsigned type, const bytes_t *blob)
{
    bytes_t b = payload(type);
    b_str(&b, blob->p, blob->n);
    b_footer(&b, 9);
    return b;
}

static entry_t *ok_cfg(bytes_t *b, const store_cfg_t *cfg)
{
    entry_t *e;
    rdb_err_t err;
    cr_assert_eq(rdb_restore(b->p, b->n, "k", 1, cfg, &e, &err), 0, "%s at %zu", err.msg,
                 err.offset);
    cr_assert(entry_sound(e));
    return e;
}

static entry_t *ok(bytes_t *b) { return ok_cfg(b, &cfg_default); }

/* Refused by RESTORE; and rdb_load (with the same value as a key of an
 * RDB 9 image) says why: want (a prefix of its message). */
static void bad(const bytes_t *b, const char *want)
{
    entry_t *e = NULL;
    rdb_err_t err;
    cr_assert_eq(rdb_restore(b->p, b->n, "k", 1, &cfg_default, &e, &err), -1);
    cr_assert_str_eq(err.msg, "Bad data format");
    if (!want)
        return;
    bytes_t img = {0};
    b_put(&img, "REDIS0009", 9);
    b_u8(&img, b->p[0]);
    b_cstr(&img, "k");
    b_put(&img, b->p + 1, b->n - 11);
    b_u8(&img, 0xFF);
    b_le(&img, 0, 8);
    cr_assert_eq(rdb_load(img.p, img.n, 16, &cfg_default, &(rdb_load_cb_t){0}, &err), -1);
    cr_assert(strncmp(err.msg, want, strlen(want)) == 0, "\"%s\", want \"%s\"", err.msg, want);
    free(img.p);
}

/* Every truncation refused, every bit flip refused or sound. */
static void torture(const bytes_t *g)
{
    for (size_t cut = 0; cut < g->n - 10; cut++) {
        bytes_t b = {0};
        b_put(&b, g->p, cut);
        b_footer(&b, 9);
        bad(&b, NULL);
        free(b.p);
    }
    bytes_t b = {0};
    b_put(&b, g->p, g->n);
    for (size_t at = 0; at < b.n - 10; at++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            entry_t *e;
            rdb_err_t err;
            b.p[at] ^= (unsigned char)(1u << bit);
            b_recrc(&b);
            if (rdb_restore(b.p, b.n, "k", 1, &cfg_default, &e, &err) == 0) {
                cr_assert(entry_sound(e), "flip %zu.%u", at, bit);
                texts_t t = entry_texts(e);
                t_free(&t);
                entry_free(e);
            }
            b.p[at] ^= (unsigned char)(1u << bit);
        }
    }
    free(b.p);
}

#define ITEMS(...) ((const item_t[]){__VA_ARGS__}), sizeof((const item_t[]){__VA_ARGS__}) / sizeof(item_t)
#define I(s) IT(s, sizeof(s) - 1)

/* ---- lists ---- */

static char big300[301];

static bytes_t list_zl(void)
{
    zl_t z;
    memset(big300, 'q', 300);
    zl_init(&z);
    zl_cstr(&z, "a");
    zl_int(&z, 7), zl_int(&z, -1000), zl_int(&z, 100000), zl_int(&z, 5000000000ll);
    zl_str(&z, big300, 300);
    zl_cstr(&z, "after");       /* its prevlen takes 5 bytes */
    zl_int(&z, 12), zl_int(&z, 0), zl_int(&z, -128), zl_int(&z, 8388607), zl_int(&z, -70000);
    return zl_finish(&z);
}

Test(rdb_old, list_ziplist)
{
    bytes_t zl = list_zl(), b = blob_payload(10, &zl);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("a"), I("7"), I("-1000"), I("100000"), I("5000000000"), IT(big300, 300),
                       I("after"), I("12"), I("0"), I("-128"), I("8388607"), I("-70000")),
              "list");
    cr_assert_eq(e->type, ENC_LIST_LP);
    entry_free(e);
    torture(&b);
    free(b.p);
    free(zl.p);
}

Test(rdb_old, list_quicklist_of_ziplists_skips_empty_nodes)
{
    zl_t z1, z2, z3;
    zl_init(&z1), zl_cstr(&z1, "x"), zl_int(&z1, 1);
    zl_init(&z2);
    zl_init(&z3), zl_cstr(&z3, "y");
    bytes_t a = zl_finish(&z1), e0 = zl_finish(&z2), c = zl_finish(&z3), b = payload(14);
    b_len(&b, 3);
    b_str(&b, a.p, a.n), b_str(&b, e0.p, e0.n), b_str(&b, c.p, c.n);
    b_footer(&b, 9);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("x"), I("1"), I("y")), "list");
    entry_free(e);
    torture(&b);
    /* all nodes empty: an empty key */
    bytes_t only = payload(14);
    b_len(&only, 1), b_str(&only, e0.p, e0.n), b_footer(&only, 9);
    bad(&only, NULL);
    free(only.p), free(a.p), free(e0.p), free(c.p), free(b.p);
}

Test(rdb_old, linked_list_follows_list_max_listpack_size)
{
    bytes_t b = payload(1);
    char s[32];
    b_len(&b, 5000);
    for (int i = 0; i < 5000; i++)
        snprintf(s, sizeof s, "elem-%d", i), b_cstr(&b, s);
    b_footer(&b, 9);
    entry_t *e = ok(&b);
    cr_assert_eq(e->type, ENC_LIST_QL);
    cr_assert_eq(ql_count(e->v.obj), 5000);
    cr_assert_gt(ql_nodes(e->v.obj), 1);
    entry_free(e);
    store_cfg_t four = cfg_default;
    four.list_max_listpack_size = 4;
    four.list_compress_depth = 2;
    e = ok_cfg(&b, &four);
    cr_assert_eq(ql_nodes(e->v.obj), 1250);
    cr_assert(ql_validate(e->v.obj, QL_CHECK_COMPRESSION));
    list_elem_t x;
    cr_assert_eq(list_enc_index(e, 4321, &x), 1);
    cr_assert(x.s && x.len == 9 && memcmp(x.s, "elem-4321", 9) == 0);
    entry_free(e);
    free(b.p);
}

Test(rdb_old, quicklist_2_plain_and_packed_containers)
{
    unsigned char *lp = lp_new(0);
    lp = lp_append(lp, "p1", 2), lp = lp_append(lp, "17", 2);
    bytes_t b = payload(18);
    b_len(&b, 2);
    b_len(&b, 1), b_cstr(&b, "plain-element");
    b_len(&b, 2), b_str(&b, lp, lp_bytes(lp));
    b_footer(&b, 10);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("plain-element"), I("p1"), I("17")), "list");
    entry_free(e);
    torture(&b);
    b.p[2] = 3;                 /* no container 3 */
    b_recrc(&b);
    bad(&b, "Quicklist integrity check failed");
    free(b.p);
    lp_free(lp);
}

/* ---- hashes ---- */

Test(rdb_old, hash_zipmap_small_and_with_a_long_value)
{
    const char *pairs[] = {"f1", "v1", "name", "zipmap", "n", "42"};
    bytes_t zm = zm_build(pairs, 3, 1), b = blob_payload(9, &zm);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("f1=v1"), I("n=42"), I("name=zipmap")), "hash");
    cr_assert_str_eq(entry_encoding(e), "listpack");
    entry_free(e);
    torture(&b);
    free(b.p), free(zm.p);

    memset(big300, 'q', 300);
    const char *long_pairs[] = {"a", "1", "big", big300};
    zm = zm_build(long_pairs, 2, 9);
    b = blob_payload(9, &zm);
    e = ok(&b);
    cr_assert_str_eq(entry_encoding(e), "hashtable");  /* over hash-max-listpack-value */
    cr_assert_eq(hash_obj_len(e), 2);
    entry_free(e);
    free(b.p), free(zm.p);

    const char *dup[] = {"a", "1", "a", "2"};
    zm = zm_build(dup, 2, 9);
    b = blob_payload(9, &zm);
    bad(&b, "Duplicate hash fields detected");
    free(b.p), free(zm.p);
}

Test(rdb_old, hash_ziplist_and_the_entries_limit)
{
    zl_t z;
    char f[16];
    zl_init(&z);
    zl_cstr(&z, "f"), zl_int(&z, -5), zl_int(&z, 100), zl_cstr(&z, "hundred");
    bytes_t zl = zl_finish(&z), b = blob_payload(13, &zl);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("100=hundred"), I("f=-5")), "hash");
    cr_assert_str_eq(entry_encoding(e), "listpack");
    entry_free(e);
    torture(&b);
    free(b.p), free(zl.p);

    zl_init(&z);
    for (int i = 0; i < 600; i++)
        snprintf(f, sizeof f, "f%d", i), zl_cstr(&z, f), zl_int(&z, i);
    zl = zl_finish(&z);
    b = blob_payload(13, &zl);
    e = ok(&b);
    cr_assert_str_eq(entry_encoding(e), "hashtable");
    cr_assert_eq(hash_obj_len(e), 600);
    entry_free(e);
    free(b.p), free(zl.p);

    zl_init(&z);
    zl_cstr(&z, "f"), zl_cstr(&z, "v"), zl_cstr(&z, "f");
    zl = zl_finish(&z);
    b = blob_payload(13, &zl);
    bad(&b, "Listpack of pairs has an odd element count");
    free(b.p), free(zl.p);
}

Test(rdb_old, hash_pairs_limits_and_duplicates)
{
    bytes_t b = payload(4);
    char f[16];
    b_len(&b, 3);
    b_cstr(&b, "a"), b_cstr(&b, "1"), b_cstr(&b, "b"), b_cstr(&b, "2"), b_cstr(&b, "c"),
        b_cstr(&b, "3");
    b_footer(&b, 10);
    entry_t *e = ok(&b);
    cr_assert_str_eq(entry_encoding(e), "listpack");
    entry_free(e);
    store_cfg_t two = cfg_default;
    two.hash_max_listpack_entries = 2;
    e = ok_cfg(&b, &two);
    cr_assert_str_eq(entry_encoding(e), "hashtable");
    entry_free(e);
    free(b.p);

    b = payload(4);
    b_len(&b, 600);
    for (int i = 0; i < 600; i++)
        snprintf(f, sizeof f, "f%d", i), b_cstr(&b, f), b_cstr(&b, "v");
    b_footer(&b, 10);
    e = ok(&b);
    cr_assert_str_eq(entry_encoding(e), "hashtable");
    entry_free(e);
    free(b.p);

    b = payload(4);
    b_len(&b, 2), b_cstr(&b, "a"), b_cstr(&b, "1"), b_cstr(&b, "a"), b_cstr(&b, "2");
    b_footer(&b, 10);
    bad(&b, "Duplicate hash fields detected");
    free(b.p);
}

/* ---- sets ---- */

Test(rdb_old, set_of_strings_gets_the_commands_encoding)
{
    bytes_t b = payload(2);
    char s[16];
    b_len(&b, 3), b_cstr(&b, "3"), b_cstr(&b, "-1"), b_cstr(&b, "2");
    b_footer(&b, 9);
    entry_t *e = ok(&b);
    cr_assert_str_eq(entry_encoding(e), "intset");
    texts_are(e, ITEMS(I("-1"), I("2"), I("3")), "set");
    entry_free(e);
    free(b.p);

    b = payload(2);
    b_len(&b, 600);
    for (int i = 0; i < 600; i++)
        snprintf(s, sizeof s, "%d", i * 7), b_cstr(&b, s);
    b_footer(&b, 9);
    e = ok(&b);
    cr_assert_str_eq(entry_encoding(e), "hashtable");
    cr_assert_eq(e->type, ENC_SET_HT);
    entry_free(e);
    free(b.p);

    b = payload(2);
    b_len(&b, 3), b_cstr(&b, "a"), b_cstr(&b, "b"), b_cstr(&b, "a");
    b_footer(&b, 9);
    bad(&b, "Duplicate set members detected");
    free(b.p);
}

Test(rdb_old, intset_beyond_the_limit_and_broken_ones)
{
    /* encoding 2, 3 elements, ascending */
    const unsigned char is[] = {2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 5, 0, 9, 0};
    bytes_t blob = {.p = (unsigned char *)is, .n = sizeof is}, b = blob_payload(11, &blob);
    store_cfg_t two = cfg_default;
    two.set_max_intset_entries = 2;
    entry_t *e = ok_cfg(&b, &two);
    cr_assert_neq(e->type, ENC_SET_INTSET);
    texts_are(e, ITEMS(I("1"), I("5"), I("9")), "set");
    entry_free(e);
    torture(&b);
    free(b.p);

    unsigned char dup[sizeof is];
    memcpy(dup, is, sizeof is);
    dup[12] = 5;                /* 1 5 5: not strictly ascending */
    blob.p = dup;
    b = blob_payload(11, &blob);
    bad(&b, "Intset integrity check failed");
    free(b.p);
    memcpy(dup, is, sizeof is);
    dup[0] = 3;                 /* no 3-byte encoding */
    b = blob_payload(11, &blob);
    bad(&b, "Intset integrity check failed");
    free(b.p);
}

Test(rdb_old, set_listpack_of_redis_7_2)
{
    unsigned char *lp = lp_new(0);
    lp = lp_append(lp, "m", 1), lp = lp_append(lp, "12", 2), lp = lp_append(lp, "z", 1);
    bytes_t b = payload(20);
    b_str(&b, lp, lp_bytes(lp));
    b_footer(&b, 10);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("12"), I("m"), I("z")), "set");
    entry_free(e);
    torture(&b);
    free(b.p);
    lp = lp_append(lp, "m", 1);
    b = payload(20);
    b_str(&b, lp, lp_bytes(lp));
    b_footer(&b, 10);
    bad(&b, "Duplicate set members detected");
    free(b.p);
    lp_free(lp);
}

/* ---- sorted sets ---- */

Test(rdb_old, zset_with_text_scores)
{
    bytes_t b = payload(3);
    b_len(&b, 4);
    b_cstr(&b, "lo"), b_u8(&b, 255);
    b_cstr(&b, "hi"), b_u8(&b, 254);
    b_cstr(&b, "mid"), b_u8(&b, 4), b_put(&b, "3.25", 4);
    b_cstr(&b, "neg"), b_u8(&b, 2), b_put(&b, "-7", 2);
    b_footer(&b, 9);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("lo:-inf"), I("neg:-7"), I("mid:3.25"), I("hi:inf")), "zset");
    cr_assert_str_eq(entry_encoding(e), "listpack");
    entry_free(e);
    torture(&b);
    free(b.p);

    b = payload(3);
    b_len(&b, 1), b_cstr(&b, "x"), b_u8(&b, 253);
    b_footer(&b, 9);
    bad(&b, "Zset with NAN score detected");
    free(b.p);
}

Test(rdb_old, zset_ziplist_sorted_valid_distinct)
{
    zl_t z;
    zl_init(&z);
    zl_cstr(&z, "a"), zl_int(&z, -3);
    zl_int(&z, 77), zl_cstr(&z, "1.5");     /* "77" sorts before "b" */
    zl_cstr(&z, "b"), zl_cstr(&z, "1.5");
    zl_cstr(&z, "c"), zl_cstr(&z, "inf");
    bytes_t zl = zl_finish(&z), b = blob_payload(12, &zl);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("a:-3"), I("77:1.5"), I("b:1.5"), I("c:inf")), "zset");
    entry_free(e);
    torture(&b);
    free(b.p), free(zl.p);

    const char *cases[][5] = {
        {"b", "2", "a", "1", "Zset listpack is not sorted"},
        {"b", "1", "a", "1", "Zset listpack is not sorted"},
        {"a", "1", "a", "2", "Duplicate zset fields detected"},
        {"a", "nan", "b", "2", "Zset listpack has an invalid score"},
        {"a", "1x", "b", "2", "Zset listpack has an invalid score"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        zl_init(&z);
        for (int j = 0; j < 4; j++)
            zl_cstr(&z, cases[i][j]);
        zl = zl_finish(&z);
        b = blob_payload(12, &zl);
        bad(&b, cases[i][4]);
        free(b.p), free(zl.p);
    }
}

Test(rdb_old, zset_2_limits_nan_and_duplicates)
{
    bytes_t b = payload(5);
    char m[16];
    double nan_score = NAN;
    b_len(&b, 200);
    for (int i = 0; i < 200; i++) {
        double d = i * 0.25;
        uint64_t u;
        memcpy(&u, &d, 8);
        snprintf(m, sizeof m, "m%d", i), b_cstr(&b, m), b_le(&b, u, 8);
    }
    b_footer(&b, 10);
    entry_t *e = ok(&b);
    cr_assert_str_eq(entry_encoding(e), "skiplist");
    zobj_t z = zobj_of(e);
    cr_assert_eq(zobj_len(&z), 200);
    entry_free(e);
    store_cfg_t big = cfg_default;
    big.zset_max_listpack_entries = 1000;
    e = ok_cfg(&b, &big);
    cr_assert_str_eq(entry_encoding(e), "listpack");
    entry_free(e);
    free(b.p);

    uint64_t u;
    memcpy(&u, &nan_score, 8);
    b = payload(5);
    b_len(&b, 1), b_cstr(&b, "x"), b_le(&b, u, 8);
    b_footer(&b, 10);
    bad(&b, "Zset with NAN score detected");
    free(b.p);

    b = payload(5);
    b_len(&b, 2), b_cstr(&b, "x"), b_le(&b, 0, 8), b_cstr(&b, "x"), b_le(&b, 0, 8);
    b_footer(&b, 10);
    bad(&b, "Duplicate zset fields detected");
    free(b.p);
}

/* ---- strings, lengths, empties ---- */

Test(rdb_old, length_forms_and_lzf_limits)
{
    bytes_t b = payload(0);
    b_u8(&b, 0x81), b_be(&b, 3, 8), b_put(&b, "abc", 3);   /* 64-bit length */
    b_footer(&b, 10);
    entry_t *e = ok(&b);
    texts_are(e, ITEMS(I("abc")), "string");
    entry_free(e);
    free(b.p);

    b = payload(0);
    b_u8(&b, 0x82), b_put(&b, "abc", 3);                   /* no such form */
    b_footer(&b, 10);
    bad(&b, "Unknown length encoding");
    free(b.p);

    b = payload(0);                                         /* LZF claiming 1 GB */
    b_u8(&b, 0xC3), b_len(&b, 3), b_len(&b, 1u << 30), b_put(&b, "\x02" "abc", 3);
    b_footer(&b, 10);
    bad(&b, "Invalid LZF compressed string");
    free(b.p);

    b = payload(0);                                         /* literal run, wrong length */
    b_u8(&b, 0xC3), b_len(&b, 4), b_len(&b, 5), b_put(&b, "\x02" "abc", 4);
    b_footer(&b, 10);
    bad(&b, "Invalid LZF compressed string");
    free(b.p);
    b = payload(0);                                         /* ... the right one */
    b_u8(&b, 0xC3), b_len(&b, 4), b_len(&b, 3), b_put(&b, "\x02" "abc", 4);
    b_footer(&b, 10);
    e = ok(&b);
    texts_are(e, ITEMS(I("abc")), "string");
    entry_free(e);
    free(b.p);
}

Test(rdb_old, empty_collections_are_bad_data_for_restore)
{
    const unsigned types[] = {1, 2, 3, 4, 5, 14, 18};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        bytes_t b = payload(types[i]);
        b_len(&b, 0);
        b_footer(&b, 10);
        bad(&b, NULL);
        free(b.p);
    }
    unsigned char *lp = lp_new(0);
    const unsigned lp_types[] = {16, 17, 20};
    for (size_t i = 0; i < 3; i++) {
        bytes_t b = payload(lp_types[i]);
        b_str(&b, lp, lp_bytes(lp));
        b_footer(&b, 10);
        bad(&b, NULL);
        free(b.p);
    }
    lp_free(lp);
}

Test(rdb_old, broken_ziplists_are_refused)
{
    bytes_t zl = list_zl();
    const struct { size_t at; unsigned char v; } edits[] = {
        {0, 0x7F},      /* zlbytes */
        {4, 0x01},      /* zltail */
        {8, 0x05},      /* zllen */
        {10, 0x01},     /* first prevlen */
        {11, 0xC1},     /* no such encoding */
        {11, 0x85},     /* nor this one */
    };
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        bytes_t z = {0};
        b_put(&z, zl.p, zl.n);
        z.p[edits[i].at] = edits[i].v;
        bytes_t b = blob_payload(10, &z);
        bad(&b, "Ziplist integrity check failed");
        free(b.p), free(z.p);
    }
    free(zl.p);
}

/* A listpack of pairs in a RDB_TYPE_HASH_LISTPACK value. */
static bytes_t hash_lp_payload(const char *const *v, size_t n, bool raw_first)
{
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < n; i++)
        lp = lp_append(lp, v[i], strlen(v[i]));
    if (raw_first) {
        /* the first element "5" as a 1-byte string (0x81 '5'), which
         * Redis never writes but a payload may hold */
        unsigned char *p = lp_first(lp);
        cr_assert(p[0] == 0x05);            /* 7-bit uint 5, backlen 1 */
        size_t total = lp_bytes(lp);
        unsigned char *g = malloc(total + 1);
        memcpy(g, lp, 6);
        g[6] = 0x81, g[7] = '5', g[8] = 2;
        memcpy(g + 9, p + 2, total - 8);
        uint32_t nt = (uint32_t)total + 1;
        memcpy(g, &nt, 4);
        lp_free(lp);
        lp = g;
    }
    bytes_t b = payload(16);
    b_str(&b, lp, lp_bytes(lp));
    b_footer(&b, 10);
    lp_free(lp);
    return b;
}

Test(rdb_old, hash_listpack_duplicates_and_canonical_integers)
{
    const char *dup[] = {"a", "1", "b", "2", "a", "3"};
    bytes_t b = hash_lp_payload(dup, 6, false);
    bad(&b, "Duplicate hash fields detected");
    free(b.p);

    const char *ints[] = {"5", "x", "6", "y"};
    b = hash_lp_payload(ints, 4, true);
    entry_t *e = ok(&b);
    hash_obj_sv_t v;
    cr_assert(hash_obj_get(e, "5", 1, &v));   /* found as the integer it spells */
    texts_are(e, ITEMS(I("5=x"), I("6=y")), "hash");
    entry_free(e);
    free(b.p);

    const char *ints_dup[] = {"5", "x", "5", "y"};
    b = hash_lp_payload(ints_dup, 4, true);
    bad(&b, "Duplicate hash fields detected");
    free(b.p);
}
