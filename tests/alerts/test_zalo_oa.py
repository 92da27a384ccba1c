"""Zalo OA v3: the single-use refresh token is renewed once under a lock and persisted."""

from __future__ import annotations

import asyncio

from camnet.alerts.channels import Outgoing
from camnet.alerts.secrets import get_secret, set_secret
from camnet.alerts.zalo_oa import DbTokenStore, ZaloOAChannel
from camnet.testing.alert_standins import ZaloOAStandIn
from tests.alerts.conftest import AlertRig


async def test_concurrent_sends_renew_once_and_survive_restart(rig: AlertRig) -> None:
    oa = ZaloOAStandIn("r0")
    await oa.start()
    try:
        await set_secret(rig.db, rig.cipher, "zalo_oa_refresh_token", "r0")

        def channel() -> ZaloOAChannel:
            return ZaloOAChannel(rig.session, base_url=oa.base_url, oauth_url=oa.base_url,
                                 app_id="app", app_secret="app-secret",
                                 store=DbTokenStore(rig.db, rig.cipher), timeout_s=5)

        first = channel()
        results = await asyncio.gather(*(
            first.send(Outgoing(f"k{i}", f"user-{i}", "", f"tin {i}")) for i in range(5)))
        assert all(r.ok for r in results), results
        assert oa.refreshes == 1 and len(oa.sent) == 5  # one renewal for five senders
        assert await get_secret(rig.db, rig.cipher, "zalo_oa_refresh_token") == "r1"
        restarted = channel()  # a restart reuses the stored access token
        assert (await restarted.send(Outgoing("k5", "user-5", "", "tin 5"))).ok
        assert oa.refreshes == 1
        oa.expire_access()  # ~25 h later the API refuses it: renew once with the new token
        assert (await restarted.send(Outgoing("k6", "user-6", "", "tin 6"))).ok
        assert oa.refreshes == 2 and len(oa.sent) == 7
        assert await get_secret(rig.db, rig.cipher, "zalo_oa_refresh_token") == "r2"
        await set_secret(rig.db, rig.cipher, "zalo_oa_refresh_token", "r1")  # a spent token
        oa.expire_access()
        failed = await channel().send(Outgoing("k7", "user-7", "", "tin 7"))
        assert not failed.ok and "Invalid refresh token" in failed.error
    finally:
        await oa.stop()
