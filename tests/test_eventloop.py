"""The optional uvloop event loop: used when installed and wanted, asyncio otherwise."""

from __future__ import annotations

import importlib.util

import pytest

from camnet.eventloop import loop_name, new_event_loop


def test_asyncio_when_uvloop_is_not_wanted() -> None:
    loop = new_event_loop(prefer_uvloop=False)
    try:
        assert loop_name(loop) == "asyncio"
        assert loop.run_until_complete(_answer()) == 42
    finally:
        loop.close()


@pytest.mark.skipif(importlib.util.find_spec("uvloop") is None, reason="speed extra not installed")
def test_uvloop_when_installed() -> None:
    loop = new_event_loop()
    try:
        assert loop_name(loop) == "uvloop"
        assert loop.run_until_complete(_answer()) == 42
    finally:
        loop.close()


async def _answer() -> int:
    return 42
