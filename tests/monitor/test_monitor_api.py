"""Monitor through the API and CLI: probe now, status, snapshot, uptime, maintenance, webhook."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from click.testing import CliRunner

from camnet.cli import main
from camnet.monitor.notify import Notifier, WebhookChannel
from camnet.testing.camsim import Simulator
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from tests.conftest import World

API = "/api/v1"


async def _sample_camera(world: World, n: int = 0) -> dict[str, Any]:
    _, cams = await world.call("GET", f"{API}/cameras?zone=SAMPLE-PHUMY-ML&per_page=10", "admin")
    return cams["items"][n]  # type: ignore[no-any-return]


async def test_probe_now_status_and_snapshot(world: World, camsim: Simulator) -> None:
    cam = await _sample_camera(world)
    status, patched = await world.call("PATCH", f"{API}/cameras/{cam['id']}", "canbo",
                                       json={"rtsp_url": camsim.url("normal")})
    assert status == 200 and patched["rtsp_url"] == camsim.url("normal")
    status, run = await world.call("POST", f"{API}/monitor/run", "canbo",
                                   json={"camera_id": cam["id"]})
    assert status == 200, run
    assert run["cameras"] == 1 and run["completed"] == 1 and run["grabbed"] == 1
    status, state = await world.call("GET", f"{API}/cameras/{cam['id']}/status", "xem")
    assert status == 200
    assert state["current"]["status"] == "up" and state["has_snapshot"]
    assert state["changes"][0]["to_status"] == "up"
    resp = await world.client.get(f"{API}/cameras/{cam['id']}/snapshot", headers=world.auth("xem"))
    assert resp.status == 200 and resp.content_type == "image/jpeg"
    assert (await resp.read())[:2] == b"\xff\xd8"
    _, listed = await world.call("GET", f"{API}/cameras?status=up", "admin")
    assert [c["id"] for c in listed["items"]] == [cam["id"]]
    _, cycles = await world.call("GET", f"{API}/monitor/cycles", "admin")
    assert cycles["items"][0]["cameras"] == 1 and cycles["items"][0]["completed"] == 1
    # a cycle covers every zone: a hamlet viewer sees when it ran, not its counts
    _, seen = await world.call("GET", f"{API}/monitor/cycles", "xem")
    assert set(seen["items"][0]) == {"id", "started_at", "finished_at", "duration_ms"}
    # the board shows it
    text = await (await world.client.get("/", headers=world.auth("xem"))).text()
    assert cam["name"] in text


async def test_run_validates_scope(world: World) -> None:
    cam = await _sample_camera(world)
    status, _ = await world.call("POST", f"{API}/monitor/run", "other",
                                 json={"camera_id": cam["id"]})
    assert status == 404
    status, err = await world.call("POST", f"{API}/monitor/run", "canbo", json={"zone": "NOPE"})
    assert status == 404 and err["error"]["field"] == "zone"


async def _outage(world: World, camera_id: int, start: Any, end: Any | None,
                  cause: str = "timeout") -> None:
    async with world.app[keys.DB].transaction() as tx:
        await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                         " VALUES (?, ?, ?, ?)",
                         (camera_id, to_iso(start), to_iso(end) if end else None, cause))


async def _backdate(world: World, hours: float, *, watched: bool = True) -> None:
    """Register every camera ``hours`` ago and (by default) say the monitor watched since."""
    since, now = to_iso(utcnow() - timedelta(hours=hours)), to_iso(utcnow() + timedelta(hours=1))
    async with world.app[keys.DB].transaction() as tx:
        await tx.execute("UPDATE camera SET created_at = ?", (since,))
        if watched:
            await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                             " SELECT id, ?, ? FROM camera", (since, now))


async def test_uptime_from_outages_minus_maintenance(world: World) -> None:
    await _backdate(world, 24 * 40)
    cam = await _sample_camera(world)
    now = utcnow()
    # 6 h down yesterday, of which 2 h were announced maintenance; 1 h down 3 days ago
    await _outage(world, cam["id"], now - timedelta(hours=20), now - timedelta(hours=14))
    await _outage(world, cam["id"], now - timedelta(days=3, hours=1), now - timedelta(days=3))
    status, _ = await world.call("POST", f"{API}/cameras/{cam['id']}/maintenance", "canbo", json={
        "starts_at": to_iso(now - timedelta(hours=16)), "ends_at": to_iso(now - timedelta(hours=14)),
        "reason": "thay nguồn"})
    assert status == 201
    _, day = await world.call("GET", f"{API}/uptime?period=24h&zone=SAMPLE-PHUMY-ML", "xem")
    row = next(i for i in day["items"] if i["key"] == str(cam["id"]))
    assert row["down_s"] == pytest.approx(4 * 3600, abs=5)
    assert row["maintenance_s"] == pytest.approx(2 * 3600, abs=5)
    assert row["uptime_pct"] == pytest.approx(100 * (1 - 4 / 22), abs=0.01)
    _, week = await world.call("GET", f"{API}/uptime?period=7d&zone=SAMPLE-PHUMY-ML", "xem")
    row = next(i for i in week["items"] if i["key"] == str(cam["id"]))
    assert row["down_s"] == pytest.approx(5 * 3600, abs=5) and row["outages"] == 2
    _, month = await world.call("GET", f"{API}/uptime?period=30d&group=zone", "admin")
    zones = {i["key"]: i for i in month["items"]}
    assert zones["SAMPLE-PHUMY-ML"]["down_s"] == pytest.approx(5 * 3600, abs=5)
    assert zones["SAMPLE-PHUMY-DC"]["uptime_pct"] == 100.0
    # a custom window in local time (no offset = Asia/Ho_Chi_Minh)
    start = (now - timedelta(days=3, hours=2) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S")
    end = (now - timedelta(days=2) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S")
    _, custom = await world.call("GET", f"{API}/uptime?from={start}&to={end}&group=point"
                                 "&zone=SAMPLE-PHUMY-ML", "xem")
    point = next(i for i in custom["items"] if i["key"] == str(cam["point_id"]))
    assert point["down_s"] == pytest.approx(3600, abs=5)
    status, err = await world.call("GET", f"{API}/uptime?from=2026-11-02&to=2026-11-01", "xem")
    assert status == 422 and err["error"]["field"] == "to"


async def test_open_outage_counts_until_now(world: World) -> None:
    await _backdate(world, 48)
    cam = await _sample_camera(world)
    await _outage(world, cam["id"], utcnow() - timedelta(hours=3), None)
    _, day = await world.call("GET", f"{API}/uptime?period=24h", "admin")
    row = next(i for i in day["items"] if i["key"] == str(cam["id"]))
    assert row["down_s"] == pytest.approx(3 * 3600, abs=5)


async def test_no_data_is_never_up(world: World) -> None:
    await _backdate(world, 48, watched=False)
    cam = await _sample_camera(world)
    now = utcnow()
    async with world.app[keys.DB].transaction() as tx:  # watched 6 h of the last 24 h
        await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                         " VALUES (?, ?, ?)", (cam["id"], to_iso(now - timedelta(hours=10)),
                                               to_iso(now - timedelta(hours=4))))
    await _outage(world, cam["id"], now - timedelta(hours=12), now - timedelta(hours=8))
    _, day = await world.call("GET", f"{API}/uptime?period=24h", "admin")
    row = next(i for i in day["items"] if i["key"] == str(cam["id"]))
    assert row["down_s"] == pytest.approx(2 * 3600, abs=5)  # only the watched part of it
    assert row["no_data_s"] == pytest.approx(18 * 3600, abs=5)
    assert row["watched_pct"] == pytest.approx(25.0, abs=0.01)
    assert row["uptime_pct"] == pytest.approx(100 * 4 / 6, abs=0.01)
    others = [i for i in day["items"] if i["key"] != str(cam["id"])]
    assert others and all(i["uptime_pct"] is None and i["watched_pct"] == 0 for i in others)


async def test_degraded_time_is_reachable_but_not_usable(world: World) -> None:
    await _backdate(world, 48)
    cam = await _sample_camera(world)
    now = utcnow()
    async with world.app[keys.DB].transaction() as tx:
        for at, frm, to in ((now - timedelta(hours=30), "unknown", "up"),
                            (now - timedelta(hours=6), "up", "degraded"),
                            (now - timedelta(hours=3), "degraded", "up")):
            await tx.execute("INSERT INTO status_change(camera_id, at, from_status, to_status)"
                             " VALUES (?, ?, ?, ?)", (cam["id"], to_iso(at), frm, to))
    _, day = await world.call("GET", f"{API}/uptime?period=24h", "admin")
    row = next(i for i in day["items"] if i["key"] == str(cam["id"]))
    assert row["degraded_s"] == pytest.approx(3 * 3600, abs=5)
    assert row["uptime_pct"] == 100.0
    assert row["usable_pct"] == pytest.approx(100 * 21 / 24, abs=0.01)


def test_report_uptime_cli(tmp_path: Path) -> None:
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(config), "sample", "load"]).exit_code == 0
    for fmt in ("table", "csv", "json"):
        result = runner.invoke(main, ["--config", str(config), "report", "uptime", "--zone",
                                      "SAMPLE-PHUMY-ML", "--period", "7d", "--format", fmt])
        assert result.exit_code == 0, result.output
        if fmt == "json":
            body = json.loads(result.output)
            assert body["group"] == "camera" and len(body["items"]) == 6
        elif fmt == "csv":
            assert result.output.splitlines()[0].startswith("key,label,zone_code")
        else:
            assert "overall" in result.output
    result = runner.invoke(main, ["--config", str(config), "report", "uptime", "--zone", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output


def test_probe_cli_prints_a_table(tmp_path: Path, camsim: Simulator) -> None:
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
                      '[monitor]\ntimeout_s = 1.0\n')
    runner = CliRunner()
    base = ["--config", str(config)]
    assert runner.invoke(main, [*base, "sample", "load"]).exit_code == 0
    result = runner.invoke(main, [*base, "probe", "--zone", "SAMPLE-PHUMY-ML", "--no-frames"])
    assert result.exit_code == 0, result.output
    assert "6/6 cameras" in result.output and "point / camera" in result.output
    result = runner.invoke(main, [*base, "probe", "--camera", "99999"])
    assert result.exit_code == 1


async def test_webhook_gets_confirmed_changes(world: World, camsim: Simulator) -> None:
    got: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        got.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        import aiohttp

        async with aiohttp.ClientSession() as session:
            service = world.app[keys.MONITOR]
            service.notifier = Notifier([WebhookChannel(session, str(server.make_url("/hook")), 2)])
            cam = await _sample_camera(world)
            await world.call("PATCH", f"{API}/cameras/{cam['id']}", "admin",
                             json={"rtsp_url": camsim.blackhole_urls[0]})
            service.config = service.config.model_copy(update={"timeout_s": 0.3, "down_after": 2})
            for _ in range(2):
                await service.run_cycle(camera_ids=[cam["id"]], spread_s=0, tier2=False)
            await service.notifier.drain()
    finally:
        await server.close()
    events = [e for body in got for e in body["events"]]
    assert [(e["from_status"], e["to_status"], e["reason"]) for e in events] == [
        ("unknown", "down", "timeout")]
    assert events[0]["camera"] == cam["name"] and events[0]["zone_code"] == "SAMPLE-PHUMY-ML"
    assert "password" not in json.dumps(got)


async def test_webhook_failure_never_breaks_a_cycle(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    import aiohttp

    from camnet.monitor.notify import StatusEvent

    received: list[Any] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    async with TestServer(receiver, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        dead = WebhookChannel(session, "http://hook:s3cr3t-token@127.0.0.1:9/nothing-listens", 0.5)
        live = WebhookChannel(session, str(server.make_url("/hook")), 5)
        notifier = Notifier([dead, live])
        event = StatusEvent(1, "c", "p", "z", "up", "down", to_iso(utcnow()), "timeout")
        notifier.publish([event])  # returns at once: delivery runs in the background
        assert received == []
        await asyncio.wait_for(notifier.drain(), 5)
    assert [e["to_status"] for body in received for e in body["events"]] == ["down"]
    assert "webhook failed" in caplog.text  # the dead one is reported...
    assert "s3cr3t-token" not in caplog.text  # ...without its credentials


async def test_prometheus_metrics(world: World, camsim: Simulator) -> None:
    cam = await _sample_camera(world)
    await world.call("PATCH", f"{API}/cameras/{cam['id']}", "admin",
                     json={"rtsp_url": camsim.url("black")})
    for _ in range(3):  # a bad picture is confirmed by a second sample, then judged
        await world.call("POST", f"{API}/monitor/run", "canbo", json={"camera_id": cam["id"]})
    resp = await world.client.get(f"{API}/metrics", headers=world.auth("xem"))
    assert resp.status == 200 and resp.content_type == "text/plain"
    text = await resp.text()
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    assert lines['camnet_cameras{status="degraded"}'] == "1"
    assert lines['camnet_cameras{status="unknown"}'] == "5"  # the hamlet's other cameras
    assert lines['camnet_probe_result{result="up"}'] == "1"
    assert lines['camnet_picture{health="black"}'] == "1"
    assert "camnet_probe_cycles_total" not in lines  # whole-service numbers: admin only
    admin = await (await world.client.get(f"{API}/metrics", headers=world.auth("admin"))).text()
    admin_lines = dict(line.rsplit(" ", 1) for line in admin.splitlines() if not line.startswith("#"))
    assert admin_lines["camnet_probe_cycles_total"] == "3"
    assert admin_lines['camnet_probe_cycle_cameras{what="completed"}'] == "1"
    assert (await world.client.get(f"{API}/metrics")).status == 401
