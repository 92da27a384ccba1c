"""The import/export file formats: CSV and GeoJSON rows in, rows out. No database here."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from camnet.errors import CamnetError

POINT_COLUMNS = (
    "zone_code", "point_name", "address", "lat", "lon", "host_name", "host_phone", "funding",
    "installed_on", "point_notes",
)
CAMERA_COLUMNS = (
    "camera_name", "rtsp_url", "username", "password", "vendor", "azimuth_deg", "fov_deg",
    "range_m", "retention_days", "enabled", "monitor_tier",
)
CSV_COLUMNS = POINT_COLUMNS + CAMERA_COLUMNS
EXPORT_COLUMNS = tuple(c for c in CSV_COLUMNS if c != "password")


@dataclass(frozen=True)
class RowError:
    """One problem in an import file."""

    where: str  # "line 12" or "feature 3"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}"


class ImportFailed(CamnetError):
    """The file has problems; nothing was written."""

    code = "import_failed"
    status = 422

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was imported")
        self.errors = errors


def read_csv_rows(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ("line N", row) from CSV text with a header row.

    Raises:
        ImportFailed: the header lacks required columns or has unknown ones.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportFailed([RowError("line 1", "header", f"not CSV: {exc}")]) from exc
    missing = [c for c in ("zone_code", "point_name", "lat", "lon") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    problems = [RowError("line 1", c, "required column missing") for c in missing]
    problems += [
        RowError("line 1", c, f"unknown column; allowed: {', '.join(CSV_COLUMNS)}") for c in unknown
    ]
    if problems:
        raise ImportFailed(problems)
    try:
        for row in reader:
            if None in row:
                yield f"line {reader.line_num}", {"__extra__": "more cells than header columns"}
                continue
            yield f"line {reader.line_num}", {k: (v or "").strip() for k, v in row.items()}
    except csv.Error as exc:
        raise ImportFailed([RowError(f"line {reader.line_num}", "csv", f"not CSV: {exc}")]) from exc


def read_geojson_rows(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ("feature N", row) from a GeoJSON FeatureCollection of points with cameras.

    Raises:
        ImportFailed: the text is not a FeatureCollection.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ImportFailed([RowError("file", "json", f"not valid JSON: {exc}")]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFailed([RowError("file", "type", "expected a GeoJSON FeatureCollection")])
    for number, feature in enumerate(data.get("features") or [], start=1):
        where = f"feature {number}"
        geometry = (feature or {}).get("geometry") or {}
        props = dict((feature or {}).get("properties") or {})
        coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        if not isinstance(coords, list) or len(coords) < 2:
            yield where, {"__extra__": "geometry must be a Point [longitude, latitude]"}
            continue
        point = {k: text_of(props.get(k.removeprefix("point_"))) for k in POINT_COLUMNS}
        point["point_name"] = text_of(props.get("name"))
        point["zone_code"] = text_of(props.get("zone_code"))
        point["lon"], point["lat"] = text_of(coords[0]), text_of(coords[1])
        cameras = props.get("cameras") or []
        if not cameras:
            yield where, point
        for camera in cameras:
            row = dict(point)
            row.update({k: text_of(camera.get(k.removeprefix("camera_"))) for k in CAMERA_COLUMNS})
            row["camera_name"] = text_of(camera.get("name"))
            yield where, row


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Render exported rows as CSV with a header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def to_geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Render exported rows as a FeatureCollection: one Point feature per camera point."""
    features: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["zone_code"], row["point_name"])
        feature = features.get(key)
        if feature is None:
            props = {k: row[k] for k in POINT_COLUMNS if k not in ("lat", "lon", "point_name")}
            props["name"] = row["point_name"]
            props["notes"] = props.pop("point_notes")
            props["cameras"] = []
            feature = features[key] = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": props,
            }
        if row["camera_name"]:
            camera = {k.removeprefix("camera_"): row[k] for k in CAMERA_COLUMNS if k in row}
            camera["enabled"] = row["enabled"] == "true"
            feature["properties"]["cameras"].append(camera)
    return {"type": "FeatureCollection", "features": list(features.values())}


def text_of(value: Any) -> str:
    """A file value as text: ``None`` is empty, booleans are ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
