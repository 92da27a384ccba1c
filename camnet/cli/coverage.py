"""``camnet who-saw`` and ``camnet coverage …``: the same functions the API and map use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.coverage import features, osm, osm_import, views, zones
from camnet.coverage.whosaw import parse_window, settings_from, who_saw
from camnet.db import Database
from camnet.errors import InvalidInput
from camnet.registry.models import ZonePatch
from camnet.registry.zones import get_zone_row, update_zone
from camnet.secretstore import CredentialCipher
from camnet.timeutil import format_local

STATE_VI = {"up": "hoạt động", "partly_down": "mất tín hiệu một phần", "down": "mất tín hiệu",
            "partly_no_data": "có lúc không có dữ liệu", "no_data": "không có dữ liệu",
            "poor_picture": "hình ảnh kém một phần", "maintenance": "bảo trì",
            "partly_maintenance": "bảo trì một phần"}
FOOTAGE_VI = {"available": "còn lưu", "at_risk": "sắp bị ghi đè", "partly_overwritten":
              "đã ghi đè một phần", "overwritten": "đã bị ghi đè", "not_recorded": "không ghi hình"}


def _read_json(path: str, field: str) -> Any:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read GeoJSON from {path}: {exc}", field) from exc


def _print_answer(answer: dict[str, Any]) -> None:
    q = answer["query"]
    click.echo(f"Who could have seen ({q['lat']}, {q['lon']}) between {format_local(q['from'])} and "
               f"{format_local(q['to'])} (tolerance {q['tolerance_m']} m): "
               f"{len(answer['cameras'])} camera(s)")
    for c in answer["cameras"]:
        st, ft = c["status"], c["footage"]
        status = f"{st['state']} ({STATE_VI[st['state']]})"
        if st["minutes_down"]:
            status += f", {st['minutes_down']} min down"
        if st["minutes_degraded"]:
            status += f", {st['minutes_degraded']} min poor picture"
        if st["minutes_maintenance"]:
            status += f", {st['minutes_maintenance']} min maintenance"
        if not c.get("monitored", True):
            status += ", not monitored (no stream URL)"
        if st["minutes_no_data"] and st["state"] != "no_data":
            status += f", {st['minutes_no_data']} min no data"
        footage = f"{ft['state']} ({FOOTAGE_VI[ft['state']]})"
        if ft["deadline"] and ft["state"] in ("available", "at_risk", "partly_overwritten"):
            footage += f" until {format_local(ft['deadline'])}"
        where = c["placement"] + (f" — {c['note']}" if c["note"] else "")
        click.echo(f"  #{c['camera_id']} {c['point']} / {c['camera']} [{c['zone_code']}]: "
                   f"{c['distance_m']} m at {c['bearing_deg']}°, {where}; {status}; footage {footage}")


def register(main: click.Group) -> None:
    """Add the coverage commands to the ``camnet`` group."""

    @main.command("who-saw")
    @click.argument("lat", type=float)
    @click.argument("lon", type=float)
    @click.argument("start", metavar="FROM")
    @click.argument("end", metavar="TO")
    @click.option("--tolerance", type=float, default=None, help="Metres of GPS error allowed.")
    @click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
    @click.pass_context
    def who_saw_cmd(ctx: click.Context, lat: float, lon: float, start: str, end: str,
                    tolerance: float | None, as_json: bool) -> None:
        """Cameras that could have seen LAT LON between FROM and TO (ISO; local time if no offset)."""
        config = load(ctx)

        async def work(db: Database, _c: CredentialCipher) -> dict[str, Any]:
            lo, hi = parse_window(start, end)
            return await who_saw(db, cli_principal(), lat=lat, lon=lon, start=lo, end=hi,
                                 settings=settings_from(config), tolerance_m=tolerance)

        answer = run_with_db(config, work)
        if as_json:
            click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        else:
            _print_answer(answer)

    @main.group()
    def coverage() -> None:
        """View cones, coverage per zone, streets and key points."""

    @coverage.command("report")
    @click.argument("zone", required=False)
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    @click.pass_context
    def report_cmd(ctx: click.Context, zone: str | None, as_json: bool) -> None:
        """Coverage of ZONE (default: the first top-level zone)."""
        config = load(ctx)
        report = run_with_db(config, lambda db, _c: zones.zone_report(db, cli_principal(), zone))
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for part in [report, *report.get("communes", [])]:
            _print_report(part)

    @coverage.command("export")
    @click.argument("zone")
    @click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
    @click.pass_context
    def export_cmd(ctx: click.Context, zone: str, output: str | None) -> None:
        """GeoJSON of ZONE's view sectors and coverage gaps."""
        config = load(ctx)
        data = run_with_db(config, lambda db, _c: zones.zone_geojson(db, cli_principal(), zone))
        text = json.dumps(data, ensure_ascii=False)
        if output:
            Path(output).write_text(text, "utf-8")
            click.echo(f"wrote {len(data['features'])} features to {output}")
        else:
            click.echo(text)

    @coverage.command("export-osm")
    @click.argument("zone")
    @click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
    @click.pass_context
    def export_osm_cmd(ctx: click.Context, zone: str, output: str | None) -> None:
        """ZONE's cameras as GeoJSON with OSM surveillance tags (no host details)."""
        config = load(ctx)
        data = run_with_db(config, lambda db, _c: osm.export_osm(db, cli_principal(), zone))
        text = json.dumps(data, ensure_ascii=False)
        if output:
            Path(output).write_text(text, "utf-8")
            click.echo(f"wrote {len(data['features'])} cameras to {output}")
        else:
            click.echo(text)

    @coverage.command("import-osm")
    @click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
    @click.option("--zone", "zone", required=True, help="Code of the zone the cameras go into.")
    @click.pass_context
    def import_osm_cmd(ctx: click.Context, path: str, zone: str) -> None:
        """Import cameras tagged man_made=surveillance (GeoJSON or OSM JSON) into --zone.

        All or nothing; every problem is listed. No personal tags are imported; the cameras
        have no stream URL and are not monitored until one is set.
        """
        config = load(ctx)
        text = Path(path).read_text("utf-8")
        report = run_with_db(config, lambda db, _c: osm_import.import_osm(
            db, cli_principal(), zone, osm_import.load_text(text), source=Path(path).name))
        for line in report.skipped:
            click.echo(f"  skipped {line}", err=True)
        if report.ignored_tags:
            click.echo(f"  left out (personal or not camnet's): {', '.join(report.ignored_tags)}",
                       err=True)
        click.echo(f"imported into {zone}: points {report.points_created} new,"
                   f" {report.points_updated} moved; cameras {report.cameras_created} new,"
                   f" {report.cameras_updated} updated (not monitored until given a stream URL)")

    @coverage.command("import-streets")
    @click.argument("zone")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.pass_context
    def import_streets_cmd(ctx: click.Context, zone: str, path: str) -> None:
        """Replace ZONE's street lines with the LineStrings of a GeoJSON file."""
        config = load(ctx)
        count = run_with_db(config, lambda db, _c: features.import_streets(
            db, cli_principal(), zone, _read_json(path, "path")))
        click.echo(f"imported {count} street line(s) into {zone}")

    @coverage.command("import-keypoints")
    @click.argument("zone")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.pass_context
    def import_keypoints_cmd(ctx: click.Context, zone: str, path: str) -> None:
        """Replace ZONE's key points with the Points of a GeoJSON file."""
        config = load(ctx)
        count = run_with_db(config, lambda db, _c: features.import_keypoints(
            db, cli_principal(), zone, _read_json(path, "path")))
        click.echo(f"imported {count} key point(s) into {zone}")

    @coverage.command("set-view")
    @click.argument("camera_id", type=int)
    @click.option("--min-range", type=float, default=None, help="Blind distance in metres.")
    @click.option("--height", type=float, default=None, help="Mounting height in metres.")
    @click.pass_context
    def set_view_cmd(ctx: click.Context, camera_id: int, min_range: float | None,
                     height: float | None) -> None:
        """Record CAMERA_ID's blind distance and mounting height (a new geometry version)."""
        config = load(ctx)
        run_with_db(config, lambda db, _c: views.set_view(
            db, cli_principal(), camera_id, min_range_m=min_range, height_m=height))
        click.echo(f"camera {camera_id}: min_range_m={min_range} height_m={height}")

    @coverage.command("import-boundary")
    @click.argument("zone")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.pass_context
    def import_boundary_cmd(ctx: click.Context, zone: str, path: str) -> None:
        """Set ZONE's boundary from a GeoJSON Polygon/MultiPolygon (Feature or geometry)."""
        config = load(ctx)

        async def work(db: Database, _c: CredentialCipher) -> None:
            row = await get_zone_row(db, cli_principal(), code=zone, field="zone")
            data = _read_json(path, "path")
            if isinstance(data, dict) and data.get("type") == "FeatureCollection":
                feats = data.get("features") or []
                if len(feats) != 1:
                    raise InvalidInput("give one boundary feature", "path")
                data = feats[0]
            await update_zone(db, cli_principal(), row["id"],
                              ZonePatch(boundary_geojson=json.dumps(data)))

        run_with_db(config, work)
        click.echo(f"boundary of {zone} set")


def _print_report(r: dict[str, Any]) -> None:
    click.echo(f"{r.get('zone_code')} {r.get('zone_name', '')} ({r.get('level', '')}):"
               f" {r.get('cameras_covering', 0)}/{r.get('cameras_total', 0)} cameras up and covering")
    if r.get("boundary_note"):
        click.echo(f"  {r['boundary_note']}")
    if r.get("streets"):
        s = r["streets"]
        click.echo(f"  streets: {s['pct']}% of {s['length_m']} m covered")
    if r.get("keypoints_total"):
        click.echo(f"  key points: {r['keypoints_covered']}/{r['keypoints_total']} covered")
        for k in r.get("keypoints", []):
            if not k["covered"]:
                click.echo(f"    uncovered: {k['name']} ({k['lat']}, {k['lon']})")
    if r.get("area"):
        a = r["area"]
        click.echo(f"  area: {a['pct']}% ({a['label']})")
    if r.get("cameras_no_view"):
        click.echo(f"  {r['cameras_no_view']} camera(s): {r['no_view_note']}")


register(main)
