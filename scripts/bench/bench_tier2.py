"""Benchmark tier 2 (OpenCV frame grabs) against the camera simulator. Prints numbers.

Usage::

    .venv/bin/python scripts/bench/bench_tier2.py [--cameras 28] [--grabs 30] [--workers 4]

Measures:

1. time to first frame (p50/p90) over N sequential grabs with camnet's capture options;
2. health assessment and thumbnail cost per 640x360 frame;
3. the whole fleet: the "naive" way (one default OpenCV open per camera, sequentially, in
   a fresh process without camnet's OpenCV environment) against the bounded thread pool of
   :func:`camnet.monitor.frames.grab`, as a ratio; plus the simulator's CPU use meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from camnet.testing.camsim import CameraSpec, Simulator  # noqa: E402

NAIVE_CODE = """
import json, sys, time
import cv2
out = []
for url in sys.argv[1:]:
    t = time.perf_counter()
    cap = cv2.VideoCapture(url)
    ok = cap.isOpened() and cap.read()[0]
    cap.release()
    out.append([ok, time.perf_counter() - t])
print(json.dumps(out))
"""


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of values, by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User+system CPU seconds used so far by process pid."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fleet(count: int) -> list[CameraSpec]:
    """Mostly normal cameras, one of each bad-picture mode."""
    special = {3: "black", 6: "frozen", 9: "blurred", 12: "covered"}
    return [CameraSpec(f"cam{n:02d}", mode=special.get(n, "normal")) for n in range(1, count + 1)]


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=28)
    parser.add_argument("--grabs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    from camnet.monitor import frames, health

    sim = Simulator(fleet(args.cameras), blackholes=0)
    sim.start_sync()
    try:
        pid = sim.pid or 0
        urls = [sim.url(c.name) for c in sim.cameras]
        print(f"simulator: {len(urls)} cameras, pid {pid}, main port {sim.port}")

        # 1. time to first frame, sequential, cold and warm media mixed as in real life
        ttff: list[float] = []
        last = None
        for i in range(args.grabs):
            g = frames.grab(urls[i % len(urls)], open_timeout_s=5, read_timeout_s=5, frames=1)
            if g.ok and g.first_frame_ms is not None:
                ttff.append(g.first_frame_ms)
                last = g.frames[-1]
        print(f"time to first frame over {len(ttff)}/{args.grabs} grabs: "
              f"p50 {pct(ttff, 0.5):.0f} ms, p90 {pct(ttff, 0.9):.0f} ms, max {max(ttff):.0f} ms")

        # 2. health + thumbnail cost
        if last is not None:
            prev = health.assess(last, None).small
            n = 300
            t = time.perf_counter()
            for _ in range(n):
                health.assess(last, prev)
            assess_ms = (time.perf_counter() - t) / n * 1000
            t = time.perf_counter()
            for _ in range(n):
                health.thumbnail_jpeg(last)
            thumb_ms = (time.perf_counter() - t) / n * 1000
            print(f"health.assess: {assess_ms:.3f} ms/frame (640x360); thumbnail_jpeg: {thumb_ms:.3f} ms")

        time.sleep(2)  # let the simulator drop idle pipelines

        # 3a. naive: default options, sequential, fresh process without camnet's env
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCV_")}
        cpu0 = cpu_seconds(pid)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", NAIVE_CODE, *urls], env=env, check=True,
                             capture_output=True, text=True).stdout
        naive_s = time.perf_counter() - t
        naive_cpu = cpu_seconds(pid) - cpu0
        per = json.loads(out.strip().splitlines()[-1])
        naive_ok = sum(1 for ok, _ in per if ok)
        print(f"naive (default open, sequential): {naive_s:.2f} s for {len(urls)} cameras "
              f"({naive_ok} ok, {statistics.median(d for _, d in per):.2f} s median each); "
              f"simulator CPU {naive_cpu:.1f} s")

        time.sleep(2)

        # 3b. camnet: capture options + bounded thread pool
        cpu0 = cpu_seconds(pid)
        t = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(pool.map(
                lambda u: frames.grab(u, open_timeout_s=5, read_timeout_s=5), urls))
        pool_s = time.perf_counter() - t
        pool_cpu = cpu_seconds(pid) - cpu0
        pool_ok = sum(1 for r in results if r.ok)
        print(f"camnet (options + {args.workers}-thread pool, 2 frames each): {pool_s:.2f} s for "
              f"{len(urls)} cameras ({pool_ok} ok); simulator CPU {pool_cpu:.1f} s")
        print(f"speed-up naive/pool: {naive_s / pool_s:.1f}x")

        # 3c. the simulator with every camera watched at once
        cpu0 = cpu_seconds(pid)
        t = time.perf_counter()
        with ThreadPoolExecutor(len(urls)) as pool:
            results = list(pool.map(
                lambda u: frames.grab(u, open_timeout_s=10, read_timeout_s=10, frames=20), urls))
        all_s = time.perf_counter() - t
        all_cpu = cpu_seconds(pid) - cpu0
        print(f"all {len(urls)} cameras watched at once (20 frames each): {all_s:.2f} s, "
              f"{sum(r.ok for r in results)} ok, simulator CPU {all_cpu:.1f} s "
              f"({all_cpu / all_s * 100:.0f}% of one core)")
    finally:
        sim.stop_sync()


if __name__ == "__main__":
    main()
