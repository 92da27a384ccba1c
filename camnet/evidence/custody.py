"""The custody chain's rows and the facts it carries.

``custody_event`` is hash-chained (:mod:`camnet.chain`). Since migration 0030 every row
names its request, a per-request sequence number (``req_seq``, 1, 2, 3, … with no gap) and
the hash of the request's previous row (``req_prev_hash``), so a request's rows form their
own chain inside the global one; rows that state a fact carry it as canonical JSON in
``fact``:

- ``acquired`` (item): ``{"filename", "size", "sha256", "stored", "camera_id"}``;
- ``request_created`` / ``request_status`` (request): ``{"from", "to", "reason"}``;
- ``package_built`` / ``package_downloaded`` (request): ``{"purpose", "sha256"}``.

Verification re-derives each request's status and each item's hash, size and name from the
chain (:func:`derive`) and flags any table row that disagrees (:func:`disagreements`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from camnet import chain
from camnet.db import Transaction
from camnet.timeutil import now_iso

CUSTODY_TABLE = "custody_event"
CUSTODY_COLUMNS = ("item_id", "at", "actor", "action", "from_holder", "to_holder", "note")
CUSTODY_OPTIONAL = ("request_id", "req_seq", "req_prev_hash", "fact")
ITEM_FACT_KEYS = ("filename", "size", "sha256")
# actions allowed on an item once its request is handed over (each needs a reason)
AFTER_HANDOVER = ("returned", "re_verified", "destroyed")


async def append_event(tx: Transaction, actor: str, *, request_id: int, action: str,
                       item_id: int | None = None, from_holder: str = "", to_holder: str = "",
                       note: str = "", fact: Mapping[str, Any] | None = None) -> int:
    """Append one custody row with the request's next sequence number; return its id.

    Call it inside the caller's write transaction.
    """
    last = await tx.fetchone(
        "SELECT req_seq, hash FROM custody_event WHERE request_id = ?"
        " ORDER BY req_seq DESC LIMIT 1", (request_id,))
    seq, req_prev = (int(last["req_seq"]) + 1, str(last["hash"])) if last else (1, chain.GENESIS)
    content = {"item_id": item_id, "at": now_iso(), "actor": actor, "action": action,
               "from_holder": from_holder, "to_holder": to_holder, "note": note,
               "request_id": request_id, "req_seq": seq, "req_prev_hash": req_prev,
               "fact": chain.canonical(fact) if fact is not None else None}
    event_id, _ = await chain.append(tx.connection, CUSTODY_TABLE, CUSTODY_COLUMNS, content,
                                     CUSTODY_OPTIONAL)
    return event_id


@dataclass(frozen=True, slots=True)
class Derived:
    """What the chain says: each request's status, each item's facts, sequence problems."""

    statuses: dict[int, str] = field(default_factory=dict)
    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def derive(events: Iterable[Mapping[str, Any]]) -> Derived:
    """Re-derive request statuses and item facts from custody rows in chain order.

    Rows from before migration 0030 (no ``request_id``) carry no facts and are skipped.
    """
    out = Derived()
    last_seq: dict[int, int] = {}
    last_hash: dict[int, str] = {}
    for ev in events:
        request_id = ev["request_id"]
        if request_id is None:
            continue
        expected = last_seq.get(request_id, 0) + 1
        if ev["req_seq"] != expected:
            out.problems.append(
                f"request {request_id}: custody row {ev['id']} has sequence {ev['req_seq']}, "
                f"expected {expected} (a row of this request is missing)")
        last_seq[request_id] = ev["req_seq"]
        if ev["req_prev_hash"] != last_hash.get(request_id, chain.GENESIS):
            out.problems.append(
                f"request {request_id}: custody row {ev['id']} does not link to the request's "
                "previous row (a row of this request was removed or changed)")
        last_hash[request_id] = ev["hash"]
        fact = json.loads(ev["fact"]) if ev["fact"] else None
        if fact is None:
            continue
        if ev["action"] in ("request_created", "request_status"):
            current = out.statuses.get(request_id, "draft")
            if ev["action"] == "request_status" and fact.get("from") != current:
                out.problems.append(
                    f"request {request_id}: custody row {ev['id']} moves it from "
                    f"{fact.get('from')!r} but the chain had it {current!r}")
            out.statuses[request_id] = str(fact.get("to", current))
        elif ev["action"] == "acquired" and ev["item_id"] is not None:
            out.items[int(ev["item_id"])] = {**fact, "request_id": request_id}
    return out


def disagreements(derived: Derived, requests: Iterable[sqlite3.Row | Mapping[str, Any]],
                  items: Iterable[sqlite3.Row | Mapping[str, Any]]) -> list[str]:
    """Table rows that disagree with the chain (status rewritten, file hash swapped, …)."""
    found: list[str] = []
    for req in requests:
        chained = derived.statuses.get(int(req["id"]))
        if chained is not None and chained != req["status"]:
            found.append(f"request {req['id']}: the table says {req['status']!r}, the custody "
                         f"chain says {chained!r}")
    for item in items:
        facts = derived.items.get(int(item["id"]))
        if facts is None:
            continue
        for key in ITEM_FACT_KEYS:
            if str(facts.get(key)) != str(item[key]):
                found.append(f"evidence item {item['id']}: {key} is {item[key]!r} in the table "
                             f"but {facts.get(key)!r} in the custody chain")
        if facts.get("request_id") != item["request_id"]:
            found.append(f"evidence item {item['id']}: moved to request {item['request_id']}, "
                         f"the chain has it in request {facts.get('request_id')}")
    return found


def check_facts(conn: sqlite3.Connection) -> list[str]:
    """Blocking: derive from the whole custody chain and compare with the tables."""
    conn.row_factory = sqlite3.Row
    events = conn.execute(
        "SELECT id, item_id, action, request_id, req_seq, req_prev_hash, fact, hash"
        " FROM custody_event ORDER BY id")
    derived = derive(events)
    requests = conn.execute("SELECT id, status FROM extraction_request").fetchall()
    items = conn.execute(
        "SELECT id, request_id, filename, size, sha256 FROM evidence_item").fetchall()
    return derived.problems + disagreements(derived, requests, items)
