"""CLI commands for evidence integrity: ``camnet chain anchor|verify``, ``camnet evidence fsck``.

Registered on the main group by :func:`register` (one line at the end of ``camnet/cli.py``).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click

from camnet.cli import evidence as evidence_commands  # the group that fsck joins
from camnet.cli.base import load, main
from camnet.config import Config
from camnet.evidence import anchors


def _config(ctx: click.Context) -> Config:
    return load(ctx.find_root())


def _migrated(config: Config) -> None:
    """Open (and migrate) the database once, so the read-only checks see the schema."""
    from camnet.db import open_database
    from camnet.evidence.guards import ensure_guards

    async def run() -> None:
        db = await open_database(config)
        try:
            await ensure_guards(db)
        finally:
            await db.close()

    asyncio.run(run())


def register(main: click.Group) -> None:
    """Add the ``chain`` group and ``evidence fsck`` to the ``camnet`` command."""

    @main.group("chain")
    def chain_group() -> None:
        """Hash chains (custody, audit) and their signed external anchors."""

    @chain_group.command("anchor")
    @click.pass_context
    def chain_anchor(ctx: click.Context) -> None:
        """Sign the current head of each chain and append it to the anchor log."""
        config = _config(ctx)
        _migrated(config)
        written = asyncio.run(anchors.anchor_now(config))
        for a in written:
            click.echo(f"{a.chain}: row {a.seq} head {a.head} at {a.at} key {a.key_id}")
        click.echo(f"appended to {anchors.log_path(config)}")

    @chain_group.command("verify")
    @click.option("--anchors", "anchors_file", type=click.Path(path_type=Path, dir_okay=False),
                  help="Anchor log to check against (default: the configured one).")
    @click.option("--public-key", metavar="HEX",
                  help="Anchor public key (64 hex digits) as published; default: the local key.")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    @click.pass_context
    def chain_verify(ctx: click.Context, anchors_file: Path | None, public_key: str | None,
                     as_json: bool) -> None:
        """Recompute both chains and prove they extend every anchor; exit 1 naming any breach.

        Breaches are named: truncation, rehashing, rollback, bad_signature,
        anchor_log_edited, chain_broken.
        """
        config = _config(ctx)
        _migrated(config)
        try:
            report = anchors.verify_with_config(config, anchors_file, public_key)
        except (FileNotFoundError, ValueError) as exc:
            raise click.ClickException(f"{exc} [--anchors]") from exc
        if as_json:
            click.echo(json.dumps({"ok": report.ok, "anchors_checked": report.anchors_checked,
                                   "chains": report.chains,
                                   "findings": [_finding(f) for f in report.findings]},
                                  ensure_ascii=False, indent=1))
        else:
            for name, info in report.chains.items():
                click.echo(f"{name} chain: {info['rows_checked']} rows, last row {info['last_id']}")
            click.echo(f"anchors checked: {report.anchors_checked}")
            for f in report.findings:
                click.echo(f"{f.kind.upper()}: {f.message}", err=True)
        if not report.ok:
            kinds = sorted({f.kind for f in report.findings})
            raise click.ClickException(f"chain verification FAILED: {', '.join(kinds)}")
        if not as_json:
            click.echo("OK: every chain extends every anchor")

    evidence_commands.evidence.add_command(evidence_fsck)


def _finding(f: anchors.Finding) -> dict[str, Any]:
    return {"kind": f.kind, "chain": f.chain, "seq": f.seq, "message": f.message}


@click.command("fsck")
@click.option("--quarantine/--report-only", default=True,
              help="Move orphan files to evidence/quarantine (default) or only list them.")
@click.pass_context
def evidence_fsck(ctx: click.Context, quarantine: bool) -> None:
    """Find stored files no evidence item names, and leftover partial uploads.

    Orphans are moved to ``<data>/evidence/quarantine``, never deleted; exit 3 if any.
    """
    from camnet.evidence.fsck import fsck

    config = _config(ctx)
    _migrated(config)
    result = asyncio.run(fsck(config, quarantine=quarantine))
    for path in result.orphans:
        click.echo(f"orphan: {path}" + (" (quarantined)" if quarantine else ""))
    for path in result.partials:
        click.echo(f"partial upload removed: {path}")
    for sha in result.missing:
        click.echo(f"MISSING: no stored file for item sha256 {sha}", err=True)
    click.echo(f"{result.checked} stored files, {len(result.orphans)} orphans, "
               f"{len(result.partials)} partial uploads, {len(result.missing)} missing")
    if result.orphans or result.missing:
        ctx.exit(3)


register(main)
