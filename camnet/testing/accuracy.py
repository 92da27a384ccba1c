"""Outage accuracy: compare recorded outages with the simulator's own event log.

Pure functions over plain data, shared by the accuracy test and
``scripts/bench/bench_outage_accuracy.py``. Times are Unix seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

Span = tuple[float, float]


def truth_outages(events: Iterable[Mapping[str, Any]], *, until: float) -> dict[str, list[Span]]:
    """Offline → online pairs per camera (a camera still offline runs to ``until``)."""
    spans: dict[str, list[Span]] = defaultdict(list)
    down_since: dict[str, float] = {}
    for e in sorted(events, key=lambda e: float(e["at"])):
        name, at = str(e["camera"]), float(e["at"])
        if e["event"] == "offline":
            down_since.setdefault(name, at)
        elif e["event"] == "online" and name in down_since:
            spans[name].append((down_since.pop(name), at))
    for name, start in down_since.items():
        spans[name].append((start, until))
    return dict(spans)


@dataclass
class Comparison:
    """How recorded outages match the truth."""

    start_errors: list[float] = field(default_factory=list)  # recorded - true, seconds
    end_errors: list[float] = field(default_factory=list)
    phantom: list[tuple[str, Span]] = field(default_factory=list)  # recorded, no true outage
    missed: list[tuple[str, Span]] = field(default_factory=list)  # long enough, not recorded
    blips_ignored: int = 0  # true outages shorter than the confirmation, rightly not recorded

    def summary(self) -> dict[str, float | int]:
        """Counts and error figures (absolute seconds)."""
        def stats(values: list[float]) -> tuple[float, float]:
            absolute = [abs(v) for v in values] or [0.0]
            return fmean(absolute), max(absolute)

        start_mean, start_max = stats(self.start_errors)
        end_mean, end_max = stats(self.end_errors)
        return {"matched": len(self.start_errors), "phantom": len(self.phantom),
                "missed": len(self.missed), "blips_ignored": self.blips_ignored,
                "start_mean_s": round(start_mean, 2), "start_max_s": round(start_max, 2),
                "end_mean_s": round(end_mean, 2), "end_max_s": round(end_max, 2)}


def compare(truth: Mapping[str, list[Span]], recorded: Mapping[str, list[Span]], *,
            min_outage_s: float) -> Comparison:
    """Match each recorded outage with the true outage it overlaps most.

    Args:
        truth: true outages per camera.
        recorded: recorded outages per camera.
        min_outage_s: true outages shorter than this are blips that must not be recorded.
    """
    result = Comparison()
    for name in sorted(set(truth) | set(recorded)):
        real = list(truth.get(name, []))
        used: set[int] = set()
        for rec in recorded.get(name, []):
            overlaps = [(min(rec[1], t[1]) - max(rec[0], t[0]), i) for i, t in enumerate(real)]
            best = max(overlaps, default=(0.0, -1))
            # an outage may start up to one cycle after the truth ended: allow a near miss
            near = [i for i, t in enumerate(real) if abs(rec[0] - t[0]) <= min_outage_s * 2]
            index = best[1] if best[0] > 0 else (near[0] if near else -1)
            if index < 0 or index in used:
                result.phantom.append((name, rec))
                continue
            used.add(index)
            result.start_errors.append(rec[0] - real[index][0])
            result.end_errors.append(rec[1] - real[index][1])
        for i, t in enumerate(real):
            if i in used:
                continue
            if t[1] - t[0] < min_outage_s:
                result.blips_ignored += 1
            else:
                result.missed.append((name, t))
    return result
