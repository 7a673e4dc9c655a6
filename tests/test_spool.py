"""The spool protocol: files in, tasks committed, files filed, nothing lost or taken twice."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from runner.config import Account, RunnerConfig
from runner.engine import make_planner
from runner.spool import Spool
from runner.status import StatusWriter
from runner.store import Store, open_store
from tests.pg import Databases

FOLLOW = """\
apiVersion: tikrunner/v1
kind: Task
metadata:
  name: {name}
spec:
  serials: [sim-0001, sim-0002]
  script_name: follow
  script_config:
    target_users: ["@alice", "@bob"]
"""


def read_yaml(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


class SpoolFixture:
    """A real spool directory with a real store (``store``: what ``store:`` takes) and the real
    intake planner."""

    def __init__(
        self,
        root: Path,
        *,
        settle_time: float = 0.0,
        max_bytes: int = 1_000_000,
        store: str = "sqlite",
    ):
        self.root = root
        self.config = RunnerConfig(
            spool=root,
            timezone="UTC",
            accounts=[Account(username=f"sim_user_{i}", serial=f"sim-000{i}") for i in (1, 2, 3)],
            max_manifest_bytes=max_bytes,
        )
        self.store = open_store(store, root)
        self.settle_time = settle_time
        self.spool = self.new_spool()

    def new_spool(self) -> Spool:
        """A fresh Spool object on the same folder and database, as after a restart."""
        status = StatusWriter(self.store, self.root / "status", self.config.tz())
        self.status = status
        return Spool(
            self.root,
            self.store,
            make_planner(self.config),
            status,
            self.config.tz(),
            settle_time=self.settle_time,
            max_bytes=self.config.max_manifest_bytes,
        )

    def drop(self, name: str, content: str | bytes, *, age: float = 5.0) -> Path:
        """Write a file elsewhere and rename it into incoming/, its mtime ``age`` seconds old."""
        data = content.encode() if isinstance(content, str) else content
        tmp = self.root / ".drop.tmp"  # short: the name dropped may be near the length limit
        tmp.write_bytes(data)
        stamp = time.time() - age
        os.utime(tmp, (stamp, stamp))
        target = self.root / "incoming" / name
        os.rename(tmp, target)
        return target

    def scan(self):
        outcomes, _ = self.spool.scan()
        self.status.flush()
        return outcomes

    def files(self, sub: str) -> list[str]:
        return sorted(p.name for p in (self.root / sub).iterdir() if not p.name.startswith("."))


@pytest.fixture
def spool(store_url: str, tmp_path: Path) -> SpoolFixture:
    return SpoolFixture(tmp_path / "spool", store=store_url)


def test_dropped_manifest_is_accepted_with_its_tasks_pending(spool: SpoolFixture):
    spool.drop("morning.yaml", FOLLOW.format(name="morning-follow"))
    [outcome] = spool.scan()
    assert outcome.outcome == "accepted"
    assert spool.files("incoming") == [] and spool.files("active") == []
    assert spool.files("accepted") == ["morning.yaml"]
    assert (spool.root / "accepted" / "morning.yaml").read_text() == FOLLOW.format(
        name="morning-follow"
    )
    status = read_yaml(spool.root / "status" / "morning-follow.status.yaml")
    assert status["manifest"] == "morning-follow"
    assert status["phase"] == "pending"
    assert status["counts"] == {"total": 4, "pending": 4, "running": 0, "completed": 0, "failed": 0}
    assert [(t["serial"], t["status_text"]) for t in status["tasks"]] == [
        ("sim-0001", "pending"),
        ("sim-0001", "pending"),
        ("sim-0002", "pending"),
        ("sim-0002", "pending"),
    ] or sorted(t["serial"] for t in status["tasks"]) == [
        "sim-0001",
        "sim-0001",
        "sim-0002",
        "sim-0002",
    ]


def test_redropped_identical_manifest_creates_no_tasks(spool: SpoolFixture):
    spool.drop("a.yaml", FOLLOW.format(name="same"))
    spool.scan()
    spool.drop("a.yaml", FOLLOW.format(name="same"))
    [outcome] = spool.scan()
    assert outcome.outcome == "duplicate"
    assert spool.store.counts()["total"] == 4
    assert spool.files("accepted") == ["a.1.yaml", "a.yaml"]
    status = read_yaml(spool.root / "status" / "same.status.yaml")
    assert status["duplicates"]["count"] == 1
    assert status["counts"]["total"] == 4


BAD_INPUTS = {
    "unparsable.yaml": ("key: [unclosed", 40001),
    "schema.yaml": (
        "serials: [sim-0001]\nscript_name: follow\nscript_config: {target_users: 5}\n",
        40001,
    ),
    "unknown-script.yaml": (
        "serials: [sim-0001]\nscript_name: super_marketing\nscript_config: {}\n",
        40003,
    ),
    "no-script.yaml": ("serials: [sim-0001]\nscript_config: {}\n", 40002),
    "alias.yaml": (
        "a: &x [1, 2]\nserials: [sim-0001]\nscript_name: follow\nscript_config: {target_users: *x}\n",
        40001,
    ),
    "directive.yaml": (
        "%YAML 1.1\n---\nserials: [sim-0001]\nscript_name: follow\nstart_time: 14:30\n"
        "script_config: {target_users: [a]}\n",
        40001,
    ),
    "deep.yaml": (
        "serials: [sim-0001]\nscript_name: follow\nscript_config: " + "[" * 200 + "]" * 200 + "\n",
        40001,
    ),
    "notes.txt": ("hello", 40001),
}


@pytest.mark.parametrize("filename", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_with_its_reason_and_the_runner_keeps_going(
    spool: SpoolFixture, filename: str
):
    content, code = BAD_INPUTS[filename]
    spool.drop(filename, content)
    spool.drop("good.yaml", FOLLOW.format(name="good"))
    outcomes = {o.final_name: o.outcome for o in spool.scan()}
    assert outcomes == {filename: "rejected", "good.yaml": "accepted"}
    assert (spool.root / "rejected" / filename).read_bytes() == content.encode()
    error = read_yaml(spool.root / "rejected" / f"{filename}.error.yaml")
    assert error["code"] == code
    assert error["message"]
    assert spool.store.counts()["total"] == 4  # only the good manifest's tasks


def test_schema_errors_name_each_json_pointer(spool: SpoolFixture):
    bad = FOLLOW.format(name="bad").replace(
        'target_users: ["@alice", "@bob"]', "target_users: 5\n    colour: red"
    )
    spool.drop("bad.yaml", bad)
    spool.scan()
    error = read_yaml(spool.root / "rejected" / "bad.yaml.error.yaml")
    pointers = {e["pointer"] for e in error["errors"]}
    assert "/spec/script_config/target_users" in pointers
    assert any(
        p.startswith("/spec/script_config") for p in pointers - {"/spec/script_config/target_users"}
    )


def test_oversized_file_is_rejected_without_being_parsed(tmp_path: Path):
    spool = SpoolFixture(tmp_path / "spool", max_bytes=200)
    spool.drop("big.yaml", FOLLOW.format(name="big") + "#" * 500 + "\n")
    [outcome] = spool.scan()
    assert outcome.outcome == "rejected"
    assert "bytes" in read_yaml(spool.root / "rejected" / "big.yaml.error.yaml")["message"]


def test_file_still_being_written_is_not_taken_half_way(tmp_path: Path):
    spool = SpoolFixture(tmp_path / "spool", settle_time=30)
    target = spool.root / "incoming" / "slow.yaml"
    target.write_text(FOLLOW.format(name="slow")[:40])  # a direct write, just begun
    assert spool.scan() == []
    assert spool.files("incoming") == ["slow.yaml"]
    target.write_text(FOLLOW.format(name="slow"))
    stamp = time.time() - 60
    os.utime(target, (stamp, stamp))  # unchanged for longer than settle_time
    [outcome] = spool.scan()
    assert outcome.outcome == "accepted"


def test_dotfiles_and_tmp_files_are_ignored(spool: SpoolFixture):
    (spool.root / "incoming" / ".hidden.yaml").write_text(FOLLOW.format(name="hidden"))
    (spool.root / "incoming" / "partial.yaml.tmp").write_text(FOLLOW.format(name="partial"))
    assert spool.scan() == []
    assert spool.files("incoming") == ["partial.yaml.tmp"]


def test_two_spools_on_one_folder_never_take_a_file_twice(spool: SpoolFixture):
    other = spool.new_spool()
    for i in range(20):
        spool.drop(f"m{i:02d}.yaml", FOLLOW.format(name=f"m{i:02d}"))
    import threading

    results: list = []
    threads = [
        threading.Thread(target=lambda s=s: results.extend(s.scan()[0]))
        for s in (spool.spool, other)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.final_name for o in results) == [f"m{i:02d}.yaml" for i in range(20)]
    assert spool.store.counts()["total"] == 20 * 4


# -- crash safety: a crash injected at every step of the protocol ------------------------------


class Crash(BaseException):
    """Stands for the process dying (SIGKILL) at this point."""


class CrashAfter:
    """Makes the n-th filesystem or store step of the spool raise Crash, before the step happens.

    Steps: ``os.link``/``os.unlink``/``os.replace`` (claims, filing, atomic status and error
    files) and the store's committing methods.
    """

    def __init__(self, monkeypatch, store: Store, n: int):
        self.left = n
        for attr in ("link", "unlink", "replace"):
            monkeypatch.setattr(os, attr, self.wrap(getattr(os, attr)))
        for method in ("take_in",):
            monkeypatch.setattr(store, method, self.wrap(getattr(store, method)))

    def wrap(self, fn):
        def step(*args, **kwargs):
            self.left -= 1
            if self.left == 0:
                raise Crash()
            return fn(*args, **kwargs)

        return step


@contextmanager
def example_store(engine: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """What ``store:`` takes for one example of a hypothesis test: ``"sqlite"``, or an empty
    PostgreSQL database given back after the example (tests/pg.py's :class:`Databases`), so that
    the next example gets the same one emptied: one CREATE DATABASE for all the examples."""
    if engine == "sqlite":
        yield "sqlite"
        return
    databases = Databases(request.getfixturevalue("postgres_server"))
    try:
        yield databases.new()
    finally:
        databases.give_back()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from(["good", "bad", "dup"]), min_size=1, max_size=6),
    crash_at=st.integers(min_value=1, max_value=40),
)
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_crash_at_any_step_loses_no_manifest_and_takes_none_twice(
    tmp_path_factory, monkeypatch, request, engine, kinds, crash_at
):
    root = tmp_path_factory.mktemp("crash") / "spool"
    with example_store(engine, request) as store:
        spool = SpoolFixture(root, store=store)
        expected_tasks = 0
        seen_good = set()
        for i, kind in enumerate(kinds):
            if kind == "good":
                spool.drop(f"f{i}.yaml", FOLLOW.format(name=f"g{i}"))
                expected_tasks += 4
            elif kind == "dup":
                spool.drop(f"f{i}.yaml", FOLLOW.format(name="dup"))
                if "dup" not in seen_good:
                    expected_tasks += 4
                    seen_good.add("dup")
            else:
                spool.drop(f"f{i}.yaml", "script_name: [broken")
        with monkeypatch.context() as m:
            CrashAfter(m, spool.store, crash_at)
            try:
                spool.scan()
            except Crash:
                pass
        spool.spool = spool.new_spool()  # restart
        spool.spool.recover()
        spool.scan()
        assert spool.files("incoming") == [] and spool.files("active") == []
        filed = [n for n in spool.files("accepted")] + [
            n for n in spool.files("rejected") if not n.endswith(".error.yaml")
        ]
        assert len(filed) == len(kinds)  # every file filed exactly once
        rejected = [n for n in spool.files("rejected") if not n.endswith(".error.yaml")]
        assert all((root / "rejected" / f"{n}.error.yaml").exists() for n in rejected)
        assert len(rejected) == kinds.count("bad")
        assert spool.store.counts()["total"] == expected_tasks
        spool.store.close()


def test_a_bug_in_intake_rejects_that_file_with_a_reason_and_takes_the_others(spool: SpoolFixture):
    planner = spool.spool.plan

    def flaky(data: bytes, name: str):
        if name == "boom.yaml":
            raise RuntimeError("a bug")
        return planner(data, name)

    spool.spool.plan = flaky
    spool.drop("boom.yaml", FOLLOW.format(name="boom"))
    spool.drop("fine.yaml", FOLLOW.format(name="fine"))
    outcomes = {o.final_name: o.outcome for o in spool.scan()}
    assert outcomes == {"boom.yaml": "rejected", "fine.yaml": "accepted"}
    assert read_yaml(spool.root / "rejected" / "boom.yaml.error.yaml")["code"] == 50001


def test_a_failing_store_loses_nothing_and_the_next_scan_finishes_the_files(
    spool: SpoolFixture, monkeypatch
):
    import sqlite3

    spool.drop("a.yaml", FOLLOW.format(name="a"))
    with monkeypatch.context() as m:

        def disk_full(*args, **kwargs):
            raise sqlite3.OperationalError("database or disk is full")

        m.setattr(spool.store, "take_in", disk_full)
        assert spool.spool.scan_or_log() is None  # logged, not raised
    assert spool.files("active") == ["a.yaml"] and spool.store.counts()["total"] == 0
    spool.drop("b.yaml", FOLLOW.format(name="b"))
    spool.spool.scan_or_log()
    assert spool.files("accepted") == ["a.yaml", "b.yaml"]
    assert spool.files("active") == [] and spool.store.counts()["total"] == 8
