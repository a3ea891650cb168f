/*
 * test_rdb_save.c - the saving half of the RDB format against the bytes
 * redis-server 7.0 writes.
 *
 * The golden payloads below were made by running DUMP on redis-server
 * 7.0.15 (Debian, liblzf) after the commands in each test's comment, on
 * a fresh server with the default config unless the comment says which
 * CONFIG SET ran first; the hex is DUMP's reply byte for byte.  Where the
 * layout depends on a hash table's order (big hashes and sets) a whole
 * image goes to redis-check-rdb instead, and tests/e2e/test_dump.py loads
 * the same image into redis-server.
 *
 * Allocation failures are injected through the linker (alloc_fail.h).
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../enc/alloc_fail.h"
#include "rdb_fixture.h"
#include "rdb_image.h"
#include "store/persist/rdb.h"
#include "store/persist/rdb_save.h"

/* ---- helpers ---- */

static char *hex_of(const unsigned char *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[2 * n] = 0;
    return s;
}

/* DUMP of e (freed here) must be want, as hex. */
static void dump_is(entry_t *e, const char *want)
{
    cr_assert_not_null(e);
    rdb_buf_t b = {0};
    cr_assert_eq(rdb_dump(&b, e, true), 0);
    char *got = hex_of(b.p, b.len);
    cr_expect_str_eq(got, want, "DUMP of %.*s", (int)e->klen, e->key);
    free(got);
    rdb_buf_free(&b);
    entry_free(e);
}

static void len_is(uint64_t len, const char *want)
{
    rdb_buf_t b = {0};
    cr_assert_eq(rdb__put_len(&b, len), 0);
    char *got = hex_of(b.p, b.len);
    cr_expect_str_eq(got, want, "length %llu", (unsigned long long)len);
    free(got);
    rdb_buf_free(&b);
}

/* ---- checksum and buffer ---- */

Test(rdb_crc, redis_vector)
{
    cr_expect_eq(rdb_crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caull);
    /* In pieces: the running value carries over. */
    uint64_t c = rdb_crc64(0, "1234", 4);
    cr_expect_eq(rdb_crc64(c, "56789", 5), 0xe9c6d914c4b8d9caull);
    cr_expect_eq(rdb_crc64(0, "", 0), 0);
}

Test(rdb_buf, grows_and_keeps_bytes)
{
    rdb_buf_t b = {0};
    for (int i = 0; i < 10000; i++) {
        unsigned char c = (unsigned char)i;
        cr_assert_eq(rdb_buf_put(&b, &c, 1), 0);
    }
    cr_assert_eq(b.len, 10000);
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(b.p[i], (unsigned char)i);
    rdb_buf_free(&b);
    cr_expect_null(b.p);
    cr_expect_eq(b.len, 0);
}

/* ---- length and string forms ---- */

Test(rdb_len, every_form)
{
    len_is(0, "00");
    len_is(63, "3f");
    len_is(64, "4040");
    len_is(100, "4064");              /* the 100-byte string below */
    len_is(16383, "7fff");
    len_is(16384, "8000004000");
    len_is(UINT32_MAX, "80ffffffff");
    len_is(1ull << 32, "810000000100000000");
}

Test(rdb_string, integer_forms)
{
    /* SET i8 100 / in8 -5 / i16 12345 / i32 100000 / i64 12345678901 */
    dump_is(fx_str("i8", "100", 3), "00c0640a0087299531600e8db3");
    dump_is(fx_str("in8", "-5", 2), "00c0fb0a0049c4c6f4d7263f68");
    dump_is(fx_str("i16", "12345", 5), "00c139300a009d94ea2793fc08b9");
    dump_is(fx_str("i32", "100000", 6), "00c2a08601000a00f12403506f2fa674");
    dump_is(fx_str("i64", "12345678901", 11), "000b31323334353637383930310a00304e52d727176510");
    /* SET nc 007: not canonical, a plain string. */
    dump_is(fx_str("nc", "007", 3), "00033030370a007258e27b4c69bad9");
    /* An embstr that reads as an integer still gets the integer form
     * (INCRBYFLOAT's "5"): same bytes as SET i8 100. */
    dump_is(entry_new_str("i8", 2, "100", 3), "00c0640a0087299531600e8db3");
}

Test(rdb_string, plain_and_lzf)
{
    /* SET s1 hello */
    dump_is(fx_str("s1", "hello", 5), "000568656c6c6f0a006372df766534200a");
    char a[25];
    memset(a, 'a', sizeof a);
    /* SET lzf aaaaaaaaaaaaaaaaaaaaaaaaa (25): compressed */
    dump_is(fx_str("lzf", a, 25), "00c30919016161e00c000161610a00d08d67009b1b83b3");
    /* SET lzf20 <20 a>: too short to try */
    dump_is(fx_str("lzf20", a, 20),
            "001461616161616161616161616161616161616161610a0083b46b5e1b11acf1");
    unsigned char r[100];
    for (int i = 0; i < 100; i++)
        r[i] = (unsigned char)i;
    /* SET long <bytes 0..99>: LZF does not save 4 bytes, 14-bit length */
    dump_is(fx_str("long", r, 100),
            "004064000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122"
            "232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748"
            "494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162630a007355fcc4ad6466be");
}

Test(rdb_string, no_compression_when_off)
{
    char a[25];
    memset(a, 'a', sizeof a);
    rdb_buf_t b = {0};
    cr_assert_eq(rdb__put_str(&b, a, 25, false), 0);
    cr_expect_eq(b.len, 26);
    cr_expect_eq(b.p[0], 25);
    rdb_buf_free(&b);
}

/* ---- collections with a deterministic layout ---- */

Test(rdb_value, listpacks_and_intset)
{
    static const char *const l[] = {"a", "b", "1", "2"};
    /* RPUSH l a b 1 2 */
    dump_is(fx_lp("l", OBJ_LIST, ENC_LIST_LP, l, 4),
            "1201021111000000040081610281620201010201ff0a006d72713e9b43482b");
    static const char *const h[] = {"f", "v", "n", "12"};
    /* HSET h f v n 12 */
    dump_is(fx_lp("h", OBJ_HASH, ENC_HASH_LP, h, 4),
            "1012120000000400816602817602816e020c01ff0a0001369481d35b8974");
    static const char *const z[] = {"a", "1", "b", "2.5"};
    /* ZADD z 1 a 2.5 b */
    dump_is(fx_lp("z", OBJ_ZSET, ENC_ZSET_LP, z, 4),
            "1114140000000400816102010181620283322e3504ff0a00d44c6ea4f644d9d7");
    static const int64_t is[] = {300, 1, 2};
    /* SADD is 1 2 300 */
    dump_is(fx_intset("is", is, 3), "0b0e0200000003000000010002002c010a00e510b28e7b9529aa");
}

Test(rdb_value, one_member_tables)
{
    static const char *const x[] = {"x"};
    /* SADD set1 x: Redis's hashtable set; FlashKV's listpack set and
     * hash table set both save as a plain set. */
    dump_is(fx_lp("set1", OBJ_SET, ENC_SET_LP, x, 1), "020101780a00ffe880ba760c2f09");
    dump_is(fx_ht("set1", false, x, 1), "020101780a00ffe880ba760c2f09");
    static const char *const fv[] = {"field", "value"};
    /* CONFIG SET hash-max-listpack-entries 0; HSET hht field value */
    dump_is(fx_ht("hht", true, fv, 2), "0401056669656c640576616c75650a00b8c1f9a156f9aba9");
}

Test(rdb_value, skiplist_zset_highest_first)
{
    static const char *const m[] = {"a", "b", "c"};
    static const double s[] = {1, 2.5, -3};
    /* CONFIG SET zset-max-listpack-entries 0; ZADD zsk 1 a 2.5 b -3 c */
    dump_is(fx_zs("zsk", m, s, 3),
            "0503016200000000000004400161000000000000f03f016300000000000008c00a007dde396dd2"
            "6c0a9e");
}

Test(rdb_value, quicklists)
{
    static const char *const d[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    /* CONFIG SET list-max-listpack-size 4; RPUSH ql 0 1 .. 9 */
    dump_is(fx_ql("ql", 4, 0, d, 10),
            "1203020f0f00000004000001010102010301ff020f0f00000004000401050106010701ff020b0b"
            "000000020008010901ff0a009e5dd02aa9ffd344");
    char *el[12];
    for (int i = 0; i < 12; i++) {
        el[i] = malloc(64);
        snprintf(el[i], 64, "element-%d-element-%d-element-%d-element-%d-", i, i, i, i);
    }
    /* ... then CONFIG SET list-compress-depth 1; RPUSH qlc with the 12
     * elements "element-<i>-" * 4: the middle node is kept compressed and
     * saved as its blob, the ends compress as strings. */
    dump_is(fx_ql("qlc", 4, 1, (const char *const *)el, 12),
            "120302c33b40af10af0000000400a8656c656d656e742d302de015090029e000290031e00029e0"
            "0d09e001290032e00029e00d09e001290033e00029e00d090129ff02c33b40af10af0000000400"
            "a8656c656d656e742d342de015090029e000290035e00029e00d09e001290036e00029e00d09e0"
            "01290037e00029e00d090129ff02c3404040b710b70000000400a8656c656d656e742d382de015"
            "090029e000290039e00029e00d090129acc049013130e0002ae0100a002de0012d0031e0012de0"
            "0f0a012dff0a0098d6cf363e65b024");
    for (int i = 0; i < 12; i++)
        free(el[i]);
}

/* ---- records ---- */

Test(rdb_file, key_with_ttl_and_framing)
{
    rdb_buf_t b = {0};
    static const rdb_aux_t aux[] = {{"redis-bits", "64"}};
    cr_assert_eq(rdb_put_header(&b, aux, 1), 0);
    cr_assert_eq(rdb_put_selectdb(&b, 0, 1, 1), 0);
    entry_t *e = fx_str("k", "v", 1);
    cr_assert_eq(rdb_put_key(&b, e, 0x0102030405ll, true), 0);
    entry_free(e);
    cr_assert_eq(rdb_put_eof(&b), 0);
    char *got = hex_of(b.p, b.len);
    /* REDIS0010, AUX redis-bits 64 (an 8-bit integer form), SELECTDB 0,
     * RESIZEDB 1 1, EXPIRETIME_MS (8 bytes LE), STRING k v, EOF. */
    cr_expect_str_eq(got, "524544495330303130"
                          "fa0a72656469732d62697473c040"
                          "fe00" "fb0101"
                          "fc0504030201000000" "00016b0176"
                          "ff");
    free(got);
    rdb_buf_free(&b);
}

Test(rdb_file, whole_image_passes_redis_check_rdb)
{
    if (system("command -v redis-check-rdb >/dev/null 2>&1") != 0)
        cr_skip_test("redis-check-rdb is not installed");
    rdb_buf_t b = {0};
    cr_assert_eq(img_build(&b), 0);
    char path[] = "/tmp/flashkv-rdb-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, b.p, b.len), (ssize_t)b.len);
    close(fd);
    rdb_buf_free(&b);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "redis-check-rdb %s >/dev/null 2>&1", path);
    int rc = system(cmd);
    unlink(path);
    cr_expect_eq(rc, 0, "redis-check-rdb refused the image");
}

/* ---- allocation failure ---- */

/* Every allocation of a DUMP fails in turn: each time -ENOMEM and no
 * crash or leak; once none fails, the bytes are those of a clean run. */
static void dump_survives_oom(entry_t *e)
{
    cr_assert_not_null(e);
    rdb_buf_t want = {0};
    cr_assert_eq(rdb_dump(&want, e, true), 0);
    for (long n = 0;; n++) {
        rdb_buf_t b = {0};
        failed = false;
        fail_in = n;
        int rc = rdb_dump(&b, e, true);
        fail_in = -1;
        if (failed) {
            cr_assert_eq(rc, -ENOMEM, "allocation %ld", n);
            rdb_buf_free(&b);
            continue;
        }
        cr_assert_eq(rc, 0);
        cr_assert_eq(b.len, want.len);
        cr_assert_eq(memcmp(b.p, want.p, b.len), 0);
        rdb_buf_free(&b);
        break;
    }
    rdb_buf_free(&want);
    entry_free(e);
}

Test(rdb_oom, every_encoding)
{
    char **m = img_strs("member-%d-with-some-padding", 300);
    char **pairs = calloc(600, sizeof *pairs);
    for (int i = 0; i < 300; i++)
        pairs[2 * i] = pairs[2 * i + 1] = m[i];
    double sc[300];
    for (int i = 0; i < 300; i++)
        sc[i] = i;
    int64_t ints[] = {1, 2, 3};
    dump_survives_oom(fx_str("s", m[0], strlen(m[0])));
    dump_survives_oom(fx_intset("is", ints, 3));
    dump_survives_oom(fx_lp("l", OBJ_LIST, ENC_LIST_LP, (const char *const *)m, 10));
    dump_survives_oom(fx_lp("s", OBJ_SET, ENC_SET_LP, (const char *const *)m, 10));
    dump_survives_oom(fx_ql("q", 16, 1, (const char *const *)m, 300));
    dump_survives_oom(fx_ht("h", true, (const char *const *)pairs, 600));
    dump_survives_oom(fx_ht("s", false, (const char *const *)m, 300));
    dump_survives_oom(fx_zs("z", (const char *const *)m, sc, 300));
    free(pairs);
    img_free_strs(m, 300);
}
