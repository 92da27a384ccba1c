"""Abuse protection for the public form, without third parties.

- Rate limits: registrations per client address and per phone number over a window; the
  counts come from the stored registrations themselves, so they survive a restart.
- A self-hosted proof-of-work challenge (ALTCHA v1: find ``n`` with
  ``SHA-256(salt + n) == challenge``; the challenge is HMAC-signed with a service key and
  expires), solved in the visitor's browser by ``static/hosts_pow.js``. A solved challenge
  is accepted once (its ``challenge`` is stored on the registration).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from altcha.v1 import ChallengeOptions, create_challenge, verify_solution

from camnet.db import Database, Transaction
from camnet.errors import InvalidInput, TooManyAttempts
from camnet.timeutil import to_iso, utcnow


@dataclass(frozen=True)
class RatePolicy:
    """How many registrations one address or one phone may send per window."""

    window_s: int = 86400
    per_address: int = 5
    per_phone: int = 3

    def refusal(self, address_count: int, phone_count: int) -> str | None:
        """The field that is over its limit (``"address"`` or ``"phone"``), or ``None``."""
        if address_count >= self.per_address:
            return "address"
        if phone_count >= self.per_phone:
            return "phone"
        return None


async def check_rate(tx: Database | Transaction, policy: RatePolicy, *, client_address: str,
                     phone: str) -> None:
    """Refuse with :class:`TooManyAttempts` when the address or the phone is over its limit."""
    since = to_iso(utcnow() - timedelta(seconds=policy.window_s))
    by_address = int(await tx.fetchval(
        "SELECT COUNT(*) FROM host_registration WHERE client_address = ? AND created_at >= ?",
        (client_address, since)))
    by_phone = int(await tx.fetchval(
        "SELECT COUNT(*) FROM host_registration WHERE phone = ? AND created_at >= ?",
        (phone, since)))
    which = policy.refusal(by_address, by_phone)
    if which is not None:
        raise TooManyAttempts(
            "too many registrations from this " + ("address" if which == "address" else
                                                   "phone number") + "; try again later",
            retry_after_s=policy.window_s,
            key="err_too_many_registrations_address" if which == "address"
            else "err_too_many_registrations_phone")


def new_challenge(key: bytes, max_number: int, ttl_s: int) -> dict[str, Any]:
    """A fresh signed challenge for the form (algorithm, challenge, salt, signature, maxnumber)."""
    challenge = create_challenge(ChallengeOptions(
        hmac_key=key, max_number=max_number, expires=utcnow() + timedelta(seconds=ttl_s)))
    return {"algorithm": challenge.algorithm, "challenge": challenge.challenge,
            "salt": challenge.salt, "signature": challenge.signature,
            "maxnumber": challenge.max_number}


def verify_pow(key: bytes, payload: str) -> str:
    """Check a solution sent by the form; return its challenge (to store, so it is used once).

    Raises:
        InvalidInput: missing, malformed, wrong or expired.
    """
    refused = InvalidInput("the anti-spam check was not completed or has expired; wait for it"
                           " to finish and send again", "altcha")
    if not payload or len(payload) > 2000:
        raise refused
    ok, _error = verify_solution(payload, key, check_expires=True)
    if not ok:
        raise refused
    try:
        data = json.loads(base64.b64decode(payload))
        return str(data["challenge"])
    except (ValueError, KeyError, TypeError) as exc:
        raise refused from exc
