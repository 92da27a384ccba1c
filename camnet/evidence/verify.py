"""Recompute the custody and audit hash chains and name the first row that does not match.

Also re-derives request statuses and item hashes from the custody chain (see
:mod:`camnet.evidence.custody`) and reports any table row that disagrees.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

from camnet import chain
from camnet.audit import AUDIT_COLUMNS, AUDIT_TABLE
from camnet.config import Config
from camnet.evidence.custody import CUSTODY_COLUMNS, CUSTODY_OPTIONAL, CUSTODY_TABLE, check_facts


def _facts(db_path: Path) -> list[str]:
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return check_facts(conn)
    finally:
        conn.close()


async def verify_custody(config: Config) -> dict[str, Any]:
    """Verify the whole custody chain (links run across all items) and the chained facts.

    ``ok`` is false when a link is broken or a table row disagrees with the chain; the
    disagreements are listed under ``facts``.
    """
    result = asdict(await chain.verify_path(config.database_path, CUSTODY_TABLE,
                                            CUSTODY_COLUMNS, CUSTODY_OPTIONAL))
    result["facts"] = await asyncio.to_thread(_facts, config.database_path)
    if result["ok"] and result["facts"]:
        result["ok"] = False
        result["reason"] = "table rows disagree with the custody chain: " + "; ".join(
            result["facts"])
    return result


async def verify_audit(config: Config) -> dict[str, Any]:
    """Verify the whole audit chain."""
    result = await chain.verify_path(config.database_path, AUDIT_TABLE, AUDIT_COLUMNS)
    return asdict(result)
