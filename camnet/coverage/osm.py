"""Export cameras with OpenStreetMap surveillance tagging (GeoJSON, one Point per camera).

Tags: ``man_made=surveillance``, ``surveillance:type=camera``, ``surveillance=public``,
``surveillance:zone=street``, ``camera:type`` (``dome`` at 360°, else ``fixed``),
``camera:direction``, ``height``, ``name``; field of view and range under ``camnet:``.
Nothing about the private hosts (names, phones, addresses, funding) is exported, nor
stream URLs or credentials; ``operator`` is left out because the operator is a household.
"""

from __future__ import annotations

from typing import Any

from camnet.auth.principal import Principal
from camnet.coverage.history import current_in_zone
from camnet.db import Database
from camnet.registry.zones import get_zone_row


def osm_tags(row: Any) -> dict[str, str]:
    """OSM tags of one camera geometry row (no personal data)."""
    tags = {"man_made": "surveillance", "surveillance:type": "camera", "surveillance": "public",
            "surveillance:zone": "street", "name": f"{row['point']} / {row['camera']}"}
    fov = row["fov_deg"]
    tags["camera:type"] = "dome" if fov is not None and fov >= 360 else "fixed"
    if row["azimuth_deg"] is not None and (fov is None or fov < 360):
        tags["camera:direction"] = f"{row['azimuth_deg']:g}"
    if row["height_m"] is not None:
        tags["height"] = f"{row['height_m']:g}"
    if fov is not None:
        tags["camnet:fov"] = f"{fov:g}"
    if row["range_m"] is not None:
        tags["camnet:range"] = f"{row['range_m']:g}"
    if row["min_range_m"] is not None:
        tags["camnet:min_range"] = f"{row['min_range_m']:g}"
    return tags


async def export_osm(db: Database, actor: Principal, zone_code: str) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the zone's cameras with OSM tags as properties."""
    actor.require("registry.read")
    zone = await get_zone_row(db, actor, code=zone_code, field="zone")
    rows = await current_in_zone(db, zone["path"])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": osm_tags(r)} for r in rows]}
