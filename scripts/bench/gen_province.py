"""Generate a province-scale camnet database: N cameras with a year of history.

Zones: one province › 10 districts › 10 communes each › hamlets (about 100 cameras per
hamlet), two cameras per point. Per camera over the year: about 2 outages a month (each a
down and an up status change), about one degraded episode a month, four service stops
shared by every camera (gaps in ``watched_span``), some maintenance windows; today about
2 % of cameras down, 1 % degraded, 1 % in maintenance. Incidents (one per 10 cameras) and
extraction requests (one per 25). Everything is written with ``executemany`` in one
transaction, then an ``admin`` user with a token is created and the daily uptime roll-ups
are backfilled (``camnet report rollup``'s code).

Run: PYTHONPATH=. .venv/bin/python scripts/bench/gen_province.py --cameras 5000 --out /tmp/prov5k
Writes ``<out>/data/camnet.sqlite3``, ``<out>/camnet.toml`` (monitor off) and ``<out>/token``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database

DAY = 86400.0


def iso(ts: float) -> str:
    """Epoch seconds → the stored UTC form."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _episodes(rng: random.Random, lo: float, hi: float, gaps: list[tuple[float, float]]
              ) -> list[tuple[str, float, float]]:
    """Non-overlapping outages (~2/month) and degraded episodes (~1/month) in ``[lo, hi)``."""
    months = (hi - lo) / (30 * DAY)
    wanted = [("down", rng.uniform(lo, hi), min(12 * 3600, rng.expovariate(1 / 1800) + 60))
              for _ in range(round(2 * months))]
    wanted += [("degraded", rng.uniform(lo, hi), min(24 * 3600, rng.expovariate(1 / 7200) + 300))
               for _ in range(round(months))]
    wanted.sort(key=lambda e: e[1])
    out: list[tuple[str, float, float]] = []
    last_end = lo
    for kind, start, dur in wanted:
        end = start + dur
        if start < last_end + 60 or end >= hi or any(a <= end and start <= b for a, b in gaps):
            continue
        out.append((kind, start, end))
        last_end = end
    return out


def generate(path: Path, cameras: int, seed: int) -> dict[str, int]:
    """Fill a migrated database at ``path``; return row counts."""
    rng = random.Random(seed)
    now = time.time()
    start = now - 365 * DAY
    t0 = iso(start)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    counts: dict[str, int] = {}
    with con:
        zones: list[tuple[int, int | None, str, str, str, str, str, str]] = []
        zid = 1000
        zones.append((zid, None, "province", "BENCH-P", "Tỉnh thử tải (hư cấu)", f"/{zid}/", t0, t0))
        province = zid
        hamlets: list[tuple[int, str]] = []
        per_hamlet = 100
        n_hamlets = max(1, -(-cameras // per_hamlet))
        per_commune = max(1, -(-n_hamlets // 100))
        for d in range(10):
            zid += 1
            dist, dpath = zid, f"/{province}/{zid}/"
            zones.append((dist, province, "district", f"BENCH-D{d}", f"Huyện {d} (hư cấu)", dpath,
                          t0, t0))
            for c in range(10):
                zid += 1
                com, cpath = zid, f"{dpath}{zid}/"
                zones.append((com, dist, "commune", f"BENCH-D{d}-C{c}", f"Xã {d}.{c} (hư cấu)",
                              cpath, t0, t0))
                for h in range(per_commune):
                    if len(hamlets) >= n_hamlets:
                        break
                    zid += 1
                    zones.append((zid, com, "hamlet", f"BENCH-D{d}-C{c}-H{h}", f"Thôn {d}.{c}.{h}",
                                  f"{cpath}{zid}/", t0, t0))
                    hamlets.append((zid, f"{d}.{c}.{h}"))
        con.executemany("INSERT INTO zone(id, parent_id, level, code, name, path, created_at,"
                        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", zones)
        points, cams = [], []
        for n in range(cameras):
            hamlet, label = hamlets[n // per_hamlet % len(hamlets)]
            if n % 2 == 0:
                pid = len(points) + 1
                points.append((pid, hamlet, f"Điểm {label}.{n // 2}", f"{n // 2} đường Chợ {label}",
                               16.4 + rng.random() / 10, 107.5 + rng.random() / 10, t0, t0))
            cams.append((n + 1, len(points), f"Cam {n % 2 + 1}", f"rtsp://127.0.0.1:9/{n}", t0, t0))
        con.executemany("INSERT INTO camera_point(id, zone_id, name, address, lat, lon, created_at,"
                        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", points)
        con.executemany("INSERT INTO camera(id, point_id, name, rtsp_url, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)", cams)
        gaps = sorted((s, s + rng.uniform(3600, 3 * 3600))
                      for s in (rng.uniform(start + DAY, now - 2 * DAY) for _ in range(4)))
        span_bounds = [start, *[x for g in gaps for x in g], now - 5]
        spans, outages, changes, statuses, maint = [], [], [], [], []
        for cid in range(1, cameras + 1):
            spans += [(cid, iso(span_bounds[i]), iso(span_bounds[i + 1]))
                      for i in range(0, len(span_bounds), 2)]
            for kind, s, e in _episodes(rng, start + 3600, now - 3 * 3600, gaps):
                changes.append((cid, iso(s), "up", kind, "timeout" if kind == "down" else "black"))
                changes.append((cid, iso(e), kind, "up", ""))
                if kind == "down":
                    outages.append((cid, iso(s), iso(e), "timeout"))
            roll = rng.random()
            status, since, cause = "up", iso(start), ""
            if roll < 0.02:
                status, since, cause = "down", iso(now - rng.uniform(600, DAY)), "timeout"
                outages.append((cid, since, None, cause))
                changes.append((cid, since, "up", "down", cause))
            elif roll < 0.03:
                status, since, cause = "degraded", iso(now - rng.uniform(600, DAY)), "black"
                changes.append((cid, since, "up", "degraded", cause))
            elif roll < 0.04:
                status, since = "maintenance", iso(now - 1800)
                maint.append((cid, since, iso(now + 3 * 3600), "thay nguồn"))
            elif roll < 0.06:
                status, since = "unknown", None
            if rng.random() < 0.1:
                s = rng.uniform(start, now - 2 * DAY)
                maint.append((cid, iso(s), iso(s + 2 * 3600), "bảo trì định kỳ"))
            if status != "unknown":
                statuses.append((cid, status, since, cause, iso(now - 30),
                                 "ok" if status == "up" else cause))
        con.executemany("INSERT INTO watched_span(camera_id, started_at, ended_at) VALUES (?, ?, ?)", spans)
        con.executemany("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                        " VALUES (?, ?, ?, ?)", outages)
        con.executemany("INSERT INTO status_change(camera_id, at, from_status, to_status, reason)"
                        " VALUES (?, ?, ?, ?, ?)", sorted(changes, key=lambda c: c[1]))
        con.executemany("INSERT INTO camera_status(camera_id, status, since, cause, last_probe_at,"
                        " last_result) VALUES (?, ?, ?, ?, ?, ?)", statuses)
        con.executemany("INSERT INTO maintenance_window(camera_id, starts_at, ends_at, reason)"
                        " VALUES (?, ?, ?, ?)", maint)
        incidents, requests, req_cams = [], [], []
        kinds = ("theft", "assault", "traffic", "fire", "other")
        for i in range(1, cameras // 10 + 1):
            at = rng.uniform(start, now - 3600)
            hamlet = hamlets[rng.randrange(len(hamlets))][0]
            incidents.append((i, f"VV-BENCH-{i}", kinds[i % 5], iso(at), iso(at + 1800), hamlet,
                              "Vụ việc thử tải", "admin", iso(at), iso(at)))
        for r in range(1, cameras // 25 + 1):
            inc = incidents[rng.randrange(len(incidents))]
            status = rng.choice(("draft", "submitted", "approved", "extracted", "handed_over"))
            requests.append((r, inc[0], "Trích xuất thử tải", status, "admin", inc[9], inc[9]))
            base_cam = rng.randrange(1, cameras)
            for cid in {base_cam, min(cameras, base_cam + 1)}:
                req_cams.append((r, cid, inc[3], inc[4]))
        con.executemany("INSERT INTO incident(id, case_no, kind, occurred_from, occurred_to, zone_id,"
                        " summary, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
                        " ?, ?, ?)", incidents)
        con.executemany("INSERT INTO extraction_request(id, incident_id, reason, status, requested_by,"
                        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", requests)
        con.executemany("INSERT INTO request_camera(request_id, camera_id, window_from, window_to)"
                        " VALUES (?, ?, ?, ?)", req_cams)
        con.executemany("INSERT INTO probe_cycle(started_at, finished_at, duration_ms, cameras,"
                        " completed) VALUES (?, ?, ?, ?, ?)",
                        [(iso(now - 60 * k - 20), iso(now - 60 * k), 20_000.0, cameras, cameras)
                         for k in range(50)])
        for table, rows in (("zone", zones), ("camera_point", points), ("camera", cams),
                            ("watched_span", spans), ("outage", outages),
                            ("status_change", changes), ("maintenance_window", maint),
                            ("incident", incidents), ("extraction_request", requests)):
            counts[table] = len(rows)
    con.execute("ANALYZE")
    con.close()
    return counts


async def _prepare(config_path: Path) -> tuple[str, str]:
    from camnet.accounts import users
    from camnet.monitor.rollup import roll_up_all, rollup_state

    config = load_config(config_path)
    db = await open_database(config)
    try:
        root = cli_principal()
        await users.add_user(db, root, username="admin", password="bench-pass-1", role="admin",  # noqa: S106
                             zone_code="BENCH-P")
        token = await users.create_token(db, root, "admin", "bench")
        t = time.perf_counter()
        days = await roll_up_all(db, lag_s=3600)
        print(f"roll-up backfill: {days} days in {time.perf_counter() - t:.1f} s;"  # noqa: T201
              f" rows {await db.fetchval('SELECT COUNT(*) FROM uptime_daily')}")
        return token, (await rollup_state(db)).rolled_until
    finally:
        await db.close()


def main() -> None:
    """Create the database, fill it, add a user and token, backfill roll-ups."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=5000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    out: Path = args.out.resolve()
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    config_path = out / "camnet.toml"
    config_path.write_text(
        f'[storage]\ndata_dir = "{out / "data"}"\n\n[monitor]\nenabled = false\n\n'
        '[rollup]\nenabled = true\n\n[server]\nhost = "127.0.0.1"\n', "utf-8")
    config = load_config(config_path)

    async def migrate() -> Path:
        db = await open_database(config)
        try:
            await db.migrate(None)
        finally:
            await db.close()
        return config.database_path

    db_path = asyncio.run(migrate())
    t = time.perf_counter()
    counts = generate(db_path, args.cameras, args.seed)
    print(f"generated in {time.perf_counter() - t:.1f} s: {counts}")  # noqa: T201
    token, until = asyncio.run(_prepare(config_path))
    (out / "token").write_text(token, "utf-8")
    size = db_path.stat().st_size / 1e6
    print(f"database {db_path} ({size:.0f} MB), rolled up until {until}; token in {out / 'token'}")  # noqa: T201


if __name__ == "__main__":
    main()
