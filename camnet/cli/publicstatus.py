"""``camnet status-page enable|disable|list|notice``: public status pages per commune."""

from __future__ import annotations

from typing import Any

import click

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.hosts import public_store
from camnet.secretstore import CredentialCipher
from camnet.timeutil import format_local


@main.group("status-page")
def status_page() -> None:
    """Public status page per commune at /trang-thai/ZONE (no login)."""


def _set(ctx: click.Context, zone: str, enabled: bool) -> None:
    config = load(ctx)

    async def work(db: Database, cipher: CredentialCipher) -> public_store.PublicPage:
        return await public_store.set_enabled(db, cli_principal(), zone, enabled)

    page = run_with_db(config, work)
    state = "enabled" if page.enabled else "disabled"
    click.echo(f"{page.zone_code} ({page.zone_name}): public page {state} at "
               f"/trang-thai/{page.zone_code}")


@status_page.command("enable")
@click.argument("zone")
@click.pass_context
def enable(ctx: click.Context, zone: str) -> None:
    """Publish the status page of commune (or hamlet) ZONE."""
    _set(ctx, zone, True)


@status_page.command("disable")
@click.argument("zone")
@click.pass_context
def disable(ctx: click.Context, zone: str) -> None:
    """Take the status page of ZONE down (it then answers 404, like an unknown zone)."""
    _set(ctx, zone, False)


@status_page.command("list")
@click.pass_context
def list_pages(ctx: click.Context) -> None:
    """Communes and hamlets with their page setting."""
    config = load(ctx)

    async def work(db: Database, cipher: CredentialCipher) -> list[public_store.PublicPage]:
        return await public_store.list_pages(db, cli_principal())

    for page in run_with_db(config, work):
        mark = "on " if page.enabled else "off"
        click.echo(f"{mark} {page.zone_code:<24} {page.level:<8} {page.zone_name}")


@status_page.group("notice")
def notice() -> None:
    """Notices on a public status page (no names, phones or addresses)."""


@notice.command("add")
@click.argument("zone")
@click.argument("text")
@click.option("--from", "starts_at", help="ISO-8601 start (local time if no offset); default now.")
@click.option("--until", "ends_at", help="ISO-8601 end; default: until ended.")
@click.pass_context
def notice_add(ctx: click.Context, zone: str, text: str, starts_at: str | None,
               ends_at: str | None) -> None:
    """Add notice TEXT to the page of ZONE."""
    config = load(ctx)

    async def work(db: Database, cipher: CredentialCipher) -> public_store.Notice:
        return await public_store.add_notice(db, cli_principal(), zone, text, starts_at, ends_at)

    added = run_with_db(config, work)
    until = f" until {format_local(added.ends_at)}" if added.ends_at else ""
    click.echo(f"notice #{added.id} on {added.zone_code} from {format_local(added.starts_at)}"
               f"{until}")


@notice.command("list")
@click.argument("zone")
@click.pass_context
def notice_list(ctx: click.Context, zone: str) -> None:
    """Every notice of ZONE, newest first."""
    config = load(ctx)

    async def work(db: Database, cipher: CredentialCipher) -> list[public_store.Notice]:
        return await public_store.list_notices(db, cli_principal(), zone)

    for n in run_with_db(config, work):
        until = format_local(n.ends_at) if n.ends_at else "…"
        click.echo(f"#{n.id:<4} {format_local(n.starts_at)} → {until}  {n.text}")


@notice.command("end")
@click.argument("notice_id", type=int)
@click.pass_context
def notice_end(ctx: click.Context, notice_id: int) -> None:
    """End notice NOTICE_ID now (it stays visible as resolved for a few days)."""
    config = load(ctx)

    async def work(db: Database, cipher: CredentialCipher) -> Any:
        return await public_store.update_notice(db, cli_principal(), notice_id, end_now=True)

    ended = run_with_db(config, work)
    click.echo(f"notice #{ended.id} ended at {format_local(ended.ends_at)}")


@notice.command("delete")
@click.argument("notice_id", type=int)
@click.pass_context
def notice_delete(ctx: click.Context, notice_id: int) -> None:
    """Delete notice NOTICE_ID."""
    config = load(ctx)

    async def work(db: Database, cipher: CredentialCipher) -> None:
        await public_store.delete_notice(db, cli_principal(), notice_id)

    run_with_db(config, work)
    click.echo(f"notice #{notice_id} deleted")
