"""The status machine as an explicit transition table and under random observation sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camnet.monitor.status import (
    CameraState,
    Observation,
    PictureState,
    Transition,
    advance,
    confirm_picture,
)

DOWN_AFTER, UP_AFTER = 2, 2
KINDS = {
    "ok": {"reachable": True, "reason": "up", "health": "ok"},
    "bad": {"reachable": True, "reason": "up", "health": "black"},
    "fail": {"reachable": False, "reason": "timeout"},
    "maint_ok": {"reachable": True, "reason": "up", "health": "ok", "in_maintenance": True},
    "maint_fail": {"reachable": False, "reason": "timeout", "in_maintenance": True},
}

# (status before, fail streak, ok streak, observation) -> status after, transition?
TABLE = [
    ("unknown", 0, 0, "ok", "up", True),
    ("unknown", 0, 0, "fail", "unknown", False),
    ("unknown", 1, 0, "fail", "down", True),
    ("unknown", 0, 0, "bad", "degraded", True),
    ("up", 0, 3, "ok", "up", False),
    ("up", 0, 3, "fail", "up", False),  # one lost probe is no outage
    ("up", 1, 0, "fail", "down", True),  # the second confirms
    ("up", 1, 0, "ok", "up", False),
    ("up", 0, 3, "bad", "degraded", True),  # `health` is already the confirmed verdict
    ("up", 0, 3, "maint_fail", "maintenance", True),
    ("degraded", 0, 3, "ok", "up", True),
    ("degraded", 0, 3, "fail", "degraded", False),
    ("degraded", 1, 0, "fail", "down", True),
    ("down", 3, 0, "fail", "down", False),
    ("down", 3, 0, "ok", "down", False),  # recovery needs up_after successes
    ("down", 0, 1, "ok", "up", True),
    ("down", 0, 1, "bad", "degraded", True),
    ("down", 3, 0, "maint_fail", "maintenance", True),  # closes the outage, at the window
    ("maintenance", 0, 0, "maint_fail", "maintenance", False),
    ("maintenance", 0, 0, "maint_ok", "maintenance", False),
    ("maintenance", 0, 0, "fail", "maintenance", False),  # one lost probe after the window
    ("maintenance", 1, 0, "fail", "down", True),
    ("maintenance", 0, 0, "ok", "maintenance", False),
    ("maintenance", 0, 1, "ok", "up", True),
]


@pytest.mark.parametrize(("before", "fails", "oks", "kind", "after", "changes"), TABLE)
def test_transition_table(before: str, fails: int, oks: int, kind: str, after: str,
                          changes: bool) -> None:
    state = CameraState(status=before, since="t0000", fail_streak=fails, ok_streak=oks,  # type: ignore[arg-type]
                        streak_since="t0001" if fails or oks else None)
    new, transition = advance(state, Observation(at="t0005", **KINDS[kind]),  # type: ignore[arg-type]
                              down_after=DOWN_AFTER, up_after=UP_AFTER)
    assert new.status == after
    assert (transition is not None) == changes
    if transition and transition.to_status == "maintenance":
        assert transition.at == "t0005"  # never back-dated
        assert transition.outage_ended_at == ("t0005" if before == "down" else None)


def test_maintenance_start_while_down_keeps_the_downtime_before_it() -> None:
    state = CameraState(status="up")
    log = []
    for i, kind in enumerate(["fail", "fail", "fail", "maint_fail", "maint_fail"]):
        state, tr = advance(state, Observation(at=f"t{i:04d}", **KINDS[kind]),  # type: ignore[arg-type]
                            down_after=DOWN_AFTER, up_after=UP_AFTER)
        log += [tr] if tr else []
    assert [(t.to_status, t.at) for t in log] == [("down", "t0000"), ("maintenance", "t0003")]
    assert log[0].outage_started_at == "t0000" and log[1].outage_ended_at == "t0003"


def test_picture_needs_confirmation() -> None:
    state = PictureState("ok")
    state = confirm_picture(state, "black", needed=2)
    assert state.confirmed == "ok" and state.candidate == "black"
    state = confirm_picture(state, "ok", needed=2)  # a blink: back before confirmation
    assert state == PictureState("ok")
    for _ in range(2):
        state = confirm_picture(state, "frozen", needed=2)
    assert state.confirmed == "frozen"
    assert confirm_picture(PictureState(), "ok", needed=2).confirmed == "ok"
    assert confirm_picture(PictureState(), "black", needed=2).confirmed is None


def _outages(transitions: list[Transition]) -> list[tuple[int, int | None]]:
    out: list[tuple[int, int | None]] = []
    for t in transitions:
        if t.outage_ended_at is not None:
            assert out and out[-1][1] is None, "an outage closed that was not open"
            out[-1] = (out[-1][0], int(t.outage_ended_at[1:]))
        if t.outage_started_at is not None:
            assert not out or out[-1][1] is not None, "two outages open at once"
            out.append((int(t.outage_started_at[1:]), None))
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=60),
       st.integers(1, 4), st.integers(1, 4))
def test_random_sequences(kinds: list[str], down_after: int, up_after: int) -> None:
    state = CameraState()
    transitions = []
    for i, kind in enumerate(kinds):
        state, tr = advance(state, Observation(at=f"t{i:04d}", **KINDS[kind]),  # type: ignore[arg-type]
                            down_after=down_after, up_after=up_after)
        if tr:
            transitions.append(tr)
        assert state.fail_streak == 0 or state.ok_streak == 0
    outages = _outages(transitions)
    n = len(kinds)
    covered = [False] * n
    for k, (start, end) in enumerate(outages):
        stop = n if end is None else end
        assert start < stop or end is None
        # never overlapping, in order
        if k:
            prev_end = outages[k - 1][1]
            assert prev_end is not None and prev_end <= start
        # no outage shorter than the confirmation: it starts with down_after plain failures
        assert kinds[start:start + down_after] == ["fail"] * down_after
        for i in range(start, stop):
            covered[i] = True
            # maintenance time is never counted as down
            assert not kinds[i].startswith("maint")
    # every confirmed failure run outside maintenance is down time (nothing erased)
    run_start = None
    for i in range(n + 1):
        failing = i < n and kinds[i] == "fail"
        if failing and run_start is None:
            run_start = i
        if not failing and run_start is not None:
            if i - run_start >= down_after:
                assert all(covered[run_start:i]), (run_start, i, outages)
            run_start = None

