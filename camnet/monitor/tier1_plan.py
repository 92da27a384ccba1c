"""When each camera's tier-1 probe starts inside a cycle (pure).

A cycle spreads its probe starts over ``interval_s * spread`` seconds (jitter, so 50,000
handshakes never arrive as one burst). The order is planned up front as plain
``(offset, index)`` pairs; a fixed pool of workers walks it, so the number of coroutines
alive never exceeds ``monitor.concurrency``.
"""

from __future__ import annotations

from collections.abc import Callable


def start_order(count: int, spread_s: float, rand: Callable[[], float]
                ) -> list[tuple[float, int]]:
    """Each target's start offset (seconds from the cycle's start), earliest first.

    Args:
        count: how many targets.
        spread_s: spread starts uniformly over this many seconds (``0``: all at once, in
            the targets' order).
        rand: a source of uniform numbers in ``[0, 1)`` (``random.random``; tests pass a
            seeded one).

    Returns:
        ``(offset, index)`` pairs sorted by offset; every index ``0..count-1`` once.
    """
    if spread_s <= 0:
        return [(0.0, i) for i in range(count)]
    return sorted((rand() * spread_s, i) for i in range(count))
