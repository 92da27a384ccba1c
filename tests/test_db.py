"""Store: WAL, foreign keys, migrations from empty, backup before migrating."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from camnet.db import Database, available_migrations


async def test_migrate_from_empty_and_idempotent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    try:
        applied = await db.migrate(tmp_path / "backups")
        assert [m.version for m in applied] == [m.version for m in available_migrations()]
        assert await db.migrate(tmp_path / "backups") == []
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert not (tmp_path / "backups").exists()  # nothing to back up when empty
    finally:
        await db.close()


async def test_backup_before_pending_migration(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    db = await Database.open(path)
    await db.migrate(None)
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM schema_migrations WHERE version = "
                         "(SELECT MAX(version) FROM schema_migrations)")
        last = available_migrations()[-1]
        # undo the last migration's tables so it can apply again
        for name in _tables_created_by(last.sql):
            await tx.execute(f"DROP TABLE IF EXISTS {name}")
        for table, column in _columns_added_by(last.sql):
            await tx.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    applied = await db.migrate(tmp_path / "backups")
    await db.close()
    assert [m.version for m in applied] == [last.version]
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    version = sqlite3.connect(backups[0]).execute("SELECT MAX(version) FROM schema_migrations")
    assert version.fetchone()[0] == available_migrations()[-2].version  # numbers may have gaps


def _columns_added_by(sql: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", sql)


def _tables_created_by(sql: str) -> list[str]:
    import re

    return list(reversed(re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", sql)))


async def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from camnet import db as dbmod

    good = available_migrations()
    broken = dbmod.Migration(good[-1].version + 1, "broken", "CREATE TABLE t(x); SELECT nope FROM t;")
    monkeypatch.setattr(dbmod, "available_migrations", lambda: [*good, broken])
    db = await Database.open(tmp_path / "x.sqlite3")
    try:
        try:
            await db.migrate(None)
        except sqlite3.Error:
            pass
        else:
            raise AssertionError("broken migration applied")
        assert await db.schema_version() == good[-1].version
        assert await db.fetchval("SELECT 1 FROM sqlite_master WHERE name = 't'") is None
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    await db.migrate(None)
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO zone(level, code, name, path, created_at, updated_at)"
                             " VALUES ('province', 'A', 'A', '/1/', 'now', 'now')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert await db.fetchval("SELECT COUNT(*) FROM zone") == 0
    await db.close()


async def test_backup_command_refuses_existing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    await db.migrate(None)
    target = await db.backup(tmp_path / "b.sqlite3")
    assert sqlite3.connect(target).execute("SELECT COUNT(*) FROM zone").fetchone() == (0,)
    try:
        await db.backup(target)
    except FileExistsError:
        pass
    else:
        raise AssertionError("overwrote a backup")
    await db.close()
