"""The append-only guard triggers of the chained tables: check them, re-create missing ones.

Anyone with write access to the database file can drop a trigger; the hash chain still
catches the edits that follow, but the guard should be back at the next start, with an audit
row and a warning in the log.
"""

from __future__ import annotations

import logging

from camnet import audit
from camnet.auth.principal import cli_principal
from camnet.db import Database

log = logging.getLogger(__name__)

GUARDED_TABLES = ("custody_event", "audit_log")


def guard_sql(table: str, op: str) -> str:
    """The CREATE TRIGGER statement that refuses ``op`` (UPDATE or DELETE) on ``table``."""
    return (f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def expected_guards() -> dict[str, str]:
    """Trigger name -> its SQL, for every guarded table."""
    return {f"{t}_no_{op.lower()}": guard_sql(t, op)
            for t in GUARDED_TABLES for op in ("UPDATE", "DELETE")}


async def missing_guards(db: Database) -> list[str]:
    """Names of guard triggers that are not in the schema."""
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = {r["name"] for r in rows}
    return [name for name in expected_guards() if name not in present]


async def ensure_guards(db: Database) -> list[str]:
    """Re-create missing guard triggers, with an audit row; return the names re-created."""
    missing = await missing_guards(db)
    if not missing:
        return []
    sql = expected_guards()
    async with db.transaction() as tx:
        for name in missing:
            await tx.execute(sql[name])
        await audit.record(tx, cli_principal("system"), "guards_recreated", "schema", None, None,
                           {"triggers": missing})
    log.error("append-only guard triggers were missing and have been re-created: %s",
              ", ".join(missing))
    return missing
