"""The event loop the service runs on: uvloop when the ``speed`` extra is installed.

uvloop (``pip install camnet[speed]``) roughly halves the CPU a tier-1 cycle spends in the
loop's socket machinery. It is optional: without it, or with ``server.uvloop = false``,
the standard asyncio loop is used and everything behaves the same.
"""

from __future__ import annotations

import asyncio
import importlib
import logging

log = logging.getLogger(__name__)


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """``uvloop`` or ``asyncio``: which implementation ``loop`` is."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def new_event_loop(*, prefer_uvloop: bool = True) -> asyncio.AbstractEventLoop:
    """A new event loop: uvloop's when wanted and installed, else asyncio's.

    Args:
        prefer_uvloop: ``False`` always gives the standard asyncio loop.
    """
    if prefer_uvloop:
        try:
            uvloop = importlib.import_module("uvloop")
        except ImportError:
            log.info("event loop: asyncio (install the 'speed' extra for uvloop)")
        else:
            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
            log.info("event loop: uvloop %s", getattr(uvloop, "__version__", "?"))
            return loop
    return asyncio.new_event_loop()
