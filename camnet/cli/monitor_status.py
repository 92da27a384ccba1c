"""``camnet monitor status``: tier 2's budget, achieved rate and oldest picture check."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.monitor.tier2_status import Tier2Status, tier2_status
from camnet.secretstore import CredentialCipher
from camnet.timeutil import format_duration


@main.group()
def monitor() -> None:
    """The monitor's state."""


@monitor.command("status")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """Tier 2: picture checks needed, budget, achieved rate, oldest check (whole service)."""
    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Tier2Status:
        return await tier2_status(database, cli_principal(), config.monitor)

    st = run_with_db(config, work)
    if fmt == "json":
        click.echo(json.dumps({**asdict(st), "keeps_up": st.keeps_up}, indent=1))
        return
    window = format_duration(st.max_age_s, "en")
    click.echo(f"tier-2 cameras        {st.cameras:>10,}  (never checked {st.never_checked:,})")
    click.echo(f"needed / hour         {st.needed_per_hour:>10,.0f}  (each camera every {window})")
    click.echo(f"budget / hour         {st.budget_per_hour:>10,.0f}  ({st.workers} workers;"
               f" {st.workers_needed} needed if every grab hits its deadline)")
    click.echo(f"checked last hour     {st.checked_last_hour:>10,}")
    click.echo(f"oldest check          {format_duration(st.oldest_check_age_s, 'en'):>10}"
               f"  ({st.overdue:,} overdue)")
    if not st.keeps_up:
        click.echo(f"warning: the budget is below what the {window} window needs; raise"
                   f" monitor.tier2_workers to {st.workers_needed}", err=True)
