"""The tier-2 rotation: every reachable camera gets a picture check within the window."""

from __future__ import annotations

import random

import pytest

from camnet.monitor.tier1_plan import start_order
from camnet.monitor.tier2_plan import Candidate, plan, rotation_quota

INTERVAL = 60.0


def _iso(t: float) -> str:
    return f"{t:012.1f}"  # sorts like the stored ISO times do


def _simulate(cameras: int, max_age_s: float, cycles: int, slots: int, *, changed_per_cycle: int,
              bad_per_cycle: int, seed: int) -> tuple[float, int]:
    """Run the planner over ``cycles`` cycles; every planned check completes in its cycle.

    Returns the worst age (seconds) any camera reached and how many checks were done.
    """
    rng = random.Random(seed)
    last: dict[int, float | None] = dict.fromkeys(range(cameras))
    worst = 0.0
    checks = 0
    for k in range(cycles):
        now = k * INTERVAL
        changed = set(rng.sample(range(cameras), changed_per_cycle))
        bad = set(rng.sample(range(cameras), bad_per_cycle))
        candidates = []
        for cid in range(cameras):
            key = (0, "") if cid in changed else (1, "") if cid in bad else (
                (2, "") if last[cid] is None else (3, _iso(last[cid] or 0.0)))
            due = key[0] < 3 or now - (last[cid] or 0.0) >= 5 * INTERVAL
            candidates.append(Candidate(cid, key, None if last[cid] is None
                                        else _iso(last[cid] or 0.0), due))
        quota = rotation_quota(cameras, interval_s=INTERVAL, max_age_s=max_age_s)
        chosen = plan(candidates, slots=max(slots, quota), quota=quota)
        assert len(chosen) == len(set(chosen))
        for cid in chosen:  # checked before the next cycle starts
            last[cid] = now + INTERVAL / 2
            checks += 1
        if k >= max_age_s / INTERVAL:  # past the first window every camera has a check
            worst = max(worst, *(now - (t if t is not None else -1e9) for t in last.values()))
    return worst, checks


@pytest.mark.parametrize(("cameras", "slots", "changed", "bad"), [
    (600, 40, 0, 0),       # quiet: only the rotation
    (600, 40, 60, 20),     # more changed cameras every cycle than there are slots
    (1000, 10, 300, 300),  # queue far smaller than the rotation needs: the quota wins
])
def test_every_camera_is_checked_within_the_window(cameras: int, slots: int, changed: int,
                                                   bad: int) -> None:
    max_age = 1800.0
    worst, checks = _simulate(cameras, max_age, cycles=90, slots=slots,
                              changed_per_cycle=changed, bad_per_cycle=bad, seed=cameras + slots)
    assert worst <= max_age
    assert checks >= cameras  # and the rotation really went round


def test_changed_cameras_go_first_but_leave_the_rotation_its_quota() -> None:
    candidates = [Candidate(i, (0, ""), "2026-11-28T10:00:00Z", True) for i in range(10)]
    candidates += [Candidate(100 + i, (3, f"2026-11-2{i}T00:00:00Z"), f"2026-11-2{i}T00:00:00Z",
                             False) for i in range(5)]
    chosen = plan(candidates, slots=8, quota=3)
    assert chosen[:5] == [0, 1, 2, 3, 4]  # changed first, up to slots - quota
    assert chosen[5:] == [100, 101, 102]  # then the three checked longest ago


def test_never_checked_lead_the_rotation_and_slots_bound_the_plan() -> None:
    candidates = [Candidate(1, (3, "b"), "2026-01-02T00:00:00Z", True),
                  Candidate(2, (2, ""), None, True),
                  Candidate(3, (3, "a"), "2026-01-01T00:00:00Z", True)]
    assert plan(candidates, slots=2, quota=2) == [2, 3]
    assert plan(candidates, slots=0, quota=2) == []
    assert plan(candidates, slots=5, quota=0) == [2, 3, 1]  # the due ones by priority


def test_rotation_quota_sizes_the_window() -> None:
    # 50,000 cameras, 30 minutes, 1-minute cycles: 28 usable cycles → 1,786 a cycle
    assert rotation_quota(50_000, interval_s=60, max_age_s=1800) == 1786
    assert rotation_quota(0, interval_s=60, max_age_s=1800) == 0
    assert rotation_quota(50, interval_s=60, max_age_s=120) == 50  # window under 3 cycles


def test_start_order_spreads_every_camera_once() -> None:
    order = start_order(1000, 30.0, random.Random(1).random)
    assert sorted(i for _, i in order) == list(range(1000))
    offsets = [t for t, _ in order]
    assert offsets == sorted(offsets) and 0 <= offsets[0] and offsets[-1] < 30.0
    assert start_order(3, 0, random.random) == [(0.0, 0), (0.0, 1), (0.0, 2)]
