"""Request list page cost: batched camera availability vs one request at a time.

Builds the sample commune in a temporary database, drafts ``--requests`` requests of
``--cameras`` cameras each with a watched history and outages, then times one list page
(50 requests) both ways. Run by hand: ``python scripts/bench/bench_request_list.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.evidence import incidents, requests
from camnet.evidence.models import IncidentIn, RequestCameraIn, RequestIn
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import to_iso, utcnow


async def main(n_requests: int, n_cameras: int, runs: int) -> None:
    """Build the history and requests, then time a list page both ways."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"storage": {"data_dir": str(Path(tmp) / "data")}})
        db = await open_database(config)
        await load_sample(db, CredentialCipher(load_secrets(config.data_dir).credentials_key))
        root = cli_principal()
        cams = [int(r["id"]) for r in await db.fetchall("SELECT id FROM camera ORDER BY id")]
        now = utcnow()
        async with db.transaction() as tx:
            for cid in cams:
                for day in range(30):
                    start = now - timedelta(days=day + 1)
                    await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                                     " VALUES (?, ?, ?)", (cid, to_iso(start),
                                                          to_iso(start + timedelta(hours=23))))
                    await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                                     " VALUES (?, ?, ?, 'timeout')",
                                     (cid, to_iso(start + timedelta(hours=2)),
                                      to_iso(start + timedelta(hours=2, minutes=20))))
        for n in range(n_requests):
            start = now - timedelta(days=n % 20 + 1)
            inc = await incidents.create_incident(db, root, IncidentIn(
                case_no=f"B-{n}", kind="theft", occurred_from=start,
                occurred_to=start + timedelta(hours=1), zone_code="SAMPLE-PHUMY"))
            chosen = [cams[(n + k) % len(cams)] for k in range(n_cameras)]
            await requests.create_request(db, root, RequestIn(
                incident_id=inc.id, reason="bench",
                cameras=[RequestCameraIn(camera_id=c) for c in chosen]))
        rows = await db.fetchall(f"{requests._SELECT} ORDER BY r.id DESC LIMIT 50")  # noqa: SLF001, S608

        async def batched() -> None:
            await requests.list_requests(db, root, per_page=50)

        async def one_by_one() -> None:
            await requests._one_by_one(db, root, rows, 48.0)  # noqa: SLF001 - the old path

        for name, work in (("batched", batched), ("one by one", one_by_one)):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                await work()
                times.append((time.perf_counter() - t0) * 1000)
            print(f"{name:>11}: min {min(times):.1f} ms  median {statistics.median(times):.1f} ms"  # noqa: T201
                  f"  max {max(times):.1f} ms  ({n_requests} requests × {n_cameras} cameras)")
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.cameras, args.runs))
