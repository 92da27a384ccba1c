"""Benchmark: 5,000 cameras in one zone go down at once (a province-wide power cut).

Measures, with local stand-ins (Zalo Bot API and a webhook receiver on 127.0.0.1):
- the time the monitor's transaction spends writing the 5,000 alerts to the outbox;
- messages per recipient (goal: 1 per group interval);
- time from confirmation (commit) to delivery at the stand-in, p50/p95 (goal p95 <= 5 s).

``group_wait_s`` is set to 0 here so the figure is the pipeline's own latency; in service
the first message of a group waits ``alerts.group_wait_s`` (60 s) by design, to gather.

Run: .venv/bin/python scripts/bench/bench_alerts.py [--cameras 5000] [--hosts 50] [--police 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

from camnet.accounts import users
from camnet.alerts.channels import WebhookChannel, ZaloBotChannel
from camnet.alerts.outbox import enqueue_status_alerts
from camnet.alerts.recipients import add_subscription, set_contact, set_host_contact
from camnet.alerts.service import AlertService
from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.monitor.status import Transition
from camnet.registry.models import PointIn, ZoneIn
from camnet.registry.points import create_point
from camnet.registry.zones import create_zone
from camnet.testing.alert_standins import WebhookReceiver, ZaloStandIn
from camnet.timeutil import display_timezone, now_iso


async def run(cameras: int, hosts: int, police: int) -> None:
    """Build the zone, fail every camera in one transaction, measure delivery."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {
            "storage": {"data_dir": str(Path(tmp) / "data")}, "monitor": {"enabled": False},
            "alerts": {"group_wait_s": 0, "group_interval_s": 300, "tick_s": 0.2,
                       "webhook_url": "http://127.0.0.1:1/replaced"}})
        db = await open_database(config)
        root = cli_principal()
        await create_zone(db, root, ZoneIn(level="province", code="P", name="Tỉnh thử"))
        await create_zone(db, root, ZoneIn(parent_code="P", level="commune", code="Z",
                                           name="xã Thử"))
        points = [(await create_point(db, root, PointIn(zone_code="Z", name=f"Điểm {i}",
                                                        lat=16.5, lon=107.6))).id
                  for i in range(hosts)]
        now = now_iso()
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO camera(point_id, name, rtsp_url, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(points[i % hosts], f"cam{i:05d}", f"rtsp://127.0.0.1:9/{i}", now, now)
                 for i in range(cameras)])
            await tx.executemany(
                "INSERT INTO camera_status(camera_id, status, since) SELECT id, 'up', ? FROM camera"
                " WHERE id = ?", [(now, i + 1) for i in range(cameras)])
        for i in range(police):
            uid = await users.add_user(db, root, username=f"chihuy{i}", password="bench-pass-1",  # noqa: S106
                                       role="commander", zone_code="Z")
            await set_contact(db, uid, zalo_chat_id=f"police-{i}")
        await add_subscription(db, root, zone_code="Z", role="commander", channels=["zalo"])
        for p in points:
            await set_host_contact(db, root, p, host_zalo=f"host-{p}", quiet_start="",
                                   quiet_end="")
        zalo, hook = ZaloStandIn(), WebhookReceiver()
        await zalo.start()
        await hook.start()
        cfg = config.alerts.model_copy(update={"webhook_url": hook.url})
        async with aiohttp.ClientSession() as session:
            channels = {"zalo": ZaloBotChannel(session, zalo.base_url, zalo.token, 10),
                        "webhook": WebhookChannel(session, "bench-secret", 10)}
            service = AlertService(db, cfg, channels, tz=display_timezone())
            task = asyncio.create_task(service.run())
            ids = [r["id"] for r in await db.fetchall("SELECT id FROM camera ORDER BY id")]
            at = now_iso()
            started = time.perf_counter()
            async with db.transaction() as tx:
                await tx.executemany(
                    "INSERT INTO status_change(camera_id, at, from_status, to_status, reason)"
                    " VALUES (?, ?, 'up', 'down', 'timeout')", [(i, at) for i in ids])
                await tx.executemany("UPDATE camera_status SET status = 'down' WHERE camera_id = ?",
                                     [(i,) for i in ids])
                written = await enqueue_status_alerts(
                    tx, [(i, Transition("up", "down", at, "timeout")) for i in ids], at)
            committed = time.time()
            enqueue_ms = (time.perf_counter() - started) * 1000
            expected = police + hosts + 1
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # poll the stand-ins' counters
                if len(zalo.sent) + len(hook.received) >= expected:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(2)  # anything more that would (wrongly) follow
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        await zalo.stop()
        await hook.stop()
        delays = [r.at - committed for r in zalo.sent] + [r.at - committed for r in hook.received]
        per_chat = Counter(str(r.body["chat_id"]) for r in zalo.sent)
        print(f"cameras down at once:        {cameras} in one zone ({hosts} hosts, {police} police,"
              " 1 webhook)")
        print(f"outbox rows in the cycle tx: {written} in {enqueue_ms:.0f} ms (status rows included)")
        print(f"messages delivered:          {len(zalo.sent)} Zalo + {len(hook.received)} webhook"
              f" (expected {expected})")
        print(f"messages per recipient:      max {max(per_chat.values(), default=0)},"
              f" webhook {len(hook.received)}")
        longest = max((len(str(r.body["text"])) for r in zalo.sent), default=0)
        print(f"Zalo messages (<= 2000 ch):  {len(zalo.sent)}; longest {longest} characters")
        if delays:
            q = statistics.quantiles(delays, n=20) if len(delays) > 1 else [delays[0]] * 19
            print(f"commit -> delivery:          p50 {statistics.median(delays):.2f} s,"
                  f" p95 {q[18]:.2f} s, max {max(delays):.2f} s")
        for r in await db.fetchall("SELECT channel, status, attempts, last_error FROM alert_delivery"
                                   " WHERE status != 'sent'"):
            print(f"not sent: {dict(r)}")
        await db.close()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--police", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.cameras, args.hosts, args.police))


if __name__ == "__main__":
    main()
