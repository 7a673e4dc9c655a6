"""The runner's adb client: adbutils' own, except that it starts a local adb server only where
adb itself would, at adb's default local address.

adbutils (2.x, ``adbutils/_adb.py``: ``AdbConnection._safe_connect``) runs ``adb start-server``
whenever a connection to its server fails, whatever the server's address, then tries once more.
For ``--adb HOST:PORT`` of another PC that is wrong twice over: it starts an adb server on this
PC (port 5037, grabbing the USB phones plugged in here), and it turns "that server is gone" into
a 20 s wait for nothing. :class:`AdbServerClient` connects to such an address once and raises
adbutils' ``AdbConnectionError`` (``connect to adb server failed: ...``) or ``AdbTimeout`` when it
does not answer; for :data:`LOCAL_DEFAULT_ADB` it keeps adbutils' behaviour (README, "Phones and
adb servers": the runner's own server is started when none answers, as ``adb`` does).
"""

from __future__ import annotations

import adbutils
from adbutils import AdbConnection, AdbTimeout

#: The addresses ``adb start-server`` starts a server on (adb's default port on this PC): only
#: there may a failed connection start one.
LOCAL_DEFAULT_ADB = ("127.0.0.1:5037", "localhost:5037")


class _ConnectOnly(AdbConnection):
    """An adbutils connection that never runs ``adb start-server``: the socket or an error."""

    def _safe_connect(self):  # adbutils' hook: connect, else start a server and connect again
        return self._create_socket()  # raises AdbConnectionError or AdbTimeout


class AdbServerClient(adbutils.AdbClient):
    """``adbutils.AdbClient(host, port, socket_timeout)`` for the adb server at ``host:port``
    (every device, shell, sync and uiautomator2 call made through its devices connects with
    :meth:`make_connection`). :attr:`starts_server` is True for :data:`LOCAL_DEFAULT_ADB` only;
    elsewhere a failed connection raises at once and nothing is started on this PC."""

    def __init__(self, host: str, port: int, socket_timeout: float | None = None):
        super().__init__(host=host, port=port, socket_timeout=socket_timeout)
        self._timeout = socket_timeout
        self.starts_server = f"{self.host}:{self.port}" in LOCAL_DEFAULT_ADB

    def make_connection(self, timeout: float | None = None) -> AdbConnection:
        """A connection to the server (adbutils' contract: ``timeout`` seconds on its socket,
        else the client's ``socket_timeout``). Raises ``AdbConnectionError`` when the server
        refuses or is unreachable, ``AdbTimeout`` when connecting takes over 3 s (adbutils'
        bound)."""
        if self.starts_server:
            return super().make_connection(timeout)
        timeout = timeout or self._timeout
        try:
            conn = _ConnectOnly(self.host, self.port)
        except TimeoutError:
            raise AdbTimeout("connect to adb server timeout") from None
        if timeout:
            conn.conn.settimeout(timeout)
        return conn


def adb_client(address: str, socket_timeout: float | None = None) -> AdbServerClient:
    """The client of the adb server ``address`` (``HOST:PORT``, or ``:PORT`` for 127.0.0.1)."""
    host, _, port = address.rpartition(":")
    return AdbServerClient(host or "127.0.0.1", int(port), socket_timeout)
