"""Pure verdicts for a camera over a time window: was it up, and does its footage survive.

Status comes from what the monitor recorded: time it watched the camera (probe cycles after
the camera's first status) and outages. Time nobody watched — before the camera was
registered or first probed, or while the monitor was not running — is **no data**, never
"up". Time inside a maintenance window (one-off or weekly) is **maintenance**, a state of its
own: neither up, nor down, nor no data. The footage verdict comes from retention: the
recorder overwrites footage ``retention_days`` after it was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from camnet.intervals import Interval, clip, length, merge, subtract
from camnet.timeutil import to_iso

WindowState = Literal["up", "poor_picture", "partly_down", "down", "partly_no_data", "no_data",
                      "partly_maintenance", "maintenance"]
FootageState = Literal["available", "at_risk", "partly_overwritten", "overwritten", "not_recorded"]
STATE_RANK: dict[str, int] = {"up": 0, "partly_no_data": 1, "partly_maintenance": 1,
                              "poor_picture": 2, "partly_down": 3, "maintenance": 4, "no_data": 4,
                              "down": 5}
FOOTAGE_RANK: dict[str, int] = {"available": 0, "at_risk": 0, "partly_overwritten": 1,
                                "overwritten": 2, "not_recorded": 2}


def watched_intervals(cycle_starts: Iterable[float], max_gap_s: float,
                      monitored_from: float | None) -> list[Interval]:
    """When the monitor was watching a camera: each probe cycle vouches for ``max_gap_s``.

    Args:
        cycle_starts: epoch seconds at which probe cycles started.
        max_gap_s: how long one cycle stands for (a few probe intervals).
        monitored_from: the camera's first recorded status; ``None`` = never probed.
    """
    if monitored_from is None:
        return []
    return clip(((t, t + max_gap_s) for t in cycle_starts), monitored_from, float("inf"))


@dataclass(frozen=True)
class WindowStatus:
    """A camera's status through a window (seconds; the future part is left out)."""

    state: WindowState
    up_s: float
    down_s: float
    no_data_s: float
    outages: tuple[tuple[str, str | None], ...]
    degraded_s: float = 0.0  # up, but the frame checks found a bad picture (black, frozen…)
    maintenance_s: float = 0.0  # inside a maintenance window: neither up, down nor no data

    @property
    def minutes_down(self) -> int:
        """Whole minutes down (rounded up: one second down is a minute to look at)."""
        return int(-(-self.down_s // 60))

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        data = asdict(self)
        data["minutes_down"] = self.minutes_down
        data["minutes_no_data"] = int(-(-self.no_data_s // 60))
        data["minutes_degraded"] = int(-(-self.degraded_s // 60))
        data["minutes_maintenance"] = int(-(-self.maintenance_s // 60))
        data["outages"] = [{"started_at": s, "ended_at": e} for s, e in self.outages]
        return data


def status_intervals(changes: list[tuple[datetime, str]], status: str, until: datetime
                     ) -> list[Interval]:
    """Intervals during which a camera's recorded status was ``status`` (from transitions)."""
    out: list[Interval] = []
    for n, (at, to) in enumerate(changes):
        if to == status:
            end = changes[n + 1][0] if n + 1 < len(changes) else until
            out.append((at.timestamp(), end.timestamp()))
    return merge(out)


def window_status(start: datetime, end: datetime, now: datetime, watched: list[Interval],
                  outages: list[tuple[datetime, datetime | None]],
                  degraded: list[Interval] | None = None,
                  maintenance: list[Interval] | None = None) -> WindowStatus:
    """Judge a camera over [start, end] from watched time, outages, bad-picture and maintenance.

    Maintenance time (epoch-second intervals of the camera's maintenance windows) is taken
    out first and counted on its own. Of the rest, outage time counts as down (the monitor
    saw it fail); watched time outside outages is up (``poor_picture`` when the frame checks
    found a bad picture for part of it); everything else is no data. A window spent wholly in
    maintenance (apart from time with no data) is ``maintenance``; partly, ``partly_maintenance``
    unless something worse (down, a poor picture) happened.
    """
    lo, hi = start.timestamp(), min(end, now).timestamp()
    if hi <= lo:
        return WindowStatus("no_data", 0.0, 0.0, 0.0, ())
    nowt = now.timestamp()
    maint = clip(maintenance or [], lo, hi)
    down = subtract(clip(((s.timestamp(), (e.timestamp() if e else nowt)) for s, e in outages),
                         lo, hi), maint)
    seen = subtract(clip(watched, lo, hi), maint)
    up = subtract(seen, down)
    up_s, down_s, maintenance_s = length(up), length(down), length(maint)
    no_data_s = max(0.0, (hi - lo) - up_s - down_s - maintenance_s)
    degraded_s = length(subtract(clip(degraded or [], lo, hi), down)) if degraded else 0.0
    degraded_s = min(degraded_s, up_s)
    if up_s == 0 and down_s == 0:
        state: WindowState = "maintenance" if maintenance_s > 0 else "no_data"
    elif down_s > 0 and up_s == 0 and no_data_s < 1 and maintenance_s == 0:
        state = "down"
    elif down_s > 0:
        state = "partly_down"
    elif degraded_s > 0:
        state = "poor_picture"
    elif maintenance_s > 0:
        state = "partly_maintenance"
    elif no_data_s >= 1:
        state = "partly_no_data"
    else:
        state = "up"
    listed = tuple((to_iso(s), to_iso(e) if e else None) for s, e in outages
                   if s.timestamp() < hi and (e is None or e.timestamp() > lo))
    return WindowStatus(state, up_s, down_s, no_data_s, listed, degraded_s, maintenance_s)


@dataclass(frozen=True)
class Footage:
    """Whether a recorder still holds footage of a window."""

    state: FootageState
    deadline: str | None      # when the window's last minute is overwritten
    hours_left: float | None

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return asdict(self)


def footage(start: datetime, end: datetime, retention_days: int, now: datetime,
            at_risk_hours: float) -> Footage:
    """Footage verdict: overwritten once ``start + retention`` has passed for all of it."""
    if retention_days <= 0:
        return Footage("not_recorded", None, None)
    keep = timedelta(days=retention_days)
    deadline = end + keep
    hours_left = round((deadline - now).total_seconds() / 3600, 1)
    if now >= deadline:
        return Footage("overwritten", to_iso(deadline), hours_left)
    if now >= start + keep:
        return Footage("partly_overwritten", to_iso(deadline), hours_left)
    if hours_left <= at_risk_hours:
        return Footage("at_risk", to_iso(deadline), hours_left)
    return Footage("available", to_iso(deadline), hours_left)
