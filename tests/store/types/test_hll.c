/*
 * test_hll.c - the HyperLogLog commands in process and their encodings:
 * MurmurHash64A as Redis computes it, byte images after PFADD / PFCOUNT /
 * PFMERGE equal to redis-server's, the sparse to dense promotion at the
 * same element as redis-server, the error of the estimate on 10^5..10^6
 * distinct elements, merges, and corrupted strings refused with Redis's
 * errors (and never read past their end).
 *
 * The expected images were captured from Debian's redis-server 7.0.15
 * (`redis-server --port 7461 --save ""`, then over a socket: PFADD as in
 * each test, GET, the bytes printed as hex); the dense image is too big to
 * paste, so its 64-bit FNV-1a hash is (computed in Python from Redis's
 * bytes).  The MurmurHash64A vectors come from a Python transcription of
 * Appleby's reference (little-endian blocks), seed 0xadc83b19.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/hash.h"
#include "store/db/entry.h"
#include "store/types/hll_enc.h"
#include "types_harness.h"

TestSuite(hll, .init = th_setup, .fini = th_teardown);

Test(hll, murmur64a_vectors)
{
    static const struct {
        const char *s;
        size_t len;
        uint64_t h;
    } v[] = {
        {"", 0, 0xd8dfea6585bc9732ull},
        {"a", 1, 0x53d2470a9b43b1a7ull},
        {"abc", 3, 0x77ec90aeb374e502ull},
        {"hello world", 11, 0xa919bc3051f624b7ull},
        {"0123456789abcdef", 16, 0x9f8565428eaa573dull},
        {"0123456789abcdefg", 17, 0xf6c82f549aceb6e9ull},
        {"\x00\xff\x80", 3, 0x0b3a88b2d350bf7full},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_assert_eq(hash_murmur64a(v[i].s, v[i].len, 0xadc83b19u), v[i].h, "vector %zu", i);
    cr_assert_eq(hash_murmur64a("abc", 3, 0), 0x9cc9c33498a95efbull);
}

/* The value of key in ks1 (a string), as bytes. */
static const uint8_t *value(const char *key, size_t *len)
{
    static char tmp[32];
    entry_t *e = find(ks1, key);
    cr_assert(e, "no key %s", key);
    cr_assert(entry_is_str(e));
    return (const uint8_t *)entry_str(e, tmp, len);
}

static void expect_hex(const char *key, const char *hex)
{
    size_t len;
    const uint8_t *s = value(key, &len);
    char got[8192];
    cr_assert(len * 2 < sizeof got);
    for (size_t i = 0; i < len; i++)
        snprintf(got + 2 * i, 3, "%02x", s[i]);
    got[2 * len] = '\0';
    cr_assert_str_eq(got, hex, "value of %s", key);
}

static uint64_t fnv1a(const uint8_t *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

/* PFADD key with the elements prefix0 .. prefix<n-1> (one command). */
static void add_range(const char *key, const char *prefix, int from, int to)
{
    static char bufs[4000][16];
    static cmd_arg_t argv[4002];
    int argc = 0;
    argv[argc++] = (cmd_arg_t){"PFADD", 5};
    argv[argc++] = (cmd_arg_t){key, strlen(key)};
    for (int i = from; i < to; i++) {
        int n = snprintf(bufs[i - from], 16, "%s%d", prefix, i);
        argv[argc++] = (cmd_arg_t){bufs[i - from], (size_t)n};
    }
    runv(argc, argv);
}

Test(hll, images_match_redis)
{
    EXPECT("PFADD s1 a b c", ":1\r\n");
    expect_hex("s1", "48594c4c01000000000000000000008060f38050b1844bfb80425a");
    add_range("s2", "e", 0, 40);
    expect_hex("s2", "48594c4c01000000000000000000008042358840e280420a8044528042da84450e"
               "8442958440d38042638040ef8c406f804386804147804163804164842188118041828440"
               "948844a7901184425f8c40e48440e180422a84410384458e88413c88038040788040dc80"
               "4449803384407984419384408880406a840d80398013804152");
    /* PFCOUNT caches 40 in the header: the stale bit goes. */
    EXPECT("PFCOUNT s2", ":40\r\n");
    size_t len;
    const uint8_t *s = value("s2", &len);
    cr_assert_eq(s[8], 0x28);
    cr_assert_eq(s[15], 0);

    add_range("d1", "e", 0, 3000);
    s = value("d1", &len);
    cr_assert_eq(len, HLL_DENSE_SIZE);
    cr_assert_eq(fnv1a(s, len), 0x1b31e02ee1b56bceull);
    EXPECT("PFCOUNT d1", ":2979\r\n");
    EXPECT("PFDEBUG ENCODING d1", "+dense\r\n");
    EXPECT("OBJECT ENCODING s1", "$3\r\nraw\r\n");
}

Test(hll, merge_matches_redis)
{
    add_range("m1", "a", 0, 100);
    add_range("m2", "a", 50, 200);
    EXPECT("PFCOUNT m1 m2", ":199\r\n");
    EXPECT("PFMERGE m m1 m2", "+OK\r\n");
    size_t len;
    const uint8_t *s = value("m", &len);
    expect_hex("m", "48594c4c010000000000000000000080408388407d8436844074801380248005803a"
               "8840d2888040d080407d84068040918040ff944040802580228c41188c10804093840c8028"
               "8840df8836844069800880415a842a802184417e840b88404e88800d8040b2884056804045"
               "804049841180398041b180388040cf880398048c40718427883d800080404a98179c3b8c22"
               "8400883184407680038815801080404a80118040538040928027801b8040948418800480405b"
               "841c840d884041804061802380409a804084803c8040cd803d842784408680298840428040"
               "458440d5804187b00384128040688c1184409a800f8015883588407688407c84406c840080"
               "408d800e882680068040a2801e84404d842b8830840c800180288025801a90803d88408890"
               "4131800880407298404a80404f8028843684407a802c800c840d8c404180008011800d8415"
               "84278040ac800d8040498040ba840894405880158033840c8c129c409f8840f88c40748423"
               "801588404e8040468440538040c28440b884148012a02d8c4063884050801180405b802d84"
               "40c2801a8041d984308040648815804088844054800f8c405f98008015842790408188404d"
               "80407b80028c1c801a80409b803080408484406688408184404880407688406c8827844"
               "0d7881288405a800c8441488c35801880406484348c13");
    s = value("m", &len);
    /* The union's registers are the maxima: the same as one HLL of all. */
    add_range("all", "a", 0, 200);
    uint8_t a[HLL_REGISTERS] = {0}, b[HLL_REGISTERS] = {0};
    size_t la;
    const uint8_t *sa = value("all", &la);
    cr_assert_eq(hll_merge(a, s, len), 0);
    cr_assert_eq(hll_merge(b, sa, la), 0);
    cr_assert(memcmp(a, b, sizeof a) == 0);
    EXPECT("PFCOUNT m", ":199\r\n");
    /* A dense source makes the destination dense. */
    add_range("d", "x", 0, 3000);
    EXPECT("PFMERGE m d", "+OK\r\n");
    EXPECT("PFDEBUG ENCODING m", "+dense\r\n");
    EXPECT("PFMERGE missing", "+OK\r\n");
    EXPECT("PFCOUNT missing", ":0\r\n");
}

Test(hll, merge_over_two_keyspaces)
{
    routed = true;
    route[1] = ks1;
    route[2] = ks2;
    route[3] = ks1;
    EXPECT("PFADD k1 a b c", ":1\r\n");
    route[1] = ks2;
    EXPECT("PFADD k2 c d e f", ":1\r\n");
    route[1] = ks1;
    EXPECT("PFCOUNT k1 k2", ":6\r\n");
    EXPECT("PFMERGE k3 k2 k1", "+OK\r\n");      /* k3 in ks1, k2 in ks2 */
    cr_assert(find(ks1, "k3") && !find(ks2, "k3"));
    route[1] = ks1;
    EXPECT("PFCOUNT k3", ":6\r\n");
}

/* Redis promotes this sequence (e0, e1, ... one PFADD each) at element
 * 1683, its last sparse string being exactly 3000 bytes. */
Test(hll, promotion_point_matches_redis)
{
    char cmd[64];
    size_t last = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(cmd, sizeof cmd, "PFADD p e%d", i);
        run(cmd);
        size_t len;
        const uint8_t *s = value("p", &len);
        if (s[4] == HLL_DENSE) {
            cr_assert_eq(i, 1683);
            cr_assert_eq(last, 3000);
            cr_assert_eq(len, HLL_DENSE_SIZE);
            return;
        }
        cr_assert(len <= HLL_SPARSE_MAX_BYTES);
        last = len;
    }
    cr_assert_fail("never promoted");
}

/* The sparse and dense forms of the same registers agree everywhere. */
Test(hll, sparse_and_dense_agree)
{
    add_range("s", "q", 0, 500);
    size_t len;
    const uint8_t *s = value("s", &len);
    cr_assert_eq(s[4], HLL_SPARSE);
    uint8_t *buf = malloc(HLL_DENSE_SIZE + HLL_SLACK);
    memcpy(buf, s, len);
    hll_t h = {buf, len, HLL_DENSE_SIZE + HLL_SLACK};
    uint64_t sparse_count = hll_count(s, len, NULL);
    cr_assert_eq(hll_to_dense(&h), 0);
    cr_assert_eq(h.len, HLL_DENSE_SIZE);
    cr_assert_eq(hll_count(h.buf, h.len, NULL), sparse_count);
    EXPECT("PFDEBUG TODENSE s", ":1\r\n");
    EXPECT("PFDEBUG TODENSE s", ":0\r\n");
    s = value("s", &len);
    cr_assert(len == h.len && memcmp(s, h.buf, len) == 0);
    free(buf);
}

/* The estimate stays within 5 standard errors (5 * 0.81%) of the truth:
 * a bound a correct estimator misses with odds below one in a million. */
Test(hll, error_within_standard_error, .timeout = 60)
{
    uint8_t *buf = malloc(HLL_DENSE_SIZE + HLL_SLACK);
    hll_t h = {buf, HLL_EMPTY_SIZE, HLL_DENSE_SIZE + HLL_SLACK};
    hll_init(buf);
    uint64_t next = 100000;
    for (uint64_t n = 1; n <= 1000000; n++) {
        uint64_t ele = n * 0x9e3779b97f4a7c15ull;
        cr_assert_geq(hll_add(&h, &ele, sizeof ele), 0);
        if (n == next) {
            double est = (double)hll_count(h.buf, h.len, NULL);
            double err = fabs(est - (double)n) / (double)n;
            cr_assert(err < 5 * 0.0081, "n=%llu estimate %.0f error %.4f",
                      (unsigned long long)n, est, err);
            next += 100000;
        }
    }
    free(buf);
}

/* SET key to len bytes (binary) through the command. */
static void set_bytes(const char *key, const void *p, size_t len)
{
    cmd_arg_t argv[3] = {{"SET", 3}, {key, strlen(key)}, {p, len}};
    runv(3, argv);
}

static void header(uint8_t *s, int enc)
{
    memset(s, 0, HLL_HDR_SIZE);
    memcpy(s, "HYLL", 4);
    s[4] = (uint8_t)enc;
    s[15] = 0x80;
}

#define NOT_HLL "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"
#define CORRUPT "-INVALIDOBJ Corrupted HLL object detected\r\n"

Test(hll, invalid_strings_refused)
{
    uint8_t s[HLL_DENSE_SIZE + 8];
    EXPECT("SET x HYLL", "+OK\r\n");
    EXPECT("PFADD x a", NOT_HLL);
    EXPECT("PFCOUNT x", NOT_HLL);
    EXPECT("PFCOUNT x y", NOT_HLL);
    EXPECT("PFMERGE y x", NOT_HLL);
    EXPECT("PFDEBUG ENCODING x", NOT_HLL);
    EXPECT("SET x 12345", "+OK\r\n");
    EXPECT("PFCOUNT x", NOT_HLL);
    header(s, 2);
    set_bytes("x", s, HLL_HDR_SIZE + 2);
    EXPECT("PFCOUNT x", NOT_HLL);
    header(s, HLL_DENSE);
    set_bytes("x", s, HLL_DENSE_SIZE - 1);
    EXPECT("PFCOUNT x", NOT_HLL);
    EXPECT("LPUSH l a", ":1\r\n");
    EXPECT("PFADD l a", WRONGTYPE);
    EXPECT("PFCOUNT nokey l", WRONGTYPE);
    EXPECT("PFDEBUG ENCODING nokey", "-ERR The specified key does not exist\r\n");
    EXPECT("PFADD h a", ":1\r\n");
    EXPECT("PFDEBUG NOPE h", "-ERR Unknown PFDEBUG subcommand 'NOPE'\r\n");
    EXPECT("PFDEBUG TODENSE h", ":1\r\n");
    EXPECT("PFDEBUG DECODE h", "-ERR HLL encoding is not sparse\r\n");
}

Test(hll, corrupted_registers_refused)
{
    uint8_t s[64];
    header(s, HLL_SPARSE);
    s[16] = 0x5f;               /* XZERO of 8192: half the registers */
    s[17] = 0xff;
    set_bytes("x", s, 18);
    EXPECT("PFCOUNT x", CORRUPT);
    EXPECT("PFCOUNT x x", CORRUPT);
    EXPECT("PFMERGE y x", CORRUPT);
    cr_assert_null(find(ks1, "y"));
    EXPECT("PFDEBUG TODENSE x", CORRUPT);
    EXPECT("PFDEBUG DECODE x", "$6\r\nZ:8192\r\n");
    /* A truncated XZERO reads its missing byte as 0, as Redis's NUL. */
    s[16] = 0x7f;
    set_bytes("x", s, 17);
    EXPECT("PFDEBUG DECODE x", "$7\r\nZ:16129\r\n");
    EXPECT("PFCOUNT x", CORRUPT);
    /* VALs running past the last register. */
    header(s, HLL_SPARSE);
    s[16] = 0x7f;
    s[17] = 0xfe;
    s[18] = 0xff;
    set_bytes("x", s, 19);
    EXPECT("PFCOUNT x", CORRUPT);
    EXPECT("PFMERGE x", CORRUPT);
    /* Only a header: no registers at all. */
    set_bytes("x", s, 16);
    EXPECT("PFADD x a", CORRUPT);
    EXPECT("PFDEBUG DECODE x", "$0\r\n\r\n");
}

/* Random bytes after a sparse header never crash any command (ASan
 * checks the reads), and a valid HLL stays valid. */
Test(hll, random_sparse_bytes_are_safe)
{
    uint64_t rng = 42;
    uint8_t s[HLL_HDR_SIZE + 64];
    for (int round = 0; round < 2000; round++) {
        header(s, HLL_SPARSE);
        size_t n = hash_rand_next(&rng) % 48;
        for (size_t i = 0; i < n; i++)
            s[HLL_HDR_SIZE + i] = (uint8_t)hash_rand_next(&rng);
        set_bytes("x", s, HLL_HDR_SIZE + n);
        run("PFADD x a b c d e f g");
        run("PFCOUNT x");
        run("PFCOUNT x x");
        run("PFMERGE y x");
        run("PFDEBUG DECODE x");
        run("PFDEBUG GETREG x");
        run("DEL y");
    }
    EXPECT("PFADD ok a b", ":1\r\n");
    EXPECT("PFCOUNT ok", ":2\r\n");
}

Test(hll, pfadd_return_values)
{
    EXPECT("PFADD h", ":1\r\n");            /* created */
    EXPECT("PFADD h", ":0\r\n");
    EXPECT("PFADD h a", ":1\r\n");
    EXPECT("PFADD h a", ":0\r\n");
    EXPECT("PFCOUNT h", ":1\r\n");
    size_t len;
    const uint8_t *s = value("h", &len);
    cr_assert(hll_cache_valid(s));
    EXPECT("PFADD h a", ":0\r\n");          /* nothing changed: cache kept */
    s = value("h", &len);
    cr_assert(hll_cache_valid(s));
    EXPECT("PFADD h b", ":1\r\n");
    s = value("h", &len);
    cr_assert(!hll_cache_valid(s));
}

Test(hll, selftest_passes, .timeout = 120)
{
    EXPECT("PFSELFTEST", "+OK\r\n");
}
