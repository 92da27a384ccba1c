"""Every form a page posts to, given junk by every role: a page or a refusal, never a 500.

The API is fuzzed from its OpenAPI schema (``test_fuzz_api.py``); the server-rendered forms
have no schema, so this walks the app's own route table: every non-API ``POST`` route, with
its ``{id}`` placeholders filled by real, foreign, huge and malformed ids, and form bodies of
missing, empty, wrong-type, oversized, control-character and Unicode values.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import World
from tests.web.test_login import _csrf, _login

JUNK = ("", " ", "0", "-1", "1e309", "NaN", "9" * 40, "x" * 5000, "\x00", "<script>",
        "2026-13-45T99:99", "' OR 1=1 --", "Ω≈ç√∫", "../../etc/passwd", "true", "[]")
FIELDS = ("name", "code", "zone", "zone_code", "parent_code", "level", "point_id", "camera",
          "camera_id", "rtsp_url", "username", "password", "role", "full_name", "reason",
          "note", "to", "step", "handed_over_to", "case_no", "kind", "occurred_from",
          "occurred_to", "summary", "lat", "lon", "azimuth_deg", "fov_deg", "range_m",
          "retention_days", "starts_at", "ends_at", "target", "target_id", "weekly",
          "repeat_until", "confirm", "status", "q", "address", "host_name", "host_phone",
          "token_id", "expires_days", "action", "from_1", "to_1", "file", "next", "lang")
IDS = ("1", "2", "999999", "0", "-5", "abc", "1.5", "9" * 30)


def _post_routes(world: World) -> list[str]:
    """Every page route that accepts POST (not the API; not log-in/out, which end the session)."""
    found = set()
    for resource in world.app.router.resources():
        info = resource.get_info()
        path = info.get("formatter") or info.get("path")
        if not path or path.startswith(("/api/", "/static")) or path in ("/login", "/logout"):
            continue
        if any(route.method == "POST" for route in resource):
            found.add(path)
    return sorted(found)


def _fill(template: str, ident: str) -> str:
    return re.sub(r"\{[^}]+\}", ident, template)


@pytest.mark.parametrize("user", ["canbo", "xem", "admin"])
async def test_junk_in_every_form_is_never_a_server_error(world: World, user: str) -> None:
    routes = _post_routes(world)
    assert len(routes) > 15, routes  # the walk found the forms
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, user, "camnet-demo") == 303
    csrf = await _csrf(world.client, "/")
    # hypothesis draws the cases (a sync test body); the async client then posts each one
    checks: list[tuple[str, dict[str, str]]] = []

    @settings(max_examples=300, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(route=st.sampled_from(routes), ident=st.sampled_from(IDS),
           body=st.dictionaries(st.sampled_from(FIELDS),
                                st.one_of(st.sampled_from(JUNK), st.text(max_size=30)),
                                max_size=8))
    def draw(route: str, ident: str, body: dict[str, str]) -> None:
        checks.append((_fill(route, ident), body))

    draw()
    failures: list[str] = []
    statuses: dict[int, int] = {}
    for path, body in checks:
        resp = await world.client.post(path, data={"csrf": csrf, **body}, allow_redirects=False)
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
        assert not resp.headers.get("Location", "").startswith("/login"), (path, body)
        if resp.status >= 500:
            failures.append(f"{resp.status} POST {path} {sorted(body)}")
    assert not failures, failures[:10]
    if user != "xem":  # the junk reached the forms' validation, not only the doors
        assert statuses.get(422, 0) + statuses.get(400, 0) > 20, statuses


QUERY = ("page", "per_page", "status", "zone", "q", "since", "until", "actor", "action", "entity",
         "entity_id", "period", "lang", "next", "all", "cursor", "after", "kind", "done", "filter")


@pytest.mark.parametrize("user", ["canbo", "admin"])
async def test_junk_in_every_page_query_is_never_a_server_error(world: World, user: str) -> None:
    pages = []
    for resource in world.app.router.resources():
        info = resource.get_info()
        path = info.get("formatter") or info.get("path")
        if path and not path.startswith(("/api/", "/static")) and path != "/logout" and any(
                route.method == "GET" for route in resource):
            pages.append(path)
    assert len(pages) > 20, pages
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, user, "camnet-demo") == 303
    checks: list[tuple[str, dict[str, str]]] = []

    @settings(max_examples=300, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(route=st.sampled_from(sorted(pages)), ident=st.sampled_from(IDS),
           query=st.dictionaries(st.sampled_from(QUERY),
                                 st.one_of(st.sampled_from(JUNK[:-2]), st.text(max_size=20)),
                                 max_size=5))
    def draw(route: str, ident: str, query: dict[str, str]) -> None:
        checks.append((_fill(route, ident), query))

    draw()
    failures = []
    for path, query in checks:
        resp = await world.client.get(path, params=query, allow_redirects=False)
        if resp.status >= 500:
            failures.append(f"{resp.status} GET {path} {query}")
    assert not failures, failures[:10]
