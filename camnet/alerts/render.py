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
from camnet.timeutil import parse_iso

MAX_LISTED = 30
MAX_PAYLOAD_ITEMS = 1000  # webhook bodies stay well under common 1 MiB request limits
POWER_CUT_MIN = 3  # this many cameras down within POWER_CUT_WINDOW_S: "có thể mất điện"
POWER_CUT_WINDOW_S = 300

CAUSES = {
    "vi": {"black": "hình đen", "frozen": "hình đứng", "blurred": "hình mờ", "covered": "bị che",
           "timeout": "không phản hồi", "refused": "từ chối kết nối", "unreachable": "không tới được",
           "auth_failed": "sai mật khẩu", "not_found": "sai đường dẫn",
           "review_approved": "đã được duyệt, camera bắt đầu được giám sát",
           "review_changes_requested": "cán bộ đề nghị sửa lại", "review_rejected": "không được duyệt"},
    "en": {"black": "black picture", "frozen": "frozen picture", "blurred": "blurred",
           "covered": "covered", "timeout": "no answer", "refused": "connection refused",
           "unreachable": "unreachable", "auth_failed": "wrong password", "not_found": "wrong path",
           "review_approved": "approved, monitoring starts",
           "review_changes_requested": "the officer asks for changes",
           "review_rejected": "not approved"},
}

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "down_many": "{n} camera ở {zone} mất tín hiệu từ {at}",
        "power": " — có thể mất điện",
        "down_one": "Camera {subject} ({place}, {zone}) mất tín hiệu từ {at} ({cause})",
        "degraded": "Camera {subject} ({place}) hình ảnh bất thường từ {at}: {cause}",
        "recovered": "Camera {subject} ({place}) đã hoạt động lại lúc {at}",
        "recovered_many": "{n} camera ở {zone} đã hoạt động lại",
        "flapping": "Camera {subject} ({place}) chập chờn (mất/có tín hiệu liên tục từ {at}); "
                    "tạm ngừng báo từng lần cho đến khi ổn định",
        "stable": "Camera {subject} ({place}) đã ổn định lại lúc {at}",
        "zone_down": "Cảnh báo: {cause} camera ở {zone} đang mất tín hiệu (lúc {at})",
        "zone_ok": "{zone}: số camera mất tín hiệu đã giảm dưới ngưỡng (lúc {at})",
        "watchdog": "Bộ giám sát camnet đã ngừng: không có vòng kiểm tra nào hoàn tất từ {at}",
        "watchdog_ok": "Bộ giám sát camnet chạy lại bình thường (lúc {at})",
        "request_submitted": "Yêu cầu trích xuất {subject} đang chờ phê duyệt ({place})",
        "request_approved": "Yêu cầu trích xuất {subject} đã được phê duyệt",
        "request_rejected": "Yêu cầu trích xuất {subject} bị từ chối: {cause}",
        "deadline_48h": "Yêu cầu {subject}: dữ liệu camera {place} sẽ bị ghi đè lúc {cause} "
                        "(còn dưới 48 giờ)",
        "deadline_12h": "Yêu cầu {subject}: dữ liệu camera {place} sẽ bị ghi đè lúc {cause} "
                        "(còn dưới 12 giờ)",
        "chain_failure": "Kiểm tra chuỗi băm thất bại: {cause}",
        "test": "Tin nhắn thử từ camnet ({at})",
        "host_review": "Hồ sơ đăng ký camera \"{subject}\": {cause}. Ghi chú của cán bộ: {place}",
        "repeat": "Vẫn chưa khắc phục ({n}):",
        "repeat_line": "- {subject} mất tín hiệu/bất thường từ {at}",
        "more": "… và {n} camera khác",
        "subject": "[camnet] {n} cảnh báo — {zone}",
        "subject_repeat": "[camnet] Nhắc lại: {n} camera chưa khắc phục — {zone}",
    },
    "en": {
        "down_many": "{n} cameras in {zone} lost signal from {at}",
        "power": " — possibly a power cut",
        "down_one": "Camera {subject} ({place}, {zone}) lost signal from {at} ({cause})",
        "degraded": "Camera {subject} ({place}) bad picture from {at}: {cause}",
        "recovered": "Camera {subject} ({place}) back up at {at}",
        "recovered_many": "{n} cameras in {zone} are back up",
        "flapping": "Camera {subject} ({place}) is flapping (since {at}); single alerts paused "
                    "until it is stable",
        "stable": "Camera {subject} ({place}) is stable again at {at}",
        "zone_down": "Warning: {cause} of the cameras in {zone} are down (at {at})",
        "zone_ok": "{zone}: cameras down are below the threshold again (at {at})",
        "watchdog": "The camnet monitor stopped: no probe cycle completed since {at}",
        "watchdog_ok": "The camnet monitor is cycling again (at {at})",
        "request_submitted": "Extraction request {subject} awaits approval ({place})",
        "request_approved": "Extraction request {subject} was approved",
        "request_rejected": "Extraction request {subject} was rejected: {cause}",
        "deadline_48h": "Request {subject}: footage of camera {place} is overwritten at {cause} "
                        "(under 48 h left)",
        "deadline_12h": "Request {subject}: footage of camera {place} is overwritten at {cause} "
                        "(under 12 h left)",
        "chain_failure": "Hash-chain verification failed: {cause}",
        "test": "Test message from camnet ({at})",
        "host_review": "Camera registration \"{subject}\": {cause}. Officer's note: {place}",
        "repeat": "Still open ({n}):",
        "repeat_line": "- {subject} down/bad since {at}",
        "more": "… and {n} more cameras",
        "subject": "[camnet] {n} alerts — {zone}",
        "subject_repeat": "[camnet] Reminder: {n} cameras still down — {zone}",
    },
}


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
    t = TEXTS.get(language, TEXTS["vi"])
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
    causes = CAUSES.get(language, CAUSES["vi"])
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
                                          cause=causes.get(i.cause, i.cause)))
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
                                     cause=causes.get(item.cause, item.cause)))
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
