"""A camera's status strip over 24 h / 7 d / 30 d, like a heartbeat bar.

The window is cut into equal slots; each slot shows one state:

- ``down`` if the camera was in an outage at any watched moment of the slot;
- else ``degraded`` if its picture was confirmed bad at any watched moment;
- else whichever of ``up``, ``maintenance`` and ``no_data`` filled most of the slot.

Same facts as :mod:`camnet.monitor.uptime` (watched spans, outages, confirmed degraded
times, maintenance windows), so the strip and the percentages beside it agree.
:func:`slot_states` is pure; :func:`camera_strip` reads the facts for one camera.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from camnet.auth.principal import Principal
from camnet.db import Database
from camnet.intervals import Interval, intersect, length, merge, subtract
from camnet.monitor import watched
from camnet.monitor.maintenance import windows_for
from camnet.monitor.uptime import PERIODS, outages_in_window
from camnet.registry.cameras import get_camera_row
from camnet.timeutil import parse_iso, to_iso, utcnow

SLOTS: dict[str, int] = {"24h": 48, "7d": 42, "30d": 30}
STATES = ("up", "degraded", "down", "no_data", "maintenance")


@dataclass(frozen=True)
class Slot:
    """One slot of the strip."""

    start: datetime
    end: datetime
    state: str
    up_s: float
    down_s: float
    degraded_s: float
    maintenance_s: float
    no_data_s: float


def slot_states(lo: float, hi: float, slots: int, *, watched_: list[Interval],
                down: list[Interval], degraded: list[Interval], maintenance: list[Interval],
                begin: float | None = None) -> list[Slot]:
    """Cut ``[lo, hi)`` into ``slots`` equal slots and give each its state (pure).

    Args:
        lo: window start (epoch seconds).
        hi: window end.
        slots: how many slots.
        watched_: when the monitor watched the camera.
        down: outages.
        degraded: confirmed bad-picture times.
        maintenance: maintenance time (wins over everything else it covers).
        begin: when the camera was registered; before it is "no data".
    """
    width = (hi - lo) / slots
    maint_all = merge(maintenance)
    seen_all = subtract(merge(watched_), maint_all)
    if begin is not None:
        seen_all = intersect(seen_all, [(begin, hi)])
    down_all = intersect(merge(down), seen_all)
    degraded_all = subtract(intersect(merge(degraded), seen_all), down_all)
    out: list[Slot] = []
    for i in range(slots):
        a, b = lo + i * width, lo + (i + 1) * width
        box = [(a, b)]
        maint_s = length(intersect(maint_all, box))
        seen_s = length(intersect(seen_all, box))
        down_s = length(intersect(down_all, box))
        degr_s = length(intersect(degraded_all, box))
        up_s = max(0.0, seen_s - down_s - degr_s)
        no_data_s = max(0.0, (b - a) - maint_s - seen_s)
        if down_s > 0:
            state = "down"
        elif degr_s > 0:
            state = "degraded"
        else:
            state = max((("up", up_s), ("maintenance", maint_s), ("no_data", no_data_s)),
                        key=lambda kv: kv[1])[0]
        out.append(Slot(_at(a), _at(b), state, up_s, down_s, degr_s, maint_s, no_data_s))
    return out


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


async def camera_strip(db: Database, actor: Principal, camera_id: int, period: str,
                       now: datetime | None = None) -> list[Slot]:
    """The strip of one camera over ``period`` (``24h``, ``7d`` or ``30d``) ending now."""
    actor.require("monitor.read")
    cam = await get_camera_row(db, actor, camera_id)
    end = now or utcnow()
    start = end - PERIODS[period]
    lo_iso, hi_iso = to_iso(start), to_iso(end)
    seen = (await watched.spans(db, [camera_id], lo_iso, hi_iso))[camera_id]
    bad = (await watched.degraded_intervals(db, [camera_id], lo_iso, hi_iso))[camera_id]
    maint, _ = await windows_for(db, [camera_id], start, end)
    _, rows = await outages_in_window(db, camera_id, start, end)
    t_end = end.timestamp()
    down = [(parse_iso(str(r["started_at"])).timestamp(),
             parse_iso(str(r["ended_at"])).timestamp() if r["ended_at"] else t_end) for r in rows]
    return slot_states(start.timestamp(), t_end, SLOTS[period], watched_=seen, down=down,
                       degraded=bad, maintenance=maint[camera_id],
                       begin=parse_iso(cam["created_at"]).timestamp())


def slot_length(period: str) -> timedelta:
    """How long one slot of ``period`` lasts."""
    return PERIODS[period] / SLOTS[period]
