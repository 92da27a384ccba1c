"""No English on Vietnamese pages: every page of a full workflow, as each role, scanned.

Rendered pages (Vietnamese, the default) are stripped of scripts, styles, code and markup;
the visible text and the attributes people read (title, placeholder, aria-label, alt, button
values) are scanned for common English words. A word that is English in both languages
(``camnet``, ``RTSP``, ``CSV``…) never appears in :data:`ENGLISH`; user data (sample names)
is Vietnamese. A hit names the page and the sentence around it.
"""

from __future__ import annotations

import html
import re

import pytest

from camnet.auth.principal import cli_principal
from camnet.demo_case import seed_sample_case
from camnet.hosts import public_store
from camnet.web import keys
from tests.conftest import World
from tests.web.test_login import _csrf, _login

ENGLISH = frozenset("""
the not found invalid must cannot can request requests error errors required submitted
approved rejected draft status down degraded unknown maintenance save delete edit cancel
login logout password user users zone zones point points none true false null this that
may should please select choose search filter next previous yes no and with from your
you are is was were has have been will would could there their which what when where who
why how all any some only more less than then also into over under about after before
between during without within outside inside again back forbidden unauthorized method
allowed conflict missing field value values number characters line lines file files
upload download view views page pages home board map alerts audit registry incident
incidents cameras host hosts deadline overwrite overwritten window windows hours
minutes seconds days day hour minute second today yesterday left extracted handed over
unavailable reason note notes history evidence custody item items role roles
commander officer investigator viewer active disabled enabled created updated changed
""".split())
ATTRS = re.compile(r'\b(?:title|placeholder|aria-label|alt)="([^"]*)"')
BUTTON_VALUES = re.compile(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"')
DROP = re.compile(r"<(script|style|code|pre|svg)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[A-Za-z]+")


def english_in(page: str) -> list[str]:
    """Sentences of a rendered page that contain common English words."""
    readable = ATTRS.findall(page) + BUTTON_VALUES.findall(page)
    body = TAG.sub("\n", DROP.sub(" ", page))
    hits = []
    for chunk in [*body.split("\n"), *readable]:
        text = html.unescape(chunk).strip()
        words = {w.lower() for w in WORD.findall(text)} & ENGLISH
        if words:
            hits.append(f"{sorted(words)}: {text[:100]}")
    return hits


def test_the_scanner_finds_english() -> None:
    assert english_in("<p>Not Found</p>")
    assert english_in('<input placeholder="Search cameras">')
    assert not english_in("<p>Không tìm thấy</p><script>var status = 'down';</script>")
    assert not english_in("<code>rtsp://127.0.0.1/cam</code><p>Camera RTSP · camnet</p>")


async def _pages_of_a_workflow(world: World) -> dict[str, list[str]]:
    """Role → the paths a full day of that role shows (ids from a real sample case)."""
    db, config = world.app[keys.DB], world.app[keys.CONFIG]
    request_id = await seed_sample_case(db, config)
    await public_store.set_enabled(db, cli_principal(), "SAMPLE-PHUMY", True)
    camera = int(await db.fetchval("SELECT MIN(id) FROM camera"))
    point = int(await db.fetchval("SELECT point_id FROM camera WHERE id = ?", (camera,)))
    incident = int(await db.fetchval("SELECT MIN(id) FROM incident"))
    common = ["/home", "/", "/?status=down", "/?status=degraded", "/alerts", "/map",
              "/registry", f"/cameras/{camera}", f"/points/{point}", "/incidents",
              "/no-such-page"]
    work = [f"/incidents/{incident}", "/requests", "/requests?status=submitted",
            f"/requests/{request_id}", f"/requests/{request_id}/form", "/requests/at-risk",
            "/maintenance"]
    edit = ["/points/new", "/cameras/new", f"/cameras/{camera}/edit", f"/points/{point}/edit",
            "/maintenance/new", "/registry/import", "/ho-so-dang-ky"]
    return {"xem": [*common, "/users"],  # a viewer refused: the 403 page too
            "canbo": [*common, *work, *edit],
            "chihuy": [*common, *work, "/audit"],
            "admin": [*common, *work, *edit, "/users", "/audit", "/zones/new"]}


@pytest.mark.parametrize("anonymous", ["/login", "/dang-ky", "/trang-thai/SAMPLE-PHUMY"])
async def test_public_pages_have_no_english(world: World, anonymous: str) -> None:
    await _pages_of_a_workflow(world)
    world.client.session.cookie_jar.clear()
    page = await (await world.client.get(anonymous)).text()
    assert not english_in(page), (anonymous, english_in(page)[:5])


async def test_every_page_of_every_role_has_no_english(world: World) -> None:
    found: dict[str, list[str]] = {}
    for user, paths in (await _pages_of_a_workflow(world)).items():
        world.client.session.cookie_jar.clear()
        assert await _login(world.client, user, "camnet-demo") == 303
        for path in paths:
            resp = await world.client.get(path)
            assert resp.status < 500, (user, path)
            hits = english_in(await resp.text())
            if hits:
                found[f"{user} {path} ({resp.status})"] = hits[:4]
    assert not found, found


async def test_refusals_and_form_errors_have_no_english(world: World) -> None:
    await _pages_of_a_workflow(world)
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "canbo", "camnet-demo") == 303
    csrf = await _csrf(world.client, "/")
    request_id = int(await world.app[keys.DB].fetchval("SELECT MIN(id) FROM extraction_request"))
    posts = {  # a 409 step, a 403 step, a 422 form, a duplicate, a 405 by GET of a POST route
        f"/requests/{request_id}/transition": {"to": "extracted"},
        f"/requests/{request_id}/transition#approve": {"to": "approved", "confirm": "yes"},
        "/points/new": {"name": "", "zone_code": "SAMPLE-PHUMY-ML"},
        "/incidents": {"case_no": "MAU-2026-001", "kind": "theft", "zone_code": "SAMPLE-PHUMY",
                       "occurred_from": "2026-11-20T07:30", "occurred_to": "2026-11-20T08:00"},
    }
    found = {}
    for path, data in posts.items():
        resp = await world.client.post(path.split("#")[0], data={"csrf": csrf, **data})
        assert 400 <= resp.status < 500, (path, resp.status)
        hits = english_in(await resp.text())
        if hits:
            found[f"{path} ({resp.status})"] = hits[:4]
    resp = await world.client.get(f"/requests/{request_id}/transition")
    hits = english_in(await resp.text())
    if hits:
        found[f"GET transition ({resp.status})"] = hits[:4]
    assert not found, found
