"""Helper process for the kill -9 test: commit an alert, say so, then hang until killed.

Usage: python -m tests.alerts.crash_writer DATA_DIR STAGE
STAGE ``outbox``: commit the status change + its outbox rows, then hang.
STAGE ``queued``: also route and flush (the delivery row is committed), then hang.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from camnet.alerts.delivery import flush_groups
from camnet.alerts.recipients import load_directory
from camnet.alerts.routing import route_pending
from camnet.config import load_config
from camnet.db import open_database
from camnet.timeutil import display_timezone, parse_iso
from tests.alerts.conftest import FAST


async def main(data_dir: str, stage: str, at: str) -> None:
    config = load_config(None, {"storage": {"data_dir": data_dir}, "monitor": {"enabled": False},
                                "alerts": {**FAST, "public_url": "https://camnet.test"}})
    db = await open_database(config)
    from camnet.alerts.outbox import enqueue_status_alerts
    from camnet.monitor.status import Transition

    async with db.transaction() as tx:
        await tx.execute("INSERT INTO status_change(camera_id, at, from_status, to_status, reason)"
                         " VALUES (1, ?, 'up', 'down', 'timeout')", (at,))
        await enqueue_status_alerts(tx, [(1, Transition("up", "down", at, "timeout"))], at)
    if stage == "queued":
        now = parse_iso(at) + timedelta(seconds=61)
        await route_pending(db, config.alerts, await load_directory(db), now)
        await flush_groups(db, config.alerts, now, display_timezone())
    print("committed", flush=True)  # noqa: T201
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
