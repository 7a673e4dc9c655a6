"""One API for the farm (issue 12, item 3): two runners on one PostgreSQL store, each with its own
simulated phones and spool, answer for each other's phones, accounts and tasks; a stop asked on
one runner ends a task running on the other. On a SQLite store the same endpoints name this
runner. Real runners in-process, a real HTTP client, a real PostgreSQL server (tests/pg.py)."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from runner.cli import app
from runner.http.farmview import FarmState, TaskFacts, farm_accounts, farm_devices
from runner.store import RunnerRow
from tests.http.conftest import LiveRunner, data, follow_body
from tests.http.test_views_cli import CLEAN_ENV

LEASE = 2.0  # seconds: heartbeats every 0.5 s, so published views follow quickly


@pytest.fixture
def two(tmp_path, pg_url):
    """Runners ``a`` (phones a-0001, a-0002) and ``b`` (b-0001, b-0002) on one store."""
    started = []
    try:
        for name in ("a", "b"):
            runner = LiveRunner(
                tmp_path / name,
                simulate=2,
                serial_prefix=f"{name}-",
                store=pg_url,
                name=name,
                lease_timeout=LEASE,
                accounts=[],
            ).start()
            started.append(runner)
        yield started
    finally:
        for runner in reversed(started):
            runner.stop()


def devices(live) -> dict[str, dict]:
    return {d["serial"]: d for d in data(live.client.get("/devices"))["list"]}


def published(live, serial: str, **want):
    """Wait until ``live``'s GET /devices shows ``serial`` with the fields ``want``."""
    return live.wait(
        lambda: (d := devices(live).get(serial)) and all(d[k] == v for k, v in want.items()) and d,
        what=f"{serial} with {want}",
    )


def test_every_runner_lists_the_farm_s_phones_accounts_and_runners(two):
    a, b = two
    for serial in ("a-0001", "a-0002"):
        published(b, serial, runner="a", state="device")
    for serial in ("b-0001", "b-0002"):  # probed by b, without anyone asking b's API
        entry = published(a, serial, runner="b", state="device", model="Pixel 6")
        assert entry["adb_server"] == b.runner.adb_addresses[0]
        assert entry["android_version"] == "13" and entry["health"]["screen_on"] is not None
    assert {d["serial"]: d["runner"] for d in devices(a).values()} == {
        "a-0001": "a",
        "a-0002": "a",
        "b-0001": "b",
        "b-0002": "b",
    }
    one = data(a.client.get("/devices/b-0002"))
    assert (one["serial"], one["runner"], one["state"]) == ("b-0002", "b", "device")
    listed = CliRunner().invoke(
        app, ["devices", "--api", a.base_url.removesuffix("/api/v1")], env=CLEAN_ENV
    )
    assert listed.stdout.split()[:3] == ["SERIAL", "RUNNER", "STATE"], listed.output
    rows = [line.split()[:3] for line in listed.stdout.splitlines()[1:] if line]
    assert rows == [[f"{r}-000{n}", r, "device"] for r in "ab" for n in (1, 2)]
    top = CliRunner().invoke(
        app, ["top", "--api", b.base_url.removesuffix("/api/v1"), "--iterations", "1"],
        env=CLEAN_ENV,
    )  # fmt: skip
    assert top.exit_code == 0, top.output
    lines = top.stdout.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("SERIAL"))
    assert lines[heading].split()[:4] == ["SERIAL", "RUNNER", "STATE", "TASK"], top.output
    rows = [line.split()[:4] for line in lines[heading + 1 :] if line.strip()]
    assert rows == [[f"{r}-000{n}", r, "device", "idle"] for r in "ab" for n in (1, 2)]

    accounts = a.wait(
        lambda: (page := data(a.client.get("/accounts")))["total"] == 4 and page["list"]
    )
    assert [(x["id"], x["username"], x["device"], x["runner"]) for x in accounts] == [
        (1, "a_user_1", "a-0001", "a"),
        (2, "a_user_2", "a-0002", "a"),
        (3, "b_user_1", "b-0001", "b"),
        (4, "b_user_2", "b-0002", "b"),
    ]
    assert all(x["device_online"] for x in accounts)
    only = data(a.client.get("/accounts", params={"device": "b-0001"}))["list"]
    assert [x["username"] for x in only] == ["b_user_1"]

    runners = b.wait(
        lambda: (
            (rs := data(b.client.get("/runners"))["list"])
            and all(r["api"] and r["phones"] == 2 for r in rs)
            and rs
        )
    )
    assert [(r["name"], r["this"], r["state"]) for r in runners] == [
        ("a", False, "up"),
        ("b", True, "up"),
    ]
    by_name = {r["name"]: r for r in runners}
    assert by_name["a"]["api"] == a.base_url + "/"
    assert by_name["a"]["adb"] == a.runner.adb_addresses
    assert by_name["a"]["running"] == 0 and by_name["a"]["heartbeat"]

    # A task created on runner a for b's phone runs on b; a's views show it there.
    [task_id] = data(a.client.post("/task", json=follow_body("b-0001", "x")))["task_ids"]
    assert a.wait_status(task_id, 2)["runner"] == "b"
    # Task counts are the farm's on every runner (the store's); /metrics' tikrunner_tasks too.
    stats = data(a.client.get("/task/stats"))
    assert stats == data(b.client.get("/task/stats")) and stats["completed"] == 1
    for live in (a, b):
        text = live.client.get(live.base_url.removesuffix("/api/v1") + "/metrics").text
        assert 'tikrunner_tasks{script="follow",status="completed"} 1.0' in text

    # `tikrunner accounts` names each account's runner; the counts are for the answering
    # runner's own inventory (b's follow shows on b, "-" on a)
    for live, b_user_1 in ((a, ["-", "-", "-"]), (b, ["ready", "follow", "1", "today", "-"])):
        listed = CliRunner().invoke(
            app, ["accounts", "--api", live.base_url.removesuffix("/api/v1")], env=CLEAN_ENV
        )
        assert listed.stdout.split()[:4] == ["ACCOUNT", "PHONE", "RUNNER", "STATE"], listed.output
        rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:] if line}
        assert rows["b_user_1"] == ["b_user_1", "b-0001", "b", *b_user_1], listed.output
        assert rows["a_user_1"][:3] == ["a_user_1", "a-0001", "a"]

    # b stops cleanly: a still shows its phones, gone, saying which runner stopped.
    b.stop()
    two.remove(b)
    gone = published(a, "b-0001", state="gone", runner="b")
    assert gone["health"]["last_error"].startswith("runner b was stopped")
    assert [r["state"] for r in data(a.client.get("/runners"))["list"]] == ["up", "stopped"]
    offline = data(a.client.get("/accounts", params={"device": "b-0001"}))["list"]
    assert [(x["username"], x["device_online"]) for x in offline] == [("b_user_1", False)]


def warm_and_slow(live, serial: str) -> None:
    """One quick task on ``serial`` (its session open), then every device call takes 0.3 s."""
    [task_id] = data(live.client.post("/task", json=follow_body(serial, "warm")))["task_ids"]
    live.wait_status(task_id, 2)
    live.sim.phone(serial).latency = 0.3


def test_a_stop_or_delete_on_one_runner_ends_a_task_running_on_the_other(two):
    a, b = two
    warm_and_slow(b, "b-0001")
    [first, second, third] = data(a.client.post("/task", json=follow_body("b-0001", *"xyz")))[
        "task_ids"
    ]
    running = a.wait_status(first, 1)
    assert running["runner"] == "b"

    asked = time.monotonic()
    stopped = data(a.client.post(f"/task/{first}/stop"))
    answered = time.monotonic()
    assert answered - asked < 3.0  # within the stop wait, ended by b
    assert (stopped["status"], stopped["remark"], stopped["runner"]) == (3, "stopped", "b")
    assert b.task(first)["remark"] == "stopped"

    # b no longer drives it: its phone takes the next task at once (a follow at 0.3 s a device
    # call takes several seconds); deleting that one on a stops it on b too
    assert a.wait_status(second, 1, timeout=1.0)["runner"] == "b"
    assert time.monotonic() - answered < 1.0
    assert data(a.client.delete(f"/task/{second}")) == {"task_id": second, "deleted": True}
    assert a.client.get(f"/task/{second}").json()["code"] == 40401
    b.sim.phone("b-0001").latency = 0.0
    assert a.wait_status(third, 2)["remark"] == ""


def test_on_a_sqlite_store_the_views_name_this_runner(make_live):
    live = make_live(name="solo", simulate=2, accounts=[])
    items = live.wait(
        lambda: (
            (ds := list(devices(live).values())) and all(d["state"] == "device" for d in ds) and ds
        )
    )
    assert {(d["serial"], d["runner"]) for d in items} == {
        ("sim-0001", "solo"),
        ("sim-0002", "solo"),
    }
    accounts = data(live.client.get("/accounts"))["list"]
    assert [(x["id"], x["runner"]) for x in accounts] == [(1, "solo"), (2, "solo")]
    [runner] = data(live.client.get("/runners"))["list"]
    assert (runner["name"], runner["this"], runner["state"], runner["phones"]) == (
        "solo",
        True,
        "up",
        2,
    )
    assert runner["api"] == live.base_url + "/"
    assert runner["adb"] == live.runner.adb_addresses
    [task_id] = data(live.client.post("/task", json=follow_body("sim-0001", "x")))["task_ids"]
    assert live.wait_status(task_id, 2)["runner"] == "solo"


def row(name: str, state: str = "up", devices=(), accounts=()) -> RunnerRow:
    return RunnerRow(
        name, "i", "host", 1, None, [], 0.0, 100.0, state, list(devices), list(accounts)
    )


def device(serial: str, runner: str, state: str = "device") -> dict:
    return {
        "serial": serial, "adb_server": "127.0.0.1:5037", "state": state, "model": None,
        "android_version": None, "tiktok_version": None, "language": None,
        "health": {"uiautomator": None, "screen_on": None, "last_error": None,
                   "benched_until": None},
        "running_task": None, "waiting_tasks": 0, "last_seen": None, "runner": runner,
    }  # fmt: skip


def account(username: str, serial: str, runner: str, online: bool) -> dict:
    return {
        "id": 1, "username": username, "email": None, "platform": "tiktok",
        "packagename": "com.zhiliaoapp.musically", "device": serial, "device_online": online,
        "device_name": serial, "logined": 1, "status": 1, "tags": [], "runner": runner,
    }  # fmt: skip


def test_a_phone_or_account_several_runners_list_is_shown_once_where_it_really_is():
    facts = TaskFacts({}, {"p1": 2}, lambda t: None if t is None else f"t{t:g}", None)
    farm = FarmState(
        [
            row("a"),
            row("b", devices=[device("p1", "b"), device("p3", "b", "gone")]),
            row("c", "lost", devices=[device("p2", "c"), device("p3", "c")]),
            row("d", devices=[{"serial": 5}, {"no": "serial"}]),  # another version's: skipped
        ],
        {"p1": ("b", 200.0), "p2": ("c", 50.0)},  # b holds p1 now; c's lease on p2 ran out
        now=150.0,
    )
    own = [device("p1", "a"), device("p2", "a", "gone")]
    shown = {d["serial"]: d for d in farm_devices(own, farm, name="a", facts=facts)}
    assert sorted(shown) == ["p1", "p2", "p3"]
    assert (shown["p1"]["runner"], shown["p1"]["waiting_tasks"]) == ("b", 2)  # its lease
    assert shown["p2"]["runner"] == "a"  # a lost runner's last word loses to this runner's
    assert (shown["p3"]["runner"], shown["p3"]["state"]) == ("b", "gone")
    assert shown["p3"]["last_seen"] is None  # b does not list it: as b published it

    alone = farm_devices(
        [], FarmState([row("c", "lost", devices=[device("p2", "c")])], {}, 0), name="a", facts=facts
    )
    assert alone[0]["state"] == "gone" and alone[0]["last_seen"] == "t100"
    assert alone[0]["health"]["last_error"] == "runner c stopped answering (last heartbeat t100)"

    farm = FarmState(
        [
            row(
                "b", accounts=[account("Someone", "p1", "b", True), account("x", "p9", "b", False)]
            ),
            row("c", "stopped", accounts=[account("y", "p8", "c", True)]),
        ],
        {},
        now=0.0,
    )
    own = [account("someone", "p1", "a", False), account("mine", "p2", "a", True)]
    listed = farm_accounts(own, farm, name="a")
    assert [(x["id"], x["username"], x["runner"], x["device_online"]) for x in listed] == [
        (1, "Someone", "b", True),  # the same account (case-insensitive), where it is online
        (2, "mine", "a", True),
        (3, "x", "b", False),
        (4, "y", "c", False),  # a stopped runner's phones are not online
    ]


def test_a_task_for_another_runner_s_account_is_made_on_any_runner_and_runs_there(two):
    a, _ = two
    body = {
        "usernames": ["@b_user_2"],
        "script_name": "follow",
        "script_config": {"target_users": ["someone"]},
    }
    # a learns b's accounts from b's heartbeat (every 0.5 s here); before that, 40004-like
    answer = a.wait(
        lambda: (r := a.client.post("/task", json=body).json())["code"] == 0 and r,
        what="b's accounts known to a",
    )
    [task_id] = answer["data"]["task_ids"]
    done = a.wait_status(task_id, 2)
    assert (done["serial"], done["username"], done["runner"]) == ("b-0002", "b_user_2", "b")
