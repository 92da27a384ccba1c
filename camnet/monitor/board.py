"""The status board at province scale: counts per zone, problems first, keyset pages, deltas.

A province holds tens of thousands of cameras, so the board never loads them all:

- :func:`zone_counts` counts cameras by status for the zone being looked at and for each of
  its child zones (the drill-down);
- :func:`board_page` lists cameras problems first — down, degraded, unknown, maintenance,
  up — then by camera id, one keyset page at a time (cursor ``status:id``), optionally
  filtered by status (``problems`` = down + degraded) and a search text;
- :func:`board_changes` returns the cameras whose status changed after a cursor (the id of
  the last ``status_change`` row seen), so an open board updates itself with a small JSON
  delta instead of reloading.

Every query is limited to the caller's zone subtree with :func:`camnet.auth.scope.in_scope`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.db import Database
from camnet.errors import InvalidInput, NotFound
from camnet.monitor.maintenance import covering_now
from camnet.monitor.queries import BoardCamera
from camnet.paging import KeysetPage, cached_rows, like_pattern
from camnet.registry.zones import get_zone_row

#: Board order: problems first.
RANK: tuple[str, ...] = ("down", "degraded", "unknown", "maintenance", "up")
#: What the ``status`` filter accepts: one status, or ``problems`` (down and degraded).
FILTERS: dict[str, tuple[str, ...]] = {"problems": ("down", "degraded"),
                                       **{s: (s,) for s in RANK}}
#: More changed cameras than this since the cursor: the client reloads instead.
MAX_DELTA = 500

_COLUMNS = (
    "c.id, c.name, c.enabled, p.name AS point_name, p.address, z.code AS zone_code,"
    " z.name AS zone_name, COALESCE(s.status, 'unknown') AS status, s.since, s.cause,"
    " s.health, s.last_probe_at, s.last_rtsp_code, s.tier2_cause, c.rtsp_url != '' AS monitored,"
    " (SELECT taken_at FROM snapshot n WHERE n.camera_id = c.id) AS snapshot_at"
)
_FROM = (" FROM camera c JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
         " LEFT JOIN camera_status s ON s.camera_id = c.id")


@dataclass(frozen=True)
class ZoneCount:
    """Cameras by status in one zone's subtree."""

    code: str
    name: str
    level: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All cameras of the subtree."""
        return sum(self.counts.values())

    @property
    def problems(self) -> int:
        """Cameras down or degraded."""
        return self.counts.get("down", 0) + self.counts.get("degraded", 0)

    def as_dict(self) -> dict[str, object]:
        """Plain form for JSON."""
        return {"code": self.code, "name": self.name, "level": self.level, "total": self.total,
                "problems": self.problems, "counts": {s: self.counts.get(s, 0) for s in RANK}}


@dataclass(frozen=True)
class BoardView:
    """Where the board looks: a zone of the caller's scope, a status filter and a search."""

    zone_id: int
    zone_code: str
    zone_name: str
    zone_level: str
    zone_path: str
    parent_code: str | None
    status: str | None = None
    q: str = ""


async def resolve_view(db: Database, actor: Principal, *, zone_code: str | None,
                       status: str | None, q: str | None) -> BoardView:
    """Check the board's parameters: the zone (default: the caller's), status filter, search.

    Raises:
        NotFound: the zone does not exist or lies outside the caller's scope.
        InvalidInput: an unknown status filter.
    """
    actor.require("monitor.read")
    if status is not None and status not in FILTERS:
        raise InvalidInput(f"status must be one of {', '.join(FILTERS)}", "status")
    row: sqlite3.Row | None
    if zone_code:
        row = await get_zone_row(db, actor, code=zone_code, field="zone")
    else:
        row = await db.fetchone("SELECT id, code, name, level, path, parent_id FROM zone"
                                " WHERE path = ?", (actor.zone_path,))
    if row is None:  # the caller's own zone vanished: nothing to show
        raise InvalidInput("your zone does not exist", "zone")
    parent_code = None
    if row["parent_id"] is not None:
        try:  # the parent is shown only inside the caller's scope
            parent_code = (await get_zone_row(db, actor, zone_id=row["parent_id"]))["code"]
        except NotFound:
            parent_code = None
    return BoardView(row["id"], row["code"], row["name"], row["level"], row["path"], parent_code,
                     status, (q or "").strip())


def _filters(view: BoardView) -> tuple[str, list[Any]]:
    scope, params = in_scope("z.path", view.zone_path)
    where, out = [scope], list(params)
    if view.q:
        pattern = like_pattern(view.q)
        where.append("(c.name LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\'"
                     " OR p.address LIKE ? ESCAPE '\\' OR z.name LIKE ? ESCAPE '\\'"
                     " OR z.code LIKE ? ESCAPE '\\')")
        out += [pattern] * 5
    return " AND ".join(where), out


async def zone_counts(db: Database, view: BoardView) -> tuple[ZoneCount, list[ZoneCount]]:
    """Counts by status of the viewed zone and of each child zone (search applied, not status).

    Returns:
        ``(whole, children)``: the viewed zone's subtree, then each child zone's subtree in
        code order (problems are what the page sorts by).
    """
    where, params = _filters(view)
    rows = await cached_rows(  # every open board asks after each cycle: count once per change
        db, f"SELECT z.path, COALESCE(s.status, 'unknown') AS status, COUNT(*) AS n{_FROM}"  # noqa: S608
        f" WHERE {where} GROUP BY z.path, COALESCE(s.status, 'unknown')", params)
    children = await db.fetchall(
        "SELECT code, name, level, path FROM zone WHERE parent_id = ? ORDER BY code",
        (view.zone_id,))
    by_path = {c["path"]: ZoneCount(c["code"], c["name"], c["level"], {}) for c in children}
    whole = ZoneCount(view.zone_code, view.zone_name, view.zone_level, {})
    depth = len(view.zone_path)
    for r in rows:
        status, n, path = r["status"], int(r["n"]), r["path"]
        whole.counts[status] = whole.counts.get(status, 0) + n
        rest = path[depth:]
        if rest:
            child = by_path.get(view.zone_path + rest.split("/", 1)[0] + "/")
            if child is not None:
                child.counts[status] = child.counts.get(status, 0) + n
    return whole, list(by_path.values())


def parse_cursor(after: str | None) -> tuple[int, int]:
    """``status:id`` → (rank, id); ``None`` → the start of the list.

    Raises:
        InvalidInput: a cursor this module did not write.
    """
    if not after:
        return 0, 0
    status, _, ident = after.partition(":")
    if status not in RANK or not ident.isascii() or not ident.isdigit() or len(ident) > 19:
        raise InvalidInput("after: not a board cursor (status:id)", "after")
    return RANK.index(status), int(ident)


async def board_page(db: Database, view: BoardView, *, after: str | None, per_page: int
                     ) -> tuple[list[BoardCamera], KeysetPage]:
    """One page of the board: problems first, then by camera id, after the cursor.

    Each status is read as its own indexed range (``camera_status(status)``), so a page costs
    the same on page 1 and page 1000.
    """
    rank, last_id = parse_cursor(after)
    wanted = FILTERS[view.status] if view.status else RANK
    where, params = _filters(view)
    rows: list[sqlite3.Row] = []
    if view.q:  # a search matches few cameras: one scan, sorted by rank
        order = ("CASE COALESCE(s.status, 'unknown')"
                 + "".join(f" WHEN '{s}' THEN {i}" for i, s in enumerate(RANK)) + " ELSE 9 END")
        marks = ",".join("?" * len(wanted))
        rows = await db.fetchall(
            f"SELECT {_COLUMNS}{_FROM} WHERE {where}"  # noqa: S608
            f" AND COALESCE(s.status, 'unknown') IN ({marks})"
            f" AND ({order} > ? OR ({order} = ? AND c.id > ?)) ORDER BY {order}, c.id LIMIT ?",
            (*params, *wanted, rank, rank, last_id, per_page + 1))
    for status in RANK[rank:] if not view.q else ():
        if status not in wanted:
            continue
        need = per_page + 1 - len(rows)
        if need <= 0:
            break
        match = ("(s.status IS NULL OR s.status = 'unknown')" if status == "unknown"
                 else "s.status = ?")
        status_params = [] if status == "unknown" else [status]
        start = last_id if RANK.index(status) == rank else 0
        rows += await db.fetchall(
            f"SELECT {_COLUMNS}{_FROM} WHERE {match} AND c.id > ? AND {where}"  # noqa: S608
            " ORDER BY c.id LIMIT ?", (*status_params, start, *params, need))
    more = len(rows) > per_page
    rows = rows[:per_page]
    cursor = f"{rows[-1]['status']}:{rows[-1]['id']}" if more and rows else None
    return await to_cameras(db, rows), KeysetPage(per_page=per_page, after=after, next=cursor)


async def change_cursor(db: Database) -> int:
    """The newest ``status_change`` id: a delta asks for what came after it."""
    return int(await db.fetchval("SELECT COALESCE(MAX(id), 0) FROM status_change") or 0)


async def board_changes(db: Database, view: BoardView, *, since: int
                        ) -> tuple[list[BoardCamera], int, bool]:
    """Cameras of the view whose status changed after cursor ``since``.

    Returns:
        ``(cameras, cursor, reload)``: the changed cameras (status filter not applied, so a
        client can drop cards that left its filter), the cursor to ask with next time, and
        ``True`` when more than :data:`MAX_DELTA` cameras changed (reload the page instead).
    """
    cursor = await change_cursor(db)
    if since >= cursor:
        return [], cursor, False
    changed = await db.fetchall(
        "SELECT DISTINCT camera_id FROM status_change WHERE id > ? AND id <= ? LIMIT ?",
        (since, cursor, MAX_DELTA + 1))
    if len(changed) > MAX_DELTA:
        return [], cursor, True
    ids = [r["camera_id"] for r in changed]
    if not ids:
        return [], cursor, False
    where, params = _filters(view)
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(
        f"SELECT {_COLUMNS}{_FROM} WHERE c.id IN ({marks}) AND {where} ORDER BY c.id",  # noqa: S608
        (*ids, *params))
    return await to_cameras(db, rows), cursor, False


async def to_cameras(db: Database, rows: list[sqlite3.Row]) -> list[BoardCamera]:
    """Board rows into :class:`BoardCamera` with the covering maintenance window, if any."""
    covering = await covering_now(db, [r["id"] for r in rows if r["status"] == "maintenance"])
    return [BoardCamera(r["id"], r["name"], bool(r["enabled"]), r["point_name"], r["address"],
                        r["zone_code"], r["zone_name"], r["status"], r["since"], r["cause"],
                        r["health"], r["last_probe_at"], r["snapshot_at"],
                        r["status"] == "up" and r["last_rtsp_code"] == 503,
                        covering[r["id"]].reason if r["id"] in covering else None,
                        covering[r["id"]].until if r["id"] in covering else None,
                        r["tier2_cause"], bool(r["monitored"]))
            for r in rows]


def camera_dict(c: BoardCamera) -> dict[str, object]:
    """Plain form of a board camera for JSON."""
    return {"id": c.id, "name": c.name, "enabled": c.enabled, "point_name": c.point_name,
            "address": c.address, "zone_code": c.zone_code, "zone_name": c.zone_name,
            "status": c.status, "since": c.since, "cause": c.cause, "health": c.health,
            "last_probe_at": c.last_probe_at, "snapshot_at": c.snapshot_at, "busy": c.busy,
            "maintenance_reason": c.maintenance_reason,
            "maintenance_until": c.maintenance_until, "tier2_cause": c.tier2_cause,
            "monitored": c.monitored}


async def down_counts(db: Database, actor: Principal, *, down_before: str) -> tuple[int, int]:
    """Cameras down in the caller's scope: ``(all, down since before down_before)``.

    Reads the ``down`` range of the ``camera_status(status)`` index, never every camera.
    """
    actor.require("monitor.read")
    scope, params = in_scope("z.path", actor.zone_path)
    row = await db.fetchone(
        "SELECT COUNT(*) AS n, COALESCE(SUM(s.since <= ?), 0) AS old FROM camera_status s"
        " JOIN camera c ON c.id = s.camera_id JOIN camera_point p ON p.id = c.point_id"
        f" JOIN zone z ON z.id = p.zone_id WHERE s.status = 'down' AND {scope}",  # noqa: S608
        (down_before, *params))
    return (int(row["n"]), int(row["old"])) if row is not None else (0, 0)
