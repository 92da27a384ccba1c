"""The public status page's pure core: components, states, publication delay, daily bars.

Nothing here touches the database or HTTP; :mod:`camnet.hosts.public_snapshot` feeds it
uptime figures and the web layer renders what it returns.

**What the public sees is coarse on purpose.** A page belongs to one commune (or, on
opt-in, one hamlet). Its *components* are hamlets, and a hamlet is its own component only
when it holds at least ``min_component_cameras`` cameras (default 5); cameras of smaller
hamlets and of the commune itself are folded into one "other areas" component, so a
component never points at one household's camera.

**Delay.** Everything is computed as of the last full bucket (default: the last full hour,
``bucket_floor``), never live.

**Camera state in the last bucket** (:func:`camera_state`), over the bucket's window:
maintenance when maintenance covers at least half of it; *no data* when the monitor
watched less than half of it (no data is never up); *down* when the stream was unreachable
for more than half of the watched time; *up* otherwise.

**Component state** (:func:`component_state`), Statuspage-style, from those counts:

- ``under_maintenance``: at least ``maintenance_pct`` % (default 50) of the cameras are in
  maintenance;
- otherwise, with *bad* = down + no data, as a share of the cameras not in maintenance:
  ``major_outage`` ≥ ``major_pct`` % (default 50), ``partial_outage`` ≥ ``partial_pct`` %
  (default 25), ``degraded`` ≥ ``degraded_pct`` % (default 10), else ``operational``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

CameraState = Literal["up", "down", "maintenance", "no_data"]
BarLevel = Literal["ok", "warn", "bad", "none"]
OTHER_KEY = "other"


class ComponentState(StrEnum):
    """Statuspage's component states, best first."""

    OPERATIONAL = "operational"
    DEGRADED = "degraded"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"


# worst first when several components are summed up in one word (badge, page heading)
SEVERITY = {ComponentState.MAJOR_OUTAGE: 4, ComponentState.PARTIAL_OUTAGE: 3,
            ComponentState.DEGRADED: 2, ComponentState.UNDER_MAINTENANCE: 1,
            ComponentState.OPERATIONAL: 0}


@dataclass(frozen=True)
class Thresholds:
    """When a component leaves ``operational`` (percentages of its cameras)."""

    degraded_pct: float = 10.0
    partial_pct: float = 25.0
    major_pct: float = 50.0
    maintenance_pct: float = 50.0
    min_component_cameras: int = 5
    bar_ok_pct: float = 99.0
    bar_warn_pct: float = 95.0


@dataclass(frozen=True)
class Counts:
    """Cameras of a component by their state in the last full bucket."""

    up: int = 0
    down: int = 0
    maintenance: int = 0
    no_data: int = 0

    @property
    def total(self) -> int:
        """Every camera counted."""
        return self.up + self.down + self.maintenance + self.no_data

    def plus(self, other: Counts) -> Counts:
        """The sum of two counts."""
        return Counts(self.up + other.up, self.down + other.down,
                      self.maintenance + other.maintenance, self.no_data + other.no_data)


@dataclass(frozen=True)
class Watched:
    """Seconds summed over cameras: watched (maintenance excluded) and down within it."""

    monitored_s: float = 0.0
    down_s: float = 0.0

    def plus(self, other: Watched) -> Watched:
        """The sum of two figures."""
        return Watched(self.monitored_s + other.monitored_s, self.down_s + other.down_s)

    @property
    def uptime_pct(self) -> float | None:
        """Availability over the watched time; ``None`` when nothing was watched (never 100 %)."""
        if self.monitored_s <= 0:
            return None
        return round(100.0 * (1 - self.down_s / self.monitored_s), 2)


@dataclass(frozen=True)
class Component:
    """One component of a page: a hamlet, or the folded rest of the commune."""

    key: str  # the hamlet's zone code, or OTHER_KEY
    name: str  # the hamlet's name, or the page zone's name for the rest
    folded: bool
    zone_codes: frozenset[str]


@dataclass(frozen=True)
class DayBar:
    """Availability of one local calendar day."""

    day: date
    uptime_pct: float | None
    level: BarLevel


@dataclass(frozen=True)
class ComponentStatus:
    """Everything the public sees about one component."""

    key: str
    name: str
    folded: bool
    cameras: int
    counts: Counts
    state: ComponentState
    uptime_24h: float | None
    uptime_7d: float | None
    uptime_90d: float | None
    days: tuple[DayBar, ...]


@dataclass(frozen=True)
class PublicSnapshot:
    """A page's published state as of ``as_of`` (the end of the last full bucket)."""

    zone_code: str
    zone_name: str
    as_of: datetime
    overall: ComponentStatus
    components: tuple[ComponentStatus, ...] = field(default_factory=tuple)


def bucket_floor(moment: datetime, bucket_s: int) -> datetime:
    """The end of the last full bucket at ``moment`` (buckets aligned on the Unix epoch).

    With hourly buckets (3600 s) this is the last full hour in every whole-hour time zone,
    including Asia/Ho_Chi_Minh.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    seconds = int(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % bucket_s, tz=moment.tzinfo)


def camera_state(monitored_s: float, down_s: float, maintenance_s: float, no_data_s: float
                 ) -> CameraState | None:
    """One camera's state over the last bucket (see the module doc); ``None`` if not yet registered."""
    total = monitored_s + maintenance_s + no_data_s
    if total <= 0:
        return None
    if 2 * maintenance_s >= total:
        return "maintenance"
    if 2 * monitored_s < total:
        return "no_data"
    return "down" if 2 * down_s > monitored_s else "up"


def count_states(states: Iterable[CameraState | None]) -> Counts:
    """Count camera states (``None``, not yet registered, is left out)."""
    found = {"up": 0, "down": 0, "maintenance": 0, "no_data": 0}
    for state in states:
        if state is not None:
            found[state] += 1
    return Counts(found["up"], found["down"], found["maintenance"], found["no_data"])


def component_state(counts: Counts, th: Thresholds) -> ComponentState:
    """A component's Statuspage state from its camera counts (thresholds in the module doc)."""
    total = counts.total
    if total and 100.0 * counts.maintenance >= th.maintenance_pct * total:
        return ComponentState.UNDER_MAINTENANCE
    judged = counts.up + counts.down + counts.no_data
    if judged == 0:
        # nothing counted at all: no data, which is never "operational"
        return (ComponentState.UNDER_MAINTENANCE if counts.maintenance
                else ComponentState.MAJOR_OUTAGE)
    bad_pct = 100.0 * (counts.down + counts.no_data) / judged
    if bad_pct >= th.major_pct:
        return ComponentState.MAJOR_OUTAGE
    if bad_pct >= th.partial_pct:
        return ComponentState.PARTIAL_OUTAGE
    if bad_pct >= th.degraded_pct:
        return ComponentState.DEGRADED
    return ComponentState.OPERATIONAL


def worst(states: Iterable[ComponentState]) -> ComponentState:
    """The most severe of several states (``operational`` for none)."""
    return max(states, key=SEVERITY.__getitem__, default=ComponentState.OPERATIONAL)


def group_components(page_code: str, page_name: str, cameras_per_zone: Mapping[str, int],
                     hamlets: Mapping[str, str], min_cameras: int) -> list[Component]:
    """Split a page's cameras into components.

    Args:
        page_code: the page's zone code (a commune, or a hamlet on opt-in).
        page_name: its name.
        cameras_per_zone: zone code → cameras registered there (the page zone and below).
        hamlets: hamlet zone code → name, for the hamlets below the page zone.
        min_cameras: a hamlet with fewer cameras is folded into the rest.

    Returns:
        Hamlet components by name, then the folded rest (if it holds any camera). A page
        whose cameras all fold is one component named after the page zone.
    """
    own = sorted((name, code) for code, name in hamlets.items()
                 if code != page_code and cameras_per_zone.get(code, 0) >= min_cameras)
    components = [Component(code, name, False, frozenset({code})) for name, code in own]
    taken = {c.key for c in components}
    rest = frozenset(code for code, n in cameras_per_zone.items() if n and code not in taken)
    if rest or not components:
        components.append(Component(OTHER_KEY, page_name, True, rest))
    return components


def fold(per_zone: Mapping[str, Watched], component: Component) -> Watched:
    """Sum per-zone figures over a component's zones."""
    total = Watched()
    for code in component.zone_codes:
        total = total.plus(per_zone.get(code, Watched()))
    return total


def bar_level(pct: float | None, th: Thresholds) -> BarLevel:
    """Colour class of a daily bar: ``ok`` ≥ 99 %, ``warn`` ≥ 95 %, ``bad`` below, ``none``."""
    if pct is None:
        return "none"
    if pct >= th.bar_ok_pct:
        return "ok"
    return "warn" if pct >= th.bar_warn_pct else "bad"


def day_windows(as_of: datetime, days: int, tz: ZoneInfo
                ) -> list[tuple[date, datetime, datetime]]:
    """The last ``days`` local calendar days up to ``as_of``, oldest first.

    Each is ``(day, start, end)`` in UTC; the last day ends at ``as_of`` (its partial day).
    At exactly local midnight the last day is the one that just ended, never an empty one.
    """
    local = as_of.astimezone(tz)
    today = (local - timedelta(microseconds=1)).date()
    out = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        end = min(start + timedelta(days=1), local) if back == 0 else start + timedelta(days=1)
        out.append((day, start.astimezone(as_of.tzinfo), end.astimezone(as_of.tzinfo)))
    return out


def component_status(component: Component, counts: Counts, cameras: int,
                     day_24h: Mapping[str, Watched], day_7d: Mapping[str, Watched],
                     days: Sequence[tuple[date, Mapping[str, Watched]]],
                     th: Thresholds) -> ComponentStatus:
    """Assemble one component's public figures from per-zone inputs."""
    bars = []
    total_90 = Watched()
    for day, per_zone in days:
        figure = fold(per_zone, component)
        total_90 = total_90.plus(figure)
        bars.append(DayBar(day, figure.uptime_pct, bar_level(figure.uptime_pct, th)))
    return ComponentStatus(component.key, component.name, component.folded, cameras, counts,
                           component_state(counts, th), fold(day_24h, component).uptime_pct,
                           fold(day_7d, component).uptime_pct, total_90.uptime_pct,
                           tuple(bars))
