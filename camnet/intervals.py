"""Time as intervals of epoch seconds: the one set of merge/clip/subtract/intersect helpers.

Used by uptime (monitor), the who-saw verdicts (coverage) and the watched-span and
maintenance readers. Pure functions over ``(start, end)`` pairs.
"""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[float, float]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping intervals, dropping empty ones."""
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def clip(intervals: Iterable[Interval], lo: float, hi: float) -> list[Interval]:
    """Intervals cut to [lo, hi], merged."""
    return merge((max(a, lo), min(b, hi)) for a, b in intervals)


def length(intervals: Iterable[Interval]) -> float:
    """Total length of (merged) intervals."""
    return sum(b - a for a, b in intervals)


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Parts of merged ``a`` not covered by merged ``b``."""
    out: list[Interval] = []
    for lo, hi in a:
        cur = lo
        for blo, bhi in b:
            if bhi <= cur or blo >= hi:
                continue
            if blo > cur:
                out.append((cur, blo))
            cur = max(cur, bhi)
        if cur < hi:
            out.append((cur, hi))
    return out


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Where merged ``a`` and merged ``b`` overlap."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out
