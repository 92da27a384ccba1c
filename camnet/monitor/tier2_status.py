"""Tier 2's budget and what it achieves: for ``/metrics`` and ``camnet monitor tier2``.

* budget: picture checks an hour the workers can always do (each grab at its deadline);
* needed: checks an hour so every tier-2 camera is checked within ``tier2_max_age_s``;
* achieved: tier-2 cameras whose picture was checked in the last hour;
* oldest: the age of the oldest picture check (never-checked cameras counted apart).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.config import MonitorConfig
from camnet.db import Database
from camnet.timeutil import parse_iso, to_iso, utcnow


def tier2_budget_per_hour(config: MonitorConfig) -> float:
    """Frame checks an hour the tier-2 workers can always do (every grab at its deadline)."""
    return config.tier2_workers * 3600 / config.tier2_deadline_s


def needed_per_hour(cameras: int, config: MonitorConfig) -> float:
    """Checks an hour so each of ``cameras`` is checked within ``tier2_max_age_s``."""
    return cameras * 3600 / config.tier2_max_age_s


def workers_needed(cameras: int, config: MonitorConfig) -> int:
    """``tier2_workers`` that guarantee the window even if every grab ran to its deadline."""
    return max(1, math.ceil(needed_per_hour(cameras, config) * config.tier2_deadline_s / 3600))


@dataclass(frozen=True)
class Tier2Status:
    """Tier 2 in one zone: cameras, checks, budget and the window."""

    cameras: int  # enabled tier-2 cameras
    never_checked: int
    checked_last_hour: int  # the achieved rate, checks an hour
    oldest_check_age_s: float  # 0 when none checked yet
    overdue: int  # checked longer than tier2_max_age_s ago
    budget_per_hour: float
    needed_per_hour: float
    workers: int
    workers_needed: int
    max_age_s: float

    @property
    def keeps_up(self) -> bool:
        """Whether the budget covers the window."""
        return self.budget_per_hour >= self.needed_per_hour


async def tier2_status(db: Database, actor: Principal, config: MonitorConfig) -> Tier2Status:
    """Tier 2's figures for the tier-2 cameras in the caller's zone."""
    actor.require("monitor.read")
    where, scope = in_scope("z.path", actor.zone_path)
    now = utcnow()
    row = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(s.last_grab_at IS NULL), 0),"
        " COALESCE(SUM(s.last_grab_at >= ?), 0), MIN(s.last_grab_at),"
        " COALESCE(SUM(s.last_grab_at < ?), 0)"
        " FROM camera c JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
        f" LEFT JOIN camera_status s ON s.camera_id = c.id WHERE {where}"  # noqa: S608
        " AND c.enabled = 1 AND c.monitor_tier = 2",
        (to_iso(now - timedelta(hours=1)),
         to_iso(now - timedelta(seconds=config.tier2_max_age_s)), *scope))
    assert row is not None  # noqa: S101 - an aggregate always gives one row
    cameras = int(row[0])
    oldest = (now - parse_iso(row[3])).total_seconds() if row[3] else 0.0
    return Tier2Status(
        cameras=cameras, never_checked=int(row[1]), checked_last_hour=int(row[2]),
        oldest_check_age_s=round(oldest, 1), overdue=int(row[4]),
        budget_per_hour=tier2_budget_per_hour(config),
        needed_per_hour=needed_per_hour(cameras, config), workers=config.tier2_workers,
        workers_needed=workers_needed(cameras, config), max_age_s=config.tier2_max_age_s)
