"""The one place for time: store UTC ISO-8601, show Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Format an aware datetime as the stored UTC form ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_iso() -> str:
    """Return the current UTC time in stored form."""
    return to_iso(utcnow())


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 time; a time without offset is taken as Asia/Ho_Chi_Minh local time.

    Raises:
        ValueError: the text is not an ISO-8601 date-time.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=DISPLAY_TZ)
    return value.astimezone(UTC)


def to_local(moment: datetime | str, tz: ZoneInfo = DISPLAY_TZ) -> datetime:
    """Convert a stored time (datetime or ISO text) to local time for display."""
    value = parse_iso(moment) if isinstance(moment, str) else moment
    return value.astimezone(tz)


def format_local(moment: datetime | str | None, tz: ZoneInfo = DISPLAY_TZ) -> str:
    """Render a time as ``dd/mm/YYYY HH:MM`` in the display zone (Vietnamese convention)."""
    if moment is None or moment == "":
        return ""
    return to_local(moment, tz).strftime("%d/%m/%Y %H:%M")
