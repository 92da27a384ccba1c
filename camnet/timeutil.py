"""The one place for time: store UTC ISO-8601, show the configured ``ui.timezone``."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from camnet.i18n import translate

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
_display_tz = ZoneInfo(DEFAULT_TIMEZONE)


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
    """Parse an ISO-8601 time; a time without offset is taken as display-zone local time.

    Raises:
        ValueError: the text is not an ISO-8601 date-time.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=_display_tz)
    return value.astimezone(UTC)


def to_local(moment: datetime | str, tz: ZoneInfo | None = None) -> datetime:
    """Convert a stored time (datetime or ISO text) to local time for display."""
    value = parse_iso(moment) if isinstance(moment, str) else moment
    return value.astimezone(tz or _display_tz)


def format_local(moment: datetime | str | None, tz: ZoneInfo | None = None) -> str:
    """Render a time as ``dd/mm/YYYY HH:MM`` in the display zone (Vietnamese convention).

    A stored value that is not a time (a damaged or pre-validation row) is shown as it is,
    marked with "?", rather than breaking the page that lists it.
    """
    if moment is None or moment == "":
        return ""
    try:
        return to_local(moment, tz).strftime("%d/%m/%Y %H:%M")
    except (ValueError, OverflowError):
        return f"{moment}?"


def set_display_timezone(name: str) -> None:
    """Use the IANA zone ``name`` (``ui.timezone``) for every time shown and every local input.

    Called once by the app factory and the CLI after the config is loaded.
    """
    global _display_tz  # noqa: PLW0603 - one process, one configured display zone
    _display_tz = ZoneInfo(name)


def display_timezone() -> ZoneInfo:
    """The configured display time zone (default Asia/Ho_Chi_Minh)."""
    return _display_tz


def display_timezone_name() -> str:
    """The configured display time zone's IANA name."""
    return _display_tz.key


_UNITS = ("day", "hour", "minute", "second")


def format_duration(seconds: float, lang: str = "vi") -> str:
    """A duration as people say it: ``2 giờ 15 phút`` / ``2 h 15 min`` (two largest units).

    Args:
        seconds: the length; negative values count as zero.
        lang: ``vi`` or ``en``.
    """
    total = max(0, int(round(seconds)))
    parts = [total // 86400, total % 86400 // 3600, total % 3600 // 60, total % 60]
    shown = [(n, _UNITS[i]) for i, n in enumerate(parts) if n] or [(0, "second")]
    return " ".join(f"{n} {translate(f'unit_{unit}' if n == 1 else f'unit_{unit}s', lang)}"
                    for n, unit in shown[:2])
