"""The case package of a request: a zip that anyone can verify without camnet.

Contents:

- ``files/…``: the stored evidence files (copied while re-hashed: a file that no longer
  matches its chained SHA-256 stops the build);
- ``manifest.json`` and ``tom-tat.txt`` (a Vietnamese human-readable summary);
- ``custody.json``: every custody row of the request (contiguous ``req_seq`` 1…n, each
  linked to the one before by ``req_prev_hash``), with hashes; ``chain_links.json``:
  ``(id, prev_hash, hash)`` of the global chain from the request's last row (the build
  itself) to the covering anchor — usually that one row; ``audit.json``: the audit rows
  about the request and its items;
- ``anchors.jsonl`` (signed anchors made right after the build was recorded, so they cover
  it) and ``anchor-public.txt``;
- ``form.html``, ``verify.py`` (standard library only), ``SHA256SUMS`` (``sha256sum -c``
  compatible) and ``SHA256SUMS.sig`` (Ed25519 signature of ``SHA256SUMS``).

Building a package is itself a custody event (``package_built``) and an audit row.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.config import Config
from camnet.db import Database
from camnet.errors import Conflict
from camnet.evidence import anchors
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.custody import append_event
from camnet.evidence.form import KIND_VI, STATUS_VI, form_context, render_form
from camnet.evidence.items import list_items
from camnet.evidence.requests import get_request_row
from camnet.timeutil import format_local, now_iso

_COPY_BYTES = 4 * 1024 * 1024


async def build_package(db: Database, actor: Principal, store: BlobStore, request_id: int,
                        config: Config, executor: Executor, purpose: str = "") -> tuple[Path, str]:
    """Record the build, anchor the chains, write the zip; return its path and a name."""
    actor.require("evidence.write")
    async with db.transaction() as tx:
        await get_request_row(tx, actor, request_id)
        await append_event(tx, actor.username, request_id=request_id, action="package_built",
                           to_holder=actor.username, note=purpose,
                           fact={"purpose": purpose})
        await audit.record(tx, actor, "package_built", "extraction_request", request_id, None,
                           {"purpose": purpose})
    written = await anchors.anchor_now(config)
    context = await form_context(db, actor, request_id, config)
    req = context["req"]
    item_list = await list_items(db, actor, request_id)
    loop = asyncio.get_running_loop()
    rows = await loop.run_in_executor(executor, _chain_rows, config.database_path, request_id,
                                      [i.id for i in item_list],
                                      max(a.seq for a in written if a.chain == "custody"))
    files: list[tuple[Path, str, str]] = []
    manifest_items: list[dict[str, Any]] = []
    for item in item_list:
        entry = item.model_dump()
        if item.stored:
            arcname = f"files/{item.id:05d}-{item.sha256[:12]}-{item.filename}"
            entry["path_in_package"] = arcname
            files.append((store.path_for(item.sha256), arcname, item.sha256))
        manifest_items.append(entry)
    key = await asyncio.to_thread(anchors.load_signing_key, config.data_dir)
    public_hex = anchors.public_bytes(key.public_key()).hex()
    manifest = {
        "format": "camnet-case-package/2", "generated_at": now_iso(),
        "generated_by": actor.username, "purpose": purpose,
        "incident": context["incident"].model_dump(), "request": req.model_dump(),
        "items": manifest_items, "custody_rows": len(rows["custody"]),
        "hash_algorithm": "sha256", "anchor_key_id": anchors.key_id(key.public_key()),
        "anchors": [a.line() for a in written],
    }
    texts = {
        "manifest.json": json.dumps(manifest, ensure_ascii=False, indent=1),
        "tom-tat.txt": summary_vi(manifest, rows["custody"], written, public_hex),
        "custody.json": json.dumps(rows["custody"], ensure_ascii=False, indent=1),
        "chain_links.json": json.dumps(rows["links"], separators=(",", ":")),
        "audit.json": json.dumps(rows["audit"], ensure_ascii=False, indent=1),
        "anchors.jsonl": "".join(a.line() + "\n" for a in written),
        "anchor-public.txt": f"{public_hex} key_id={anchors.key_id(key.public_key())}\n",
        "form.html": render_form(context),
        "verify.py": verifier_source(),
    }
    path = await loop.run_in_executor(executor, write_zip, config.data_dir / "tmp", texts, files,
                                      key.sign)
    return path, f"camnet-{req.case_no}-request-{request_id}.zip".replace("/", "_")


def verifier_source() -> str:
    """The text of the standalone ``verify.py`` shipped in every package."""
    return (resources.files("camnet.evidence") / "package_verify.py").read_text("utf-8")


def _chain_rows(db_path: Path, request_id: int, item_ids: list[int], anchor_seq: int
                ) -> dict[str, list[dict[str, Any]]]:
    """Blocking: the request's custody rows, the chain links up to the anchor, audit rows."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        marks = ",".join("?" * len(item_ids)) or "NULL"
        custody = [dict(r) for r in conn.execute(
            f"SELECT * FROM custody_event WHERE (request_id = ? OR item_id IN ({marks}))"  # noqa: S608
            " AND id <= ? ORDER BY id", (request_id, *item_ids, anchor_seq))]
        # the request's rows chain among themselves (req_prev_hash); its last row is
        # normally the anchored head itself, else these few rows lead to the anchor
        first = custody[-1]["id"] if custody else anchor_seq
        links = [dict(r) for r in conn.execute(
            "SELECT id, prev_hash, hash FROM custody_event WHERE id BETWEEN ? AND ? ORDER BY id",
            (first, anchor_seq))]
        audit_rows = [dict(r) for r in conn.execute(
            "SELECT * FROM audit_log WHERE (entity = 'extraction_request' AND entity_id = ?)"
            f" OR (entity = 'evidence_item' AND entity_id IN ({marks})) ORDER BY id",  # noqa: S608
            (request_id, *item_ids))]
    finally:
        conn.close()
    return {"custody": custody, "links": links, "audit": audit_rows}


def summary_vi(manifest: dict[str, Any], custody: list[dict[str, Any]],
               written: list[anchors.Anchor], public_hex: str) -> str:
    """A Vietnamese, human-readable summary of the package."""
    req, inc = manifest["request"], manifest["incident"]
    lines = [
        "HỒ SƠ CHỨNG CỨ HÌNH ẢNH (camnet)",
        f"Vụ việc: {inc['case_no']} — {KIND_VI.get(inc['kind'], inc['kind'])}",
        f"Yêu cầu trích xuất số {req['id']} — trạng thái: "
        f"{STATUS_VI.get(req['status'], req['status'])}",
        f"Người yêu cầu: {req['requested_by']}; người duyệt: {req['approved_by'] or '—'}",
        f"Lập gói lúc: {format_local(manifest['generated_at'])} bởi {manifest['generated_by']}"
        f"; mục đích: {manifest['purpose'] or '—'}",
        "",
        "Tệp chứng cứ:",
    ]
    for item in manifest["items"]:
        where = item.get("path_in_package") or "lưu giữ bên ngoài (chỉ có mã băm)"
        lines.append(f"  - {item['filename']} ({item['size']} byte) SHA-256 {item['sha256']}"
                     f" — {where}")
    lines += ["", f"Nhật ký quản lý chứng cứ: {len(custody)} dòng liên tục.", "",
              "Mốc neo có chữ ký (Ed25519):"]
    lines += [f"  - chuỗi {a.chain}: dòng {a.seq}, mã {a.head}, lúc {format_local(a.at)}"
              for a in written]
    lines += [
        f"Khóa công khai: {public_hex}",
        "",
        "CÁCH KIỂM TRA:",
        "  1. Có Python 3: chạy  python3 verify.py  trong thư mục đã giải nén.",
        "  2. Không có Python: chạy  sha256sum -c SHA256SUMS  (mọi dòng phải là OK), rồi so",
        "     mã mốc neo ở trên với mã in trên phiếu yêu cầu / sổ mốc neo của đơn vị.",
    ]
    return "\n".join(lines) + "\n"


def _copy_hashed(source: Path, zf: zipfile.ZipFile, arcname: str) -> str:
    """Copy a file into the zip (stored) while a second thread hashes the same blocks.

    SHA-256 and the zip's CRC-32 + write both release the GIL, so the hash runs beside the
    copy instead of after it; one block is hashed while the next is written.
    """
    digest = hashlib.sha256()
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    with ThreadPoolExecutor(1, thread_name_prefix="camnet-pkg-hash") as hasher, \
            source.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
        pending: Future[None] | None = None
        while block := src.read(_COPY_BYTES):
            if pending is not None:
                pending.result()
            pending = hasher.submit(digest.update, block)
            dst.write(block)
        if pending is not None:
            pending.result()
    return digest.hexdigest()


def write_zip(tmp_dir: Path, texts: dict[str, str], files: list[tuple[Path, str, str]],
              sign: Any) -> Path:
    """Blocking: write the zip, re-hashing each file while copying it; sign SHA256SUMS.

    Raises:
        Conflict: a stored file no longer matches its SHA-256.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="package-", suffix=".zip", dir=tmp_dir)
    os.close(fd)
    path = Path(name)
    sums: list[str] = []
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for arcname, text in texts.items():
                data = text.encode("utf-8")
                zf.writestr(arcname, data, compresslevel=1)
                sums.append(f"{hashlib.sha256(data).hexdigest()}  {arcname}")
            for source, arcname, expected in files:
                digest = _copy_hashed(source, zf, arcname)
                if digest != expected:
                    raise Conflict(f"stored file for {arcname} no longer matches its SHA-256; "
                                   "run `camnet evidence verify` and re-upload it", "id")
                sums.append(f"{expected}  {arcname}")
            listing = ("\n".join(sums) + "\n").encode("utf-8")
            zf.writestr("SHA256SUMS", listing)
            zf.writestr("SHA256SUMS.sig", sign(listing).hex() + "\n")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
