"""Tier-2 writes: the picture columns of ``camera_status``, ``frame_fingerprint``, ``snapshot``.

A frame check finishes on its own schedule (never inside a tier-1 cycle), so its result is
written in its own small transaction. It touches only the tier-2 columns of
``camera_status`` (``health``, ``picture*``, ``tier2_*``, size, grab time); the cycle's
write touches only the tier-1 ones, so neither overwrites the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from camnet.db import Database
from camnet.monitor.health import FINGERPRINT_SIZE
from camnet.monitor.outcomes import FrameCheck
from camnet.monitor.status import PictureState, confirm_picture
from camnet.timeutil import parse_iso, to_iso

TIMEOUT_CAUSES = frozenset({"open_timeout", "read_timeout", "deadline"})
DEFAULT_TRANSPORT = "tcp"


async def stored_transport(db: Database, camera_id: int) -> str | None:
    """The RTP transport that last gave this camera a picture, or ``None`` if none yet."""
    value = await db.fetchval("SELECT transport FROM tier2_transport WHERE camera_id = ?",
                              (camera_id,))
    return None if value is None else str(value)


async def load_transport(db: Database, camera_id: int) -> str:
    """The transport to try first for this camera (``tcp`` when none learnt)."""
    return await stored_transport(db, camera_id) or DEFAULT_TRANSPORT


@dataclass(frozen=True)
class Fingerprint:
    """The stored grey thumbnail of a camera's last decoded frame."""

    taken_at: str
    gray: np.ndarray


async def load_fingerprint(db: Database, camera_id: int) -> Fingerprint | None:
    """The camera's stored fingerprint, or ``None``."""
    row = await db.fetchone(
        "SELECT taken_at, width, height, gray FROM frame_fingerprint WHERE camera_id = ?",
        (camera_id,))
    if row is None or len(row["gray"]) != row["width"] * row["height"]:
        return None
    gray = np.frombuffer(bytes(row["gray"]), dtype=np.uint8).reshape(row["height"], row["width"])
    return Fingerprint(row["taken_at"], gray)


def backoff(timeouts: int, *, at: str, interval_s: float, most: int) -> str | None:
    """When a camera with ``timeouts`` consecutive tier-2 timeouts may be grabbed again.

    Pure: 0 timeouts → ``None`` (no wait); then 2, 4, 8 … cycles, at most ``most``.
    """
    if timeouts <= 0:
        return None
    cycles = min(2 ** timeouts, most)
    return to_iso(parse_iso(at) + timedelta(seconds=cycles * interval_s))


async def record_frame(db: Database, camera_id: int, at: str, check: FrameCheck, *,
                       picture_after: int, interval_s: float, backoff_max: int) -> PictureState:
    """Write one frame check: verdict, confirmed picture, cause, backoff, fingerprint, transport.

    The transport (``check.detail["transport"]``) is remembered only when a frame came.

    Returns:
        The camera's picture state after this sample.
    """
    async with db.transaction() as tx:
        row = await tx.fetchone(
            "SELECT picture, picture_candidate, picture_streak, tier2_timeouts"
            " FROM camera_status WHERE camera_id = ?", (camera_id,))
        if row is None:  # the cycle writes the row first; a deleted camera has none
            return PictureState()
        state = confirm_picture(
            PictureState(row["picture"], row["picture_candidate"], int(row["picture_streak"])),
            check.health, needed=picture_after)
        timeouts = int(row["tier2_timeouts"]) + 1 if check.cause in TIMEOUT_CAUSES else 0
        next_at = backoff(timeouts, at=at, interval_s=interval_s, most=backoff_max)
        got = check.width is not None
        await tx.execute(
            "UPDATE camera_status SET health = ?, health_detail = ?, picture = ?,"
            " picture_candidate = ?, picture_streak = ?, tier2_cause = ?, tier2_timeouts = ?,"
            " tier2_next_at = ?, last_grab_at = ?, cycles_since_grab = 0,"
            " width = COALESCE(?, width), height = COALESCE(?, height),"
            " first_frame_ms = COALESCE(?, first_frame_ms) WHERE camera_id = ?",
            (check.health, json.dumps(check.detail), state.confirmed, state.candidate,
             state.streak, check.cause, timeouts, next_at, at,
             check.width if got else None, check.height if got else None,
             check.first_frame_ms, camera_id))
        transport = check.detail.get("transport")
        if got and transport in ("tcp", "udp"):
            await tx.execute(
                "INSERT INTO tier2_transport(camera_id, transport, learnt_at) VALUES (?, ?, ?)"
                " ON CONFLICT(camera_id) DO UPDATE SET transport = excluded.transport,"
                " learnt_at = excluded.learnt_at WHERE transport <> excluded.transport",
                (camera_id, transport, at))
        if check.fingerprint is not None:
            width, height = FINGERPRINT_SIZE
            await tx.execute(
                "INSERT INTO frame_fingerprint(camera_id, taken_at, width, height, gray)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(camera_id) DO UPDATE SET"
                " taken_at = excluded.taken_at, width = excluded.width,"
                " height = excluded.height, gray = excluded.gray",
                (camera_id, at, width, height, check.fingerprint))
        if check.jpeg:
            await tx.execute(
                "INSERT INTO snapshot(camera_id, taken_at, width, height, jpeg)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(camera_id) DO UPDATE SET"
                " taken_at = excluded.taken_at, width = excluded.width,"
                " height = excluded.height, jpeg = excluded.jpeg",
                (camera_id, at, check.width or 0, check.height or 0, check.jpeg))
    return state
