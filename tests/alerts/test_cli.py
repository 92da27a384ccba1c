"""``camnet alerts …`` against a real database and the Zalo stand-in (in its own thread)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from camnet.cli import main
from camnet.testing.alert_standins import ZaloStandIn


@pytest.fixture
def zalo() -> Iterator[ZaloStandIn]:
    loop = asyncio.new_event_loop()
    standin = ZaloStandIn()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(standin.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(30)
    yield standin
    asyncio.run_coroutine_threadsafe(standin.stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)
    loop.close()


def test_alerts_cli(tmp_path: Path, zalo: ZaloStandIn) -> None:
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
                      f'[alerts]\nzalo_base_url = "{zalo.base_url}"\n')
    runner = CliRunner()

    def run(*args: str, input: str | None = None, code: int = 0) -> str:
        result = runner.invoke(main, ["--config", str(config), *args], input=input)
        assert result.exit_code == code, (result.output, result.exception)
        return result.output

    run("sample", "load")
    out = run("alerts", "secret", "zalo_token", input=f"{zalo.token}\n")
    assert "zalo_token: ***" in out and zalo.token not in out
    run("alerts", "test", "--channel", "zalo", "--to", "chihuy", code=1)  # no chat linked yet
    code = run("alerts", "link-code", "chihuy").split()[1]
    assert len(code) == 6 and code.isdigit()
    import sqlite3

    conn = sqlite3.connect(tmp_path / "data" / "camnet.sqlite3")
    conn.execute("INSERT INTO alert_contact(user_id, zalo_chat_id) SELECT id, 'chat-1' FROM user"
                 " WHERE username = 'chihuy'")
    conn.commit()
    conn.close()
    assert "delivered" in run("alerts", "test", "--channel", "zalo", "--to", "chihuy")
    (text,) = zalo.texts("chat-1")
    assert text.startswith("Tin nhắn thử từ camnet")
    out = run("alerts", "subscribe", "--zone", "SAMPLE-PHUMY", "--role", "commander",
              "--events", "camera_down,camera_recovered", "--quiet", "22:00-06:00")
    assert out.startswith("subscription ")
    listing = run("alerts", "subscriptions")
    assert "role:commander" in listing and "22:00-06:00" in listing
    err = run("alerts", "subscribe", "--zone", "SAMPLE-PHUMY", "--role", "commander",
              "--events", "bogus", code=1)
    assert "[events]" in err
    assert "unrouted events: 0" in run("alerts", "outbox")
    sub_id = out.split()[1]
    run("alerts", "unsubscribe", sub_id)
    run("alerts", "unsubscribe", sub_id, code=1)
