/*
 * slot.h - key to hash slot, exactly as Redis Cluster computes it
 * (keyHashSlot): CRC16-XMODEM of the key, or of its {hashtag}, mod 16384.
 * The same slot numbers route keys to shards here and, later, to cluster
 * nodes, so keys a user co-locates with a hashtag stay together.
 *
 * Threads: pure functions; call from any thread.
 */
#ifndef FLASHKV_SLOT_H
#define FLASHKV_SLOT_H

#include <stddef.h>
#include <stdint.h>

#define SLOT_COUNT 16384

/* CRC16, XMODEM variant (poly 0x1021, init 0, no reflection, no final
 * xor): slot_crc16("123456789", 9) == 0x31C3. */
uint16_t slot_crc16(const void *buf, size_t len);

/* Slot of a binary-safe key.  If the key holds a '{' followed later by a
 * '}' with at least one byte between the first '{' and the first '}' after
 * it, only those bytes are hashed; otherwise the whole key is. */
uint16_t slot_of_key(const char *key, size_t len);

#endif
