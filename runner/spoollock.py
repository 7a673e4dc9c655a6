"""One runner per spool: an OS lock on ``<spool>/runner.lock``, held for the runner's life.

``serve`` takes it before it touches anything in the spool (crash recovery, the store, intake): a
second runner on the same spool must not "recover" the first one's running tasks. The lock is
``flock(2)`` (``LOCK_EX | LOCK_NB``) on an open file description, so the kernel drops it when the
process dies however it dies (SIGKILL, power cut: no stale lock to clean up), and two runners in
one process conflict as two processes do. The file's text names the holder (``host``, ``pid``,
``since`` in UTC) so that the refused runner can say who holds the spool; it is rewritten by each
new holder and never deleted. Several runners sharing work go through a shared store, not a
shared spool (design.md, "Scaling out").
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

LOCK_NAME = "runner.lock"


class SpoolLockError(Exception):
    """The spool cannot be locked: its message is one line saying why (the spool named)."""


class SpoolBusy(SpoolLockError):
    """Another runner holds the spool's lock. ``holder`` is its text (``tikrunner pid N on host H
    (since T)``), or a sentence saying it could not be read; ``path`` is the lock file."""

    def __init__(self, path: Path, holder: str):
        super().__init__(f"spool {path.parent} is in use by {holder}; one runner per spool")
        self.path = path
        self.holder = holder


class SpoolLock:
    """The held lock on one spool; :meth:`release` (or process exit) frees it."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, spool: Path) -> SpoolLock:
        """Lock ``spool`` (a directory, created if missing) for this process.

        Returns the held lock; raises :class:`SpoolBusy` at once (no waiting) when another runner
        holds it, and :class:`SpoolLockError` when the lock file cannot be created, locked or
        written for another reason (read-only spool, a spool that is a file, no locks there).
        """
        path = spool / LOCK_NAME
        try:
            spool.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as e:
            raise SpoolLockError(f"spool {spool.absolute()}: cannot lock it: {_why(e)}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            text = json.dumps(
                {
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                    "since": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                }
            )
            os.ftruncate(fd, 0)
            os.pwrite(fd, (text + "\n").encode(), 0)
        except BlockingIOError:
            os.close(fd)
            raise SpoolBusy(path.absolute(), _holder(path)) from None
        except OSError as e:
            os.close(fd)
            raise SpoolLockError(f"spool {spool.absolute()}: cannot lock it: {_why(e)}") from None
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd)

    def release(self) -> None:
        """Unlock (idempotent). The file stays: the next holder rewrites it."""
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None


def _holder(path: Path) -> str:
    """Who holds ``path``, from its text: ``tikrunner pid 123 on host h (since ...)``."""
    for _ in range(20):  # the holder writes its line right after locking: give it a moment
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
            return f"tikrunner pid {info['pid']} on host {info['host']} (since {info['since']})"
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(0.01)
    return "another process (it has not written its host and pid)"


def _why(error: OSError) -> str:
    return f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
