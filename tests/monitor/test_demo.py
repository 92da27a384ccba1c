"""The demo fleet end to end: simulator + app + scheduler, as `camnet demo` runs them."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from camnet.app import create_app
from camnet.config import load_config
from camnet.db import open_database
from camnet.demo import demo_plan, simulator_ctx
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.web import keys
from tests.conftest import AiohttpClient

pytestmark = pytest.mark.slow

EXPECTED = {3: ("degraded", "black"), 6: ("degraded", "frozen"), 9: ("degraded", "blurred"),
            12: ("degraded", "covered"), 15: ("down", "auth_failed"), 18: ("down", "timeout")}


async def test_demo_fleet_is_classified_within_a_minute(tmp_path: Path,
                                                        aiohttp_client: AiohttpClient) -> None:
    config = load_config(None, {
        "storage": {"data_dir": str(tmp_path / "data")},
        "monitor": {"interval_s": 3, "timeout_s": 1.5, "down_after": 1, "up_after": 1,
                    "tier2_every": 1, "spread": 0.2, "tier2_workers": 4},
    })
    db = await open_database(config)
    await load_sample(db, CredentialCipher(load_secrets(config.data_dir).credentials_key))
    await db.close()
    client = await aiohttp_client(create_app(config, extra_cleanup=[simulator_ctx(demo_plan())]))
    db = client.app[keys.DB]
    ids = [r["id"] for r in await db.fetchall("SELECT id FROM camera ORDER BY id")]
    deadline = time.monotonic() + 60
    while True:
        rows = {r["camera_id"]: r for r in await db.fetchall("SELECT * FROM camera_status")}
        got = {n: (rows[i]["status"], rows[i]["health"] if rows[i]["status"] == "degraded"
                   else rows[i]["last_result"])
               for n, i in enumerate(ids, 1) if i in rows}
        want = {n: EXPECTED.get(n, ("up", "up")) for n in range(1, 29)}
        if got == want or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    assert got == want
    cycles = await db.fetchall("SELECT * FROM probe_cycle ORDER BY id")
    assert cycles and all(c["completed"] == c["cameras"] == 28 for c in cycles)
