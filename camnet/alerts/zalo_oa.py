"""Optional extra: Zalo Official Account API v3 (``/v3.0/oa/message/cs``).

An OA access token lives about 25 h; it is renewed with a refresh token that works only
once. Renewal happens under one lock, and the new pair is persisted (encrypted) before it
is used, so concurrent senders and a restart never spend the same refresh token twice.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from camnet.alerts.channels import ZALO_MAX_CHARS, Outgoing, SendResult
from camnet.alerts.render import split_text
from camnet.alerts.secrets import get_secret, set_secret
from camnet.db import Database
from camnet.secretstore import CredentialCipher, mask_text

TOKEN_ERRORS = frozenset({-216, -124})  # access token invalid / expired
RENEW_BEFORE_S = 300.0


@dataclass(frozen=True)
class OATokens:
    """The current token pair and when the access token expires (Unix seconds)."""

    access_token: str
    refresh_token: str
    expires_at: float


class TokenStore(Protocol):
    """Where the token pair is kept between runs."""

    async def load(self) -> OATokens:
        """Return the stored pair."""

    async def save(self, tokens: OATokens) -> None:
        """Persist a new pair (before it is used)."""


class DbTokenStore:
    """Keeps the pair in ``alert_secret`` (encrypted with the credentials key)."""

    def __init__(self, db: Database, cipher: CredentialCipher) -> None:
        self._db = db
        self._cipher = cipher

    async def load(self) -> OATokens:
        """Return the stored pair (empty strings when unset)."""
        expires = await get_secret(self._db, self._cipher, "zalo_oa_expires_at")
        return OATokens(await get_secret(self._db, self._cipher, "zalo_oa_access_token"),
                        await get_secret(self._db, self._cipher, "zalo_oa_refresh_token"),
                        float(expires or 0))

    async def save(self, tokens: OATokens) -> None:
        """Persist the new pair."""
        await set_secret(self._db, self._cipher, "zalo_oa_refresh_token", tokens.refresh_token)
        await set_secret(self._db, self._cipher, "zalo_oa_access_token", tokens.access_token)
        await set_secret(self._db, self._cipher, "zalo_oa_expires_at", str(tokens.expires_at))


class ZaloOAChannel:
    """Sends customer-service text messages from a Zalo Official Account."""

    name = "zalo_oa"

    def __init__(self, session: aiohttp.ClientSession, *, base_url: str, oauth_url: str,
                 app_id: str, app_secret: str, store: TokenStore, timeout_s: float) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._oauth = oauth_url.rstrip("/")
        self._app_id = app_id
        self._app_secret = app_secret
        self._store = store
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._lock = asyncio.Lock()
        self.refreshes = 0

    async def access_token(self, stale: str | None = None) -> str:
        """Return a valid access token, renewing it (once, under the lock) when needed.

        Args:
            stale: a token the API just refused; renew unless another sender already did.

        Raises:
            RuntimeError: renewal failed (message masked).
        """
        async with self._lock:
            tokens = await self._store.load()
            fresh = tokens.access_token and tokens.expires_at - RENEW_BEFORE_S > time.time()
            if fresh and (stale is None or tokens.access_token != stale):
                return tokens.access_token
            if not tokens.refresh_token:
                raise RuntimeError("no Zalo OA refresh token stored")
            async with self._session.post(
                f"{self._oauth}/v4/oa/access_token", headers={"secret_key": self._app_secret},
                data={"refresh_token": tokens.refresh_token, "app_id": self._app_id,
                      "grant_type": "refresh_token"}, timeout=self._timeout) as resp:
                body = await resp.json(content_type=None)
            if not isinstance(body, dict) or not body.get("access_token"):
                error = body.get("error_description", body) if isinstance(body, dict) else body
                raise RuntimeError(mask_text(f"Zalo OA token renewal failed: {error}"))
            new = OATokens(str(body["access_token"]),
                           str(body.get("refresh_token") or tokens.refresh_token),
                           time.time() + float(body.get("expires_in", 90000)))
            await self._store.save(new)  # persisted before use: the old refresh token is spent
            self.refreshes += 1
            return new.access_token

    async def send(self, msg: Outgoing) -> SendResult:
        """Send the text (split at 2,000 characters) to the OA follower ``msg.address``."""
        done = msg.parts_sent
        for part in split_text(msg.text, ZALO_MAX_CHARS)[done:]:
            try:
                token = await self.access_token()
                code, text = await self._post(token, msg.address, part)
                if code in TOKEN_ERRORS:
                    token = await self.access_token(stale=token)
                    code, text = await self._post(token, msg.address, part)
            except (aiohttp.ClientError, TimeoutError, RuntimeError, ValueError) as exc:
                return SendResult(False, error=mask_text(f"{type(exc).__name__}: {exc}"),
                                  parts_sent=done)
            if code != 0:
                return SendResult(False, permanent=code not in TOKEN_ERRORS, status=code,
                                  error=mask_text(f"Zalo OA answered {code} {text}"),
                                  parts_sent=done)
            done += 1
        return SendResult(True, status=200, parts_sent=done)

    async def _post(self, token: str, user_id: str, text: str) -> tuple[int, str]:
        async with self._session.post(
            f"{self._base}/v3.0/oa/message/cs", headers={"access_token": token},
            json={"recipient": {"user_id": user_id}, "message": {"text": text}},
            timeout=self._timeout) as resp:
            body = await resp.json(content_type=None)
        if not isinstance(body, dict):
            return resp.status, "not JSON"
        return int(body.get("error", 0 if resp.status < 300 else resp.status)), str(
            body.get("message", ""))
