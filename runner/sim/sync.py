"""The ``sync:`` service: file transfer between the adb client and the phone's filesystem.

Framing (adb's ``SYNC.TXT``; what adbutils/sync.py sends and reads): each request is a 4-byte id,
a little-endian uint32 length and that many bytes of path.

- ``STAT`` -> ``STAT`` + mode, size, mtime (uint32 LE each; all zero when missing), one write:
  adbutils reads the 12 bytes with a single ``recv``.
- ``LIST`` -> ``DENT`` + mode, size, mtime, namelen + name per entry (each in one write, for the
  same reason), then ``DONE`` + 16 zero bytes.
- ``SEND`` ``path,mode`` -> ``DATA`` + len + bytes ... ``DONE`` + mtime; answer ``OKAY`` + 0 or
  ``FAIL`` + len + message.
- ``RECV`` -> ``DATA`` chunks of at most 64 KiB, then ``DONE`` + 0; or ``FAIL`` + len + message.
- ``QUIT`` or the peer closing ends the service.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

import trio

from runner.sim.filesystem import FsError
from runner.sim.protocol import Connection, PeerClosed

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone

_MAX_PATH = 1024
_MAX_DATA = 64 * 1024


def _fail(message: str) -> bytes:
    raw = message.encode()
    return b"FAIL" + struct.pack("<I", len(raw)) + raw


async def serve_sync(phone: SimPhone, conn: Connection) -> None:
    """Answer sync requests until ``QUIT`` or the client closes. Cancellation just stops."""
    while True:
        try:
            head = await conn.read_exactly(8)
        except PeerClosed:
            return
        cmd, size = head[:4], struct.unpack("<I", head[4:])[0]
        if cmd == b"QUIT":
            return
        if size > _MAX_PATH:
            await conn.send(_fail("path too long"))
            return
        path = (await conn.read_exactly(size)).decode("utf-8", errors="replace")
        delay = phone.delay()
        if delay:
            await trio.sleep(delay)
        if cmd == b"STAT":
            await _stat(phone, conn, path)
        elif cmd == b"LIST":
            await _list(phone, conn, path)
        elif cmd == b"SEND":
            await _send(phone, conn, path)
        elif cmd == b"RECV":
            await _recv(phone, conn, path)
        else:
            await conn.send(_fail(f"unknown sync command {cmd!r}"))
            return


async def _stat(phone: SimPhone, conn: Connection, path: str) -> None:
    phone.record_sync("STAT", path)
    with phone.lock:
        e = phone.fs.stat(path)
        reply = struct.pack("<III", e.mode, e.size, e.mtime) if e else bytes(12)
    await conn.send(b"STAT" + reply)


async def _list(phone: SimPhone, conn: Connection, path: str) -> None:
    phone.record_sync("LIST", path)
    with phone.lock:
        try:
            entries = phone.fs.listdir(path)
            me = phone.fs.stat(path)
        except FsError:
            entries, me = [], None
    if me is not None:
        entries = [(".", me), ("..", me), *entries]
    for name, e in entries:
        raw = name.encode()
        await conn.send(b"DENT" + struct.pack("<IIII", e.mode, e.size, e.mtime, len(raw)) + raw)
    await conn.send(b"DONE" + bytes(16))


async def _send(phone: SimPhone, conn: Connection, spec: str) -> None:
    path, _, mode_text = spec.rpartition(",")
    if not path:
        path, mode_text = spec, "33188"
    try:
        mode = int(mode_text)
    except ValueError:
        mode = 0o100644
    phone.record_sync("SEND", path)
    chunks: list[bytes] = []
    mtime = 0
    while True:
        head = await conn.read_exactly(8)
        kind, n = head[:4], struct.unpack("<I", head[4:])[0]
        if kind == b"DATA":
            if n > _MAX_DATA:
                await conn.send(_fail("data chunk too large"))
                return
            chunks.append(await conn.read_exactly(n))
        elif kind == b"DONE":
            mtime = n
            break
        else:
            await conn.send(_fail(f"invalid data message {kind!r}"))
            return
    with phone.lock:
        if phone.storage_full and chunks and any(chunks):
            # adbd's handle_send_file: SendSyncFailErrno(s, "write failed") -> "<reason>: strerror"
            reply = _fail("write failed: No space left on device")
        else:
            try:
                phone.fs.write(
                    path, b"".join(chunks), mode=mode, mtime=mtime or None, make_parents=True
                )
            except FsError as e:
                reply = _fail(f"couldn't create file: {e}")
            else:
                reply = b"OKAY" + bytes(4)
    await conn.send(reply)


async def _recv(phone: SimPhone, conn: Connection, path: str) -> None:
    phone.record_sync("RECV", path)
    with phone.lock:
        try:
            data = phone.fs.read(path)
        except FsError as e:
            data, error = b"", str(e)
        else:
            error = ""
    if error:
        await conn.send(_fail(f"open failed: {error}"))
        return
    for i in range(0, len(data), _MAX_DATA):
        chunk = data[i : i + _MAX_DATA]
        await conn.send(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
    await conn.send(b"DONE" + bytes(4))
