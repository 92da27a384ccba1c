"""Benchmark: a public status page snapshot (90 daily bars) for the sample and 5,000 cameras.

Builds the sample commune, optionally adds cameras (via the bench_import CSV generator) up
to ``--cameras``, gives every camera 100 days of watched time and a few outages per camera,
then times: the first snapshot (every day computed), a rebuild in the same bucket after the
TTL (finished days from the cache), and a cached read.

Run: .venv/bin/python scripts/bench/bench_public_status.py [--cameras 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.hosts import public_store
from camnet.hosts.public_snapshot import PublicStatusCache
from camnet.hosts.public_status import Thresholds, bucket_floor
from camnet.registry import formats, importer
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import to_iso, utcnow

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import make_csv  # noqa: E402


async def run(cameras: int) -> None:
    """Build the data and time the snapshot."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"storage": {"data_dir": tmp}})
        db = await open_database(config)
        cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
        await load_sample(db, cipher)
        extra = cameras - 28
        if extra > 0:
            await importer.import_rows(db, cli_principal(), cipher,
                                       formats.read_csv_rows(make_csv(extra)), source="bench")
        now = utcnow()
        since = to_iso(now - timedelta(days=100))
        rnd = random.Random(1)
        async with db.transaction() as tx:
            await tx.execute("UPDATE camera SET created_at = ?", (since,))
            await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                             " SELECT id, ?, ? FROM camera", (since, to_iso(now)))
            ids = [r[0] for r in await tx.fetchall("SELECT id FROM camera")]
            for cam in ids:
                for _ in range(3):
                    start = now - timedelta(hours=rnd.uniform(1, 2400))
                    await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                                     " VALUES (?, ?, ?, 'timeout')",
                                     (cam, to_iso(start),
                                      to_iso(start + timedelta(minutes=rnd.uniform(5, 600)))))
        page = await public_store.set_enabled(db, cli_principal(), "SAMPLE-PHUMY", True)
        cache = PublicStatusCache(bucket_s=3600, ttl_s=0, days=90, thresholds=Thresholds())
        t0 = time.perf_counter()
        snap = await cache.snapshot(db, page, now)
        t1 = time.perf_counter()
        await cache.snapshot(db, page, now)  # ttl 0: rebuilt, finished days from the cache
        t2 = time.perf_counter()
        cache.ttl_s = 3600
        await cache.snapshot(db, page, now)
        t3 = time.perf_counter()
        await db.close()
    print(f"cameras={len(ids)} components={len(snap.components)} "  # noqa: T201
          f"as_of={bucket_floor(now, 3600).isoformat()}")
    print(f"first snapshot (90 days computed): {t1 - t0:.2f} s")  # noqa: T201
    print(f"hourly rebuild (today+yesterday):  {t2 - t1:.2f} s")  # noqa: T201
    print(f"cached read:                       {(t3 - t2) * 1000:.2f} ms")  # noqa: T201


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=28)
    asyncio.run(run(parser.parse_args().cameras))
