"""Benchmark: verify 1,000,000 custody rows plus anchors (goal ≤ 10 s); package build speed.

1. Fills ``custody_event`` with N chained rows in the post-0030 form (request_id, req_seq,
   a fact on every tenth row), signs an anchor every N/10 rows, then times
   :func:`camnet.evidence.anchors.verify_blocking` (both chains recomputed + every anchor
   checked) and :func:`camnet.evidence.custody.check_facts` (statuses and items re-derived).
2. Stores an evidence file of M MiB, times ``sha256sum`` on it, then times
   :func:`camnet.evidence.package.build_package` (copy + re-hash into the zip) and reports
   both in MiB/s.

Run: .venv/bin/python scripts/bench/bench_anchors_package.py [--rows N] [--mib M]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from camnet import chain
from camnet.auth.principal import cli_principal
from camnet.config import Config, load_config
from camnet.db import open_database
from camnet.evidence import anchors, incidents, items, requests
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.custody import CUSTODY_COLUMNS, CUSTODY_OPTIONAL, check_facts
from camnet.evidence.models import IncidentIn, RequestIn, TransitionIn
from camnet.evidence.package import build_package
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import now_iso, utcnow

ALICE, BOB = cli_principal("alice"), cli_principal("bob")


async def prepare(config: Config, source: Path) -> tuple[int, BlobStore]:
    """Sample data and one approved request with the big file uploaded."""
    db = await open_database(config)
    try:
        await load_sample(db, CredentialCipher(load_secrets(config.data_dir).credentials_key))
        cam = await db.fetchval("SELECT id FROM camera ORDER BY id LIMIT 1")
        end = utcnow()
        incident = await incidents.create_incident(db, ALICE, IncidentIn(
            case_no="BENCH", kind="theft", occurred_from=end.replace(hour=0), occurred_to=end,
            zone_code="SAMPLE-PHUMY"))
        req = await requests.create_request(db, ALICE, RequestIn(
            incident_id=incident.id, reason="bench", cameras=[{"camera_id": cam}]))
        await requests.transition(db, ALICE, req.id, TransitionIn(to="submitted"))
        await requests.transition(db, BOB, req.id, TransitionIn(to="approved"))
        store = BlobStore(config.data_dir / "evidence", 1 << 40)

        async def chunks():  # type: ignore[no-untyped-def]
            with source.open("rb") as fh:
                while block := await asyncio.to_thread(fh.read, 4 << 20):
                    yield block

        await items.upload_item(db, BOB, store, req.id, chunks(), filename="big.mp4",
                                camera_id=cam, method="usb", holder="kho")
        return req.id, store
    finally:
        await db.close()


def fill(config: Config, rows: int, anchor_every: int) -> str:
    """Append chained custody rows (request 2, contiguous req_seq) and anchors; return log."""
    key = anchors.load_signing_key(config.data_dir)
    conn = sqlite3.connect(config.database_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    last = conn.execute("SELECT id, hash FROM custody_event ORDER BY id DESC LIMIT 1").fetchone()
    next_id, prev = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
    columns = (*CUSTODY_COLUMNS, *CUSTODY_OPTIONAL)
    names = ", ".join(columns)
    marks = ", ".join("?" * (len(columns) + 2))
    batch = []
    lines = []
    prev_line = anchors.GENESIS
    for n in range(rows):
        content = {"item_id": None, "at": now_iso(), "actor": "dieutra", "action": "viewed",
                   "from_holder": "", "to_holder": "Kho vật chứng", "note": f"xem lần {n}",
                   "request_id": 2, "req_seq": n + 1,
                   "req_prev_hash": prev if n else chain.GENESIS,
                   "fact": chain.canonical({"n": n}) if n % 10 == 0 else None}
        digest = chain.link_hash(prev, chain.content_of(content, CUSTODY_COLUMNS,
                                                        CUSTODY_OPTIONAL))
        batch.append([content[c] for c in columns] + [prev, digest])
        prev = digest
        if (n + 1) % anchor_every == 0:
            anchor = anchors.sign_anchor(key, "custody", next_id + n, digest, now_iso(),
                                         prev_line)
            prev_line = anchors.line_hash(anchor.line())
            lines.append(anchor.line())
        if len(batch) == 50_000:
            conn.executemany(f"INSERT INTO custody_event({names}, prev_hash, hash)"  # noqa: S608
                             f" VALUES ({marks})", batch)
            batch.clear()
    conn.executemany(f"INSERT INTO custody_event({names}, prev_hash, hash) VALUES ({marks})",  # noqa: S608
                     batch)
    conn.commit()
    conn.close()
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--mib", type=int, default=2048, help="evidence file size in MiB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as name:
        tmp = Path(name)
        config = load_config(None, {"storage": {"data_dir": str(tmp / "data")}})
        source = tmp / "big.bin"
        with source.open("wb") as fh:
            block = os.urandom(1 << 20)
            for _ in range(args.mib):
                fh.write(block)
        request_id, store = asyncio.run(prepare(config, source))
        started = time.perf_counter()
        log_text = fill(config, args.rows, max(1, args.rows // 10))
        print(f"custody: built {args.rows:,} chained rows + 10 anchors in "
              f"{time.perf_counter() - started:.1f} s")
        public = anchors.load_signing_key(config.data_dir).public_key()
        started = time.perf_counter()
        report = anchors.verify_blocking(config.database_path, log_text, public)
        took = time.perf_counter() - started
        print(f"verify (custody {report.chains['custody']['rows_checked']:,} rows + audit "
              f"{report.chains['audit']['rows_checked']:,} rows + {report.anchors_checked} "
              f"anchors): {took:.2f} s ok={report.ok}  goal ≤ 10 s")
        conn = sqlite3.connect(config.database_path)
        started = time.perf_counter()
        problems = check_facts(conn)
        conn.close()
        print(f"facts re-derived from the chain: {time.perf_counter() - started:.2f} s, "
              f"{len(problems)} problem(s)")
        # package speed against sha256sum
        blob = store.path_for(_sha(config))
        started = time.perf_counter()
        subprocess.run(["sha256sum", str(blob)], check=True, capture_output=True)  # noqa: S603,S607
        sha_s = time.perf_counter() - started
        print(f"sha256sum {args.mib} MiB: {sha_s:.2f} s = {args.mib / sha_s:,.0f} MiB/s")
        started = time.perf_counter()
        subprocess.run(["cp", str(blob), str(tmp / "copy.bin")], check=True)  # noqa: S603,S607
        os.sync()
        cp_s = time.perf_counter() - started
        (tmp / "copy.bin").unlink()
        print(f"cp + sync {args.mib} MiB (disk write baseline): {cp_s:.2f} s = "
              f"{args.mib / cp_s:,.0f} MiB/s")

        async def build() -> Path:
            db = await open_database(config)
            try:
                with ThreadPoolExecutor(2) as pool:
                    path, _ = await build_package(db, BOB, store, request_id, config, pool,
                                                  purpose="bench")
                    return path
            finally:
                await db.close()

        started = time.perf_counter()
        package = asyncio.run(build())
        os.sync()
        pkg_s = time.perf_counter() - started
        print(f"package build {args.mib} MiB ({args.rows:,}-row custody table): {pkg_s:.2f} s"
              f" = {args.mib / pkg_s:,.0f} MiB/s ({pkg_s / sha_s:.2f}× sha256sum's, "
              f"{pkg_s / cp_s:.2f}× cp's time); "
              f"zip {package.stat().st_size / 2**20:,.0f} MiB")


def _sha(config: Config) -> str:
    conn = sqlite3.connect(config.database_path)
    try:
        return str(conn.execute("SELECT sha256 FROM evidence_item LIMIT 1").fetchone()[0])
    finally:
        conn.close()


if __name__ == "__main__":
    main()
