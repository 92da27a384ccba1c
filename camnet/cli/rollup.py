"""``camnet report rollup``: bring the daily uptime roll-ups up to date now (the backfill)."""

from __future__ import annotations

import click

from camnet.cli.base import load, run_with_db
from camnet.cli.monitor import report
from camnet.db import Database
from camnet.secretstore import CredentialCipher


@report.command("rollup")
@click.option("--lag", "lag_s", type=float, default=None,
              help="Only days that ended this many seconds ago (default: [rollup] lag_s).")
@click.pass_context
def report_rollup(ctx: click.Context, lag_s: float | None) -> None:
    """Roll uptime up by day until caught up; print how many days and where it stands."""
    from camnet.monitor.rollup import roll_up_all, rollup_state

    config = load(ctx)
    lag = config.rollup.lag_s if lag_s is None else lag_s

    async def work(database: Database, cipher: CredentialCipher) -> tuple[int, str]:
        days = await roll_up_all(database, lag_s=lag, max_days=config.rollup.max_days)
        return days, (await rollup_state(database)).rolled_until

    days, until = run_with_db(config, work)
    click.echo(f"rolled up {days} day(s); days before {until} (UTC) are rolled up")
