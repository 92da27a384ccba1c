"""Benchmark: hashing an upload vs ``sha256sum`` on the same file (goal: >= 80 %).

Three measurements on one file of ``--mib`` MiB (default 1024) in a temp dir:

1. ``sha256sum FILE`` (coreutils) — the reference;
2. :meth:`camnet.evidence.blobstore.BlobStore.put_stream` fed 256 KiB chunks from memory
   (hash + write + fsync + rename: what camnet adds once bytes arrive from the network);
3. the same fed from the file on disk (source read included);
4. the whole HTTP path: a multipart POST to a real camnet server on 127.0.0.1
   (``/api/v1/requests/{id}/items``), so parsing, hashing and writing all count.

Run: .venv/bin/python scripts/bench/bench_upload_hash.py [--mib N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from aiohttp import web

from camnet.accounts import users
from camnet.app import create_app
from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.evidence.blobstore import BlobStore
from camnet.sample import load_sample
from camnet.web import keys

CHUNK = 256 * 1024


def make_file(path: Path, mib: int) -> None:
    """Write ``mib`` MiB of pseudo-random bytes."""
    block = os.urandom(1024 * 1024)
    with path.open("wb") as fh:
        for n in range(mib):
            fh.write(block[n % 7:] + block[:n % 7])


def sha256sum_seconds(path: Path) -> float:
    """Time coreutils' sha256sum on the file."""
    started = time.perf_counter()
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
    return time.perf_counter() - started


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    """Yield the file in upload-sized chunks, read in a thread."""
    with path.open("rb") as fh:
        while block := await asyncio.to_thread(fh.read, CHUNK):
            yield block


async def memory_chunks(mib: int) -> AsyncIterator[bytes]:
    """Yield ``mib`` MiB of distinct chunks that are already in memory (like socket reads)."""
    pool = [os.urandom(CHUNK) for _ in range(16)]
    for n in range(mib * 1024 * 1024 // CHUNK):
        yield pool[n % len(pool)]


async def blobstore_seconds(chunks: AsyncIterator[bytes], root: Path) -> float:
    """Time BlobStore.put_stream on a stream of chunks."""
    store = BlobStore(root, max_bytes=1 << 40)
    started = time.perf_counter()
    await store.put_stream(chunks)
    return time.perf_counter() - started


async def http_seconds(path: Path, data_dir: Path) -> float:
    """Time a multipart upload through a real camnet server on 127.0.0.1."""
    config = load_config(None, {"storage": {"data_dir": str(data_dir)},
                                "monitor": {"enabled": False},
                                "evidence": {"upload_max_bytes": 1 << 40}})
    app = create_app(config)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        db, root = app[keys.DB], cli_principal()
        await load_sample(db, app[keys.CIPHER])
        token = await users.create_token(db, root, "dieutra", "bench")
        admin = await users.create_token(db, root, "admin", "bench")
        base = f"http://127.0.0.1:{port}/api/v1"
        async with aiohttp.ClientSession() as http:
            auth = {"Authorization": f"Bearer {admin}"}
            cams = await (await http.get(f"{base}/cameras?per_page=1", headers=auth)).json()
            incident = await (await http.post(f"{base}/incidents", headers=auth, json={
                "case_no": "BENCH", "kind": "other", "occurred_from": "2026-11-20T08:00:00",
                "occurred_to": "2026-11-20T09:00:00", "zone_code": "SAMPLE-PHUMY"})).json()
            req = await (await http.post(f"{base}/requests", headers=auth, json={
                "incident_id": incident["id"], "reason": "bench",
                "cameras": [{"camera_id": cams["items"][0]["id"]}]})).json()
            for to in ("submitted", "approved"):
                await http.post(f"{base}/requests/{req['id']}/transition", headers=auth,
                                json={"to": to})
            with path.open("rb") as fh:
                form = aiohttp.FormData()
                form.add_field("file", fh, filename=path.name,
                               content_type="application/octet-stream")
                started = time.perf_counter()
                resp = await http.post(f"{base}/requests/{req['id']}/items", data=form,
                                       headers={"Authorization": f"Bearer {token}"})
                took = time.perf_counter() - started
                assert resp.status == 201, await resp.text()  # noqa: S101
        return took
    finally:
        await runner.cleanup()


def main() -> None:
    """Print the three timings and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        path = tmp / "footage.bin"
        make_file(path, args.mib)
        os.sync()  # start from a quiet disk: no writeback of the test file during the runs
        sha256sum_seconds(path)  # warm the page cache
        ref = min(sha256sum_seconds(path) for _ in range(3))
        mib = args.mib
        print(f"sha256sum:            {ref:6.2f} s  {mib / ref:7.0f} MiB/s")
        shm = Path("/dev/shm")  # noqa: S108 - RAM-backed, to separate hashing from disk speed
        if shm.is_dir():
            with tempfile.TemporaryDirectory(dir=shm) as ram:
                fast = asyncio.run(blobstore_seconds(memory_chunks(mib), Path(ram)))
            print(f"put_stream (to RAM):  {fast:6.2f} s  {mib / fast:7.0f} MiB/s  "
                  f"= {100 * ref / fast:.0f} % of sha256sum (goal >= 80 %: hashing path)")
        memory = asyncio.run(blobstore_seconds(memory_chunks(mib), tmp / "store-m"))
        os.sync()
        print(f"put_stream (to disk): {memory:6.2f} s  {mib / memory:7.0f} MiB/s  "
              f"= {100 * ref / memory:.0f} % of sha256sum (includes write + fsync)")
        store = asyncio.run(blobstore_seconds(file_chunks(path), tmp / "store-f"))
        os.sync()
        print(f"put_stream (file):    {store:6.2f} s  {mib / store:7.0f} MiB/s  "
              f"= {100 * ref / store:.0f} % of sha256sum")
        os.sync()
        http = asyncio.run(http_seconds(path, tmp / "data"))
        print(f"HTTP multipart upload:{http:6.2f} s  {mib / http:7.0f} MiB/s  "
              f"= {100 * ref / http:.0f} % of sha256sum")


if __name__ == "__main__":
    main()
