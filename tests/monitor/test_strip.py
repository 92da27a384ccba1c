"""The status strip: each slot's state from watched, down, degraded and maintenance time."""

from __future__ import annotations

from datetime import timedelta

from camnet.auth.principal import cli_principal
from camnet.monitor.strip import SLOTS, camera_strip, slot_states
from camnet.registry import cameras
from camnet.timeutil import utcnow
from camnet.web import keys
from tests.conftest import World

H = 3600.0


def _states(**kw: object) -> list[str]:
    args = {"watched_": [], "down": [], "degraded": [], "maintenance": [], **kw}
    return [s.state for s in slot_states(0, 6 * H, 6, **args)]  # type: ignore[arg-type]


def test_never_watched_is_no_data_not_up() -> None:
    assert _states() == ["no_data"] * 6


def test_any_down_moment_marks_the_slot_down_and_degraded_next() -> None:
    states = _states(watched_=[(0, 6 * H)], down=[(1.5 * H, 1.6 * H)],
                     degraded=[(3.2 * H, 3.3 * H)])
    assert states == ["up", "down", "up", "degraded", "up", "up"]


def test_maintenance_hides_outages_and_fills_its_slots() -> None:
    states = _states(watched_=[(0, 6 * H)], down=[(2 * H, 4 * H)],
                     maintenance=[(2 * H, 4 * H)])
    assert states == ["up", "up", "maintenance", "maintenance", "up", "up"]


def test_before_registration_is_no_data_and_seconds_add_up() -> None:
    slots = slot_states(0, 6 * H, 6, watched_=[(0, 6 * H)], down=[], degraded=[],
                        maintenance=[], begin=3 * H)
    assert [s.state for s in slots] == ["no_data"] * 3 + ["up"] * 3
    for s in slots:
        total = s.up_s + s.down_s + s.degraded_s + s.maintenance_s + s.no_data_s
        assert abs(total - H) < 1e-6


async def test_camera_strip_reads_one_camera_in_scope(world: World) -> None:
    found, _ = await cameras.list_cameras(world.app[keys.DB], cli_principal(), per_page=1)
    now = utcnow()
    for period, count in SLOTS.items():
        slots = await camera_strip(world.app[keys.DB], cli_principal(), found[0].id, period, now)
        assert len(slots) == count and abs((slots[-1].end - now).total_seconds()) < 0.01
        assert slots[0].start < now - timedelta(hours=23)
