"""Benchmark: import a 10,000-row CSV (goal: under 10 s).

Run: .venv/bin/python scripts/bench/bench_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import tempfile
import time
from pathlib import Path

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.registry import formats, importer
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets


def make_csv(rows: int, seed: int = 1) -> str:
    """Build a CSV of ``rows`` cameras on rows/2 points across the sample hamlets."""
    rnd = random.Random(seed)
    hamlets = [("SAMPLE-PHUMY-ML", 16.505, 16.520, 107.640, 107.658),
               ("SAMPLE-PHUMY-DC", 16.505, 16.520, 107.658, 107.676),
               ("SAMPLE-PHUMY-PA", 16.490, 16.505, 107.640, 107.658),
               ("SAMPLE-PHUMY-LV", 16.490, 16.505, 107.658, 107.676)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(formats.CSV_COLUMNS)
    for i in range(rows):
        point = i // 2
        code, a, b, c, d = hamlets[point % 4]
        rnd.seed(point)
        lat, lon = rnd.uniform(a + 1e-4, b - 1e-4), rnd.uniform(c + 1e-4, d - 1e-4)
        values = {
            "zone_code": code, "point_name": f"Bench point {point}", "address": f"{point} road",
            "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "host_name": "Host", "host_phone": "0900",
            "funding": "residents", "installed_on": "2024-01-01", "point_notes": "",
            "camera_name": f"cam {i % 2}", "rtsp_url": f"rtsp://127.0.0.1:8554/b{i}",
            "username": "admin", "password": "pw-bench", "vendor": "Hik", "azimuth_deg": "90",
            "fov_deg": "90", "range_m": "40", "retention_days": "7", "enabled": "true",
            "monitor_tier": "2",
        }
        writer.writerow([values[c] for c in formats.CSV_COLUMNS])
    return buf.getvalue()


async def run(rows: int) -> None:
    """Import once into a fresh database and once again as an update; print timings."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"storage": {"data_dir": tmp}})
        db = await open_database(config)
        cipher = CredentialCipher(load_secrets(Path(tmp)).credentials_key)
        await load_sample(db, cipher)
        text = make_csv(rows)
        for label in ("create", "update"):
            start = time.perf_counter()
            report = await importer.import_rows(db, cli_principal(), cipher,
                                                formats.read_csv_rows(text), source="bench")
            took = time.perf_counter() - start
            print(f"{label}: {report.rows} rows in {took:.2f} s ({report.rows / took:,.0f} rows/s)"
                  f" -> points +{report.points_created}/~{report.points_updated},"
                  f" cameras +{report.cameras_created}/~{report.cameras_updated}")
        await db.close()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    asyncio.run(run(parser.parse_args().rows))


if __name__ == "__main__":
    main()
