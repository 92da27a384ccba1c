"""`camnet demo` as a user runs it: starts, serves, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_demo_starts_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    port = _free_port()
    camnet = Path(sys.executable).with_name("camnet")
    proc = subprocess.Popen([str(camnet), "--config", str(config), "demo", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:  # log lines first, then the banner
            seen.append(line)
            if "camnet demo:" in line:
                break
        assert f"http://127.0.0.1:{port}/" in seen[-1] and "camnet-demo" in seen[-1], seen
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.5)
        # the sample commune's public status page is published on the demo
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/trang-thai/SAMPLE-PHUMY.json",  # noqa: S310
                                    timeout=10) as r:
            assert json.load(r)["page"]["url"] == "/trang-thai/SAMPLE-PHUMY"
        children = _children(proc.pid)
        assert children, "the simulator runs as a child process"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        time.sleep(0.5)
        assert not [c for c in children if _alive(c)], "orphan processes after Ctrl-C"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
