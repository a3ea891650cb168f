/*
 * geo_dist.c - distances on the sphere and the in-shape tests of the
 * GEO searches (see geohash.h), with Redis 7.0's formulas and order of
 * operations so that distances print the same to the last digit and
 * points on a shape's edge fall on the same side.
 *
 * Concurrency: pure functions.
 */
#include "geohash.h"

#include <math.h>

static double rad(double deg)
{
    return deg * GEO_DEG_TO_RAD;
}

static double deg(double r)
{
    return r / GEO_DEG_TO_RAD;
}

/* The distance along a meridian. */
static double lat_distance(double lat1, double lat2)
{
    return GEO_EARTH_RADIUS * fabs(rad(lat2) - rad(lat1));
}

double geo_distance(double lon1, double lat1, double lon2, double lat2)
{
    double lon1r = rad(lon1), lon2r = rad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    /* Same longitude: the cheaper meridian distance (Redis does so, and
     * its result differs from the haversine's in the last bits). */
    if (v == 0.0)
        return lat_distance(lat1, lat2);
    double lat1r = rad(lat1), lat2r = rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * GEO_EARTH_RADIUS * asin(sqrt(a));
}

bool geo_in_shape(const geo_shape_t *shape, const double xy[2], double *dist)
{
    double cx = shape->xy[0], cy = shape->xy[1];
    if (shape->type == GEO_SHAPE_CIRCLE) {
        *dist = geo_distance(cx, cy, xy[0], xy[1]);
        return *dist <= shape->radius * shape->conversion;
    }
    double width = shape->width * shape->conversion;
    double height = shape->height * shape->conversion;
    /* Latitude first: it is the cheaper test. */
    if (lat_distance(xy[1], cy) > height / 2)
        return false;
    if (geo_distance(xy[0], xy[1], cx, xy[1]) > width / 2)
        return false;
    *dist = geo_distance(cx, cy, xy[0], xy[1]);
    return true;
}

void geo_bounding_box(const geo_shape_t *shape, double bounds[4])
{
    double lon = shape->xy[0], lat = shape->xy[1];
    bool circle = shape->type == GEO_SHAPE_CIRCLE;
    double height = shape->conversion * (circle ? shape->radius : shape->height / 2);
    double width = shape->conversion * (circle ? shape->radius : shape->width / 2);
    double lat_delta = deg(height / GEO_EARTH_RADIUS);
    double lon_delta_top = deg(width / GEO_EARTH_RADIUS / cos(rad(lat + lat_delta)));
    double lon_delta_bottom = deg(width / GEO_EARTH_RADIUS / cos(rad(lat - lat_delta)));
    /* The wider edge is the one nearer the pole. */
    bool south = lat < 0;
    bounds[0] = south ? lon - lon_delta_bottom : lon - lon_delta_top;
    bounds[2] = south ? lon + lon_delta_bottom : lon + lon_delta_top;
    bounds[1] = lat - lat_delta;
    bounds[3] = lat + lat_delta;
}
