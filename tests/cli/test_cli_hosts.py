"""`camnet hosts consent show|add`, `camnet hosts list`, `camnet hosts link` on a real DB."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from camnet.cli import main
from camnet.config import load_config
from camnet.db import open_database
from camnet.hosts import abuse, links, registrations
from camnet.hosts.models import RegistrationIn
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets


async def _seed(data_dir: Path) -> int:
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}})
    db = await open_database(config)
    try:
        cipher = CredentialCipher(load_secrets(data_dir).credentials_key)
        await load_sample(db, cipher)
        zone_id = int(await db.fetchval("SELECT id FROM zone WHERE code = 'SAMPLE-PHUMY-ML'"))
        done = await registrations.submit(
            db, cipher, b"k" * 32, RegistrationIn.model_validate({
                "zone_id": zone_id, "host_name": "Hồ Văn Em", "phone": "0912345001",
                "point_name": "Nhà Em", "address": "Mỹ Lợi", "lat": 16.51, "lon": 107.65,
                "consent_version": 1, "consent": True,
                "cameras": [{"retention_days": 7, "sign_posted": True}]}),
            client_address="cli", pow_challenge=None, policy=abuse.RatePolicy(),
            link_days=30, max_cameras=4)
        return done.registration_id
    finally:
        await db.close()


async def _resolve(data_dir: Path, token: str) -> int:
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}})
    db = await open_database(config)
    try:
        key = links.derive_key(load_secrets(data_dir).session_key, "link")
        return await links.resolve(db, key, token)
    finally:
        await db.close()


def test_consent_versions_registrations_and_links(tmp_path: Path) -> None:
    config = tmp_path / "camnet.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, ["--config", str(config), *args])
        assert result.exit_code == code, (result.output, result.exception)
        return result.output

    reg_id = asyncio.run(_seed(tmp_path / "data"))
    assert "# version 1" in run("hosts", "consent", "show")
    text = tmp_path / "v2.txt"
    text.write_text("Cam kết mới, phiên bản 2", "utf-8")
    assert "version 2 stored" in run("hosts", "consent", "add", str(text))
    assert "phiên bản 2" in run("hosts", "consent", "show")
    assert "CAM KẾT" in run("hosts", "consent", "show", "--version", "1")
    assert "version 9" in run("hosts", "consent", "show", "--version", "9", code=1)
    assert f"{reg_id}\tpending\tSAMPLE-PHUMY-ML\tNhà Em" in run("hosts", "list")
    url = run("hosts", "link", str(reg_id)).strip()
    assert "/chu-camera/" in url
    token = url.rsplit("/", 1)[1]
    assert asyncio.run(_resolve(tmp_path / "data", token)) == reg_id
    assert "1 link(s) revoked" in run("hosts", "link", str(reg_id), "--revoke")
    assert "registration 999 does not exist" in run("hosts", "link", "999", code=1)
