"""Pure message text: Vietnamese first (English on request), links, no secrets or addresses.

A message is built from the items of one flush (or the open problems of a repeat). Items
never carry RTSP URLs, credentials or street addresses, so nothing here can leak them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from camnet.alerts.grouping import Item, OpenProblem
from camnet.i18n import DEFAULT_LANGUAGE, catalog, cause_text, translate
from camnet.timeutil import parse_iso

MAX_LISTED = 30
MAX_PAYLOAD_ITEMS = 1000  # webhook bodies stay well under common 1 MiB request limits
POWER_CUT_MIN = 3  # this many cameras down within POWER_CUT_WINDOW_S: "có thể mất điện"
POWER_CUT_WINDOW_S = 300

# The words of every message live in the catalogue (camnet/locale/*/camnet.po):
# ``alert_text_<name>`` for the sentences, ``alert_cause_<cause>`` for the short causes;
# other causes fall back to the pages' cause words (``cause_*``), then to the code itself.
TEXT_NAMES = (
    "down_many", "power", "down_one", "degraded", "recovered", "recovered_many", "flapping",
    "stable", "zone_down", "zone_ok", "watchdog", "watchdog_ok", "request_submitted",
    "request_approved", "request_rejected", "deadline_48h", "deadline_12h", "chain_failure",
    "test", "host_review", "repeat", "repeat_line", "more", "subject", "subject_repeat",
)


def texts(language: str) -> dict[str, str]:
    """The message sentences of one language (Vietnamese when the language is unknown)."""
    return {name: translate(f"alert_text_{name}", language) for name in TEXT_NAMES}


def cause_words(cause: str, language: str) -> str:
    """A cause in a message's words: its short alert wording, the pages' wording, or itself."""
    key = f"alert_cause_{cause}"
    if key in catalog(DEFAULT_LANGUAGE):
        return translate(key, language)
    return cause_text(cause, language) or cause


@dataclass(frozen=True)
class Message:
    """A rendered message: subject (e-mail), text, simple HTML and a JSON payload."""

    subject: str
    text: str
    html: str
    payload: dict[str, Any] = field(default_factory=dict)


def local_hhmm(at: str, now: datetime, tz: ZoneInfo) -> str:
    """``HH:MM`` local time, with ``dd/mm`` when not today."""
    moment = parse_iso(at).astimezone(tz)
    if moment.date() == now.astimezone(tz).date():
        return moment.strftime("%H:%M")
    return moment.strftime("%H:%M %d/%m")


def render(items: Sequence[Item], repeat: Sequence[OpenProblem], *, zone_name: str,
           now: datetime, tz: ZoneInfo, base_url: str, language: str = "vi") -> Message:
    """Compose one message for a flush.

    Args:
        items: new items, oldest first.
        repeat: open problems to repeat (when ``items`` is empty).
        zone_name: the group's zone, shown in the subject.
        now: the current time.
        tz: the display time zone.
        base_url: the public URL of camnet, for links.
        language: ``vi`` or ``en``.
    """
    t = texts(language)
    base = base_url.rstrip("/")
    lines: list[str] = []
    links: list[str] = []
    if repeat and not items:
        lines.append(t["repeat"].format(n=len(repeat)))
        for p in repeat[:MAX_LISTED]:
            lines.append(t["repeat_line"].format(subject=p.subject, at=local_hhmm(p.since, now, tz)))
        if len(repeat) > MAX_LISTED:
            lines.append(t["more"].format(n=len(repeat) - MAX_LISTED))
        links = [base + "/"]
        subject = t["subject_repeat"].format(n=len(repeat), zone=zone_name)
    else:
        lines, links = _item_lines(items, t, language, now, tz, base)
        subject = t["subject"].format(n=len(items), zone=zone_name)
    unique_links = list(dict.fromkeys(links))[:5]
    text = "\n".join(lines + unique_links)
    html_body = "<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>" + "".join(
        f'<p><a href="{html.escape(u)}">{html.escape(u)}</a></p>' for u in unique_links)
    payload = {
        "zone": zone_name,
        "items": [_item_json(i, base) for i in items[:MAX_PAYLOAD_ITEMS]],
        "items_total": len(items),
        "repeat": [{"camera_id": p.camera_id, "kind": p.kind, "camera": p.subject,
                    "since": p.since} for p in repeat] if not items else [],
    }
    return Message(subject, text, html_body, payload)


def _item_lines(items: Sequence[Item], t: dict[str, str], language: str, now: datetime,
                tz: ZoneInfo, base: str) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    links: list[str] = []
    downs = [i for i in items if i.kind == "camera_down"]
    ups = [i for i in items if i.kind == "camera_recovered"]
    if len(downs) > 1:
        first = min(parse_iso(i.at) for i in downs)
        last = max(parse_iso(i.at) for i in downs)
        line = t["down_many"].format(n=len(downs), zone=downs[0].zone_name,
                                     at=local_hhmm(min(i.at for i in downs), now, tz))
        if len(downs) >= POWER_CUT_MIN and (last - first).total_seconds() <= POWER_CUT_WINDOW_S:
            line += t["power"]
        lines.append(line + ":")
        for i in downs[:MAX_LISTED]:
            lines.append(f"- {i.subject} ({i.place})")
        if len(downs) > MAX_LISTED:
            lines.append(t["more"].format(n=len(downs) - MAX_LISTED))
        links.append(base + "/")
    elif downs:
        i = downs[0]
        lines.append(t["down_one"].format(subject=i.subject, place=i.place, zone=i.zone_name,
                                          at=local_hhmm(i.at, now, tz),
                                          cause=cause_words(i.cause, language)))
        links.append(base + i.link)
    if len(ups) > MAX_LISTED:
        lines.append(t["recovered_many"].format(n=len(ups), zone=ups[0].zone_name))
    for item in items:
        if item.kind == "camera_down" or (item.kind == "camera_recovered" and len(ups) > MAX_LISTED):
            continue
        key = {"camera_degraded": "degraded", "camera_recovered": "recovered",
               "camera_flapping": "flapping", "camera_stable": "stable"}.get(item.kind, item.kind)
        template = t.get(key, "{subject} {cause}")
        lines.append(template.format(subject=item.subject, place=item.place, zone=item.zone_name,
                                     at=local_hhmm(item.at, now, tz),
                                     cause=cause_words(item.cause, language)))
        if item.link:
            links.append(base + item.link)
    return lines, links


def _item_json(item: Item, base: str) -> dict[str, Any]:
    return {"event_id": item.id, "kind": item.kind, "at": item.at, "camera_id": item.camera_id,
            "subject": item.subject, "place": item.place, "zone": item.zone_name,
            "cause": item.cause, "url": base + item.link if item.link else None}


def split_text(text: str, limit: int = 2000) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at line breaks if possible."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not parts:
        parts.append(rest)
    return parts
