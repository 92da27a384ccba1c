"""Optional extra (``pip install camnet[apprise]``): deliver through Apprise URLs.

Apprise is synchronous, so each delivery runs in a worker thread. The URLs hold their own
credentials: they are stored encrypted as the ``apprise_urls`` secret (one per line) and
never written to delivery rows or logs.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

from camnet.alerts.channels import Outgoing, SendResult
from camnet.secretstore import mask_text


class AppriseChannel:
    """Sends each message to every configured Apprise URL."""

    name = "apprise"

    def __init__(self, urls: list[str]) -> None:
        self._urls = [u.strip() for u in urls if u.strip()]

    def _notify(self, title: str, body: str) -> bool:
        with warnings.catch_warnings():  # apprise's plug-ins still import the deprecated imghdr
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise  # an optional dependency, imported only when used

            sender: Any = apprise.Apprise()
            for url in self._urls:
                sender.add(url)
            return bool(sender.notify(body=body, title=title))

    async def send(self, msg: Outgoing) -> SendResult:
        """Notify every URL in a worker thread; any URL failing makes the attempt fail."""
        if not self._urls:
            return SendResult(False, permanent=True, error="no Apprise URLs configured")
        try:
            ok = await asyncio.to_thread(self._notify, msg.subject, msg.text)
        except ImportError:
            return SendResult(False, permanent=True, error="apprise is not installed")
        except Exception as exc:  # a plug-in error must not reach the sender loop
            return SendResult(False, error=mask_text(f"{type(exc).__name__}: {exc}"))
        return SendResult(True) if ok else SendResult(False, error="an Apprise URL failed")
