"""The audit log: every write through the API or CLI, and reads of personal data.

Rows are appended to ``audit_log`` with the same hash chain as custody events
(:mod:`camnet.chain`): one implementation, two tables. Values are masked first: no password,
no encrypted secret, no credentials in URLs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from camnet import chain
from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.db import Database, Transaction
from camnet.paging import Page, paginate
from camnet.secretstore import mask_values
from camnet.timeutil import now_iso

AUDIT_TABLE = "audit_log"
AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")
def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(mask_values(value), ensure_ascii=False, sort_keys=True, default=str)


async def record(
    tx: Transaction,
    actor: Principal,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    """Append one audit row inside the caller's transaction; return its id."""
    content = {"at": now_iso(), "actor": actor.username, "action": action, "entity": entity,
               "entity_id": entity_id, "before": _json(before), "after": _json(after)}
    row_id, _ = await chain.append(tx.connection, AUDIT_TABLE, AUDIT_COLUMNS, content)
    return row_id


async def record_auth_event(tx: Transaction, username: str, action: str,
                            detail: dict[str, Any] | None = None) -> int:
    """Log an authentication event (login, login_failed, login_locked, logout…), never a password.

    ``username`` is what was typed, which may name no user.
    """
    actor = Principal(user_id=0, username=username[:200] or "?", role="viewer", zone_id=None,
                      zone_path="/")
    return await record(tx, actor, action, "session", None, None, detail)


async def record_personal_read(db: Database, actor: Principal, entity: str, ids: list[int],
                               detail: dict[str, Any] | None = None) -> None:
    """Log that ``actor`` was shown personal data (hosts' names and phones).

    One audit row per read listing the ids (or describing the export in ``detail``);
    nothing is written when no personal data was shown.
    """
    if not ids and not (detail and detail.get("rows")):
        return
    after: dict[str, Any] = {"fields": ["host_name", "host_phone"], "ids": ids, **(detail or {})}
    async with db.transaction() as tx:
        await record(tx, actor, "read_personal", entity, ids[0] if len(ids) == 1 else None,
                     None, after)


async def personal_access_report(db: Database, actor: Principal, *, point_ids: list[int],
                                 request_ids: list[int]) -> list[dict[str, Any]]:
    """Every recorded read of one data subject's personal data (Law 91/2025 Art. 19.2).

    Args:
        db: the database.
        actor: who asks (needs ``users.manage``).
        point_ids: the host's camera points (their name, phone, address were shown).
        request_ids: extraction requests naming those points' cameras (they show the host).

    Returns:
        Audit rows (when, who, what, which ids), oldest first; exports are included.
    """
    actor.require("users.manage")
    rows = await db.fetchall(
        "SELECT a.id, a.at, a.actor, a.entity, a.after FROM audit_log a"
        " WHERE a.action = 'read_personal' AND ("
        "  (a.entity = 'camera_point' AND (json_extract(a.after, '$.export') IS NOT NULL OR EXISTS"
        "   (SELECT 1 FROM json_each(a.after, '$.ids') j WHERE j.value IN"
        "    (SELECT value FROM json_each(?)))))"
        "  OR (a.entity = 'extraction_request' AND EXISTS"
        "   (SELECT 1 FROM json_each(a.after, '$.ids') j WHERE j.value IN"
        "    (SELECT value FROM json_each(?)))))"
        " ORDER BY a.id",
        (json.dumps(point_ids), json.dumps(request_ids)))
    return [{"audit_id": r["id"], "at": r["at"], "actor": r["actor"], "entity": r["entity"],
             "detail": json.loads(r["after"]) if r["after"] else None} for r in rows]


@dataclass(frozen=True)
class AuditFilter:
    """What to look for in the audit log; empty fields match everything.

    Attributes:
        actor: exact user name of who acted.
        action: exact action (``create``, ``set_role``, ``login_failed``…).
        entity: exact kind of object (``user``, ``camera``, ``extraction_request``…).
        entity_id: one object's id.
        since: ISO UTC lower bound of ``at`` (inclusive).
        until: ISO UTC upper bound of ``at`` (exclusive).
    """

    actor: str = ""
    action: str = ""
    entity: str = ""
    entity_id: int | None = None
    since: str = ""
    until: str = ""


async def search_log(db: Database, actor: Principal, wanted: AuditFilter, *, page: int,
                     per_page: int) -> tuple[list[dict[str, Any]], Page]:
    """One page of the audit log, newest first, limited to the caller's scope.

    Rows are in scope when the acting user belongs to the caller's zone subtree; rows by
    no user (the local CLI, log-in attempts with unknown names) are shown only to callers
    bound to a top-level zone.

    Args:
        db: the database.
        actor: who asks (needs ``audit.read``).
        wanted: the filter.
        page: 1-based page number.
        per_page: rows per page.
    """
    actor.require("audit.read")
    scope, scope_params = in_scope("z.path", actor.zone_path)
    top = actor.zone_path.count("/") <= 2
    where = [f"(a.actor IN (SELECT u.username FROM user u JOIN zone z ON z.id = u.zone_id"
             f" WHERE {scope})" + (" OR a.actor NOT IN (SELECT username FROM user))" if top else ")")]
    params: list[Any] = [*scope_params]
    for column, value in (("a.actor", wanted.actor), ("a.action", wanted.action),
                          ("a.entity", wanted.entity)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if wanted.entity_id is not None:
        where.append("a.entity_id = ?")
        params.append(wanted.entity_id)
    if wanted.since:
        where.append("a.at >= ?")
        params.append(wanted.since)
    if wanted.until:
        where.append("a.at < ?")
        params.append(wanted.until)
    clause = " AND ".join(where)
    rows, pager = await paginate(
        db, select_sql=f"SELECT a.* FROM audit_log a WHERE {clause} ORDER BY a.id DESC",  # noqa: S608
        count_sql=f"SELECT COUNT(*) FROM audit_log a WHERE {clause}",  # noqa: S608
        params=params, page=page, per_page=per_page)
    return [dict(r) for r in rows], pager


async def head_hash(db: Database) -> tuple[int, str] | None:
    """The id and hash of the newest audit row (the chain head), or ``None`` when empty."""
    row = await db.fetchone("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    return None if row is None else (int(row["id"]), str(row["hash"]))
