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

COMPLETE, WRITING, GONE, OTHER = "complete", "writing", "gone", "other"


def start_observer(folder: Path, send: trio.MemorySendChannel, token: trio.lowlevel.TrioToken):
    """Start watchdog on ``folder`` (not recursive); its events reach trio as hints.

    Each hint is a ``(file name, kind)`` tuple sent on ``send`` from trio's thread (through
    ``token``). ``kind``: :data:`COMPLETE` for a file renamed into the folder (a *moved* event) or
    closed after writing (inotify's IN_CLOSE_WRITE, watchdog's ``FileClosedEvent``);
    :data:`WRITING` for a file written to (IN_MODIFY: open for writing until its close comes);
    :data:`GONE` for a file deleted or renamed away (file name ``""``: the watched folder itself was
    deleted or moved; watching it has stopped); :data:`OTHER` for anything else (created,
    attributes changed). Hints are dropped
    when the channel is full: callers scan the folder periodically anyway (watchdog's own inotify
    queue can overflow silently too). Returns the started observer (call ``stop()`` on it), or
    None when the folder cannot be watched (the error is logged).
    """
    from watchdog.events import (
        DirDeletedEvent,
        DirMovedEvent,
        FileClosedEvent,
        FileDeletedEvent,
        FileModifiedEvent,
        FileMovedEvent,
        FileSystemEventHandler,
    )
    from watchdog.observers import Observer

    def hint(name: str, kind: str) -> None:
        try:
            send.send_nowait((name, kind))
        except (trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError):
            pass

    def tell(path: str | bytes, kind: str) -> None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if path and os.path.dirname(path) == str(folder):
            try:
                token.run_sync_soon(hint, os.path.basename(path), kind)
            except trio.RunFinishedError:
                pass

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):  # noqa: ANN001 - watchdog's signature
            if isinstance(event, DirDeletedEvent | DirMovedEvent) and os.fsdecode(
                event.src_path
            ) == str(folder):  # the folder itself went away
                try:
                    token.run_sync_soon(hint, "", GONE)
                except trio.RunFinishedError:
                    pass
            elif event.is_directory:
                tell(event.src_path, OTHER)  # a folder dropped in is refused by the scan
            elif isinstance(event, FileMovedEvent):
                tell(event.src_path, GONE)
                tell(event.dest_path, COMPLETE)
            elif isinstance(event, FileClosedEvent):
                tell(event.src_path, COMPLETE)
            elif isinstance(event, FileModifiedEvent):
                tell(event.src_path, WRITING)
            elif isinstance(event, FileDeletedEvent):
                tell(event.src_path, GONE)
            else:
                tell(event.src_path, OTHER)

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
