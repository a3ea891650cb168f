/*
 * geohash.h - the geometry under the GEO commands, as Redis 7.0 computes
 * it (same formulas, same order of floating point operations, so every
 * score, coordinate and distance comes out bit for bit as Redis's):
 *
 *   - a point's 52-bit geohash: longitude and latitude each scaled to 26
 *     bits over [-180, 180] and [-85.05112878, 85.05112878] (Web
 *     Mercator's limits) and interleaved, latitude in the even bits; it
 *     is the point's sorted set score, exact in a double;
 *   - decoding a hash back to its cell's centre (what GEOPOS replies);
 *   - the cells a search reads: the centre cell at a step (precision)
 *     fitted to the radius, and its eight neighbours, minus those the
 *     shape's bounding box does not reach (geohash_areas);
 *   - distances on a sphere (haversine) and the in-shape tests
 *     (geo_dist.c).
 *
 * Pure functions, no allocation, no state: safe from any thread.
 */
#ifndef FLASHKV_STORE_TYPES_GEOHASH_H
#define FLASHKV_STORE_TYPES_GEOHASH_H

#include <stdbool.h>
#include <stdint.h>

#define GEO_STEP_MAX 26
#define GEO_LAT_MIN (-85.05112878)
#define GEO_LAT_MAX 85.05112878
#define GEO_LONG_MIN (-180.0)
#define GEO_LONG_MAX 180.0
/* Redis's constants, spelled as there (pi / 180 and the Earth's radius
 * in metres). */
#define GEO_DEG_TO_RAD 0.017453292519943295769236907684886
#define GEO_EARTH_RADIUS 6372797.560856

/* A cell: its interleaved bits at a step (2 * step bits used).  A zero
 * cell (bits and step 0) stands for "no cell" in a neighbour list. */
typedef struct geohash_bits {
    uint64_t bits;
    uint8_t step;
} geohash_bits_t;

typedef struct geohash_range {
    double min, max;
} geohash_range_t;

/* The longitude and latitude spans of a cell. */
typedef struct geohash_area {
    geohash_range_t lon, lat;
} geohash_area_t;

/* A search shape: a circle of radius, or a box of width x height (both
 * in the user's unit), around xy (longitude, latitude); conversion is
 * the unit in metres. */
enum { GEO_SHAPE_CIRCLE, GEO_SHAPE_BOX };
typedef struct geo_shape {
    int type;
    double xy[2];
    double conversion;
    double radius;
    double width, height;
} geo_shape_t;

/* The cells of a search, in the order Redis scans them: the centre, then
 * north, south, east, west, north-east, north-west, south-east,
 * south-west; zero cells are skipped. */
typedef struct geohash_cells {
    geohash_bits_t cell[9];
} geohash_cells_t;

/* The cell of (lon, lat) at step over the given ranges: false (and a zero
 * cell) if the point is outside them or outside Redis's WGS84 limits. */
bool geohash_encode(const geohash_range_t *lon_r, const geohash_range_t *lat_r,
                    double lon, double lat, int step, geohash_bits_t *out);
/* The 52-bit score of a valid (lon, lat): false if out of range. */
bool geohash_score(double lon, double lat, uint64_t *score);
/* The spans of a cell over the given ranges. */
void geohash_decode(const geohash_range_t *lon_r, const geohash_range_t *lat_r,
                    geohash_bits_t h, geohash_area_t *area);
/* The centre (clamped to the WGS84 limits) of the cell of a 52-bit score,
 * as GEOPOS replies it: xy[0] longitude, xy[1] latitude. */
void geohash_score_to_xy(double score, double xy[2]);
/* The 11-character standard geohash (latitude over [-90, 90]) of a
 * score, as GEOHASH replies it.  buf gets 11 bytes and a NUL. */
void geohash_score_to_text(double score, char buf[12]);

/* The cells to scan for shape. */
void geohash_areas(const geo_shape_t *shape, geohash_cells_t *out);
/* The score range [min, max) of a cell's points. */
void geohash_cell_scores(geohash_bits_t h, uint64_t *min, uint64_t *max);

/* ---- geo_dist.c ---- */

/* Great-circle distance in metres (Redis's haversine, Earth radius
 * 6372797.560856 m). */
double geo_distance(double lon1, double lat1, double lon2, double lat2);
/* Whether the point xy is inside shape; *dist gets its distance in metres
 * from the shape's centre when it is. */
bool geo_in_shape(const geo_shape_t *shape, const double xy[2], double *dist);
/* The bounding box of shape: min lon, min lat, max lon, max lat. */
void geo_bounding_box(const geo_shape_t *shape, double bounds[4]);

#endif
