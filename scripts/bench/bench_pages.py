"""Benchmark every page and list API of the real service on a generated province.

Starts ``camnet serve`` (a subprocess, monitor off) on a database made by
``gen_province.py``, then requests each page and API at concurrency 1 and 10 and prints
p50/p95/p99 per endpoint, the server's RSS after the runs, and the load average (the
machine may be shared: read the figures with it). Give two directories to also print the
growth factor of each p95 from the first to the second (e.g. 5k → 50k cameras).

Run:
  PYTHONPATH=. .venv/bin/python scripts/bench/bench_pages.py /tmp/prov5k /tmp/prov50k
Targets (issue 17): p95 ≤ 200 ms at 50k cameras with a year of history at concurrency 10;
RSS ≤ 256 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _endpoints(session: aiohttp.ClientSession, base: str) -> list[tuple[str, str]]:
    """(name, path) of every page and API, with real ids and cursors of this database."""
    async with session.get(f"{base}/api/v1/board") as r:
        board = await r.json()
    district = board["children"][0]["code"]
    async with session.get(f"{base}/api/v1/board?zone={district}") as r:
        commune = (await r.json())["children"][0]["code"]
    async with session.get(f"{base}/api/v1/board?zone={commune}") as r:
        hamlet = (await r.json())["children"][0]["code"]
    cam = board["items"][0]["id"]
    page2 = board["page"]["next"]
    since = max(0, board["cursor"] - 50)
    return [
        ("page /", "/"),
        ("page / problems", "/?status=problems"),
        ("page / zone (district)", f"/?zone={district}"),
        ("page / search", "/?q=Ch%E1%BB%A3%201.2"),
        ("page / page 2", f"/?after={page2}"),
        ("page / up, deep", "/?status=up&after=up:40000"),
        ("page /incidents", "/incidents"),
        ("page /requests", "/requests"),
        ("page /requests/at-risk", "/requests/at-risk"),
        ("page /alerts", "/alerts"),
        ("page /map", "/map"),
        ("api board", "/api/v1/board"),
        ("api board changes", f"/api/v1/board/changes?since={since}"),
        ("api cameras p1", "/api/v1/cameras?per_page=50"),
        ("api cameras p100", "/api/v1/cameras?per_page=50&page=100"),
        ("api cameras down", "/api/v1/cameras?status=down"),
        ("api points", "/api/v1/points?per_page=50"),
        ("api zones", "/api/v1/zones"),
        ("api incidents", "/api/v1/incidents"),
        ("api requests", "/api/v1/requests"),
        ("api camera status", f"/api/v1/cameras/{cam}/status"),
        ("api uptime 30d hamlet", f"/api/v1/uptime?period=30d&zone={hamlet}"),
        ("api uptime 30d commune/zone", f"/api/v1/uptime?period=30d&zone={commune}&group=zone"),
        ("api uptime 30d province/zone", "/api/v1/uptime?period=30d&group=zone"),
        ("api metrics", "/api/v1/metrics"),
        ("api cycles", "/api/v1/monitor/cycles"),
    ]


async def _run(session: aiohttp.ClientSession, url: str, n: int, concurrency: int
               ) -> tuple[list[float], int]:
    times: list[float] = []
    errors = 0
    queue = list(range(n))

    async def worker() -> None:
        nonlocal errors
        while queue:
            queue.pop()
            t = time.perf_counter()
            async with session.get(url) as r:
                await r.read()
                if r.status != 200:
                    errors += 1
            times.append((time.perf_counter() - t) * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return times, errors


async def bench(directory: Path, n1: int, n10: int) -> dict[str, dict[str, float]]:
    """Start the service on ``directory``'s database and measure; return p95 per endpoint."""
    token = (directory / "token").read_text().strip()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(  # noqa: S603, ASYNC220 - our own interpreter, started once
        [sys.executable, "-c", "from camnet.cli import main; main()", "--config",
         str(directory / "camnet.toml"), "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, float]] = {}
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"},
                                         timeout=aiohttp.ClientTimeout(total=600)) as session:
            for _ in range(600):
                try:
                    async with session.get(f"{base}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if server.poll() is not None:
                    raise SystemExit(f"camnet serve exited: {server.stderr.read().decode()[-2000:]}"
                                     if server.stderr else "camnet serve exited")
                await asyncio.sleep(0.2)
            cameras = (await (await session.get(f"{base}/api/v1/board")).json())["zone"]["total"]
            print(f"\n== {directory} ({cameras} cameras), server pid {server.pid}, "  # noqa: T201
                  f"RSS at start {_rss_mb(server.pid):.0f} MB, load {os.getloadavg()}")
            endpoints = await _endpoints(session, base)
            print(f"{'endpoint':34} {'c1 p50':>8} {'p95':>8} {'p99':>8} | {'c10 p50':>8} "  # noqa: T201
                  f"{'p95':>8} {'p99':>8} {'err':>4}")
            for name, path in endpoints:
                await _run(session, base + path, 2, 1)  # warm
                t1, e1 = await _run(session, base + path, 3, 1)
                if statistics.median(t1) < 1000:
                    t1, e1 = await _run(session, base + path, n1, 1)
                # an endpoint over a second a request gets one round of 10, not n10 requests
                slow = statistics.median(t1) > 1000
                t10, e10 = await _run(session, base + path, 10 if slow else n10, 10)
                results[name] = {"p95_c1": _pct(t1, .95), "p95_c10": _pct(t10, .95)}
                print(f"{name:34} {statistics.median(t1):8.1f} {_pct(t1, .95):8.1f} "  # noqa: T201
                      f"{_pct(t1, .99):8.1f} | {statistics.median(t10):8.1f} {_pct(t10, .95):8.1f}"
                      f" {_pct(t10, .99):8.1f} {e1 + e10:4d}")
            rss = _rss_mb(server.pid)
            results["_rss"] = {"mb": rss}
            print(f"RSS after the page loads: {rss:.0f} MB; load average {os.getloadavg()}")  # noqa: T201
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


def main() -> None:
    """Benchmark one or two generated databases and print the growth of each p95."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--n1", type=int, default=20, help="requests per endpoint at concurrency 1")
    parser.add_argument("--n10", type=int, default=60, help="requests per endpoint at concurrency 10")
    args = parser.parse_args()
    runs = [asyncio.run(bench(d.resolve(), args.n1, args.n10)) for d in args.dirs]
    if len(runs) >= 2:
        first, last = runs[0], runs[-1]
        print("\ngrowth of p95 at concurrency 10, first → last database:")  # noqa: T201
        for name in first:
            if name.startswith("_") or name not in last:
                continue
            a, b = first[name]["p95_c10"], last[name]["p95_c10"]
            print(f"  {name:34} {a:8.1f} → {b:8.1f} ms  ×{b / a if a else float('nan'):.1f}")  # noqa: T201
        print(f"  RSS {first['_rss']['mb']:.0f} → {last['_rss']['mb']:.0f} MB")  # noqa: T201


if __name__ == "__main__":
    main()
