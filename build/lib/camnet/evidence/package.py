"""The case package of a request: a zip of files, JSON manifest, custody log and form.

Built in the executor (it reads big files) into a temporary file.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import zipfile
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from camnet.auth.principal import Principal
from camnet.config import Config
from camnet.db import Database
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.form import form_context, render_form
from camnet.evidence.items import custody_log, list_items
from camnet.timeutil import now_iso


async def build_package(db: Database, actor: Principal, store: BlobStore, request_id: int,
                        config: Config, executor: Executor) -> tuple[Path, str]:
    """Write the package to a temporary file; return its path and a download name."""
    actor.require("evidence.write")
    context = await form_context(db, actor, request_id)
    req = context["req"]
    item_list = await list_items(db, actor, request_id)
    events = await custody_log(db, actor, [i.id for i in item_list])
    files: list[tuple[Path, str]] = []
    manifest_items: list[dict[str, Any]] = []
    for item in item_list:
        entry = item.model_dump()
        if item.stored:
            arcname = f"files/{item.id:05d}-{item.sha256[:12]}-{item.filename}"
            entry["path_in_package"] = arcname
            files.append((store.path_for(item.sha256), arcname))
        manifest_items.append(entry)
    manifest = {
        "generated_at": now_iso(), "generated_by": actor.username,
        "incident": context["incident"].model_dump(), "request": req.model_dump(),
        "items": manifest_items, "custody": events, "hash_algorithm": "sha256",
    }
    form = render_form(context)
    tmp_dir = config.data_dir / "tmp"
    loop = asyncio.get_running_loop()
    path = await loop.run_in_executor(executor, _write_zip, tmp_dir, manifest, events, form, files)
    return path, f"camnet-{req.case_no}-request-{request_id}.zip".replace("/", "_")


def _write_zip(tmp_dir: Path, manifest: dict[str, Any], events: list[dict[str, Any]], form: str,
               files: list[tuple[Path, str]]) -> Path:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="package-", suffix=".zip", dir=tmp_dir)
    os.close(fd)
    path = Path(name)
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            zf.writestr("custody.json", json.dumps(events, ensure_ascii=False, indent=1))
            zf.writestr("form.html", form)
            for source, arcname in files:
                zf.write(source, arcname, compress_type=zipfile.ZIP_STORED)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
