"""One way to page a list: ``?page=&per_page=`` in, rows plus ``{page, per_page, total}`` out.

At province scale a list must not count a whole table for every page: :func:`paginate`
keeps each total until the database changes (SQLite's ``data_version`` on the reading
connection moves with every commit of the writer), so paging through an unchanged list
counts once. Long lists that are read in a fixed order (the status board) page by key
instead of by offset: :class:`KeysetPage` carries the cursor of the next page.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

from camnet.db import Database

MAX_PER_PAGE = 1000
T = TypeVar("T")


class PageQuery(BaseModel):
    """Which page of a list to return."""

    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


class Page(BaseModel):
    """Where a returned page sits in the whole list."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least 1)."""
        return max(1, -(-self.total // self.per_page))


class KeysetPage(BaseModel):
    """A page read by key: the cursor it started after and the one of the next page."""

    per_page: int
    after: str | None = None
    next: str | None = None


_CACHE: weakref.WeakKeyDictionary[Database, tuple[int, dict[tuple[Any, ...], Any]]] = (
    weakref.WeakKeyDictionary())
_MAX_CACHED = 512


async def _cache_for(db: Database) -> dict[tuple[Any, ...], Any]:
    """This database's cache, emptied whenever anything was committed since it was filled."""
    version = int(await db.fetchval("PRAGMA data_version") or 0)
    seen, cache = _CACHE.get(db, (-1, {}))
    if seen != version or len(cache) >= _MAX_CACHED:
        cache = {}
        _CACHE[db] = (version, cache)
    return cache


async def cached_total(db: Database, count_sql: str, params: list[Any] | tuple[Any, ...]) -> int:
    """``count_sql``'s value, counted again only after the database changed.

    The cache is per :class:`~camnet.db.Database` and keyed by statement and parameters;
    any commit moves ``PRAGMA data_version`` of the reading connection and empties it.
    """
    cache = await _cache_for(db)
    key = ("total", count_sql, *params)
    if key not in cache:
        cache[key] = int(await db.fetchval(count_sql, params) or 0)
    return int(cache[key])


async def cached_rows(db: Database, sql: str, params: list[Any] | tuple[Any, ...]
                      ) -> list[sqlite3.Row]:
    """``sql``'s rows, read again only after the database changed (for counts many pages show).

    The same rows are handed to every caller: treat them as read-only.
    """
    cache = await _cache_for(db)
    key = ("rows", sql, *params)
    if key not in cache:
        cache[key] = await db.fetchall(sql, params)
    rows: list[sqlite3.Row] = cache[key]
    return rows


_SHARED: weakref.WeakKeyDictionary[Database, dict[tuple[Any, ...], tuple[int, float, Any]]] = (
    weakref.WeakKeyDictionary())
_SHARED_LOCKS: weakref.WeakKeyDictionary[Database, dict[tuple[Any, ...], asyncio.Lock]] = (
    weakref.WeakKeyDictionary())


async def shared_result(db: Database, key: tuple[Any, ...], compute: Callable[[], Awaitable[T]],
                        max_age_s: float) -> T:
    """``compute()``'s result, shared by every caller until the database changes or it ages.

    For reads many clients poll at once (``/api/v1/metrics`` scraped by several Prometheus
    servers, ten officers' boards): concurrent callers with the same ``key`` wait for one
    computation instead of running ten; the result is kept while ``PRAGMA data_version`` is
    unchanged and for at most ``max_age_s`` (for values that also depend on the clock).
    """
    locks = _SHARED_LOCKS.setdefault(db, {})
    lock = locks.setdefault(key, asyncio.Lock())
    async with lock:
        version = int(await db.fetchval("PRAGMA data_version") or 0)
        cache = _SHARED.setdefault(db, {})
        hit = cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] == version and now - hit[1] <= max_age_s:
            return cast(T, hit[2])
        value = await compute()
        if len(cache) >= _MAX_CACHED:
            cache.clear()
        cache[key] = (version, now, value)
        return value


async def paginate(db: Database, *, select_sql: str, count_sql: str, params: list[Any] | tuple[Any, ...],
                   page: int, per_page: int) -> tuple[list[sqlite3.Row], Page]:
    """Run ``select_sql`` (ordered, without LIMIT) for one page and ``count_sql`` for the total.

    Args:
        db: the database.
        select_sql: the full, ordered SELECT; ``LIMIT ? OFFSET ?`` is appended.
        count_sql: a ``SELECT COUNT(*)`` over the same rows and parameters (counted once
            per database change, see :func:`cached_total`).
        params: parameters of both statements.
        page: 1-based page number.
        per_page: rows per page (at most :data:`MAX_PER_PAGE`).
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    total = await cached_total(db, count_sql, params)
    rows = await db.fetchall(f"{select_sql} LIMIT ? OFFSET ?", (*params, per_page, (page - 1) * per_page))
    return rows, Page(page=page, per_page=per_page, total=total)


def like_pattern(text: str) -> str:
    """The pattern ``%text%`` for a LIKE with an ESCAPE backslash; the user's wildcards stay literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
