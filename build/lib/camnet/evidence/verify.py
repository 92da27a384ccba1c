"""Recompute the custody and audit hash chains and name the first row that does not match."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from camnet import chain
from camnet.audit import AUDIT_COLUMNS, AUDIT_TABLE
from camnet.config import Config
from camnet.evidence.items import CUSTODY_COLUMNS, CUSTODY_TABLE


async def verify_custody(config: Config) -> dict[str, Any]:
    """Verify the whole custody chain (links run across all items)."""
    result = await chain.verify_path(config.database_path, CUSTODY_TABLE, CUSTODY_COLUMNS)
    return asdict(result)


async def verify_audit(config: Config) -> dict[str, Any]:
    """Verify the whole audit chain."""
    result = await chain.verify_path(config.database_path, AUDIT_TABLE, AUDIT_COLUMNS)
    return asdict(result)
