"""The one data-access module: aiosqlite, WAL, one writer connection, raw parameterised SQL.

Writes go through :meth:`Database.transaction`, which serialises writers on the single
write connection (``BEGIN IMMEDIATE``). Reads use a second, read-only connection so they
never see another coroutine's uncommitted work.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from camnet.config import Config

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered SQL migration shipped in ``camnet/migrations``."""

    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Return the package's migrations in version order."""
    found: list[Migration] = []
    for entry in resources.files("camnet.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return found


class Transaction:
    """A write transaction on the writer connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @property
    def connection(self) -> aiosqlite.Connection:
        """The writer connection, for helpers that take an aiosqlite connection."""
        return self._conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return ``lastrowid``."""
        cur = await self._conn.execute(sql, params)
        rowid = cur.lastrowid or 0
        await cur.close()
        return rowid

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows changed."""
        cur = await self._conn.execute(sql, params)
        count = cur.rowcount
        await cur.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter sets."""
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Read one row inside the transaction (sees its own writes)."""
        async with self._conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Read all rows inside the transaction."""
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        """Read the first column of the first row, or ``None``."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


async def blocking_references(tx: Transaction, table: str, row_id: int) -> dict[str, int]:
    """Rows of other tables that keep ``table``'s row from being deleted (``RESTRICT`` keys).

    Read from SQLite's own foreign-key list, so no module needs another table's SQL to say
    "still referenced by 2 extraction requests". Returns ``{referencing table: rows}``.
    """
    found: dict[str, int] = {}
    tables = await tx.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'"
                               " AND name NOT LIKE 'sqlite_%'")
    for (name,) in tables:
        for fk in await tx.fetchall(f"PRAGMA foreign_key_list({_quote(name)})"):
            if fk["table"] != table or fk["on_delete"] not in ("RESTRICT", "NO ACTION"):
                continue
            count = await tx.fetchval(
                f"SELECT COUNT(*) FROM {_quote(name)} WHERE {_quote(fk['from'])} = ?", (row_id,))
            if count:
                found[name] = found.get(name, 0) + int(count)
    return found


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class Database:
    """One SQLite database: a writer and a reader connection."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, busy_timeout_ms: int = 5000) -> Database:
        """Open (creating if needed) the database file with WAL and foreign keys on."""
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path, busy_timeout_ms)
        await writer.execute("PRAGMA journal_mode=WAL")
        await writer.execute("PRAGMA synchronous=NORMAL")
        reader = await _connect(path, busy_timeout_ms)
        await reader.execute("PRAGMA query_only=ON")
        return cls(path, writer, reader)

    async def close(self) -> None:
        """Close both connections."""
        await self._reader.close()
        await self._writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run a block in one ``BEGIN IMMEDIATE`` transaction; roll back on error."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._writer)
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                await self._writer.execute("COMMIT")

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Read all rows of a query from committed data."""
        async with self._reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Read one row of a query from committed data."""
        async with self._reader.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        """Read the first column of the first row, or ``None``."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def backup(self, target: Path) -> Path:
        """Copy the live database to ``target`` with SQLite's online backup API."""
        if await asyncio.to_thread(target.exists):
            raise FileExistsError(f"{target} exists; choose another path")
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        dest = await aiosqlite.connect(target)
        try:
            async with self._write_lock:
                await self._writer.backup(dest)
        finally:
            await dest.close()
        return target

    async def schema_version(self) -> int:
        """Return the highest applied migration, 0 for an empty database."""
        exists = await self.fetchval(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        )
        if not exists:
            return 0
        return int(await self.fetchval("SELECT MAX(version) FROM schema_migrations") or 0)

    async def migrate(self, backup_dir: Path | None = None) -> list[Migration]:
        """Apply pending migrations in order, each in its own transaction.

        Args:
            backup_dir: where to put a backup of a non-empty database before migrating;
                ``None`` skips the backup.

        Returns:
            The migrations applied (empty when the schema was current).
        """
        current = await self.schema_version()
        pending = [m for m in available_migrations() if m.version > current]
        if not pending:
            return []
        if current > 0 and backup_dir is not None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = backup_dir / f"{self.path.stem}-v{current:04d}-{stamp}.sqlite3"
            await self.backup(target)
            log.info("backed up database to %s before migrating", target)
        async with self._write_lock:
            for migration in pending:
                script = (
                    "BEGIN IMMEDIATE;\n"
                    f"{migration.sql}\n;"
                    "INSERT INTO schema_migrations(version, name, applied_at) "
                    f"VALUES ({migration.version}, '{migration.name}', "
                    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));\n"
                    "COMMIT;"
                )
                try:
                    await self._writer.executescript(script)
                except sqlite3.Error:
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    raise
                log.info("applied migration %04d_%s", migration.version, migration.name)
        return pending


async def open_database(config: Config) -> Database:
    """Open the configured database and bring its schema up to date (with a backup)."""
    db = await Database.open(config.database_path, busy_timeout_ms=config.storage.busy_timeout_ms)
    backup_dir = config.data_dir / "backups" if config.storage.backup_before_migrate else None
    try:
        applied = await db.migrate(backup_dir)
    except BaseException:
        await db.close()
        raise
    for migration in applied:
        log.info("database at schema %04d_%s", migration.version, migration.name)
    return db


async def _connect(path: Path, busy_timeout_ms: int) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    await conn.execute("PRAGMA foreign_keys=ON")
    return conn
