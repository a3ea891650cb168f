/*
 * hash.h - seeded 64-bit hash for binary-safe keys.
 *
 * A multiply-fold ("mum") hash: each 16-byte block is folded through a
 * 64x64->128 bit multiply, so short keys (the common case for a key-value
 * store) cost a handful of cycles. The 128-bit secret seed makes collisions
 * unpredictable to clients that do not know it (hash flooding), which is
 * the property the hash table needs; it is not a MAC.
 *
 * Concurrency: pure functions; hash_seed_t is read-only after hash_seed_init.
 */
#ifndef FLASHKV_STORE_HASH_H
#define FLASHKV_STORE_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct hash_seed {
    uint64_t k0, k1;
} hash_seed_t;

/* Derive a seed from a 64-bit value. 0 asks for a random seed from the OS
 * (getrandom), falling back to clock bits if that fails. */
void hash_seed_init(hash_seed_t *s, uint64_t seed);

/* Hash len bytes at key. Never fails. */
uint64_t hash_bytes(const void *key, size_t len, const hash_seed_t *s);

/* Austin Appleby's MurmurHash64A as Redis computes it (little-endian
 * 8-byte blocks, the tail folded byte by byte), so that HyperLogLog
 * registers match redis-server's for the same elements (seed 0xadc83b19
 * there).  Not seeded with a secret: use hash_bytes for hash tables.
 * len must fit an int, as in Redis (values are at most 512 MB). */
uint64_t hash_murmur64a(const void *key, size_t len, uint32_t seed);

/* A splitmix64 step: a cheap PRNG for sampling (random keys, expiry). */
static inline uint64_t hash_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
