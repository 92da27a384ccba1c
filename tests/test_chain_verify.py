"""The streamed chain verify (SQL-built canonical text) agrees with :func:`chain.canonical`."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from camnet import chain

COLUMNS = ("at", "actor", "amount", "note")
OPTIONAL = ("fact", "seq")


def _table(rows: list[dict[str, Any]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT, actor TEXT, amount,"
                 " note TEXT, fact TEXT, seq INTEGER, prev_hash TEXT, hash TEXT)")
    prev = chain.GENESIS
    for row in rows:
        content = {c: row.get(c) for c in COLUMNS}
        content.update({c: row[c] for c in OPTIONAL if row.get(c) is not None})
        digest = chain.link_hash(prev, content)
        conn.execute("INSERT INTO t(at, actor, amount, note, fact, seq, prev_hash, hash)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (*(row.get(c) for c in (*COLUMNS, *OPTIONAL)), prev, digest))
        prev = digest
    return conn


ROWS: list[dict[str, Any]] = [
    {"at": "2026-11-28T01:00:00Z", "actor": "cli", "amount": 1, "note": "plain"},
    {"at": "2026-11-28T01:00:01Z", "actor": "Nguyễn Văn Á", "amount": 0.1,
     "note": 'quote " backslash \\ newline \n tab \t bell \x07 emoji 🚓', "fact": "{}"},
    {"at": "2026-11-28T01:00:02Z", "actor": "x", "amount": 1e20, "note": None, "seq": 3},
    {"at": "2026-11-28T01:00:03Z", "actor": "x", "amount": -2.5e-7, "note": "", "seq": 0,
     "fact": "line\u2028sep"},
    {"at": "2026-11-28T01:00:04Z", "actor": "x", "amount": None, "note": "last"},
]


def test_a_good_chain_verifies_whatever_the_values() -> None:
    report = chain.verify_connection(_table(ROWS), "t", COLUMNS, OPTIONAL)
    assert report == chain.ChainReport(True, len(ROWS), None, None)


@pytest.mark.parametrize(("column", "value"), [("note", "changed"), ("amount", 2),
                                               ("fact", None), ("seq", 4)])
def test_an_edit_is_named(column: str, value: object) -> None:
    conn = _table(ROWS)
    conn.execute(f"UPDATE t SET {column} = ? WHERE id = 4", (value,))  # noqa: S608
    report = chain.verify_connection(conn, "t", COLUMNS, OPTIONAL)
    assert (report.ok, report.first_bad_id, report.rows_checked) == (False, 4, 3)
    assert report.reason is not None and "edited" in report.reason


def test_a_removed_row_breaks_the_link() -> None:
    conn = _table(ROWS)
    conn.execute("DELETE FROM t WHERE id = 2")
    report = chain.verify_connection(conn, "t", COLUMNS, OPTIONAL)
    assert (report.ok, report.first_bad_id) == (False, 3)
    assert report.reason is not None and "prev_hash" in report.reason


def test_an_empty_chain_is_fine() -> None:
    assert chain.verify_connection(_table([]), "t", COLUMNS, OPTIONAL).ok
