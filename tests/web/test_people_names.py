"""People are shown by full name and job title, never by login name (issue 11)."""

from __future__ import annotations

import pytest

from camnet.accounts import users
from camnet.auth.principal import cli_principal
from camnet.demo_case import seed_sample_case
from camnet.errors import InvalidInput, NotFound
from camnet.web import keys
from tests.conftest import CamnetCli, World
from tests.web.test_login import _csrf, _login


def test_display_name_and_profile_cleaning() -> None:
    assert users.display_name("canbo") == "canbo"
    assert users.display_name("canbo", "Trần Thị Mai") == "Trần Thị Mai"
    assert users.display_name("canbo", "Trần Thị Mai", "Thiếu úy") == "Trần Thị Mai – Thiếu úy"
    assert users.clean_profile("  Trần Thị Mai ", " Thiếu úy ") == ("Trần Thị Mai", "Thiếu úy")
    with pytest.raises(InvalidInput) as line_break:
        users.clean_profile("Trần\nMai", "")
    assert line_break.value.field == "full_name"
    with pytest.raises(InvalidInput) as too_long:
        users.clean_profile("Mai", "x" * 201)
    assert too_long.value.field == "title"


async def test_profile_is_scoped_audited_and_resolved_in_one_go(world: World) -> None:
    db = world.app[keys.DB]
    root = cli_principal()
    await users.set_profile(db, root, "canbo", full_name="Trần Thị Mai", title="Thiếu úy")
    names = await users.display_names(db, ["canbo", "chihuy", "cli", "host#3"])
    assert names["canbo"] == "Trần Thị Mai – Thiếu úy"
    assert names["chihuy"].startswith("Lê Văn Hùng")  # from the sample
    assert names["cli"] == "cli" and names["host#3"] == "host#3"  # not users: as they are
    row = await db.fetchone("SELECT before, after FROM audit_log"
                            " WHERE action = 'update' AND entity = 'user' ORDER BY id DESC")
    assert row is not None and "Thiếu úy" in row["after"]
    other = await users.principal_by_username(db, "other")  # admin of another commune
    assert other is not None
    with pytest.raises(NotFound, match="canbo"):
        await users.set_profile(db, other, "canbo", full_name="X", title="")


async def test_pages_show_names_and_titles(world: World) -> None:
    db, config = world.app[keys.DB], world.app[keys.CONFIG]
    request_id = await seed_sample_case(db, config)  # drafted and submitted by canbo
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "chihuy", "camnet-demo") == 303
    page = await (await world.client.get(f"/requests/{request_id}")).text()
    assert "Trần Thị Mai (mẫu) – Cán bộ Công an xã" in page  # requester and history
    assert ">canbo<" not in page and ": canbo" not in page
    assert "Lê Văn Hùng (mẫu) – Trưởng Công an xã" in page  # the header: who is logged in
    incidents = await (await world.client.get("/incidents")).text()
    assert "Trần Thị Mai (mẫu)" in incidents and "Thôn Mỹ Lợi (mẫu)" in incidents  # zone name
    form = await (await world.client.get(f"/requests/{request_id}/form")).text()
    assert "Trần Thị Mai (mẫu)" in form and "Cán bộ Công an xã" in form


async def test_admin_sets_name_and_title_on_the_users_page(world: World) -> None:
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "admin", "camnet-demo") == 303
    csrf = await _csrf(world.client, "/users")
    resp = await world.client.post("/users", allow_redirects=False, data={
        "csrf": csrf, "action": "profile", "username": "dieutra",
        "full_name": "Đỗ Minh Khoa", "title": "Điều tra viên sơ cấp"})
    assert resp.status == 303 and resp.headers["Location"] == "/users?done=profile"
    page = await (await world.client.get("/users?done=profile")).text()
    assert "Đã lưu họ tên và chức danh." in page and "Điều tra viên sơ cấp" in page
    resp = await world.client.post("/users", data={
        "csrf": csrf, "action": "create", "username": "moi", "full_name": "Mới",
        "title": "dòng\nhai", "password": "mat-khau-1", "role": "officer", "zone": "SAMPLE-PHUMY"})
    assert resp.status == 422 and 'value="Mới"' in await resp.text()


def test_cli_sets_name_and_title(camnet_cli: CamnetCli) -> None:
    run = camnet_cli

    run("sample", "load")
    run("user", "add", "hoa", "--role", "officer", "--zone", "SAMPLE-PHUMY",
        "--full-name", "Vũ Thị Hoa", "--title", "Hạ sĩ", input="long-password\n")
    assert "Vũ Thị Hoa – Hạ sĩ" in run("user", "list")
    assert "Vũ Thị Hoa – Trung sĩ" in run("user", "set-name", "hoa", "--full-name", "Vũ Thị Hoa",
                                           "--title", "Trung sĩ")
    assert "Vũ Thị Hoa – Trung sĩ" in run("user", "list")
    run("user", "set-name", "nobody", "--full-name", "X", code=1)
