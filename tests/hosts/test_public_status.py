"""The public status page's pure core: components, thresholds, delay, daily windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from camnet.hosts.public_status import (
    OTHER_KEY,
    Component,
    ComponentState,
    Counts,
    Thresholds,
    Watched,
    bar_level,
    bucket_floor,
    camera_state,
    component_state,
    component_status,
    count_states,
    day_windows,
    group_components,
    worst,
)

TH = Thresholds()
VN = ZoneInfo("Asia/Ho_Chi_Minh")
HAMLETS = {"ML": "Thôn Mỹ Lợi", "DC": "Thôn Định Cư", "PA": "Thôn Phú An"}


def test_delay_is_the_last_full_bucket() -> None:
    moment = datetime(2026, 11, 28, 16, 59, 59, tzinfo=UTC)
    assert bucket_floor(moment, 3600) == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    assert bucket_floor(moment.replace(minute=0, second=0), 3600) == moment.replace(minute=0,
                                                                                    second=0)
    assert bucket_floor(moment, 900) == datetime(2026, 11, 28, 16, 45, tzinfo=UTC)
    # a whole hour in UTC is a whole hour in Việt Nam (UTC+7)
    assert bucket_floor(moment.astimezone(VN), 3600).astimezone(VN).minute == 0
    with pytest.raises(ValueError, match="naive"):
        bucket_floor(datetime(2026, 1, 1), 3600)  # noqa: DTZ001 - the case under test


@pytest.mark.parametrize(("figures", "state"), [
    ((3600, 0, 0, 0), "up"),
    ((3600, 1800, 0, 0), "up"),  # down exactly half the watched time: not yet down
    ((3600, 1801, 0, 0), "down"),
    ((1800, 0, 1800, 0), "maintenance"),  # half the hour in maintenance
    ((1801, 0, 0, 1799), "up"),
    ((1799, 0, 0, 1801), "no_data"),  # watched under half the hour: no data, never up
    ((0, 0, 0, 3600), "no_data"),
    ((0, 0, 0, 0), None),  # registered after the hour
])
def test_camera_state_in_the_last_bucket(figures: tuple[float, float, float, float],
                                         state: str | None) -> None:
    assert camera_state(*figures) == state


def test_counts() -> None:
    counts = count_states(["up", "up", "down", "maintenance", "no_data", None])
    assert counts == Counts(up=2, down=1, maintenance=1, no_data=1)
    assert counts.total == 5
    assert counts.plus(Counts(up=1)) == Counts(3, 1, 1, 1)


@pytest.mark.parametrize(("counts", "state"), [
    (Counts(up=20), ComponentState.OPERATIONAL),
    (Counts(up=19, down=1), ComponentState.OPERATIONAL),  # 5 % < 10 %
    (Counts(up=9, down=1), ComponentState.DEGRADED),  # 10 %
    (Counts(up=9, no_data=1), ComponentState.DEGRADED),  # no data counts as bad
    (Counts(up=3, down=1), ComponentState.PARTIAL_OUTAGE),  # 25 %
    (Counts(up=1, down=1), ComponentState.MAJOR_OUTAGE),  # 50 %
    (Counts(no_data=6), ComponentState.MAJOR_OUTAGE),  # nothing watched is never operational
    (Counts(up=3, maintenance=3), ComponentState.UNDER_MAINTENANCE),  # 50 % in maintenance
    (Counts(up=4, down=1, maintenance=2), ComponentState.DEGRADED),  # 1 of 5 judged: 20 %
    (Counts(), ComponentState.MAJOR_OUTAGE),
])
def test_component_state_thresholds(counts: Counts, state: ComponentState) -> None:
    assert component_state(counts, TH) is state


def test_thresholds_are_configurable() -> None:
    strict = Thresholds(degraded_pct=1, partial_pct=2, major_pct=3)
    assert component_state(Counts(up=19, down=1), strict) is ComponentState.MAJOR_OUTAGE
    assert component_state(Counts(up=99, down=1), strict) is ComponentState.DEGRADED


def test_worst_state() -> None:
    assert worst([ComponentState.OPERATIONAL, ComponentState.UNDER_MAINTENANCE]) is \
        ComponentState.UNDER_MAINTENANCE
    assert worst([ComponentState.DEGRADED, ComponentState.MAJOR_OUTAGE]) is \
        ComponentState.MAJOR_OUTAGE
    assert worst([]) is ComponentState.OPERATIONAL


def test_hamlets_with_five_cameras_are_components_the_rest_is_folded() -> None:
    comps = group_components("X", "Xã Phú Mỹ", {"ML": 6, "DC": 4, "PA": 5, "X": 2}, HAMLETS, 5)
    assert [(c.key, c.name, c.folded) for c in comps] == [
        ("ML", "Thôn Mỹ Lợi", False), ("PA", "Thôn Phú An", False),
        (OTHER_KEY, "Xã Phú Mỹ", True)]
    assert comps[-1].zone_codes == frozenset({"DC", "X"})


def test_a_commune_of_small_hamlets_is_one_component() -> None:
    comps = group_components("X", "Xã Phú Mỹ", {"ML": 4, "DC": 1}, HAMLETS, 5)
    assert [(c.key, c.folded, c.zone_codes) for c in comps] == [
        (OTHER_KEY, True, frozenset({"ML", "DC"}))]
    # no camera at all: still one (empty) component, never a hamlet of its own
    assert [c.key for c in group_components("X", "Xã", {}, HAMLETS, 5)] == [OTHER_KEY]


def test_no_rest_component_when_every_camera_sits_in_a_big_hamlet() -> None:
    comps = group_components("X", "Xã", {"ML": 5, "DC": 9}, HAMLETS, 5)
    assert [c.key for c in comps] == ["ML", "DC"]  # by name


def test_hamlet_page_is_one_component() -> None:
    comps = group_components("ML", "Thôn Mỹ Lợi", {"ML": 6}, HAMLETS, 5)
    assert [(c.key, c.name) for c in comps] == [(OTHER_KEY, "Thôn Mỹ Lợi")]


def test_uptime_is_over_watched_time_only() -> None:
    assert Watched(3600, 36).uptime_pct == 99.0
    assert Watched(0, 0).uptime_pct is None  # never "100 %" without data
    assert Watched(100, 10).plus(Watched(100, 0)).uptime_pct == 95.0


@pytest.mark.parametrize(("pct", "level"), [(100.0, "ok"), (99.0, "ok"), (98.99, "warn"),
                                             (95.0, "warn"), (94.9, "bad"), (None, "none")])
def test_bar_levels(pct: float | None, level: str) -> None:
    assert bar_level(pct, TH) == level


def test_day_windows_are_local_days_ending_at_the_delay() -> None:
    as_of = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # 16:00 in Việt Nam
    days = day_windows(as_of, 90, VN)
    assert len(days) == 90
    first_day, first_start, first_end = days[0]
    last_day, last_start, last_end = days[-1]
    assert last_day == date(2026, 11, 28) and first_day == date(2026, 8, 31)
    assert last_start == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # local midnight
    assert last_end == as_of  # today is partial
    assert first_end - first_start == timedelta(days=1)
    assert all(days[i][2] == days[i + 1][1] for i in range(89))  # no gaps, no overlap


def test_at_local_midnight_the_last_day_is_the_one_that_just_ended() -> None:
    as_of = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 00:00 on 29 Nov in Việt Nam
    day, start, end = day_windows(as_of, 90, VN)[-1]
    assert day == date(2026, 11, 28) and end == as_of and end - start == timedelta(days=1)


def test_component_status_folds_per_zone_figures() -> None:
    comp = Component(OTHER_KEY, "Xã", True, frozenset({"ML", "DC"}))
    day = {"ML": Watched(86400, 864), "DC": Watched(86400, 0), "PA": Watched(86400, 86400)}
    days = [(date(2026, 11, 27), day), (date(2026, 11, 28), {})]
    status = component_status(comp, Counts(up=5, down=1), 6, day, day, days, TH)
    assert status.uptime_24h == 99.5  # PA's outage is not this component's
    assert status.uptime_90d == 99.5
    assert [b.level for b in status.days] == ["ok", "none"]
    assert status.state is ComponentState.DEGRADED
