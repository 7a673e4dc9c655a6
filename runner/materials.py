"""Material files on the runner's machine: where a post's media comes from, which paths are allowed,
and the ledger that keeps a file from being posted twice (docs/spec/scripts.md, "post").

Takes a post's config, the runner's upload folder and material roots; gives the files to post (in
order) and the caption template that goes with them. Reads directory listings and ``caption.txt``
only; media bytes are read later, by the push to the phone.

Rules (ours where the spec is silent, marked so):

- **Paths.** An absolute path is used as is; a relative one is relative to the upload folder
  (spec: comment_image_path; ours: the same for material_list and material_path). Every material
  path is resolved (``..`` and every symlink) and its real path must lie under a material root
  or the upload folder; with no roots configured, under the upload folder only; with neither,
  nothing is allowed (issue 10: a symlink in the library sent ``/etc/passwd`` to a phone).
  Intake refuses a path outside them, or a file or folder that does not exist, with 40001
  (:func:`path_problem`); choosing files skips library and folder entries whose real path
  escapes (:attr:`Candidates.refused`); and the push opens each file once and checks the file
  it opened (:func:`open_material`), so a symlink swapped in after the check is refused too.
- **Kinds.** Videos: .mp4 .mov .m4v .webm .3gp .mkv; images: .jpg .jpeg .png .webp .heic .bmp
  (case-insensitive). Dotfiles are ignored.
- **material_list** wins over the other sources and is used exactly as given (files of the post's
  kind, in order; the ledger is not asked: an explicit list is an explicit choice).
- **localFolder**: ``<material_path>/@<account>/`` first (files sorted by name), then the files
  directly in ``<material_path>`` as the fallback; files already posted are skipped.
  ``caption.txt`` in the account folder (else in ``<material_path>``) is the caption template and
  beats ``captions`` from the config (ours: the folder was laid out for this account).
- **materialLibrary**: every file under the upload folder, recursively. **Tags (ours)** are the
  names of the folders a file sits in below the upload folder (``library/dance/trending/a.mp4``
  has the tags ``dance`` and ``trending``), compared case-insensitively; ``materials_tags`` keeps
  files carrying at least one of the listed tags. The order is a per-task seeded shuffle; files
  already posted are skipped.
- **Ledger**: a file picked from a folder or the library is *reserved* for the task, turned
  *posted* as soon as the Post button has been tapped (whether or not the post is confirmed: a
  possibly published file is never offered again), and released when the task fails before that.
  A retried task gets its own reservations back. Kept in SQLite (``<spool>/materials.db``, its
  own file so the task store's schema stays its owner's) or, without a path, in process memory.
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel

from runner.models.scripts import CommentConfig, PostConfig, ProfileConfig

VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".webm", ".3gp", ".mkv"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".bmp"})
CAPTION_FILE = "caption.txt"


class MaterialError(Exception):
    """No usable material: the message says what is missing, for the task's remark."""


def resolve(raw: str, upload_folder: Path | None) -> Path:
    """The absolute path ``raw`` names: as is when absolute, else under ``upload_folder`` (else
    the working directory). ``..`` and symlinks are resolved (nothing is read)."""
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute():
        path = (upload_folder or Path.cwd()) / path
    return path.resolve(strict=False)


def allowed_roots(roots: Iterable[Path], upload_folder: Path | None) -> list[Path]:
    """The real folders material may come from: the configured roots plus the upload folder
    (symlinks resolved). Empty when neither is configured: then no material path is allowed."""
    out = [Path(r).resolve(strict=False) for r in roots]
    if upload_folder is not None:
        out.append(Path(upload_folder).resolve(strict=False))
    return out


def _within(path: Path, allowed: list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in allowed)


def _outside_message(raw: str, allowed: list[Path]) -> str:
    if not allowed:
        return (
            f"{raw!r}: no material may be read: set upload_folder (or material_roots) in the config"
        )
    return f"{raw!r} is outside the material folders ({', '.join(str(r) for r in allowed)})"


def outside_roots(raw: str, *, roots: Iterable[Path], upload_folder: Path | None) -> bool:
    """True when ``raw``'s real path (symlinks resolved) lies under none of
    :func:`allowed_roots` (always True when none are configured)."""
    allowed = allowed_roots(roots, upload_folder)
    return not _within(resolve(raw, upload_folder), allowed)


def path_problem(
    raw: str, want: str, *, roots: Iterable[Path], upload_folder: Path | None
) -> str | None:
    """Why the material path ``raw`` cannot be used, or None when it can: its real path is
    outside the allowed folders (:func:`allowed_roots`), or it is not an existing regular file
    (``want="file"``) or folder (``want="folder"``). Reads only metadata."""
    allowed = allowed_roots(roots, upload_folder)
    path = resolve(raw, upload_folder)
    if not _within(path, allowed):
        return _outside_message(raw, allowed)
    if want == "folder":
        return None if path.is_dir() else f"{raw!r} is not an existing folder ({path})"
    return None if path.is_file() else f"{raw!r} is not an existing file ({path})"


def open_material(path: Path, *, roots: Iterable[Path], upload_folder: Path | None) -> BinaryIO:
    """``path`` opened for reading, once it is known that the file opened is a regular file whose
    real path lies under :func:`allowed_roots`. The file is opened first and the check is made on
    what was opened (same device and inode as the resolved path), so a symlink swapped in after
    an earlier check cannot redirect the read. Never blocks on a FIFO.

    Raises :class:`MaterialError` (outside the folders, not a regular file, unreadable)."""
    return _open_checked(path, allowed_roots(roots, upload_folder))


def _open_checked(path: Path, allowed: list[Path]) -> BinaryIO:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise MaterialError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        opened = os.fstat(fd)
        real = Path(os.path.realpath(path))
        try:
            there = os.stat(real)
        except OSError:
            there = None
        same = there is not None and (there.st_dev, there.st_ino) == (opened.st_dev, opened.st_ino)
        if not same or not _within(real, allowed):
            raise MaterialError(_outside_message(str(path), allowed))
        if not stat.S_ISREG(opened.st_mode):
            raise MaterialError(f"{path} is not a regular file")
        os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
        f.raw.name = str(path)  # type: ignore[attr-defined]  # remarks name the path, not the fd
        return f
    except BaseException:
        os.close(fd)
        raise


def config_problems(
    config: BaseModel, *, roots: Iterable[Path], upload_folder: Path | None
) -> list[tuple[str, str]]:
    """(JSON pointer inside ``script_config``, message) for each material path of a validated
    script config that cannot be used (:func:`path_problem`), checked at create time before any
    file is read: post ``material_list`` items (files) and ``material_path`` (a folder, when
    the source is localFolder and no list is given), comment ``comment_image_path`` (a file),
    profile ``avatar_path`` (an image file: its kind is checked too, by extension). Other
    scripts have no material paths: []."""
    paths: list[tuple[str, str, str]] = []
    if isinstance(config, PostConfig):
        paths += [(f"/material_list/{i}", p, "file") for i, p in enumerate(config.material_list)]
        if config.material_source == "localFolder" and not config.material_list:
            paths.append(("/material_path", config.material_path, "folder"))
    elif isinstance(config, CommentConfig) and config.comment_image_path.strip():
        paths.append(("/comment_image_path", config.comment_image_path, "file"))
    elif isinstance(config, ProfileConfig) and config.avatar_path.strip():
        paths.append(("/avatar_path", config.avatar_path.strip(), "image"))
    roots = list(roots)
    out = []
    for pointer, raw, want in paths:
        problem = path_problem(
            raw, "file" if want == "image" else want, roots=roots, upload_folder=upload_folder
        )
        if problem is None and want == "image" and kind_of(resolve(raw, upload_folder)) != "image":
            problem = f"{raw!r} is not an image file ({', '.join(sorted(IMAGE_EXTENSIONS))})"
        if problem is not None:
            out.append((pointer, problem))
    return out


def kind_of(path: Path) -> str | None:
    """``"video"``, ``"image"`` or None, by extension."""
    ext = path.suffix.lower()
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in IMAGE_EXTENSIONS:
        return "image"
    return None


def _media_in(folder: Path, kind: str) -> list[Path]:
    """Files of ``kind`` directly in ``folder``, sorted by name; [] when it is not a folder."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(
        (p for p in entries if not p.name.startswith(".") and p.is_file() and kind_of(p) == kind),
        key=lambda p: p.name,
    )


def _read_caption(folder: Path, allowed: list[Path]) -> str | None:
    """``caption.txt`` of ``folder``, or None when absent, unreadable, not UTF-8, or (its real
    path) outside the allowed folders: a caption is published."""
    try:
        with _open_checked(folder / CAPTION_FILE, allowed) as f:
            return f.read(1_000_000).decode("utf-8-sig").strip()
    except (MaterialError, OSError, UnicodeDecodeError):
        return None


def library(upload_folder: Path, kind: str) -> list[tuple[Path, frozenset[str]]]:
    """Every file of ``kind`` under ``upload_folder`` with its tags (its folder names below the
    upload folder, lower-cased), sorted by path. Hidden files and folders are skipped."""
    out: list[tuple[Path, frozenset[str]]] = []
    for dirpath, dirnames, filenames in os.walk(upload_folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = Path(dirpath).relative_to(upload_folder)
        tags = frozenset(part.casefold() for part in rel.parts)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not name.startswith(".") and kind_of(path) == kind:
                out.append((path, tags))
    return out


def parse_tags(text: str) -> frozenset[str]:
    """``materials_tags`` as a set: comma-separated, trimmed, case-folded, blanks dropped."""
    return frozenset(t.strip().casefold() for t in text.split(",") if t.strip())


@dataclass(frozen=True)
class Candidates:
    """Files a post may use, in preference order; ``ledger`` says whether the ledger applies
    (False for an explicit material_list); ``caption`` the folder's caption template or None."""

    files: list[Path]
    ledger: bool
    caption: str | None
    where: str
    refused: tuple[Path, ...] = ()  # folder or library entries whose real path escapes


def candidates(
    config: PostConfig,
    *,
    account: str | None,
    upload_folder: Path | None,
    roots: Iterable[Path],
    seed: int,
) -> Candidates:
    """The files a post config may use (see the module docstring for the rules).

    ``config`` is the post's validated config model. Raises :class:`MaterialError`
    for a path outside the roots, a missing folder or file, or no upload folder for the library.
    """
    roots = list(roots)
    allowed = allowed_roots(roots, upload_folder)
    kind = "image" if config.content_type == 1 else "video"

    def checked(raw: str, what: str, want: str) -> Path:
        problem = path_problem(raw, want, roots=roots, upload_folder=upload_folder)
        if problem is not None:
            raise MaterialError(f"{what} {problem}")
        return resolve(raw, upload_folder)

    def kept(files: list[Path]) -> tuple[list[Path], tuple[Path, ...]]:
        inside = [f for f in files if _within(f.resolve(strict=False), allowed)]
        return inside, tuple(f for f in files if f not in inside)

    material_list = [m for m in config.material_list if m.strip()]
    if material_list:
        files = []
        for raw in material_list:
            path = checked(raw, "material file", "file")
            if kind_of(path) == kind:
                files.append(path)
        return Candidates(files, ledger=False, caption=None, where="material_list")

    if config.material_source == "localFolder":
        raw = config.material_path
        base = checked(raw, "material_path", "folder")
        files: list[Path] = []
        caption = None
        if account:
            own = base / f"@{account}"
            files.extend(_media_in(own, kind))
            caption = _read_caption(own, allowed) if own.is_dir() else None
        files.extend(_media_in(base, kind))
        if caption is None:
            caption = _read_caption(base, allowed)
        files, refused = kept(files)
        return Candidates(files, True, caption or None, f"folder {raw}", refused)

    if upload_folder is None:
        raise MaterialError("materialLibrary needs the runner's upload_folder, which is not set")
    folder = Path(upload_folder)
    if not folder.is_dir():
        raise MaterialError(f"the upload folder {folder} does not exist")
    wanted = parse_tags(config.materials_tags)
    files, refused = kept([p for p, tags in library(folder, kind) if not wanted or tags & wanted])
    random.Random(f"library:{seed}").shuffle(files)
    tag_note = f" tagged {', '.join(sorted(wanted))}" if wanted else ""
    where = f"the material library{tag_note}"
    return Candidates(files, ledger=True, caption=None, where=where, refused=refused)


# ------------------------------------------------------------------------------------ the ledger


def connect_ledger_file(path: Path, schema: str) -> sqlite3.Connection:
    """Open the material ledger's SQLite file (``<spool>/materials.db``; its folder made if
    missing) in autocommit mode with WAL and a 30 s busy timeout, and create ``schema``'s table
    if needed. The ledger and post's record of Post taps share the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(schema)
    return conn


_SCHEMA = """CREATE TABLE IF NOT EXISTS material_ledger (
    path TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('reserved', 'posted')),
    task_id INTEGER NOT NULL,
    serial TEXT,
    at REAL NOT NULL
)"""


class Ledger:
    """Which material files are reserved by a task or already posted (see the module docstring).

    ``path``: the SQLite file; None keeps the ledger in process memory (shared by every
    :class:`Ledger` without a path). Methods are blocking but short (one transaction); call them
    through ``trio.to_thread.run_sync``. Thread- and process-safe (SQLite's own locking, with
    ``BEGIN IMMEDIATE`` around each read-then-write).
    """

    _memory: dict[str, tuple[str, int]] = {}
    _memory_lock = threading.Lock()

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return connect_ledger_file(self.path, _SCHEMA)

    def claim(self, files: list[Path], count: int, *, task_id: int, serial: str) -> list[Path]:
        """Reserve up to ``count`` of ``files`` for ``task_id``, in order: files this task had
        already reserved (a retry) first, then files nobody reserved or posted. Returns them
        (fewer than ``count`` when not enough are free)."""
        keys = [str(p) for p in files]
        if self.path is None:
            with self._memory_lock:
                taken = self._memory
                picked = [k for k in keys if taken.get(k, ("", -1))[1] == task_id][:count]
                for k in keys:
                    if len(picked) >= count:
                        break
                    if k not in taken and k not in picked:
                        picked.append(k)
                for k in picked:
                    taken.setdefault(k, ("reserved", task_id))
                return [Path(k) for k in picked]
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            rows: dict[str, int] = {}
            for k in keys:
                row = conn.execute(
                    "SELECT task_id FROM material_ledger WHERE path = ?", (k,)
                ).fetchone()
                if row is not None:
                    rows[k] = row[0]
            picked = [k for k in keys if rows.get(k) == task_id][:count]
            for k in keys:
                if len(picked) >= count:
                    break
                if k not in rows and k not in picked:
                    picked.append(k)
            now = time.time()
            conn.executemany(
                "INSERT OR IGNORE INTO material_ledger (path, state, task_id, serial, at) "
                "VALUES (?, 'reserved', ?, ?, ?)",
                [(k, task_id, serial, now) for k in picked],
            )
            conn.execute("COMMIT")
            return [Path(k) for k in picked]
        finally:
            conn.close()

    def mark_posted(self, task_id: int) -> None:
        """Every file reserved by ``task_id`` becomes posted (never offered again)."""
        if self.path is None:
            with self._memory_lock:
                for k, (_, owner) in list(self._memory.items()):
                    if owner == task_id:
                        self._memory[k] = ("posted", owner)
            return
        conn = self._connect()
        try:
            conn.execute(
                "UPDATE material_ledger SET state = 'posted', at = ? WHERE task_id = ?",
                (time.time(), task_id),
            )
        finally:
            conn.close()

    def release(self, task_id: int) -> None:
        """Give back the files ``task_id`` reserved but did not post."""
        if self.path is None:
            with self._memory_lock:
                for k, (state, owner) in list(self._memory.items()):
                    if owner == task_id and state == "reserved":
                        del self._memory[k]
            return
        conn = self._connect()
        try:
            conn.execute(
                "DELETE FROM material_ledger WHERE task_id = ? AND state = 'reserved'", (task_id,)
            )
        finally:
            conn.close()

    def state_of(self, path: Path) -> str | None:
        """``"reserved"``, ``"posted"`` or None (for tests and diagnostics)."""
        key = str(path)
        if self.path is None:
            with self._memory_lock:
                entry = self._memory.get(key)
            return entry[0] if entry else None
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT state FROM material_ledger WHERE path = ?", (key,)
            ).fetchone()
            return row[0] if row else None
        finally:
            conn.close()
