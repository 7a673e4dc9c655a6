"""The runner's own log (``tikrunner serve``): one handler on the root logger, in the format and
at the level asked, every line about a task naming the task (issue 11, item 6).

- Formats (``--log-format``, ``log_format`` in tikrunner.yaml, ``TIKRUNNER_LOG_FORMAT``):
  ``auto`` (default: ``rich`` when stderr is a terminal, else ``text``), ``rich`` (rich's
  ``RichHandler``: time, coloured level, message), ``text`` (one line per record:
  ``2026-12-02T09:15:02.031+01:00 INFO runner.task: task 17 sim-0002 follow: started ...``,
  a traceback on the lines after it) and ``json`` (one JSON object per line, see
  :class:`JsonFormatter`; an exception is its ``exc`` field, never more lines).
- Levels (``--log-level``, ``log_level``, ``TIKRUNNER_LOG_LEVEL``): ``debug``, ``info``
  (default), ``warning``, ``error``, for every logger, the libraries' too (uiautomator2,
  adbutils, hypercorn, watchdog, urllib3). The lines saying ``serve`` started and is shutting
  down (logger ``tikrunner``, :func:`announce`) are shown at every level.
- The task a line is about: :func:`about_task` sets it (a context variable) where a task runs,
  so every line logged meanwhile, from the scripts, the device session or a library deep
  inside, in the task's trio task or in a thread it started (trio's ``to_thread`` carries
  context variables), gets ``task_id``, ``serial``, ``script``, ``manifest`` and ``username``
  (those known). A line about a task logged elsewhere passes ``extra=TaskFields.of(row).extra()``.
- Secrets never reach this log (README, "Secrets"): the handler's :class:`TaskFilter` replaces
  the running task's secrets (its script_config's, :func:`runner.models.redact_config`) and the
  runner-wide ones (the API token) by ``***`` in the message and the exception text, in every
  format.

Only the standard library's ``logging`` (and rich, for ``rich``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, TextIO

LOG_FORMATS = ("auto", "rich", "text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")
#: Record attributes naming the task (or only the phone) a line is about, in this order.
FIELDS = ("task_id", "serial", "script", "manifest", "username")
#: The logger of the lines that are shown at every level (serving, shutting down).
ANNOUNCE_LOGGER = "tikrunner"
MASK = "***"


@dataclass(frozen=True)
class TaskFields:
    """What names one task in the log: its id, phone, script, manifest and account (None:
    unknown), and ``secrets``, the strings no line logged while it runs may show. With
    ``task_id`` None it names only a phone (``serial``): a device worker between tasks."""

    task_id: int | None
    serial: str | None = None
    script: str | None = None
    manifest: str | None = None
    username: str | None = None
    secrets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "secrets", longest_first(self.secrets))

    @classmethod
    def of(cls, task: Any, secrets: Iterable[str] = ()) -> TaskFields:
        """The fields of a stored task (``runner.store.TaskRow``: ``id``, ``serial``,
        ``script_name``, ``manifest``, ``username``)."""
        return cls(
            task.id,
            task.serial,
            task.script_name,
            getattr(task, "manifest", None),
            getattr(task, "username", None),
            tuple(secrets),
        )

    def extra(self) -> dict[str, Any]:
        """``{task_id, serial, script, manifest, username}`` for a logging call's ``extra``."""
        return {name: getattr(self, name) for name in FIELDS}


_current: ContextVar[TaskFields | None] = ContextVar("tikrunner_task", default=None)


@contextmanager
def about_task(fields: TaskFields) -> Iterator[None]:
    """Within the block (and in trio tasks and threads started from it), every line logged is
    about this task (or phone): it carries ``fields`` and has its secrets masked. An inner
    block (a task on the worker's phone) replaces an outer one (the phone) until it ends."""
    token = _current.set(fields)
    try:
        yield
    finally:
        _current.reset(token)


def current_task() -> TaskFields | None:
    """The task set by the innermost :func:`about_task` around the caller, or None."""
    return _current.get()


def longest_first(secrets: Iterable[str]) -> tuple[str, ...]:
    """The distinct non-empty ``secrets``, longest first (so that :func:`mask` never leaves the
    tail of a secret that contains a shorter one)."""
    return tuple(sorted({s for s in secrets if s}, key=len, reverse=True))


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets`` (longest first) replaced by ``***``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


class TaskFilter(logging.Filter):
    """A handler filter: gives a record the fields of the task being run (:func:`about_task`)
    unless the call named them itself, and masks the task's secrets and ``secrets`` (the
    runner's: the API token) in its message, exception and stack text. Never drops a record,
    never raises (a record whose arguments do not fit its message is left to the handler)."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = longest_first(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        task = _current.get()
        if task is not None and getattr(record, "task_id", None) is None:
            for name in FIELDS:
                if getattr(record, name, None) is None:
                    setattr(record, name, getattr(task, name))
        secrets = self.secrets + (task.secrets if task is not None else ())
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask(message, secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = mask(record.stack_info, secrets)
        return True


def task_prefix(record: logging.LogRecord) -> str:
    """``"task 17 sim-0002 follow: "`` for a record about a task; ``"sim-0001: "`` for one
    about a phone whose message does not name it; ``""`` for any other."""
    task_id = getattr(record, "task_id", None)
    if task_id is None:
        serial = getattr(record, "serial", None)
        return f"{serial}: " if serial and serial not in record.getMessage() else ""
    words = [f"task {task_id}"]
    words += [
        str(v) for v in (getattr(record, "serial", None), getattr(record, "script", None)) if v
    ]
    return " ".join(words) + ": "


def iso_time(created: float, tz: tzinfo | None) -> str:
    """``created`` (UTC epoch seconds) as ISO 8601 with milliseconds and the offset, in ``tz``
    (None: the machine's zone): ``2026-12-02T09:15:02.031+01:00``."""
    moment = datetime.fromtimestamp(created, tz) if tz else datetime.fromtimestamp(created)
    return moment.astimezone(tz).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """``TIME LEVEL LOGGER: [task ID SERIAL SCRIPT: ]MESSAGE``; an exception's traceback (masked by
    :class:`TaskFilter`) on the following lines. ``TIME``: :func:`iso_time` in ``tz``;
    ``with_time=False`` leaves time and level out (rich shows its own)."""

    def __init__(self, tz: tzinfo | None = None, *, with_time: bool = True):
        super().__init__()
        self.tz = tz
        self.with_time = with_time

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.name}: {task_prefix(record)}{record.getMessage()}"
        if self.with_time:
            text = f"{iso_time(record.created, self.tz)} {record.levelname} {text}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, for log shippers:
    ``{"time", "level", "logger", "message"}`` (``time`` as :func:`iso_time` in ``tz``, ``level``
    ``DEBUG``/``INFO``/``WARNING``/``ERROR``/``CRITICAL``), then whichever of ``task_id``
    (int), ``serial``, ``script``, ``manifest``, ``username`` the line is about, then ``exc``
    (the traceback as one string) and ``stack`` when there are. Newlines inside values are
    JSON escapes: a record is always exactly one line."""

    def __init__(self, tz: tzinfo | None = None):
        super().__init__()
        self.tz = tz

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": iso_time(record.created, self.tz),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                doc[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            doc["exc"] = record.exc_text
        if record.stack_info:
            doc["stack"] = self.formatStack(record.stack_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class _OneLineErrors:
    """A handler's ``handleError`` as one line on the stream (logging's own prints a
    multi-line traceback): which call could not be logged and why."""

    json_lines = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        why = sys.exc_info()[1]
        message = (
            f"a log line of {record.name} ({record.pathname}:{record.lineno}) could not be "
            f"written: {type(why).__name__}: {why}"
        )
        line = (
            json.dumps({"level": "ERROR", "logger": __name__, "message": message})
            if self.json_lines
            else f"tikrunner: {message}"
        )
        try:
            stream = getattr(self, "stream", None) or sys.stderr
            stream.write(line + "\n")
            stream.flush()
        except Exception:
            pass


class _StreamHandler(_OneLineErrors, logging.StreamHandler):
    pass


_installed: list[logging.Handler] = []


def resolve_format(log_format: str, stream: TextIO | None = None) -> str:
    """``rich``, ``text`` or ``json`` for ``log_format`` (one of :data:`LOG_FORMATS`): ``auto``
    is ``rich`` when ``stream`` (default stderr) is a terminal, else ``text``. Raises
    ValueError for another name."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r} (one of {', '.join(LOG_FORMATS)})")
    if log_format != "auto":
        return log_format
    stream = stream or sys.stderr
    try:
        return "rich" if stream.isatty() else "text"
    except (AttributeError, ValueError):
        return "text"


def configure(
    log_format: str = "auto",
    level: str = "info",
    *,
    stream: TextIO | None = None,
    tz: tzinfo | None = None,
    secrets: Iterable[str] = (),
) -> logging.Handler:
    """Make the root logger write to ``stream`` (default stderr) in ``log_format`` at ``level``
    (names of :data:`LOG_FORMATS` and :data:`LOG_LEVELS`; raises ValueError for others).

    ``tz``: the zone of the times shown (the runner's; None: the machine's). ``secrets``: masked
    in every line (the API token). Replaces the handler an earlier call installed and leaves
    every other handler alone (a test's capture). Every library logger follows ``level``
    (none is set lower or higher here). Returns the handler."""
    if level not in LOG_LEVELS:
        raise ValueError(f"unknown log level {level!r} (one of {', '.join(LOG_LEVELS)})")
    chosen = resolve_format(log_format, stream)
    handler: logging.Handler
    if chosen == "rich":
        from rich.console import Console
        from rich.logging import RichHandler
        from rich.text import Text

        class _RichHandler(_OneLineErrors, RichHandler):
            pass

        handler = _RichHandler(
            console=Console(file=stream or sys.stderr, stderr=stream is None),
            show_path=False,
            markup=False,
            rich_tracebacks=False,  # the masked text traceback, not rich's own rendering
            log_time_format=lambda moment: Text(moment.astimezone(tz).strftime("%H:%M:%S")),
        )
        handler.setFormatter(TextFormatter(tz, with_time=False))
    else:
        handler = _StreamHandler(stream or sys.stderr)
        handler.json_lines = chosen == "json"  # type: ignore[attr-defined]
        handler.setFormatter(JsonFormatter(tz) if chosen == "json" else TextFormatter(tz))
    handler.addFilter(TaskFilter(secrets))
    root = logging.getLogger()
    for old in _installed:
        root.removeHandler(old)
    _installed[:] = [handler]
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger(ANNOUNCE_LOGGER).setLevel(logging.INFO)
    return handler


def announce(message: str, *args: Any) -> None:
    """Log ``message`` on the ``tikrunner`` logger at INFO, shown whatever ``--log-level`` says
    (``serve`` started, shutting down). In ``text`` format: ``... INFO tikrunner: message``."""
    logging.getLogger(ANNOUNCE_LOGGER).info(message, *args)
