"""Folder watching for the spool and the workflows folder: watchdog events turned into trio hints.

Events are hints, never the truth (design.md, "Spool directory"): watchdog drops events under
load, so every user of :func:`start_observer` also scans its folder periodically.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import trio

log = logging.getLogger(__name__)


def start_observer(folder: Path, send: trio.MemorySendChannel, token: trio.lowlevel.TrioToken):
    """Start watchdog on ``folder`` (not recursive); its events reach trio as hints.

    Each hint is a ``(file name, complete)`` tuple sent on ``send`` from trio's thread (through
    ``token``): ``complete`` is True for a file renamed into the folder (a *moved* event) or closed
    after writing (inotify's IN_CLOSE_WRITE, watchdog's ``FileClosedEvent``). Hints are dropped
    when the channel is full: callers scan the folder periodically anyway (watchdog's own inotify
    queue can overflow silently too). Returns the started observer (call ``stop()`` on it), or
    None when the folder cannot be watched (the error is logged).
    """
    from watchdog.events import FileClosedEvent, FileMovedEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    def hint(name: str, hot: bool) -> None:
        try:
            send.send_nowait((name, hot))
        except (trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError):
            pass

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):  # noqa: ANN001 - watchdog's signature
            if event.is_directory:
                return
            if isinstance(event, FileMovedEvent):
                path, hot = event.dest_path, True
            else:
                path, hot = event.src_path, isinstance(event, FileClosedEvent)
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            if os.path.dirname(path) != str(folder):
                return
            try:
                token.run_sync_soon(hint, os.path.basename(path), hot)
            except trio.RunFinishedError:
                pass

    try:
        try:  # Linux: report a file renamed in from elsewhere as a move, not a creation
            from watchdog.observers.inotify import InotifyObserver

            observer = InotifyObserver(generate_full_events=True)
        except (ImportError, OSError):
            observer = Observer()
        observer.schedule(Handler(), str(folder), recursive=False)
        observer.daemon = True
        observer.start()
        return observer
    except OSError:
        log.exception("cannot watch %s; falling back to periodic scans", folder)
        return None
