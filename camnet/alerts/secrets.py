"""Channel secrets (Zalo bot token, SMTP password, webhook secret), encrypted at rest.

Owns ``alert_secret``. An environment variable (``CAMNET_ALERTS_<NAME>``) wins over the
stored value; values are encrypted with the camera-credential key and never shown.
"""

from __future__ import annotations

import os

from camnet.db import Database
from camnet.errors import InvalidInput
from camnet.secretstore import MASK, CredentialCipher
from camnet.timeutil import now_iso

SECRET_NAMES = ("zalo_token", "smtp_password", "webhook_secret", "telegram_token",
                "zalo_oa_app_secret", "zalo_oa_refresh_token", "zalo_oa_access_token",
                "zalo_oa_expires_at", "apprise_urls")


async def set_secret(db: Database, cipher: CredentialCipher, name: str, value: str) -> None:
    """Store (or with an empty value, delete) one secret, encrypted."""
    if name not in SECRET_NAMES:
        raise InvalidInput(f"unknown secret; use one of {', '.join(SECRET_NAMES)}", "name")
    async with db.transaction() as tx:
        if not value:
            await tx.execute("DELETE FROM alert_secret WHERE name = ?", (name,))
            return
        await tx.execute(
            "INSERT INTO alert_secret(name, value_enc, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET value_enc = excluded.value_enc,"
            " updated_at = excluded.updated_at", (name, cipher.encrypt(value), now_iso()))


async def get_secret(db: Database, cipher: CredentialCipher, name: str) -> str:
    """Return a secret ('' when unset): environment first, then the database."""
    env = os.environ.get(f"CAMNET_ALERTS_{name.upper()}", "")
    if env:
        return env
    token = await db.fetchval("SELECT value_enc FROM alert_secret WHERE name = ?", (name,))
    return cipher.decrypt(token) if token else ""


async def masked_secrets(db: Database, cipher: CredentialCipher) -> dict[str, str]:
    """Which secrets are set, masked (``***``) or empty."""
    return {n: MASK if await get_secret(db, cipher, n) else "" for n in SECRET_NAMES}
