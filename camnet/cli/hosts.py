"""``camnet hosts …``: consent texts, registrations and hosts' private links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.hosts import consent, links, registrations
from camnet.secretstore import CredentialCipher, load_secrets


@main.group()
def hosts() -> None:
    """Hosts: consent texts, registrations, private links."""


@hosts.group("consent")
def consent_group() -> None:
    """The versioned consent text ("cam kết chia sẻ dữ liệu")."""


@consent_group.command("show")
@click.option("--version", "version", type=int, help="A given version (default: the newest).")
@click.pass_context
def consent_show(ctx: click.Context, version: int | None) -> None:
    """Print a version of the consent text."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        if version is None:
            return await consent.current_text(database)
        return await consent.get_text(database, version)

    text = run_with_db(config, work)
    click.echo(f"# version {text.version}, {text.created_at}\n{text.body}")


@consent_group.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def consent_add(ctx: click.Context, path: Path) -> None:
    """Store the text in PATH as a new version (new registrations agree to it; old rows keep theirs)."""
    config = load(ctx)
    body = path.read_text("utf-8")

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        return await consent.add_text(database, cli_principal(), body)

    click.echo(f"consent text version {run_with_db(config, work)} stored")


@hosts.command("list")
@click.option("--status", default="pending", show_default=True,
              help="pending, changes_requested, approved, rejected, withdrawn or all.")
@click.pass_context
def hosts_list(ctx: click.Context, status: str) -> None:
    """List registrations (every zone)."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        return await registrations.review_queue(database, cli_principal(),
                                                status=None if status == "all" else status)

    for r in run_with_db(config, work):
        click.echo(f"{r['id']}\t{r['status']}\t{r['zone_code']}\t{r['point_name']}\t{r['created_at']}")


@hosts.command("link")
@click.argument("registration_id", type=int)
@click.option("--revoke", is_flag=True, help="Only revoke every link of the registration.")
@click.pass_context
def hosts_link(ctx: click.Context, registration_id: int, revoke: bool) -> None:
    """Issue a new private link for a host (earlier links stop working), or --revoke them all."""
    config = load(ctx)
    key = links.derive_key(load_secrets(config.data_dir).session_key, "link")

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        if revoke:
            return await registrations.revoke_links(database, cli_principal(), registration_id)
        return await registrations.reissue_link(database, cli_principal(), key, registration_id,
                                                config.hosts.link_days)

    result = run_with_db(config, work)
    if revoke:
        click.echo(f"{result} link(s) revoked")
    else:
        click.echo(f"{config.alerts.public_url.rstrip('/')}/chu-camera/{result}")
