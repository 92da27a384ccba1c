"""Local stand-ins for outside alert services (tests and benchmarks; 127.0.0.1 only).

:class:`ZaloStandIn` implements the Zalo Bot API's ``sendMessage`` and ``getUpdates`` with
a 429 mode and a failing mode; :class:`WebhookReceiver` records signed webhook calls.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    """One request a stand-in received."""

    at: float
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""


class _Server:
    def __init__(self) -> None:
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None  # noqa: S101 - started above
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"


class ZaloStandIn(_Server):
    """``POST /bot<TOKEN>/sendMessage`` and ``/bot<TOKEN>/getUpdates`` like the Zalo Bot API.

    Attributes:
        mode: ``ok``; ``429`` (answer 429 with ``retry_after``, ``rate_limited`` times then
            ok); ``fail`` (answer 500 forever).
        sent: every accepted message.
        calls: every sendMessage call, accepted or not.
    """

    def __init__(self, token: str = "TEST-TOKEN") -> None:  # noqa: S107 - a stand-in
        super().__init__()
        self.token = token
        self.mode = "ok"
        self.retry_after = 1
        self.rate_limited = 1
        self.sent: list[Received] = []
        self.calls: list[Received] = []
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._update_id = 0
        self.app.router.add_post("/bot{token}/{method}", self._handle)

    def push_message(self, chat_id: str, text: str, chat_type: str = "PRIVATE") -> None:
        """Queue an incoming chat message for ``getUpdates``."""
        self._update_id += 1
        self.updates.put_nowait({"event_name": "message.text.received", "message": {
            "message_id": str(self._update_id),
            "chat": {"id": chat_id, "chat_type": chat_type}, "from": {"id": chat_id},
            "text": text, "date": int(time.time())}})

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        body = await request.json()
        method = request.match_info["method"]
        if method == "getUpdates":
            try:
                update = await asyncio.wait_for(self.updates.get(),
                                                timeout=min(float(body.get("timeout", 1)), 2.0))
            except TimeoutError:
                return web.json_response({"ok": True, "result": []})
            return web.json_response({"ok": True, "result": update})  # one update, as Zalo does
        if method != "sendMessage":
            return web.json_response({"ok": False, "error_code": 404}, status=404)
        rec = Received(time.time(), body)
        self.calls.append(rec)
        if len(str(body.get("text", ""))) > 2000:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "text too long"}, status=400)
        if self.mode == "fail":
            return web.json_response({"ok": False, "error_code": 500}, status=500)
        if self.mode == "429" and self.rate_limited > 0:
            self.rate_limited -= 1
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests",
                                      "parameters": {"retry_after": self.retry_after}}, status=429)
        self.sent.append(rec)
        return web.json_response({"ok": True, "result": {"message_id": str(len(self.sent))}})

    def texts(self, chat_id: str | None = None) -> list[str]:
        """Texts accepted, optionally for one chat."""
        return [str(r.body["text"]) for r in self.sent
                if chat_id is None or str(r.body["chat_id"]) == chat_id]


class WebhookReceiver(_Server):
    """Records every POST to ``/hook`` (body, headers, raw bytes)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Received] = []
        self.app.router.add_post("/hook", self._handle)

    @property
    def url(self) -> str:
        """The receiver's URL."""
        return self.base_url + "/hook"

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        import json

        self.received.append(Received(time.time(), json.loads(raw), dict(request.headers), raw))
        return web.json_response({"ok": True})


class ZaloOAStandIn(_Server):
    """Zalo OA API v3 ``/v3.0/oa/message/cs`` and the token renewal ``/v4/oa/access_token``.

    Refresh tokens work once; the access token can be expired on demand.
    """

    def __init__(self, refresh_token: str = "r0") -> None:  # noqa: S107 - a stand-in
        super().__init__()
        self.valid_refresh = refresh_token
        self.valid_access = ""
        self.refreshes = 0
        self.sent: list[Received] = []
        self.app.router.add_post("/v3.0/oa/message/cs", self._send)
        self.app.router.add_post("/v4/oa/access_token", self._token)

    def expire_access(self) -> None:
        """Make the current access token invalid (as after ~25 h)."""
        self.valid_access = ""

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        await asyncio.sleep(0.05)  # widen any race between concurrent renewals
        if form.get("refresh_token") != self.valid_refresh or not request.headers.get("secret_key"):
            return web.json_response({"error": -14014, "error_description": "Invalid refresh token"})
        self.refreshes += 1
        self.valid_access = f"a{self.refreshes}"
        self.valid_refresh = f"r{self.refreshes}"
        return web.json_response({"access_token": self.valid_access,
                                  "refresh_token": self.valid_refresh, "expires_in": "90000"})

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not self.valid_access or request.headers.get("access_token") != self.valid_access:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        self.sent.append(Received(time.time(), body))
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": str(len(self.sent))}})
