"""kill -9 during concurrent writes: every acknowledged write survives, the file stays sound,
and both hash chains still verify."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.test_fuzz_api import _camnet, _free_port

BIN = Path(sys.executable).parent


def _serve(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([str(BIN / "camnet"), "--config", str(config), "serve", "--port",
                                 str(port)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("camnet serve did not start: " + log.read_text())
            time.sleep(0.1)


def _writer(port: int, token: str, prefix: str, acked: list[str], stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        case_no = f"{prefix}-{n:05d}"
        body = json.dumps({"case_no": case_no, "kind": "theft", "occurred_from": "2026-11-20T08:00:00",
                           "occurred_to": "2026-11-20T09:00:00", "zone_code": "SAMPLE-PHUMY"}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/incidents", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 - loopback
                if resp.status == 201:
                    acked.append(case_no)  # acknowledged: it must survive
        except OSError:
            return  # the server is gone


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[monitor]\nenabled = false\n',
                      "utf-8")
    _camnet(config, "sample", "load")
    token = _camnet(config, "token", "create", "canbo")
    acked: list[str] = []
    for round_no in range(3):
        proc = _serve(config, port, tmp_path / "serve.log")
        stop = threading.Event()
        writers = [threading.Thread(target=_writer, args=(port, token, f"K{round_no}{w}", acked, stop))
                   for w in range(4)]
        for t in writers:
            t.start()
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)  # mid-write, no shutdown of any kind
        proc.wait(timeout=10)
        stop.set()
        for t in writers:
            t.join(timeout=10)
    assert len(acked) > 20, "the writers barely wrote; the test proves nothing"
    db = sqlite3.connect(tmp_path / "data" / "camnet.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0] for r in db.execute("SELECT case_no FROM incident")}
    finally:
        db.close()
    lost = [c for c in acked if c not in stored]
    assert not lost, f"{len(lost)} acknowledged writes lost: {lost[:5]}"
    assert "OK" in _camnet(config, "audit", "verify")
    verify = subprocess.run([str(BIN / "camnet"), "--config", str(config), "chain", "verify"],
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0 and "OK" in verify.stdout, verify.stdout + verify.stderr[-3000:]
