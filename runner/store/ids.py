"""Task ids stay unique for ever, even across a store lost and started afresh.

The store's ``tasks`` table hands out ids with AUTOINCREMENT, which protects them as long as the
file lives. Beside it, outside ``state.db``, the file ``task-ids`` holds a ceiling: no id above it
was ever handed out. It is raised (written, fsynced) *before* a transaction that hands out ids
beyond it commits, in blocks of :data:`BLOCK`, so it is always at or above every committed id. A
fresh store (the operator moved a damaged one aside) starts its ids above the ceiling and above
every id the spool's ``status/`` and ``artifacts/`` still name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

BLOCK = 1000  # ids reserved per write of the ceiling (one fsync per BLOCK ids)
FILE_NAME = "task-ids"

_STATUS_ID = re.compile(rb"\{id: (\d+),")  # a task row of a status file (runner.status)


class IdFileError(ValueError):
    """``task-ids`` exists but holds no whole number (the message says which file)."""


class IdCeiling:
    """The ceiling in the file ``path`` (missing: 0). Raises :class:`IdFileError` at construction
    when the file holds something else than a whole number, ``OSError`` when it cannot be read."""

    def __init__(self, path: Path):
        self.path = path
        try:
            text = path.read_text(encoding="ascii", errors="replace").strip()
        except FileNotFoundError:
            text = "0"
        if not text.isdigit():
            raise IdFileError(f"{path} holds {text[:40]!r}, not the highest task id reserved")
        self.value = int(text)

    def cover(self, highest: int) -> None:
        """Make the ceiling at least ``highest`` (an id about to be committed): when it is below,
        write ``highest + BLOCK`` to the file (temporary file, fsync, rename, fsync of the folder)
        before returning. Raises ``OSError`` when it cannot be written (the caller rolls back)."""
        if highest <= self.value:
            return
        value = highest + BLOCK
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, f"{value}\n".encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        fsync_folder(self.path.parent)
        self.value = value


def fsync_folder(folder: Path) -> None:
    """fsync a folder, so a rename into it is on disk. Raises ``OSError``."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def highest_id_in_spool(root: Path) -> int:
    """The highest task id the spool at ``root`` still names: folders ``artifacts/<id>``, status
    files ``status/api-<id>.status.yaml`` and the task rows (``{id: N, ...}``) of every status
    file. 0 when none. Unreadable files are passed over (this is a floor, not a check)."""
    highest = 0
    try:
        for entry in os.scandir(root / "artifacts"):
            if entry.name.isdigit():
                highest = max(highest, int(entry.name))
    except OSError:
        pass
    try:
        entries = list(os.scandir(root / "status"))
    except OSError:
        entries = []
    for entry in entries:
        if not entry.name.endswith(".status.yaml"):
            continue
        stem = entry.name.removesuffix(".status.yaml")
        if stem.startswith("api-") and stem[4:].isdigit():
            highest = max(highest, int(stem[4:]))
        try:
            with open(entry.path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        for m in _STATUS_ID.finditer(data):
            highest = max(highest, int(m.group(1)))
    return highest
