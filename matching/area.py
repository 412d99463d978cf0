"""Coarse areas: a shared location becomes an h3 cell, and the coordinates are dropped.

Resolution 8 cells are about 0.7 km² (edge ~460 m): enough to say "in je buurt" or "~1 km",
too coarse to find a house. Only the cell id is ever stored.
"""

from __future__ import annotations

import h3

AREA_RESOLUTION = 8


def area_cell(latitude: float, longitude: float) -> str:
    """The coarse h3 cell for a point; raises ValueError for impossible coordinates."""
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise ValueError(f"not a place on Earth: {latitude}, {longitude}")
    return str(h3.latlng_to_cell(latitude, longitude, AREA_RESOLUTION))


def parse_lat_lon(text: str) -> tuple[float, float]:
    """Parse "52.37,4.89" (or with a space) into (latitude, longitude)."""
    parts = text.replace(";", ",").replace(" ", ",").split(",")
    numbers = [part for part in parts if part]
    if len(numbers) != 2:
        raise ValueError(f"expected LAT,LON such as 52.37,4.89, got {text!r}")
    try:
        latitude, longitude = float(numbers[0]), float(numbers[1])
    except ValueError as error:
        raise ValueError(f"expected LAT,LON such as 52.37,4.89, got {text!r}") from error
    area_cell(latitude, longitude)  # validates the range
    return latitude, longitude
