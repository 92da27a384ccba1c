"""The CLI against a real database in a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from camnet.cli import main


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    runner = CliRunner()

    def run(*args: str, input: str | None = None, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(main, ["--config", str(config), *args], input=input)
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return run


def test_sample_users_tokens_export_import(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "28 cameras" in cli("sample", "load").output
    assert "already present" in cli("sample", "load").output
    cli("user", "add", "hoa", "--role", "officer", "--zone", "SAMPLE-PHUMY", input="long-password\n")
    listing = cli("user", "list").output
    assert "hoa" in listing and "officer" in listing
    cli("user", "add", "hoa2", "--role", "officer", "--zone", "NOPE", input="long-password\n",
        code=1)
    cli("user", "add", "hoa3", "--role", "officer", "--zone", "SAMPLE-PHUMY", input="short\n",
        code=1)
    token = cli("token", "create", "hoa").output.strip().splitlines()[0]
    assert token.startswith("cn_")
    cli("user", "disable", "hoa")
    assert "disabled" in cli("user", "list").output
    out = tmp_path / "all.csv"
    cli("export", "--format", "csv", "-o", str(out))
    assert len(out.read_text().splitlines()) == 29
    geo = json.loads(cli("export", "--format", "geojson", "--zone", "SAMPLE-PHUMY-ML").output)
    assert len(geo["features"]) == 6
    result = cli("import", str(out))
    assert "24 updated" in result.output and "28 updated" in result.output


def test_import_errors_exit_nonzero_with_lines(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("sample", "load")
    bad = tmp_path / "bad.csv"
    bad.write_text("zone_code,point_name,lat,lon\nSAMPLE-PHUMY-ML,A,99,107.6\nNOPE,B,16.5,107.6\n")
    result = cli("import", str(bad), code=1)
    assert "line 2, lat" in result.output and "line 3, zone_code" in result.output


def test_db_migrate_and_backup(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "schema version" in cli("db", "migrate").output
    target = tmp_path / "backup.sqlite3"
    cli("db", "backup", str(target))
    assert target.stat().st_size > 0
    cli("db", "backup", str(target), code=1)


def test_bad_config_exits_nonzero(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[storage]\ndatadir = 'x'\n")
    result = CliRunner().invoke(main, ["--config", str(config), "db", "migrate"])
    assert result.exit_code == 1 and "storage.datadir" in result.output


def test_user_and_token_administration(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from camnet.accounts.users import authenticate, principal_by_token
    from camnet.config import load_config
    from camnet.db import open_database

    cli("sample", "load")
    token = cli("token", "create", "canbo", "--name", "nvr-script", "--expires-days", "30").output
    token = token.strip().splitlines()[0]
    listing = cli("token", "list", "--user", "canbo").output
    assert "nvr-script" in listing and token[:10] in listing and "active" in listing
    assert token not in listing  # only the first characters are ever shown
    token_id = int(listing.splitlines()[1].split()[0])
    cli("user", "set-role", "canbo", "--role", "investigator")
    assert "investigator" in cli("user", "list").output
    cli("user", "set-role", "canbo", code=2)  # nothing to change: a usage error
    cli("user", "reset-password", "canbo", input="a-brand-new-pass\n")
    cli("user", "disable", "canbo")
    cli("user", "enable", "canbo")
    assert "lifted" in cli("user", "unlock", "canbo").output
    cli("token", "revoke", str(token_id))
    assert "revoked" in cli("token", "list", "--user", "canbo").output
    cli("token", "revoke", "999999", code=1)

    async def check() -> None:
        db = await open_database(load_config(tmp_path / "camnet.toml"))
        try:
            assert await principal_by_token(db, token) is None  # revoked
            assert await authenticate(db, "canbo", "camnet-demo") is None
            who = await authenticate(db, "canbo", "a-brand-new-pass")
            assert who is not None and who.role == "investigator"
        finally:
            await db.close()

    asyncio.run(check())


def test_first_zone_on_a_fresh_install(cli) -> None:  # type: ignore[no-untyped-def]
    cli("user", "add", "boss", "--role", "admin", "--zone", "HUE", input="long-password-1\n",
        code=1)  # no zone yet: no user can be bound
    assert "HUE (province) created" in cli("zone", "add", "HUE", "Thừa Thiên Huế",
                                            "--level", "province").output
    cli("zone", "add", "PV", "Phú Vang", "--level", "district", "--parent", "HUE")
    cli("zone", "add", "X", "bad", "--level", "province", "--parent", "PV", code=1)
    result = cli("zone", "add", "bad code!", "n", "--level", "province", code=1)
    assert "code" in result.output
    cli("zone", "add", "HUE", "again", "--level", "province", code=1)
    cli("user", "add", "boss", "--role", "admin", "--zone", "HUE", input="long-password-1\n")
    listing = cli("zone", "list").output.splitlines()
    assert [line.split()[0] for line in listing] == ["HUE", "PV"]
