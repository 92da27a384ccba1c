"""Channels: Zalo Bot API, e-mail (aiosmtplib) and signed webhooks, behind one interface.

Each channel sends one :class:`Outgoing` and returns a :class:`SendResult`; it never
raises. Raw HTTP over the app's shared aiohttp ClientSession, no SDKs. Error texts are
masked (no bot token, password or ``user:pw@``) before they are returned.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import aiohttp
import aiosmtplib

from camnet.alerts.render import split_text
from camnet.secretstore import mask_text

ZALO_MAX_CHARS = 2000
SIGNATURE_HEADER = "X-Camnet-Signature"
TIMESTAMP_HEADER = "X-Camnet-Timestamp"
IDEMPOTENCY_HEADER = "X-Camnet-Idempotency-Key"


@dataclass(frozen=True)
class Outgoing:
    """One message for one address."""

    idem_key: str
    address: str
    subject: str
    text: str
    html: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    parts_sent: int = 0  # parts of a split message already delivered


@dataclass(frozen=True)
class SendResult:
    """What one attempt achieved.

    Attributes:
        ok: delivered.
        permanent: retrying will not help (bad address, refused).
        retry_after: the service asked to wait this many seconds.
        status: HTTP or SMTP status, when there was one.
        error: masked description of the failure.
        parts_sent: parts of a split message delivered so far.
    """

    ok: bool
    permanent: bool = False
    retry_after: float | None = None
    status: int | None = None
    error: str = ""
    parts_sent: int = 0


class Channel(Protocol):
    """A way to reach people."""

    name: str

    async def send(self, msg: Outgoing) -> SendResult:
        """Deliver one message; never raises."""


def _retry_after(headers: Any, body: Any) -> float | None:
    value: Any = None
    if isinstance(body, dict):
        params = body.get("parameters")
        if isinstance(params, dict):
            value = params.get("retry_after")
        value = value if value is not None else body.get("retry_after")
    if value is None and headers is not None:
        value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


class ZaloBotChannel:
    """Zalo Bot API: ``POST {base}/bot<TOKEN>/sendMessage`` with ``{chat_id, text}``.

    The Telegram Bot API has the same shape (:class:`TelegramBotChannel`).
    """

    name = "zalo"
    max_chars = ZALO_MAX_CHARS

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str,
                 timeout_s: float) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    def _url(self, method: str) -> str:
        return f"{self._base}/bot{self._token}/{method}"

    def _mask(self, text: str) -> str:
        return mask_text(text.replace(self._token, "***") if self._token else text)

    async def call(self, method: str, body: dict[str, Any], timeout_s: float | None = None
                   ) -> tuple[int, Any, Any]:
        """Call a Bot API method; return (HTTP status, JSON body or None, headers)."""
        timeout = aiohttp.ClientTimeout(total=timeout_s) if timeout_s else self._timeout
        async with self._session.post(self._url(method), json=body, timeout=timeout) as resp:
            try:
                data = await resp.json(content_type=None)
            except (ValueError, aiohttp.ContentTypeError):
                data = None
            return resp.status, data, resp.headers

    async def send(self, msg: Outgoing) -> SendResult:
        """Send the text, split into parts of at most 2,000 characters."""
        if not self._token:
            return SendResult(False, permanent=True, error=f"no {self.name} bot token configured")
        parts = split_text(msg.text, self.max_chars)
        done = msg.parts_sent
        for part in parts[done:]:
            try:
                status, data, headers = await self.call("sendMessage",
                                                        {"chat_id": msg.address, "text": part})
            except (aiohttp.ClientError, TimeoutError) as exc:
                return SendResult(False, error=self._mask(f"{type(exc).__name__}: {exc}"),
                                  parts_sent=done)
            ok = status < 300 and (not isinstance(data, dict) or data.get("ok", True) is not False)
            if not ok:
                code = status
                if isinstance(data, dict) and isinstance(data.get("error_code"), int):
                    code = data["error_code"]
                desc = data.get("description", "") if isinstance(data, dict) else ""
                error = self._mask(f"{self.name} answered {code} {desc}".strip())
                if code == 429:
                    return SendResult(False, retry_after=_retry_after(headers, data), status=code,
                                      error=error, parts_sent=done)
                permanent = 400 <= code < 500 and code not in (408, 409)
                return SendResult(False, permanent=permanent, status=code, error=error,
                                  parts_sent=done)
            done += 1
        return SendResult(True, status=200, parts_sent=done)


class TelegramBotChannel(ZaloBotChannel):
    """Optional extra: Telegram Bot API ``sendMessage`` (4,096 characters a message)."""

    name = "telegram"
    max_chars = 4096


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp + "." + body``, hex, as ``sha256=<hex>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str, *,
                     now: float | None = None, tolerance_s: float = 300.0) -> bool:
    """Check a webhook signature and that its timestamp is recent (replay guard)."""
    try:
        age = abs((time.time() if now is None else now) - float(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookChannel:
    """POSTs the documented JSON body, signed with HMAC-SHA256 and timestamped."""

    name = "webhook"

    def __init__(self, session: aiohttp.ClientSession, secret: str, timeout_s: float) -> None:
        self._session = session
        self._secret = secret
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def send(self, msg: Outgoing) -> SendResult:
        """POST ``{"id", "subject", "text", ...payload}`` to the address."""
        body = json.dumps({"id": msg.idem_key, "subject": msg.subject, "text": msg.text,
                           **msg.payload}, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: stamp,
                   IDEMPOTENCY_HEADER: msg.idem_key}
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(self._secret, stamp, body)
        try:
            async with self._session.post(msg.address, data=body, headers=headers,
                                          timeout=self._timeout) as resp:
                if resp.status < 300:
                    return SendResult(True, status=resp.status)
                error = f"webhook answered {resp.status}"
                if resp.status == 429:
                    return SendResult(False, retry_after=_retry_after(resp.headers, None),
                                      status=429, error=error)
                permanent = 400 <= resp.status < 500 and resp.status not in (408, 409)
                return SendResult(False, permanent=permanent, status=resp.status, error=error)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult(False, error=mask_text(f"{type(exc).__name__}: {exc}"))


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send e-mail."""

    host: str
    port: int
    security: str  # starttls | tls | none
    username: str
    password: str
    sender: str
    timeout_s: float = 10.0


class EmailChannel:
    """E-mail through aiosmtplib: plain text plus simple HTML, UTF-8 (Vietnamese) subjects."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self._s = settings

    async def send(self, msg: Outgoing) -> SendResult:
        """Send one e-mail."""
        s = self._s
        if not s.host:
            return SendResult(False, permanent=True, error="no SMTP host configured")
        mail = EmailMessage()
        mail["From"] = s.sender or f"camnet@{s.host}"
        mail["To"] = msg.address
        mail["Subject"] = msg.subject
        mail["Message-ID"] = f"<{msg.idem_key.replace(':', '.')}@camnet>"
        mail.set_content(msg.text)
        if msg.html:
            mail.add_alternative(f"<html><body>{msg.html}</body></html>", subtype="html")
        try:
            await aiosmtplib.send(
                mail, hostname=s.host, port=s.port, use_tls=s.security == "tls",
                start_tls=True if s.security == "starttls" else False,
                username=s.username or None, password=s.password or None, timeout=s.timeout_s)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return SendResult(False, permanent=True, error=mask_text(str(exc)))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            code = getattr(exc, "code", None)
            permanent = isinstance(code, int) and 500 <= code < 600
            return SendResult(False, permanent=permanent, status=code if isinstance(code, int) else None,
                              error=mask_text(f"{type(exc).__name__}: {exc}"))
        return SendResult(True, status=250)
