"""``camnet zone add`` and ``camnet zone list``: zones from the command line.

On a fresh install there is no user yet (every user is bound to a zone), so the local
operator creates the first zone here, then the first admin (``camnet user add … --zone``).
"""

from __future__ import annotations

from typing import Any

import click
from pydantic import ValidationError

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.registry.models import LEVEL_RANK, ZoneIn
from camnet.registry.zone_switch import set_zone_disabled
from camnet.registry.zones import create_zone, get_zone_row, list_zones
from camnet.secretstore import CredentialCipher


@main.group()
def zone() -> None:
    """Zones (province › district › commune › hamlet)."""


@zone.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--level", type=click.Choice(list(LEVEL_RANK)), required=True,
              help="Administrative level of the new zone.")
@click.option("--parent", "parent_code", help="Parent zone code (none: a top-level zone).")
@click.pass_context
def zone_add(ctx: click.Context, code: str, name: str, level: str, parent_code: str | None) -> None:
    """Create a zone; without --parent a top-level one (e.g. the first zone of an install)."""
    config = load(ctx)
    try:
        data = ZoneIn(code=code, name=name, level=level, parent_code=parent_code)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise click.ClickException(
            f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        return await create_zone(database, cli_principal(), data)

    created = run_with_db(config, work)
    click.echo(f"zone {created.code} ({created.level}) created, id {created.id}")


@zone.command("list")
@click.pass_context
def zone_list(ctx: click.Context) -> None:
    """List every zone, parents before children."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        return await list_zones(database, cli_principal())

    for z in run_with_db(config, work):
        click.echo(f"{z.code:<24} {z.level:<9} {z.name}{'  (off)' if z.disabled_at else ''}")


def _switch(ctx: click.Context, code: str, disabled: bool) -> None:
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        root = cli_principal()
        row = await get_zone_row(database, root, code=code, field="code")
        return await set_zone_disabled(database, root, row["id"], disabled)

    zone_out, switched = run_with_db(config, work)
    state = "off" if disabled else "on"
    click.echo(f"zone {zone_out.code} switched {state}; {switched} camera(s) switched {state}")


@zone.command("disable")
@click.argument("code")
@click.pass_context
def zone_disable(ctx: click.Context, code: str) -> None:
    """Switch a zone off: its cameras stop being probed, no new points; history stays."""
    _switch(ctx, code, True)


@zone.command("enable")
@click.argument("code")
@click.pass_context
def zone_enable(ctx: click.Context, code: str) -> None:
    """Switch a zone back on: the cameras its disabling switched off resume."""
    _switch(ctx, code, False)
