"""Many windows at once give exactly what one window at a time gives (request lists)."""

from __future__ import annotations

import random
from datetime import timedelta

from camnet.monitor.uptime import (
    availability_in_window,
    outages_in_window,
    windows_availability,
)
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from tests.conftest import World


async def test_batched_windows_equal_one_by_one(world: World) -> None:
    db = world.app[keys.DB]
    cams = [int(r["id"]) for r in await db.fetchall("SELECT id FROM camera ORDER BY id LIMIT 6")]
    now = utcnow().replace(microsecond=0)
    base = now - timedelta(days=3)
    rnd = random.Random(20261128)

    def at(minutes: int) -> str:
        return to_iso(base + timedelta(minutes=minutes))

    async with db.transaction() as tx:
        for cid in cams:
            t = rnd.randrange(0, 300)
            while t < 4000:  # watched runs with gaps
                end = t + rnd.randrange(30, 900)
                await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                                 " VALUES (?, ?, ?)", (cid, at(t), at(end)))
                t = end + rnd.randrange(5, 200)
            t = rnd.randrange(0, 500)
            while t < 4000:  # outages, the last one perhaps still open
                end = t + rnd.randrange(1, 240)
                still_open = end > 3900
                await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                                 " VALUES (?, ?, ?, 'timeout')",
                                 (cid, at(t), None if still_open else at(end)))
                if still_open:
                    break
                t = end + rnd.randrange(60, 900)
    windows = []
    for _ in range(60):
        start = base + timedelta(minutes=rnd.randrange(-200, 4300))
        windows.append((rnd.choice(cams), start,
                        min(start + timedelta(minutes=rnd.randrange(1, 2000)), now)))
    batched = await windows_availability(db, windows)
    for (cid, start, end), got in zip(windows, batched, strict=True):
        up_pct, down_s, watched_s = await availability_in_window(db, cid, start, end)
        _, outages = await outages_in_window(db, cid, start, end)
        assert (got.up_pct, round(got.down_s, 3), round(got.watched_s, 3)) == (
            up_pct, round(down_s, 3), round(watched_s, 3)), (cid, start, end)
        assert got.outages == outages
    assert any(g.up_pct is not None and g.up_pct < 100 for g in batched)  # outages were seen
