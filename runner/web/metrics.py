"""``/metrics``: the runner's figures in Prometheus' text format (version 0.0.4), through
prometheus_client (docs/spec/local-api.md, "Metrics", ours).

One :class:`RunnerMetrics` per runner, with its own ``CollectorRegistry`` (never the process-wide
one), so tests and several runners in one process never share counts. What it shows:

- ``tikrunner_tasks{status,script}``: tasks in the store, read from the store at scrape time (so
  the counts are the store's, ``GET /api/v1/task/stats``, at that moment);
- ``tikrunner_task_duration_seconds{script,status}``: a histogram of the seconds from a task's
  start (claimed by its phone's worker) to its end, observed when a worker ends it (``status``:
  ``completed`` or ``failed``, the run's outcome, even when a retry follows);
- ``tikrunner_device_calls_total`` and ``tikrunner_device_call_errors_total{kind}``: the device
  facade's round trips (runner/devices/session.py; ``kind``: ``timeout`` when a call was given
  up, ``error`` when it raised);
- ``tikrunner_phones{state}``: phones the adb servers list, by adb state (``device``, ``offline``,
  ``unauthorized``, ...), and ``tikrunner_phones_benched``: phones benched now (runner/scheduler.py);
- ``tikrunner_manifests_taken_total{outcome}`` (``accepted``, ``duplicate``) and
  ``tikrunner_manifests_refused_total{code}`` (the API error code of the refusal, 40001 ...): spool
  files since the runner started;
- ``tikrunner_http_requests_total{method,route,code}``: HTTP answers by route template
  (``/api/v1/task/{task_id}``; ``unmatched`` for a path no route serves) and HTTP status;
- account safety (issue 14): ``tikrunner_actions_last_hour{kind}`` and
  ``tikrunner_actions_last_day{kind}`` (actions counted in the store before their tap, every
  account and every runner sharing the store, read at scrape time),
  ``tikrunner_accounts_cooling_down``, ``tikrunner_limits_hit_total{kind}`` (actions held back
  by a limit, working hours or a cool-down: the task waits) and ``tikrunner_pushbacks_total{kind}``
  (tasks TikTok pushed back on: ``rate_limit``, ``follow_not_applied``, ``verification``,
  ``logged_out``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runner.models import TaskStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The media type of Prometheus' text exposition format 0.0.4."""

# Seconds: a follow takes seconds, a warm-up ten minutes or more.
DURATION_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, float("inf"))


class RunnerMetrics:
    """The metrics of one runner.

    ``store``: the runner's ``Store`` (its ``counts_by_script()`` is read at each scrape);
    ``farm``: its ``runner.workers.Farm`` (adb states and benched phones), or None (no phones).
    The hook methods (:meth:`task_ended`, :meth:`device_call`, :meth:`manifests`,
    :meth:`http_request`) are cheap and thread-safe; :meth:`render` blocks on the store (run it
    in a worker thread).
    """

    def __init__(self, store: Any, farm: Any = None) -> None:
        self.store = store
        self.farm = farm
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.task_duration = Histogram(
            "tikrunner_task_duration_seconds",
            "Seconds from a task's start to its end, observed when its worker ends it.",
            ["script", "status"],
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self.device_calls = Counter(
            "tikrunner_device_calls",
            "Round trips to the phones (adb and uiautomator2).",
            registry=r,
        )
        self.device_call_errors = Counter(
            "tikrunner_device_call_errors",
            "Round trips to the phones that failed (timeout: given up; error: raised).",
            ["kind"],
            registry=r,
        )
        self.manifests_taken = Counter(
            "tikrunner_manifests_taken",
            "Spool files taken in since start (accepted, or duplicate of an accepted one).",
            ["outcome"],
            registry=r,
        )
        self.manifests_refused = Counter(
            "tikrunner_manifests_refused",
            "Spool files refused since start, by API error code.",
            ["code"],
            registry=r,
        )
        self.http_requests = Counter(
            "tikrunner_http_requests",
            "HTTP answers by method, route template and HTTP status.",
            ["method", "route", "code"],
            registry=r,
        )
        self.limits_hit = Counter(
            "tikrunner_limits_hit",
            "Actions held back by an account's limit, working hours or cool-down (the task "
            "waits), by action kind (README, Account safety).",
            ["kind"],
            registry=r,
        )
        self.pushbacks = Counter(
            "tikrunner_pushbacks",
            "Tasks TikTok pushed back on (rate limit, follow not applied, verification, logged "
            "out): each put its account in a cool-down.",
            ["kind"],
            registry=r,
        )
        r.register(_LiveCollector(self))

    # -- hooks ---------------------------------------------------------------------------------

    def task_ended(self, script: str, status: int, seconds: float) -> None:
        """A worker ended a run of a ``script`` task with ``status`` (2 or 3) after ``seconds``."""
        self.task_duration.labels(script, TaskStatus(status).text).observe(max(seconds, 0.0))

    def device_call(self, error: str | None = None) -> None:
        """One device round trip ended; ``error``: None (it answered), ``timeout`` or ``error``
        (counted as errors), ``cancelled`` (its task was stopped: a call, not an error)."""
        self.device_calls.inc()
        if error in ("timeout", "error"):
            self.device_call_errors.labels(error).inc()

    def manifests(self, outcomes: Iterable[Any]) -> None:
        """Count the spool's ``Outcome`` objects (runner/spool.py): accepted and duplicate ones
        as taken, rejected ones as refused under their error's code."""
        for o in outcomes:
            if o.outcome == "rejected":
                code = o.error.code if o.error is not None else 0
                self.manifests_refused.labels(str(code)).inc()
            else:
                self.manifests_taken.labels(o.outcome).inc()

    def limit_hit(self, kind: str) -> None:
        """A task's ``kind`` action was held back by account safety (the task waits)."""
        self.limits_hit.labels(kind).inc()

    def pushed_back(self, kind: str) -> None:
        """A task failed because TikTok pushed back (``runner.errors.PushBack`` kind)."""
        self.pushbacks.labels(kind).inc()

    def http_request(self, method: str, route: str, code: int) -> None:
        """One HTTP answer: ``route`` is the route template, ``code`` the HTTP status."""
        self.http_requests.labels(method, route, str(code)).inc()

    # -- scrape --------------------------------------------------------------------------------

    def render(self) -> bytes:
        """The text exposition (format 0.0.4) of every metric now. Reads the store (blocking)."""
        return generate_latest(self.registry)


class _LiveCollector(Collector):
    """What is read at scrape time: tasks from the store, phones from the farm."""

    def __init__(self, metrics: RunnerMetrics) -> None:
        self.metrics = metrics

    def describe(self) -> list[Metric]:
        return []  # collected only when scraped: registering must not read the store

    def collect(self) -> Iterator[Metric]:
        tasks = GaugeMetricFamily(
            "tikrunner_tasks",
            "Tasks in the store by status and script.",
            labels=["status", "script"],
        )
        counts = self.metrics.store.counts_by_script()
        for status in TaskStatus:
            if not any(s == status for s, _ in counts):
                tasks.add_metric([status.text, ""], 0)  # every status shows, even at zero
        for (status, script), n in sorted(counts.items()):
            tasks.add_metric([TaskStatus(status).text, script], n)
        yield tasks
        phones = GaugeMetricFamily(
            "tikrunner_phones", "Phones listed by the adb servers, by adb state.", labels=["state"]
        )
        benched = GaugeMetricFamily("tikrunner_phones_benched", "Phones benched now.")
        farm = self.metrics.farm
        by_state: dict[str, int] = {"device": 0, "offline": 0, "unauthorized": 0}
        n_benched = 0
        if farm is not None:
            for server in list(farm.adb_servers.values()):
                for state in list(server.devices.values()):
                    by_state[state] = by_state.get(state, 0) + 1
            if farm.scheduler is not None:
                n_benched = len(farm.scheduler.benched)
        for state, n in sorted(by_state.items()):
            phones.add_metric([state], n)
        benched.add_metric([], n_benched)
        yield phones
        yield benched
        yield from _account_metrics(self.metrics.store)


def _account_metrics(store: Any) -> Iterator[Metric]:
    """Actions counted in the store (every runner sharing it) by kind, over the last hour and
    the last 24 hours, and the accounts cooling down now (runner/store/actions.py)."""
    counts = getattr(store, "action_counts", None)
    if counts is None:
        return
    now = time.time()
    hour = GaugeMetricFamily(
        "tikrunner_actions_last_hour",
        "Actions attempted (counted before the tap) in the last 60 minutes, all accounts, by kind.",
        labels=["kind"],
    )
    day = GaugeMetricFamily(
        "tikrunner_actions_last_day",
        "Actions attempted in the last 24 hours, all accounts, by kind.",
        labels=["kind"],
    )
    by_kind: dict[str, list[int]] = {}
    for (_, kind), (h, d, _) in counts(now - 3600, now - 86400).items():
        total = by_kind.setdefault(kind, [0, 0])
        total[0] += h
        total[1] += d
    for kind, (h, d) in sorted(by_kind.items()):
        hour.add_metric([kind], h)
        day.add_metric([kind], d)
    cooling = GaugeMetricFamily(
        "tikrunner_accounts_cooling_down", "Accounts cooling down now (their tasks wait)."
    )
    cooling.add_metric([], len(store.cool_downs(now)))
    yield hour
    yield day
    yield cooling


class HttpMetrics:
    """ASGI middleware counting every HTTP answer in ``metrics`` by method, route template
    (FastAPI's ``scope["route"].path_format``; for a request refused before routing, the
    template of the first of ``routes()`` its path fully matches; else ``unmatched``) and HTTP
    status (500 when nothing was answered). ``routes``: the app's routes, flat (FastAPI 0.16x
    keeps an included router as one opaque entry of ``app.routes``)."""

    def __init__(
        self, app: ASGIApp, *, metrics: RunnerMetrics, routes: Callable[[], Iterable[Any]]
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        code = 500

        async def counting_send(message: Message) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            route = scope.get("route") or _first_match(scope, self.routes())
            self.metrics.http_request(
                scope.get("method", ""), getattr(route, "path_format", None) or "unmatched", code
            )


def _first_match(scope: Scope, routes: Iterable[Any]) -> Any:
    for candidate in routes:
        if hasattr(candidate, "path_format") and candidate.matches(scope)[0] == Match.FULL:
            return candidate
    return None
