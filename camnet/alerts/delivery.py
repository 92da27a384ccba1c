"""Flushing groups into deliveries, and recording delivery attempts.

Owns ``alert_group``, ``alert_delivery`` and ``alert_attempt`` (and flushing of
``alert_pending``). A flush writes the message row and marks its items sent to the group in
one transaction; the message's idempotency key (per alert and recipient) is UNIQUE, so a
crash and restart can never make a second copy of it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from camnet.alerts.channels import SendResult
from camnet.alerts.grouping import (
    Flush,
    GroupState,
    Item,
    OpenProblem,
    Timing,
    in_quiet_hours,
    plan_flush,
)
from camnet.alerts.recipients import Recipient
from camnet.alerts.render import render
from camnet.auth.scope import in_scope
from camnet.config import AlertsConfig
from camnet.db import Database
from camnet.timeutil import to_iso

RETRY_AFTER_MAX_S = 3600.0  # a service's retry_after is honoured up to an hour


def timing_for(cfg: AlertsConfig, recipient: Recipient) -> Timing:
    """Group timings for a recipient (hosts repeat daily, police every 4 h)."""
    repeat = cfg.repeat_host_s if recipient.audience == "host" else cfg.repeat_police_s
    return Timing(cfg.group_wait_s, cfg.group_interval_s, repeat)


async def flush_groups(db: Database, cfg: AlertsConfig, now: datetime, tz: ZoneInfo) -> int:
    """Turn ready groups into deliveries; return how many messages were queued."""
    now_s = to_iso(now)
    pending: dict[str, list[Any]] = defaultdict(list)
    for r in await db.fetchall("SELECT * FROM alert_pending WHERE flushed_at IS NULL ORDER BY id"):
        pending[r["group_key"]].append(r)
    groups = {r["group_key"]: r for r in await db.fetchall("SELECT * FROM alert_group")}
    keys = set(pending) | {k for k, g in groups.items() if g["open"] != "[]"}
    if not keys:
        return 0
    plans: list[tuple[str, Flush, list[Any], Recipient]] = []
    for key in sorted(keys):
        rows = pending.get(key, [])
        g = groups.get(key)
        raw = rows[0]["recipient"] if rows else (g["recipient"] if g is not None else "{}")
        recipient = Recipient(**json.loads(raw))
        state = GroupState(g["last_flush_at"] if g else None,
                           tuple(OpenProblem(**p) for p in json.loads(g["open"])) if g else ())
        items = [Item(**{**json.loads(r["item"]), "created_at": r["created_at"]}) for r in rows]
        quiet = in_quiet_hours(now, recipient.quiet_start, recipient.quiet_end, tz)
        plan = plan_flush(state, items, now, timing_for(cfg, recipient), quiet=quiet)
        if plan is not None:
            plans.append((key, plan, rows, recipient))
    if not plans:
        return 0  # no write transaction on an idle tick
    zone_names = {r["id"]: r["name"] for r in await db.fetchall("SELECT id, name FROM zone")}
    queued = 0
    async with db.transaction() as tx:
        for key, plan, rows, recipient in plans:
            zone_id = int(key.rsplit("|", 1)[1])
            msg = render(plan.items, plan.repeat, zone_name=zone_names.get(zone_id, "camnet"),
                         now=now, tz=tz, base_url=cfg.public_url, language=recipient.language)
            basis = ",".join(str(r["id"]) for r in rows) if rows else f"repeat@{now_s}"
            idem = hashlib.sha256(f"{key}#{basis}".encode()).hexdigest()[:32]
            await tx.execute(
                "INSERT OR IGNORE INTO alert_delivery(idem_key, group_key, zone_id, channel, address,"
                " subject, body, payload, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (idem, key, zone_id, recipient.channel, recipient.address, msg.subject, msg.text,
                 json.dumps({**msg.payload, "html": msg.html}, ensure_ascii=False), now_s, now_s))
            if rows:
                ids = [r["id"] for r in rows]
                for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
                    await tx.execute(
                        f"UPDATE alert_pending SET flushed_at = ? WHERE id IN ({','.join('?' * len(chunk))})",
                        [now_s, *chunk])
            await tx.execute(
                "INSERT INTO alert_group(group_key, recipient, last_flush_at, open) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(group_key) DO UPDATE SET recipient = excluded.recipient,"
                " last_flush_at = excluded.last_flush_at, open = excluded.open",
                (key, json.dumps(asdict(recipient)), plan.state.last_flush_at,
                 json.dumps([asdict(p) for p in plan.state.open], ensure_ascii=False)))
            queued += 1
    return queued


async def due_deliveries(db: Database, now: datetime, limit: int = 200) -> list[Any]:
    """Pending deliveries whose next attempt is due, oldest first."""
    return await db.fetchall(
        "SELECT * FROM alert_delivery WHERE status = 'pending' AND next_attempt_at <= ?"
        " ORDER BY id LIMIT ?", (to_iso(now), limit))


def backoff_s(attempts: int, result: SendResult, cfg: AlertsConfig) -> float:
    """Delay before the next attempt: ``retry_after`` when given, else exponential."""
    if result.retry_after is not None:
        return float(min(result.retry_after, RETRY_AFTER_MAX_S))
    return float(min(cfg.backoff_base_s * 2 ** max(0, attempts - 1), cfg.backoff_max_s))


async def record_attempts(db: Database, cfg: AlertsConfig, results: list[tuple[Any, SendResult]],
                          now: datetime) -> None:
    """Record each attempt and move each delivery on (sent, retry later, or failed)."""
    now_s = to_iso(now)
    async with db.transaction() as tx:
        for row, res in results:
            attempts = int(row["attempts"]) + 1
            await tx.execute(
                "INSERT INTO alert_attempt(delivery_id, at, ok, http_status, error)"
                " VALUES (?, ?, ?, ?, ?)", (row["id"], now_s, int(res.ok), res.status, res.error))
            if res.ok:
                status, next_at = "sent", now_s
            elif res.permanent or attempts >= cfg.max_attempts:
                status, next_at = "failed", now_s
            else:
                status = "pending"
                next_at = to_iso(now + timedelta(seconds=backoff_s(attempts, res, cfg)))
            await tx.execute(
                "UPDATE alert_delivery SET status = ?, attempts = ?, parts_sent = ?,"
                " next_attempt_at = ?, last_error = ?, sent_at = CASE WHEN ? THEN ? END"
                " WHERE id = ?",
                (status, attempts, max(res.parts_sent, int(row["parts_sent"])), next_at,
                 res.error, res.ok, now_s, row["id"]))


async def delivery_log(db: Database, zone_path: str = "/", *, limit: int = 100,
                       status: str | None = None) -> list[dict[str, Any]]:
    """The latest deliveries with attempts and last error, in a zone subtree (admins' view).

    System-wide deliveries (watchdog, chain checks; zone 0) are shown in every subtree.
    """
    scope, scope_params = in_scope("z.path", zone_path)
    where = [f"(d.zone_id = 0 OR {scope})"]
    params: list[Any] = [*scope_params]
    if status:
        where.append("d.status = ?")
        params.append(status)
    rows = await db.fetchall(
        "SELECT d.id, d.idem_key, d.group_key, d.channel, d.subject, d.status, d.attempts,"
        " d.last_error, d.created_at, d.sent_at, d.next_attempt_at FROM alert_delivery d"
        f" LEFT JOIN zone z ON z.id = d.zone_id WHERE {' AND '.join(where)}"
        " ORDER BY d.id DESC LIMIT ?", [*params, limit])
    return [dict(r) for r in rows]


async def counts(db: Database) -> dict[str, int]:
    """Deliveries by status (for metrics)."""
    return {r["status"]: int(r["n"]) for r in await db.fetchall(
        "SELECT status, COUNT(*) AS n FROM alert_delivery GROUP BY status")}
