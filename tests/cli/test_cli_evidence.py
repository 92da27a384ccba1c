"""`camnet requests at-risk`, `camnet evidence verify`, `camnet audit verify` on a real DB."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from camnet.auth.principal import cli_principal
from camnet.cli import main
from camnet.config import load_config
from camnet.db import open_database
from camnet.evidence import incidents, items, requests
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.models import IncidentIn, RequestIn, TransitionIn
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import utcnow


async def _chunks(data: bytes):  # type: ignore[no-untyped-def]
    yield data


async def _seed(data_dir: Path) -> BlobStore:
    """Sample data, a request at risk (deadline in 2 h) with one uploaded file."""
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}})
    db = await open_database(config)
    try:
        await load_sample(db, CredentialCipher(load_secrets(data_dir).credentials_key))
        root = cli_principal()
        cam = await db.fetchone("SELECT id, retention_days FROM camera ORDER BY id LIMIT 1")
        assert cam is not None
        end = utcnow() - timedelta(days=cam["retention_days"]) + timedelta(hours=2)
        incident = await incidents.create_incident(db, root, IncidentIn(
            case_no="VV-CLI", kind="theft", occurred_from=end - timedelta(hours=1),
            occurred_to=end, zone_code="SAMPLE-PHUMY"))
        req = await requests.create_request(db, root, RequestIn(
            incident_id=incident.id, reason="cli", cameras=[{"camera_id": cam["id"]}]))
        for to in ("submitted", "approved"):
            await requests.transition(db, root, req.id, TransitionIn(to=to),
                                      separation_of_duties=False)
        store = BlobStore(data_dir / "evidence", 10_000_000)
        await items.upload_item(db, root, store, req.id, _chunks(b"clip"), filename="c.mp4",
                                camera_id=cam["id"], method="usb", holder="kho")
        return store
    finally:
        await db.close()


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    runner = CliRunner()

    def run(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(main, ["--config", str(config), *args])
        assert result.exit_code == code, (result.output, result.exception)
        return result.output

    return run


def test_at_risk_and_verify(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "no open request" in cli("requests", "at-risk")
    store = asyncio.run(_seed(tmp_path / "data"))
    out = cli("requests", "at-risk", code=3)
    assert "VV-CLI" in out and "in 2.0 h" in out
    assert "no open request" in cli("requests", "at-risk", "--hours", "1")
    assert "custody chain: OK, 4 rows" in cli("evidence", "verify")
    out = cli("evidence", "verify", "1")
    assert "file OK" in out
    assert "audit log: OK" in cli("audit", "verify")
    # a stored file changed behind camnet's back
    path = store.path_for(_only_blob(tmp_path))
    path.chmod(0o600)
    path.write_bytes(b"changed")
    out = cli("evidence", "verify", "1", code=1)
    assert "FILE DOES NOT MATCH" in out
    # an audit row edited with the triggers dropped
    conn = sqlite3.connect(tmp_path / "data" / "camnet.sqlite3")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'someone' WHERE id = 3")
    conn.commit()
    conn.close()
    out = cli("audit", "verify", code=1)
    assert "BROKEN at row 3" in out


def _only_blob(tmp_path: Path) -> str:
    (blob,) = [p for p in (tmp_path / "data" / "evidence" / "sha256").rglob("*") if p.is_file()]
    return blob.name
