"""The audit log: every write through the API or CLI, hash-chained like custody events.

Until the chain table exists (migration 0003) :func:`record` is a no-op on older schemas.
"""

from __future__ import annotations

from typing import Any

from camnet.auth.principal import Principal
from camnet.db import Transaction


async def record(
    tx: Transaction,
    actor: Principal,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit row inside the caller's transaction (secrets must be masked)."""
    del tx, actor, action, entity, entity_id, before, after
