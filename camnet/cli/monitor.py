"""``camnet probe`` and ``camnet report uptime``: the monitor."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.registry.cameras import camera_labels
from camnet.registry.zones import get_zone_row
from camnet.secretstore import CredentialCipher
from camnet.timeutil import display_timezone_name, format_duration, format_local

_PAIR_GAP_S = 3.0  # a one-shot probe without a stored fingerprint grabs twice, this far apart


@main.command()
@click.option("--camera", "camera_id", type=int, help="Only this camera.")
@click.option("--zone", "zone_code", help="Only cameras in this zone and below.")
@click.option("--no-frames", is_flag=True, help="Tier 1 only: skip the OpenCV frame check.")
@click.pass_context
def probe(ctx: click.Context, camera_id: int | None, zone_code: str | None, no_frames: bool) -> None:
    """Run one probe cycle now and print a table (records results like the service)."""
    from concurrent.futures import ThreadPoolExecutor

    from camnet.monitor.service import MonitorService

    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        actor = cli_principal()
        path = "/"
        if zone_code:
            path = (await get_zone_row(database, actor, code=zone_code, field="zone"))["path"]
        with ThreadPoolExecutor(config.monitor.tier2_workers) as pool:
            service = MonitorService(database, cipher, config.monitor, pool)
            report = await service.run_cycle(
                camera_ids=[camera_id] if camera_id is not None else None, zone_path=path,
                spread_s=0, force_tier2=not no_frames, tier2=not no_frames,
                wait_tier2=True, pair_gap_s=_PAIR_GAP_S,
            )
        names = await camera_labels(database, [o.target.camera_id for o in report.outcomes])
        return report, names

    report, names = run_with_db(config, work)
    if camera_id is not None and report.cameras == 0:
        raise click.ClickException(f"camera {camera_id} does not exist or is disabled")
    click.echo(f"{'id':>4}  {'point / camera':<44} {'result':<15} {'ms':>7}  {'picture':<9} status")
    for o in sorted(report.outcomes, key=lambda o: o.target.camera_id):
        point, name = names.get(o.target.camera_id, ("?", "?"))
        label = f"{point} / {name}"[:44]
        picture = o.frame.health if o.frame else "-"
        if o.frame and o.frame.cause:
            picture = f"{picture} ({o.frame.cause})"  # why no frame: read_timeout, deadline…
        latency = f"{o.result.latency_ms:.0f}" if o.result.latency_ms is not None else "-"
        status = o.state.status if o.state else "?"
        click.echo(f"{o.target.camera_id:>4}  {label:<44} {o.result.status!s:<15} {latency:>7}  "
                   f"{picture:<9} {status}")
    decoded = sum(o.frame.frames for o in report.outcomes if o.frame)
    click.echo(f"{report.completed}/{report.cameras} cameras in {report.duration_ms / 1000:.1f} s, "
               f"{decoded} frames decoded ({report.grabbed} checks), "
               f"{len(report.transitions)} status changes")


@main.group()
def report() -> None:
    """Reports."""


@report.command("uptime")
@click.option("--zone", "zone_code", help="Zone code (default: everything).")
@click.option("--period", type=click.Choice(["24h", "7d", "30d"]), default=None,
              help="Window ending now (default 24h) when --from is not given.")
@click.option("--from", "start", help="ISO-8601 start; local Asia/Ho_Chi_Minh if no offset.")
@click.option("--to", "end", help="ISO-8601 end (default now).")
@click.option("--group", type=click.Choice(["camera", "point", "zone"]), default="camera")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
def report_uptime(ctx: click.Context, zone_code: str | None, period: str | None,
                  start: str | None, end: str | None, group: str, fmt: str) -> None:
    """Availability and usable-picture time per camera, point or zone (watched time only)."""
    from camnet.monitor.uptime import uptime_report

    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> dict[str, Any]:
        report = await uptime_report(database, cli_principal(), period=period, start=start,
                                     end=end, zone_code=zone_code, group=group)  # type: ignore[arg-type]
        return report.as_dict()

    body = run_with_db(config, work)
    if fmt == "json":
        click.echo(json.dumps(body, ensure_ascii=False, indent=1))
        return
    items = body["items"]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(items[0]) if items else ["key"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
        return

    click.echo(f"uptime {format_local(body['window_from'])} → {format_local(body['window_to'])}"
               f" ({display_timezone_name()})")
    click.echo("available = stream reachable, usable = reachable with a good picture;"
               " both over watched time only")
    click.echo(f"{'':<40} {'avail %':>8} {'usable %':>8} {'watched%':>8} {'down':>8}"
               f" {'degraded':>8} {'no data':>8} {'outages':>7}")

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    for item in [*items, {"label": "overall", "uptime_pct": body["overall_pct"],
                          "usable_pct": body["overall_usable_pct"],
                          "watched_pct": body["overall_watched_pct"],
                          **{k: sum(i[k] for i in items)
                             for k in ("down_s", "degraded_s", "no_data_s", "outages")}}]:
        click.echo(f"{item['label'][:40]:<40} {pct(item['uptime_pct']):>8}"
                   f" {pct(item['usable_pct']):>8} {pct(item['watched_pct']):>8}"
                   f" {format_duration(item['down_s'], 'en'):>8}"
                   f" {format_duration(item['degraded_s'], 'en'):>8}"
                   f" {format_duration(item['no_data_s'], 'en'):>8} {item['outages']:>7}")


