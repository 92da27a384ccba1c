"""The ``camnet`` command line: the same functions the web app uses."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from camnet.app import create_app, open_database
from camnet.auth import users
from camnet.auth.principal import ROLES, cli_principal
from camnet.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from camnet.db import Database
from camnet.errors import CamnetError
from camnet.logsetup import setup_logging
from camnet.registry import transfer
from camnet.registry.zones import get_zone_row
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets

T = TypeVar("T")
CONFIG_ENV = "CAMNET_CONFIG"


def _config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def _load(ctx: click.Context) -> Config:
    try:
        config = load_config(_config_path(ctx.obj.get("config_path")))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    setup_logging(config.logging.level)
    return config


def run_with_db(config: Config, work: Callable[[Database, CredentialCipher], Awaitable[T]]) -> T:
    """Open the database (migrating it), run ``work`` and close; user errors exit 1."""

    async def main() -> T:
        db = await open_database(config)
        try:
            cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
            return await work(db, cipher)
        finally:
            await db.close()

    try:
        return asyncio.run(main())
    except transfer.ImportFailed as exc:
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        raise click.ClickException(exc.message) from exc
    except CamnetError as exc:
        where = f" [{exc.field}]" if exc.field else ""
        raise click.ClickException(f"{exc.message}{where}") from exc


@click.group()
@click.option("--config", "config_path", metavar="PATH",
              help=f"Config file (default: ${CONFIG_ENV} or {DEFAULT_CONFIG_PATH}).")
@click.version_option(package_name="camnet")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """camnet: registry and liveness monitor for community security cameras."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


@main.command()
@click.option("--host", help="Override server.host.")
@click.option("--port", type=int, help="Override server.port.")
@click.option("--sample", is_flag=True, help="Load the fictional Phú Mỹ sample data if absent.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, sample: bool) -> None:
    """Run the web service (API, pages, monitor)."""
    from aiohttp import web

    config = _load(ctx)
    overrides: dict[str, Any] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    if overrides:
        config = config.model_copy(update={"server": config.server.model_copy(update=overrides)})
    if sample:
        loaded = run_with_db(config, load_sample)
        if loaded.loaded:
            click.echo(f"loaded SAMPLE data: {loaded.points} points, {loaded.cameras} cameras; "
                       "demo login admin / camnet-demo")
    app = create_app(config)
    ssl_context = None
    if config.server.tls_cert:
        import ssl

        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(config.server.tls_cert, config.server.tls_key or None)
    scheme = "https" if ssl_context else "http"
    click.echo(f"camnet listening on {scheme}://{config.server.host}:{config.server.port}/")
    web.run_app(app, host=config.server.host, port=config.server.port, ssl_context=ssl_context,
                print=None)


@main.command("check-config")
@click.argument("path", required=False)
@click.pass_context
def check_config(ctx: click.Context, path: str | None) -> None:
    """Validate a config file and print the effective settings (secrets masked)."""
    try:
        config = load_config(Path(path) if path else _config_path(ctx.obj.get("config_path")))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    data = config.model_dump(mode="json")
    data["notify"]["webhook_url"] = _mask_webhook(data["notify"]["webhook_url"])
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    click.echo("secrets: credentials key and session key come from $CAMNET_CREDENTIALS_KEY / "
               f"$CAMNET_SESSION_KEY or files in {config.data_dir} (not shown)", err=True)
    click.echo("config OK", err=True)


def _mask_webhook(url: str) -> str:
    from urllib.parse import urlsplit

    if not url:
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}/***"


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("migrate")
@click.pass_context
def db_migrate(ctx: click.Context) -> None:
    """Apply pending migrations (a backup is taken first)."""
    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> int:
        return await database.schema_version()

    version = run_with_db(config, work)
    click.echo(f"database {config.database_path} at schema version {version}")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def db_backup(ctx: click.Context, path: Path) -> None:
    """Copy the live database to PATH with SQLite's online backup API."""
    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Path:
        try:
            return await database.backup(path)
        except FileExistsError as exc:
            raise click.ClickException(str(exc)) from exc

    click.echo(f"backup written to {run_with_db(config, work)}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "geojson"]), default="auto")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, fmt: str) -> None:
    """Import points and cameras from CSV or GeoJSON (all or nothing)."""
    config = _load(ctx)
    if fmt == "auto":
        fmt = "geojson" if file.suffix.lower() in (".geojson", ".json") else "csv"
    text = file.read_text("utf-8")

    def progress(line: str) -> None:
        click.echo(f"  … {line}", err=True)

    async def work(database: Database, cipher: CredentialCipher) -> transfer.ImportReport:
        reader = transfer.read_geojson_rows if fmt == "geojson" else transfer.read_csv_rows
        return await transfer.import_rows(
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
    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> str:
        actor = cli_principal()
        path = None
        if zone_code:
            path = (await get_zone_row(database, actor, code=zone_code, field="zone"))["path"]
        rows = await transfer.export_rows(database, actor, path)
        if fmt == "csv":
            return transfer.to_csv(rows)
        return json.dumps(transfer.to_geojson(rows), ensure_ascii=False, indent=1) + "\n"

    text = run_with_db(config, work)
    if output:
        output.write_text(text, "utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--zone", "zone_code", required=True, help="Zone code the user is bound to.")
@click.option("--full-name", default="")
@click.option("--password-env", metavar="VAR",
              help="Read the password from this environment variable instead of a prompt.")
@click.pass_context
def user_add(ctx: click.Context, username: str, role: str, zone_code: str, full_name: str,
             password_env: str | None) -> None:
    """Add a user bound to a zone."""
    config = _load(ctx)
    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            raise click.ClickException(f"environment variable {password_env} is empty")
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise click.ClickException("passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")

    async def work(database: Database, cipher: CredentialCipher) -> int:
        return await users.add_user(database, cli_principal(), username=username, password=password,
                                    role=role, zone_code=zone_code, full_name=full_name)

    click.echo(f"user {username} added (id {run_with_db(config, work)})")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List users."""
    config = _load(ctx)
    rows = run_with_db(config, lambda database, _: users.list_users(database, cli_principal()))
    click.echo(f"{'username':<20} {'role':<13} {'zone':<20} state")
    for row in rows:
        state = "disabled" if row.disabled else "active"
        click.echo(f"{row.username:<20} {row.role:<13} {row.zone_code:<20} {state}")


@user.command("disable")
@click.argument("username")
@click.pass_context
def user_disable(ctx: click.Context, username: str) -> None:
    """Disable a user: their sessions and tokens stop working."""
    config = _load(ctx)
    run_with_db(config, lambda database, _: users.set_disabled(database, cli_principal(), username))
    click.echo(f"user {username} disabled")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="script", help="What the token is for.")
@click.pass_context
def token_create(ctx: click.Context, username: str, name: str) -> None:
    """Create an API token for USERNAME; it is printed once and stored only hashed."""
    config = _load(ctx)
    value = run_with_db(
        config, lambda database, _: users.create_token(database, cli_principal(), username, name)
    )
    click.echo(value)
    click.echo("store it now: it cannot be shown again. Send it as 'Authorization: Bearer …'",
               err=True)


@main.group()
def sample() -> None:
    """Sample data."""


@sample.command("load")
@click.pass_context
def sample_load(ctx: click.Context) -> None:
    """Load the fictional Phú Mỹ commune (24 points, 28 cameras) if it is not there."""
    config = _load(ctx)
    loaded = run_with_db(config, load_sample)
    if loaded.loaded:
        click.echo(f"loaded SAMPLE data: {loaded.zones} zones, {loaded.points} points, "
                   f"{loaded.cameras} cameras, {loaded.users} users (password camnet-demo)")
    else:
        click.echo("sample data already present")
