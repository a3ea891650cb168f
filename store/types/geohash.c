/*
 * geohash.c - cells: encoding a point, decoding a cell, neighbours, and
 * the cells a search scans (see geohash.h).  The arithmetic follows
 * Redis 7.0's geohash.c and geohash_helper.c step for step, because the
 * replies (cell centres, which cells are read, hence the order of
 * unsorted results) must be bit for bit Redis's.
 *
 * Concurrency: pure functions.
 */
#include "geohash.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Longest distance (metres) at which a step still halves: Web
 * Mercator's half width. */
#define MERCATOR_MAX 20037726.37

static const geohash_range_t lon_wgs84 = {GEO_LONG_MIN, GEO_LONG_MAX};
static const geohash_range_t lat_wgs84 = {GEO_LAT_MIN, GEO_LAT_MAX};

static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";

/* The 32 bits of v spread to the even bits of the result. */
static uint64_t spread(uint32_t v)
{
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* The even bits of v packed into 32 bits. */
static uint32_t squash(uint64_t v)
{
    uint64_t x = v & 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

bool geohash_encode(const geohash_range_t *lon_r, const geohash_range_t *lat_r,
                    double lon, double lat, int step, geohash_bits_t *out)
{
    out->bits = 0;
    out->step = 0;
    if (step <= 0 || step > 32)
        return false;
    /* Redis refuses points outside the WGS84 limits whatever the ranges. */
    if (lon > 180 || lon < -180 || lat > 85.05112878 || lat < -85.05112878)
        return false;
    out->step = (uint8_t)step;
    if (lat < lat_r->min || lat > lat_r->max || lon < lon_r->min || lon > lon_r->max)
        return false;
    double lat_off = (lat - lat_r->min) / (lat_r->max - lat_r->min);
    double lon_off = (lon - lon_r->min) / (lon_r->max - lon_r->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    /* Truncated to integers as Redis's uint32_t parameters do: the top
     * edge (offset 2^step) spills one bit above the cell's bits, as
     * there. */
    out->bits = spread((uint32_t)lat_off) | (spread((uint32_t)lon_off) << 1);
    return true;
}

bool geohash_score(double lon, double lat, uint64_t *score)
{
    geohash_bits_t h;
    if (!geohash_encode(&lon_wgs84, &lat_wgs84, lon, lat, GEO_STEP_MAX, &h))
        return false;
    *score = h.bits << (52 - 2 * GEO_STEP_MAX);
    return true;
}

void geohash_decode(const geohash_range_t *lon_r, const geohash_range_t *lat_r,
                    geohash_bits_t h, geohash_area_t *area)
{
    uint32_t ilat = squash(h.bits);
    uint32_t ilon = squash(h.bits >> 1);
    double lat_scale = lat_r->max - lat_r->min;
    double lon_scale = lon_r->max - lon_r->min;
    double cells = (double)(1ULL << h.step);
    area->lat.min = lat_r->min + (ilat * 1.0 / cells) * lat_scale;
    area->lat.max = lat_r->min + ((uint32_t)(ilat + 1) * 1.0 / cells) * lat_scale;
    area->lon.min = lon_r->min + (ilon * 1.0 / cells) * lon_scale;
    area->lon.max = lon_r->min + ((uint32_t)(ilon + 1) * 1.0 / cells) * lon_scale;
}

/* (uint64_t)score as Redis's x86-64 build computes it for any score a
 * plain ZADD may have given the member, without C's undefined behaviour
 * outside [0, 2^64): gcc converts below 2^63 as a signed integer, and at
 * or above it subtracts 2^63 and flips bit 63 back; the processor's
 * conversion gives INT64_MIN for what does not fit.  So 1e20 and inf
 * decode as 0, -5 as 2^64 - 5, -inf as 2^63. */
static uint64_t score_bits(double score)
{
    const double two63 = 9223372036854775808.0;
    if (score >= two63) {
        double rest = score - two63;
        int64_t v = rest < two63 ? (int64_t)rest : INT64_MIN;
        return (uint64_t)v ^ (UINT64_C(1) << 63);
    }
    return (uint64_t)(score >= -two63 ? (int64_t)score : INT64_MIN);
}

void geohash_score_to_xy(double score, double xy[2])
{
    geohash_bits_t h = {score_bits(score), GEO_STEP_MAX};
    geohash_area_t a;
    geohash_decode(&lon_wgs84, &lat_wgs84, h, &a);
    xy[0] = (a.lon.min + a.lon.max) / 2;
    if (xy[0] > GEO_LONG_MAX)
        xy[0] = GEO_LONG_MAX;
    if (xy[0] < GEO_LONG_MIN)
        xy[0] = GEO_LONG_MIN;
    xy[1] = (a.lat.min + a.lat.max) / 2;
    if (xy[1] > GEO_LAT_MAX)
        xy[1] = GEO_LAT_MAX;
    if (xy[1] < GEO_LAT_MIN)
        xy[1] = GEO_LAT_MIN;
}

void geohash_score_to_text(double score, char buf[12])
{
    static const geohash_range_t lat_std = {-90, 90};
    double xy[2];
    geohash_bits_t h;
    geohash_score_to_xy(score, xy);
    geohash_encode(&lon_wgs84, &lat_std, xy[0], xy[1], GEO_STEP_MAX, &h);
    /* 52 bits make ten 5-bit characters and 2 bits over; the eleventh
     * character is '0', as Redis keeps the classic 11-character form. */
    for (int i = 0; i < 10; i++)
        buf[i] = alphabet[(h.bits >> (52 - (i + 1) * 5)) & 0x1f];
    buf[10] = alphabet[0];
    buf[11] = '\0';
}

/* ---- neighbours ---- */

/* One cell east (d > 0) or west: the longitude lane is the odd bits; the
 * other lane is filled (or cleared) so the carry (or borrow) crosses it. */
static void move_x(geohash_bits_t *h, int d)
{
    uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
    uint64_t y = h->bits & 0x5555555555555555ULL;
    uint64_t zz = 0x5555555555555555ULL >> (64 - h->step * 2);
    if (d > 0) {
        x = x + (zz + 1);
    } else {
        x = x | zz;
        x = x - (zz + 1);
    }
    x &= (0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2));
    h->bits = x | y;
}

/* One cell north (d > 0) or south: the latitude lane, the even bits. */
static void move_y(geohash_bits_t *h, int d)
{
    uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
    uint64_t y = h->bits & 0x5555555555555555ULL;
    uint64_t zz = 0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2);
    if (d > 0) {
        y = y + (zz + 1);
    } else {
        y = y | zz;
        y = y - (zz + 1);
    }
    y &= (0x5555555555555555ULL >> (64 - h->step * 2));
    h->bits = x | y;
}

static geohash_bits_t moved(geohash_bits_t h, int dx, int dy)
{
    if (dx)
        move_x(&h, dx);
    if (dy)
        move_y(&h, dy);
    return h;
}

/* Indexes into geohash_cells_t, Redis's scan order. */
enum { C_SELF, C_N, C_S, C_E, C_W, C_NE, C_NW, C_SE, C_SW };

static void neighbours(geohash_bits_t h, geohash_cells_t *c)
{
    c->cell[C_SELF] = h;
    c->cell[C_N] = moved(h, 0, 1);
    c->cell[C_S] = moved(h, 0, -1);
    c->cell[C_E] = moved(h, 1, 0);
    c->cell[C_W] = moved(h, -1, 0);
    c->cell[C_NE] = moved(h, 1, 1);
    c->cell[C_NW] = moved(h, -1, 1);
    c->cell[C_SE] = moved(h, 1, -1);
    c->cell[C_SW] = moved(h, -1, -1);
}

/* ---- the cells of a search ---- */

/* The coarsest step whose cells still cover range metres (Redis's
 * estimate: halve the Mercator width until below the range, back off two
 * steps, one or two more near the poles where cells narrow). */
static int steps_for_radius(double range, double lat)
{
    if (range == 0)
        return 26;
    int step = 1;
    while (range < MERCATOR_MAX) {
        range *= 2;
        step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80)
            step--;
    }
    if (step < 1)
        step = 1;
    if (step > 26)
        step = 26;
    return step;
}

static void zero(geohash_cells_t *c, int a, int b, int d)
{
    c->cell[a] = c->cell[b] = c->cell[d] = (geohash_bits_t){0, 0};
}

void geohash_areas(const geo_shape_t *shape, geohash_cells_t *out)
{
    double bounds[4];
    geo_bounding_box(shape, bounds);
    double min_lon = bounds[0], min_lat = bounds[1];
    double max_lon = bounds[2], max_lat = bounds[3];
    double lon = shape->xy[0], lat = shape->xy[1];
    /* A box's reach is its half diagonal. */
    double radius = shape->type == GEO_SHAPE_CIRCLE ? shape->radius
        : sqrt((shape->width / 2) * (shape->width / 2) +
               (shape->height / 2) * (shape->height / 2));
    radius *= shape->conversion;

    int steps = steps_for_radius(radius, lat);
    geohash_bits_t h;
    geohash_area_t area;
    geohash_encode(&lon_wgs84, &lat_wgs84, lon, lat, steps, &h);
    neighbours(h, out);
    geohash_decode(&lon_wgs84, &lat_wgs84, h, &area);

    /* Near a cell's edge the neighbours may not reach the whole box: one
     * step coarser then. */
    geohash_area_t n, s, e, w;
    geohash_decode(&lon_wgs84, &lat_wgs84, out->cell[C_N], &n);
    geohash_decode(&lon_wgs84, &lat_wgs84, out->cell[C_S], &s);
    geohash_decode(&lon_wgs84, &lat_wgs84, out->cell[C_E], &e);
    geohash_decode(&lon_wgs84, &lat_wgs84, out->cell[C_W], &w);
    bool coarser = n.lat.max < max_lat || s.lat.min > min_lat ||
                   e.lon.max < max_lon || w.lon.min > min_lon;
    if (steps > 1 && coarser) {
        steps--;
        geohash_encode(&lon_wgs84, &lat_wgs84, lon, lat, steps, &h);
        neighbours(h, out);
        geohash_decode(&lon_wgs84, &lat_wgs84, h, &area);
    }

    /* Drop the neighbours on a side the box does not reach. */
    if (steps >= 2) {
        if (area.lat.min < min_lat)
            zero(out, C_S, C_SW, C_SE);
        if (area.lat.max > max_lat)
            zero(out, C_N, C_NE, C_NW);
        if (area.lon.min < min_lon)
            zero(out, C_W, C_SW, C_NW);
        if (area.lon.max > max_lon)
            zero(out, C_E, C_SE, C_NE);
    }
}

void geohash_cell_scores(geohash_bits_t h, uint64_t *min, uint64_t *max)
{
    int shift = 52 - h.step * 2;
    *min = h.bits << shift;
    *max = (h.bits + 1) << shift;
}
