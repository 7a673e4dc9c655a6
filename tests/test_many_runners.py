"""Two real ``tikrunner serve`` processes on one PostgreSQL store (issue 12, "Tests that must exist
and pass", second bullet; README, "Many runners").

Each runner drives its own simulated farm (``a-0001..`` and ``b-0001..``, each behind its own
fake adb server in this process, so the phones' ground truth outlives a runner's SIGKILL, as a real
phone outlives its PC's crash), has its own spool, its own HTTP API and its own copy of one
workflows folder, with ``lease_timeout: 2``. In one scenario:

(a) a spool manifest dropped on runner X (whichever took the workflows lock) for phones of both
    runs on both (each task's ``runner`` says which);
(b) SIGKILL X mid-run: its running warmup ends failed ``interrupted: runner X stopped answering``
    through the other, Y, within 2.5 lease timeouts, its pending tasks stay pending while it is
    down and run once it is back, and the warmup never runs again (its likes stop at the kill);
(c) the workflow's schedule fires each slot once, with its tasks, while the runner holding the
    workflows lock is SIGKILLed and restarted, twice (X, then Y), each kill just before a slot
    (that slot is fired, late, by the runner left).

Schedules are daily ``HH:MM`` times, so a slot a minute is the finest; to see several slots in a
few seconds the runners' time zone is a TZif file written here (``PYTHONTZPATH``) whose offset
jumps forward at every slot, so that each local minute lasts :data:`SLOT_SECONDS` real seconds.
Waiting is polling the HTTP API (or the store, for the firings table) against a deadline; a
failure prints both runners' logs.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import struct
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from runner.sim import SimFarm
from tests.serving import Runner

LEASE = 2.0  # lease_timeout of both runners, seconds (the smallest allowed)
SLOT_SECONDS = 3  # real seconds between two slots of the schedule
SLOTS = 100  # slots in the time zone written below (SLOTS * SLOT_SECONDS covers the test)
ZONE = "Test/FastMinutes"
WORKFLOW = "every-slot"
PHONES = 3  # per farm: 0001 warms up / waits, 0002 waits while its runner is down, 0003 workflow


def fast_minutes_zone(start: int, slots: int, period: int) -> tuple[bytes, list[int]]:
    """A TZif (version 2, RFC 8536) zone in which local time reaches a whole minute at
    ``start + k * period`` (UTC epoch seconds, k < ``slots``): at each of those instants the
    offset jumps forward by ``60 - period`` seconds. Returns (file bytes, the instants)."""
    at = [start + k * period for k in range(slots)]
    minute0 = (start // 60 + 60) * 60  # local time an hour ahead, on a whole minute
    offsets = [minute0 + 60 * k - t for k, t in enumerate(at)]

    def header(count: int, types: int) -> bytes:
        return b"TZif2" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, count, types, 4)

    v1 = header(0, 1) + struct.pack(">lbB", offsets[0], 0, 0) + b"TST\0"
    v2 = header(len(at), len(at)) + b"".join(struct.pack(">q", t) for t in at)
    v2 += bytes(range(len(at))) + b"".join(struct.pack(">lbB", o, 0, 0) for o in offsets)
    return v1 + v2 + b"TST\0" + b"\n\n", at


class Node(Runner):
    """One runner of the farm: :class:`tests.serving.Runner` named ``pc-<letter>``, driving the
    simulated farm ``farm`` (serials ``<letter>-0001``...), with an HTTP API on a free port (read
    from its start-up line)."""

    def __init__(self, root: Path, farm: SimFarm, **config: Any):
        accounts = [a.model_dump(mode="json") for a in farm.accounts]
        super().__init__(root, farm.address, accounts, http="127.0.0.1:0", **config)
        self.name = config["name"]
        self.farm = farm
        self.url = ""
        self.log_start = 0  # where the log of its last start begins

    def phone(self, n: int) -> str:
        return self.farm.serials[n - 1]

    def start(self, timeout: float = 60, *, wait: bool = True) -> None:
        self.log_start = len(self.log())
        self.url = ""
        super().start(timeout, wait=wait)

    def serving(self) -> bool:
        """Whether its last start got as far as serving (then :attr:`url` is its API's)."""
        found = re.findall(
            r"serving spool .*HTTP API on (http://\S+?)/?;", self.log()[self.log_start :]
        )
        if found:
            self.url = found[-1]
        return bool(found)

    def leads(self) -> bool:
        """Whether it took the workflows lock since it last started."""
        return "this runner applies the workflows folder now" in self.log()[self.log_start :]

    def api(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        assert self.url or self.serving(), f"{self.name} is not serving"
        answer = httpx.request(method, self.url + path, json=body, params=query or None, timeout=10)
        envelope = answer.json()
        assert envelope["code"] == 0, envelope
        return envelope["data"]

    def task(self, task_id: int) -> dict:
        return self.api("GET", f"/task/{task_id}")

    def create(self, serial: str, script: str, config: dict) -> int:
        """POST /task for one phone; returns the task id."""
        body = {"serials": [serial], "script_name": script, "script_config": config}
        (task_id,) = self.api("POST", "/task", body)["task_ids"]
        return task_id


def wait(condition: Callable[[], Any], timeout: float, what: str, nodes: list[Node]) -> Any:
    """Poll ``condition`` until truthy (returned) or ``timeout`` seconds; a runner that exited
    meanwhile or the deadline is an AssertionError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.TransportError):
            if value := condition():
                return value
        for node in nodes:
            if node.proc is not None and node.proc.poll() is not None:
                raise AssertionError(f"{node.name} exited ({node.proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def actions(node: Node, n: int) -> list[dict]:
    """Ground truth: every action of the account on ``node``'s phone ``n``, in order."""
    (account,) = node.farm.ground_truth()[node.phone(n)]["accounts"].values()
    return account["actions"]


def followed(node: Node, n: int) -> list[str]:
    return [x["target"] for x in actions(node, n) if x["action"] == "follow"]


class Slots:
    """The schedule's slots: key (local ``YYYY-MM-DDTHH:MM`` in :data:`ZONE`) -> due instant."""

    def __init__(self, zone: ZoneInfo, instants: list[int]):
        local = [datetime.fromtimestamp(t, zone) for t in instants]
        self.due = {
            f"{d.date().isoformat()}T{d:%H:%M}": t for d, t in zip(local, instants, strict=True)
        }
        self.at = sorted({f"{d:%H:%M}" for d in local})  # the schedule's ``at``

    def just_before_next(self, nodes: list[Node], margin: float = 0.3) -> str:
        """Wait until the next slot is ``margin`` seconds away; returns its key."""
        key, due = min(
            ((k, t) for k, t in self.due.items() if t - time.time() > margin), key=lambda kt: kt[1]
        )
        wait(lambda: time.time() >= due - margin, SLOT_SECONDS + 1, f"slot {key} to be near", nodes)
        return key


@pytest.fixture
def farms() -> Iterator[list[SimFarm]]:
    with contextlib.ExitStack() as stack:
        out = []
        for prefix in ("a-", "b-"):
            farm = SimFarm(PHONES, seed=3, serial_prefix=prefix)
            host, port = stack.enter_context(farm.running(host="127.0.0.1", port=0))
            farm.address = f"{host}:{port}"
            out.append(farm)
        yield out


@pytest.fixture
def slots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Slots:
    """The fast-minutes zone, written where the runners' zoneinfo looks (PYTHONTZPATH)."""
    data, instants = fast_minutes_zone(int(time.time()) + 2, SLOTS, SLOT_SECONDS)
    path = tmp_path / "zoneinfo" / ZONE
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    monkeypatch.setenv("PYTHONTZPATH", str(tmp_path / "zoneinfo"))
    return Slots(ZoneInfo.from_file(io.BytesIO(data), key=ZONE), instants)


def workflow(slots: Slots) -> dict:
    """A Workflow following one user on phone 0003 of both farms at every slot."""
    return {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": WORKFLOW},
        "spec": {
            "serials": ["a-0003", "b-0003"],
            "schedule": {"at": slots.at},
            "steps": [
                {
                    "name": "follow",
                    "script_name": "follow",
                    "script_config": {"target_users": ["slot_watcher"]},
                }
            ],
        },
    }


@pytest.fixture
def nodes(tmp_path: Path, farms: list[SimFarm], pg_url: str, slots: Slots) -> Iterator[list[Node]]:
    """pc-a and pc-b on one PostgreSQL store, each with its farm, spool, API and workflows copy;
    not started. Killed at the end, their logs printed (shown when the test failed)."""
    out = []
    for farm in farms:
        letter = farm.serial_prefix[0]
        root = tmp_path / f"pc-{letter}"
        (root / "workflows").mkdir(parents=True)
        (root / "workflows" / "slots.yaml").write_text(json.dumps(workflow(slots)))
        out.append(
            Node(
                root,
                farm,
                name=f"pc-{letter}",
                store=pg_url,
                lease_timeout=LEASE,
                timezone=ZONE,
                workflows=str(root / "workflows"),
                device_wait=120,
            )
        )
    yield out
    for node in out:
        if node.proc is not None:
            node.kill()
        # pytest shows what a test printed only when it failed
        print(f"===== {node.name}: {node.log_path} =====\n{node.log()[-8000:]}")


def test_two_runners_share_a_farm_survive_a_kill_and_fire_each_slot_once(
    nodes: list[Node], slots: Slots, pg_url: str
):
    for node in nodes:
        node.start(wait=False)
    wait(lambda: all(n.serving() for n in nodes), 60, "both runners to serve", nodes)
    # x: the runner that took the workflows lock (killed first); y: the other one
    x, y = wait(
        lambda: [n for n in nodes if n.leads()] and sorted(nodes, key=lambda n: not n.leads()),
        10,
        "a runner to take the workflows lock",
        nodes,
    )
    window_start = time.time()  # from now on every slot must fire, once
    wait(lambda: "another runner applies the workflows" in y.log(), 10, f"{y.name} waits", nodes)
    assert not y.leads()

    # (a) a manifest dropped on x fans out to the phones of both runners; each runs its own
    everyone = [x.phone(1), x.phone(2), y.phone(1), y.phone(2)]
    x.drop("both.json", {"serials": everyone, "script_name": "follow",
                         "script_config": {"target_users": ["a"]}})  # fmt: skip
    status = x.wait_phase("both", {"completed", "failed"}, timeout=30)
    assert status["phase"] == "completed", status
    seen_from_y = y.api("GET", "/task", manifest="both")["list"]
    assert sorted((t["serial"], t["runner"], t["status"]) for t in seen_from_y) == sorted(
        [(s, x.name, 2) for s in everyone[:2]] + [(s, y.name, 2) for s in everyone[2:]]
    )
    for node in nodes:
        assert [followed(node, 1), followed(node, 2)] == [["a"], ["a"]], node.name

    # (b) y creates a long warmup and a follow behind it on x's phone 1; x runs the warmup
    warmup = {"task_duration": 300, "min_duration": 1, "max_duration": 1, "like_probable": 100}
    warm_id = y.create(x.phone(1), "account_warmup", warmup)
    behind_id = y.create(x.phone(1), "follow", {"target_users": ["after"]})
    liked = lambda: any(a["action"] == "like" for a in actions(x, 1))  # noqa: E731
    wait(liked, 30, f"the warmup on {x.phone(1)} to like a video", nodes)
    assert y.task(warm_id)["runner"] == x.name
    slot_after_kill = {y.name: slots.just_before_next(nodes)}  # due while nobody holds the lock
    x.kill()
    killed = time.monotonic()
    done_before_kill = len(actions(x, 1))
    failed = lambda: (t := y.task(warm_id))["status"] == 3 and t  # noqa: E731
    ended = wait(failed, 3 * LEASE, f"{y.name} to end {x.name}'s running warmup", nodes)
    took = time.monotonic() - killed
    assert ended["remark"] == f"interrupted: runner {x.name} stopped answering"
    assert ended["runner"] == x.name
    assert took <= 2.5 * LEASE + 0.5, took
    wait(y.leads, 3 * LEASE, f"{y.name} to take the workflows lock from {x.name}", nodes)
    down_id = y.create(x.phone(2), "follow", {"target_users": ["while_down"]})
    for task in (y.task(behind_id), y.task(down_id)):
        assert (task["status"], task["runner"]) == (0, None), task  # they wait for x's phones
    x.start()
    ran = lambda: all(y.task(i)["status"] == 2 for i in (behind_id, down_id))  # noqa: E731
    wait(ran, 30, f"{x.name}'s pending tasks to run once it is back", nodes)
    assert {y.task(i)["runner"] for i in (behind_id, down_id)} == {x.name}
    after_kill = actions(x, 1)[done_before_kill:]
    assert [(a["action"], a["target"]) for a in after_kill] == [("follow", "after")]
    assert y.task(warm_id)["status"] == 3  # and the warmup never ran again
    assert followed(x, 2) == ["a", "while_down"]

    # (c) kill the lock's new holder y: x takes the workflows over; y comes back meanwhile
    assert not x.leads()
    slot_after_kill[x.name] = slots.just_before_next(nodes)
    y.kill()
    y.start(wait=False)
    wait(x.leads, 3 * LEASE, f"{x.name} to take the workflows lock from {y.name}", nodes)
    window_end = time.time() + 2 * SLOT_SECONDS
    wait(lambda: time.time() > window_end and y.serving(), 60, f"{y.name} back, 2 slots", nodes)
    assert not y.leads()

    with psycopg.connect(pg_url) as db:
        firings = db.execute(
            "SELECT slot, outcome, task_count, at FROM firings WHERE workflow=%s", (WORKFLOW,)
        ).fetchall()
        tasks = db.execute(
            "SELECT serial, owner, created_at FROM tasks WHERE manifest=%s", (WORKFLOW,)
        ).fetchall()
    due = {k for k, t in slots.due.items() if window_start <= t <= window_end - 1}
    fired = {slot: (outcome, count) for slot, outcome, count, _ in firings}
    assert {k: fired.get(k) for k in due} == {k: ("fired", 2) for k in due}
    # each firing's tasks (created in its transaction, at its instant): one per phone, no more
    serials_at: dict[float, list[str]] = {}
    owner_at: dict[float, str] = {}
    for serial, owner, created_at in tasks:
        serials_at.setdefault(created_at, []).append(serial)
        owner_at[created_at] = owner
    assert sorted(serials_at) == sorted(at for _, outcome, _, at in firings if outcome == "fired")
    assert all(sorted(s) == ["a-0003", "b-0003"] for s in serials_at.values()), serials_at
    # a slot due while nobody held the lock is fired (late) by the runner left
    fired_by = {slot: owner_at.get(at) for slot, _, _, at in firings}
    for runner, key in slot_after_kill.items():
        assert fired_by[key] == runner, (key, fired_by)
