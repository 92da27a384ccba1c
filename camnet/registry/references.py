"""Refuse to delete a registry row that evidence or other records still refer to."""

from __future__ import annotations

from camnet.db import Transaction, blocking_references
from camnet.errors import Conflict

LABELS = {"request_camera": "extraction requests", "camera_point": "camera points",
          "zone": "child zones", "user": "users", "incident": "incidents",
          "evidence_item": "evidence items"}


async def refuse_if_referenced(tx: Transaction, table: str, row_id: int, what: str, instead: str
                               ) -> None:
    """Raise :class:`Conflict` (409) naming what still refers to a row, and what to do instead.

    Args:
        tx: the open write transaction of the delete.
        table: the row's table (``camera``, ``zone``…).
        row_id: its id.
        what: how to name it to people ("camera 12").
        instead: the way out ("disable it instead (PATCH enabled=false)").
    """
    refs = await blocking_references(tx, table, row_id)
    if refs:
        listed = ", ".join(f"{LABELS.get(name, name.replace('_', ' '))} ({count})"
                           for name, count in sorted(refs.items()))
        raise Conflict(f"{what} is still referred to by {listed}; {instead}", "id")
