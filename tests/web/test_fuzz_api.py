"""Schemathesis against the running service's own OpenAPI document: no input answers 5xx.

Runs ``camnet serve`` on 127.0.0.1 with the sample data and fuzzes every operation (bounded
examples per operation, stateful links included) as an admin and as a viewer, failing on any
server error or any answer that breaks the documented schema.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _camnet(config: Path, *args: str) -> str:
    return subprocess.run([str(BIN / "camnet"), "--config", str(config), *args], check=True,
                          capture_output=True, text=True, timeout=120).stdout.strip()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    root = tmp_path_factory.mktemp("fuzz")
    port = _free_port()
    config = root / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{root / "data"}"\n[monitor]\nenabled = false\n'
                      f'[server]\nhost = "127.0.0.1"\nport = {port}\n'
                      '[security]\nlogin_max_failures = 1000\n', "utf-8")
    _camnet(config, "sample", "load")
    log = (root / "serve.log").open("w")
    proc = subprocess.Popen([str(BIN / "camnet"), "--config", str(config), "serve"],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - loopback
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("camnet serve did not start: " + (root / "serve.log").read_text())
            time.sleep(0.2)
    yield base, root, config
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.mark.slow
@pytest.mark.parametrize("who", ["xem", "admin"])
def test_no_input_makes_a_server_error(served: tuple[str, Path, Path], who: str) -> None:
    base, root, config = served
    token = _camnet(config, "token", "create", who)  # fresh: an earlier run may revoke tokens
    result = subprocess.run(
        [str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
         "--checks", "not_a_server_error,response_schema_conformance",
         "--max-examples", "15", "--seed", "20261128", "--no-color",
         "--exclude-path-regex", "monitor/run",  # probes cameras: covered by the monitor tests
         "--header", f"Authorization: Bearer {token}"],
        capture_output=True, text=True, timeout=600, cwd=root,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    server_log = (root / "serve.log").read_text("utf-8")
    assert "Traceback" not in server_log, server_log[-4000:]
