"""Slows down password guessing: failed logins counted per user name and per address."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from camnet.errors import TooManyAttempts


@dataclass
class LoginThrottle:
    """After ``max_failures`` failures inside ``window_s`` for a key, refuse for ``lockout_s``."""

    max_failures: int = 5
    window_s: float = 900.0
    lockout_s: float = 300.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)

    def check(self, *keys: str) -> None:
        """Raise :class:`TooManyAttempts` if any key is locked out."""
        now = time.monotonic()
        for key in keys:
            until = self._locked_until.get(key, 0.0)
            if until > now:
                wait = int(until - now) + 1
                raise TooManyAttempts(
                    f"too many failed logins; try again in {wait} s", retry_after_s=wait
                )

    def failed(self, *keys: str) -> None:
        """Count a failure against each key, locking out keys that reach the limit."""
        now = time.monotonic()
        for key in keys:
            recent = self._failures.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] < now - self.window_s:
                recent.popleft()
            if len(recent) >= self.max_failures:
                self._locked_until[key] = now + self.lockout_s
                recent.clear()

    def succeeded(self, *keys: str) -> None:
        """Forget failures of keys after a good login."""
        for key in keys:
            self._failures.pop(key, None)
