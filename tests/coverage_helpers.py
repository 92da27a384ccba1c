"""Shared set-up for the coverage tests: a commune with cameras at known places."""

from __future__ import annotations

from datetime import datetime, timedelta

from camnet.auth.principal import cli_principal
from camnet.coverage.geometry import destination
from camnet.db import Database
from camnet.registry.cameras import create_camera
from camnet.registry.models import CameraIn, PointIn, ZoneIn
from camnet.registry.points import create_point
from camnet.registry.zones import create_zone
from camnet.secretstore import CredentialCipher
from camnet.timeutil import to_iso

LAT, LON = 16.5000, 107.6500
ROOT = cli_principal()


async def make_zone(db: Database, code: str = "COV-PROV", child: str = "COV-COMMUNE") -> None:
    await create_zone(db, ROOT, ZoneIn(level="province", code=code, name="Province"))
    await create_zone(db, ROOT, ZoneIn(parent_code=code, level="commune", code=child, name="Xã thử"))


async def make_camera(db: Database, cipher: CredentialCipher, name: str, *, bearing: float = 0,
                      dist: float = 0, az: float | None = 90, fov: float | None = 60,
                      rng: float | None = 50, retention: int = 7, zone: str = "COV-COMMUNE") -> int:
    lat, lon = destination(LAT, LON, bearing, dist) if dist else (LAT, LON)
    point = await create_point(db, ROOT, PointIn(zone_code=zone, name=f"P-{name}", lat=lat, lon=lon))
    cam = await create_camera(db, ROOT, cipher, CameraIn(
        point_id=point.id, name=name, rtsp_url=f"rtsp://127.0.0.1:8554/{name}", azimuth_deg=az,
        fov_deg=fov, range_m=rng, retention_days=retention))
    return cam.id


async def monitored(db: Database, camera_id: int, since: datetime, until: datetime,
                    outages: list[tuple[datetime, datetime | None]] = ()) -> None:  # type: ignore[assignment]
    """Rows as the monitor writes them: first status, a cycle a minute, outages."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO status_change(camera_id, at, from_status, to_status, reason)"
            " VALUES (?, ?, 'unknown', 'up', 'first probe')", (camera_id, to_iso(since)))
        t = since
        rows = []
        while t <= until:
            rows.append((to_iso(t), to_iso(t + timedelta(seconds=2)), 1, 1))
            t += timedelta(minutes=1)
        await tx.executemany(
            "INSERT INTO probe_cycle(started_at, finished_at, duration_ms, cameras, completed)"
            " SELECT ?, ?, 2000, ?, ? WHERE NOT EXISTS (SELECT 1 FROM probe_cycle WHERE started_at = ?1)",
            rows)
        for start, end in outages:
            await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                             " VALUES (?, ?, ?, 'timeout')",
                             (camera_id, to_iso(start), to_iso(end) if end else None))
