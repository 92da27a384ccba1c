"""A tiny but valid PMTiles v3 basemap (empty vector tiles) for the map's basemap tests."""

from __future__ import annotations

from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

# One Mapbox Vector Tile with a single empty layer "earth" (version 2, extent 4096).
_LAYER = b"\x0a\x05earth" + b"\x78\x02" + b"\x28\x80\x20"
EMPTY_MVT = b"\x1a" + bytes([len(_LAYER)]) + _LAYER


def tiny_pmtiles(path: Path, lat: float, lon: float, maxzoom: int = 15) -> Path:
    """Write empty MVT tiles for z0..maxzoom around (lat, lon) and return ``path``."""
    import math

    with write(str(path)) as writer:
        ids = []
        for z in range(maxzoom + 1):
            n = 2 ** z
            x = int((lon + 180) / 360 * n)
            y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if 0 <= x + dx < n and 0 <= y + dy < n:
                        ids.append(zxy_to_tileid(z, x + dx, y + dy))
        for tile_id in sorted(set(ids)):
            writer.write_tile(tile_id, EMPTY_MVT)
        writer.finalize({
            "tile_type": TileType.MVT, "tile_compression": Compression.NONE,
            "min_zoom": 0, "max_zoom": maxzoom,
            "min_lon_e7": int((lon - 0.05) * 1e7), "min_lat_e7": int((lat - 0.05) * 1e7),
            "max_lon_e7": int((lon + 0.05) * 1e7), "max_lat_e7": int((lat + 0.05) * 1e7),
            "center_zoom": 14, "center_lon_e7": int(lon * 1e7), "center_lat_e7": int(lat * 1e7),
        }, {"attribution": "test tiles", "vector_layers": []})
    return path
