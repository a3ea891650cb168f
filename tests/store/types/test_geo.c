/*
 * test_geo.c - the GEO commands in process: Redis 7.0's exact replies
 * (RESP2 and RESP3: scores, cell centres, distances with 4 decimals,
 * 11-character geohashes, error strings and their order), GEOADD's
 * NX/XX/CH, the searches against a brute force over random points (every
 * point clearly inside found, none clearly outside), both encodings
 * answering alike, ANY and COUNT, the STORE forms writing the
 * destination's own keyspace (a command over shards), memory accounting
 * and WATCH after writes.  The expected bytes were taken from
 * redis-server 7.0.15; the random comparisons against it live in
 * tests/e2e/diff_cases_geo.txt.
 *
 * Concurrency: single-threaded (Criterion runs each test in its own
 * process).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/base/reply.h"
#include "store/commands.h"
#include "store/db/keyspace.h"
#include "store/db/ks_watch.h"
#include "store/types/geohash.h"
#include "types_harness.h"

TestSuite(geo, .init = th_setup, .fini = th_teardown);

#define SICILY "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"

/* ---- geometry ---- */

Test(geo, scores_and_cells_are_redis_bits)
{
    uint64_t s;
    cr_assert(geohash_score(13.361389, 38.115556, &s));
    cr_assert_eq(s, 3479099956230698ULL);
    cr_assert(geohash_score(-180, -85.05112878, &s));
    cr_assert_eq(s, 0);
    cr_assert(!geohash_score(180.0000001, 0, &s));
    cr_assert(!geohash_score(0, 85.06, &s));
    double xy[2];
    geohash_score_to_xy(3479099956230698.0, xy);
    cr_assert_eq(xy[0], 13.361389338970184);
    cr_assert_eq(xy[1], 38.115556395496299);
    char h[12];
    geohash_score_to_text(3479099956230698.0, h);
    cr_assert_str_eq(h, "sqc8b49rny0");
    /* Same longitude takes the meridian distance. */
    cr_assert_eq(geo_distance(10, 0, 10, 1), GEO_EARTH_RADIUS * GEO_DEG_TO_RAD);
}

/* ---- GEOADD ---- */

Test(geo, geoadd_replies_and_options)
{
    EXPECT(SICILY, ":2\r\n");
    EXPECT(SICILY, ":0\r\n");
    EXPECT("ZSCORE Sicily Palermo", "$16\r\n3479099956230698\r\n");
    EXPECT("GEOADD Sicily CH 13.361389 38.115556 Palermo 1 1 one", ":1\r\n");
    EXPECT("GEOADD Sicily CH 13 38 Palermo 1 1 one", ":1\r\n");
    EXPECT("GEOADD Sicily NX CH 14 38 Palermo 2 2 two", ":1\r\n");
    EXPECT("GEOPOS Sicily Palermo", "*1\r\n*2\r\n$20\r\n12.99999922513961792\r\n"
           "$19\r\n38.0000009925631943\r\n");
    EXPECT("GEOADD Sicily XX 14 38 Palermo 3 3 three", ":0\r\n");
    EXPECT("GEOADD Sicily XX CH 14 38 Palermo 3 3 three", ":0\r\n");
    EXPECT("ZCARD Sicily", ":4\r\n");
    EXPECT("GEOADD nokey XX 1 1 a", ":0\r\n");
    EXPECT("EXISTS nokey", ":0\r\n");
    check_mem(ks1, "geo");
}

Test(geo, geoadd_errors_in_redis_order)
{
    EXPECT("SET str x", "+OK\r\n");
    EXPECT("GEOADD str 1 2 m 3", "-ERR syntax error\r\n");
    EXPECT("GEOADD str NX XX 1 2 m", "-ERR syntax error\r\n");
    EXPECT("GEOADD str CH CH CH", "-ERR syntax error\r\n");
    EXPECT("GEOADD str 200 1 m", "-ERR invalid longitude,latitude pair 200.000000,1.000000\r\n");
    EXPECT("GEOADD str 1 x m", "-ERR value is not a valid float\r\n");
    EXPECT("GEOADD str 1 2 m", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    /* A bad pair anywhere adds nothing. */
    EXPECT("GEOADD g 1 2 a 1 -86 b", "-ERR invalid longitude,latitude pair 1.000000,-86.000000\r\n");
    EXPECT("EXISTS g", ":0\r\n");
    EXPECT("GEOADD g", "-ERR wrong number of arguments for 'geoadd' command\r\n");
}

/* ---- GEOPOS GEOHASH GEODIST ---- */

Test(geo, reads_resp2_and_resp3)
{
    run(SICILY);
    EXPECT("GEOPOS Sicily Palermo nope",
           "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n");
    EXPECT("GEOHASH Sicily Palermo nope", "*2\r\n$11\r\nsqc8b49rny0\r\n$-1\r\n");
    EXPECT("GEODIST Sicily Palermo Catania", "$11\r\n166274.1516\r\n");
    EXPECT("GEODIST Sicily Palermo Catania KM", "$8\r\n166.2742\r\n");
    EXPECT("GEODIST Sicily Palermo nope", "$-1\r\n");
    EXPECT("GEODIST Sicily Palermo Catania yd",
           "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
    EXPECT("GEODIST Sicily Palermo Catania km x", "-ERR syntax error\r\n");
    EXPECT("GEOPOS nokey a", "*1\r\n*-1\r\n");
    EXPECT("GEODIST nokey a b", "$-1\r\n");
    R.proto = 3;
    EXPECT("GEOPOS Sicily Palermo nope",
           "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
    EXPECT("GEOHASH Sicily nope", "*1\r\n_\r\n");
    EXPECT("GEODIST Sicily Palermo Catania km", "$8\r\n166.2742\r\n");
}

/* ---- searches ---- */

Test(geo, search_replies)
{
    run(SICILY);
    EXPECT("GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC",
           "*2\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n"
           "*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"
           "*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n"
           "*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n");
    EXPECT("GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km DESC WITHDIST",
           "*2\r\n*2\r\n$7\r\nCatania\r\n$8\r\n166.2742\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n");
    EXPECT("GEORADIUSBYMEMBER Sicily Palermo 100 km", "*1\r\n$7\r\nPalermo\r\n");
    EXPECT("GEORADIUS Sicily 15 37 200 km COUNT 1", "*1\r\n$7\r\nCatania\r\n");
    EXPECT("GEORADIUS Sicily 15 37 200 km COUNT 1 DESC", "*1\r\n$7\r\nPalermo\r\n");
    EXPECT("GEORADIUS Sicily 15 37 1 m", "*0\r\n");
    EXPECT("GEORADIUS nokey 15 37 1 m", "*0\r\n");
    R.proto = 3;
    EXPECT("GEORADIUS_RO Sicily 15 37 100 km WITHCOORD",
           "*1\r\n*2\r\n$7\r\nCatania\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n");
}

Test(geo, search_errors_in_redis_order)
{
    run(SICILY);
    run("SET str x");
    EXPECT("GEORADIUS str 200 0 -1 yd", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT("GEORADIUS Sicily 200 0 1 km", "-ERR invalid longitude,latitude pair 200.000000,0.000000\r\n");
    EXPECT("GEORADIUS Sicily 15 37 x km", "-ERR need numeric radius\r\n");
    EXPECT("GEORADIUS Sicily 15 37 -1 km", "-ERR radius cannot be negative\r\n");
    EXPECT("GEORADIUS Sicily 15 37 1 yd", "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
    EXPECT("GEORADIUS Sicily 15 37 1 km COUNT 0", "-ERR COUNT must be > 0\r\n");
    EXPECT("GEORADIUS Sicily 15 37 1 km COUNT x", "-ERR value is not an integer or out of range\r\n");
    EXPECT("GEORADIUS Sicily 15 37 1 km ANY", "-ERR the ANY argument requires COUNT argument\r\n");
    EXPECT("GEORADIUS Sicily 15 37 1 km STORE d WITHDIST",
           "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n");
    EXPECT("GEORADIUS_RO Sicily 15 37 1 km STORE d", "-ERR syntax error\r\n");
    EXPECT("GEORADIUSBYMEMBER Sicily nope 1 km", "-ERR could not decode requested zset member\r\n");
    /* A missing source: the radius is not parsed, the options are. */
    EXPECT("GEORADIUSBYMEMBER nokey nope x km", "*0\r\n");
    EXPECT("GEORADIUSBYMEMBER nokey nope x km bad", "-ERR syntax error\r\n");
    EXPECT("GeoSearch Sicily BYRADIUS 1 km ASC WITHDIST",
           "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GeoSearch\r\n");
    EXPECT("GEOSEARCH Sicily FROMLONLAT 15 37 ASC WITHDIST",
           "-ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH\r\n");
    EXPECT("GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 1 km", "-ERR syntax error\r\n");
    EXPECT("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km", "-ERR need numeric height\r\n");
    EXPECT("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 -1 km", "-ERR height or width cannot be negative\r\n");
    EXPECT("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km STOREDIST", "-ERR syntax error\r\n");
    EXPECT("GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 1 km WITHHASH",
           "-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n");
}

/* Random points: a search finds every point clearly inside its shape and
 * none clearly outside (the cell centres are what is measured), the same
 * in both encodings; ANY returns COUNT of them; COUNT sorts by distance. */
static char line[1 << 17];

static void add_points(const char *key, int n, unsigned seed, double (*pts)[2])
{
    srand(seed);
    for (int i = 0; i < n; i++) {
        pts[i][0] = -10 + 20.0 * rand() / RAND_MAX;
        pts[i][1] = 40 + 10.0 * rand() / RAND_MAX;
        snprintf(line, sizeof line, "GEOADD %s %.6f %.6f p%d", key, pts[i][0], pts[i][1], i);
        run(line);
        uint64_t s;
        geohash_score(pts[i][0], pts[i][1], &s);
        geohash_score_to_xy((double)s, pts[i]);
    }
}

static bool has_member(int i)
{
    char want[32];
    int n = snprintf(want, sizeof want, "\r\np%d\r\n", i);
    return memmem(R.buf, R.len, want, (size_t)n) != NULL;
}

Test(geo, search_matches_brute_force_in_both_encodings)
{
    enum { N = 300 };
    static double pts[N][2];
    cfg.zset_max_listpack_entries = 1000;
    add_points("lp", N, 7, pts);
    cfg.zset_max_listpack_entries = 128;
    add_points("big", N, 7, pts);
    EXPECT("OBJECT ENCODING lp", "$8\r\nlistpack\r\n");
    EXPECT("OBJECT ENCODING big", "$8\r\nskiplist\r\n");
    static char first[1 << 16];
    for (int q = 0; q < 40; q++) {
        double lon = -10 + 20.0 * rand() / RAND_MAX, lat = 40 + 10.0 * rand() / RAND_MAX;
        double r = 20 + 500.0 * rand() / RAND_MAX, w = r * 2, h = r;
        bool box = q % 2;
        for (int k = 0; k < 2; k++) {
            if (box)
                snprintf(line, sizeof line, "GEOSEARCH %s FROMLONLAT %.6f %.6f BYBOX %.3f %.3f km ASC",
                         k ? "big" : "lp", lon, lat, w, h);
            else
                snprintf(line, sizeof line, "GEOSEARCH %s FROMLONLAT %.6f %.6f BYRADIUS %.3f km ASC",
                         k ? "big" : "lp", lon, lat, r);
            run(line);
            if (k == 0) {
                cr_assert(R.len < sizeof first);
                memcpy(first, R.buf, R.len + 1);
                continue;
            }
            cr_assert_str_eq(R.buf, first, "%s: encodings differ", line);
        }
        for (int i = 0; i < N; i++) {
            double d = geo_distance(lon, lat, pts[i][0], pts[i][1]) / 1000;
            bool in, out;
            if (box) {
                double dy = geo_distance(pts[i][0], pts[i][1], pts[i][0], lat) / 1000;
                double dx = geo_distance(pts[i][0], pts[i][1], lon, pts[i][1]) / 1000;
                in = dy < h / 2 * 0.999 && dx < w / 2 * 0.999;
                out = dy > h / 2 * 1.001 || dx > w / 2 * 1.001;
            } else {
                in = d < r * 0.999;
                out = d > r * 1.001;
            }
            if (in)
                cr_assert(has_member(i), "%s: p%d at %.3f km missing", line, i, d);
            if (out)
                cr_assert(!has_member(i), "%s: p%d at %.3f km found", line, i, d);
        }
    }
    /* ANY: exactly COUNT points, each inside. */
    run("GEORADIUS big 0 45 3000 km COUNT 5 ANY");
    cr_assert(strncmp(R.buf, "*5\r\n", 4) == 0, "%s", show(R.buf, R.len));
    /* COUNT: the nearest, ascending. */
    run("GEORADIUS big 0 45 3000 km COUNT 10 WITHDIST");
    cr_assert(strncmp(R.buf, "*10\r\n", 5) == 0);
    double prev = -1;
    for (const char *p = R.buf; (p = strstr(p, "\r\n$")) != NULL; p += 3) {
        const char *v = strchr(p + 3, '\n') + 1;
        if (*v < '0' || *v > '9' || !strchr(v, '.') || strchr(v, '.') > strchr(v, '\r'))
            continue;
        double d = atof(v);
        cr_assert(d >= prev, "not ascending: %f after %f", d, prev);
        prev = d;
    }
    cr_assert(prev >= 0);
}

/* ---- STORE forms ---- */

Test(geo, store_writes_the_destination_keyspace)
{
    run(SICILY);
    /* GEOSEARCHSTORE dst(ks2) src(ks1). */
    route[1] = ks2;
    route[2] = ks1;
    routed = true;
    EXPECT("GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST", ":2\r\n");
    routed = false;
    cr_assert(ks_find_notouch(ks2, "dst", 3) && !ks_find_notouch(ks1, "dst", 3));
    route[1] = ks2;
    routed = true;
    R.proto = 3;
    EXPECT("ZRANGE dst 0 -1 WITHSCORES",
           "*2\r\n*2\r\n$7\r\nCatania\r\n,56.441257870158204\r\n*2\r\n$7\r\nPalermo\r\n,190.44242984775784\r\n");
    R.proto = 2;
    /* GEORADIUS src(ks1) ... STORE dst(ks2) at argv 7. */
    route[1] = ks1;
    route[7] = ks2;
    EXPECT("GEORADIUS Sicily 15 37 100 km STORE d2", ":1\r\n");
    cr_assert(ks_find_notouch(ks2, "d2", 2) && !ks_find_notouch(ks1, "d2", 2));
    /* No result deletes the destination. */
    EXPECT("GEORADIUS Sicily 15 37 1 m STORE d2", ":0\r\n");
    cr_assert(!ks_find_notouch(ks2, "d2", 2));
    /* A missing source too. */
    route[1] = ks2;
    route[2] = ks1;
    EXPECT("GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km", ":0\r\n");
    cr_assert(!ks_find_notouch(ks2, "dst", 3));
    routed = false;
    check_mem(ks1, "geo");
    check_mem(ks2, "geo");
}

Test(geo, store_over_its_own_source)
{
    run(SICILY);
    EXPECT("GEORADIUS Sicily 15 37 100 km STORE Sicily", ":1\r\n");
    EXPECT("ZRANGE Sicily 0 -1 WITHSCORES", "*2\r\n$7\r\nCatania\r\n$16\r\n3479447370796909\r\n");
    run("SET str x");
    EXPECT("GEOSEARCHSTORE str Sicily FROMLONLAT 15 37 BYRADIUS 100 km", ":1\r\n");
    EXPECT("TYPE str", "+zset\r\n");
    check_mem(ks1, "geo");
}

/* ---- WATCH ---- */

static bool touched_by(const char *cmdline, const char *key)
{
    uint64_t ver;
    bool expired;
    cr_assert_eq(ks_watch(ks1, key, strlen(key), &ver, &expired), 0);
    run(cmdline);
    bool t = ks_watch_touched(ks1, key, strlen(key), ver, expired);
    ks_unwatch(ks1, key, strlen(key));
    return t;
}

Test(geo, watch_sees_writes_only)
{
    cr_assert(touched_by(SICILY, "Sicily"));
    cr_assert(!touched_by(SICILY, "Sicily"), "same positions: no change");
    cr_assert(!touched_by("GEOADD Sicily NX 1 1 Palermo", "Sicily"));
    cr_assert(touched_by("GEOADD Sicily XX 1 1 Palermo", "Sicily"));
    cr_assert(!touched_by("GEORADIUS Sicily 15 37 200 km", "Sicily"));
    cr_assert(touched_by("GEORADIUS Sicily 15 37 200 km STORE d", "d"));
    cr_assert(!touched_by("GEORADIUS Sicily 15 37 1 m STORE nod", "nod"), "absent, nothing stored");
}

/* Redis stores under the last of two STORE keywords, but the router holds
 * only the first one's shard (key specs): refused, nothing written. */
Test(geo, store_keyword_twice_is_refused)
{
    run(SICILY);
    EXPECT("GEORADIUS Sicily 15 37 100 km STORE a STORE b", "-ERR syntax error\r\n");
    EXPECT("EXISTS a", ":0\r\n");
    EXPECT("EXISTS b", ":0\r\n");
    EXPECT("GEORADIUS Sicily 15 37 100 km STORE a STOREDIST b", ":1\r\n");
    EXPECT("EXISTS a", ":0\r\n");
    EXPECT("ZRANGE b 0 -1", "*1\r\n$7\r\nCatania\r\n");
}
