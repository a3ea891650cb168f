/*
 * set_enc.h - a set value over its three encodings, so each set command
 * is written once: add, remove, membership, iteration, random picks and
 * positions, with Redis 7.0's conversions.
 *
 * Encodings (store/db/value.h):
 *   ENC_SET_INTSET  every member a canonical int64 decimal (num_parse_ll)
 *                   and at most set-max-intset-entries of them ("intset");
 *   ENC_SET_LP      a listpack of members, at most SETV_LP_MAX_ENTRIES
 *                   members of at most SETV_LP_MAX_VALUE bytes each
 *                   (FlashKV's own compact form; Redis 7.0 has a hash
 *                   table there, so OBJECT ENCODING says "hashtable");
 *   ENC_SET_HT      ht.h in set mode ("hashtable").
 * Conversions only go intset -> listpack or hash table, listpack -> hash
 * table; never back (Redis never turns a hash table set into an intset).
 * A set built member by member from setv_new (the STORE commands, SMOVE
 * into a new key, SPOP's rebuilt rest) thus gets the encoding Redis gives
 * the same members added in the same order: "intset" exactly when Redis
 * keeps an intset.
 *
 * Positions (setv_pos_t) name one member without copying it: an intset
 * index, a listpack element pointer or a hash table node.  A position is
 * valid until the set is next modified (setv_add, setv_remove...), except
 * that hash table nodes survive lookups and random picks in their table
 * (rehashing moves nodes between buckets, never reallocates them).
 *
 * Ownership: a setv_t owns its object until it is stored in an entry
 * (setv_store) or freed (setv_free).  Members are copied in; setv_member_t
 * points into the set (or into its own buf for integers) and is valid
 * while the position is.
 *
 * Concurrency: none; the shard's thread (as cmd_exec).
 */
#ifndef FLASHKV_STORE_TYPES_SET_ENC_H
#define FLASHKV_STORE_TYPES_SET_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/base/num.h"
#include "store/cmd/cfg.h"
#include "store/db/entry.h"
#include "store/db/keyspace.h"
#include "store/enc/ht.h"

/* FlashKV's listpack sets: at most this many members ... */
#define SETV_LP_MAX_ENTRIES 128
/* ... of at most this many bytes each. */
#define SETV_LP_MAX_VALUE 64
/* Redis caps set-max-intset-entries here (intset internals). */
#define SETV_INTSET_CAP (1ll << 30)

/* A set value apart from its entry. */
typedef struct setv {
    unsigned enc;               /* ENC_SET_* */
    void *obj;
} setv_t;

typedef uintptr_t setv_pos_t;

/* One member's bytes; integers (intset members) also as a number. Do not
 * copy the struct: s may point into buf. */
typedef struct setv_member {
    const char *s;
    size_t len;
    bool is_int;                /* ll holds the member (s spells it) */
    long long ll;
    char buf[NUM_LL_BUF];
} setv_member_t;

/* Iteration over every member once; the set must not change meanwhile. */
typedef struct setv_iter {
    setv_t *v;
    size_t i;                   /* intset: next index */
    unsigned char *p;           /* listpack: next element */
    ht_iter_t hi;
} setv_iter_t;

/* The set an entry holds (e->otype == OBJ_SET), and storing one back into
 * it (the caller then calls ks_changed). */
static inline setv_t setv_of(const entry_t *e) { return (setv_t){e->type, e->v.obj}; }
static inline void setv_store(entry_t *e, const setv_t *v)
{
    e->type = v->enc;
    e->v.obj = v->obj;
}

/* Whether v is no longer exactly what e holds (a conversion or a
 * reallocation happened, even in a call that then failed): such a v must
 * be stored back (setv_commit). */
static inline bool setv_moved(const entry_t *e, const setv_t *v)
{
    return e->v.obj != v->obj || e->type != v->enc;
}

/* After changing e's set v in place (mem_before = entry_mem(e) taken
 * before): store v into e and account for it (ks_changed), or delete the
 * key if v is now empty, as Redis never keeps an empty set. */
void setv_commit(ks_t *ks, entry_t *e, const setv_t *v, size_t mem_before);

/* An empty set (an intset, as Redis starts every set it builds).
 * 0 or -ENOMEM. */
int setv_new(setv_t *v);
/* Free the object at once (NULL object is fine). */
void setv_free(setv_t *v);
size_t setv_len(const setv_t *v);

/* Add a copy of member s (binary safe), converting the encoding as Redis
 * would (cfg: set-max-intset-entries).  1 added, 0 already there,
 * -ENOMEM (the set is unchanged). */
int setv_add(setv_t *v, const char *s, size_t len, const store_cfg_t *cfg);
/* Remove member s; whether it was there.  The encoding is kept. */
bool setv_remove(setv_t *v, const char *s, size_t len);
/* Whether s is a member.  A read: moves nothing, even in a hash table
 * that is rehashing (its memory must not change behind ks_changed). */
bool setv_has(setv_t *v, const char *s, size_t len);
/* setv_has for a member of another set (cheaper for integers). */
bool setv_has_member(setv_t *v, const setv_member_t *m);

/* Iterate: intsets in ascending order, listpacks in insertion order, hash
 * tables in table order.  setv_iter_done ends every iteration. */
void setv_iter_init(setv_iter_t *it, setv_t *v);
bool setv_iter_next(setv_iter_t *it, setv_member_t *m, setv_pos_t *pos);
void setv_iter_done(setv_iter_t *it);

/* The member at pos. */
void setv_at(const setv_t *v, setv_pos_t pos, setv_member_t *m);
/* Remove the member at pos (positions then go stale, see above). */
void setv_remove_at(setv_t *v, setv_pos_t pos);
/* A random member's position (Redis's setTypeRandomElement: uniform for
 * intsets and listpacks, ht_random_fair for hash tables); v not empty.
 * A read, as setv_has. */
setv_pos_t setv_random(setv_t *v);
/* Positions of every member, into out (setv_len of them). */
void setv_all(setv_t *v, setv_pos_t *out);
/* count distinct positions chosen at random, 0 < count < setv_len, into
 * out; order random.  Work O(count) for count well below the size
 * (random picks, repeats skipped), O(size) otherwise (a partial shuffle).
 * 0 or -ENOMEM. */
int setv_sample(setv_t *v, size_t count, setv_pos_t *out);

/* A random number below n (n > 0), from a per-thread generator. */
size_t setv_rand_below(size_t n);

#endif
