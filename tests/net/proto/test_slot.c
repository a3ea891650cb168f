/*
 * test_slot.c - CRC16 and key slots against values from Redis itself
 * (redis-server 7.0.15 in cluster mode, CLUSTER KEYSLOT).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "net/proto/slot.h"

Test(slot, crc16_check_value)
{
	/* the XMODEM check value, also quoted in the Redis Cluster spec */
	cr_assert_eq(slot_crc16("123456789", 9), 0x31C3);
	cr_assert_eq(slot_crc16("", 0), 0);
}

typedef struct vec {
	const char *key;
	size_t len;
	unsigned slot;
} vec_t;

#define V(k, s) { k, sizeof(k) - 1, s }

static const vec_t vecs[] = {
	V("123456789", 12739),
	V("{user1000}.following", 3443),
	V("{user1000}.followers", 3443),
	V("foo{}{bar}", 8363),    /* empty first tag: whole key */
	V("foo{{bar}}zap", 4015), /* tag is "{bar" */
	V("foo{bar}{zap}", 5061), /* first tag only: "bar" */
	V("{bar", 4015),          /* no '}': whole key */
	V("bar}", 6624),
	V("", 0),
	V("{}", 15257),
	V("a{b}c", 3300),
	V("foo", 12182),
	V("key", 12539),
	V("mykey", 14687),
	V("user:1000", 1649),
	V("{}{x}", 3257),
	V("}{x}", 16287),
	V("x{}", 2608),
	V("{{}}", 4092),
	V("a\0b{c\0d}", 11801),  /* binary-safe, NULs in key and tag */
};

Test(slot, redis_keyslot_vectors)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		cr_assert_eq(slot_of_key(vecs[i].key, vecs[i].len), vecs[i].slot,
			     "key %zu (%s): %u", i, vecs[i].key,
			     slot_of_key(vecs[i].key, vecs[i].len));
}

Test(slot, hashtag_colocates)
{
	cr_assert_eq(slot_of_key("{bar}", 5), slot_of_key("bar", 3));
	cr_assert_eq(slot_of_key("x{bar}y", 7), slot_of_key("bar", 3));
	for (int i = 0; i < 1000; i++) {
		char k[32];
		int n = snprintf(k, sizeof(k), "k%d", i);
		cr_assert_lt(slot_of_key(k, (size_t)n), SLOT_COUNT);
	}
}
