"""The ``camnet`` group and what every command shares: config loading and a database run."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from camnet.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from camnet.db import Database, open_database
from camnet.errors import CamnetError
from camnet.logsetup import setup_logging
from camnet.registry.formats import ImportFailed
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import set_display_timezone

T = TypeVar("T")
CONFIG_ENV = "CAMNET_CONFIG"


def config_path(explicit: str | None) -> Path | None:
    """The config file to read: ``--config``, then ``$CAMNET_CONFIG``, then the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def load(ctx: click.Context) -> Config:
    """Load and validate the config named on the command line; set up logging and time zone."""
    try:
        config = load_config(config_path(ctx.obj.get("config_path")))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    setup_logging(config.logging.level)
    set_display_timezone(config.ui.timezone)
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
    except ImportFailed as exc:
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
