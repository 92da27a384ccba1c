"""CSV and GeoJSON import (all or nothing, every bad row reported) and export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from camnet.auth.principal import cli_principal
from camnet.registry import formats, importer
from camnet.web import keys
from tests.conftest import World

HEADER = ",".join(formats.CSV_COLUMNS)


def _row(**kw: str) -> str:
    base = {c: "" for c in formats.CSV_COLUMNS}
    base.update(zone_code="SAMPLE-PHUMY-ML", point_name="Điểm nhập", lat="16.515",
                lon="107.645", camera_name="Mắt 1", rtsp_url="rtsp://192.0.2.1/s",
                retention_days="7", enabled="true")
    base.update(kw)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([base[c] for c in formats.CSV_COLUMNS])
    return buf.getvalue()


async def _import(world: World, text: str, reader=formats.read_csv_rows):  # type: ignore[no-untyped-def]
    app = world.app
    return await importer.import_rows(app[keys.DB], cli_principal(), app[keys.CIPHER],
                                      reader(text), source="test")


async def test_import_reports_every_bad_row_and_writes_nothing(world: World) -> None:
    text = "\n".join([
        HEADER,
        _row(),                                   # line 2 fine
        _row(point_name="B", lat="95"),           # line 3 bad lat
        _row(point_name="C", rtsp_url="http://x/"),  # line 4 bad URL
        _row(point_name="D", zone_code="NOPE"),   # line 5 unknown zone
        _row(point_name="E", azimuth_deg="400"),  # line 6 bad azimuth
        _row(point_name="F", lat="10", lon="106"),  # line 7 outside boundary
        _row(),                                   # line 8 duplicate camera
    ])
    before = await world.app[keys.DB].fetchval("SELECT COUNT(*) FROM camera")
    with pytest.raises(formats.ImportFailed) as err:
        await _import(world, text)
    got = {(e.where, e.field) for e in err.value.errors}
    assert got == {("line 3", "lat"), ("line 4", "rtsp_url"), ("line 5", "zone_code"),
                   ("line 6", "azimuth_deg"), ("line 7", "lat"), ("line 8", "camera_name")}
    assert await world.app[keys.DB].fetchval("SELECT COUNT(*) FROM camera") == before


async def test_bad_header(world: World) -> None:
    with pytest.raises(formats.ImportFailed) as err:
        await _import(world, "zone_code,point_name,colour\nA,B,C\n")
    fields = {e.field for e in err.value.errors}
    assert {"lat", "lon", "colour"} <= fields


async def test_import_creates_then_updates(world: World) -> None:
    text = "\n".join([HEADER, _row(), _row(camera_name="Mắt 2", password="pw-1234",
                                           username="admin")])
    report = await _import(world, text)
    assert (report.points_created, report.cameras_created) == (1, 2)
    text2 = "\n".join([HEADER, _row(address="Đổi địa chỉ")])
    report = await _import(world, text2)
    assert (report.points_updated, report.cameras_updated, report.cameras_created) == (1, 1, 0)
    db = world.app[keys.DB]
    assert await db.fetchval("SELECT address FROM camera_point WHERE name = 'Điểm nhập'") == "Đổi địa chỉ"


async def test_export_roundtrip_csv_and_geojson(world: World) -> None:
    db = world.app[keys.DB]
    rows = await importer.export_rows(db, cli_principal())
    text = formats.to_csv(rows)
    assert text.splitlines()[0] == ",".join(formats.EXPORT_COLUMNS)
    assert len(text.splitlines()) == 29  # header + 28 cameras
    try:
        report = await _import(world, text)
    except formats.ImportFailed as exc:
        raise AssertionError([str(e) for e in exc.errors[:3]]) from exc
    assert (report.points_updated, report.cameras_updated) == (24, 28)
    geo = formats.to_geojson(rows)
    assert len(geo["features"]) == 24
    assert sum(len(f["properties"]["cameras"]) for f in geo["features"]) == 28
    report = await _import(world, json.dumps(geo), formats.read_geojson_rows)
    assert (report.points_created, report.points_updated, report.cameras_updated) == (0, 24, 28)


async def test_geojson_errors_name_the_feature(world: World) -> None:
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [107.645, 16.515]},
         "properties": {"zone_code": "SAMPLE-PHUMY-ML", "name": "P",
                        "cameras": [{"name": "c", "rtsp_url": "ftp://x"}]}},
    ]}
    with pytest.raises(formats.ImportFailed) as err:
        await _import(world, json.dumps(bad), formats.read_geojson_rows)
    assert {(e.where, e.field) for e in err.value.errors} == {("feature 1", "row"),
                                                              ("feature 2", "rtsp_url")}
    with pytest.raises(formats.ImportFailed):
        await _import(world, "[]", formats.read_geojson_rows)
