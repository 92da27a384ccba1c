"""The status state machine: confirmation, outage dating, degraded, maintenance."""

from __future__ import annotations

from camnet.monitor.status import CameraState, Observation, advance

OK = {"reachable": True, "reason": "up", "health": "ok"}
FAIL = {"reachable": False, "reason": "timeout"}


def run(seq: list[dict[str, object]], state: CameraState | None = None, down_after: int = 3,
        up_after: int = 2):  # type: ignore[no-untyped-def]
    state = state or CameraState()
    transitions = []
    for i, kw in enumerate(seq):
        state, tr = advance(state, Observation(at=f"t{i:02d}", **kw),  # type: ignore[arg-type]
                            down_after=down_after, up_after=up_after)
        if tr:
            transitions.append(tr)
    return state, transitions


def test_first_success_is_up_at_once() -> None:
    state, trs = run([OK])
    assert state.status == "up"
    assert [(t.from_status, t.to_status) for t in trs] == [("unknown", "up")]


def test_one_lost_probe_is_not_an_outage() -> None:
    state, trs = run([OK, FAIL, FAIL, OK, FAIL, OK])
    assert state.status == "up"
    assert len(trs) == 1


def test_down_after_n_dated_from_first_failure_and_up_after_m() -> None:
    state, trs = run([OK, OK, FAIL, FAIL, FAIL, FAIL, OK, FAIL, OK, OK, OK])
    down = trs[1]
    assert (down.to_status, down.at, down.outage_started_at, down.reason) == ("down", "t02", "t02", "timeout")
    up = trs[2]
    # one success then a failure does not recover; the streak starting at t08 does
    assert (up.to_status, up.at, up.outage_ended_at) == ("up", "t08", "t08")
    assert state.status == "up" and state.cause == "recovered"


def test_degraded_and_back() -> None:
    bad = {**OK, "health": "black"}
    state, trs = run([OK, bad, bad, {**OK, "health": "frozen"}, OK])
    assert [t.to_status for t in trs] == ["up", "degraded", "up"]
    assert trs[1].reason == "black"


def test_cause_follows_while_down() -> None:
    state, _ = run([FAIL, FAIL, FAIL, {"reachable": False, "reason": "refused"}])
    assert state.status == "down" and state.cause == "refused"


def test_maintenance_opens_no_outage() -> None:
    maint_fail = {**FAIL, "in_maintenance": True}
    state, trs = run([OK, maint_fail, maint_fail, maint_fail, maint_fail, OK, OK])
    assert [t.to_status for t in trs] == ["up", "maintenance", "up"]
    assert all(t.outage_started_at is None for t in trs)


def test_restart_keeps_down_state() -> None:
    stored = CameraState(status="down", since="t00", cause="timeout", fail_streak=5)
    state, trs = run([OK, OK], state=stored)
    assert [t.to_status for t in trs] == ["up"]
    assert trs[0].outage_ended_at == "t00"  # the first successful probe after restart
