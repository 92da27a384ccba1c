"""The pure alerting core: grouping, repeat, quiet hours, flapping, rendering, splitting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from camnet.alerts.grouping import (
    GroupState,
    Item,
    Timing,
    in_quiet_hours,
    is_flapping,
    is_stable,
    plan_flush,
)
from camnet.alerts.render import render, split_text
from camnet.timeutil import display_timezone, to_iso

T0 = datetime(2026, 3, 1, 19, 14, tzinfo=UTC)  # 02:14 in Asia/Ho_Chi_Minh
TIMING = Timing(group_wait_s=60, group_interval_s=300, repeat_s=4 * 3600)


def _down(i: int, at: datetime = T0, kind: str = "camera_down") -> Item:
    return Item(id=i, kind=kind, at=to_iso(at), created_at=to_iso(at), camera_id=i,
                subject=f"cam{i}", place=f"Nhà {i}", zone_name="thôn Mỹ Lợi", cause="timeout",
                link=f"/api/v1/cameras/{i}/status")


def test_five_simultaneous_failures_wait_then_one_message() -> None:
    items = [_down(i) for i in range(1, 6)]
    assert plan_flush(GroupState(), items, T0 + timedelta(seconds=30), TIMING) is None
    flush = plan_flush(GroupState(), items, T0 + timedelta(seconds=61), TIMING)
    assert flush is not None and len(flush.items) == 5
    assert [p.camera_id for p in flush.state.open] == [1, 2, 3, 4, 5]
    msg = render(flush.items, (), zone_name="thôn Mỹ Lợi", now=T0, tz=display_timezone(),
                 base_url="https://camnet.example")
    assert msg.text.splitlines()[0] == "5 camera ở thôn Mỹ Lợi mất tín hiệu từ 02:14 — có thể mất điện:"
    assert "rtsp://" not in msg.text and "https://camnet.example/" in msg.text
    assert msg.subject.startswith("[camnet] 5 cảnh báo")


def test_group_interval_then_recovery_is_sent() -> None:
    first = plan_flush(GroupState(), [_down(1)], T0 + timedelta(seconds=60), TIMING)
    assert first is not None
    recovered = _down(1, T0 + timedelta(seconds=90), "camera_recovered")
    # within the group interval: wait
    assert plan_flush(first.state, [recovered], T0 + timedelta(seconds=200), TIMING) is None
    second = plan_flush(first.state, [recovered], T0 + timedelta(seconds=361), TIMING)
    assert second is not None and second.items == (recovered,)
    assert second.state.open == ()
    msg = render(second.items, (), zone_name="z", now=T0, tz=display_timezone(), base_url="http://x")
    assert "đã hoạt động lại" in msg.text


def test_open_problem_repeats_after_repeat_interval_only() -> None:
    first = plan_flush(GroupState(), [_down(1)], T0 + timedelta(seconds=60), TIMING)
    assert first is not None
    assert plan_flush(first.state, [], T0 + timedelta(hours=3), TIMING) is None
    again = plan_flush(first.state, [], T0 + timedelta(hours=4, seconds=61), TIMING)
    assert again is not None and [p.camera_id for p in again.repeat] == [1]
    msg = render((), again.repeat, zone_name="z", now=T0, tz=display_timezone(), base_url="http://x")
    assert msg.text.startswith("Vẫn chưa khắc phục (1):")


def test_quiet_hours_hold_everything_and_wrap_midnight() -> None:
    late = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 23:30 local
    early = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 06:30 local
    assert in_quiet_hours(late, "22:00", "06:00", display_timezone())
    assert not in_quiet_hours(early, "22:00", "06:00", display_timezone())
    assert not in_quiet_hours(late, "", "", display_timezone())
    assert plan_flush(GroupState(), [_down(1, late)], late + timedelta(minutes=5), TIMING,
                      quiet=True) is None


def test_flapping_needs_four_changes_within_the_window() -> None:
    times = [T0 + timedelta(minutes=m) for m in (0, 10, 20)]
    assert not is_flapping(times, T0 + timedelta(minutes=20), threshold=4, window_s=3600)
    times.append(T0 + timedelta(minutes=30))
    assert is_flapping(times, T0 + timedelta(minutes=30), threshold=4, window_s=3600)
    assert not is_flapping(times, T0 + timedelta(minutes=75), threshold=4, window_s=3600)
    assert is_stable(T0, T0 + timedelta(minutes=30), stable_s=1800)
    assert not is_stable(T0, T0 + timedelta(minutes=29), stable_s=1800)


def test_english_and_split() -> None:
    msg = render([_down(1)], (), zone_name="z", now=T0, tz=display_timezone(), base_url="http://x",
                 language="en")
    assert msg.text.startswith("Camera cam1 (Nhà 1, thôn Mỹ Lợi) lost signal from 02:14")
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(100))
    parts = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in parts) and len(parts) > 1
    assert "\n".join(parts) == text


def test_test_messages_skip_the_waits() -> None:
    item = Item(id=1, kind="test", at=to_iso(T0), created_at=to_iso(T0))
    assert plan_flush(GroupState(), [item], T0, TIMING) is not None


def test_every_cause_reads_as_words_in_both_languages() -> None:
    """Named tier-2 causes (tcp_refused, busy…) never reach a Zalo message as a code."""
    from dataclasses import replace

    for cause in ("timeout", "tcp_refused", "busy", "decode_error", "black"):
        item = replace(_down(1, kind="camera_degraded" if cause == "black" else "camera_down"),
                       cause=cause)
        for lang in ("vi", "en"):
            msg = render([item], (), zone_name="z", now=T0, tz=display_timezone(),
                         base_url="http://x", language=lang)
            if lang == "vi" or "_" in cause:  # English words may well say "busy"
                assert cause not in msg.text, (cause, lang, msg.text)
