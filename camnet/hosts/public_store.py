"""Owner of ``public_status_page`` and ``public_status_notice``: which zones publish, and notices.

A commander (or admin) turns a commune's page on or off (``status_page.publish``); a hamlet
may have its own page on opt-in. Officers of the zone write notices ("mất điện khu vực
thôn Mỹ Lợi, đang khắc phục") with a start and an optional end (``registry.write``). Every
change is audited. The public lookups take no principal and return only enabled pages.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database, Transaction
from camnet.errors import InvalidInput
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso, parse_iso, to_iso, utcnow
from camnet.validation import in_era, multi_line

PAGE_LEVELS = ("commune", "hamlet")
MAX_NOTICE_CHARS = 500


@dataclass(frozen=True)
class PublicPage:
    """A zone's public page setting."""

    zone_id: int
    zone_code: str
    zone_name: str
    level: str
    path: str
    enabled: bool
    changed_by: str
    changed_at: str

    def as_dict(self) -> dict[str, object]:
        """Plain form for the (logged-in) API."""
        return {"zone_code": self.zone_code, "zone_name": self.zone_name, "level": self.level,
                "enabled": self.enabled, "public_path": f"/trang-thai/{self.zone_code}",
                "changed_by": self.changed_by, "changed_at": self.changed_at}


@dataclass(frozen=True)
class Notice:
    """An officer-written notice on a zone's public page."""

    id: int
    zone_code: str
    text: str
    starts_at: str
    ends_at: str | None
    created_by: str
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, object]:
        """Plain form for the (logged-in) API."""
        return {"id": self.id, "zone_code": self.zone_code, "text": self.text,
                "starts_at": self.starts_at, "ends_at": self.ends_at,
                "created_by": self.created_by, "created_at": self.created_at,
                "updated_at": self.updated_at}


_PAGE_SELECT = ("SELECT z.id AS zone_id, z.code, z.name, z.level, z.path,"
                " COALESCE(s.enabled, 0) AS enabled, COALESCE(s.changed_by, '') AS changed_by,"
                " COALESCE(s.changed_at, '') AS changed_at"
                " FROM zone z LEFT JOIN public_status_page s ON s.zone_id = z.id")
_NOTICE_SELECT = ("SELECT n.id, z.code AS zone_code, z.path AS zone_path, n.text, n.starts_at,"
                  " n.ends_at, n.created_by, n.created_at, n.updated_at"
                  " FROM public_status_notice n JOIN zone z ON z.id = n.zone_id")


def _page(row: sqlite3.Row) -> PublicPage:
    return PublicPage(row["zone_id"], row["code"], row["name"], row["level"], row["path"],
                      bool(row["enabled"]), row["changed_by"], row["changed_at"])


def _notice(row: sqlite3.Row) -> Notice:
    return Notice(row["id"], row["zone_code"], row["text"], row["starts_at"], row["ends_at"],
                  row["created_by"], row["created_at"], row["updated_at"])


async def _page_zone(db: Database | Transaction, actor: Principal, zone_code: str
                     ) -> sqlite3.Row:
    zone = await get_zone_row(db, actor, code=zone_code, field="zone")
    if zone["level"] not in PAGE_LEVELS:
        raise InvalidInput(f"a public status page belongs to a commune or a hamlet, not a "
                           f"{zone['level']}", "zone")
    return zone


async def enabled_page(db: Database, zone_code: str) -> PublicPage | None:
    """The enabled public page of ``zone_code``, or ``None`` (unknown and disabled alike)."""
    row = await db.fetchone(f"{_PAGE_SELECT} WHERE z.code = ? AND s.enabled = 1", (zone_code,))
    return _page(row) if row is not None else None


async def enabled_pages(db: Database) -> list[PublicPage]:
    """Every enabled page (for the service's own cache warm-up; nothing here is shown)."""
    rows = await db.fetchall(f"{_PAGE_SELECT} WHERE s.enabled = 1 ORDER BY z.path")
    return [_page(r) for r in rows]


async def list_pages(db: Database, actor: Principal) -> list[PublicPage]:
    """Every commune and hamlet in the caller's scope with its page setting."""
    actor.require("registry.read")
    scope, params = in_scope("z.path", actor.zone_path)
    rows = await db.fetchall(
        f"{_PAGE_SELECT} WHERE {scope} AND z.level IN ('commune', 'hamlet') ORDER BY z.path",
        params)
    return [_page(r) for r in rows]


async def set_enabled(db: Database, actor: Principal, zone_code: str, enabled: bool
                      ) -> PublicPage:
    """Turn a commune's (or hamlet's) public page on or off; audited.

    Raises:
        Forbidden: the caller may not publish (only commanders and admins may).
        NotFound: no such zone in the caller's scope.
        InvalidInput: the zone is not a commune or a hamlet.
    """
    actor.require("status_page.publish")
    async with db.transaction() as tx:
        zone = await _page_zone(tx, actor, zone_code)
        before = await tx.fetchone("SELECT enabled FROM public_status_page WHERE zone_id = ?",
                                   (zone["id"],))
        await tx.execute(
            "INSERT INTO public_status_page(zone_id, enabled, changed_by, changed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(zone_id) DO UPDATE SET enabled = excluded.enabled,"
            " changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            (zone["id"], int(enabled), actor.username, now_iso()))
        await audit.record(tx, actor, "enable" if enabled else "disable", "public_status_page",
                           zone["id"], {"enabled": bool(before["enabled"])} if before else None,
                           {"enabled": enabled, "zone_code": zone_code})
        row = await tx.fetchone(f"{_PAGE_SELECT} WHERE z.id = ?", (zone["id"],))
    assert row is not None  # noqa: S101 - just written
    return _page(row)


def _notice_times(starts_at: str | None, ends_at: str | None) -> tuple[str, str | None]:
    try:
        start = in_era(parse_iso(starts_at)) if starts_at else utcnow()
    except ValueError as exc:
        raise InvalidInput(f"starts_at: not a time 2000-2100 in ISO-8601: {exc}",
                           "starts_at") from exc
    end: datetime | None = None
    if ends_at:
        try:
            end = in_era(parse_iso(ends_at))
        except ValueError as exc:
            raise InvalidInput(f"ends_at (--until): not a time 2000-2100 in ISO-8601: {exc}",
                               "ends_at") from exc
        if end <= start:
            raise InvalidInput("a notice must end after it starts", "ends_at")
    return to_iso(start), to_iso(end) if end else None


def _notice_text(text: str) -> str:
    try:
        clean = multi_line(text).strip()
    except ValueError as exc:
        raise InvalidInput(f"text: {exc}", "text") from exc
    if not clean:
        raise InvalidInput("write the notice's text", "text")
    if len(clean) > MAX_NOTICE_CHARS:
        raise InvalidInput(f"text: at most {MAX_NOTICE_CHARS} characters", "text")
    return clean


async def add_notice(db: Database, actor: Principal, zone_code: str, text: str,
                     starts_at: str | None = None, ends_at: str | None = None) -> Notice:
    """Add a notice to a zone's public page (shown while the page is enabled); audited.

    Args:
        db: the database.
        actor: an officer, commander or admin of the zone.
        zone_code: a commune or hamlet in the caller's scope.
        text: what the public reads; write no names, phones or addresses.
        starts_at: ISO-8601 (local time without offset); default now.
        ends_at: ISO-8601 or ``None`` (until someone ends it).
    """
    actor.require("registry.write")
    clean = _notice_text(text)
    start, end = _notice_times(starts_at, ends_at)
    now = now_iso()
    async with db.transaction() as tx:
        zone = await _page_zone(tx, actor, zone_code)
        notice_id = await tx.execute(
            "INSERT INTO public_status_notice(zone_id, text, starts_at, ends_at, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (zone["id"], clean, start, end, actor.username, now, now))
        await audit.record(tx, actor, "create", "public_status_notice", notice_id, None,
                           {"zone_code": zone_code, "text": clean, "starts_at": start,
                            "ends_at": end})
        row = await tx.fetchone(f"{_NOTICE_SELECT} WHERE n.id = ?", (notice_id,))
    assert row is not None  # noqa: S101 - just inserted
    return _notice(row)


async def _notice_in_scope(db: Database | Transaction, actor: Principal, notice_id: int
                           ) -> sqlite3.Row:
    return await fetch_in_scope(db, actor, f"{_NOTICE_SELECT} WHERE n.id = ?", (notice_id,),
                                what=f"notice {notice_id}", field="notice")


async def update_notice(db: Database, actor: Principal, notice_id: int, *,
                        text: str | None = None, starts_at: str | None = None,
                        ends_at: str | None = None, end_now: bool = False) -> Notice:
    """Change a notice's text or times, or end it now (``end_now``); audited."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        before = await _notice_in_scope(tx, actor, notice_id)
        clean = _notice_text(text) if text is not None else before["text"]
        if end_now:
            ends_at = now_iso()
            starts_at = min(before["starts_at"], ends_at)
        start, end = _notice_times(starts_at or before["starts_at"],
                                   ends_at if ends_at is not None else before["ends_at"])
        await tx.execute("UPDATE public_status_notice SET text = ?, starts_at = ?, ends_at = ?,"
                         " updated_at = ? WHERE id = ?", (clean, start, end, now_iso(), notice_id))
        await audit.record(tx, actor, "update", "public_status_notice", notice_id,
                           {"text": before["text"], "starts_at": before["starts_at"],
                            "ends_at": before["ends_at"]},
                           {"text": clean, "starts_at": start, "ends_at": end})
        row = await tx.fetchone(f"{_NOTICE_SELECT} WHERE n.id = ?", (notice_id,))
    assert row is not None  # noqa: S101
    return _notice(row)


async def delete_notice(db: Database, actor: Principal, notice_id: int) -> None:
    """Delete a notice (use :func:`update_notice` ``end_now`` to keep it as history); audited."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        before = await _notice_in_scope(tx, actor, notice_id)
        await tx.execute("DELETE FROM public_status_notice WHERE id = ?", (notice_id,))
        await audit.record(tx, actor, "delete", "public_status_notice", notice_id,
                           {"zone_code": before["zone_code"], "text": before["text"]}, None)


async def list_notices(db: Database, actor: Principal, zone_code: str) -> list[Notice]:
    """Every notice of a zone in the caller's scope, newest first."""
    actor.require("registry.read")
    zone = await _page_zone(db, actor, zone_code)
    rows = await db.fetchall(f"{_NOTICE_SELECT} WHERE n.zone_id = ? ORDER BY n.starts_at DESC,"
                             " n.id DESC", (zone["id"],))
    return [_notice(r) for r in rows]


async def public_notices(db: Database, zone_id: int, now: datetime, recent_days: int
                         ) -> list[Notice]:
    """Notices the public sees: running, coming, or ended within ``recent_days``; newest first."""
    since = to_iso(now - timedelta(days=recent_days))
    rows = await db.fetchall(
        f"{_NOTICE_SELECT} WHERE n.zone_id = ? AND (n.ends_at IS NULL OR n.ends_at > ?)"
        " ORDER BY n.starts_at DESC, n.id DESC LIMIT 50", (zone_id, since))
    return [_notice(r) for r in rows]
