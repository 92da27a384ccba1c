"""``camnet requests …``, ``camnet evidence …`` and ``camnet audit …``: evidence."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.config import Config
from camnet.db import Database
from camnet.secretstore import CredentialCipher
from camnet.timeutil import format_local


@main.group()
def requests() -> None:
    """Footage-extraction requests."""


@requests.command("at-risk")
@click.option("--hours", type=float, default=None,
              help="Warn window (default evidence.at_risk_hours).")
@click.pass_context
def requests_at_risk(ctx: click.Context, hours: float | None) -> None:
    """Open requests whose footage a recorder overwrites soon; exit 3 if there are any."""
    from camnet.evidence.requests import at_risk

    config = load(ctx)
    limit = hours if hours is not None else config.evidence.at_risk_hours
    found = run_with_db(config, lambda database, _: at_risk(database, cli_principal(), limit))
    if not found:
        click.echo(f"no open request is overwritten within {limit:g} h")
        return
    for req in found:
        click.echo(f"request {req.id} ({req.case_no}, {req.status}):")
        for cam in req.cameras:
            if cam.at_risk:
                click.echo(f"  {cam.point} / {cam.camera}: overwritten {format_local(cam.overwrite_deadline)}"
                           f" (in {cam.hours_left:.1f} h)")
    ctx.exit(3)


@main.group()
def evidence() -> None:
    """Evidence items and their chain of custody."""


def _print_verification(name: str, result: dict[str, Any]) -> None:
    if result["ok"]:
        click.echo(f"{name}: OK, {result['rows_checked']} rows verified")
        return
    raise click.ClickException(
        f"{name}: BROKEN at row {result['first_bad_id']} ({result['reason']}); "
        f"{result['rows_checked']} rows checked")


@evidence.command("verify")
@click.argument("request_id", type=int, required=False)
@click.pass_context
def evidence_verify(ctx: click.Context, request_id: int | None) -> None:
    """Recompute the custody chain and re-hash stored files (all, or REQUEST's)."""
    from camnet.evidence.blobstore import BlobCorrupted, BlobStore
    from camnet.evidence.items import custody_log, list_items
    from camnet.evidence.verify import verify_custody

    config = load(ctx)
    store = BlobStore(config.data_dir / "evidence", config.evidence.upload_max_bytes)
    bad_files = 0

    async def work(database: Database, _: CredentialCipher) -> dict[str, Any]:
        nonlocal bad_files
        result = await verify_custody(config)
        if request_id is None:  # re-hash every stored file, with a progress bar
            bad_files += await asyncio.to_thread(_rehash_all_files, config, store)
            return result
        found = await list_items(database, cli_principal(), request_id)
        log = await custody_log(database, cli_principal(), [i.id for i in found])
        bad = result["first_bad_id"]
        for item in found:
            events = [e for e in log if e["item_id"] == item.id]
            broken = bad is not None and any(e["id"] >= bad for e in events)
            state = "held elsewhere (hash only)"
            if item.stored:
                try:
                    await store.open_verified(item.sha256)
                    state = "file OK"
                except (BlobCorrupted, FileNotFoundError) as exc:
                    state = f"FILE DOES NOT MATCH ({exc})"
                    bad_files += 1
            click.echo(f"item {item.id} {item.filename} sha256={item.sha256} {state}; "
                       f"{len(events)} custody events{' (AFFECTED)' if broken else ''}")
        return result

    _print_verification("custody chain", run_with_db(config, work))
    if bad_files:
        raise click.ClickException(f"{bad_files} stored file(s) no longer match their hash")


def _rehash_all_files(config: Config, store: Any) -> int:
    from camnet.evidence.filecheck import check_all, stored_items

    total = sum(size for _sha, size, _ids in stored_items(config.database_path))
    with click.progressbar(length=total, label="re-hashing stored files",
                           file=sys.stderr) as bar:
        found = check_all(config.database_path, store, bar.update)
    for message in found.bad:
        click.echo(message, err=True)
    click.echo(f"stored files: {found.files} re-hashed, {len(found.bad)} bad")
    return len(found.bad)


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Recompute the audit log's hash chain; exit 1 naming the first bad row."""
    from camnet.evidence.verify import verify_audit

    config = load(ctx)
    _print_verification("audit log", run_with_db(config, lambda _db, _c: verify_audit(config)))
