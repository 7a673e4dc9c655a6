"""The operator's views over the HTTP API (issue 11, item 3): ``tikrunner devices``, ``accounts``,
``tasks``, ``task ID``, ``logs ID [-f]`` and ``top``.

Every view is a client of the API (docs/spec/local-api.md: ``GET /devices``, ``/accounts``, ``/task``,
``/task/{id}``, ``/task/{id}/log``, ``/task/{id}/artifacts``, ``/task/stats``), so it works from
another machine as well as beside ``serve``. Where the API is (:func:`resolve_target`): ``--api``,
else ``TIKRUNNER_API``, else the ``http:`` bind of tikrunner.yaml (``--config``; a wildcard bind is
reached on loopback), else ``http://127.0.0.1:50809``. The token: ``--token``, else
``TIKRUNNER_API_TOKEN``, else the config's ``api_token``; it is sent as ``Authorization: Bearer``
and never printed.

Exit codes: 0; 1 when what was asked is not found (an unknown task id or serial), the API cannot be
reached, or it refuses (40301: the token is missing or wrong); 2 for usage (bad flags, a config
that cannot be read). Every failure is one line on stderr, never a traceback.

The HTTP client is the standard library's (urllib): plain GETs need nothing more, and the
runtime dependencies stay as they are. Redirects are refused (the API never redirects, and a
redirect would carry the token to another host); proxies are bypassed for loopback addresses.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from runner.models.task import TaskStatus

DEFAULT_API = "http://127.0.0.1:50809"  # docs/spec/local-api.md, "Base and envelope"
API_PREFIX = "/api/v1"
PAGE_SIZE = 100  # the API's page_size maximum (GET /task)
TIMEOUT = 10.0  # seconds one request may take
NOT_FOUND = 40401
FORBIDDEN = 40301
STATUS_STYLES = {0: "blue", 1: "cyan", 2: "green", 3: "red"}
BAR_WIDTH = 12  # columns of top's progress bar
HINT = "point elsewhere with --api http://HOST:PORT, TIKRUNNER_API, or http: in tikrunner.yaml"


class ViewError(Exception):
    """A view that cannot answer: ``message`` is the one line to print, ``exit_code`` 1 (not
    found, unreachable, refused) or 2 (usage); ``api_code``: the API's error code, if it gave one."""

    def __init__(self, message: str, exit_code: int = 1, api_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.api_code = api_code


# -- where the API is --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The API to talk to: ``base`` ``http(s)://HOST:PORT`` (no path, no trailing slash),
    ``token`` (None: send none; never printed) and ``source`` (where ``base`` came from, for
    messages: ``--api``, ``TIKRUNNER_API``, ``tikrunner.yaml http:``, ``default``)."""

    base: str
    token: str | None
    source: str

    def __repr__(self) -> str:  # the token never appears in a repr or a traceback
        return f"Target(base={self.base!r}, source={self.source!r})"


def normalise_api(text: str) -> str:
    """``http://HOST:PORT`` of an ``--api`` value: ``HOST:PORT``, ``http://HOST:PORT``,
    ``https://...``, with or without a trailing ``/`` or ``/api/v1``. Raises ``ValueError`` for
    anything else (another scheme, a path, no host, a port outside 1-65535)."""
    value = text.strip()
    if "://" not in value:
        value = "http://" + value
    parts = urllib.parse.urlsplit(value)
    path = parts.path.rstrip("/")
    if path.endswith(API_PREFIX):
        path = path[: -len(API_PREFIX)]
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or port == -1
        or path
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ValueError(
            f"{text!r} is not an API address: give http://HOST:PORT (for example {DEFAULT_API})"
        )
    return f"{parts.scheme}://{parts.netloc}"


def bind_to_base(bind: str) -> str:
    """The address to reach a runner whose ``http:`` setting is ``bind`` (``HOST:PORT``): a
    wildcard host (``0.0.0.0``, ``::``, empty) is reached on loopback, an IPv6 host in
    brackets. Raises ``ValueError`` for a bind without a port."""
    host, sep, port = bind.strip().rpartition(":")
    if not sep or not port.isascii() or not port.isdigit():
        raise ValueError(f"http: {bind!r} is not HOST:PORT")
    host = host.strip("[]")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def resolve_target(api: str | None, token: str | None, config_path: Path | None) -> Target:
    """Where the API is and the token to send (see the module's docstring for the order).

    tikrunner.yaml is read (runner.config.load_config) only when the address or the token is
    not given otherwise. Raises :class:`ViewError` with exit code 2 for a bad ``--api`` or
    ``TIKRUNNER_API`` value or a config that cannot be used (its one-line problems)."""
    source = "--api"
    if api is None and os.environ.get("TIKRUNNER_API"):
        api, source = os.environ["TIKRUNNER_API"], "TIKRUNNER_API"
    if token is None and os.environ.get("TIKRUNNER_API_TOKEN"):
        token = os.environ["TIKRUNNER_API_TOKEN"]
    base = None
    if api is not None:
        try:
            base = normalise_api(api)
        except ValueError as e:
            raise ViewError(f"{source}: {e}", 2) from None
    if base is None or token is None or config_path is not None:
        from runner.config import load_config

        try:
            config = load_config(config_path)
        except ValueError as e:
            raise ViewError("; ".join(str(e).splitlines()), 2) from None
        if token is None:
            token = config.api_token
        if base is None and config.http:
            try:
                base, source = bind_to_base(config.http), "tikrunner.yaml http:"
            except ValueError as e:
                raise ViewError(str(e), 2) from None
    if base is None:
        base, source = DEFAULT_API, "default"
    return Target(base=base, token=token or None, source=source)


# -- the client ---------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str):
        raise ViewError(
            f"{req.full_url.split('?')[0]} answered a redirect to {newurl}; tikrunner's API never "
            f"redirects: check the address ({HINT})"
        )


class ApiClient:
    """GETs against one :class:`Target`, each answered as the API's ``data`` or its text.

    Raises :class:`ViewError`: exit code 1 when the API cannot be reached (connection refused,
    timeout, unknown host: the line names the address and how to point elsewhere), answers an
    error (40401 and 40301 with what to do; the API's own message otherwise), or is not
    tikrunner's API (no envelope)."""

    def __init__(self, target: Target, timeout: float = TIMEOUT):
        self.target = target
        self.timeout = timeout
        host = urllib.parse.urlsplit(target.base).hostname or ""
        handlers: list[Any] = [_NoRedirect()]
        if host in ("localhost", "::1") or host.startswith("127."):
            handlers.append(urllib.request.ProxyHandler({}))  # loopback never goes via a proxy
        self._opener = urllib.request.build_opener(*handlers)

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        """The full URL of API ``path`` (``/task/1``) with the query ``params`` (None dropped)."""
        query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return f"{self.target.base}{API_PREFIX}{path}" + (f"?{query}" if query else "")

    def _open(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
        request = urllib.request.Request(url, headers=dict(headers or {}))
        request.add_header("Accept", "application/json, text/plain")
        if self.target.token:
            request.add_header("Authorization", f"Bearer {self.target.token}")
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers, e.read()
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                why = f"no answer within {self.timeout:g} s"
            elif isinstance(reason, ConnectionRefusedError):
                why = "connection refused (is `tikrunner serve` running there?)"
            elif isinstance(e, http.client.HTTPException):
                why = f"not an HTTP answer ({type(e).__name__}: {str(e)[:60]})"
            else:
                why = str(getattr(reason, "strerror", None) or reason)
            why = clean(" ".join(why.split()))
            raise ViewError(
                f"cannot reach the API at {self.target.base} ({self.target.source}): {why}; {HINT}"
            ) from None

    def _failure(self, url: str, status: int, headers: Any, body: bytes) -> ViewError:
        envelope = _envelope(body)
        if envelope is None:
            kind = (headers.get("Content-Type") or "no content type").split(";")[0]
            return ViewError(
                f"{self.target.base} ({self.target.source}) is not tikrunner's API: "
                f"{url.split('?')[0]} answered HTTP {status} ({kind}); {HINT}"
            )
        code, message = envelope.get("code"), str(envelope.get("message") or "")
        if code == FORBIDDEN and "token" in message:
            given = "is wrong" if self.target.token else "is missing"
            return ViewError(
                f"{self.target.base} refused the request (40301): the API token {given}; "
                "give it with --token, TIKRUNNER_API_TOKEN or api_token in tikrunner.yaml"
            )
        return ViewError(f"{message} ({code})", 2 if code == 40001 else 1, code)

    def data(self, path: str, **params: Any) -> Any:
        """The ``data`` of ``GET path`` (an envelope with code 0)."""
        url = self.url(path, params)
        status, headers, body = self._open(url)
        envelope = _envelope(body)
        if status != 200 or envelope is None or envelope.get("code") != 0:
            raise self._failure(url, status, headers, body)
        return envelope.get("data")

    def text(self, path: str, **params: Any) -> str:
        """The plain-text answer of ``GET path`` (the task log), decoded as UTF-8."""
        url = self.url(path, params)
        status, headers, body = self._open(url)
        if status != 200:
            raise self._failure(url, status, headers, body)
        return body.decode("utf-8", errors="replace")

    def bytes_from(self, path: str, offset: int) -> tuple[bytes, bool]:
        """The bytes of the file at ``path`` from byte ``offset`` on (a ``Range`` request; a
        server that ignores it answers the whole file and the first ``offset`` bytes are cut),
        and whether the file exists: (b'', False) on 40401, (b'', True) when nothing lies past
        ``offset`` (HTTP 416)."""
        url = self.url(path)
        status, headers, body = self._open(url, {"Range": f"bytes={offset}-"})
        if status == 206:
            return body, True
        if status == 200:
            return body[offset:], True
        if status == 416:
            return b"", True
        envelope = _envelope(body)
        if status == 404 and envelope is not None and envelope.get("code") == NOT_FOUND:
            return b"", False
        raise self._failure(url, status, headers, body)


def _envelope(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if isinstance(value, dict) and {"code", "message", "data"} <= value.keys():
        return value
    return None


# -- values as a person reads them ----------------------------------------------------------------

_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0, 9), *range(11, 32), 127, *range(0x80, 0xA0)]}


def clean(text: str) -> str:
    """``text`` safe for a terminal: control characters (escape sequences from a manifest or a
    phone, a carriage return) shown as ``\\xNN``; tabs and newlines kept."""
    return text.translate(_CONTROLS)


def parse_status(text: str) -> int:
    """A ``--status`` value: ``0``-``3`` or the status text (``pending``, ``running``,
    ``completed``, ``failed``; any case) as the status code (docs/spec/local-api.md, "Task
    status"). Raises ``typer.BadParameter`` (exit 2) for anything else."""
    value = text.strip().lower()
    for status in TaskStatus:
        if value in (str(int(status)), status.text):
            return int(status)
    names = ", ".join(f"{int(s)} {s.text}" for s in TaskStatus)
    raise typer.BadParameter(
        f"{text!r} is not a task status: one of {names}", param_hint="'--status'"
    )


def progress_text(progress: Any) -> str:
    """A task's ``progress`` (``{text, fraction, ...}`` or null) as one short line:
    ``watched 12 videos, 240 of 600 s (40%)``; '' when there is none."""
    if not isinstance(progress, dict):
        return ""
    text = str(progress.get("text") or "").strip()
    fraction = fraction_of(progress)
    if fraction is not None:
        percent = f"{fraction * 100:.0f}%"
        text = f"{text} ({percent})" if text else percent
    return clean(text)


def fraction_of(progress: Any) -> float | None:
    """The ``fraction`` (0..1, clamped) of a task's ``progress``; None when there is none or it
    is not a finite number."""
    fraction = progress.get("fraction") if isinstance(progress, dict) else None
    if isinstance(fraction, bool) or not isinstance(fraction, int | float):
        return None
    return max(0.0, min(1.0, float(fraction))) if math.isfinite(fraction) else None


def shown(value: Any) -> str:
    """A field's value in one line: ``-`` for null, JSON for objects and lists, else str."""
    if value is None:
        return "-"
    if isinstance(value, dict | list):
        return clean(json.dumps(value, ensure_ascii=False))
    return clean(str(value))


def dump(value: Any, output: str) -> str:
    """``value`` as ``output`` (``json``: indented JSON; ``yaml``: block YAML 1.2, ruamel.yaml)."""
    if output == "json":
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(value, out)
    return out.getvalue()


def _text(value: Any, style: str = "") -> Any:
    from rich.text import Text

    return Text(shown(value) if not isinstance(value, str) else clean(value), style=style)


def _status_cell(task: dict[str, Any]) -> Any:
    status = task.get("status")
    label = task.get("status_text") or shown(status)
    return _text(label, STATUS_STYLES.get(status, ""))


# -- the views --------------------------------------------------------------------------------


def short_time(value: Any, today: str | None = None) -> str:
    """A local time ``YYYY-MM-DD HH:MM:SS`` (the runner's) as ``HH:MM:SS`` when its date is
    ``today`` (default: this machine's date), else unchanged; null as ''."""
    if not isinstance(value, str):
        return ""
    today = today or time.strftime("%Y-%m-%d")
    date, _, clock = value.partition(" ")
    return clock if date == today and clock else value


def devices_table(devices: list[dict[str, Any]]) -> Any:
    """A rich Table of ``GET /devices`` items: state, model, Android and TikTok versions,
    language, uiautomator health, the running task (with its progress), the pending count, when
    last seen (``now`` while adb lists it) and the last error; the runner holding each phone
    too, when the items name more than one (several runners on one store)."""
    from rich.table import Table

    farm = len({d.get("runner") for d in devices} - {None}) > 1
    table = Table(box=None, header_style="bold", pad_edge=False)
    names = ("SERIAL", "RUNNER") if farm else ("SERIAL",)
    for name in (*names, "STATE", "MODEL", "ANDROID", "TIKTOK", "LANG", "UI"):
        table.add_column(name, no_wrap=True, overflow="ellipsis" if name == "MODEL" else "fold")
    table.add_column("TASK", overflow="fold")
    table.add_column("WAIT", justify="right", no_wrap=True)
    table.add_column("SEEN", no_wrap=True)
    table.add_column("LAST ERROR", overflow="fold")
    for d in devices:
        health = d.get("health") or {}
        state = d.get("state")
        running = d.get("running_task")
        task = ""
        if isinstance(running, dict):
            task = f"#{running.get('id')} {running.get('script_name')}"
            if progress := progress_text(running.get("progress")):
                task += f": {progress}"
        ui = {True: "up", False: "benched"}.get(health.get("uiautomator"), "-")
        if health.get("benched_until"):
            ui = f"benched until {short_time(health['benched_until'])}"
        held_by = [_text(d.get("runner"))] if farm else []
        table.add_row(
            _text(d.get("serial")),
            *held_by,
            _text(state, {"device": "green", "gone": "dim"}.get(state, "yellow")),
            _text(d.get("model")),
            _text(d.get("android_version")),
            _text(d.get("tiktok_version")),
            _text(d.get("language")),
            _text(ui, "red" if ui.startswith("benched") else ""),
            _text(task, "cyan"),
            _text(d.get("waiting_tasks")),
            _text("now" if state == "device" else short_time(d.get("last_seen")) or "-"),
            _text(health.get("last_error") or "", "red"),
        )
    return table


def clock(value: Any, today: str | None = None) -> str:
    """A local time ``YYYY-MM-DD HH:MM:SS`` to the minute, as the remarks say it: ``HH:MM``
    when its date is ``today`` (default: this machine's date), else ``YYYY-MM-DD HH:MM``;
    null as ''."""
    text = short_time(value, today)
    return text[:-3] if len(text) >= 8 and text[-3] == ":" else text


def account_state(account: dict[str, Any]) -> tuple[str, str]:
    """What holds an account's tasks back now, as one line, and its style: ``disabled``,
    ``cooling down until 15:20 (You're following too fast)``, ``outside working hours (next
    08:30)``, ``at follow limit 150/day`` (several joined by ``; ``), else ``ready``; ``-`` when
    the API gives no ``safety`` (an account of another runner's inventory)."""
    safety = account.get("safety")
    if not isinstance(safety, dict):
        return ("disabled", "dim") if account.get("status") == 0 else ("-", "dim")
    held, style = [], "yellow"
    if account.get("status") == 0:
        held.append("disabled")
    cool = safety.get("cool_down")
    if isinstance(cool, dict):
        held.append(
            f"cooling down until {clock(cool.get('until'))} ({clean(str(cool.get('reason')))})"
        )
        style = "red"
    if safety.get("working_now") is False:
        upcoming = clock(safety.get("working_next"))
        held.append("outside working hours" + (f" (next {upcoming})" if upcoming else ""))
    for kind, c in (safety.get("limits") or {}).items():
        for count, limit, per in ((c.get("hour"), c.get("per_hour"), "hour"),
                                  (c.get("day"), c.get("per_day"), "day")):  # fmt: skip
            if isinstance(limit, int) and isinstance(count, int) and count >= limit:
                held.append(f"at {clean(kind)} limit {limit}/{per}")
    return ("; ".join(held), style) if held else ("ready", "green")


def counts_text(limits: Any) -> str:
    """An account's ``safety.limits`` as one line, kind by kind: ``follow 12/30h 40/150d``
    (actions in the last hour against ``per_hour``, today's against ``per_day``), ``like 3
    today`` for a kind without a limit; '' for none."""
    parts = []
    for kind, c in (limits or {}).items() if isinstance(limits, dict) else ():
        counts = []
        if c.get("per_hour") is not None:
            counts.append(f"{c.get('hour')}/{c.get('per_hour')}h")
        if c.get("per_day") is not None:
            counts.append(f"{c.get('day')}/{c.get('per_day')}d")
        parts.append(f"{kind} " + (" ".join(counts) or f"{c.get('day')} today"))
    return clean(", ".join(parts))


def accounts_table(accounts: list[dict[str, Any]]) -> Any:
    """A rich Table of ``GET /accounts`` items: the account, its phone (``(offline)`` when adb
    does not list it in state ``device``), what holds it back now (:func:`account_state`), its
    counts against its limits (:func:`counts_text`; ``-``: none) and its working hours (``-``:
    any time); the API's ``runner`` of each too, when the items name more than one."""
    from rich.table import Table

    farm = len({a.get("runner") for a in accounts} - {None}) > 1
    table = Table(box=None, header_style="bold", pad_edge=False)
    names = ("ACCOUNT", "PHONE", "RUNNER") if farm else ("ACCOUNT", "PHONE")
    for name in names:
        table.add_column(name, no_wrap=True, overflow="fold")
    for name in ("STATE", "ACTIONS", "HOURS"):
        table.add_column(name, overflow="fold")
    for a in accounts:
        safety = a.get("safety") if isinstance(a.get("safety"), dict) else {}
        phone = shown(a.get("device"))
        if a.get("device") and not a.get("device_online"):
            phone += " (offline)"
        hours = safety.get("working_hours")
        state, style = account_state(a)
        table.add_row(
            _text(a.get("username")),
            _text(phone, "" if a.get("device_online") else "dim"),
            *([_text(a.get("runner"))] if farm else []),
            _text(state, style),
            _text(counts_text(safety.get("limits")) or "-"),
            _text("; ".join(", ".join(map(str, s)) for s in hours) if hours else "-"),
        )
    return table


def fetch_accounts(client: ApiClient, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Every account ``GET /accounts`` lists matching ``filters`` (``device``, ``tag``), in the
    API's order, paging through it 100 at a time."""
    page, items = 1, []
    while True:
        value = client.data("/accounts", **filters, page=page, page_size=PAGE_SIZE) or {}
        items.extend(value.get("list") or [])
        if page * PAGE_SIZE >= int(value.get("total") or 0):
            return items
        page += 1


def tasks_table(tasks: list[dict[str, Any]]) -> Any:
    """A rich Table of task objects: id, status, serial (or username), script, manifest, start
    and end (the runner's local time; the date left out when it is today's), retries, and the
    progress of a running task, the remark of any other (an ended task's last progress is often
    a step label, "tap Follow", that reads as if it were still doing it)."""
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("ID", "STATUS", "SERIAL", "SCRIPT", "MANIFEST", "START", "END", "RETRY"):
        table.add_column(name, no_wrap=True, overflow="ellipsis" if name == "MANIFEST" else "fold")
    table.add_column("PROGRESS / REMARK", overflow="fold")
    for t in tasks:
        progress = progress_text(t.get("progress")) if t.get("status") == 1 else ""
        table.add_row(
            _text(t.get("id")),
            _status_cell(t),
            _text(t.get("serial") or t.get("username")),
            _text(t.get("script_name")),
            _text(t.get("manifest")),
            _text(short_time(t.get("start_time"))),
            _text(short_time(t.get("end_time"))),
            _text(t.get("retry_count")),
            _text(progress, "cyan") if progress else _text(t.get("remark") or ""),
        )
    return table


def fetch_tasks(client: ApiClient, filters: dict[str, Any], limit: int) -> tuple[list, int]:
    """The last ``limit`` tasks (by id: the newest) matching ``filters`` (``status``,
    ``serial``, ``script_name``, ``source``, ``manifest``), ``limit`` 0 for every match, paging through
    ``GET /task`` 100 at a time; returns (tasks in id order, total matches)."""
    first = client.data("/task", **filters, page=1, page_size=PAGE_SIZE)
    total = int(first.get("total") or 0)
    items = list(first.get("list") or [])
    if total <= PAGE_SIZE:
        return items[-limit:] if limit else items, total
    start = 0 if not limit else max(0, total - limit)  # index of the first task to show
    pages = range(start // PAGE_SIZE + 1, math.ceil(total / PAGE_SIZE) + 1)
    seen: dict[Any, dict] = {t.get("id"): t for t in items} if 1 in pages else {}
    for page in pages:
        if page == 1:
            continue
        for t in client.data("/task", **filters, page=page, page_size=PAGE_SIZE).get("list") or []:
            seen[t.get("id")] = t
    ordered = sorted(seen.values(), key=lambda t: t.get("id") or 0)
    return (ordered[-limit:] if limit else ordered), total


def task_lines(
    client: ApiClient, task: dict[str, Any], artifacts: list[dict], log_tail: str
) -> Iterator[str]:
    """``tikrunner task ID``'s text: every field of the task object in the API's order, the
    artifacts (name, size in bytes, full URL) and the log's tail."""
    width = max(len(k) for k in task) + 2
    for key, value in task.items():
        text = (progress_text(value) or "-") if key == "progress" else shown(value)
        yield f"{key + ':':<{width}}{text}"
    yield f"{'artifacts:':<{width}}{len(artifacts) or '-'}"
    for a in artifacts:
        url = f"{client.target.base}{a.get('url')}"
        yield f"  {shown(a.get('name')):<16} {a.get('size', 0):>10} B  {clean(url)}"
    lines = log_tail.splitlines()
    yield f"{'log:':<{width}}" + ("(empty)" if not lines else f"last {len(lines)} lines")
    for line in lines:
        yield "  " + clean(line)


def follow_log(
    client: ApiClient,
    task_id: int,
    write: Callable[[str], None],
    *,
    interval: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Write the task's log as it grows until the task has ended (status 2 or 3), then its
    last lines; returns the task object at the end.

    The log is read from ``GET /task/{id}/artifacts/task.log`` with a byte ``Range`` from what
    was already written (the same file ``/task/{id}/log`` serves); only whole lines are written
    until the end. The status is read before each read of the log, so the read after the
    status said "ended" has everything the task logged before it ended."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    offset, pending = 0, ""
    path = f"/task/{task_id}/artifacts/task.log"
    while True:
        task = client.data(f"/task/{task_id}")
        ended = task.get("status") in (TaskStatus.COMPLETED, TaskStatus.FAILED)
        chunk, _ = client.bytes_from(path, offset)
        offset += len(chunk)
        pending += decoder.decode(chunk, final=ended)
        whole, _, pending = pending.rpartition("\n")
        if whole:
            write(clean(whole) + "\n")
        if ended:
            if pending:
                write(clean(pending) + "\n")
            return task
        sleep(interval)


# -- the commands -------------------------------------------------------------------------------

Api = Annotated[
    str | None,
    typer.Option(
        "--api",
        help="The API's address http://HOST:PORT (default: TIKRUNNER_API, else tikrunner.yaml's "
        "http:, else http://127.0.0.1:50809).",
        show_default=False,
    ),
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="The API token (default: TIKRUNNER_API_TOKEN, else tikrunner.yaml's api_token).",
        show_default=False,
    ),
]
Config = Annotated[
    Path | None,
    typer.Option("--config", help="tikrunner.yaml to read the address and token from."),
]
Output = Annotated[
    str,
    typer.Option(
        "--output",
        "-o",
        help="table, json or yaml (json and yaml: the API's objects).",
        callback=lambda value: _output(value),
    ),
]
SerialFilter = Annotated[str | None, typer.Option("--serial", help="Only this phone's.")]
Interval = Annotated[
    float,
    typer.Option("--interval", min=0.1, help="Seconds between refreshes."),
]
Iterations = Annotated[
    int,
    typer.Option("--iterations", min=0, help="Stop after N refreshes (0: until Ctrl-C)."),
]


def _output(value: str) -> str:
    if value not in ("table", "json", "yaml"):
        raise typer.BadParameter(f"{value!r}: one of table, json, yaml", param_hint="'-o'")
    return value


def _run(
    api: str | None, token: str | None, config: Path | None, body: Callable[[Target], int]
) -> None:
    """Run ``body`` on the :class:`Target` that ``--api``, ``--token`` and ``--config`` name; a
    :class:`ViewError` is its one line on stderr and its exit code."""
    try:
        code = body(resolve_target(api, token, config))
    except ViewError as e:
        print(f"tikrunner: {e.message}", file=sys.stderr)
        code = e.exit_code
    except BrokenPipeError:  # `tikrunner tasks | head`
        sys.stderr.close()
        code = 0
    raise typer.Exit(code)


def _console(console: Any = None) -> Any:
    from rich.console import Console

    return console or Console(highlight=False)


def _live(
    frame: Callable[[], Any],
    *,
    interval: float,
    iterations: int,
    console: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Show ``frame()`` in a rich Live display, redrawn in place every ``interval`` seconds,
    ``iterations`` times (0: until Ctrl-C, which exits 0). A frame that raises ViewError after
    the first keeps the last frame with the error under it, and tries again."""
    from rich.console import Group
    from rich.live import Live
    from rich.text import Text

    console = _console(console)
    try:
        last = frame()  # the first one's failure is the command's
        count = 1
        with Live(last, console=console, auto_refresh=False, transient=False) as live:
            while not iterations or count < iterations:
                sleep(interval)
                try:
                    last = frame()
                    live.update(last, refresh=True)
                except ViewError as e:
                    live.update(Group(last, Text(f"tikrunner: {e.message}", "red")), refresh=True)
                count += 1
    except KeyboardInterrupt:
        pass
    return 0


def _show(
    value: Any,
    output: str,
    items: list[dict[str, Any]],
    table: Callable[[list[dict[str, Any]]], Any],
    empty: str,
    console: Any = None,
) -> int:
    """Print the API's ``value`` as ``output`` (json, yaml), or ``table(items)`` (``empty``
    when there are none); returns 0."""
    if output != "table":
        sys.stdout.write(dump(value, output))
        return 0
    console = _console(console)
    if not items:
        console.print(empty, markup=False)
    else:
        console.print(table(items))
    return 0


def run_devices(target: Target, serial: str | None, output: str, console: Any = None) -> int:
    """``tikrunner devices [SERIAL]``: every phone (``GET /devices``) or one
    (``GET /devices/{serial}``; unknown: ViewError exit 1) as a table or the API's objects."""
    client = ApiClient(target)
    if serial is not None:
        try:
            value = client.data(f"/devices/{urllib.parse.quote(serial, safe='')}")
        except ViewError as e:
            if e.api_code == NOT_FOUND:
                raise ViewError(f"no phone {serial!r} at {target.base}") from None
            raise
        devices = [value]
    else:
        value = client.data("/devices")
        devices = list(value.get("list") or [])
    return _show(value, output, devices, devices_table, f"no phones at {target.base}", console)


def run_accounts(
    target: Target,
    username: str | None,
    output: str,
    filters: dict[str, Any] | None = None,
    console: Any = None,
) -> int:
    """``tikrunner accounts [USERNAME]``: every account (``GET /accounts``, all pages) or one
    (its username, any case, with or without ``@``; unknown: ViewError exit 1) as a table, or
    the API's objects (``{list, total}``; one account object)."""
    client = ApiClient(target)
    accounts = fetch_accounts(client, filters or {})
    value: Any = {"list": accounts, "total": len(accounts)}
    if username is not None:
        wanted = username.removeprefix("@").casefold()
        accounts = [a for a in accounts if str(a.get("username")).casefold() == wanted]
        if not accounts:
            raise ViewError(f"no account {username!r} at {target.base}")
        value = accounts[0]
    return _show(value, output, accounts, accounts_table, f"no accounts at {target.base}", console)


def run_tasks(
    target: Target,
    filters: dict[str, Any],
    *,
    output: str,
    limit: int,
    watch: bool,
    interval: float = 2.0,
    iterations: int = 0,
    console: Any = None,
) -> int:
    """``tikrunner tasks``: the last ``limit`` matching tasks (0: all) as a table (``--watch``:
    redrawn in place), or ``{list, total}`` as JSON/YAML."""
    client = ApiClient(target)
    if output != "table":
        if watch:
            raise ViewError("--watch draws a table: leave out -o, or --watch", 2)
        tasks, total = fetch_tasks(client, filters, limit)
        sys.stdout.write(dump({"list": tasks, "total": total}, output))
        return 0

    def frame() -> Any:
        from rich.console import Group
        from rich.text import Text

        tasks, total = fetch_tasks(client, filters, limit)
        if not tasks:
            return Text(f"no tasks at {target.base} match", "dim")
        note = f"{len(tasks)} of {total} tasks"
        if len(tasks) < total:
            note += " (the newest; --limit 0 for all)"
        return Group(tasks_table(tasks), Text(note, "dim"))

    if watch:
        return _live(frame, interval=interval, iterations=iterations, console=console)
    _console(console).print(frame())
    return 0


def _task_or_exit(client: ApiClient, task_id: int) -> dict[str, Any]:
    try:
        return client.data(f"/task/{task_id}")
    except ViewError as e:
        if e.api_code == NOT_FOUND:
            raise ViewError(f"no task {task_id} at {client.target.base}") from None
        raise


def run_task(target: Target, task_id: int, *, output: str, tail: int) -> int:
    """``tikrunner task ID``: every field, the artifacts and the last ``tail`` log lines; an
    unknown id is ViewError exit 1. JSON/YAML: the task object."""
    client = ApiClient(target)
    task = _task_or_exit(client, task_id)
    if output != "table":
        sys.stdout.write(dump(task, output))
        return 0
    artifacts = client.data(f"/task/{task_id}/artifacts") or []
    log_tail = client.text(f"/task/{task_id}/log", tail=tail) if tail else ""
    sys.stdout.write("".join(line + "\n" for line in task_lines(client, task, artifacts, log_tail)))
    return 0


def run_logs(
    target: Target, task_id: int, *, follow: bool, tail: int | None, interval: float = 0.5
) -> int:
    """``tikrunner logs ID [-f]``: the task's log (``--tail N``: its last N lines); with
    ``-f``, followed as it grows until the task ends. Unknown id: ViewError exit 1."""
    client = ApiClient(target)

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    _task_or_exit(client, task_id)
    if not follow:
        write(clean(client.text(f"/task/{task_id}/log", tail=tail)))
        return 0
    try:
        follow_log(client, task_id, write, interval=interval)
    except KeyboardInterrupt:
        pass
    return 0


class Bar:
    """A progress bar of :data:`BAR_WIDTH` columns for a ``fraction`` 0..1 that reads without
    colour too (``━━━━────``; ``####....`` on an ASCII-only output), unlike rich's ProgressBar,
    whose done and remaining parts differ by colour alone."""

    def __init__(self, fraction: float, width: int = BAR_WIDTH):
        self.fraction = max(0.0, min(1.0, fraction))
        self.width = width

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.text import Text

        done = round(self.fraction * self.width)
        full, empty = ("#", ".") if options.ascii_only else ("━", "─")
        yield Text.assemble((full * done, "green"), (empty * (self.width - done), "dim"))

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        return Measurement(self.width, self.width)


def top_frame(client: ApiClient) -> Any:
    """One frame of ``tikrunner top``: a header (address, local time of this machine, phones
    by state, tasks by status from ``GET /task/stats``) and the phones with their running
    tasks and progress (``GET /devices``); the runner holding each phone too, when the phones
    name more than one (several runners on one store, as the dashboard's phone list)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    devices = list((client.data("/devices") or {}).get("list") or [])
    stats = client.data("/task/stats") or {}
    states: dict[str, int] = {}
    for d in devices:
        states[str(d.get("state"))] = states.get(str(d.get("state")), 0) + 1
    header = Text.assemble(
        ("tikrunner top ", "bold"),
        (f"{client.target.base}  {time.strftime('%H:%M:%S')}\n", "dim"),
        f"phones {len(devices)}"
        + (" (" + ", ".join(f"{n} {s}" for s, n in sorted(states.items())) + ")" if states else ""),
        "   tasks ",
        *((f"{stats.get(s.text, 0)} {s.text}  ", STATUS_STYLES[int(s)]) for s in TaskStatus),
    )
    farm = len({d.get("runner") for d in devices} - {None}) > 1
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    names = ("SERIAL", "RUNNER") if farm else ("SERIAL",)
    for name in (*names, "STATE", "TASK", "SCRIPT", "STARTED"):
        table.add_column(name, no_wrap=True)
    table.add_column("PROGRESS", overflow="fold")
    table.add_column("", width=BAR_WIDTH, no_wrap=True)
    table.add_column("WAIT", justify="right", no_wrap=True)
    table.add_column("NOTE", overflow="fold")
    for d in devices:
        state = d.get("state")
        running = d.get("running_task") if isinstance(d.get("running_task"), dict) else None
        progress = (running or {}).get("progress")
        fraction = fraction_of(progress)
        bar: Any = "" if fraction is None else Bar(fraction)
        health = d.get("health") or {}
        note = health.get("last_error") or (
            f"benched until {health['benched_until']}" if health.get("benched_until") else ""
        )
        held_by = [_text(d.get("runner"))] if farm else []
        table.add_row(
            _text(d.get("serial")),
            *held_by,
            _text(state, {"device": "green", "gone": "dim"}.get(state, "yellow")),
            _text(f"#{running.get('id')}" if running else "idle", "cyan" if running else "dim"),
            _text((running or {}).get("script_name") or ""),
            _text(short_time((running or {}).get("start_time"))),
            _text(progress_text(progress)),
            bar,
            _text(d.get("waiting_tasks")),
            _text(note, "red"),
        )
    body = table if devices else Text(f"no phones at {client.target.base}", "dim")
    return Group(header, Text(""), body)


def run_top(
    target: Target,
    *,
    interval: float = 2.0,
    iterations: int = 0,
    console: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """``tikrunner top``: :func:`top_frame` redrawn in place every ``interval`` seconds until
    Ctrl-C (exit 0), or ``iterations`` times."""
    client = ApiClient(target)
    return _live(
        lambda: top_frame(client),
        interval=interval,
        iterations=iterations,
        console=console,
        sleep=sleep,
    )


def add_view_commands(app: typer.Typer) -> None:
    """Register ``devices``, ``accounts``, ``tasks``, ``task``, ``logs`` and ``top`` on ``app``."""

    @app.command()
    def devices(
        serial: Annotated[
            str | None, typer.Argument(help="Only this phone (exit 1 if unknown).")
        ] = None,
        output: Output = "table",
        api: Api = None,
        token: Token = None,
        config: Config = None,
    ) -> None:
        """List the phones: state, model, versions, language, health, running task, waiting."""
        _run(api, token, config, lambda target: run_devices(target, serial, output))

    @app.command()
    def accounts(
        username: Annotated[
            str | None,
            typer.Argument(metavar="USERNAME", help="Only this account (exit 1 if unknown)."),
        ] = None,
        serial: SerialFilter = None,
        tag: Annotated[str | None, typer.Option("--tag", help="Only with this tag.")] = None,
        output: Output = "table",
        api: Api = None,
        token: Token = None,
        config: Config = None,
    ) -> None:
        """List the accounts: phone, cool-down, working hours, counts against their limits."""
        filters = {"device": serial, "tag": tag}
        _run(api, token, config, lambda target: run_accounts(target, username, output, filters))

    @app.command()
    def tasks(
        status: Annotated[
            str | None,
            typer.Option("--status", help="0-3 or pending, running, completed, failed."),
        ] = None,
        serial: SerialFilter = None,
        script: Annotated[
            str | None, typer.Option("--script", help="Only this script's (follow, post, ...).")
        ] = None,
        source: Annotated[
            str | None, typer.Option("--source", help="Only from api, spool or workflow.")
        ] = None,
        manifest: Annotated[
            str | None, typer.Option("--manifest", help="Only this manifest's (every generation).")
        ] = None,
        limit: Annotated[
            int,
            typer.Option("--limit", min=0, help="Show the newest N matches (0: all of them)."),
        ] = 100,
        output: Output = "table",
        watch: Annotated[
            bool, typer.Option("--watch", "-w", help="Redraw in place until Ctrl-C.")
        ] = False,
        interval: Interval = 2.0,
        iterations: Iterations = 0,
        api: Api = None,
        token: Token = None,
        config: Config = None,
    ) -> None:
        """List tasks (GET /task), the newest last; filters combine."""
        code = parse_status(status) if status is not None else None
        filters = {"status": code, "serial": serial, "script_name": script, "source": source}
        filters["manifest"] = manifest
        _run(
            api,
            token,
            config,
            lambda target: run_tasks(
                target,
                filters,
                output=output,
                limit=limit,
                watch=watch,
                interval=interval,
                iterations=iterations,
            ),
        )

    @app.command()
    def task(
        task_id: Annotated[int, typer.Argument(metavar="ID", help="The task's id.")],
        tail: Annotated[
            int, typer.Option("--tail", min=0, help="Log lines to show (0: none).")
        ] = 20,
        output: Output = "table",
        api: Api = None,
        token: Token = None,
        config: Config = None,
    ) -> None:
        """Show one task: every field, its artifacts (with their URLs) and its log's tail."""
        _run(api, token, config, lambda target: run_task(target, task_id, output=output, tail=tail))

    @app.command()
    def logs(
        task_id: Annotated[int, typer.Argument(metavar="ID", help="The task's id.")],
        follow: Annotated[
            bool, typer.Option("--follow", "-f", help="Follow the log until the task ends.")
        ] = False,
        tail: Annotated[
            int | None, typer.Option("--tail", min=0, help="Only the last N lines.")
        ] = None,
        interval: Annotated[
            float, typer.Option("--interval", min=0.05, help="Seconds between polls with -f.")
        ] = 0.5,
        api: Api = None,
        token: Token = None,
        config: Config = None,
    ) -> None:
        """Print a task's log; -f follows it as it grows until the task completes or fails."""
        view = partial(run_logs, task_id=task_id, follow=follow, tail=tail, interval=interval)
        _run(api, token, config, view)

    @app.command()
    def top(
        interval: Interval = 2.0,
        iterations: Iterations = 0,
        api: Api = None,
        token: Token = None,
        config: Config = None,
    ) -> None:
        """A live table of the phones and their running tasks, redrawn in place until Ctrl-C."""
        _run(api, token, config, partial(run_top, interval=interval, iterations=iterations))
