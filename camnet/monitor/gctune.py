"""Garbage-collector settings for a long-running service that probes 50,000 cameras.

CPython's full (generation 2) collection walks every tracked object. A 50,000-camera cycle
allocates fast and keeps a lot alive for its duration, so with the default thresholds a
full collection ran every couple of seconds and stopped the event loop for 100-600 ms each
time (``/healthz`` p99 504 ms during a cycle). :func:`settle` moves everything alive after
start-up (modules, config, templates) out of the collector's sight (``gc.freeze``) and makes
full collections rare; reference counting still frees almost everything at once, and the
young generations still collect short-lived cycles.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)

# The young generations stay small (each collection is short: a cycle's failed probes
# leave exception/traceback cycles that only the collector frees), but a full collection
# waits for 1,000 gen-1 collections instead of 10 (plus CPython's own 25 %-growth rule).
# A larger gen 0 (20,000) was tried: its collections then took 30-140 ms each.
THRESHOLDS = (1_000, 10, 1_000)
SWITCH_INTERVAL_S = 0.001


def settle(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
    """Collect once, freeze the survivors, raise the thresholds, shorten the GIL switch.

    Call once, after start-up (``CycleScheduler.start``).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
    # The database thread binds 50,000-row batches holding the GIL; the event loop then
    # waits up to the switch interval for each turn (5 ms by default, many turns per
    # request). 1 ms keeps /healthz answering while a cycle writes.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    log.info("gc: %d start-up objects frozen, thresholds %s", gc.get_freeze_count(), thresholds)


def _load_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    return trim


_TRIM = _load_trim()


def release_memory() -> None:
    """Blocking: hand the heap a finished cycle freed back to the system (glibc ``malloc_trim``).

    A 50,000-camera cycle frees tens of MB of small objects at its end; without a trim the
    process keeps them mapped and the resident size only ever grows. Run it in a thread.
    """
    if _TRIM is not None:
        _TRIM(0)
