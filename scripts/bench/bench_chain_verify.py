"""Benchmark: verify a hash chain of 1,000,000 custody and audit rows (goal: under 5 s each).

Builds a real camnet database (all migrations), fills ``custody_event`` and ``audit_log``
with chained rows using the same hashing as :mod:`camnet.chain`, then times
:func:`camnet.chain.verify_file` on each, and once more with one row edited in the middle
(verify must stop there and name it).

Run: .venv/bin/python scripts/bench/bench_chain_verify.py [--rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from camnet import chain
from camnet.audit import AUDIT_COLUMNS, AUDIT_TABLE
from camnet.config import load_config
from camnet.db import open_database
from camnet.evidence.items import CUSTODY_COLUMNS, CUSTODY_TABLE
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets


def _content(table: str, n: int) -> dict[str, object]:
    at = f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00.000000Z"
    if table == CUSTODY_TABLE:
        return {"item_id": 1, "at": at, "actor": "dieutra", "action": "viewed",
                "from_holder": "", "to_holder": "Kho vật chứng", "note": f"xem lần {n}"}
    return {"at": at, "actor": "admin", "action": "update", "entity": "camera", "entity_id": n,
            "before": '{"name":"cam"}', "after": f'{{"name":"cam {n}"}}'}


def fill(db_path: Path, table: str, columns: tuple[str, ...], rows: int) -> None:
    """Append ``rows`` chained rows with plain sqlite3 (fast bulk path, same hashes)."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    last = conn.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()  # noqa: S608
    prev = last[0] if last else chain.GENESIS
    names = ", ".join(columns)
    marks = ", ".join("?" * (len(columns) + 2))
    batch = []
    for n in range(rows):
        content = _content(table, n)
        digest = chain.link_hash(prev, content)
        batch.append([content[c] for c in columns] + [prev, digest])
        prev = digest
        if len(batch) == 50_000:
            conn.executemany(f"INSERT INTO {table}({names}, prev_hash, hash) VALUES ({marks})", batch)  # noqa: S608
            batch.clear()
    conn.executemany(f"INSERT INTO {table}({names}, prev_hash, hash) VALUES ({marks})", batch)  # noqa: S608
    conn.commit()
    conn.close()


def tamper(db_path: Path, table: str) -> int:
    """Edit the middle row with the append-only triggers dropped; return its id."""
    conn = sqlite3.connect(db_path)
    for trig in (f"{table}_no_update", f"{table}_no_delete"):
        conn.execute(f"DROP TRIGGER {trig}")
    (mid,) = conn.execute(f"SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET "  # noqa: S608
                          f"(SELECT COUNT(*) / 2 FROM {table})").fetchone()
    conn.execute(f"UPDATE {table} SET actor = 'forger' WHERE id = ?", (mid,))  # noqa: S608
    conn.commit()
    conn.close()
    return int(mid)


async def prepare(tmp: Path) -> Path:
    """A migrated database with the sample data and one evidence item to hang events on."""
    config = load_config(None, {"storage": {"data_dir": str(tmp)}})
    db = await open_database(config)
    await load_sample(db, CredentialCipher(load_secrets(tmp).credentials_key))
    async with db.transaction() as tx:
        zone = await tx.fetchval("SELECT id FROM zone ORDER BY id LIMIT 1")
        incident = await tx.execute(
            "INSERT INTO incident(case_no, kind, occurred_from, occurred_to, zone_id, created_by,"
            " created_at, updated_at) VALUES ('BENCH', 'other', 'a', 'b', ?, 'bench', 'x', 'x')",
            (zone,))
        request = await tx.execute(
            "INSERT INTO extraction_request(incident_id, requested_by, created_at, updated_at)"
            " VALUES (?, 'bench', 'x', 'x')", (incident,))
        await tx.execute(
            "INSERT INTO evidence_item(id, request_id, filename, size, sha256, stored, acquired_at,"
            " acquired_by, created_at) VALUES (1, ?, 'f', 0, ?, 0, 'x', 'bench', 'x')",
            (request, "0" * 64))
    await db.close()
    return config.database_path


def main() -> None:
    """Fill, verify, tamper, verify again; print timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        db_path = asyncio.run(prepare(Path(name)))
        for table, columns in ((CUSTODY_TABLE, CUSTODY_COLUMNS), (AUDIT_TABLE, AUDIT_COLUMNS)):
            started = time.perf_counter()
            fill(db_path, table, columns, args.rows)
            print(f"{table}: built {args.rows:,} chained rows in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            report = chain.verify_file(db_path, table, columns)
            took = time.perf_counter() - started
            print(f"{table}: verified {report.rows_checked:,} rows in {took:.2f} s "
                  f"({report.rows_checked / took:,.0f} rows/s) ok={report.ok}  goal < 5 s")
            bad = tamper(db_path, table)
            started = time.perf_counter()
            report = chain.verify_file(db_path, table, columns)
            took = time.perf_counter() - started
            print(f"{table}: after editing row {bad}: first_bad_id={report.first_bad_id} "
                  f"(found in {took:.2f} s)")


if __name__ == "__main__":
    main()
