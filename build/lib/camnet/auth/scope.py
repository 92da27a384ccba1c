"""Zone scoping, the main security boundary: the one place that limits rows to a subtree.

A caller bound to a zone sees that zone and every zone below it. Zones carry a materialised
path (``/1/4/``), so "inside the scope" is "path starts with the caller's path", written as
a range on the indexed ``zone.path`` column (no ``LIKE``, no wildcards to escape).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from camnet.auth.principal import Principal
from camnet.db import Database, Transaction
from camnet.errors import NotFound

_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_ABOVE_EVERY_PATH = "\U0010ffff"  # sorts after any character a path can hold


def in_scope(column: str, zone_path: str) -> tuple[str, tuple[str, str]]:
    """SQL fragment and parameters limiting a zone-path ``column`` to the subtree at ``zone_path``.

    Args:
        column: a ``zone.path`` column as written in the query, e.g. ``"z.path"``.
        zone_path: the subtree's root path, e.g. ``principal.zone_path``.

    Returns:
        ``("(z.path >= ? AND z.path < ?)", (low, high))`` to put in a WHERE clause.
    """
    if not _COLUMN.match(column):
        raise ValueError(f"not a column name: {column!r}")
    if not zone_path.startswith("/") or not zone_path.endswith("/"):
        raise ValueError(f"not a zone path: {zone_path!r}")
    return f"({column} >= ? AND {column} < ?)", (zone_path, zone_path + _ABOVE_EVERY_PATH)


async def fetch_in_scope(
    db: Database | Transaction, actor: Principal, sql: str, params: tuple[Any, ...] | list[Any],
    *, what: str, field: str | None = "id", path_column: str = "zone_path",
) -> sqlite3.Row:
    """Fetch one row whose ``path_column`` lies in the caller's scope, else :class:`NotFound`.

    A row outside the scope answers exactly like a missing row, so nobody learns what
    exists in another zone.
    """
    row = await db.fetchone(sql, params)
    if row is None or not actor.sees_path(row[path_column]):
        raise NotFound(f"{what} does not exist or is outside your zone", field)
    return row
