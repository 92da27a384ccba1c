"""``camnet db …``: migrations and backups."""

from __future__ import annotations

from pathlib import Path

import click

from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.secretstore import CredentialCipher


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("migrate")
@click.pass_context
def db_migrate(ctx: click.Context) -> None:
    """Apply pending migrations (a backup is taken first)."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> int:
        return await database.schema_version()

    version = run_with_db(config, work)
    click.echo(f"database {config.database_path} at schema version {version}")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def db_backup(ctx: click.Context, path: Path) -> None:
    """Copy the live database to PATH with SQLite's online backup API."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Path:
        try:
            return await database.backup(path)
        except FileExistsError as exc:
            raise click.ClickException(str(exc)) from exc

    click.echo(f"backup written to {run_with_db(config, work)}")


