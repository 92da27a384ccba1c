"""The order of due frame checks: changed first, bad picture next, then the longest unchecked."""

from __future__ import annotations

from typing import Any

from camnet.monitor.tier2_plan import priority


def _row(last_result: str = "up", health: str | None = "ok", picture: str | None = "ok",
         last_grab_at: str | None = "2026-11-28T10:00:00Z") -> dict[str, Any]:
    return {"last_result": last_result, "health": health, "picture": picture,
            "last_grab_at": last_grab_at}


def test_changed_then_bad_then_never_then_oldest() -> None:
    due = {
        "recent": priority("up", "up", _row(last_grab_at="2026-11-28T10:20:00Z")),
        "oldest": priority("up", "up", _row(last_grab_at="2026-11-28T09:00:00Z")),
        "never": priority("up", "up", _row(last_grab_at=None)),
        "black": priority("up", "up", _row(health="black")),
        "unconfirmed": priority("up", "up", _row(picture="frozen")),
        "changed": priority("timeout", "up", _row(last_result="timeout")),
        "new": priority(None, "up", None),
    }
    order = sorted(due, key=lambda name: due[name])
    assert set(order[:2]) == {"changed", "new"}
    assert set(order[2:4]) == {"black", "unconfirmed"}
    assert order[4:] == ["never", "oldest", "recent"]
