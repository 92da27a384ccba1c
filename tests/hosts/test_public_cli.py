"""``camnet status-page``: enable, disable, list, notices, against a real database."""

from __future__ import annotations

from tests.conftest import CamnetCli


def test_status_page_commands(camnet_cli: CamnetCli) -> None:
    run = camnet_cli

    run("sample", "load")
    assert "enabled at /trang-thai/SAMPLE-PHUMY" in run("status-page", "enable", "SAMPLE-PHUMY")
    assert "on  SAMPLE-PHUMY " in run("status-page", "list")
    assert "[zone]" in run("status-page", "enable", "NOPE", code=1)
    assert "commune or a hamlet" in run("status-page", "enable", "SAMPLE-PV", code=1)
    out = run("status-page", "notice", "add", "SAMPLE-PHUMY",
              "Mất điện khu vực thôn Mỹ Lợi, đang khắc phục", "--until", "2099-01-01T18:00")
    assert out.startswith("notice #1 on SAMPLE-PHUMY") and "01/01/2099 18:00" in out
    assert "[ends_at]" in run("status-page", "notice", "add", "SAMPLE-PHUMY", "x",
                              "--until", "soon", code=1)
    assert "Mất điện" in run("status-page", "notice", "list", "SAMPLE-PHUMY")
    assert "ended at" in run("status-page", "notice", "end", "1")
    assert "deleted" in run("status-page", "notice", "delete", "1")
    assert "disabled" in run("status-page", "disable", "SAMPLE-PHUMY")
    assert "off SAMPLE-PHUMY " in run("status-page", "list")
