"""Append-only, hash-chained tables: one implementation for custody events and the audit log.

Each row stores ``prev_hash`` (the ``hash`` of the row before it, or 64 zeros for the first
row) and ``hash = sha256(prev_hash + LF + canonical(content))``, where ``canonical`` is the
row's content columns as compact JSON with sorted keys. Changing, deleting or inserting a row
anywhere breaks the link at that row, and :func:`verify_path` names it.

SQLite triggers refuse UPDATE and DELETE on these tables; the hashes catch what the triggers
cannot (someone dropping them, or editing the file by hand).

A table may have *optional* content columns, added after rows were first chained: they are
part of the canonical content only when not NULL, so older rows keep their hashes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

GENESIS = "0" * 64
_VERIFY_BATCH = 20000


def canonical(content: Mapping[str, Any]) -> str:
    """The canonical text of a row's content: compact JSON, sorted keys, UTF-8 kept."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The hash of a row given the hash before it and its content."""
    data = prev_hash + "\n" + canonical(content)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def content_of(row: Mapping[str, Any], columns: Sequence[str], optional: Sequence[str] = ()
               ) -> dict[str, Any]:
    """The hashed content of a stored row: its columns, and its optional ones when not NULL."""
    content = {c: row[c] for c in columns}
    content.update({c: row[c] for c in optional if row[c] is not None})
    return content


def _check_name(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


async def append(
    conn: aiosqlite.Connection, table: str, columns: Sequence[str], content: Mapping[str, Any],
    optional: Sequence[str] = (),
) -> tuple[int, str]:
    """Append one row to a chained table; return its id and hash.

    Call it inside a write transaction (``BEGIN IMMEDIATE``) so no other writer can slip a
    row between reading the last hash and inserting this one. ``content`` holds every column
    of ``columns`` and any of ``optional`` (hashed only when not None).
    """
    table = _check_name(table)
    if not set(columns) <= set(content) <= set(columns) | set(optional):
        raise ValueError(f"content keys {sorted(content)} do not match columns {sorted(columns)}")
    async with conn.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1") as cur:
        last = await cur.fetchone()
    prev = str(last[0]) if last is not None else GENESIS
    columns = [*columns, *(c for c in optional if c in content)]
    digest = link_hash(prev, {c: content[c] for c in columns if content[c] is not None
                              or c not in optional})
    names = ", ".join(_check_name(c) for c in columns)
    marks = ", ".join("?" * (len(columns) + 2))
    cursor = await conn.execute(
        f"INSERT INTO {table}({names}, prev_hash, hash) VALUES ({marks})",
        [content[c] for c in columns] + [prev, digest],
    )
    assert cursor.lastrowid is not None  # noqa: S101 - an INSERT always has one
    return cursor.lastrowid, digest


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of recomputing a chain."""

    ok: bool
    rows_checked: int
    first_bad_id: int | None
    reason: str | None


def verify_connection(conn: sqlite3.Connection, table: str, columns: Sequence[str],
                      optional: Sequence[str] = ()) -> ChainReport:
    """Recompute a chain on a blocking sqlite3 connection (run it in an executor).

    Streamed in big batches of raw tuples: SQLite builds each row's canonical text
    (:func:`_canonical_sql`) and Python only hashes it, so no dict or JSON encoder runs
    per row. A row whose SQL-built text does not hash right (an edit, or a value SQLite
    writes differently from :func:`canonical`, e.g. some floats) is rechecked the exact
    Python way before it is reported, so the result is the same as :func:`canonical` gives.
    """
    table = _check_name(table)
    expr = _canonical_sql(columns, optional)
    if expr is None:
        return _verify_python(conn, table, columns, optional, 0)
    try:
        cur = conn.execute(f"SELECT id, prev_hash, hash, {expr} FROM {table} ORDER BY id")  # noqa: S608
    except sqlite3.OperationalError:  # pragma: no cover - SQLite without JSON functions
        return _verify_python(conn, table, columns, optional, 0)
    expected_prev = GENESIS
    checked = 0
    sha256 = hashlib.sha256
    while rows := cur.fetchmany(_VERIFY_BATCH):
        for row_id, prev, stored, text in rows:
            if prev != expected_prev:
                return ChainReport(False, checked, row_id, _BROKEN_LINK)
            if (text is None or sha256((prev + "\n" + text).encode("utf-8")).hexdigest() != stored
                    and not _row_matches(conn, table, columns, optional, row_id)):
                return ChainReport(False, checked, row_id, _EDITED)
            expected_prev = stored
            checked += 1
    return ChainReport(True, checked, None, None)


_BROKEN_LINK = ("prev_hash does not match the hash of the row before it "
                "(a row was changed, removed or inserted before this one)")
_EDITED = "the row's content does not match its hash (it was edited)"


def _canonical_sql(columns: Sequence[str], optional: Sequence[str]) -> str | None:
    """An SQL expression giving a row's canonical text, or None if it cannot be built.

    Keys in sorted order, ``json_quote`` for each value, optional keys only when not NULL;
    it needs the first key (in sorted order) to be a plain column, to place the commas.
    """
    names = sorted([*columns, *optional])
    if not names or names[0] in optional:
        return None
    parts = []
    for i, name in enumerate(names):
        _check_name(name)
        piece = f"'{',' if i else ''}\"{name}\":' || json_quote({name})"
        parts.append(f"CASE WHEN {name} IS NULL THEN '' ELSE {piece} END"
                     if name in optional else piece)
    return "'{' || " + " || ".join(parts) + " || '}'"


def _row_matches(conn: sqlite3.Connection, table: str, columns: Sequence[str],
                 optional: Sequence[str], row_id: int) -> bool:
    """Recheck one row the exact Python way (:func:`canonical`)."""
    report = _verify_python(conn, table, columns, optional, row_id, single=True)
    return report.ok


def _verify_python(conn: sqlite3.Connection, table: str, columns: Sequence[str],
                   optional: Sequence[str], from_id: int, *, single: bool = False
                   ) -> ChainReport:
    """The reference check with :func:`canonical`.

    ``single`` checks only row ``from_id`` (its own hash, not its link).
    """
    cols = [*columns, *optional]
    names = ", ".join(_check_name(c) for c in cols)
    if single:
        cur = conn.execute(f"SELECT id, {names}, prev_hash, hash FROM {table} WHERE id = ?",  # noqa: S608
                           (from_id,))
    else:
        cur = conn.execute(f"SELECT id, {names}, prev_hash, hash FROM {table} ORDER BY id")  # noqa: S608
    expected_prev = GENESIS
    checked = 0
    width = len(cols)
    first_optional = len(columns)
    sha256 = hashlib.sha256
    dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
    while rows := cur.fetchmany(_VERIFY_BATCH):
        for row in rows:
            row_id = row[0]
            prev, stored = row[width + 1], row[width + 2]
            if not single and prev != expected_prev:
                return ChainReport(False, checked, row_id, _BROKEN_LINK)
            content = dict(zip(cols, row[1:width + 1], strict=True))
            if optional:
                for name, value in zip(cols[first_optional:], row[first_optional + 1:width + 1],
                                       strict=True):
                    if value is None:
                        del content[name]
            digest = sha256((prev + "\n" + dumps(content)).encode("utf-8")).hexdigest()
            if digest != stored:
                return ChainReport(False, checked, row_id, _EDITED)
            expected_prev = stored
            checked += 1
    return ChainReport(True, checked, None, None)


def verify_file(db_path: Path, table: str, columns: Sequence[str],
                optional: Sequence[str] = ()) -> ChainReport:
    """Blocking: open the database read-only and recompute one chain."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return verify_connection(conn, table, columns, optional)
    finally:
        conn.close()


async def verify_path(db_path: Path, table: str, columns: Sequence[str],
                      optional: Sequence[str] = ()) -> ChainReport:
    """Recompute a chain in a worker thread, never blocking the event loop."""
    return await asyncio.to_thread(verify_file, db_path, table, columns, optional)
