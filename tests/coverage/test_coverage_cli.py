"""``camnet who-saw`` and ``camnet coverage`` against a real database in a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from camnet.cli import main
from camnet.coverage.geometry import destination

POINT_01 = (16.512111, 107.652652)  # sample "Điểm 01 — Ngã ba chợ", camera looks at 135°


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[monitor]\nenabled = false\n')
    runner = CliRunner()

    def run(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(main, ["--config", str(config), *args])
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return run


def test_who_saw_and_coverage_commands(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("sample", "load")
    lat, lon = destination(*POINT_01, 135, 15)
    out = cli("who-saw", str(lat), str(lon), "2026-11-20T07:30", "2026-11-20T08:00").output
    assert "Ngã ba chợ" in out and "no_data" in out and "20/11/2026 07:30" in out
    answer = json.loads(cli("who-saw", str(lat), str(lon), "2026-11-20T07:30", "2026-11-20T08:00",
                            "--json").output)
    assert answer["cameras"] and all(c["status"]["state"] == "no_data" for c in answer["cameras"])
    assert "latitude" in cli("who-saw", "200", str(lon), "2026-11-20T07:30", "2026-11-20T08:00",
                             code=1).output
    streets = tmp_path / "streets.geojson"
    streets.write_text(json.dumps({"type": "LineString", "coordinates": [[lon - 0.001, lat],
                                                                         [lon + 0.001, lat]]}))
    assert "imported 1 street" in cli("coverage", "import-streets", "SAMPLE-PHUMY", str(streets)).output
    keypoints = tmp_path / "kp.geojson"
    keypoints.write_text(json.dumps({"type": "Feature", "properties": {"name": "Chợ Phú Mỹ"},
                                     "geometry": {"type": "Point", "coordinates": [lon, lat]}}))
    cli("coverage", "import-keypoints", "SAMPLE-PHUMY", str(keypoints))
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "Point", "coordinates": [lon, lat]}))
    assert "LineString" in cli("coverage", "import-streets", "SAMPLE-PHUMY", str(bad), code=1).output
    report = cli("coverage", "report", "SAMPLE-PHUMY").output
    assert "SAMPLE-PHUMY" in report and "key points: 0/1" in report  # nothing is up yet
    assert "uncovered: Chợ Phú Mỹ" in report and "area:" in report
    out_file = tmp_path / "cov.geojson"
    cli("coverage", "export", "SAMPLE-PHUMY", "-o", str(out_file))
    data = json.loads(out_file.read_text())
    assert any(f["properties"]["kind"] == "sector" for f in data["features"])


def test_set_view_makes_an_annulus(cli) -> None:  # type: ignore[no-untyped-def]
    cli("sample", "load")
    near = destination(*POINT_01, 135, 5)
    before = json.loads(cli("who-saw", str(near[0]), str(near[1]), "2026-11-20T07:30",
                            "2026-11-20T08:00", "--tolerance", "0", "--json").output)
    cam = next(c for c in before["cameras"] if "Ngã ba chợ" in c["point"])["camera_id"]
    cli("coverage", "set-view", str(cam), "--min-range", "10", "--height", "4")
    later = json.loads(cli("who-saw", str(near[0]), str(near[1]), "2030-01-01T07:30",
                           "2030-01-01T08:00", "--tolerance", "0", "--json").output)
    assert cam not in {c["camera_id"] for c in later["cameras"]}  # 5 m is now in the blind zone
    again = json.loads(cli("who-saw", str(near[0]), str(near[1]), "2026-11-20T07:30",
                           "2026-11-20T08:00", "--tolerance", "0", "--json").output)
    assert cam in {c["camera_id"] for c in again["cameras"]}  # the old geometry still answers the past
    assert "min_range_m" in cli("coverage", "set-view", str(cam), "--min-range", "500", code=1).output


def test_osm_export_has_tags_and_no_host_details(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("sample", "load")
    out = tmp_path / "osm.geojson"
    cli("coverage", "export-osm", "SAMPLE-PHUMY", "-o", str(out))
    text = out.read_text("utf-8")
    data = json.loads(text)
    assert len(data["features"]) == 28
    tags = next(f["properties"] for f in data["features"] if "Ngã ba chợ" in f["properties"]["name"])
    assert tags["man_made"] == "surveillance" and tags["surveillance:type"] == "camera"
    assert tags["camera:direction"] == "135" and tags["camnet:fov"] == "100" and tags["camnet:range"] == "60"
    assert "rtsp" not in text and "0900 000" not in text and "h\u01b0 c\u1ea5u" not in text
    assert "Nguyễn Văn An" not in text and "operator" not in text
