"""Distances on the WGS-84 sphere and point-in-region lookup for reports."""

import math

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lon, max_lon, min_lat, max_lat) enclosing a circle: an index-friendly prefilter."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(lat)))))
    return lon - dlon, lon + dlon, lat - dlat, lat + dlat


def region_at(lon: float, lat: float, regions) -> object | None:
    """The deepest region whose GeoJSON boundary contains the point (None if none has one)."""
    from shapely.geometry import Point, shape

    point = Point(lon, lat)
    best = None
    for region in regions:
        if not region.boundary:
            continue
        try:
            geom = shape(region.boundary.get("geometry", region.boundary))
        except (ValueError, TypeError, AttributeError, KeyError):
            continue
        if geom.contains(point) and (best is None or region.level > best.level):
            best = region
    return best
