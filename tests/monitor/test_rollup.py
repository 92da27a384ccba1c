"""Daily roll-ups give exactly the raw uptime seconds, on random histories (hypothesis)."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camnet.config import Config
from camnet.db import Database
from camnet.monitor import rollup
from camnet.monitor.rollup import day_start
from camnet.monitor.uptime_raw import Seconds, created_ts, raw_seconds
from camnet.timeutil import to_iso
from camnet.web import keys

BASE = datetime(2026, 9, 1, tzinfo=UTC)
SPAN_S = 12 * 86400  # histories cover twelve days
NOW = BASE + timedelta(days=14)
H = 3600


def _t(seconds: int) -> str:
    return to_iso(BASE + timedelta(seconds=seconds))


moments = st.integers(min_value=0, max_value=SPAN_S)
pairs = st.tuples(moments, st.integers(min_value=1, max_value=4 * 86400)).map(
    lambda p: (p[0], min(SPAN_S + 86400, p[0] + p[1])))
camera_history = st.fixed_dictionaries({
    "created": st.sampled_from([-86400, 0, 5 * H + 17, 3 * 86400 + 7]),
    "spans": st.lists(pairs, max_size=3) | st.just([(-86400, SPAN_S + 86400)]),
    "outages": st.lists(pairs, max_size=4),
    "open_outage": st.none() | moments,
    "changes": st.lists(st.tuples(moments, st.sampled_from(["up", "degraded", "down"])), max_size=6),
    "maintenance": st.lists(pairs, max_size=2),
    "weekly": st.none() | st.tuples(moments, st.integers(min_value=600, max_value=6 * H)),
})
windows = st.tuples(st.integers(min_value=-86400, max_value=SPAN_S),
                    st.integers(min_value=1, max_value=SPAN_S + 86400))


async def _world(db: Database, cameras: list[dict[str, object]]) -> dict[int, float]:
    async with db.transaction() as tx:
        zone = await tx.execute("INSERT INTO zone(level, code, name, path, created_at, updated_at)"
                                " VALUES ('province', 'P', 'P', '/1/', ?, ?)", (_t(0), _t(0)))
        await tx.execute("UPDATE zone SET path = ? WHERE id = ?", (f"/{zone}/", zone))
        point = await tx.execute("INSERT INTO camera_point(zone_id, name, lat, lon, created_at,"
                                 " updated_at) VALUES (?, 'p', 16, 107, ?, ?)", (zone, _t(0), _t(0)))
        out = {}
        for n, cam in enumerate(cameras):
            created = _t(int(cam["created"]))  # type: ignore[call-overload]
            cid = await tx.execute("INSERT INTO camera(point_id, name, rtsp_url, created_at,"
                                   " updated_at) VALUES (?, ?, 'rtsp://127.0.0.1/x', ?, ?)",
                                   (point, f"c{n}", created, created))
            out[cid] = created_ts(created)
            await _history(tx, cid, cam)
    return out


async def _history(tx: object, cid: int, cam: dict[str, object]) -> None:
    from camnet.db import Transaction

    assert isinstance(tx, Transaction)
    for s, e in cam["spans"]:  # type: ignore[attr-defined]
        await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at) VALUES (?, ?, ?)",
                         (cid, _t(s), _t(e)))
    for s, e in cam["outages"]:  # type: ignore[attr-defined]
        await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at) VALUES (?, ?, ?)",
                         (cid, _t(s), _t(e)))
    if cam["open_outage"] is not None:
        await tx.execute("INSERT INTO outage(camera_id, started_at) VALUES (?, ?)",
                         (cid, _t(int(cam["open_outage"]))))  # type: ignore[call-overload]
    previous = "unknown"
    for at, status in sorted(cam["changes"]):  # type: ignore[attr-defined]
        await tx.execute("INSERT INTO status_change(camera_id, at, from_status, to_status)"
                         " VALUES (?, ?, ?, ?)", (cid, _t(at), previous, status))
        previous = status
    for s, e in cam["maintenance"]:  # type: ignore[attr-defined]
        await tx.execute("INSERT INTO maintenance_window(camera_id, starts_at, ends_at)"
                         " VALUES (?, ?, ?)", (cid, _t(s), _t(e)))
    if cam["weekly"] is not None:
        s, length = cam["weekly"]  # type: ignore[misc]
        await tx.execute("INSERT INTO maintenance_window(camera_id, starts_at, ends_at, weekly)"
                         " VALUES (?, ?, ?, 1)", (cid, _t(s), _t(s + length)))


def _close(a: Seconds, b: Seconds) -> bool:
    return all(abs(x - y) < 1e-3 for x, y in zip(
        (a.monitored, a.down, a.degraded, a.maintenance, a.no_data),
        (b.monitored, b.down, b.degraded, b.maintenance, b.no_data), strict=True))


async def _check(db: Database, cams: dict[int, float], wins: list[tuple[int, int]]) -> None:
    for lo, length in wins:
        start = BASE + timedelta(seconds=lo)
        end = start + timedelta(seconds=length)
        raw = await raw_seconds(db, cams, start, end)
        rolled = await rollup.camera_seconds(db, cams, start, end)
        for cid in cams:
            assert _close(raw[cid], rolled[cid]), (cid, lo, length, raw[cid], rolled[cid])


async def _scenario(path: Path, cameras: list[dict[str, object]], wins: list[tuple[int, int]],
                    late: dict[str, object], max_days: int) -> None:
    db = await Database.open(path)
    try:
        await db.migrate(None)
        cams = await _world(db, cameras)
        assert await rollup.roll_up_all(db, now=NOW, lag_s=0, max_days=max_days) > 0
        state = await rollup.rollup_state(db)
        assert state.rolled_until == (NOW.date()).isoformat() and not state.dirty
        await _check(db, cams, wins)
        # history written back-dated moves the roll-up back; the answer stays exact
        async with db.transaction() as tx:
            await _history(tx, next(iter(cams)), late)
        await _check(db, cams, wins)
        await rollup.roll_up_all(db, now=NOW, lag_s=0, max_days=max_days)
        assert (await rollup.rollup_state(db)).rolled_until == NOW.date().isoformat()
        await _check(db, cams, wins)
    finally:
        await db.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cameras=st.lists(camera_history, min_size=1, max_size=3),
       wins=st.lists(windows, min_size=1, max_size=4),
       late=camera_history.map(lambda c: {**c, "open_outage": None}),
       max_days=st.sampled_from([1, 3, 31]))
def test_rollup_equals_raw(cameras: list[dict[str, object]], wins: list[tuple[int, int]],
                           late: dict[str, object], max_days: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(_scenario(Path(tmp) / "r.sqlite3", cameras, wins, late, max_days))


def test_a_plain_day_has_no_row_and_counts_as_watched_and_up(tmp_path: Path) -> None:
    async def run() -> None:
        db = await Database.open(tmp_path / "p.sqlite3")
        try:
            await db.migrate(None)
            quiet = {"open_outage": None, "changes": [], "maintenance": [], "weekly": None}
            cams = await _world(db, [
                {**quiet, "created": 0, "spans": [(0, SPAN_S)],
                 "outages": [(2 * 86400 + 60, 2 * 86400 + 660)]},
                {**quiet, "created": 5 * H + 17, "spans": [(0, SPAN_S)], "outages": []}])
            await rollup.roll_up_all(db, now=NOW, lag_s=0)
            first, second = cams
            rows = await db.fetchall("SELECT day, down_s FROM uptime_daily WHERE camera_id = ?",
                                     (first,))
            # the day with the outage and the days not watched after the spans end
            assert [(r["day"], r["down_s"]) for r in rows][0] == ("2026-09-03", 600.0)
            assert all(r["day"] >= "2026-09-13" for r in rows[1:])
            rows = await db.fetchall("SELECT day, monitored_s FROM uptime_daily WHERE camera_id = ?"
                                     " AND day < '2026-09-13'", (second,))
            # registered at 05:00:17 on the first day: that day is partial and gets its row
            assert [(r["day"], r["monitored_s"]) for r in rows] == [("2026-09-01", 86400 - 5 * H - 17)]
            seconds = await rollup.camera_seconds(db, cams, BASE, BASE + timedelta(days=12))
            assert seconds[first].monitored == 12 * 86400 and seconds[first].down == 600
            assert seconds[first].no_data == 0
            assert seconds[second].monitored == 12 * 86400 - 5 * H - 17
        finally:
            await db.close()

    asyncio.run(run())


def test_live_monitoring_does_not_disturb_rolled_up_days(tmp_path: Path) -> None:
    """What every cycle writes (spans extended, an outage opened and closed now) leaves
    the roll-up where it is; a back-dated write moves it back."""
    async def run() -> None:
        db = await Database.open(tmp_path / "l.sqlite3")
        try:
            await db.migrate(None)
            quiet = {"open_outage": None, "changes": [], "maintenance": [], "weekly": None,
                     "outages": []}
            now = 14 * 86400  # NOW; the last probe was 30 s ago
            (cam,) = await _world(db, [{**quiet, "created": 0, "spans": [(0, now - 30)]}])
            await rollup.roll_up_all(db, now=NOW, lag_s=3600)
            before = await rollup.rollup_state(db)
            assert before.rolled_until == "2026-09-14"
            async with db.transaction() as tx:  # a cycle at "now"
                await tx.execute("UPDATE watched_span SET ended_at = ? WHERE camera_id = ?",
                                 (_t(now + 30), cam))
                await tx.execute("INSERT INTO outage(camera_id, started_at) VALUES (?, ?)",
                                 (cam, _t(now + 10)))
                await tx.execute("UPDATE outage SET ended_at = ? WHERE camera_id = ?",
                                 (_t(now + 25), cam))
                await tx.execute("INSERT INTO status_change(camera_id, at, from_status, to_status)"
                                 " VALUES (?, ?, 'up', 'down')", (cam, _t(now + 10)))
            after = await rollup.rollup_state(db)
            assert after.rolled_until == before.rolled_until and not after.dirty
            async with db.transaction() as tx:  # maintenance entered for last week
                await tx.execute("INSERT INTO maintenance_window(camera_id, starts_at, ends_at)"
                                 " VALUES (?, ?, ?)", (cam, _t(5 * 86400), _t(5 * 86400 + 600)))
            moved = await rollup.rollup_state(db)
            assert moved.rolled_until == "2026-09-06" and moved.dirty
        finally:
            await db.close()

    asyncio.run(run())


async def test_the_service_backfills_roll_ups_on_start(config: Config) -> None:
    """Migration 0120 leaves nothing rolled up; the running service backfills by itself,
    and the API's uptime answer is the same before and after."""
    from camnet.app import create_app
    from camnet.auth.principal import cli_principal
    from camnet.db import open_database
    from camnet.monitor.uptime import uptime_report
    from camnet.sample import load_sample
    from camnet.secretstore import CredentialCipher, load_secrets

    db = await open_database(config)
    try:
        await load_sample(db, CredentialCipher(load_secrets(config.data_dir).credentials_key))
        four_days_ago = to_iso(datetime.now(UTC) - timedelta(days=4))
        async with db.transaction() as tx:  # registered earlier, watched since, one outage
            await tx.execute("UPDATE camera SET created_at = ?", (four_days_ago,))
            await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                             " SELECT id, ?, ? FROM camera", (four_days_ago, to_iso(datetime.now(UTC))))
            await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at) SELECT MIN(id), ?, ?"
                             " FROM camera", (to_iso(datetime.now(UTC) - timedelta(days=2)),
                                             to_iso(datetime.now(UTC) - timedelta(days=2, hours=-1))))
        before = (await uptime_report(db, cli_principal(), period="7d", group="zone")).as_dict()
        asked = asyncio.get_running_loop().time()
    finally:
        await db.close()
    app = create_app(config)
    runner = web.AppRunner(app)
    await runner.setup()  # runs the cleanup contexts: the roll-up task starts
    try:
        db = app[keys.DB]
        for _ in range(240):
            if (await rollup.rollup_state(db)).rolled_until != "0000-00-00":
                break
            await asyncio.sleep(0.25)
        state = await rollup.rollup_state(db)
        assert day_start(state.rolled_until) is not None
        assert await db.fetchval("SELECT COUNT(*) FROM uptime_daily") > 0
        after = (await uptime_report(db, cli_principal(), period="7d", group="zone")).as_dict()
        later = asyncio.get_running_loop().time() - asked
    finally:
        await runner.cleanup()
    for a, b in zip(before["items"], after["items"], strict=True):  # type: ignore[call-overload]
        assert a["key"] == b["key"] and a["outages"] == b["outages"]
        assert abs(a["monitored_s"] - b["monitored_s"]) <= 1, (a, b)  # rounded to seconds
        assert abs(a["down_s"] - b["down_s"]) <= 1, (a, b)
        # the window ends at "now": the unwatched time since the span's end grew meanwhile
        assert 0 <= b["no_data_s"] - a["no_data_s"] <= (later + 1) * b["cameras"], (a, b)
