"""Login failures per (user, address) and per address, kept in ``login_failure``.

The policy (thresholds, exponential lockout) is :class:`camnet.auth.throttle.ThrottlePolicy`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from camnet.auth.throttle import ThrottlePolicy
from camnet.db import Database, Transaction
from camnet.errors import TooManyAttempts
from camnet.timeutil import parse_iso, to_iso


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"pair:{username.strip().lower()}|{address}", f"addr:{address}"


async def check_allowed(db: Database, username: str, address: str, now: datetime) -> None:
    """Raise :class:`TooManyAttempts` while the pair or the address is locked out."""
    pair, addr = _keys(username, address)
    rows = await db.fetchall("SELECT locked_until FROM login_failure WHERE key IN (?, ?)"
                             " AND locked_until IS NOT NULL", (pair, addr))
    waits = [(parse_iso(r["locked_until"]) - now).total_seconds() for r in rows]
    wait = max([w for w in waits if w > 0], default=0.0)
    if wait > 0:
        seconds = int(wait) + 1
        raise TooManyAttempts(f"too many failed logins; try again in {seconds} s",
                              retry_after_s=seconds, key="err_login_locked", seconds=seconds)


async def _count(tx: Transaction, key: str, now: datetime, window_s: float) -> int:
    row = await tx.fetchone("SELECT failures, window_start FROM login_failure WHERE key = ?", (key,))
    if row is None or (now - parse_iso(row["window_start"])).total_seconds() > window_s:
        await tx.execute(
            "INSERT INTO login_failure(key, failures, window_start, locked_until) VALUES (?, 1, ?, NULL)"
            " ON CONFLICT(key) DO UPDATE SET failures = 1, window_start = excluded.window_start,"
            " locked_until = NULL", (key, to_iso(now)))
        return 1
    await tx.execute("UPDATE login_failure SET failures = failures + 1 WHERE key = ?", (key,))
    return int(row["failures"]) + 1


async def record_failure(tx: Transaction, policy: ThrottlePolicy, username: str, address: str,
                         now: datetime) -> float:
    """Count a failed login; return the lockout it caused in seconds (0 when none)."""
    pair, addr = _keys(username, address)
    locks = []
    for key, lock_for in ((pair, policy.pair_lockout_s), (addr, policy.address_lockout_s)):
        failures = await _count(tx, key, now, policy.window_s)
        seconds = lock_for(failures)
        if seconds > 0:
            await tx.execute("UPDATE login_failure SET locked_until = ? WHERE key = ?",
                             (to_iso(now + timedelta(seconds=seconds)), key))
        locks.append(seconds)
    return max(locks)


async def record_success(tx: Transaction, username: str, address: str) -> None:
    """Forget the failures of this (user, address) pair after a good login."""
    pair, _ = _keys(username, address)
    await tx.execute("DELETE FROM login_failure WHERE key = ?", (pair,))


async def unlock(tx: Transaction, username: str) -> int:
    """Lift every lockout of a user name (admin action); return how many were lifted."""
    prefix = f"pair:{username.strip().lower()}|"
    return await tx.execute_rowcount(
        "DELETE FROM login_failure WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))
