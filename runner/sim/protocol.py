"""Byte-level framing shared by the simulator's servers.

Takes a trio stream, gives a buffered :class:`Connection` with the reads the adb protocols need
(exact counts, lines, "until the peer half-closes") and the adb host-protocol replies:

- a request is 4 hex digits of length plus that many bytes (adb's ``SERVICES.TXT`` / ``protocol.txt``);
- a reply is ``OKAY`` or ``FAIL`` followed by a 4-hex-digit length and the message
  (adbutils ``AdbConnection.check_okay`` / ``read_string_block``).
"""

from __future__ import annotations

import socket

import trio

OKAY = b"OKAY"
FAIL = b"FAIL"
_RECV_SIZE = 65536
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


class PeerClosed(Exception):
    """The peer closed its side before a complete message arrived."""


def hex_block(data: str | bytes) -> bytes:
    """``data`` prefixed by its byte length as 4 lowercase hex digits (adb's string block)."""
    raw = data.encode() if isinstance(data, str) else data
    return b"%04x" % len(raw) + raw


def fail_reply(message: str) -> bytes:
    """``FAIL`` plus the length-prefixed message, as adb's ``SendFail`` writes it."""
    return FAIL + hex_block(message)


def okay_reply(message: str | None = None) -> bytes:
    """``OKAY``, plus a length-prefixed string when the service answers one (``SendOkay(fd, s)``)."""
    return OKAY if message is None else OKAY + hex_block(message)


def set_nodelay(stream: trio.abc.Stream) -> None:
    """Turn Nagle's algorithm off: without it every small RPC reply waits ~40 ms for its ACK."""
    if isinstance(stream, trio.SocketStream):
        try:
            stream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        except OSError:  # pragma: no cover - socket already gone
            pass


class Connection:
    """A trio stream with a read buffer.

    Reads raise :class:`PeerClosed` when the peer closes before the requested bytes arrive; writes
    raise ``trio.BrokenResourceError`` when it has gone. Not safe for concurrent readers.
    """

    def __init__(self, stream: trio.abc.Stream) -> None:
        self.stream = stream
        self._buf = bytearray()
        self.eof = False
        self._quickack = _QUICKACK is not None and isinstance(stream, trio.SocketStream)

    async def _fill(self) -> bool:
        if self.eof:
            return False
        if self._quickack:
            # Clients without TCP_NODELAY (http.client over adbutils' socket sends headers and
            # body in two writes) would wait for our delayed ACK (~40 ms) before the second.
            try:
                self.stream.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)  # type: ignore[attr-defined]
            except OSError:
                self._quickack = False
        data = await self.stream.receive_some(_RECV_SIZE)
        if not data:
            self.eof = True
            return False
        self._buf += data
        return True

    async def read_exactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes; :class:`PeerClosed` if the stream ends first."""
        while len(self._buf) < n:
            if not await self._fill():
                raise PeerClosed(f"wanted {n} bytes, got {len(self._buf)}")
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    async def read_some(self) -> bytes:
        """What is buffered, or the next chunk from the peer; ``b""`` at end of stream."""
        if not self._buf and not await self._fill():
            return b""
        out = bytes(self._buf)
        self._buf.clear()
        return out

    async def read_line(self, limit: int = 65536) -> bytes:
        """One line including its ``\\n``; what is left (maybe ``b""``) at end of stream."""
        while True:
            i = self._buf.find(b"\n")
            if i >= 0:
                out = bytes(self._buf[: i + 1])
                del self._buf[: i + 1]
                return out
            if len(self._buf) > limit:
                raise PeerClosed("line too long")
            if not await self._fill():
                out = bytes(self._buf)
                self._buf.clear()
                return out

    async def read_request(self) -> str | None:
        """One host-protocol request (4 hex digits of length + ASCII); None at a clean end."""
        if not self._buf and not await self._fill():
            return None
        head = await self.read_exactly(4)
        try:
            size = int(head, 16)
        except ValueError as e:
            raise PeerClosed(f"bad request length {head!r}") from e
        return (await self.read_exactly(size)).decode("utf-8", errors="replace")

    async def wait_closed(self) -> None:
        """Discard input until the peer half-closes or closes (how adb clients end a stream)."""
        self._buf.clear()
        while await self._fill():
            self._buf.clear()

    async def send(self, data: bytes) -> None:
        """Write ``data`` in one ``send_all`` (one TCP write for the sizes the protocols use)."""
        if data:
            await self.stream.send_all(data)
