/*
 * tsan_ck_pr.h - make Concurrency Kit's ck_pr visible to ThreadSanitizer.
 *
 * Force-included (-include), together with -DCK_USE_CC_BUILTINS=1, into the
 * actor library and everything that uses it (actors_dep) when meson is set
 * up with -Db_sanitize=thread: see actors/meson.build.
 *
 * On x86_64 ck_pr is inline assembly, which TSan cannot see at all.  With
 * CK_USE_CC_BUILTINS, CAS, FAA, INC, DEC become __sync builtins (TSan sees
 * those as sequentially consistent atomics), but ck_pr_load_* and
 * ck_pr_store_* stay plain volatile accesses, which TSan reports as races
 * against every atomic on the same word; the emulated fetch-and-store
 * and the increment/decrement-and-test-for-zero start with such a load.
 * This header redefines exactly those operations
 * as C11-style atomics with acquire (loads) and release (stores) order:
 * what an x86 `mov` gives, and what the runtime relies on with ck's TSO
 * fences compiled to nothing.  It changes no instruction that matters on
 * x86, and unlike a suppression of ck_pr's functions it keeps TSan checking
 * every plain access that races with a ck_pr one.
 *
 * Only for TSan builds; not part of the library.
 */
#ifndef FLASHKV_TSAN_CK_PR_H
#define FLASHKV_TSAN_CK_PR_H

#if !defined(__SANITIZE_THREAD__) && defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define __SANITIZE_THREAD__ 1
#endif
#endif

#if defined(__SANITIZE_THREAD__) && !defined(__ASSEMBLER__)
#include <ck_pr.h>

#define FLASHKV_TSAN_CK_PR 1

#define TSAN_CK_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define TSAN_CK_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#undef ck_pr_load_ptr
#undef ck_pr_load_char
#undef ck_pr_load_uint
#undef ck_pr_load_int
#undef ck_pr_load_64
#undef ck_pr_load_32
#undef ck_pr_load_16
#undef ck_pr_load_8
#define ck_pr_load_ptr(p) ((void *)TSAN_CK_LOAD((void *const *)(p)))
#define ck_pr_load_char(p) TSAN_CK_LOAD(p)
#define ck_pr_load_uint(p) TSAN_CK_LOAD(p)
#define ck_pr_load_int(p) TSAN_CK_LOAD(p)
#define ck_pr_load_64(p) TSAN_CK_LOAD(p)
#define ck_pr_load_32(p) TSAN_CK_LOAD(p)
#define ck_pr_load_16(p) TSAN_CK_LOAD(p)
#define ck_pr_load_8(p) TSAN_CK_LOAD(p)

#undef ck_pr_store_ptr
#undef ck_pr_store_char
#undef ck_pr_store_uint
#undef ck_pr_store_int
#undef ck_pr_store_64
#undef ck_pr_store_32
#undef ck_pr_store_16
#undef ck_pr_store_8
#define ck_pr_store_ptr(p, v) TSAN_CK_STORE((void **)(p), (void *)(v))
#define ck_pr_store_char(p, v) TSAN_CK_STORE(p, v)
#define ck_pr_store_uint(p, v) TSAN_CK_STORE(p, v)
#define ck_pr_store_int(p, v) TSAN_CK_STORE(p, v)
#define ck_pr_store_64(p, v) TSAN_CK_STORE(p, v)
#define ck_pr_store_32(p, v) TSAN_CK_STORE(p, v)
#define ck_pr_store_16(p, v) TSAN_CK_STORE(p, v)
#define ck_pr_store_8(p, v) TSAN_CK_STORE(p, v)

/* Emulated with a plain load and a CAS loop in ck_pr.h: fetch-and-store,
 * and increment/decrement reporting whether the result is zero. */
#define TSAN_CK_ZERO(op, p, z) \
	((void)(*(z) = (op((p), 1, __ATOMIC_ACQ_REL) == 0)))
#undef ck_pr_dec_int_zero
#undef ck_pr_dec_uint_zero
#undef ck_pr_dec_64_zero
#undef ck_pr_dec_32_zero
#undef ck_pr_inc_int_zero
#undef ck_pr_inc_uint_zero
#undef ck_pr_inc_64_zero
#undef ck_pr_inc_32_zero
#define ck_pr_dec_int_zero(p, z) TSAN_CK_ZERO(__atomic_sub_fetch, p, z)
#define ck_pr_dec_uint_zero(p, z) TSAN_CK_ZERO(__atomic_sub_fetch, p, z)
#define ck_pr_dec_64_zero(p, z) TSAN_CK_ZERO(__atomic_sub_fetch, p, z)
#define ck_pr_dec_32_zero(p, z) TSAN_CK_ZERO(__atomic_sub_fetch, p, z)
#define ck_pr_inc_int_zero(p, z) TSAN_CK_ZERO(__atomic_add_fetch, p, z)
#define ck_pr_inc_uint_zero(p, z) TSAN_CK_ZERO(__atomic_add_fetch, p, z)
#define ck_pr_inc_64_zero(p, z) TSAN_CK_ZERO(__atomic_add_fetch, p, z)
#define ck_pr_inc_32_zero(p, z) TSAN_CK_ZERO(__atomic_add_fetch, p, z)

#define ck_pr_fas_ptr(p, v) \
	((void *)__atomic_exchange_n((void **)(p), (void *)(v), __ATOMIC_ACQ_REL))
#define ck_pr_fas_int(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#define ck_pr_fas_uint(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#define ck_pr_fas_64(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)

#endif
#endif
