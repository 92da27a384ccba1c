"""``camnet maintenance add|list|edit|cancel``: maintenance windows from the command line."""

from __future__ import annotations

from typing import Any

import click

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.monitor import maintenance as mw
from camnet.secretstore import CredentialCipher
from camnet.timeutil import display_timezone_name, format_local


@main.group()
def maintenance() -> None:
    """Maintenance windows (no outages, excluded from uptime)."""


def _show(window: mw.Window) -> str:
    repeat = " weekly" if window.weekly else ""
    if window.weekly and window.repeat_until:
        repeat += f" until {format_local(window.repeat_until)}"
    state = " CANCELLED" if window.cancelled_at else ""
    return (f"#{window.id:<4} {window.target} {window.target_id} ({window.target_label[:30]}) "
            f"{format_local(window.starts_at)} → {format_local(window.ends_at)}{repeat}{state}"
            f"  {window.reason}")


@maintenance.command("add")
@click.option("--camera", "camera_id", type=int, help="For this camera.")
@click.option("--point", "point_id", type=int, help="For every camera of this point.")
@click.option("--zone", "zone_code", help="For every camera of this zone and below.")
@click.option("--from", "start", required=True, help="ISO-8601 start (local time if no offset).")
@click.option("--to", "end", required=True, help="ISO-8601 end.")
@click.option("--reason", default="", help="Shown on the board.")
@click.option("--weekly", is_flag=True, help="Repeat every 7 days at the same local time.")
@click.option("--until", "repeat_until", help="Weekly: no occurrence from this time on.")
@click.pass_context
def add(ctx: click.Context, camera_id: int | None, point_id: int | None, zone_code: str | None,
        start: str, end: str, reason: str, weekly: bool, repeat_until: str | None) -> None:
    """Schedule maintenance for one camera, a point or a zone (give exactly one)."""
    from camnet.registry.zones import get_zone_row

    given = [x for x in (camera_id, point_id, zone_code) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --camera, --point, --zone")
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        actor = cli_principal()
        if zone_code is not None:
            target, target_id = "zone", int((await get_zone_row(
                database, actor, code=zone_code, field="zone"))["id"])
        elif point_id is not None:
            target, target_id = "point", point_id
        else:
            target, target_id = "camera", int(camera_id or 0)
        window_id = await mw.add_window(database, actor, target=target,  # type: ignore[arg-type]
                                        target_id=target_id, starts_at=start, ends_at=end,
                                        reason=reason, weekly=weekly, repeat_until=repeat_until)
        return [w for w in await mw.list_windows(database, actor, include_past=True)
                if w.id == window_id][0]

    click.echo(_show(run_with_db(config, work)))


@maintenance.command("list")
@click.option("--all", "include_past", is_flag=True, help="Also cancelled and finished ones.")
@click.pass_context
def list_cmd(ctx: click.Context, include_past: bool) -> None:
    """List maintenance windows (times in the display time zone)."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        return await mw.list_windows(database, cli_principal(), include_past=include_past)

    windows = run_with_db(config, work)
    click.echo(f"maintenance windows ({display_timezone_name()})")
    for window in windows:
        click.echo(_show(window))
    if not windows:
        click.echo("none")


@maintenance.command("edit")
@click.argument("window_id", type=int)
@click.option("--from", "start", help="New start.")
@click.option("--to", "end", help="New end.")
@click.option("--reason", help="New reason.")
@click.option("--until", "repeat_until", help="Weekly: new end of the repetition.")
@click.pass_context
def edit(ctx: click.Context, window_id: int, start: str | None, end: str | None,
         reason: str | None, repeat_until: str | None) -> None:
    """Change a window."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        return await mw.update_window(database, cli_principal(), window_id, starts_at=start,
                                      ends_at=end, reason=reason, repeat_until=repeat_until)

    click.echo(_show(run_with_db(config, work)))


@maintenance.command("cancel")
@click.argument("window_id", type=int)
@click.pass_context
def cancel(ctx: click.Context, window_id: int) -> None:
    """Cancel a window now (time already in maintenance stays so)."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        return await mw.cancel_window(database, cli_principal(), window_id)

    click.echo(_show(run_with_db(config, work)))
