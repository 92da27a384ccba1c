"""The periodic chain check: a broken custody or audit hash chain alerts the admins once."""

from __future__ import annotations

from camnet.alerts.outbox import enqueue_event
from camnet.config import Config
from camnet.db import Database
from camnet.evidence.verify import verify_audit, verify_custody
from camnet.timeutil import now_iso


async def check_chains(db: Database, config: Config) -> int:
    """Verify both chains; queue a ``chain_failure`` per newly broken chain row."""
    queued = 0
    for name, verify in (("custody", verify_custody), ("audit", verify_audit)):
        report = await verify(config)
        if report.get("ok", True):
            continue
        now = now_iso()
        bad = report.get("first_bad_id")
        async with db.transaction() as tx:
            queued += bool(await enqueue_event(
                tx, "chain_failure", now, now, dedupe_key=f"chain:{name}:{bad}",
                data={"subject": name, "cause": f"{name} chain broken at row {bad}",
                      "roles": ["admin"]}))
    return queued


async def report_recreated_guards(db: Database, triggers: list[str]) -> bool:
    """Alert admins that append-only guard triggers were missing (and re-created) at start."""
    if not triggers:
        return False
    now = now_iso()
    async with db.transaction() as tx:
        return bool(await enqueue_event(
            tx, "chain_failure", now, now,
            data={"subject": "schema", "roles": ["admin"],
                  "cause": "append-only guard triggers were missing and have been re-created: "
                  + ", ".join(triggers)},
            dedupe_key=f"guards:{now[:16]}"))
