"""The simulator's clock: what "time spent on a video" and "uploading for a while" are measured in.

:class:`WallClock` (the default) follows ``time.monotonic``; :class:`ManualClock` only moves when a
test calls :meth:`ManualClock.advance`, so watch times and upload progress are exact and two runs
with one seed give identical ground truth. Both give seconds as floats; only differences matter.
"""

from __future__ import annotations

import threading
import time


class WallClock:
    """Real time (``time.monotonic``)."""

    def now(self) -> float:
        return time.monotonic()


class ManualClock:
    """Time that moves only when told: ``advance(seconds)``. Thread-safe."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        with self._lock:
            self._now += seconds
