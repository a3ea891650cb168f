/*
 * hash.c - seeded multiply-fold hash (see hash.h for the why).
 *
 * Concurrency: no shared state.
 */
#include "hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Odd constants with well-spread bits (golden ratio and splitmix64's). */
#define C0 0x9e3779b97f4a7c15ull
#define C1 0xbf58476d1ce4e5b9ull
#define C2 0x94d049bb133111ebull

static inline uint64_t fold(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

void hash_seed_init(hash_seed_t *s, uint64_t seed)
{
    uint64_t st = seed;
    if (seed == 0) {
        uint64_t r[2];
        if (getrandom(r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r) {
            s->k0 = r[0] | 1;
            s->k1 = r[1] | 1;
            return;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        st = (uint64_t)ts.tv_nsec * C0 ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)s;
    }
    /* Odd secrets: a zero secret would let one input word cancel the fold. */
    s->k0 = hash_rand_next(&st) | 1;
    s->k1 = hash_rand_next(&st) | 1;
}

uint64_t hash_bytes(const void *key, size_t len, const hash_seed_t *s)
{
    const uint8_t *p = key;
    uint64_t h = s->k0 ^ fold(s->k1 ^ C0, (uint64_t)len ^ C1);
    uint64_t a, b;

    if (len <= 16) {
        if (len >= 4) {
            /* Two overlapping 4-byte reads from each end cover 4..16 bytes. */
            size_t mid = (len >> 3) << 2;
            a = (rd32(p) << 32) | rd32(p + mid);
            b = (rd32(p + len - 4) << 32) | rd32(p + len - 4 - mid);
        } else if (len > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = len;
        if (i > 48) {
            /* Three independent lanes keep the multiplier pipeline busy. */
            uint64_t h1 = h, h2 = h;
            do {
                h = fold(rd64(p) ^ s->k1, rd64(p + 8) ^ h);
                h1 = fold(rd64(p + 16) ^ C1, rd64(p + 24) ^ h1);
                h2 = fold(rd64(p + 32) ^ C2, rd64(p + 40) ^ h2);
                p += 48;
                i -= 48;
            } while (i > 48);
            h ^= h1 ^ h2;
        }
        while (i > 16) {
            h = fold(rd64(p) ^ s->k1, rd64(p + 8) ^ h);
            p += 16;
            i -= 16;
        }
        a = rd64(p + i - 16);
        b = rd64(p + i - 8);
    }
    a ^= s->k1;
    b ^= h;
    __uint128_t r = (__uint128_t)a * b;
    a = (uint64_t)r;
    b = (uint64_t)(r >> 64);
    return fold(a ^ C0 ^ (uint64_t)len, b ^ s->k1);
}

uint64_t hash_murmur64a(const void *key, size_t len, uint32_t seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995ull;
    const int r = 47;
    const uint8_t *p = key;
    /* Redis multiplies an int length by m: the same for len < 2^31. */
    uint64_t h = seed ^ ((uint64_t)len * m);
    size_t blocks = len / 8;

    for (size_t i = 0; i < blocks; i++, p += 8) {
        uint64_t k = 0;
        for (int j = 7; j >= 0; j--)    /* little-endian on every host */
            k = (k << 8) | p[j];
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    size_t tail = len & 7;
    if (tail) {
        for (size_t j = tail; j-- > 0;)
            h ^= (uint64_t)p[j] << (8 * j);
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}
