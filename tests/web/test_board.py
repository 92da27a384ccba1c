"""The status board at scale: zone counts, problems first, filters, search, keyset pages, delta."""

from __future__ import annotations

import random
from typing import Any

from camnet.monitor.board import RANK
from camnet.web import keys
from tests.conftest import World

AT = "2026-11-20T01:00:00Z"


async def _cameras(world: World) -> list[dict[str, Any]]:
    rows = await world.app[keys.DB].fetchall(
        "SELECT c.id, c.name, p.name AS point, z.code, z.path FROM camera c"
        " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id ORDER BY c.id")
    return [dict(r) for r in rows]


async def _set_status(world: World, camera_id: int, status: str, at: str = AT) -> None:
    """What a probe cycle writes for a confirmed change: the change row and the status row."""
    async with world.app[keys.DB].transaction() as tx:
        old = await tx.fetchval("SELECT status FROM camera_status WHERE camera_id = ?", (camera_id,))
        await tx.execute("INSERT INTO status_change(camera_id, at, from_status, to_status, reason)"
                         " VALUES (?, ?, ?, ?, 'timeout')", (camera_id, at, old or "unknown", status))
        await tx.execute("INSERT INTO camera_status(camera_id, status, since, cause) VALUES (?, ?, ?,"
                         " 'timeout') ON CONFLICT(camera_id) DO UPDATE SET status = excluded.status,"
                         " since = excluded.since", (camera_id, status, at))


async def _mixed(world: World, seed: int = 7) -> dict[int, str]:
    """Give every sample camera a random status (some left without any: unknown)."""
    rng = random.Random(seed)
    statuses: dict[int, str] = {}
    for cam in await _cameras(world):
        status = rng.choice(["down", "degraded", "up", "up", "maintenance", "none"])
        if status != "none":
            await _set_status(world, cam["id"], status)
        statuses[cam["id"]] = "unknown" if status == "none" else status
    return statuses


async def _walk(world: World, who: str, query: str, per_page: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    for _ in range(100):
        url = f"/api/v1/board?per_page={per_page}{query}" + (f"&after={after}" if after else "")
        status, body = await world.call("GET", url, who)
        assert status == 200, body
        items += body["items"]
        after = body["page"]["next"]
        if after is None:
            return items
    raise AssertionError("the pages never ended")


async def test_counts_per_zone_and_drill_down(world: World) -> None:
    statuses = await _mixed(world)
    cams = {c["id"]: c for c in await _cameras(world)}
    status, body = await world.call("GET", "/api/v1/board", "admin")
    assert status == 200
    assert body["zone"]["code"] == "SAMPLE-TTH" and body["parent"] is None
    assert body["zone"]["total"] == len(statuses)
    for s in RANK:
        assert body["zone"]["counts"][s] == sum(1 for v in statuses.values() if v == s)
    assert [c["code"] for c in body["children"]] == ["SAMPLE-PV"]
    # the commune: one entry per hamlet, each its own subtree's counts
    status, body = await world.call("GET", "/api/v1/board?zone=SAMPLE-PHUMY", "admin")
    assert status == 200 and body["parent"] == "SAMPLE-PV"
    hamlets = {c["code"]: c for c in body["children"]}
    assert set(hamlets) == {"SAMPLE-PHUMY-ML", "SAMPLE-PHUMY-DC", "SAMPLE-PHUMY-PA", "SAMPLE-PHUMY-LV"}
    for code, entry in hamlets.items():
        mine = [i for i, c in cams.items() if c["code"] == code]
        assert entry["total"] == len(mine)
        assert entry["problems"] == sum(1 for i in mine if statuses[i] in ("down", "degraded"))
        for s in RANK:
            assert entry["counts"][s] == sum(1 for i in mine if statuses[i] == s)


async def test_problems_first_across_the_whole_list(world: World) -> None:
    statuses = await _mixed(world, seed=3)
    items = await _walk(world, "admin", "", per_page=1000)
    assert [i["id"] for i in items] == sorted(statuses, key=lambda i: (RANK.index(statuses[i]), i))
    assert [i["status"] for i in items] == [statuses[i["id"]] for i in items]


async def test_keyset_pages_cover_the_list_once_in_order(world: World) -> None:
    statuses = await _mixed(world, seed=11)
    whole = [i["id"] for i in await _walk(world, "admin", "", per_page=1000)]
    for per_page in (1, 4, 5, 27, 28):
        paged = [i["id"] for i in await _walk(world, "admin", "", per_page=per_page)]
        assert paged == whole
    assert len(whole) == len(statuses)


async def test_status_filters_are_the_counts(world: World) -> None:
    statuses = await _mixed(world, seed=5)
    _, body = await world.call("GET", "/api/v1/board", "admin")
    for s in RANK:
        items = await _walk(world, "admin", f"&status={s}", per_page=3)
        assert sorted(i["id"] for i in items) == sorted(i for i, v in statuses.items() if v == s)
        assert len(items) == body["zone"]["counts"][s]
    problems = await _walk(world, "admin", "&status=problems", per_page=2)
    assert [i["status"] for i in problems] == sorted((i["status"] for i in problems), key=RANK.index)
    assert len(problems) == body["zone"]["problems"]
    status, err = await world.call("GET", "/api/v1/board?status=broken", "admin")
    assert status == 422 and err["error"]["field"] == "status"


async def test_search_names_points_addresses_and_keeps_wildcards_literal(world: World) -> None:
    await _mixed(world)
    cams = await _cameras(world)
    point = cams[0]["point"]
    found = await _walk(world, "admin", f"&q={point}", per_page=5)
    assert found and all(point in i["point_name"] or point in i["name"] or point in i["zone_name"]
                         or point in i["address"] for i in found)
    assert {c["id"] for c in cams if c["point"] == point} <= {i["id"] for i in found}
    assert await _walk(world, "admin", "&q=%25", per_page=5) == []
    # a search matching many: same problems-first order, paged by key
    everything = [i["id"] for i in await _walk(world, "admin", "", per_page=1000)]
    for per_page in (1, 4, 1000):
        assert [i["id"] for i in await _walk(world, "admin", "&q=SAMPLE-PHUMY", per_page)] == everything
    downs = await _walk(world, "admin", "&q=SAMPLE-PHUMY&status=problems", per_page=2)
    assert {i["status"] for i in downs} <= {"down", "degraded"}
    _, body = await world.call("GET", f"/api/v1/board?q={point}", "admin")
    assert body["zone"]["total"] == len(found)  # counts follow the search


async def test_viewer_sees_only_the_hamlet(world: World) -> None:
    await _mixed(world)
    hamlet = {c["id"] for c in await _cameras(world) if c["code"] == "SAMPLE-PHUMY-ML"}
    items = await _walk(world, "xem", "", per_page=2)
    assert {i["id"] for i in items} == hamlet
    _, body = await world.call("GET", "/api/v1/board", "xem")
    assert body["zone"]["code"] == "SAMPLE-PHUMY-ML" and body["parent"] is None  # no way up
    status, err = await world.call("GET", "/api/v1/board?zone=SAMPLE-PHUMY", "xem")
    assert status == 404 and err["error"]["field"] == "zone"
    status, body = await world.call("GET", "/api/v1/board", "other")
    assert status == 200 and body["items"] == [] and body["zone"]["total"] == 0


async def test_bad_cursor_is_refused(world: World) -> None:
    for bad in ("up", "x:1", "down:-1", "down:1e5", "down:" + "9" * 30):
        status, err = await world.call("GET", f"/api/v1/board?after={bad}", "admin")
        assert status == 422 and err["error"]["field"] == "after", bad


async def test_delta_returns_changed_cameras_of_the_zone_only(world: World) -> None:
    cams = await _cameras(world)
    in_hamlet = next(c["id"] for c in cams if c["code"] == "SAMPLE-PHUMY-ML")
    elsewhere = next(c["id"] for c in cams if c["code"] != "SAMPLE-PHUMY-ML")
    cursors = {}
    for who in ("admin", "xem", "other"):
        _, body = await world.call("GET", "/api/v1/board", who)
        cursors[who] = body["cursor"]
    await _set_status(world, in_hamlet, "down")
    await _set_status(world, elsewhere, "degraded")
    status, admin = await world.call("GET", f"/api/v1/board/changes?since={cursors['admin']}", "admin")
    assert status == 200 and not admin["reload"]
    assert {i["id"]: i["status"] for i in admin["items"]} == {in_hamlet: "down", elsewhere: "degraded"}
    assert admin["zone"]["counts"]["down"] == 1 and admin["zone"]["problems"] == 2
    assert all(i["status_text"] and i["since_text"] for i in admin["items"])
    _, viewer = await world.call("GET", f"/api/v1/board/changes?since={cursors['xem']}", "xem")
    assert [i["id"] for i in viewer["items"]] == [in_hamlet]
    assert viewer["zone"]["problems"] == 1
    _, other = await world.call("GET", f"/api/v1/board/changes?since={cursors['other']}", "other")
    assert other["items"] == [] and other["zone"]["total"] == 0
    # drill-down scoping of the delta: a hamlet of the admin's scope
    _, dc = await world.call("GET", f"/api/v1/board/changes?since={cursors['admin']}"
                             "&zone=SAMPLE-PHUMY-ML", "admin")
    assert [i["id"] for i in dc["items"]] == [in_hamlet]
    # nothing new since the returned cursor
    _, again = await world.call("GET", f"/api/v1/board/changes?since={admin['cursor']}", "admin")
    assert again["items"] == [] and again["cursor"] == admin["cursor"]
    status, err = await world.call("GET", "/api/v1/board/changes?since=0&zone=SAMPLE-PHUMY", "xem")
    assert status == 404
    status, err = await world.call("GET", "/api/v1/board/changes", "admin")
    assert status == 422 and err["error"]["field"] == "since"


async def test_delta_asks_for_a_reload_after_many_changes(world: World) -> None:
    from camnet.monitor import board

    cams = await _cameras(world)
    _, body = await world.call("GET", "/api/v1/board", "admin")
    old, board.MAX_DELTA = board.MAX_DELTA, 3
    try:
        for c in cams[:5]:
            await _set_status(world, c["id"], "down")
        _, delta = await world.call("GET", f"/api/v1/board/changes?since={body['cursor']}", "admin")
    finally:
        board.MAX_DELTA = old
    assert delta["reload"] is True and delta["items"] == []


async def test_board_page_without_javascript(world: World) -> None:
    statuses = await _mixed(world, seed=2)
    status, html = await world.call("GET", "/?per_page=5", "admin")
    assert status == 200
    assert html.count('class="cam"') == 5
    assert 'href="/?after=' in html and "per_page=5" in html  # the next page keeps its size
    assert 'href="/?zone=SAMPLE-PV&amp;per_page=5"' in html  # drill down
    assert 'href="/?status=down&amp;per_page=5"' in html and 'href="/?status=problems&amp;per_page=5"' in html
    first_down = min(i for i, v in statuses.items() if v == "down")
    assert f'data-camera="{first_down}" data-status="down"' in html
    status, html = await world.call("GET", "/?status=up&zone=SAMPLE-PHUMY&q=%3Cb%3E", "admin")
    assert status == 200 and "&lt;b&gt;" in html and "<b>" not in html.split("board-search")[1][:400]
    status, _ = await world.call("GET", "/?after=nonsense", "admin")
    assert status == 422


async def test_camera_without_stream_reads_not_monitored(world: World) -> None:
    cam = (await _cameras(world))[0]
    async with world.app[keys.DB].transaction() as tx:
        await tx.execute("UPDATE camera SET rtsp_url = '' WHERE id = ?", (cam["id"],))
    status, body = await world.call("GET", f"/api/v1/board?q={cam['name']}", "admin")
    assert status == 200, body
    mine = [c for c in body["items"] if c["id"] == cam["id"]]
    assert mine and mine[0]["monitored"] is False
    status, html = await world.call("GET", "/", "admin")
    assert status == 200 and "không giám sát (chưa có địa chỉ luồng)" in html
