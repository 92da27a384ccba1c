"""Login throttling policy: how long a (user, address) pair or an address is locked out.

Pure decisions over counts; the counts live in the database (``camnet.accounts.logins``) so
they survive a restart. Failures are counted per (user name, address) pair, so a stranger
guessing at a user name from one address can neither lock that user out everywhere nor
lock out everyone behind a shared address; the right password from an address that has not
failed is never refused. An address with very many failures (``address_ceiling``), whatever
the user names, is locked as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    """Thresholds of login throttling (``[security] login_*``)."""

    max_failures: int = 5
    window_s: float = 900.0
    lockout_s: float = 300.0
    max_lockout_s: float = 3600.0
    address_ceiling: int = 100

    def pair_lockout_s(self, failures: int) -> float:
        """Lockout after ``failures`` for one (user, address) pair: doubles past the limit."""
        if failures < self.max_failures:
            return 0.0
        return float(min(self.max_lockout_s, self.lockout_s * 2 ** (failures - self.max_failures)))

    def address_lockout_s(self, failures: int) -> float:
        """Lockout of a whole address after ``failures`` across every user name."""
        return float(self.lockout_s) if failures >= self.address_ceiling else 0.0
