"""A phone's in-memory filesystem: what ``sync:`` pushes and pulls and the shell's ``ls``/``cat``/``rm``
work on.

Paths are absolute POSIX paths; ``/sdcard`` is the same tree as ``/storage/emulated/0`` (as on
Android). Writable roots are ``/data/local/tmp`` and the shared storage, like the ``shell`` user's.
Large identical files (the 3.7 MB ``u2.jar`` on every phone) share one ``bytes`` object through a
farm-wide :class:`BlobStore`, so 200 phones do not hold 200 copies.
"""

from __future__ import annotations

import hashlib
import posixpath
import stat
import threading
import time
from dataclasses import dataclass, field

_SHARED = "/storage/emulated/0"
_WRITABLE = ("/data/local/tmp", _SHARED)
_DEFAULT_DIRS = (
    "/",
    "/data",
    "/data/local",
    "/data/local/tmp",
    "/storage",
    _SHARED,
    _SHARED + "/DCIM",
    _SHARED + "/DCIM/Camera",
    _SHARED + "/Download",
    _SHARED + "/Pictures",
    _SHARED + "/Movies",
    "/system",
    "/system/bin",
)


class FsError(Exception):
    """A filesystem operation failed; ``str()`` is the errno text (``No such file or directory``)."""


class BlobStore:
    """Interns large file contents so identical files are stored (and hashed) once; thread-safe.

    Candidates are found by length and the first and last 4 KiB, then confirmed byte for byte
    (a memcmp, much cheaper than hashing 3.7 MB per phone).
    """

    _MIN_SIZE = 64 * 1024

    def __init__(self) -> None:
        self._blobs: dict[tuple[int, bytes, bytes], list[tuple[bytes, str]]] = {}
        self._lock = threading.Lock()

    def intern(self, data: bytes) -> tuple[bytes, str | None]:
        """(the shared copy of ``data``, its MD5 if known)."""
        if len(data) < self._MIN_SIZE:
            return data, None
        key = (len(data), data[:4096], data[-4096:])
        with self._lock:
            for blob, digest in self._blobs.get(key, ()):
                if blob == data:
                    return blob, digest
        digest = hashlib.md5(data).hexdigest()
        with self._lock:
            self._blobs.setdefault(key, []).append((data, digest))
        return data, digest


@dataclass
class Entry:
    """One file or directory: ``mode`` includes the type bits (``S_IFREG``/``S_IFDIR``)."""

    mode: int
    mtime: int
    data: bytes = b""
    _md5: str | None = field(default=None, repr=False)

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)

    @property
    def size(self) -> int:
        return 0 if self.is_dir else len(self.data)

    def md5(self) -> str:
        if self._md5 is None:
            self._md5 = hashlib.md5(self.data).hexdigest()
        return self._md5


def normalize(path: str, cwd: str = "/") -> str:
    """Absolute, normalized path with ``/sdcard`` (and ``/mnt/sdcard``) mapped to shared storage."""
    p = posixpath.normpath(posixpath.join(cwd, path)) if path else cwd
    if p.startswith("//"):
        p = "/" + p.lstrip("/")
    for alias in ("/sdcard", "/mnt/sdcard", "/storage/self/primary"):
        if p == alias or p.startswith(alias + "/"):
            p = _SHARED + p[len(alias) :]
    return p


class SimFilesystem:
    """Files and directories of one phone. Not thread-safe: the farm's lock guards it."""

    def __init__(self, blobs: BlobStore | None = None, now: int | None = None) -> None:
        self._blobs = blobs or BlobStore()
        self._entries: dict[str, Entry] = {}
        self._children: dict[str, set[str]] = {}
        t = int(time.time()) if now is None else now
        for d in _DEFAULT_DIRS:
            self._add(d, Entry(stat.S_IFDIR | 0o771, t))

    def _add(self, path: str, entry: Entry) -> None:
        self._entries[path] = entry
        if entry.is_dir:
            self._children.setdefault(path, set())
        if path != "/":
            self._children.setdefault(posixpath.dirname(path), set()).add(posixpath.basename(path))

    def stat(self, path: str) -> Entry | None:
        """The entry at ``path``, or None."""
        return self._entries.get(normalize(path))

    def listdir(self, path: str) -> list[tuple[str, Entry]]:
        """Sorted (name, entry) pairs of a directory; FsError if it is missing or a file."""
        p = normalize(path)
        e = self._entries.get(p)
        if e is None:
            raise FsError("No such file or directory")
        if not e.is_dir:
            raise FsError("Not a directory")
        return [(n, self._entries[posixpath.join(p, n)]) for n in sorted(self._children[p])]

    def read(self, path: str) -> bytes:
        e = self._entries.get(normalize(path))
        if e is None:
            raise FsError("No such file or directory")
        if e.is_dir:
            raise FsError("Is a directory")
        return e.data

    def md5(self, path: str) -> str:
        e = self._entries.get(normalize(path))
        if e is None:
            raise FsError("No such file or directory")
        if e.is_dir:
            raise FsError("Is a directory")
        return e.md5()

    @staticmethod
    def _check_writable(p: str) -> None:
        if not any(p == root or p.startswith(root + "/") for root in _WRITABLE):
            raise FsError("Permission denied")

    def makedirs(self, path: str, mtime: int | None = None) -> None:
        """``mkdir -p``: create ``path`` and missing parents; FsError if a file is in the way."""
        p = normalize(path)
        t = int(time.time()) if mtime is None else mtime
        missing = []
        while p not in self._entries:
            missing.append(p)
            p = posixpath.dirname(p)
        if not self._entries[p].is_dir:
            raise FsError("Not a directory")
        for d in reversed(missing):
            self._check_writable(d)
            self._add(d, Entry(stat.S_IFDIR | 0o771, t))

    def mkdir(self, path: str) -> None:
        p = normalize(path)
        if p in self._entries:
            raise FsError("File exists")
        parent = self._entries.get(posixpath.dirname(p))
        if parent is None:
            raise FsError("No such file or directory")
        self.makedirs(p)

    def write(
        self,
        path: str,
        data: bytes,
        *,
        mode: int = 0o644,
        mtime: int | None = None,
        append: bool = False,
        make_parents: bool = False,
    ) -> None:
        """Create or replace (or append to) a regular file."""
        p = normalize(path)
        self._check_writable(p)
        parent = posixpath.dirname(p)
        if make_parents:
            self.makedirs(parent)
        pe = self._entries.get(parent)
        if pe is None:
            raise FsError("No such file or directory")
        if not pe.is_dir:
            raise FsError("Not a directory")
        old = self._entries.get(p)
        if old is not None and old.is_dir:
            raise FsError("Is a directory")
        if append and old is not None:
            data = old.data + data
        t = int(time.time()) if mtime is None else mtime
        blob, digest = self._blobs.intern(bytes(data))
        self._add(p, Entry(stat.S_IFREG | (mode & 0o7777), t, blob, digest))

    def remove(self, path: str, *, recursive: bool = False) -> None:
        """``rm`` (``-r`` with ``recursive``); FsError when missing, or a directory without it."""
        p = normalize(path)
        e = self._entries.get(p)
        if e is None:
            raise FsError("No such file or directory")
        self._check_writable(p)
        if e.is_dir:
            if not recursive:
                raise FsError("Is a directory")
            for name in list(self._children.get(p, ())):
                self.remove(posixpath.join(p, name), recursive=True)
            self._children.pop(p, None)
        del self._entries[p]
        self._children[posixpath.dirname(p)].discard(posixpath.basename(p))
