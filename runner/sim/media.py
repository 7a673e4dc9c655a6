"""The media store of a simulated phone: which pushed files the gallery (and so the app's picker)
can see.

Android's gallery lists what MediaProvider has indexed, not what is on disk: a file pushed with
``adb push`` appears only after a scan, asked for by ``am broadcast -a
android.intent.action.MEDIA_SCANNER_SCAN_FILE -d file:///sdcard/...`` or ``content call --uri
content://media/external/file --method scan_file --arg /sdcard/...`` (MediaProvider's
``scan_file`` call, Android 10+). A scanned directory indexes the media files under it. A file
deleted after indexing drops out of the gallery (MediaProvider notices on the next query).

Takes scan requests (paths); gives :meth:`MediaStore.items`: indexed images and videos that still
exist, newest first by index order. The farm's lock guards it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from runner.sim.filesystem import normalize

if TYPE_CHECKING:
    from runner.sim.filesystem import SimFilesystem

VIDEO_EXT = (".mp4", ".mov", ".3gp", ".mkv", ".webm", ".m4v")
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".bmp")


def media_kind(path: str) -> str | None:
    """``"video"``, ``"image"`` or None, from the file name's extension (MediaFile's table)."""
    low = path.lower()
    if low.endswith(VIDEO_EXT):
        return "video"
    if low.endswith(IMAGE_EXT):
        return "image"
    return None


def file_uri_path(uri: str) -> str | None:
    """The phone path of a ``file://`` URI (percent-decoded), or of a bare absolute path."""
    if uri.startswith("/"):
        return normalize(uri)
    parts = urlsplit(uri)
    if parts.scheme != "file" or not parts.path:
        return None
    return normalize(unquote(parts.path))


@dataclass(frozen=True)
class MediaItem:
    """One gallery entry: the file's path, name, kind (video/image) and index order."""

    path: str
    kind: str
    order: int

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


class MediaStore:
    """Indexed media of one phone's shared storage."""

    def __init__(self, fs: SimFilesystem) -> None:
        self.fs = fs
        self._indexed: dict[str, int] = {}
        self._counter = 0

    def scan(self, path: str) -> int:
        """Index ``path`` (a media file, or the media files under a directory); how many."""
        p = normalize(path)
        entry = self.fs.stat(p)
        if entry is None:
            return 0
        if not entry.is_dir:
            if media_kind(p) is None:
                return 0
            self._counter += 1
            self._indexed[p] = self._counter
            return 1
        count = 0
        for name, _ in self.fs.listdir(p):
            count += self.scan(posixpath.join(p, name))
        return count

    def items(self, kind: str | None = None) -> list[MediaItem]:
        """Indexed files that still exist, newest first; ``kind`` "video"/"image" filters."""
        out = []
        for path, order in self._indexed.items():
            k = media_kind(path)
            entry = self.fs.stat(path)
            if entry is None or entry.is_dir or k is None or (kind and k != kind):
                continue
            out.append(MediaItem(path, k, order))
        out.sort(key=lambda m: -m.order)
        return out
