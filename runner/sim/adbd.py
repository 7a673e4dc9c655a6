"""The device side of the adb protocol (what ``adbd`` speaks over TCP), so that
``adb connect 127.0.0.1:PORT`` attaches a simulated phone to a real adb server.

Facts from adb's ``protocol.txt`` and its implementation (packages/modules/adb):
- A message is a 24-byte header of six little-endian uint32 (``command``, ``arg0``, ``arg1``,
  ``data_length``, ``data_check``, ``magic`` = ``command ^ 0xffffffff``) plus the payload.
  From protocol version ``0x01000001`` on, ``data_check`` is not verified (we still send the byte
  sum older peers want).
- ``CNXN(version, maxdata, "host::features=...")`` from the host; the device answers
  ``CNXN(version, maxdata, "device::ro.product.name=...;ro.product.model=...;ro.product.device=...;
  features=...")``. No ``AUTH``: this phone trusts every host (like ``ro.adb.secure=0``).
- ``OPEN(host-id, 0, "service\\0")`` opens a stream; the device answers ``OKAY(device-id,
  host-id)`` or, when the service refuses, ``CLSE(0, host-id)``.
- ``WRTE(sender-id, receiver-id, data)``: at most ``maxdata`` bytes; the sender waits for
  ``OKAY`` before its next ``WRTE`` (we do not offer ``delayed_ack``), and we ``OKAY`` each of the
  host's writes once queued.
- ``CLSE(sender-id, receiver-id)`` closes a stream: from the host it ends the service's input (a
  ``shell`` running ``app_process`` then stops, as on a phone); when a service ends we send it.

The services themselves are those of the fake adb server (:mod:`runner.sim.device_services`),
run on a :class:`PacketStream` that carries the bytes the host protocol would have carried: the
service's leading ``OKAY`` becomes the ``OKAY`` packet, a ``FAIL`` becomes ``CLSE``.
"""

from __future__ import annotations

import itertools
import logging
import struct
from typing import TYPE_CHECKING

import trio

from runner.sim.adb_server import FEATURES
from runner.sim.device_services import serve_device_service
from runner.sim.protocol import Connection, PeerClosed, set_nodelay

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone

log = logging.getLogger(__name__)

A_SYNC, A_CNXN, A_OPEN, A_OKAY = 0x434E5953, 0x4E584E43, 0x4E45504F, 0x59414B4F
A_CLSE, A_WRTE, A_AUTH, A_STLS = 0x45534C43, 0x45545257, 0x48545541, 0x534C5453
A_VERSION = 0x01000001
MAX_PAYLOAD = 256 * 1024
_HEADER = struct.Struct("<6I")


def packet(command: int, arg0: int, arg1: int, data: bytes = b"") -> bytes:
    """One adb message: header + payload."""
    check = sum(data) & 0xFFFFFFFF
    return _HEADER.pack(command, arg0, arg1, len(data), check, command ^ 0xFFFFFFFF) + data


class _Transport:
    """One TCP connection from an adb server to the phone."""

    def __init__(self, phone: SimPhone, stream: trio.SocketStream) -> None:
        self.phone = phone
        self.conn = Connection(stream)
        self.stream = stream
        self.send_lock = trio.Lock()
        self.max_payload = MAX_PAYLOAD
        self.streams: dict[int, PacketStream] = {}
        self.ids = itertools.count(1)

    async def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        async with self.send_lock:
            await self.stream.send_all(packet(command, arg0, arg1, data))

    def banner(self) -> bytes:
        p = self.phone.props
        return (
            f"device::ro.product.name={p['ro.product.name']};ro.product.model="
            f"{p['ro.product.model']};ro.product.device={p['ro.product.device']};"
            f"features={FEATURES}"
        ).encode()

    async def run(self) -> None:
        async with trio.open_nursery() as nursery:
            try:
                while True:
                    head = await self.conn.read_exactly(_HEADER.size)
                    cmd, arg0, arg1, length, _, magic = _HEADER.unpack(head)
                    if magic != cmd ^ 0xFFFFFFFF:
                        return
                    data = await self.conn.read_exactly(length) if length else b""
                    await self.handle(nursery, cmd, arg0, arg1, data)
            finally:
                for s in list(self.streams.values()):
                    s.closed_by_host()
                nursery.cancel_scope.cancel()

    async def handle(
        self, nursery: trio.Nursery, cmd: int, arg0: int, arg1: int, data: bytes
    ) -> None:
        if cmd == A_CNXN:
            self.max_payload = max(4096, min(arg1 or MAX_PAYLOAD, MAX_PAYLOAD))
            await self.send(A_CNXN, A_VERSION, MAX_PAYLOAD, self.banner())
        elif cmd == A_OPEN:
            if self.phone.state != "device":
                await self.send(A_CLSE, 0, arg0)
                return
            local = next(self.ids)
            s = PacketStream(self, local, arg0)
            self.streams[local] = s
            service = data.rstrip(b"\0").decode("utf-8", errors="replace")
            nursery.start_soon(self.serve, s, service)
        elif cmd == A_OKAY:
            s = self.streams.get(arg1)
            if s is not None:
                s.acked()
        elif cmd == A_WRTE:
            s = self.streams.get(arg1)
            if s is None:
                await self.send(A_CLSE, 0, arg0)
                return
            s.received(data)
            await self.send(A_OKAY, s.local, s.remote)
        elif cmd == A_CLSE:
            s = self.streams.pop(arg1, None)
            if s is not None:
                s.closed_by_host()
        # SYNC, AUTH and STLS are not sent by a host to a device that answered CNXN.

    async def serve(self, s: PacketStream, service: str) -> None:
        try:
            await serve_device_service(self.phone, Connection(s), service)
            await s.finish()
        except (PeerClosed, trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            self.streams.pop(s.local, None)
            if not s.closed:
                s.closed = True
                try:
                    await self.send(A_CLSE, s.local if s.opened else 0, s.remote)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    pass


class PacketStream(trio.abc.Stream):
    """A device service's byte stream carried in OKAY/WRTE/CLSE packets."""

    def __init__(self, transport: _Transport, local: int, remote: int) -> None:
        self.transport = transport
        self.local = local
        self.remote = remote
        self.opened = False  # OKAY sent (the service accepted)
        self.closed = False
        self._head = b""  # the service's OKAY/FAIL, until decided
        self._send, self._recv = trio.open_memory_channel[bytes](1000)
        self._ack = trio.Event()
        self._ack.set()

    # -- from the transport
    def received(self, data: bytes) -> None:
        try:
            self._send.send_nowait(data)
        except (trio.WouldBlock, trio.ClosedResourceError):
            pass

    def acked(self) -> None:
        self._ack.set()

    def closed_by_host(self) -> None:
        self.closed = True
        self._send.close()
        self._ack.set()

    # -- trio.abc.Stream, used by the service
    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        try:
            return await self._recv.receive()
        except (trio.EndOfChannel, trio.ClosedResourceError):
            return b""

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        data = bytes(data)
        if self.closed:
            raise trio.BrokenResourceError("stream closed by the host")
        if not self.opened:
            self._head += data
            if len(self._head) < 4:
                return
            if self._head[:4] == b"FAIL":
                raise trio.BrokenResourceError("service refused")  # serve() sends CLSE(0, id)
            data, self._head = self._head[4:], b""
            self.opened = True
            await self.transport.send(A_OKAY, self.local, self.remote)
        limit = self.transport.max_payload
        for i in range(0, len(data), limit):
            await self._ack.wait()
            if self.closed:
                raise trio.BrokenResourceError("stream closed by the host")
            self._ack = trio.Event()
            await self.transport.send(A_WRTE, self.local, self.remote, data[i : i + limit])

    async def finish(self) -> None:
        """Wait for the host to take the last write before closing (adbd flushes first)."""
        with trio.move_on_after(5):
            await self._ack.wait()

    async def send_eof(self) -> None:
        return None

    async def wait_send_all_might_not_block(self) -> None:
        return None

    async def aclose(self) -> None:
        self.closed = True


async def serve_adbd(
    phone: SimPhone,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Listen on ``host:port`` as ``adbd`` of ``phone`` until cancelled; reports the real port."""
    listeners = await trio.open_tcp_listeners(port, host=host)
    task_status.started(listeners[0].socket.getsockname()[1])

    async def handler(stream: trio.SocketStream) -> None:
        set_nodelay(stream)
        try:
            async with stream:
                await _Transport(phone, stream).run()
        except (PeerClosed, trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        except Exception:  # pragma: no cover - a simulator bug: log it, keep listening
            log.exception("simulated adbd %s: connection failed", phone.serial)

    await trio.serve_listeners(handler, listeners)
