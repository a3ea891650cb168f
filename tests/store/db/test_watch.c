/*
 * test_watch.c - the WATCH table of a keyspace: every kind of write
 * touches a watched key (and only that key), reads do not, refcounting,
 * Redis 7.0's rules for keys expired at WATCH time, lazy and active expiry,
 * FLUSHDB, SWAPDB (the store call and the command), and the table itself
 * (exactly-once bumps while it rehashes).
 *
 * Concurrency: single-threaded.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/commands.h"
#include "store/db/keyspace.h"
#include "store/db/ks_move.h"
#include "store/db/ks_reclaim.h"
#include "store/db/ks_watch.h"
#include "store/base/reply.h"
#include "store/db/watch.h"

#define NOW 1000000

/* What ks_watch reported for one key. */
typedef struct seen {
    uint64_t version;
    bool expired;
} seen_t;

static ks_t *mk(uint64_t seed)
{
    ks_t *ks = ks_create(seed);
    cr_assert_neq(ks, NULL);
    ks_set_now(ks, NOW);
    return ks;
}

static seen_t watch(ks_t *ks, const char *k)
{
    seen_t s;
    cr_assert_eq(ks_watch(ks, k, strlen(k), &s.version, &s.expired), 0);
    return s;
}

static bool touched(ks_t *ks, const char *k, seen_t s)
{
    return ks_watch_touched(ks, k, strlen(k), s.version, s.expired);
}

static entry_t *add(ks_t *ks, const char *k, const char *v)
{
    entry_t *e = ks_add(ks, k, strlen(k), v, strlen(v));
    cr_assert_neq(e, NULL);
    return e;
}

static entry_t *peek(ks_t *ks, const char *k)
{
    return ks_peek(ks, k, strlen(k));
}

/* k with a TTL that passes at NOW + 10. */
static entry_t *add_volatile(ks_t *ks, const char *k)
{
    entry_t *e = add(ks, k, "v");
    cr_assert_eq(ks_ttl_set(ks, e, NOW + 10), 0);
    return e;
}

/* ---- every write touches ----------------------------------------------- */

Test(watch, every_add_variant_touches)
{
    for (int variant = 0; variant < 5; variant++) {
        ks_t *ks = mk(1);
        seen_t s = watch(ks, "k");
        cr_assert_not(s.expired);
        cr_assert_not(touched(ks, "k", s));
        entry_t *e = NULL;
        switch (variant) {
        case 0: e = ks_add(ks, "k", 1, "v", 1); break;
        case 1: e = ks_add_int(ks, "k", 1, 42); break;
        case 2: e = ks_add_str(ks, "k", 1, "7", 1); break;
        case 3: e = ks_add_zeroed(ks, "k", 1, 100); break;
        case 4: e = ks_set(ks, "k", 1, "v", 1, false); break;
        }
        cr_assert_neq(e, NULL);
        cr_assert(touched(ks, "k", s), "variant %d", variant);
        ks_destroy(ks);
    }
}

Test(watch, every_value_change_touches)
{
    static const char big[] = "a value far too long to stay inline in its entry: 0123456789";
    for (int variant = 0; variant < 7; variant++) {
        ks_t *ks = mk(2);
        entry_t *e = add(ks, "k", "v");
        cr_assert_eq(ks_ttl_set(ks, e, NOW + 100000), 0);
        seen_t s = watch(ks, "k");
        switch (variant) {
        case 0: e = ks_overwrite(ks, e, "w", 1, false); break;             /* in place */
        case 1: e = ks_overwrite(ks, e, big, sizeof big - 1, false); break; /* entry moves */
        case 2: e = ks_overwrite_str(ks, e, "5", 1, true); break;
        case 3: ks_set_int(ks, e, 9); break;
        case 4: cr_assert_neq(ks_resize(ks, e, 3), NULL); break;
        case 5: e = ks_set(ks, "k", 1, "x", 1, true); break;
        case 6: e = ks_set(ks, "k", 1, "v", 1, false); break; /* same bytes still count */
        }
        cr_assert_neq(e, NULL);
        cr_assert(touched(ks, "k", s), "variant %d", variant);
        ks_destroy(ks);
    }
}

Test(watch, deletes_touch)
{
    ks_t *ks = mk(3);
    add(ks, "a", "1");
    entry_t *b = add(ks, "b", "2");
    seen_t sa = watch(ks, "a"), sb = watch(ks, "b"), sc = watch(ks, "c");
    cr_assert(ks_delete(ks, "a", 1));
    ks_delete_entry(ks, b);
    cr_assert_not(ks_delete(ks, "c", 1));     /* nothing to delete: no change */
    cr_assert(touched(ks, "a", sa));
    cr_assert(touched(ks, "b", sb));
    cr_assert_not(touched(ks, "c", sc));
    ks_destroy(ks);
}

Test(watch, ttl_changes_touch_only_when_something_changes)
{
    ks_t *ks = mk(4);
    entry_t *e = add(ks, "k", "v");
    seen_t s = watch(ks, "k");
    cr_assert_not(ks_ttl_clear(ks, e));       /* had none */
    cr_assert_not(touched(ks, "k", s));
    cr_assert_eq(ks_ttl_set(ks, e, NOW + 5000), 0);
    cr_assert(touched(ks, "k", s));

    s = watch(ks, "k");
    cr_assert_not(touched(ks, "k", s));
    cr_assert(ks_ttl_clear(ks, e));
    cr_assert(touched(ks, "k", s));
    ks_destroy(ks);
}

Test(watch, rename_touches_src_and_dst)
{
    ks_t *ks = mk(5);
    add(ks, "src", "v");
    add(ks, "dst", "old");
    seen_t ss = watch(ks, "src"), sd = watch(ks, "dst");
    cr_assert_eq(ks_rename(ks, "src", 3, "dst", 3, false), 0);
    cr_assert(touched(ks, "src", ss));
    cr_assert(touched(ks, "dst", sd));

    /* Onto a missing dst too. */
    seen_t sn = watch(ks, "new");
    ss = watch(ks, "dst");
    cr_assert_eq(ks_rename(ks, "dst", 3, "new", 3, false), 0);
    cr_assert(touched(ks, "dst", ss));
    cr_assert(touched(ks, "new", sn));
    ks_destroy(ks);
}

Test(watch, rename_that_changes_nothing_does_not_touch)
{
    ks_t *ks = mk(6);
    add(ks, "src", "v");
    add(ks, "dst", "w");
    seen_t ss = watch(ks, "src"), sd = watch(ks, "dst"), sm = watch(ks, "missing");
    cr_assert_eq(ks_rename(ks, "src", 3, "dst", 3, true), -EEXIST);
    cr_assert_eq(ks_rename(ks, "src", 3, "src", 3, false), 0);
    cr_assert_eq(ks_rename(ks, "src", 3, "src", 3, true), -EEXIST);
    cr_assert_eq(ks_rename(ks, "missing", 7, "dst", 3, false), -ENOENT);
    cr_assert_not(touched(ks, "src", ss));
    cr_assert_not(touched(ks, "dst", sd));
    cr_assert_not(touched(ks, "missing", sm));
    ks_destroy(ks);
}

Test(watch, take_and_put_touch)
{
    ks_t *from = mk(7), *to = mk(8);
    add(from, "k", "v");
    add(to, "k2", "old");
    seen_t sf = watch(from, "k"), st = watch(to, "k2"), sn = watch(to, "k3");
    ks_blob_t *blob;
    int64_t when;
    cr_assert_eq(ks_take(from, "k", 1, &blob, &when), 0);
    cr_assert(touched(from, "k", sf));
    cr_assert_not(touched(to, "k2", st));
    cr_assert_eq(ks_put(to, "k2", 2, blob, when), 0);   /* replaces a value */
    cr_assert(touched(to, "k2", st));

    cr_assert_eq(ks_take(to, "k2", 2, &blob, &when), 0);
    cr_assert_not(touched(to, "k3", sn));
    cr_assert_eq(ks_put(to, "k3", 2, blob, when), 0);   /* new key */
    cr_assert(touched(to, "k3", sn));
    ks_destroy(from);
    ks_destroy(to);
}

Test(watch, move_touches_the_key_in_both_databases)
{
    ks_t *src = mk(9), *dst = mk(10);
    entry_t *e = add(src, "k", "v");
    cr_assert_eq(ks_ttl_set(src, e, NOW + 1000), 0);
    seen_t ss = watch(src, "k"), sd = watch(dst, "k");
    cr_assert_eq(ks_move(src, e, dst), 0);
    cr_assert(touched(src, "k", ss));
    cr_assert(touched(dst, "k", sd));
    ks_destroy(src);
    ks_destroy(dst);
}

Test(watch, copy_touches_dst_only)
{
    ks_t *ks = mk(11), *other = mk(12);
    entry_t *src = add(ks, "src", "v");
    add(ks, "dst", "old");
    seen_t ss = watch(ks, "src"), sd = watch(ks, "dst"), so = watch(other, "dst");
    cr_assert_neq(ks_add_dup(ks, "dst", 3, src, -1), NULL);      /* replaces */
    cr_assert(touched(ks, "dst", sd));
    cr_assert_not(touched(ks, "src", ss));
    cr_assert_neq(ks_add_dup(other, "dst", 3, src, NOW + 50), NULL);
    cr_assert(touched(other, "dst", so));
    cr_assert_not(touched(ks, "src", ss));
    ks_destroy(ks);
    ks_destroy(other);
}

/* ---- what does not touch ----------------------------------------------- */

static void count_key(void *arg, const entry_t *e)
{
    (void)e;
    (*(size_t *)arg)++;
}

Test(watch, reads_do_not_touch)
{
    ks_t *ks = mk(13);
    entry_t *e = add(ks, "k", "v");
    cr_assert_eq(ks_ttl_set(ks, e, NOW + 1000), 0);
    seen_t s = watch(ks, "k");
    cr_assert_eq(ks_find(ks, "k", 1), e);
    cr_assert_eq(ks_find_notouch(ks, "k", 1), e);
    cr_assert_eq(peek(ks, "k"), e);
    cr_assert_not(ks_is_expired(ks, e));
    cr_assert_eq(ks_ttl_get(ks, e), NOW + 1000);
    cr_assert_eq(ks_random(ks), e);
    size_t n = 0;
    size_t cursor = 0;
    do {
        cursor = ks_scan(ks, cursor, count_key, &n);
    } while (cursor);
    cr_assert_eq(n, 1);
    cr_assert_not(touched(ks, "k", s));
    ks_destroy(ks);
}

Test(watch, writes_to_other_keys_do_not_touch)
{
    ks_t *ks = mk(14);
    add(ks, "k", "v");
    seen_t s = watch(ks, "k"), sm = watch(ks, "missing");
    char key[32];
    /* Enough keys to grow (rehash) the table under the watched key. */
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)snprintf(key, sizeof key, "other:%d", i);
        entry_t *e = ks_add(ks, key, n, "x", 1);
        cr_assert_neq(e, NULL);
        cr_assert_eq(ks_ttl_set(ks, e, NOW + 1000 + i), 0);
        ks_set_int(ks, e, i);
        cr_assert_neq(ks_resize(ks, e, 8), NULL);
    }
    for (int i = 0; i < 2000; i += 2) {
        size_t n = (size_t)snprintf(key, sizeof key, "other:%d", i);
        cr_assert(ks_delete(ks, key, n));
    }
    cr_assert_not(touched(ks, "k", s));
    cr_assert_not(touched(ks, "missing", sm));
    cr_assert_eq(ks_watched(ks), 2);
    ks_destroy(ks);
}

/* ---- refcounting and versions ------------------------------------------ */

Test(watch, refcounted_watchers)
{
    ks_t *ks = mk(15);
    cr_assert_eq(ks_watched(ks), 0);
    seen_t a = watch(ks, "k");
    seen_t b = watch(ks, "k");
    watch(ks, "j");
    cr_assert_eq(ks_watched(ks), 2);
    ks_unwatch(ks, "k", 1);
    cr_assert_eq(ks_watched(ks), 2);        /* one watcher of k left */
    add(ks, "k", "v");
    cr_assert(touched(ks, "k", b));         /* still tracked after one unwatch */
    cr_assert(touched(ks, "k", a));
    ks_unwatch(ks, "k", 1);
    cr_assert_eq(ks_watched(ks), 1);
    ks_unwatch(ks, "k", 1);                 /* not watched any more: no-op */
    ks_unwatch(ks, "nope", 4);
    cr_assert_eq(ks_watched(ks), 1);
    ks_unwatch(ks, "j", 1);
    cr_assert_eq(ks_watched(ks), 0);
    ks_destroy(ks);
}

Test(watch, later_watcher_sees_the_current_version)
{
    ks_t *ks = mk(16);
    seen_t first = watch(ks, "k");
    add(ks, "k", "v");
    seen_t second = watch(ks, "k");
    cr_assert_neq(second.version, first.version);
    cr_assert(touched(ks, "k", first));
    cr_assert_not(touched(ks, "k", second));
    ks_destroy(ks);
}

Test(watch, unregistered_key_reports_touched)
{
    ks_t *ks = mk(17);
    add(ks, "k", "v");
    cr_assert(ks_watch_touched(ks, "k", 1, 0, false));
    ks_destroy(ks);
}

/* ---- expiry ------------------------------------------------------------ */

Test(watch, watch_reports_expired_without_deleting)
{
    ks_t *ks = mk(18);
    add_volatile(ks, "k");
    add(ks, "live", "v");
    cr_assert_not(watch(ks, "k").expired);
    cr_assert_not(watch(ks, "live").expired);
    cr_assert_not(watch(ks, "missing").expired);
    ks_set_now(ks, NOW + 11);
    cr_assert(watch(ks, "k").expired);
    cr_assert_eq(ks_size(ks), 2);           /* WATCH deletes nothing */
    cr_assert_neq(peek(ks, "k"), NULL);
    ks_destroy(ks);
}

Test(watch, live_at_watch_then_ttl_passes_is_touched)
{
    ks_t *ks = mk(19);
    add_volatile(ks, "k");
    seen_t s = watch(ks, "k");
    ks_set_now(ks, NOW + 10);               /* not yet: expired once now > when */
    cr_assert_not(touched(ks, "k", s));
    ks_set_now(ks, NOW + 11);
    cr_assert(touched(ks, "k", s));
    ks_destroy(ks);
}

Test(watch, expired_at_watch_unchanged_or_deleted_is_not_touched)
{
    ks_t *ks = mk(20);
    add_volatile(ks, "k");
    ks_set_now(ks, NOW + 11);
    seen_t s = watch(ks, "k");
    cr_assert(s.expired);
    cr_assert_not(touched(ks, "k", s));
    cr_assert_eq(ks_find(ks, "k", 1), NULL);        /* lazy expiry deletes it */
    cr_assert_eq(ks_size(ks), 0);
    cr_assert_not(touched(ks, "k", s));
    ks_destroy(ks);
}

Test(watch, expired_at_watch_then_recreated_is_touched)
{
    ks_t *ks = mk(21);
    add_volatile(ks, "k");
    ks_set_now(ks, NOW + 11);
    seen_t s = watch(ks, "k");
    cr_assert(s.expired);
    cr_assert_neq(ks_set(ks, "k", 1, "new", 3, false), NULL);
    cr_assert(touched(ks, "k", s));
    /* Gone again: Redis forgave only the first deletion, so still touched. */
    cr_assert(ks_delete(ks, "k", 1));
    cr_assert_eq(peek(ks, "k"), NULL);
    cr_assert(touched(ks, "k", s));
    ks_destroy(ks);
}

Test(watch, lazy_expiry_touches_a_key_live_at_watch)
{
    for (int variant = 0; variant < 4; variant++) {
        ks_t *ks = mk(22);
        add_volatile(ks, "k");
        seen_t s = watch(ks, "k");
        ks_set_now(ks, NOW + 11);
        switch (variant) {
        case 0: cr_assert_eq(ks_find(ks, "k", 1), NULL); break;
        case 1: cr_assert_eq(ks_find_notouch(ks, "k", 1), NULL); break;
        case 2: cr_assert_eq(ks_random(ks), NULL); break;
        case 3: cr_assert_not(ks_delete(ks, "k", 1)); break;
        }
        cr_assert_eq(ks_size(ks), 0, "variant %d", variant);
        /* Deleted: the version moved (and the key is no longer "expired",
         * so this is the version's doing, not the TTL rule). */
        uint64_t v;
        bool expired;
        cr_assert_eq(ks_watch(ks, "k", 1, &v, &expired), 0);
        cr_assert_neq(v, s.version);
        cr_assert(touched(ks, "k", s), "variant %d", variant);
        ks_destroy(ks);
    }
}

static uint64_t fake_clock(void *arg)
{
    (void)arg;
    return 0;
}

Test(watch, active_expiry_touches)
{
    ks_t *ks = mk(23);
    ks_set_clock(ks, fake_clock, NULL);
    add_volatile(ks, "live");
    add_volatile(ks, "dead");
    seen_t live = watch(ks, "live");
    ks_set_now(ks, NOW + 11);
    seen_t dead = watch(ks, "dead");
    cr_assert(dead.expired);
    ks_cycle_t c;
    ks_expire_cycle(ks, NOW + 11, 1000000, &c);
    cr_assert_eq(c.expired, 2);
    cr_assert_eq(ks_size(ks), 0);
    cr_assert(touched(ks, "live", live));
    cr_assert_not(touched(ks, "dead", dead));  /* expired at WATCH: no logical change */
    ks_destroy(ks);
}

/* ---- FLUSHDB ----------------------------------------------------------- */

Test(watch, flush_touches_existing_watched_keys_only)
{
    ks_t *ks = mk(24);
    add(ks, "live", "v");
    add_volatile(ks, "ttl");
    add_volatile(ks, "dead");
    add(ks, "unwatched", "v");
    seen_t live = watch(ks, "live"), ttl = watch(ks, "ttl"), missing = watch(ks, "missing");
    ks_set_now(ks, NOW + 11);
    seen_t dead = watch(ks, "dead");
    ks_flush(ks);
    cr_assert_eq(ks_size(ks), 0);
    cr_assert(touched(ks, "live", live));
    cr_assert(touched(ks, "ttl", ttl));         /* present (expired) when flushed */
    cr_assert_not(touched(ks, "missing", missing));
    cr_assert_not(touched(ks, "dead", dead));   /* expired at WATCH, now gone */
    cr_assert_eq(ks_watched(ks), 4);            /* watches outlive the data */
    while (!ks_reclaim_step(ks, 16))
        ;
    ks_destroy(ks);
}

Test(watch, flush_of_many_watched_keys_bumps_each_once)
{
    ks_t *ks = mk(25);
    char key[32];
    seen_t s[600];
    for (int i = 0; i < 600; i++) {
        size_t n = (size_t)snprintf(key, sizeof key, "k:%d", i);
        entry_t *e = ks_add(ks, key, n, "v", 1);
        cr_assert_neq(e, NULL);
        cr_assert_eq(ks_ttl_set(ks, e, NOW + 10), 0);
    }
    ks_set_now(ks, NOW + 11);
    for (int i = 0; i < 600; i++) {
        size_t n = (size_t)snprintf(key, sizeof key, "k:%d", i);
        cr_assert_eq(ks_watch(ks, key, n, &s[i].version, &s[i].expired), 0);
        cr_assert(s[i].expired);
    }
    ks_flush(ks);
    /* Each expired-at-WATCH key is forgiven only if bumped exactly once. */
    for (int i = 0; i < 600; i++) {
        size_t n = (size_t)snprintf(key, sizeof key, "k:%d", i);
        cr_assert_not(ks_watch_touched(ks, key, n, s[i].version, s[i].expired), "key %d", i);
    }
    ks_destroy(ks);
}

/* ---- SWAPDB ------------------------------------------------------------ */

Test(watch, swapdb_keeps_watches_with_the_index_and_touches_existing_keys)
{
    ks_t *dbs[2] = {mk(26), mk(27)};
    add(dbs[0], "only0", "v");
    add(dbs[1], "only1", "v");
    add(dbs[0], "both", "a");
    add(dbs[1], "both", "b");
    seen_t s0 = watch(dbs[0], "only0"), s1 = watch(dbs[0], "only1");
    seen_t sb = watch(dbs[0], "both"), sn = watch(dbs[0], "neither");
    seen_t t1 = watch(dbs[1], "only1");
    cr_assert_eq(ks_watched(dbs[0]), 4);
    cr_assert_eq(ks_watched(dbs[1]), 1);

    ks_t *t = dbs[0];               /* the server swaps the pointers */
    dbs[0] = dbs[1];
    dbs[1] = t;
    ks_watch_swapdb(dbs[0], dbs[1]);
    cr_assert_eq(ks_watched(dbs[0]), 4);    /* the table stayed with index 0 */
    cr_assert_eq(ks_watched(dbs[1]), 1);
    cr_assert(touched(dbs[0], "only0", s0));
    cr_assert(touched(dbs[0], "only1", s1));
    cr_assert(touched(dbs[0], "both", sb));
    cr_assert_not(touched(dbs[0], "neither", sn));
    cr_assert(touched(dbs[1], "only1", t1));
    ks_destroy(dbs[0]);
    ks_destroy(dbs[1]);
}

Test(watch, swapdb_expired_at_watch)
{
    ks_t *dbs[2] = {mk(28), mk(29)};
    add_volatile(dbs[0], "gone");       /* db 1 has none: gone after the swap */
    add_volatile(dbs[0], "still");      /* db 1's is expired too */
    add_volatile(dbs[1], "still");
    add_volatile(dbs[0], "revived");    /* db 1's is live */
    entry_t *e = add(dbs[1], "revived", "v");
    cr_assert_eq(ks_ttl_set(dbs[1], e, NOW + 100000), 0);
    for (int i = 0; i < 2; i++)
        ks_set_now(dbs[i], NOW + 11);
    seen_t g = watch(dbs[0], "gone"), s = watch(dbs[0], "still"), r = watch(dbs[0], "revived");
    cr_assert(g.expired && s.expired && r.expired);

    ks_t *t = dbs[0];
    dbs[0] = dbs[1];
    dbs[1] = t;
    ks_watch_swapdb(dbs[0], dbs[1]);
    cr_assert_not(touched(dbs[0], "gone", g));
    cr_assert_not(touched(dbs[0], "still", s));
    cr_assert(touched(dbs[0], "revived", r));
    ks_destroy(dbs[0]);
    ks_destroy(dbs[1]);
}

Test(watch, swapdb_command_swaps_the_watches_back)
{
    ks_t *dbs[3] = {mk(30), mk(31), mk(32)};
    add(dbs[2], "k", "v");
    seen_t s = watch(dbs[0], "k"), u = watch(dbs[1], "k");
    ks_t *old0 = dbs[0];
    reply_t r;
    reply_init(&r, 2);
    cmd_arg_t argv[] = {{"SWAPDB", 6}, {"0", 1}, {"2", 1}};
    cmd_ctx_t ctx = {.ks = dbs[0], .dbs = dbs, .ndbs = 3, .argc = 3, .argv = argv,
                     .reply = &r, .now_ms = NOW};
    cmd_exec(cmd_lookup("swapdb", 6), &ctx);
    cr_assert(r.len == 5 && memcmp(r.buf, "+OK\r\n", 5) == 0);
    cr_assert_eq(dbs[2], old0);
    cr_assert_eq(ks_watched(dbs[0]), 1);
    cr_assert_eq(ks_watched(dbs[2]), 0);
    cr_assert(touched(dbs[0], "k", s));     /* db 0 now holds k */
    cr_assert_not(touched(dbs[1], "k", u)); /* db 1 was not swapped */
    reply_free(&r);
    for (int i = 0; i < 3; i++)
        ks_destroy(dbs[i]);
}

/* ---- the table --------------------------------------------------------- */

static bool every_key(void *arg, const void *key, size_t klen)
{
    (void)key;
    (void)klen;
    (*(size_t *)arg)++;
    return true;
}

Test(watch, table_bumps_each_key_once_while_rehashing)
{
    watch_t w;
    watch_init(&w, 33);
    char key[32];
    uint64_t v;
    int n = 0;
    /* Grow until caught mid-rehash, with some keys watched twice. */
    while (!dict_is_rehashing(&w.keys) || n < 100) {
        size_t len = (size_t)snprintf(key, sizeof key, "w:%d", n++);
        cr_assert_eq(watch_ref(&w, key, len, &v), 0);
        cr_assert_eq(v, 0);
        if (n % 3 == 0)
            cr_assert_eq(watch_ref(&w, key, len, &v), 0);
        cr_assert_lt(n, 100000);
    }
    cr_assert(dict_is_rehashing(&w.keys));
    cr_assert_eq(w.n, (size_t)n);
    size_t calls = 0;
    watch_bump_if(&w, every_key, &calls);
    cr_assert_eq(calls, (size_t)n);
    for (int i = 0; i < n; i++) {
        size_t len = (size_t)snprintf(key, sizeof key, "w:%d", i);
        cr_assert(watch_version(&w, key, len, &v));
        cr_assert_eq(v, 1, "key %d", i);
    }
    for (int i = 0; i < n; i++) {
        size_t len = (size_t)snprintf(key, sizeof key, "w:%d", i);
        watch_unref(&w, key, len);
        cr_assert_eq(watch_version(&w, key, len, &v), (i + 1) % 3 == 0);
    }
    cr_assert_eq(w.n, (size_t)(n / 3));
    watch_release(&w);
    cr_assert_eq(w.n, 0);
}
