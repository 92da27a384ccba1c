"""The case package verifies anywhere: verify.py in a clean interpreter, and each tamper found."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.package import build_package
from tests.evidence.test_anchors import _seed


async def _build(data_dir: Path, request_id: int) -> Path:
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}})
    db = await open_database(config)
    try:
        store = BlobStore(data_dir / "evidence", 10_000_000)
        with ThreadPoolExecutor(1) as pool:
            path, _ = await build_package(db, cli_principal("bob"), store, request_id, config,
                                          pool, purpose="gửi Viện kiểm sát")
        return path
    finally:
        await db.close()


def _verify(target: Path) -> subprocess.CompletedProcess[str]:
    script = (target / "verify.py") if target.is_dir() else None
    if script is None:
        with zipfile.ZipFile(target) as zf:
            script = target.parent / "verify.py"
            script.write_bytes(zf.read("verify.py"))
    return subprocess.run([sys.executable, "-I", str(script), str(target)],  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def _resum(folder: Path) -> None:
    """Re-make SHA256SUMS after a tamper (a forger without the key cannot re-sign it)."""
    import hashlib

    lines = []
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        name = line.split("  ", 1)[1]
        lines.append(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}")
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def _rechain(rows: list[dict[str, Any]]) -> None:
    """Renumber and re-hash a request's custody rows as a careful forger would."""
    from camnet import chain
    from camnet.evidence.custody import CUSTODY_COLUMNS, CUSTODY_OPTIONAL

    prev, req_prev = rows[0]["prev_hash"], chain.GENESIS
    for n, row in enumerate(rows, start=1):
        row["req_seq"], row["prev_hash"], row["req_prev_hash"] = n, prev, req_prev
        row["hash"] = chain.link_hash(prev, chain.content_of(row, CUSTODY_COLUMNS,
                                                             CUSTODY_OPTIONAL))
        prev = req_prev = row["hash"]


def test_package_verifies_and_each_tamper_is_found(tmp_path: Path) -> None:
    data = tmp_path / "data"
    request_id = asyncio.run(_seed(data, upload=b"clip-bytes" * 1000))
    package = asyncio.run(_build(data, request_id))
    names = set(zipfile.ZipFile(package).namelist())
    assert {"manifest.json", "tom-tat.txt", "custody.json", "chain_links.json", "audit.json",
            "anchors.jsonl", "anchor-public.txt", "form.html", "verify.py", "SHA256SUMS",
            "SHA256SUMS.sig"} <= names
    ok = _verify(package)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK: the package is intact" in ok.stdout and "reaches signed anchor" in ok.stdout
    # the build is a custody event and an audit row
    conn = sqlite3.connect(data / "camnet.sqlite3")
    assert conn.execute("SELECT note FROM custody_event WHERE action = 'package_built'"
                        ).fetchone()[0] == "gửi Viện kiểm sát"
    assert conn.execute("SELECT actor FROM audit_log WHERE action = 'package_built'"
                        ).fetchone()[0] == "bob"
    conn.close()
    clean = tmp_path / "clean"
    with zipfile.ZipFile(package) as zf:
        zf.extractall(clean)
    summary = (clean / "tom-tat.txt").read_text()
    assert "sha256sum -c SHA256SUMS" in summary and "Mốc neo" in summary
    sha_check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=clean,  # noqa: S607
                               capture_output=True, text=True, check=False)
    assert sha_check.returncode == 0, sha_check.stdout

    def tampered(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(clean, target)
        return target

    # a file changed
    t = tampered("file")
    evidence = next((t / "files").iterdir())
    evidence.write_bytes(b"forged")
    out = _verify(t)
    assert out.returncode == 1 and f"files/{evidence.name}: content does not match" in out.stdout
    # the file and the manifest changed together, and the hash list re-made: signature fails
    t = tampered("manifest")
    manifest = json.loads((t / "manifest.json").read_text())
    manifest["request"]["status"] = "rejected"
    (t / "manifest.json").write_text(json.dumps(manifest))
    _resum(t)
    out = _verify(t).stdout
    assert "SHA256SUMS.sig: the signature of SHA256SUMS does not verify" in out
    assert "manifest says the request is 'rejected'" in out
    # a custody row of the request deleted
    t = tampered("custody")
    rows = json.loads((t / "custody.json").read_text())
    removed = rows.pop(2)
    (t / "custody.json").write_text(json.dumps(rows))
    out = _verify(t).stdout
    assert f"expected {removed['req_seq']} (a custody row of the request is missing)" in out
    assert "custody.json: content does not match SHA256SUMS" in out
    assert "does not link to the request's previous row" in out
    # ... and a forger who renumbers and re-hashes the request's rows cannot reach the anchor
    t = tampered("custody-rehashed")
    rows = json.loads((t / "custody.json").read_text())
    del rows[2]
    _rechain(rows)
    (t / "custody.json").write_text(json.dumps(rows))
    out = _verify(t).stdout
    assert "the request's last row is not the start of the chain links" in out
    assert "expected" not in out and "does not link" not in out  # internally consistent
    # an anchor changed
    t = tampered("anchor")
    lines = (t / "anchors.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    first["head"] = "0" * 64
    (t / "anchors.jsonl").write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    out = _verify(t).stdout
    assert f"anchor custody#{first['seq']}: signature does not verify" in out
    assert "no signed custody anchor is reached" in out
    # someone else's key given on the command line
    other = subprocess.run([sys.executable, "-I", str(clean / "verify.py"), str(clean),  # noqa: S603
                            "--public-key", "11" * 32], capture_output=True, text=True,
                           check=False, timeout=120)
    assert other.returncode == 1 and "not the public key you gave" in other.stdout
