"""Network helpers shared by the tests and tests/pg.py."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port of ``host`` that nothing listens on at the time of the call (the kernel's pick
    for a bind to port 0). Another process may take it before the caller binds it: callers that
    start a server on it retry on "address in use" where that matters (tests/pg.py does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]
