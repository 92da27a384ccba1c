"""One way to page a list: ``?page=&per_page=`` in, rows plus ``{page, per_page, total}`` out."""

from __future__ import annotations

import sqlite3
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from camnet.db import Database

MAX_PER_PAGE = 1000


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


async def paginate(db: Database, *, select_sql: str, count_sql: str, params: list[Any] | tuple[Any, ...],
                   page: int, per_page: int) -> tuple[list[sqlite3.Row], Page]:
    """Run ``select_sql`` (ordered, without LIMIT) for one page and ``count_sql`` for the total.

    Args:
        db: the database.
        select_sql: the full, ordered SELECT; ``LIMIT ? OFFSET ?`` is appended.
        count_sql: a ``SELECT COUNT(*)`` over the same rows and parameters.
        params: parameters of both statements.
        page: 1-based page number.
        per_page: rows per page (at most :data:`MAX_PER_PAGE`).
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    total = int(await db.fetchval(count_sql, params) or 0)
    rows = await db.fetchall(f"{select_sql} LIMIT ? OFFSET ?", (*params, per_page, (page - 1) * per_page))
    return rows, Page(page=page, per_page=per_page, total=total)


def like_pattern(text: str) -> str:
    """The pattern ``%text%`` for a LIKE with an ESCAPE backslash; the user's wildcards stay literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
