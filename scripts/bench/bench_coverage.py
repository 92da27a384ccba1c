"""Benchmark coverage at province scale: 50,000 cameras in 1,500 zones.

Measures who-saw p95, one zone's coverage recompute, and the map's bounding-box query p95,
on a real SQLite file in a temp dir. Run by hand (not a test):

    PYTHONPATH=. python scripts/bench/bench_coverage.py [--cameras 50000] [--zones 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from camnet.auth.principal import cli_principal
from camnet.coverage import zones as zonecov
from camnet.coverage.history import current_in_bbox, sync_geometry
from camnet.coverage.whosaw import WhoSawSettings, who_saw
from camnet.db import Database
from camnet.timeutil import now_iso, to_iso, utcnow

LAT0, LON0 = 16.0, 107.0
ZONE_DEG = 0.02  # each commune is a ~2.2 km square


def p95(samples: list[float]) -> float:
    """95th percentile in milliseconds."""
    return statistics.quantiles(samples, n=20)[-1] * 1000


async def build(db: Database, cameras: int, zones: int, rng: random.Random) -> list[tuple[float, float]]:
    """Insert a province, communes (with boundaries), points, cameras, monitor history.

    Returns the cameras' places.
    """
    now = now_iso()
    side = int(zones ** 0.5) + 1
    places: list[tuple[float, float]] = []
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO zone(id, parent_id, level, code, name, path, created_at, updated_at)"
                         " VALUES (1, NULL, 'province', 'BENCH', 'Bench', '/1/', ?, ?)", (now, now))
        zone_rows, point_rows, camera_rows, status_rows = [], [], [], []
        per_zone = cameras // zones
        cam_id = point_id = 0
        for z in range(zones):
            zid = z + 2
            lat = LAT0 + (z // side) * ZONE_DEG
            lon = LON0 + (z % side) * ZONE_DEG
            ring = [[lon, lat], [lon + ZONE_DEG, lat], [lon + ZONE_DEG, lat + ZONE_DEG],
                    [lon, lat + ZONE_DEG], [lon, lat]]
            zone_rows.append((zid, 1, "commune", f"C{z:04d}", f"Commune {z}", f"/1/{zid}/",
                              json.dumps({"type": "Polygon", "coordinates": [ring]}), now, now))
            count = per_zone + (1 if z < cameras - per_zone * zones else 0)
            made = 0
            while made < count:
                point_id += 1
                plat, plon = lat + rng.random() * ZONE_DEG, lon + rng.random() * ZONE_DEG
                point_rows.append((point_id, zid, f"P{point_id}", plat, plon, now, now))
                for _ in range(min(count - made, rng.choice((1, 1, 2)))):
                    cam_id += 1
                    made += 1
                    fov = rng.choice((60.0, 90.0, 110.0, 360.0))
                    camera_rows.append((cam_id, point_id, f"cam{cam_id}", f"rtsp://127.0.0.1/{cam_id}",
                                        rng.uniform(0, 360), fov, rng.uniform(20, 80), 7, now, now))
                    status_rows.append((cam_id, "up" if rng.random() < 0.85 else "down", "ok"))
                    places.append((plat, plon))
        await tx.executemany("INSERT INTO zone(id, parent_id, level, code, name, path, boundary_geojson,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", zone_rows)
        await tx.executemany("INSERT INTO camera_point(id, zone_id, name, lat, lon, created_at, updated_at)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)", point_rows)
        await tx.executemany("INSERT INTO camera(id, point_id, name, rtsp_url, azimuth_deg, fov_deg, range_m,"
                             " retention_days, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             camera_rows)
        await tx.executemany("INSERT INTO camera_status(camera_id, status, health) VALUES (?, ?, ?)",
                             status_rows)
        await sync_geometry(tx)
        # two days of monitor history: a cycle a minute, a first status per camera, and
        # an outage for one camera in ten
        t0 = utcnow() - timedelta(days=2)
        await tx.executemany(
            "INSERT INTO probe_cycle(started_at, finished_at, duration_ms, cameras, completed)"
            " VALUES (?, ?, 1000, ?, ?)",
            [(to_iso(t0 + timedelta(minutes=m)), to_iso(t0 + timedelta(minutes=m, seconds=1)),
              cameras, cameras) for m in range(2 * 24 * 60)])
        await tx.executemany(
            "INSERT INTO status_change(camera_id, at, from_status, to_status) VALUES (?, ?, 'unknown', 'up')",
            [(c, to_iso(t0)) for c in range(1, cam_id + 1)])
        await tx.executemany(
            "INSERT INTO outage(camera_id, started_at, ended_at, cause) VALUES (?, ?, ?, 'timeout')",
            [(c, to_iso(t0 + timedelta(minutes=rng.randrange(2800))),
              to_iso(t0 + timedelta(minutes=2860))) for c in range(1, cam_id + 1, 10)])
    return places


async def main() -> None:
    """Build the data set and print the three figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=50_000)
    parser.add_argument("--zones", type=int, default=1_500)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(9)
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        await db.migrate(None)
        t0 = time.perf_counter()
        places = await build(db, args.cameras, args.zones, rng)
        print(f"built {len(places)} cameras in {args.zones} zones in {time.perf_counter() - t0:.1f} s")
        actor = cli_principal()
        settings = WhoSawSettings()
        end = utcnow()
        start = end - timedelta(hours=1)
        times, found = [], 0
        for _ in range(args.queries):
            lat, lon = rng.choice(places)
            lat += rng.uniform(-0.0003, 0.0003)
            lon += rng.uniform(-0.0003, 0.0003)
            t = time.perf_counter()
            answer = await who_saw(db, actor, lat=lat, lon=lon, start=start, end=end, settings=settings)
            times.append(time.perf_counter() - t)
            found += len(answer["cameras"])
        print(f"who-saw: p95 {p95(times):.1f} ms, median {statistics.median(times) * 1000:.1f} ms"
              f" ({found / args.queries:.1f} cameras per answer)")
        zone_rows = await db.fetchall("SELECT * FROM zone WHERE level = 'commune' ORDER BY random() LIMIT 30")
        recompute = []
        for zone in zone_rows:
            t = time.perf_counter()
            report = await zonecov._commune_coverage(db, zone)  # noqa: SLF001 - measure the unit
            recompute.append(time.perf_counter() - t)
            assert report["cached"] is False  # noqa: S101
        t = time.perf_counter()
        cached = await zonecov._commune_coverage(db, zone_rows[0])  # noqa: SLF001
        hit = (time.perf_counter() - t) * 1000
        print(f"zone recompute ({len(zone_rows)} communes, ~{args.cameras // args.zones} cameras each):"
              f" p95 {p95(recompute):.1f} ms, median {statistics.median(recompute) * 1000:.1f} ms;"
              f" cached answer {hit:.1f} ms (cached={cached['cached']})")
        bbox = []
        visible = 0
        for _ in range(args.queries):
            lat, lon = rng.choice(places)
            t = time.perf_counter()
            rows = await current_in_bbox(db, "/", lon - 0.01, lat - 0.006, lon + 0.01, lat + 0.006)
            bbox.append(time.perf_counter() - t)
            visible += len(rows)
        print(f"bbox query (~2.1 x 1.3 km view): p95 {p95(bbox):.1f} ms,"
              f" median {statistics.median(bbox) * 1000:.1f} ms ({visible / args.queries:.0f} cameras)")
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
