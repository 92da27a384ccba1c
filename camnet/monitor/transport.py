"""RTP transport per tier-2 open, made safe although FFmpeg's options are process-wide.

OpenCV 5's FFmpeg backend takes no per-capture RTSP options: ``VideoCapture(url,
CAP_FFMPEG, params)`` honours ``CAP_PROP_OPEN_TIMEOUT_MSEC`` / ``CAP_PROP_READ_TIMEOUT_MSEC``
but the RTP transport comes only from the environment variable
``OPENCV_FFMPEG_CAPTURE_OPTIONS``, read (``getenv``) at the start of *every* open. Setting
it per grab from several worker threads would race: one thread's UDP setting would leak
into another thread's TCP open.

:class:`OptionsGate` is a readers-writer lock around "the variable's value + the open":

* opens with the default options (:data:`camnet.monitor.cv.CAPTURE_OPTIONS`, RTP over TCP,
  nearly every camera) hold it *shared* and run in parallel, as before;
* an open with other options (UDP, for the few cameras that refuse TCP) holds it
  *exclusively*: it waits for the opens in flight, sets the variable, opens, restores the
  default and lets the others go. Waiting writers block new readers, so UDP opens are
  never starved.

Only the open (``VideoCapture(...)``, bounded by the open timeout) is inside the gate, not
the frame reads. The cost: the UDP cameras' opens run one at a time, and pause other opens
while they run (about 0.5 s each on a LAN); the remembered transport
(:mod:`camnet.monitor.tier2_store`) keeps TCP cameras from ever paying a refused attempt.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from camnet.monitor.cv import CAPTURE_OPTIONS, UDP_CAPTURE_OPTIONS

TCP = "tcp"
UDP = "udp"
TRANSPORTS = (TCP, UDP)
_ENV = "OPENCV_FFMPEG_CAPTURE_OPTIONS"
OPTIONS = {TCP: CAPTURE_OPTIONS, UDP: UDP_CAPTURE_OPTIONS}


def other(transport: str) -> str:
    """The transport to fall back to."""
    return UDP if transport == TCP else TCP


class OptionsGate:
    """A readers-writer lock over the process's FFmpeg capture options (see module doc)."""

    def __init__(self, default: str = CAPTURE_OPTIONS) -> None:
        self.default = default
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def options(self, value: str) -> Iterator[None]:
        """Hold the gate while FFmpeg opens with ``value`` as its capture options."""
        if value == self.default:
            with self._cond:
                self._cond.wait_for(lambda: not self._writer and not self._writers_waiting)
                self._readers += 1
            try:
                yield
            finally:
                with self._cond:
                    self._readers -= 1
                    self._cond.notify_all()
            return
        with self._cond:
            self._writers_waiting += 1
            self._cond.wait_for(lambda: not self._writer and self._readers == 0)
            self._writers_waiting -= 1
            self._writer = True
        os.environ[_ENV] = value
        try:
            yield
        finally:
            os.environ[_ENV] = self.default
            with self._cond:
                self._writer = False
                self._cond.notify_all()


GATE = OptionsGate()


@contextmanager
def capture_options(transport: str) -> Iterator[None]:
    """Hold the process-wide gate for one open over ``transport`` (``tcp`` or ``udp``)."""
    with GATE.options(OPTIONS[transport]):
        yield
