"""The printed request form (Decree 30/2020 Annex I) rendered by chromium to an A4 PDF."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from camnet.auth.principal import cli_principal
from camnet.config import Config, load_config
from camnet.db import Database, open_database
from camnet.evidence import incidents, requests
from camnet.evidence.form import form_context, render_form
from camnet.evidence.form_model import date_line, document_number
from camnet.evidence.models import IncidentIn, RequestIn, TransitionIn
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import utcnow

async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ALICE, BOB = cli_principal("alice"), cli_principal("bob")
LIBERATION_INSTALLED = Path("/usr/share/fonts/truetype/liberation").exists()


def test_number_and_date_line_follow_the_decree() -> None:
    from datetime import datetime

    from camnet.timeutil import display_timezone

    TZ = display_timezone()

    assert document_number(5, "CÔNG AN XÃ PHÚ MỸ") == "Số: 05/YC-CAX"
    assert date_line("Phú Mỹ", datetime(2026, 1, 5, tzinfo=TZ)) == "Phú Mỹ, ngày 05 tháng 01 năm 2026"
    assert date_line("Phú Mỹ", datetime(2026, 11, 25, tzinfo=TZ)) == "Phú Mỹ, ngày 25 tháng 11 năm 2026"
    assert date_line("Phú Mỹ", datetime(2026, 3, 9, tzinfo=TZ)) == "Phú Mỹ, ngày 09 tháng 3 năm 2026"


async def _request(db: Database, status: str) -> int:
    cams = await db.fetchall(
        "SELECT c.id FROM camera c JOIN camera_point p ON p.id = c.point_id"
        " WHERE p.host_name != '' GROUP BY p.id ORDER BY p.id LIMIT 2")
    assert len(cams) == 2
    end = utcnow()
    incident = await incidents.create_incident(db, ALICE, IncidentIn(
        case_no=f"VV-FORM-{status}", kind="theft", occurred_from=end.replace(hour=0),
        occurred_to=end, zone_code="SAMPLE-PHUMY", summary="Mất xe máy trước cổng chợ."))
    req = await requests.create_request(db, ALICE, RequestIn(
        incident_id=incident.id, reason="Xác định đối tượng",
        cameras=[{"camera_id": c["id"]} for c in cams]))
    if status != "draft":
        await requests.transition(db, ALICE, req.id, TransitionIn(to="submitted"))
        await requests.transition(db, BOB, req.id, TransitionIn(
            to=status, note="không đủ căn cứ" if status == "rejected" else ""))
    return req.id


async def _render(tmp_path: Path, config: Config, status: str) -> tuple[str, dict[str, Any]]:
    db = await open_database(config)
    try:
        if not await db.fetchval("SELECT 1 FROM zone LIMIT 1"):
            await load_sample(db, CredentialCipher(load_secrets(config.data_dir).credentials_key))
        request_id = await _request(db, status)
        context = await form_context(db, ALICE, request_id, config)
    finally:
        await db.close()
    return render_form(context), context


@pytest.fixture
def form_config(tmp_path: Path) -> Config:
    return load_config(None, {"storage": {"data_dir": str(tmp_path / "data")},
                              "evidence": {"parent_unit": "Công an TP Huế",
                                           "issuing_unit": "CÔNG AN XÃ PHÚ MỸ"}})


def _pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
@pytest.mark.parametrize(("status", "watermark"), [("approved", None), ("draft", "DỰ THẢO"),
                                                   ("rejected", "ĐÃ TỪ CHỐI")])
async def test_form_renders_to_a4_pdf_with_every_element(tmp_path: Path, form_config: Config,
                                                         status: str,
                                                         watermark: str | None) -> None:
    html, context = await _render(tmp_path, form_config, status)
    req = context["req"]
    page_file = tmp_path / "form.html"
    page_file.write_text(html, encoding="utf-8")
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page()
            await page.goto(page_file.as_uri())
            await page.emulate_media(media="print")
            facts = await page.evaluate("""() => {
              const css = (sel) => { const e = document.querySelector(sel);
                const s = getComputedStyle(e);
                return {text: e.textContent.trim(), size: parseFloat(s.fontSize),
                        weight: s.fontWeight, style: s.fontStyle, family: s.fontFamily,
                        border: s.borderBottomStyle, deco: s.textDecorationLine}; };
              const rule = [...document.styleSheets[0].cssRules]
                 .find(r => r.constructor.name === 'CSSPageRule');
              return {
                page: rule ? {size: rule.style.getPropertyValue('size'),
                              top: rule.style.marginTop, right: rule.style.marginRight,
                              bottom: rule.style.marginBottom, left: rule.style.marginLeft} : null,
                body: css('body'), qh: css('.quoc-hieu'), tn: css('.tieu-ngu'),
                parent: css('.parent-unit'), unit: css('.issuing-unit'), so: css('.so'),
                date: css('.date-line'), legal: [...document.querySelectorAll('.sheet')[0]
                   .querySelectorAll('.legal')].map(e => [e.textContent,
                   getComputedStyle(e).fontStyle]),
                sheets: [...document.querySelectorAll('.sheet')].map(s => ({
                   host: s.querySelector('.host-name').textContent,
                   text: s.textContent})),
                qr: [...document.querySelectorAll('.qr img')].every(i => i.naturalWidth > 0),
                liberation: document.fonts.check("13pt 'Liberation Serif'"),
                watermark: [...document.querySelectorAll('.watermark')].map(e => e.textContent),
              }; }""")
            pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            await browser.close()
    # A4 pages, one per host addressee
    pages = _pdf_pages(pdf)
    assert len(pages) == len(facts["sheets"]) == 2
    for width, height in pages:
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2
    assert facts["page"] == {"size": "a4", "top": "20mm", "right": "15mm", "bottom": "20mm",
                             "left": "30mm"}
    # font: Times New Roman or Liberation Serif (installed by setup)
    assert facts["body"]["family"].startswith('"Times New Roman", "Liberation Serif"')
    assert facts["liberation"] or not LIBERATION_INSTALLED
    pt = 96 / 72
    assert facts["qh"]["text"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert 12 * pt <= facts["qh"]["size"] <= 13 * pt and facts["qh"]["weight"] == "700"
    assert facts["tn"]["text"] == "Độc lập - Tự do - Hạnh phúc"
    assert 13 * pt <= facts["tn"]["size"] <= 14 * pt and facts["tn"]["weight"] == "700"
    assert facts["tn"]["border"] == "solid" or "underline" in facts["tn"]["deco"]
    assert facts["parent"]["text"] == "CÔNG AN TP HUẾ" and facts["parent"]["weight"] == "400"
    assert facts["unit"]["text"] == "CÔNG AN XÃ PHÚ MỸ" and facts["unit"]["weight"] == "700"
    assert facts["so"]["text"] == f"Số: {req.id:02d}/YC-CAX"
    assert facts["date"]["style"] == "italic"
    assert re.fullmatch(r"Phú Mỹ, ngày \d\d tháng (0[12]|[3-9]|1[0-2]) năm \d{4}",
                        facts["date"]["text"])
    legal = facts["legal"]
    assert all(style == "italic" for _, style in legal)
    assert any("91/2025/QH15" in text and "Điều 17" in text for text, _ in legal)
    assert any("Điều 107" in text for text, _ in legal)  # theft: a criminal case
    # each sheet names only its own host
    hosts = [c.host_name for c in req.cameras]
    for sheet in facts["sheets"]:
        others = [h for h in hosts if h != sheet["host"]]
        assert sheet["host"] in hosts and not any(h in sheet["text"] for h in others)
        for needle in ("NGƯỜI YÊU CẦU", "NGƯỜI PHÊ DUYỆT", "CHỦ HỘ / NGƯỜI QUẢN LÝ CAMERA",
                       "(đóng dấu)", "Nơi nhận:", "BIÊN BẢN BÀN GIAO", "Mốc neo chuỗi",
                       "Hạn dữ liệu bị ghi đè", "Mục đích:"):
            assert needle in sheet["text"], needle
    assert facts["qr"]
    assert facts["watermark"] == ([watermark] * 2 if watermark else [])
