"""Benchmark: the REAL service (``camnet serve``) probing 5,000 / 50,000 cameras per cycle.

Goals (issue 17, 2 cores): a cycle finishes inside its interval (none skipped) at ≤ 0.5
core average including its writes; healthy loopback handshakes p95 ≤ 50 ms; hung cameras
cut at ``timeout_s`` + 100 ms; ``/healthz`` p99 ≤ 50 ms during cycles; a district-wide
change (one district's cameras refusing at once) written in ≤ 1 s.

For each size it builds a fresh data dir and database (all migrations; zones, points and
cameras bulk-inserted), starts RTSP responder processes on 127.0.0.1 (healthy cameras on
every path, black-hole ports that accept and never answer, and a closed port for refusing
cameras), writes a config and starts ``camnet serve`` as a subprocess. While the service
runs ``--cycles`` cycles the bench samples the service's CPU and RSS from ``/proc`` and
asks ``/healthz`` every 100 ms. After cycle ``--change-after`` the responder serving
district D1 is stopped, so its cameras refuse at once (``down_after = 1`` in the bench
config): that cycle's write time (from the service log) is the district-wide change. At
the end it reads the handshake latency distribution and the cycle rows from the database.

The machine is shared: the load average is printed with every result.

Run: .venv/bin/python scripts/bench/bench_service_cycle.py [--sizes 5000 50000]
     [--cycles 4] [--interval 60] [--hole-pct 10] [--refuse-pct 2] [--no-uvloop]
     [--no-rollup]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
DISTRICT = 5000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (and its reaped children) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / CLK_TCK


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 1e6


def load_avg() -> str:
    """The machine's 1/5/15-minute load average."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


@dataclass
class Responder:
    """One responder process: healthy cameras on ``port``, black holes on ``holes``."""

    proc: subprocess.Popen[str]
    port: int
    holes: list[int]

    def stop(self) -> None:
        """Terminate the process."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()


def start_responder(silent_ports: int) -> Responder:
    """Start ``camnet.testing.rtsp_responder`` and read its ready line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "camnet.testing.rtsp_responder", "--port", "0",
         "--silent-ports", str(silent_ports)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None  # noqa: S101
    ready = json.loads(proc.stdout.readline())
    return Responder(proc, ready["port"], ready["silent_ports"])


def build_database(db_path: Path, cameras: int, main_port: int, district_port: int,
                   holes: list[int], refused_port: int, hole_pct: float, refuse_pct: float
                   ) -> None:
    """Bulk-insert a province: districts of 5,000 cameras, two cameras a point, tier 1.

    Of every 100 cameras, ``hole_pct`` point at black holes and the next ``refuse_pct`` at a
    closed port; the healthy cameras of district D1 are served by ``district_port``, the
    rest by ``main_port``.
    """
    now = "2026-01-01T00:00:00.000000Z"
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO zone(id, parent_id, level, code, name, path, created_at,"
                     " updated_at) VALUES (1, NULL, 'province', 'P', 'Bench province', '/1/', ?, ?)",
                     (now, now))
        districts = max(1, (cameras + DISTRICT - 1) // DISTRICT)
        conn.executemany(
            "INSERT INTO zone(id, parent_id, level, code, name, path, created_at, updated_at)"
            " VALUES (?, 1, 'district', ?, ?, ?, ?, ?)",
            [(d + 2, f"D{d}", f"District {d}", f"/1/{d + 2}/", now, now)
             for d in range(districts)])
        points, cams = [], []
        for i in range(cameras):
            district = i // DISTRICT
            if i % 2 == 0:
                points.append((i // 2 + 1, district + 2, f"pt{i // 2}",
                               16.4 + (i % 1000) * 1e-4, 107.5 + (i // 1000) * 1e-4, now, now))
            slot = i % 100
            if slot < hole_pct:
                url = f"rtsp://127.0.0.1:{holes[i % len(holes)]}/h{i}"
            elif slot < hole_pct + refuse_pct:
                url = f"rtsp://127.0.0.1:{refused_port}/r{i}"
            else:
                url = f"rtsp://127.0.0.1:{district_port if district == 1 else main_port}/c{i}"
            cams.append((i // 2 + 1, f"cam{i % 2}", url, now, now))
        conn.executemany("INSERT INTO camera_point(id, zone_id, name, lat, lon, created_at,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", points)
        conn.executemany("INSERT INTO camera(point_id, name, rtsp_url, monitor_tier, created_at,"
                         " updated_at) VALUES (?, ?, ?, 1, ?, ?)", cams)
    conn.close()


@dataclass
class Samples:
    """What the sampler thread collects while the service runs."""

    healthz_ms: list[tuple[float, float]] = field(default_factory=list)  # (time, ms)
    cpu: list[tuple[float, float]] = field(default_factory=list)  # (time, cpu s)
    rss: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def sample(pid: int, port: int, out: Samples) -> None:
    """Every 100 ms: /healthz latency; every 500 ms: CPU and RSS of the service."""
    url = f"http://127.0.0.1:{port}/healthz"
    tick = 0
    while not out.stop.is_set():
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback only
                r.read()
            out.healthz_ms.append((time.time(), (time.perf_counter() - t0) * 1000))
        except OSError:
            pass
        if tick % 5 == 0:
            try:
                out.cpu.append((time.time(), cpu_s(pid)))
                out.rss.append(rss_mb(pid))
            except OSError:
                return
        tick += 1
        out.stop.wait(max(0.0, 0.1 - (time.perf_counter() - t0)))


def wait_for(check: object, limit_s: float) -> bool:
    """Poll ``check()`` every 0.2 s until true or ``limit_s`` passes."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def cycles_done(db_path: Path) -> int:
    """How many cycles the service has committed."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM probe_cycle").fetchone()[0])
    finally:
        conn.close()


def iso_ts(text: str) -> float:
    """Epoch seconds of a stored ISO UTC time."""
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run_size(cameras: int, args: argparse.Namespace) -> None:
    """Build, serve, measure and report one size."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        district_responder = start_responder(0)  # serves D1's healthy cameras; stopped later
        main_responder = start_responder(args.holes)
        responders = [main_responder, district_responder]
        refused = _free_port()
        port = _free_port()
        config = data / "camnet.toml"
        config.write_text(
            f'[server]\nhost = "127.0.0.1"\nport = {port}\nuvloop = {str(not args.no_uvloop).lower()}\n'
            f'[storage]\ndata_dir = "{data}"\n'
            f"[monitor]\ninterval_s = {args.interval}\ntimeout_s = {args.timeout}\n"
            f"concurrency = {args.concurrency}\ndown_after = 1\nup_after = 1\n"
            '[logging]\nlevel = "INFO"\n'
            f"[rollup]\nenabled = {str(not args.no_rollup).lower()}\n")
        env = {**os.environ, "CAMNET_CONFIG": str(config), "PYTHONPATH": os.getcwd()}
        subprocess.run([sys.executable, "-c", "from camnet.cli import main; main()",
                        "db", "migrate"], env=env, check=True, capture_output=True)
        db_path = data / "camnet.sqlite3"
        t0 = time.perf_counter()
        build_database(db_path, cameras, main_responder.port, district_responder.port,
                       main_responder.holes, refused, args.hole_pct, args.refuse_pct)
        print(f"\n== {cameras:,} cameras: registry built in {time.perf_counter() - t0:.1f} s; "
              f"load average {load_avg()}", flush=True)
        log_path = data / "serve.log"
        with log_path.open("w") as log:
            service = subprocess.Popen(
                [sys.executable, "-c", "from camnet.cli import main; main()", "serve"],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        samples = Samples()
        try:
            if not wait_for(lambda: _up(port), 120):
                raise SystemExit(f"service did not start; see {log_path}")
            base_cpu, base_t = cpu_s(service.pid), time.time()
            sampler = threading.Thread(target=sample, args=(service.pid, port, samples))
            sampler.start()
            changed_at_cycle = None
            for k in range(1, args.cycles + 1):
                if not wait_for(lambda k=k: cycles_done(db_path) >= k,
                                args.interval * 3 + 120):
                    print(f"cycle {k} did not finish in time")
                    break
                if k == args.change_after and cameras > DISTRICT:
                    district_responder.stop()  # district D1: every healthy camera refuses now
                    changed_at_cycle = k + 1
            end_cpu, end_t = cpu_s(service.pid), time.time()
        finally:
            samples.stop.set()
            service.send_signal(signal.SIGTERM)
            try:
                service.wait(timeout=120)
            except subprocess.TimeoutExpired:
                service.kill()
            for r in responders:
                r.stop()
        report(db_path, log_path, samples, cameras, args, base_cpu, base_t, end_cpu, end_t,
               changed_at_cycle)


def _up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
            return True
    except OSError:
        return False


def report(db_path: Path, log_path: Path, samples: Samples, cameras: int,
           args: argparse.Namespace, base_cpu: float, base_t: float, end_cpu: float,
           end_t: float, changed_at_cycle: int | None) -> None:
    """Print the figures of one size."""
    conn = sqlite3.connect(db_path)
    cycles = conn.execute("SELECT started_at, finished_at, duration_ms, cameras, completed,"
                          " changes FROM probe_cycle ORDER BY id").fetchall()
    up = [r[0] for r in conn.execute(
        "SELECT last_latency_ms FROM camera_status WHERE last_result = 'up'")]
    hung = [r[0] for r in conn.execute(
        "SELECT last_latency_ms FROM camera_status WHERE last_result = 'timeout'")]
    results = dict(conn.execute("SELECT last_result, COUNT(*) FROM camera_status GROUP BY 1"))
    conn.close()
    writes = [(int(m.group(1)), float(m.group(2)), float(m.group(3) or "nan")) for m in re.finditer(
        r"(\d+) changes in \d+ ms \(written in (\d+) ms(?:, routine rows in (\d+) ms)?",
        log_path.read_text())]
    loop = "uvloop" if "event loop: uvloop" in log_path.read_text() else "asyncio"
    starts = [iso_ts(c[0]) for c in cycles]
    windows = [(iso_ts(c[0]), iso_ts(c[1])) for c in cycles]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    skipped = sum(1 for g in gaps if g > args.interval * 1.5)
    in_cycle = [ms for t, ms in samples.healthz_ms if any(a <= t <= b for a, b in windows)]
    wall = end_t - base_t
    print(f"loop: {loop}; {len(cycles)} cycles; results {results}")
    for c, w in zip(cycles, writes + [(0, float('nan'), float('nan'))] * len(cycles), strict=False):
        total = iso_ts(c[1]) - iso_ts(c[0])
        print(f"  cycle at {c[0]}: probes {c[2] / 1000:.1f} s, start->commit {total:.1f} s,"
              f" {c[4]:,}/{c[3]:,} completed, {c[5]:,} changes, written in {w[1]:.0f} ms"
              f" (+ routine rows {w[2]:.0f} ms)")
    print(f"cycle gaps: {', '.join(f'{g:.1f}' for g in gaps)} s (interval {args.interval:g} s);"
          f" skipped cycles: {skipped}")
    print(f"CPU: {end_cpu - base_cpu:.1f} s over {wall:.0f} s = "
          f"{(end_cpu - base_cpu) / wall:.2f} core average  (goal <= 0.5);"
          f" per cycle {(end_cpu - base_cpu) / max(1, len(cycles)):.1f} CPU-s")
    last = samples.rss[-1] if samples.rss else 0.0
    print(f"RSS: max {max(samples.rss, default=0):.0f} MB, last {last:.0f} MB")
    print(f"healthy handshakes ({len(up):,}): p50 {pct(up, 50):.1f} ms, p95 {pct(up, 95):.1f} ms,"
          f" p99 {pct(up, 99):.1f} ms, max {max(up, default=0):.1f} ms  (goal p95 <= 50 ms)")
    if hung:
        over = [h - args.timeout * 1000 for h in hung]
        print(f"hung cameras ({len(hung):,}) cut after timeout + p50 {pct(over, 50):.0f} ms,"
              f" p99 {pct(over, 99):.0f} ms, max {max(over):.0f} ms  (goal <= 100 ms)")
    all_hz = [ms for _, ms in samples.healthz_ms]
    print(f"/healthz during cycles ({len(in_cycle)}): p50 {pct(in_cycle, 50):.1f} ms,"
          f" p99 {pct(in_cycle, 99):.1f} ms, max {max(in_cycle, default=0):.1f} ms;"
          f" overall p99 {pct(all_hz, 99):.1f} ms  (goal p99 <= 50 ms)")
    if changed_at_cycle is not None and len(writes) >= changed_at_cycle:
        n, ms, _ = writes[changed_at_cycle - 1]
        print(f"district-wide change: {n:,} changes written (with alerts queued) in {ms:.0f} ms"
              "  (goal <= 1000 ms)")
    print(f"load average {load_avg()} (shared 2-core machine)")


def main() -> None:
    """Run the benchmark for each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--cycles", type=int, default=4)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--hole-pct", type=float, default=10.0)
    parser.add_argument("--refuse-pct", type=float, default=2.0)
    parser.add_argument("--holes", type=int, default=20, help="black-hole ports")
    parser.add_argument("--change-after", type=int, default=2,
                        help="stop district D1's responder after this cycle")
    parser.add_argument("--no-uvloop", action="store_true")
    parser.add_argument("--no-rollup", action="store_true",
                        help="switch the uptime roll-up task off (its first run backfills"
                             " 31 days for every camera while the first cycles run)")
    args = parser.parse_args()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    for size in args.sizes:
        run_size(size, args)


if __name__ == "__main__":
    main()
