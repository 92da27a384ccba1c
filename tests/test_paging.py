"""paging.py: totals counted once per database change, always exact; cached rows likewise."""

from __future__ import annotations

from pathlib import Path

from camnet.db import Database
from camnet.paging import cached_rows, cached_total, paginate


async def _db(tmp_path: Path) -> Database:
    db = await Database.open(tmp_path / "p.sqlite3")
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        await tx.executemany("INSERT INTO t(v) VALUES (?)", [(str(i),) for i in range(25)])
    return db


async def test_totals_are_exact_after_every_commit(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        seen = []
        for page in (1, 2, 3):
            rows, info = await paginate(db, select_sql="SELECT * FROM t ORDER BY id",
                                        count_sql="SELECT COUNT(*) FROM t", params=(),
                                        page=page, per_page=10)
            seen += [r["id"] for r in rows]
            assert info.total == 25 and info.pages == 3
        assert seen == list(range(1, 26))
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t(v) VALUES ('new')")
        _, info = await paginate(db, select_sql="SELECT * FROM t ORDER BY id",
                                 count_sql="SELECT COUNT(*) FROM t", params=(), page=1, per_page=10)
        assert info.total == 26
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM t WHERE id <= 20")
        assert await cached_total(db, "SELECT COUNT(*) FROM t", ()) == 6
        assert await cached_total(db, "SELECT COUNT(*) FROM t WHERE id > ?", (24,)) == 2
    finally:
        await db.close()


async def test_unchanged_database_is_not_counted_again(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        first = await cached_rows(db, "SELECT COUNT(*) AS n FROM t", ())
        again = await cached_rows(db, "SELECT COUNT(*) AS n FROM t", ())
        assert again is first and first[0]["n"] == 25  # the same answer, not a new query
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t(v) VALUES ('x')")
        fresh = await cached_rows(db, "SELECT COUNT(*) AS n FROM t", ())
        assert fresh is not first and fresh[0]["n"] == 26
    finally:
        await db.close()


async def test_shared_result_computes_once_for_concurrent_callers(tmp_path: Path) -> None:
    import asyncio

    from camnet.paging import shared_result

    db = await _db(tmp_path)
    calls = 0

    async def count() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)  # a slow read: the others must wait for it, not repeat it
        return int(await db.fetchval("SELECT COUNT(*) FROM t") or 0)

    try:
        got = await asyncio.gather(*(shared_result(db, ("n",), count, 60) for _ in range(10)))
        assert got == [25] * 10 and calls == 1
        assert await shared_result(db, ("n",), count, 60) == 25 and calls == 1
        async with db.transaction() as tx:  # a commit: computed again, exact
            await tx.execute("INSERT INTO t(v) VALUES ('x')")
        assert await shared_result(db, ("n",), count, 60) == 26 and calls == 2
        assert await shared_result(db, ("n",), count, 0) == 26 and calls == 3  # aged out
        assert await shared_result(db, ("other",), count, 60) == 26 and calls == 4
    finally:
        await db.close()
