"""A wake-up call from any thread to one trio task (the store's writers: status files, progress).

Why not a bare ``trio.Event``: ``Event.set`` may only be called from trio's own thread, and the
writers are marked dirty from worker threads (device calls, the HTTP server's sync parts). A
thread hands the set to the trio loop with ``TrioToken.run_sync_soon`` (trio's documented way in,
"Interacting with threads"); after the loop has finished, a set is a no-op.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import trio


class Wakeup:
    """One trio task waits (:meth:`wait`), any thread wakes it (:meth:`set`).

    Use: inside :meth:`attached`, each round calls :meth:`arm` *before* looking for work, then
    :meth:`wait` if there was none, so that a :meth:`set` made after the look is never lost (it
    sets the armed event). Outside :meth:`attached` (before the task started, after it ended),
    :meth:`set` does nothing: the work is picked up by the next look."""

    def __init__(self) -> None:
        self._token: trio.lowlevel.TrioToken | None = None
        self._event: trio.Event | None = None

    @contextlib.contextmanager
    def attached(self) -> Iterator[None]:
        """While the calling trio task runs its loop: :meth:`set` reaches it."""
        self._token = trio.lowlevel.current_trio_token()
        try:
            yield
        finally:
            self._token = self._event = None

    def arm(self) -> None:
        """A fresh event for this round (call from the waiting task, before looking for work)."""
        self._event = trio.Event()

    async def wait(self) -> None:
        """Until :meth:`set` after the last :meth:`arm` (returns at once if it came already)."""
        if self._event is None:
            self.arm()
        assert self._event is not None
        await self._event.wait()

    async def until(self, pending: Callable[[], bool]) -> None:
        """One round: :meth:`arm`, then return at once if ``pending()`` (called in trio's thread;
        it takes the caller's own lock) says there is work, else :meth:`wait` for a set."""
        self.arm()
        if not pending():
            await self.wait()

    def set(self) -> None:
        """Wake the waiting task; thread-safe, never raises (a finished trio run is ignored)."""
        token = self._token
        if token is None:
            return
        with contextlib.suppress(trio.RunFinishedError):
            token.run_sync_soon(self._set_event)

    def _set_event(self) -> None:
        if self._event is not None:
            self._event.set()
