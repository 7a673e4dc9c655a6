"""Fixtures of the HTTP shim's tests: a real runner (store, spool, device workers, HTTP API on an
ephemeral port) with simulated phones, run in-process in a background thread with its own trio
loop, and a real HTTP client (httpx) talking to it over TCP.

The runner is in-process so tests can slow a simulated phone down (``phone.latency``) and read
the store; everything the tests check goes over HTTP or through files, as a client would see it.

Every runner fixture runs each test on both engines (issue 12: ids ``[sqlite]`` and
``[postgresql]``): ``live`` with a module's database (``live_store``), ``fresh`` and ``make_live``
with a test's (``store_url``; each further runner of ``make_live`` its own database, as each has
its own spool).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from runner.config import Account, RunnerConfig
from runner.engine import Runner
from runner.models import TaskRecord
from tests.pg import Databases
from tests.serving import load_yaml

# Accounts beyond the simulated phones' own (sim_user_N), so the vendor examples' usernames
# resolve: the same inventory tests/test_intake.py uses.
EXTRA_ACCOUNTS = [
    Account(username="my_account1", serial="sim-0001"),
    Account(username="my_account2", serial="sim-0002"),
]


class LiveRunner:
    """``Runner(config, simulate=N)`` in a thread; ``client`` is an httpx client on its API."""

    def __init__(
        self, root: Path, *, simulate: int = 3, serial_prefix: str = "sim-", **config: Any
    ):
        values: dict[str, Any] = {
            "spool": root / "spool",
            "http": "127.0.0.1:0",
            "adb": [],
            "timezone": "UTC",
            "scan_interval": 0.5,
            "device_wait": 600,
            "accounts": [a.model_copy() for a in EXTRA_ACCOUNTS],
            "upload_folder": root / "media",  # the only place material files may come from
        } | config
        self.config = RunnerConfig(**values)
        self.spool = Path(self.config.spool)
        if self.config.upload_folder is not None:
            Path(self.config.upload_folder).mkdir(parents=True, exist_ok=True)
        self.runner = Runner(self.config, simulate=simulate, seed=1, serial_prefix=serial_prefix)
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self._scope: trio.CancelScope | None = None
        self.client: httpx.Client | None = None

    def start(self, timeout: float = 20) -> LiveRunner:
        self._thread = threading.Thread(target=self._main, name="live-runner", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout) or self._error is not None:
            raise AssertionError(f"the runner did not start: {self._error!r}")
        headers = {}
        if self.config.api_token:
            headers["Authorization"] = f"Bearer {self.config.api_token}"
        self.client = httpx.Client(base_url=self.base_url, headers=headers, timeout=30)
        return self

    def _main(self) -> None:
        async def main() -> None:
            self._token = trio.lowlevel.current_trio_token()
            async with trio.open_nursery() as nursery:
                self._scope = nursery.cancel_scope
                await nursery.start(self.runner.run)
                self._started.set()

        try:
            trio.run(main)
        except BaseException as e:  # reported by start() or stop()
            self._error = e
            self._started.set()

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        if self._token is not None and self._scope is not None:
            try:
                self.runner.farm.shutting_down = True  # type: ignore[union-attr]
                trio.from_thread.run_sync(self._scope.cancel, trio_token=self._token)
            except trio.RunFinishedError:
                pass
        if self._thread is not None:
            self._thread.join(30)
        if self._error is not None:
            raise self._error

    # -- helpers -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        address = self.runner.http_address
        return f"http://{address.host}:{address.port}/api/v1"

    @property
    def sim(self) -> Any:
        return self.runner.sim

    @property
    def serials(self) -> list[str]:
        return self.runner.sim.serials

    def status_file(self, name: str) -> dict | None:
        try:
            return load_yaml(self.spool / "status" / f"{name}.status.yaml")
        except FileNotFoundError:
            return None

    def wait(self, condition: Callable[[], Any], timeout: float = 15, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}")
            time.sleep(0.02)

    def task(self, task_id: int) -> dict:
        return data(self.client.get(f"/task/{task_id}"))

    def wait_status(self, task_id: int, status: int, timeout: float = 15) -> dict:
        return self.wait(
            lambda: (t := self.task(task_id))["status"] == status and t,
            timeout,
            f"task {task_id} to reach status {status}",
        )


def data(response: httpx.Response) -> Any:
    """The ``data`` of a success answer (asserting the envelope and HTTP 200)."""
    body = response.json()
    assert response.status_code == 200, (response.status_code, body)
    assert body["code"] == 0 and body["message"] == "success", body
    for task in _task_objects(body["data"]):
        TaskRecord.model_validate(task)  # every task object is exactly the spec's
    return body["data"]


def error(response: httpx.Response, code: int) -> dict:
    """The body of an error answer, asserting its code and the mirrored HTTP status."""
    body = response.json()
    assert body["code"] == code, (response.status_code, body)
    expected = {40301: 403, 40401: 404, 40501: 405, 50001: 500}.get(code, 400)
    assert response.status_code == expected, (response.status_code, body)
    assert set(body) == {"code", "message", "data"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert response.headers["content-type"].startswith("application/json")
    return body


def _task_objects(value: Any) -> list[dict]:
    if isinstance(value, dict) and "script_config" in value and "status_text" in value:
        return [value]
    if isinstance(value, dict) and isinstance(value.get("list"), list):
        return [v for t in value["list"] for v in _task_objects(t)]  # pages of other objects: none
    return []


def follow_body(serial: str, *targets: str, **extra: Any) -> dict:
    return {
        "serials": [serial],
        "script_name": "follow",
        "script_config": {"target_users": list(targets) or ["someone"], "access_method": "direct"},
    } | extra


def later(serial: str, *targets: str) -> dict:
    """A follow body scheduled about a day ahead (a minute ago, local time of the runner: UTC),
    so its tasks stay pending."""
    start = (datetime.now(UTC) - timedelta(minutes=2)).strftime("%H:%M")
    return follow_body(serial, *targets, start_time=start)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_store(request: pytest.FixtureRequest) -> Iterator[str]:
    """What ``store:`` takes, once per engine, for a module's runners: ``"sqlite"``, or an empty
    PostgreSQL database (tests/pg.py's :class:`Databases`), given back when the module's tests
    are done."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    databases = Databases(request.getfixturevalue("postgres_server"))
    yield databases.new()
    databases.give_back()


@pytest.fixture(scope="module")
def live(live_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveRunner]:
    """A runner shared by a module's tests (3 simulated phones, no token), on each engine."""
    runner = LiveRunner(tmp_path_factory.mktemp("live"), store=live_store).start()
    yield runner
    runner.stop()


@pytest.fixture
def fresh(store_url: str, tmp_path: Path) -> Iterator[LiveRunner]:
    """A runner of its own, for tests that count everything in the store, on each engine."""
    runner = LiveRunner(tmp_path, store=store_url).start()
    yield runner
    runner.stop()


@pytest.fixture
def make_live(
    store_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., LiveRunner]]:
    """Start runners with a config of the test's choosing (stopped at the end), on each engine:
    the first on ``store_url``, each further one on a store of its own (as on SQLite, where each
    spool has its own), unless the test names a ``store``."""
    started: list[LiveRunner] = []

    def make(**config: Any) -> LiveRunner:
        store = store_url
        if started and store_url != "sqlite":
            store = request.getfixturevalue("pg_database")()
        runner = LiveRunner(tmp_path / f"r{len(started)}", **({"store": store} | config)).start()
        started.append(runner)
        return runner

    yield make
    for runner in started:
        runner.stop()


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()
