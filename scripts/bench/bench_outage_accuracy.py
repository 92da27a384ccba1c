"""Benchmark: outage start/end errors and uptime error against the simulator's event log.

Starts the GStreamer simulator with cameras that go offline and come back on a seeded
random schedule (some shorter than the confirmation: blips that must not become outages),
runs real monitor cycles (tier 1) on a fixed interval with ``down_after = up_after = 2``,
and compares the recorded outages with the simulator's own offline/online events.

Targets (issue 10): start and end error <= one cycle + timeout each, mean <= 6 s; no
phantom outages; no blip recorded; uptime within 0.5 percentage point of the truth.

Run: .venv/bin/python scripts/bench/bench_outage_accuracy.py [--cameras 16] [--interval 10]
     [--timeout 3] [--minutes 4] [--seed 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.monitor.service import MonitorService
from camnet.registry.cameras import create_camera
from camnet.registry.models import CameraIn, PointIn, ZoneIn
from camnet.registry.points import create_point
from camnet.registry.zones import create_zone
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.testing.accuracy import compare, truth_outages
from camnet.testing.camsim import CameraSpec, Simulator
from camnet.timeutil import parse_iso


def schedule(cameras: int, interval: float, run_s: float, seed: int) -> list[CameraSpec]:
    """Every camera one offline period: a third are blips shorter than one cycle."""
    rng = random.Random(seed)  # noqa: S311 - a benchmark schedule
    specs = []
    for i in range(cameras):
        after = rng.uniform(interval, run_s * 0.5)
        if i % 3 == 2:
            length = rng.uniform(0.2, interval * 0.6)  # a blip
        else:
            length = rng.uniform(3 * interval, run_s * 0.4)
        specs.append(CameraSpec(f"cam{i:02d}", offline_after_s=round(after, 2),
                                offline_for_s=round(length, 2)))
    return specs


async def run(args: argparse.Namespace) -> dict[str, object]:
    """Run the fleet and return the comparison summary."""
    run_s = args.minutes * 60
    specs = schedule(args.cameras, args.interval, run_s, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"storage": {"data_dir": str(Path(tmp) / "data")},
                                    "monitor": {"timeout_s": args.timeout, "down_after": 2,
                                                "up_after": 2, "interval_s": args.interval}})
        db = await open_database(config)
        cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
        root = cli_principal()
        await create_zone(db, root, ZoneIn(level="province", code="B", name="Bench"))
        point = await create_point(db, root, PointIn(zone_code="B", name="P", lat=16.5, lon=107.6))
        async with Simulator(specs) as sim:
            ids = {}
            for s in specs:
                cam = await create_camera(db, root, cipher, CameraIn(
                    point_id=point.id, name=s.name, rtsp_url=sim.url(s.name), monitor_tier=1))  # type: ignore[arg-type]
                ids[cam.id] = s.name
            with ThreadPoolExecutor(2) as pool:
                service = MonitorService(db, cipher, config.monitor, pool)
                started = time.time()
                durations = []
                while time.time() - started < run_s:
                    tick = time.monotonic()
                    report = await service.run_cycle(tier2=False)
                    durations.append(report.duration_ms)
                    await asyncio.sleep(max(0.0, args.interval - (time.monotonic() - tick)))
                ended = time.time()
            rows = await db.fetchall("SELECT camera_id, started_at, ended_at FROM outage")
            events = list(sim.events)
        await db.close()
    recorded: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        end = parse_iso(r["ended_at"]).timestamp() if r["ended_at"] else ended
        recorded.setdefault(ids[r["camera_id"]], []).append(
            (parse_iso(r["started_at"]).timestamp(), end))
    truth = truth_outages(events, until=ended)
    result = compare(truth, recorded, min_outage_s=2 * args.interval + args.timeout)
    watched = (ended - started) * len(specs)
    true_down = sum(min(e, ended) - max(s, started) for spans in truth.values() for s, e in spans)
    rec_down = sum(min(e, ended) - max(s, started) for spans in recorded.values() for s, e in spans)
    summary: dict[str, object] = dict(result.summary())
    summary.update({
        "cameras": len(specs), "interval_s": args.interval, "timeout_s": args.timeout,
        "run_s": round(ended - started), "cycles": len(durations),
        "cycle_ms_max": round(max(durations)),
        "bound_s": args.interval + args.timeout,
        "uptime_true_pct": round(100 * (1 - true_down / watched), 3),
        "uptime_recorded_pct": round(100 * (1 - rec_down / watched), 3),
        "uptime_error_pp": round(abs(true_down - rec_down) / watched * 100, 3),
        "phantom_list": result.phantom, "missed_list": result.missed,
    })
    return summary


def main() -> None:
    """Parse arguments, run, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=10)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=1))  # noqa: T201


if __name__ == "__main__":
    main()
