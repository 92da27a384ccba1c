"""Tier 2's window in ``/metrics`` and ``camnet monitor status`` (budget, rate, oldest check)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from camnet.auth.principal import cli_principal
from camnet.cli import main
from camnet.config import load_config
from camnet.db import open_database
from camnet.monitor.metrics import render_metrics
from camnet.timeutil import to_iso, utcnow


def _fill(db_path: Path) -> None:
    """Ten tier-2 cameras: 4 checked 10 min ago, 2 three hours ago, 4 never; one tier 1."""
    now = utcnow()
    t0 = to_iso(now - timedelta(days=1))
    recent, stale = to_iso(now - timedelta(minutes=10)), to_iso(now - timedelta(hours=3))
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO zone(id, parent_id, level, code, name, path, created_at,"
                     " updated_at) VALUES (1, NULL, 'province', 'P', 'P', '/1/', ?, ?)", (t0, t0))
        conn.execute("INSERT INTO camera_point(id, zone_id, name, lat, lon, created_at,"
                     " updated_at) VALUES (1, 1, 'pt', 16.4, 107.5, ?, ?)", (t0, t0))
        conn.executemany("INSERT INTO camera(id, point_id, name, rtsp_url, monitor_tier,"
                         " created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)",
                         [(i, f"c{i}", f"rtsp://127.0.0.1:1/{i}", 1 if i == 11 else 2, t0, t0)
                          for i in range(1, 12)])
        grabs = [recent] * 4 + [stale] * 2 + [None] * 4 + [recent]
        conn.executemany("INSERT INTO camera_status(camera_id, last_grab_at) VALUES (?, ?)",
                         list(zip(range(1, 12), grabs, strict=True)))
    conn.close()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
                      "[monitor]\ntier2_workers = 3\ntier2_deadline_s = 6\n"
                      "tier2_max_age_s = 1800\n")
    assert CliRunner().invoke(main, ["--config", str(config), "db", "migrate"]).exit_code == 0
    _fill(tmp_path / "data" / "camnet.sqlite3")
    return config


def test_cli_shows_budget_rate_and_oldest_check(data: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(data), "monitor", "status",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["cameras"] == 10 and body["never_checked"] == 4
    assert body["checked_last_hour"] == 4
    assert body["overdue"] == 2  # the two checked three hours ago
    assert body["budget_per_hour"] == 1800  # 3 workers x 3600 s / 6 s
    assert body["needed_per_hour"] == 20  # 10 cameras every 30 minutes
    assert body["keeps_up"] is True and body["workers_needed"] == 1
    assert 3 * 3600 <= body["oldest_check_age_s"] < 4 * 3600

    table = CliRunner().invoke(main, ["--config", str(data), "monitor", "status"])
    assert table.exit_code == 0, table.output
    assert "budget / hour" in table.output and "1,800" in table.output
    assert "checked last hour" in table.output and "2 overdue" in table.output
    assert " 3 h " in table.output


def test_cli_warns_when_the_budget_cannot_cover_the_window(data: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.toml"
    small.write_text(data.read_text().replace("tier2_max_age_s = 1800", "tier2_max_age_s = 5"))
    result = CliRunner().invoke(main, ["--config", str(small), "monitor", "status"])
    assert result.exit_code == 0
    assert "raise monitor.tier2_workers to 12" in result.output  # 7,200/h x 6 s / 3,600 s


async def test_metrics_show_the_window(data: Path) -> None:
    config = load_config(data)
    db = await open_database(config)
    try:
        text = await render_metrics(db, cli_principal(), config.monitor)
    finally:
        await db.close()
    assert "camnet_tier2_needed_per_hour 20\n" in text
    assert "camnet_tier2_max_age_seconds 1800\n" in text
    assert "camnet_tier2_overdue 2\n" in text
    assert "camnet_tier2_budget_per_hour 1800\n" in text
    assert "camnet_tier2_checked_last_hour 4\n" in text
