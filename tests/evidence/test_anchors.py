"""Signed anchors and chained facts against an adversary who edits the database file.

Each test seeds a real SQLite file, anchors it with ``camnet chain anchor``, tampers with
the file the way a careless admin, a forger or a restored backup would, and expects
``camnet chain verify --anchors`` (or ``camnet evidence verify``) to name what happened.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from camnet import chain
from camnet.auth.principal import cli_principal
from camnet.cli import main
from camnet.config import load_config
from camnet.db import open_database
from camnet.evidence import incidents, items, requests
from camnet.evidence.anchors import CHAINS
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.models import IncidentIn, RequestIn, TransitionIn
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import utcnow

Run = Callable[..., Result]


async def _chunks(data: bytes):  # type: ignore[no-untyped-def]
    yield data


async def _seed(data_dir: Path, case_no: str = "VV-ANCHOR", to: str = "approved",
                upload: bytes | None = b"clip-1") -> int:
    """Sample data and one request taken to ``to`` by two different people."""
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}})
    db = await open_database(config)
    try:
        if not await db.fetchval("SELECT 1 FROM zone LIMIT 1"):
            await load_sample(db, CredentialCipher(load_secrets(data_dir).credentials_key))
        alice, bob = cli_principal("alice"), cli_principal("bob")
        cam = await db.fetchone("SELECT id FROM camera ORDER BY id LIMIT 1")
        assert cam is not None
        end = utcnow()
        incident = await incidents.create_incident(db, alice, IncidentIn(
            case_no=case_no, kind="theft", occurred_from=end.replace(hour=0), occurred_to=end,
            zone_code="SAMPLE-PHUMY"))
        req = await requests.create_request(db, alice, RequestIn(
            incident_id=incident.id, reason="anchor test", cameras=[{"camera_id": cam["id"]}]))
        await requests.transition(db, alice, req.id, TransitionIn(to="submitted"))
        if to == "rejected":
            await requests.transition(db, bob, req.id, TransitionIn(to="rejected", note="no"))
            return req.id
        await requests.transition(db, bob, req.id, TransitionIn(to="approved"))
        if upload is not None:
            store = BlobStore(data_dir / "evidence", 10_000_000)
            await items.upload_item(db, bob, store, req.id, _chunks(upload), filename="c.mp4",
                                    camera_id=cam["id"], method="usb", holder="kho")
        return req.id
    finally:
        await db.close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Any]:
    """A config in a temp dir, a CLI runner, and where the database and anchor log live."""
    return make_env(tmp_path)


def make_env(tmp_path: Path) -> dict[str, Any]:
    """See :func:`env` (also used by other test modules)."""
    data = tmp_path / "data"
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{data}"\n[evidence]\n'
                      f'anchor_dir = "{tmp_path / "usb"}"\n')
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Result:
        result = runner.invoke(main, ["--config", str(config), *args])
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return {"run": run, "data": data, "db": data / "camnet.sqlite3", "log": tmp_path / "usb" /
            "anchors.jsonl"}


def _sql(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Edit the file directly, as an adversary would (dropping the guard triggers first)."""
    conn = sqlite3.connect(db_path)
    for table in ("custody_event", "audit_log"):
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def _rehash_from(db_path: Path, name: str, first_id: int) -> None:
    """A forger who recomputes every hash from ``first_id`` onward (chain stays consistent)."""
    table, columns, optional = CHAINS[name]
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    rows = conn.execute(f"SELECT * FROM {table} WHERE id >= ? ORDER BY id", (first_id,)).fetchall()
    prev = conn.execute(f"SELECT hash FROM {table} WHERE id < ? ORDER BY id DESC LIMIT 1",
                        (first_id,)).fetchone()
    prev_hash = prev[0] if prev else chain.GENESIS
    for row in rows:
        digest = chain.link_hash(prev_hash, chain.content_of(row, columns, optional))
        conn.execute(f"UPDATE {table} SET prev_hash = ?, hash = ? WHERE id = ?",
                     (prev_hash, digest, row["id"]))
        prev_hash = digest
    conn.commit()
    conn.close()


def _copy_db(src: Path, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def _findings(run: Run, log: Path, code: int = 1) -> set[str]:
    result = run("chain", "verify", "--anchors", str(log), "--json", code=code)
    body = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    return {f["kind"] for f in body["findings"]}


def test_anchor_then_verify_ok(env: dict[str, Any]) -> None:
    asyncio.run(_seed(env["data"]))
    out = env["run"]("chain", "anchor").output
    assert "custody: row" in out and "audit: row" in out
    assert env["log"].exists() and (env["log"].parent / "anchor-public.txt").exists()
    key = env["data"] / "anchor-ed25519.key"
    assert key.stat().st_mode & 0o777 == 0o600
    lines = env["log"].read_text().splitlines()
    assert [json.loads(line)["chain"] for line in lines] == ["custody", "audit"]
    assert "OK: every chain extends every anchor" in env["run"]("chain", "verify").output
    # more activity after the anchor is fine: the chain still extends it
    asyncio.run(_seed(env["data"], case_no="VV-2"))
    env["run"]("chain", "anchor")
    assert _findings(env["run"], env["log"], code=0) == set()


def test_truncation_is_named(env: dict[str, Any]) -> None:
    asyncio.run(_seed(env["data"]))
    env["run"]("chain", "anchor")
    last = sqlite3.connect(env["db"]).execute("SELECT MAX(id) FROM custody_event").fetchone()[0]
    _sql(env["db"], "DELETE FROM custody_event WHERE id >= ?", (last - 1,))
    # the remaining chain is internally consistent; only the anchor shows the cut
    assert _findings(env["run"], env["log"]) == {"truncation"}


def test_rehashing_is_named(env: dict[str, Any]) -> None:
    asyncio.run(_seed(env["data"]))
    env["run"]("chain", "anchor")
    _sql(env["db"], "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    _rehash_from(env["db"], "audit", 2)
    assert _findings(env["run"], env["log"]) == {"rehashing"}


def test_rollback_is_named(env: dict[str, Any], tmp_path: Path) -> None:
    asyncio.run(_seed(env["data"]))
    env["run"]("chain", "anchor")
    _copy_db(env["db"], tmp_path / "old.sqlite3")
    asyncio.run(_seed(env["data"], case_no="VV-2"))
    env["run"]("chain", "anchor")
    # restore the old backup over the live database
    env["db"].unlink()
    for extra in ("-wal", "-shm"):
        Path(str(env["db"]) + extra).unlink(missing_ok=True)
    shutil.copy(tmp_path / "old.sqlite3", env["db"])
    assert _findings(env["run"], env["log"]) == {"rollback"}
    # ... and written again after the restore: the anchored rows now have later times
    asyncio.run(_seed(env["data"], case_no="VV-3"))
    assert "rollback" in _findings(env["run"], env["log"])


def test_anchor_log_edits_are_named(env: dict[str, Any]) -> None:
    asyncio.run(_seed(env["data"]))
    env["run"]("chain", "anchor")
    env["run"]("chain", "anchor")
    lines = env["log"].read_text().splitlines()
    forged = json.loads(lines[0])
    forged["seq"] = 1
    env["log"].write_text("\n".join([json.dumps(forged), *lines[1:]]) + "\n")
    assert _findings(env["run"], env["log"]) == {"bad_signature", "anchor_log_edited"}
    env["log"].write_text("\n".join(lines[:1] + lines[2:]) + "\n")  # a line cut out
    assert _findings(env["run"], env["log"]) == {"anchor_log_edited"}
    other = env["run"]("chain", "verify", "--anchors", str(env["log"]), "--public-key",
                       "00" * 31 + "01", code=1)
    assert "FAILED" in other.output


def test_dropped_guard_is_recreated_with_audit_row(env: dict[str, Any]) -> None:
    asyncio.run(_seed(env["data"]))
    _sql(env["db"], "SELECT 1")  # drops all four guards
    env["run"]("chain", "verify")
    conn = sqlite3.connect(env["db"])
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    row = conn.execute("SELECT actor, after FROM audit_log WHERE action = 'guards_recreated'"
                       ).fetchone()
    conn.close()
    assert {"custody_event_no_update", "audit_log_no_delete"} <= names
    assert row[0] == "system" and "custody_event_no_delete" in row[1]


def test_swapped_file_and_hash_row_is_flagged(env: dict[str, Any]) -> None:
    asyncio.run(_seed(env["data"]))
    assert "custody chain: OK" in env["run"]("evidence", "verify").output
    fake = "ab" * 32
    _sql(env["db"], "UPDATE evidence_item SET sha256 = ?, size = 5 WHERE id = 1", (fake,))
    out = env["run"]("evidence", "verify", code=1).output
    assert "evidence item 1: sha256" in out and "size" in out


def test_rejected_rewritten_as_approved_is_flagged(env: dict[str, Any]) -> None:
    request_id = asyncio.run(_seed(env["data"], to="rejected"))
    env["run"]("evidence", "verify")
    _sql(env["db"], "UPDATE extraction_request SET status = 'approved' WHERE id = ?",
         (request_id,))
    out = env["run"]("evidence", "verify", code=1).output
    assert f"request {request_id}: the table says 'approved', the custody chain says " \
           "'rejected'" in out


def test_request_custody_is_contiguous_and_gap_named(env: dict[str, Any]) -> None:
    request_id = asyncio.run(_seed(env["data"]))
    conn = sqlite3.connect(env["db"])
    seqs = [r[0] for r in conn.execute(
        "SELECT req_seq FROM custody_event WHERE request_id = ? ORDER BY id", (request_id,))]
    conn.close()
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 4
    _sql(env["db"], "DELETE FROM custody_event WHERE request_id = ? AND req_seq = 2",
         (request_id,))
    _rehash_from(env["db"], "custody", 1)
    out = env["run"]("evidence", "verify", code=1).output
    assert "sequence 3, expected 2" in out


async def test_service_start_writes_the_first_anchor(client, config) -> None:  # type: ignore[no-untyped-def]
    from camnet.evidence.anchors import log_path, parse_log

    path = log_path(config)
    for _ in range(600):  # up to 60 s on a loaded machine
        if path.exists() and path.read_text():
            break
        await asyncio.sleep(0.1)
    found, problems = parse_log(path.read_text())
    assert [a.chain for a in found] == ["custody", "audit"] and problems == []


def test_anchor_is_due_after_a_handover(env: dict[str, Any]) -> None:
    from camnet.evidence.anchors import anchor_due
    from camnet.evidence.models import TransitionIn as Step

    request_id = asyncio.run(_seed(env["data"]))
    env["run"]("chain", "anchor")
    assert not anchor_due(env["db"], env["log"], 86400, utcnow())
    assert anchor_due(env["db"], env["log"], 0, utcnow())  # a day has passed

    async def hand_over() -> None:
        config = load_config(None, {"storage": {"data_dir": str(env["data"])}})
        db = await open_database(config)
        try:
            for to, extra in (("extracted", {}), ("handed_over", {"handed_over_to": "VKS"})):
                await requests.transition(db, cli_principal("bob"), request_id,
                                          Step(to=to, **extra))
        finally:
            await db.close()

    asyncio.run(hand_over())
    assert anchor_due(env["db"], env["log"], 86400, utcnow())
    env["run"]("chain", "anchor")
    assert not anchor_due(env["db"], env["log"], 86400, utcnow())
