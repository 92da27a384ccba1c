"""``camnet import``, ``camnet export`` and ``camnet zone …``: the registry."""

from __future__ import annotations

import json
from pathlib import Path

import click

from camnet.audit import record_personal_read
from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.registry import formats, importer
from camnet.registry.zones import get_zone_row
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "geojson"]), default="auto")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, fmt: str) -> None:
    """Import points and cameras from CSV or GeoJSON (all or nothing)."""
    config = load(ctx)
    if fmt == "auto":
        fmt = "geojson" if file.suffix.lower() in (".geojson", ".json") else "csv"
    text = file.read_text("utf-8")

    def progress(line: str) -> None:
        click.echo(f"  … {line}", err=True)

    async def work(database: Database, cipher: CredentialCipher) -> importer.ImportReport:
        reader = formats.read_geojson_rows if fmt == "geojson" else formats.read_csv_rows
        return await importer.import_rows(
            database, cli_principal(), cipher, reader(text), source=file.name, progress=progress
        )

    report = run_with_db(config, work)
    click.echo(
        f"imported {report.rows} rows: points {report.points_created} new, "
        f"{report.points_updated} updated; cameras {report.cameras_created} new, "
        f"{report.cameras_updated} updated"
    )


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson"]), default="csv")
@click.option("--zone", "zone_code", help="Only this zone and its sub-zones.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to a file instead of standard output.")
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, zone_code: str | None, output: Path | None) -> None:
    """Export points and cameras (passwords are never exported)."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> str:
        actor = cli_principal()
        path = None
        if zone_code:
            path = (await get_zone_row(database, actor, code=zone_code, field="zone"))["path"]
        rows = await importer.export_rows(database, actor, path)
        shown = sum(1 for r in rows if r["host_name"] or r["host_phone"])
        await record_personal_read(database, actor, "camera_point", [],
                                         {"export": fmt, "zone": zone_code or "*", "rows": shown})
        if fmt == "csv":
            return formats.to_csv(rows)
        return json.dumps(formats.to_geojson(rows), ensure_ascii=False, indent=1) + "\n"

    text = run_with_db(config, work)
    if output:
        output.write_text(text, "utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.group()
def sample() -> None:
    """Sample data."""


@sample.command("load")
@click.pass_context
def sample_load(ctx: click.Context) -> None:
    """Load the fictional Phú Mỹ commune (24 points, 28 cameras) if it is not there."""
    config = load(ctx)
    loaded = run_with_db(config, load_sample)
    if loaded.loaded:
        click.echo(f"loaded SAMPLE data: {loaded.zones} zones, {loaded.points} points, "
                   f"{loaded.cameras} cameras, {loaded.users} users (password camnet-demo)")
    else:
        click.echo("sample data already present")


