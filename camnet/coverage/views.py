"""A camera's blind distance and mounting height (``camera_view_extra``), with audit.

Kept beside the registry's camera row; setting them writes a new geometry version.
"""

from __future__ import annotations

from camnet import audit
from camnet.auth.principal import Principal
from camnet.coverage.history import set_view_extra
from camnet.db import Database
from camnet.errors import InvalidInput
from camnet.registry.cameras import get_camera_row


async def set_view(db: Database, actor: Principal, camera_id: int, *, min_range_m: float | None,
                   height_m: float | None) -> None:
    """Record a camera's ``min_range_m`` (blind distance) and ``height_m`` (mounting height).

    Raises:
        InvalidInput: negative values, or a blind distance not shorter than the range.
    """
    actor.require("registry.write")
    for name, value in (("min_range_m", min_range_m), ("height_m", height_m)):
        if value is not None and value < 0:
            raise InvalidInput(f"{name} must not be negative", name)
    async with db.transaction() as tx:
        row = await get_camera_row(tx, actor, camera_id, field="camera_id")
        if min_range_m is not None and row["range_m"] is not None and min_range_m >= row["range_m"]:
            raise InvalidInput(f"min_range_m must be shorter than the range ({row['range_m']} m)",
                               "min_range_m")
        await set_view_extra(tx, camera_id, min_range_m, height_m)
        await audit.record(tx, actor, "update", "camera_view_extra", camera_id, None,
                           {"min_range_m": min_range_m, "height_m": height_m})
