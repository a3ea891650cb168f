/*
 * alloc_fail.h - allocation failure injection for the encodings' tests.
 *
 * The test binary is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc (tests/store/enc/meson.build), which routes the
 * allocations of the code under test and of the test itself (not
 * Criterion's, nor libc's own) through the wrappers below; valgrind and
 * the sanitizers replace the allocator underneath without noticing.
 *
 * fail_in = n makes the allocation n from now fail (0: the next one); -1,
 * the default, never.  `failed` records that one did.  Include it once,
 * in the test's one source file.
 */
#ifndef FLASHKV_TEST_ALLOC_FAIL_H
#define FLASHKV_TEST_ALLOC_FAIL_H

#include <stdbool.h>
#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long fail_in = -1; /* allocations left before one fails; -1: never */
static bool failed;       /* an injected failure happened */

static bool fail_now(void)
{
    if (fail_in < 0 || fail_in-- > 0)
        return false;
    failed = true;
    return true;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }

#endif
