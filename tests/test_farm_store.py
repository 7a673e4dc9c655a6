"""Runners and phone leases in the store (runner/store/farm.py), on both engines where both apply:
what several runners on one PostgreSQL store rely on (issue 12)."""

from __future__ import annotations

import pytest

from runner.store import Store, TaskStatus, open_store
from runner.store.farm import LOST_REMARK
from tests.test_store import task


@pytest.fixture
def two(pg_url: str, tmp_path):
    """Two runners' connections to one PostgreSQL store, ``a`` and ``b``, registered."""
    a = open_store(pg_url, tmp_path / "a", runner="a")
    b = open_store(pg_url, tmp_path / "b", runner="b")
    a.register_runner(instance="ia", host="pc-a", pid=1, api=None, adb=["127.0.0.1:5037"])
    b.register_runner(instance="ib", host="pc-b", pid=2, api=None, adb=["127.0.0.1:5037"])
    yield a, b
    a.close()
    b.close()


def test_a_phone_is_leased_by_one_runner_at_a_time_and_only_its_holder_claims_its_tasks(two):
    a, b = two
    assert a.heartbeat(instance="ia", serials=["p1", "p2"], lease_seconds=30) == (
        True,
        {"p1", "p2"},
    )
    # b sees p2 as well (USB and Wi-Fi adb): the lease stays a's
    assert b.heartbeat(instance="ib", serials=["p2", "p3"], lease_seconds=30) == (True, {"p3"})
    [t1, t2] = a.add_api_tasks([task("p2"), task("p3")])
    assert b.claim_next("p2") is None  # not b's phone
    claimed = a.claim_next("p2")
    assert claimed is not None and claimed.id == t1 and claimed.runner == "a"
    assert a.claim_next("p3") is None
    assert b.claim_next("p3").id == t2
    assert a.get(t2).runner == "b"


def test_a_phone_no_longer_listed_is_freed_and_taken_by_the_runner_that_lists_it(two):
    a, b = two
    # Each runner measures the server's clock over its own connection, within a few ms: b's
    # reading 50 ms behind a's must not keep a freed lease looking live to b (it did under load).
    b._engine.offset -= 0.05
    a.heartbeat(instance="ia", serials=["p1"], lease_seconds=30)
    assert b.heartbeat(instance="ib", serials=["p1"], lease_seconds=30)[1] == set()
    a.heartbeat(instance="ia", serials=[], lease_seconds=30)  # moved to b's hub
    assert b.heartbeat(instance="ib", serials=["p1"], lease_seconds=30)[1] == {"p1"}
    assert b.phone_holders()["p1"][0] == "b"


def test_a_lost_runners_running_tasks_fail_interrupted_and_its_pending_tasks_wait(two):
    a, b = two
    b.heartbeat(instance="ib", serials=["p1"], lease_seconds=30)
    running, waiting = a.add_api_tasks([task("p1"), task("p1")])
    assert b.claim_next("p1").id == running
    assert a.reap_lost(lease_timeout=30) == []  # b's heartbeat is fresh
    b._db.execute("UPDATE runners SET heartbeat_at = heartbeat_at - 60 WHERE name='b'")
    [reaped] = a.reap_lost(lease_timeout=30)
    assert (reaped.name, reaped.ended, reaped.freed) == ("b", [running], ["p1"])
    ended = a.get(running)
    assert ended.status == TaskStatus.FAILED
    assert ended.remark == LOST_REMARK.format(name="b") == "interrupted: runner b stopped answering"
    assert a.get(waiting).status == TaskStatus.PENDING
    assert a.reap_lost(lease_timeout=30) == []  # once
    assert {r.name: r.state for r in a.runners()} == {"a": "up", "b": "lost"}
    # its phone may now be leased by a runner that sees it
    assert a.heartbeat(instance="ia", serials=["p1"], lease_seconds=30)[1] == {"p1"}


def test_a_runner_whose_name_another_process_took_is_told_at_its_heartbeat(two):
    a, _ = two
    again = a.register_runner(instance="ia2", host="pc-a", pid=3, api=None, adb=[])
    assert again is not None and again.instance == "ia" and again.state == "up"
    assert a.heartbeat(instance="ia", serials=["p1"], lease_seconds=30) == (False, set())
    assert a.heartbeat(instance="ia2", serials=["p1"], lease_seconds=30) == (True, {"p1"})


def test_each_runner_writes_the_status_files_of_what_it_took_in_only(two):
    a, b = two
    [mine] = a.add_api_tasks([task("p1")])
    [theirs] = b.add_api_tasks([task("p2")])
    names = {f"api-{mine}", f"api-{theirs}"}
    assert a.owned_manifests(names) == {f"api-{mine}"}
    assert b.owned_manifests(names) == {f"api-{theirs}"}


def test_a_stopped_runner_frees_its_phones_at_once(two):
    a, b = two
    a.heartbeat(instance="ia", serials=["p1"], lease_seconds=30)
    a.release_runner("ia")
    assert b.heartbeat(instance="ib", serials=["p1"], lease_seconds=30)[1] == {"p1"}
    assert {r.name: r.state for r in b.runners()}["a"] == "stopped"


def test_creates_reach_other_runners_by_notify(two):
    a, b = two
    with b.listen() as notifies:
        a.add_api_tasks([task("p9")])
        got = next(notifies(lambda: False))
    assert '"p9"' in got and '"runner": "a"' in got


def test_the_workflows_lock_is_held_by_one_runner_until_released(two):
    a, b = two
    held = a.try_lock("workflows")
    assert held is not None and held.alive()
    assert b.try_lock("workflows") is None
    held.release()
    other = b.try_lock("workflows")
    assert other is not None
    other.release()


def test_a_sqlite_store_has_one_runner_who_claims_every_phone(tmp_path):
    store = Store(tmp_path / "state.db", runner="solo")
    assert not store.shared
    [t] = store.add_api_tasks([task("p1")])
    assert store.claim_next("p1").runner == "solo"  # no lease needed
    assert store.owned_manifests({f"api-{t}", "other"}) == {f"api-{t}", "other"}
    lock = store.try_lock("workflows")
    assert lock.alive()


def test_the_workflows_lock_of_a_lost_runner_is_taken_from_its_session(two):
    a, b = two
    held = a.try_lock("workflows")
    assert b.free_lock_of_lost("workflows") is None  # a is alive: its lock stays
    assert b.try_lock("workflows") is None
    a._db.execute("UPDATE runners SET heartbeat_at = heartbeat_at - 60 WHERE name='a'")
    b.reap_lost(lease_timeout=30)
    assert b.free_lock_of_lost("workflows") == "a"  # a power cut: its session a zombie
    assert not held.alive()
    taken = b.try_lock("workflows")
    assert taken is not None
    taken.release()
