"""Switching a zone off and on (admin): its cameras stop and resume being probed.

Its own module because it writes two tables through their owners: the zone's flag here in
:mod:`camnet.registry.zones`'s table, the cameras through :mod:`camnet.registry.cameras`.
"""

from __future__ import annotations

from camnet import audit
from camnet.auth.principal import Principal
from camnet.db import Database
from camnet.errors import Conflict, Forbidden
from camnet.registry import cameras
from camnet.registry.models import ZoneOut
from camnet.registry.zones import get_zone_row, mark_disabled, zone_out
from camnet.timeutil import now_iso


async def set_zone_disabled(db: Database, actor: Principal, zone_id: int, disabled: bool
                            ) -> tuple[ZoneOut, int]:
    """Switch a zone off (or back on), admin only; return the zone and the cameras switched.

    Off: the zone and its history stay; every enabled camera of its subtree is disabled (so
    never probed) with this zone remembered; no new point may be added under it. On: those
    same cameras come back; cameras disabled by hand stay off. A zone inside a disabled
    zone stays as it is. Audited as ``disable``/``enable`` of the zone.

    Raises:
        Forbidden: not an admin, or the caller's own zone.
        Conflict: already in that state.
    """
    actor.require("zones.manage")
    async with db.transaction() as tx:
        row = await get_zone_row(tx, actor, zone_id=zone_id, field="id")
        if row["path"] == actor.zone_path:
            raise Forbidden("you cannot switch off the zone you are bound to", "id",
                            key="derr_own_zone")
        if bool(row["disabled_at"]) == disabled:
            raise Conflict(f"zone {row['code']!r} is already {'off' if disabled else 'on'}",
                           "id", key="err_zone_already_off" if disabled else "err_zone_already_on")
        now = now_iso()
        fresh = await mark_disabled(tx, zone_id, now if disabled else None, now)
        switched = (await cameras.switch_off_for_zone(tx, zone_id, row["path"]) if disabled
                    else await cameras.switch_on_for_zone(tx, zone_id))
        await audit.record(tx, actor, "disable" if disabled else "enable", "zone", zone_id,
                           {"disabled_at": row["disabled_at"]},
                           {"disabled_at": now if disabled else None, "cameras": switched})
    return zone_out(fresh), switched

