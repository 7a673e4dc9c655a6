"""What the store raises, whatever its engine (runner.store.sqlite, runner.store.postgres)."""

from __future__ import annotations

import sqlite3

import psycopg


class StoreError(Exception):
    """The store cannot be opened as it is. ``str()`` is one line: which store, what is wrong,
    and what to do (restore a backup, move a file aside, start the server, fix the URL)."""


STORE_FAULTS: tuple[type[BaseException], ...] = (sqlite3.Error, psycopg.Error)
"""The engines' own errors for a fault of a store already open (disk full, locked, connection
lost): callers that must go on (a phone's worker, the progress board) catch these and retry."""


def reason(error: BaseException) -> str:
    """An OSError's text without its errno prefix; other errors' text."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)
