"""Benchmark tier 1: RTSP handshakes per CPU-second, and a 50,000-camera cycle.

The cameras are :mod:`camnet.testing.rtsp_responder` processes on 127.0.0.1 (GStreamer
cannot host 50,000 mounts); the numbers are the *prober's* own CPU and memory
(``getrusage`` of this process), so the responders' cost does not count.

1. **rate**: N probes of normal cameras with bounded concurrency; probes per CPU-second of
   the prober (goal >= 2,500 with stdlib asyncio), then again on uvloop when the ``speed``
   extra is installed (goal >= 4,500).
2. **cycle**: 50,000 cameras, 10 % black holes (accept and never answer), probed the way
   :class:`camnet.monitor.service.MonitorService` does it (semaphore of
   ``monitor.concurrency``, start times jittered over ``spread x interval``, hard
   ``timeout_s``) within one 60 s cycle: share completed, wall time, average CPU cores of
   the prober over the cycle (goal <= 0.5), peak RSS (goal <= 256 MB).

Run: .venv/bin/python scripts/bench/bench_tier1.py [--quick] [--cameras N] [--interval S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass

from camnet.eventloop import loop_name, new_event_loop
from camnet.monitor.rtsp_probe import ProbeStatus, probe


@dataclass
class Responders:
    """Responder processes: normal-camera ports and black-hole ports."""

    procs: list[subprocess.Popen[str]]
    ports: list[int]
    holes: list[int]

    def stop(self) -> None:
        """Terminate every responder process."""
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=10)
            if proc.stdout:
                proc.stdout.close()


def start_responders(processes: int, holes_per_process: int) -> Responders:
    """Start responder processes and read their ready lines."""
    procs, ports, holes = [], [], []
    for _ in range(processes):
        proc = subprocess.Popen(
            [sys.executable, "-m", "camnet.testing.rtsp_responder", "--port", "0",
             "--silent-ports", str(holes_per_process)],
            stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None  # noqa: S101
        ready = json.loads(proc.stdout.readline())
        procs.append(proc)
        ports.append(ready["port"])
        holes += ready["silent_ports"]
    return Responders(procs, ports, holes)


def raise_fd_limit() -> int:
    """Lift the soft open-files limit to the hard limit; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def cpu_seconds() -> float:
    """User + system CPU time of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def rate(ports: list[int], probes: int, concurrency: int, loop: str = "asyncio") -> None:
    """Probes per CPU-second of the prober against normal cameras."""
    semaphore = asyncio.Semaphore(concurrency)
    urls = [f"rtsp://127.0.0.1:{ports[i % len(ports)]}/cam{i}" for i in range(probes)]

    async def one(url: str) -> ProbeStatus:
        async with semaphore:
            return (await probe(url, timeout_s=10)).status

    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    results = Counter(await asyncio.gather(*(one(u) for u in urls)))
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    print(f"rate: {probes:,} probes in {wall:.2f} s wall, {cpu:.2f} s CPU -> "
          f"{probes / cpu:,.0f} probes per CPU-second on {loop} (goal >= 2,500 asyncio,"
          f" >= 4,500 uvloop); results {dict(results)}")


async def cycle(ports: list[int], holes: list[int], cameras: int, interval_s: float,
                spread: float, timeout_s: float, concurrency: int) -> None:
    """One monitor-style cycle over ``cameras`` targets, 10 % of them black holes."""
    rnd = random.Random(7)
    n_holes = cameras // 10
    urls = [f"rtsp://127.0.0.1:{holes[i % len(holes)]}/" for i in range(n_holes)]
    urls += [f"rtsp://127.0.0.1:{ports[i % len(ports)]}/cam{i}" for i in range(cameras - n_holes)]
    rnd.shuffle(urls)
    semaphore = asyncio.Semaphore(concurrency)
    spread_s = interval_s * spread

    async def one(url: str) -> ProbeStatus:
        await asyncio.sleep(rnd.uniform(0, spread_s))
        async with semaphore:
            return (await probe(url, timeout_s=timeout_s)).status

    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    results = Counter(await asyncio.gather(*(one(u) for u in urls)))
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    done = sum(results.values())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cycle: {cameras:,} cameras ({n_holes:,} black holes), interval {interval_s:g} s, "
          f"spread {spread:g}, timeout {timeout_s:g} s, concurrency {concurrency}")
    print(f"  completed {done:,}/{cameras:,} ({100 * done / cameras:.1f} %) in {wall:.1f} s "
          f"(goal: within the {interval_s:g} s cycle); results {dict(results)}")
    print(f"  prober CPU {cpu:.1f} s = {cpu / interval_s:.2f} cores averaged over the cycle "
          f"(goal <= 0.5); peak RSS {rss_mb:.0f} MB (goal <= 256)")


def main() -> None:
    """Parse arguments, start responders, run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (5,000 cameras)")
    parser.add_argument("--cameras", type=int, default=50_000)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--spread", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--rate-probes", type=int, default=20_000)
    args = parser.parse_args()
    if args.quick:
        args.cameras, args.interval, args.rate_probes = 5_000, 15.0, 5_000
    limit = raise_fd_limit()
    print(f"open-files limit {limit:,}; responders on 127.0.0.1 in their own processes")
    responders = start_responders(processes=2, holes_per_process=8)
    try:
        asyncio.run(rate(responders.ports, args.rate_probes, concurrency=200))
        uv_loop = new_event_loop()  # the service's loop: uvloop when the speed extra is in
        if loop_name(uv_loop) == "uvloop":
            uv_loop.run_until_complete(rate(responders.ports, args.rate_probes, concurrency=200,
                                            loop="uvloop"))
        else:
            print("rate on uvloop: skipped (pip install camnet[speed])")
        uv_loop.close()
        asyncio.run(cycle(responders.ports, responders.holes, args.cameras, args.interval,
                          args.spread, args.timeout, args.concurrency))
    finally:
        responders.stop()


if __name__ == "__main__":
    main()
