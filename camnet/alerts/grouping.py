"""The pure core of alerting: quiet hours, flap damping and Alertmanager-like grouping.

No I/O: everything here takes plain data and a ``now`` and returns plain data, so the
rules are tested directly. Per (recipient, zone) group:

- the first message waits ``group_wait_s`` after the first pending item, so cameras that
  fail together arrive in one message;
- later messages go at most once per ``group_interval_s``;
- a problem still open is repeated every ``repeat_s`` (4 h police, 24 h hosts);
- recoveries are never dropped; nothing is sent during the recipient's quiet hours (the
  items wait and go together when quiet hours end);
- test messages skip the waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from camnet.timeutil import parse_iso, to_iso

PROBLEM_KINDS = frozenset({"camera_down", "camera_degraded", "camera_flapping"})
CLEAR_KINDS = frozenset({"camera_recovered", "camera_stable"})


@dataclass(frozen=True)
class Timing:
    """Grouping timings in seconds."""

    group_wait_s: float = 60.0
    group_interval_s: float = 300.0
    repeat_s: float = 4 * 3600.0


@dataclass(frozen=True)
class Item:
    """One event as one recipient will read it (no address, URL or credential)."""

    id: int
    kind: str
    at: str
    created_at: str
    camera_id: int | None = None
    subject: str = ""
    place: str = ""
    zone_name: str = ""
    cause: str = ""
    link: str = ""


@dataclass(frozen=True)
class OpenProblem:
    """A camera problem the recipient was told about and that has not cleared."""

    camera_id: int
    kind: str
    subject: str
    since: str
    link: str = ""


@dataclass(frozen=True)
class GroupState:
    """What is remembered per (recipient, zone) between flushes."""

    last_flush_at: str | None = None
    open: tuple[OpenProblem, ...] = ()


@dataclass(frozen=True)
class Flush:
    """One message to send now: new items, or a repeat of open problems."""

    items: tuple[Item, ...]
    repeat: tuple[OpenProblem, ...]
    state: GroupState


def parse_hhmm(text: str) -> time | None:
    """Parse ``HH:MM``; empty text means "no quiet hours".

    Raises:
        ValueError: not an ``HH:MM`` time.
    """
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def in_quiet_hours(now: datetime, start: str, end: str, tz: ZoneInfo) -> bool:
    """Tell whether ``now`` lies in the daily window ``start``–``end`` (local ``tz``).

    A window may wrap midnight (22:00–06:00). Equal or empty bounds mean none.
    """
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin is None or finish is None or begin == finish:
        return False
    local = now.astimezone(tz).time()
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish


def is_flapping(change_times: Sequence[datetime], at: datetime, *, threshold: int,
                window_s: float) -> bool:
    """Tell whether a camera with these transitions is flapping at ``at``.

    Args:
        change_times: times of its confirmed transitions (any order).
        at: the moment judged.
        threshold: transitions within the window that make it flapping (4).
        window_s: the window (3600 s).
    """
    since = at - timedelta(seconds=window_s)
    return sum(1 for t in change_times if since < t <= at) >= threshold


def is_stable(last_change: datetime, now: datetime, *, stable_s: float) -> bool:
    """Tell whether a flapping camera has been still long enough to clear."""
    return (now - last_change).total_seconds() >= stable_s


def plan_flush(state: GroupState, pending: Sequence[Item], now: datetime, timing: Timing,
               *, quiet: bool = False) -> Flush | None:
    """Decide whether a group sends a message now, and what it holds.

    Args:
        state: the group's remembered state.
        pending: items routed to this group and not yet sent, oldest first.
        now: the current time (aware).
        timing: the group's timings.
        quiet: the recipient is in quiet hours (hold everything).

    Returns:
        The message to send and the group's next state, or ``None`` to wait.
    """
    if quiet:
        return None
    last = _parse(state.last_flush_at) if state.last_flush_at else None
    if pending:
        first = min(_parse(i.created_at) for i in pending)
        ready = first + timedelta(seconds=timing.group_wait_s)
        if last is not None:
            ready = max(ready, last + timedelta(seconds=timing.group_interval_s))
        if all(i.kind == "test" for i in pending):
            ready = now  # a test message goes at once
        if now < ready:
            return None
        items = tuple(sorted(pending, key=lambda i: (i.at, i.id)))
        return Flush(items, (), GroupState(_iso(now), _apply(state.open, items)))
    if state.open and last is not None and now >= last + timedelta(seconds=timing.repeat_s):
        return Flush((), state.open, replace(state, last_flush_at=_iso(now)))
    return None


def _apply(open_: tuple[OpenProblem, ...], items: Sequence[Item]) -> tuple[OpenProblem, ...]:
    current = {p.camera_id: p for p in open_}
    for item in items:
        if item.camera_id is None:
            continue
        if item.kind in PROBLEM_KINDS:
            old = current.get(item.camera_id)
            since = old.since if old else item.at
            current[item.camera_id] = OpenProblem(item.camera_id, item.kind, item.subject, since,
                                                  item.link)
        elif item.kind in CLEAR_KINDS:
            current.pop(item.camera_id, None)
    return tuple(sorted(current.values(), key=lambda p: (p.since, p.camera_id)))


def _parse(text: str) -> datetime:
    return parse_iso(text)


def _iso(moment: datetime) -> str:
    return to_iso(moment)
