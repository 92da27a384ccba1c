"""The model of the printable request form, per Decree 30/2020/NĐ-CP Annex I.

Pure functions over plain data: :func:`form_model` returns a dict the template
``request_form.html`` renders (one sheet per host addressee). The header's issuing body
comes from ``evidence.parent_unit`` / ``evidence.issuing_unit`` (never a zone code); the
number is "Số: 05/YC-CAX" (zero-padded); the place and date line follows the decree (day
below 10 and months 1–2 with a leading zero).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

import segno

from camnet.timeutil import format_local, to_local

LAW_PDP = ("Căn cứ điểm đ khoản 1 Điều 17 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 "
           "(xử lý dữ liệu cá nhân theo yêu cầu của cơ quan nhà nước có thẩm quyền);")
LAW_CPC = ("Căn cứ Điều 107 Bộ luật Tố tụng hình sự số 101/2015/QH13 "
           "(thu thập dữ liệu điện tử);")
CRIMINAL_KINDS = frozenset({"theft", "assault"})  # kinds handled as a criminal case
TITLES = {"officer": "Cán bộ", "investigator": "Điều tra viên", "commander": "Chỉ huy đơn vị",
          "admin": "Quản trị hệ thống", "viewer": "Cán bộ"}
WATERMARKS = {"draft": "DỰ THẢO", "rejected": "ĐÃ TỪ CHỐI"}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def unit_abbreviation(issuing_unit: str) -> str:
    """"CÔNG AN XÃ PHÚ MỸ" -> "CAX": initials of the unit kind (first three words)."""
    words = issuing_unit.split()[:3]
    return "".join(_plain(w)[0].upper() for w in words if w) or "CA"


def place_name(issuing_unit: str) -> str:
    """"CÔNG AN XÃ PHÚ MỸ" -> "Phú Mỹ": the words after the unit kind, title case."""
    words = issuing_unit.split()[3:]
    return " ".join(w.capitalize() for w in words)


def document_number(request_id: int, issuing_unit: str) -> str:
    """"Số: 05/YC-CAX" for request 5."""
    return f"Số: {request_id:02d}/YC-{unit_abbreviation(issuing_unit)}"


def date_line(place: str, moment: datetime) -> str:
    """"Phú Mỹ, ngày 05 tháng 01 năm 2026" (Decree 30: day < 10 and month 1–2 padded)."""
    day = f"{moment.day:02d}"
    month = f"{moment.month:02d}" if moment.month <= 2 else str(moment.month)
    prefix = f"{place}, " if place else ""
    return f"{prefix}ngày {day} tháng {month} năm {moment.year}"


def qr_data_uri(text: str) -> str:
    """An SVG QR code (segno) as a data: URI."""
    return str(segno.make(text, error="m").svg_data_uri(scale=3))


def person(username: str | None, people: dict[str, dict[str, str]]) -> dict[str, str]:
    """Full name and title of a user (username if no full name is on file).

    The title is the user's own job title when one is on file, else the role's wording.
    """
    if not username:
        return {"name": "", "title": ""}
    info = people.get(username, {})
    return {"name": info.get("full_name") or username,
            "title": info.get("title") or TITLES.get(info.get("role", ""), "")}


def form_model(req: dict[str, Any], incident: dict[str, Any], items: list[dict[str, Any]],
               *, parent_unit: str, issuing_unit: str, separation_of_duties: bool,
               people: dict[str, dict[str, str]], anchor_head: str | None,
               printed_at: str, kind_vi: str, status_vi: str) -> dict[str, Any]:
    """Everything the printed form shows; one sheet per host addressee."""
    hosts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for cam in req["cameras"]:
        hosts.setdefault((cam["host_name"] or cam["point"], cam["point"]), []).append(cam)
    sheets = [{"host_name": name, "host_phone": cams[0]["host_phone"], "point": point,
               "address": cams[0]["address"],
               "cameras": [{**c, "window": f"{format_local(c['window_from'])} – "
                                          f"{format_local(c['window_to'])}",
                            "deadline": format_local(c["overwrite_deadline"])} for c in cams]}
              for (name, point), cams in hosts.items()]
    legal = [LAW_PDP] + ([LAW_CPC] if incident["kind"] in CRIMINAL_KINDS else [])
    decided = req["created_at"] if req["status"] == "draft" else req["updated_at"]
    qr_text = f"camnet yeu-cau={req['id']} vu-viec={incident['case_no']} neo={anchor_head or '-'}"
    return {
        "parent_unit": parent_unit.upper(), "issuing_unit": issuing_unit.upper(),
        "number": document_number(req["id"], issuing_unit),
        "date_line": date_line(place_name(issuing_unit), to_local(decided)),
        "title": "PHIẾU YÊU CẦU",
        "summary": "V/v cung cấp dữ liệu hình ảnh camera phục vụ giải quyết vụ việc",
        "legal": legal, "case_no": incident["case_no"], "kind": kind_vi,
        "occurred": f"{format_local(incident['occurred_from'])} – "
                    f"{format_local(incident['occurred_to'])}",
        "incident_summary": incident["summary"], "purpose": req["reason"],
        "status": status_vi, "watermark": WATERMARKS.get(req["status"]),
        "sheets": sheets,
        "requester": person(req["requested_by"], people),
        "approver": person(req["approved_by"], people),
        "one_person_station": not separation_of_duties,
        "custody": [{"filename": i["filename"], "sha256": i["sha256"], "size": i["size"],
                     "media": i.get("method") or ("lưu trên camnet" if i.get("stored") else ""),
                     "holder": i.get("holder", "")} for i in items],
        "anchor_head": anchor_head, "qr": qr_data_uri(qr_text), "qr_text": qr_text,
        "printed_at": format_local(printed_at),
    }
