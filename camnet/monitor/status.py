"""The per-camera status state machine, with confirmation so one lost packet is no outage.

Pure logic, no I/O: :func:`advance` takes the stored state and one observation and returns
the new state plus the confirmed transition, if any.

- ``down`` after ``down_after`` consecutive tier-1 failures; back ``up`` after ``up_after``
  consecutive successes. The outage is dated from the first failure of the streak to the
  first success of the recovering streak, so its length is right to within one cycle.
- ``degraded``: the stream answers but the last frame check found a bad picture (black,
  frozen, blurred, covered). It is not an outage.
- ``maintenance``: inside a maintenance window; failures open no outage.
- ``unknown``: never probed. The first success makes it ``up`` at once (nothing to confirm).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from camnet.vocab import CameraStatus

Status = CameraStatus
HEALTH_OK = ("ok", None)


@dataclass(frozen=True)
class CameraState:
    """What is stored per camera between probes."""

    status: Status = CameraStatus.UNKNOWN
    since: str | None = None
    cause: str = ""
    fail_streak: int = 0
    ok_streak: int = 0
    streak_since: str | None = None
    health: str | None = None


@dataclass(frozen=True)
class Observation:
    """One probe's outcome.

    Attributes:
        at: UTC ISO time of the probe.
        reachable: tier 1 said the stream answers.
        reason: the tier-1 result class (``up``, ``timeout``, ``auth_failed``…).
        health: the latest frame verdict (``ok``, ``black``…) or ``None`` when unknown.
        in_maintenance: a maintenance window covers ``at``.
    """

    at: str
    reachable: bool
    reason: str
    health: str | None = None
    in_maintenance: bool = False


@dataclass(frozen=True)
class Transition:
    """A confirmed status change."""

    from_status: Status
    to_status: Status
    at: str
    reason: str
    outage_started_at: str | None = None  # set when an outage opens
    outage_ended_at: str | None = None  # set when an outage closes


def advance(state: CameraState, obs: Observation, *, down_after: int, up_after: int
            ) -> tuple[CameraState, Transition | None]:
    """Apply one observation; return the new state and the transition it confirmed.

    ``obs.health`` must be the *confirmed* picture verdict (see :func:`confirm_picture`).
    Inside maintenance the streaks restart, so the first failures after the window need
    ``down_after`` confirmations like any others and an outage is never dated back into
    the window; entering maintenance closes an open outage at that observation, never
    earlier.
    """
    if obs.in_maintenance:
        state = replace(state, fail_streak=0, ok_streak=0, streak_since=None,
                        health=obs.health if obs.reachable else state.health)
        if state.status == CameraStatus.MAINTENANCE:
            return state, None
        closed = obs.at if state.status == CameraStatus.DOWN else None
        transition = Transition(state.status, CameraStatus.MAINTENANCE, obs.at,
                                "maintenance window", None, closed)
        return replace(state, status=CameraStatus.MAINTENANCE, since=obs.at,
                       cause="maintenance window"), transition
    if obs.reachable:
        streak_since = state.streak_since if state.ok_streak else obs.at
        state = replace(state, ok_streak=state.ok_streak + 1, fail_streak=0,
                        streak_since=streak_since, health=obs.health)
    else:
        streak_since = state.streak_since if state.fail_streak else obs.at
        state = replace(state, fail_streak=state.fail_streak + 1, ok_streak=0,
                        streak_since=streak_since)
    target, reason = _target(state, obs, down_after=down_after, up_after=up_after)
    if target is None or target == state.status:
        if target == state.status and reason != state.cause and target in ("down", "degraded"):
            state = replace(state, cause=reason)  # same status, new cause (e.g. black -> frozen)
        return state, None
    at = obs.at
    opened = closed = None
    if target == "down":
        at = opened = state.streak_since or obs.at
    elif state.status == "down":
        at = closed = state.streak_since or obs.at
    transition = Transition(state.status, target, at, reason, opened, closed)
    return replace(state, status=target, since=at, cause=reason), transition


def _target(state: CameraState, obs: Observation, *, down_after: int, up_after: int
            ) -> tuple[Status | None, str]:
    if not obs.reachable:
        if state.fail_streak >= down_after:
            return CameraStatus.DOWN, obs.reason
        return None, obs.reason
    needed = up_after if state.status in ("down", "maintenance") else 1
    if state.ok_streak < needed:
        return None, obs.reason
    if obs.health not in HEALTH_OK:
        return CameraStatus.DEGRADED, str(obs.health)
    return CameraStatus.UP, "recovered" if state.status == "down" else "stream up"


@dataclass(frozen=True)
class PictureState:
    """The confirmed picture verdict and the streak of a candidate that may replace it."""

    confirmed: str | None = None
    candidate: str | None = None
    streak: int = 0


def confirm_picture(state: PictureState, verdict: str, *, needed: int) -> PictureState:
    """Apply one tier-2 verdict; a new verdict is confirmed after ``needed`` equal samples.

    A first ``ok`` of a camera never judged before is taken at once (like the first tier-1
    success); a bad verdict always needs confirmation, so one sample taken during a blink
    never marks a camera degraded.
    """
    if verdict == state.confirmed:
        return PictureState(verdict, None, 0)
    streak = state.streak + 1 if verdict == state.candidate else 1
    if (state.confirmed is None and verdict in HEALTH_OK) or streak >= needed:
        return PictureState(verdict, None, 0)
    return PictureState(state.confirmed, verdict, streak)
