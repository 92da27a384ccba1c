"""The one time helper: stored UTC, shown in the configured zone, durations in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from camnet import timeutil
from camnet.timeutil import format_duration, format_local, parse_iso, set_display_timezone


@pytest.fixture
def restore_zone() -> Iterator[None]:
    yield
    set_display_timezone(timeutil.DEFAULT_TIMEZONE)


def test_default_zone_is_ho_chi_minh() -> None:
    assert format_local("2026-01-05T01:30:00Z") == "05/01/2026 08:30"
    assert timeutil.to_iso(parse_iso("2026-01-05T08:30")) == "2026-01-05T01:30:00.000000Z"


def test_configured_zone_is_used_everywhere(restore_zone: None) -> None:
    set_display_timezone("Europe/Berlin")
    assert timeutil.display_timezone_name() == "Europe/Berlin"
    assert format_local("2026-01-05T01:30:00Z") == "05/01/2026 02:30"
    assert timeutil.to_iso(parse_iso("2026-01-05T02:30")) == "2026-01-05T01:30:00.000000Z"


@pytest.mark.parametrize(("seconds", "vi", "en"), [
    (0, "0 giây", "0 s"),
    (59, "59 giây", "59 s"),
    (8100, "2 giờ 15 phút", "2 h 15 min"),
    (86400 * 3 + 3600, "3 ngày 1 giờ", "3 days 1 h"),
    (-5, "0 giây", "0 s"),
])
def test_durations_in_words(seconds: float, vi: str, en: str) -> None:
    assert format_duration(seconds, "vi") == vi
    assert format_duration(seconds, "en") == en


def test_app_honours_ui_timezone(tmp_path: object, restore_zone: None) -> None:
    from camnet.app import create_app
    from camnet.config import load_config

    config = load_config(None, {"storage": {"data_dir": str(tmp_path)}, "ui": {"timezone": "Asia/Tokyo"},
                                "monitor": {"enabled": False}})
    create_app(config)
    assert timeutil.display_timezone_name() == "Asia/Tokyo"
