"""Config loading: strict keys, clear errors, every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from camnet.cli import main
from camnet.config import ConfigError, iter_setting_names, load_config

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_is_the_defaults() -> None:
    config = load_config(ROOT / "config" / "camnet.toml")
    defaults = load_config(None)
    assert config.model_dump(exclude={"storage"}) == defaults.model_dump(exclude={"storage"})
    assert config.data_dir == ROOT / "data"


def test_unknown_key_names_file_key_and_allowed(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[monitor]\nintervall_s = 5\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert str(path) in text and "monitor.intervall_s" in text and "interval_s" in text


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[server]\nport = 70000\n", "server.port"),
        ("[ui]\ntimezone = 'Mars/Base'\n", "ui.timezone"),
        ("[ui]\nlanguage = 'fr'\n", "ui.language"),
        ("[monitor]\ndown_after = 0\n", "monitor.down_after"),
        ("[monitor]\ndeny_networks = ['169.254.0.0/33']\n", "monitor.deny_networks"),
        ("[security]\nlogin_max_lockout_s = 0\n", "security.login_max_lockout_s"),
        ("[bogus]\nx = 1\n", "bogus"),
    ],
)
def test_bad_values(tmp_path: Path, toml: str, key: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=re.escape(key)):
        load_config(path)


def test_not_toml_and_missing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "missing.toml")


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    example = (ROOT / "config" / "camnet.toml").read_text("utf-8")
    for name in iter_setting_names():
        assert f"`{name}`" in readme, f"README does not document {name}"
        assert name.rsplit(".", 1)[1] in example, f"config/camnet.toml lacks {name}"


def test_check_config_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "c.toml"
    good.write_text('[notify]\nwebhook_url = "http://127.0.0.1:9/hook?token=abc"\n')
    result = runner.invoke(main, ["check-config", str(good)])
    assert result.exit_code == 0, result.output
    assert "token=abc" not in result.output and "***" in result.output
    bad = tmp_path / "b.toml"
    bad.write_text("[server]\nprot = 1\n")
    result = runner.invoke(main, ["check-config", str(bad)])
    assert result.exit_code == 1 and "server.prot" in result.output
