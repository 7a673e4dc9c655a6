"""Workflow manifests: checked like create-task bodies step by step, fanned out per unit and step,
and run in step order per unit with the failure policy applied by the store."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runner.config import Account
from runner.errors import IntakeError
from runner.intake import IntakeContext, plan_manifest
from runner.store import TaskStatus
from tests.stores import claiming_store

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACCOUNTS = [
    Account(username="alice", serial="sim-0001", tags=["warmup"]),
    Account(username="bob", serial="sim-0001"),
    Account(username="carol", serial="sim-0002", tags=["warmup", "new"]),
    Account(username="dave", serial="sim-0003", tags=["warmup"], enabled=False),
]


def ctx(**extra) -> IntakeContext:
    return IntakeContext(accounts=ACCOUNTS, now=NOW, rng=random.Random(1), **extra)


def workflow(spec_extra: dict | None = None, steps: list | None = None, **units) -> dict:
    spec = units or {"serials": ["sim-0001", "sim-0002"]}
    spec = {
        **spec,
        "steps": steps
        or [
            {
                "name": "follow first",
                "script_name": "follow",
                "script_config": {"target_users": ["a", "b"]},
            },
            {"script_name": "unfollow", "script_config": {"target_user": "c"}},
        ],
        **(spec_extra or {}),
    }
    return {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": "wf"},
        "spec": spec,
    }


def plan(doc: dict, **extra):
    return plan_manifest(json.dumps(doc).encode(), filename="wf.json", ctx=ctx(**extra))


def test_each_unit_gets_every_step_in_order_with_the_step_names():
    p = plan(workflow())
    assert p.kind == "Workflow" and p.name == "wf"
    rows = [(t.serial, t.step, t.step_name, t.script_config.get("target_users")) for t in p.tasks]
    assert rows == [
        ("sim-0001", 0, "follow first", ["a"]),
        ("sim-0001", 0, "follow first", ["b"]),
        ("sim-0001", 1, "2-unfollow", ["c"]),
        ("sim-0002", 0, "follow first", ["a"]),
        ("sim-0002", 0, "follow first", ["b"]),
        ("sim-0002", 1, "2-unfollow", ["c"]),
    ]
    assert [t.job_count for t in p.tasks] == list(range(6))
    assert len({t.firing for t in p.tasks}) == 1


def test_account_selector_picks_enabled_accounts_with_all_tags():
    p = plan(workflow(accounts={"tags": ["warmup"]}))
    assert sorted({(t.serial, t.username, t.unit) for t in p.tasks}) == [
        ("sim-0001", "alice", "sim-0001/alice"),
        ("sim-0002", "carol", "sim-0002/carol"),
    ]
    with pytest.raises(IntakeError) as info:
        plan(workflow(accounts={"tags": ["nobody-has-this"]}))
    assert info.value.code == 40004


def test_a_bad_step_is_refused_with_a_pointer_into_that_step():
    doc = workflow(
        steps=[
            {"script_name": "follow", "script_config": {"target_users": ["a"]}},
            {"script_name": "follow", "script_config": {"target_users": ["a"], "colour": "red"}},
        ]
    )
    with pytest.raises(IntakeError) as info:
        plan(doc)
    assert [d.pointer for d in info.value.details] == ["/spec/steps/1/script_config/colour"]
    doc["spec"]["steps"][1] = {"script_name": "super_marketing", "script_config": {}}
    with pytest.raises(IntakeError) as info:
        plan(doc)
    assert info.value.code == 40003
    assert info.value.details[0].pointer == "/spec/steps/1/script_name"


def test_schedules_are_refused_outside_a_workflows_folder():
    with pytest.raises(IntakeError) as info:
        plan(workflow({"schedule": {"at": ["09:00"]}}))
    assert info.value.details[0].pointer == "/spec/schedule"
    assert "workflows folder" in info.value.message
    assert plan(workflow({"schedule": {"at": ["09:00"]}}), allow_schedule=True).kind == "Workflow"


def test_units_given_twice_ways_are_refused():
    with pytest.raises(IntakeError):
        plan(workflow(serials=["sim-0001"], usernames=["alice"]))


# -- the store runs steps in order per unit ------------------------------------------------------


def test_step_two_waits_for_step_one_and_a_failure_skips_the_rest_of_that_unit(
    store_url: str, tmp_path: Path
):
    store = claiming_store(store_url, tmp_path)
    p = plan(
        workflow(
            steps=[
                {"script_name": "follow", "script_config": {"target_users": ["a"]}},
                {
                    "name": "second",
                    "script_name": "follow",
                    "script_config": {"target_users": ["b"]},
                },
                {"script_name": "follow", "script_config": {"target_users": ["c"]}},
            ]
        )
    )
    from runner.spool import IntakeItem

    [(outcome, ids)] = store.take_in([IntakeItem(Path("wf.json"), "wf.json", "x", "wf.json", p)])
    later = NOW.timestamp() + 1
    first = store.claim_next("sim-0001", later)
    assert first is not None and first.step_name == "1-follow"
    assert store.claim_next("sim-0001", later) is None  # step 2 waits for step 1 on this unit
    other = store.claim_next("sim-0002", later)  # another unit is independent
    assert other is not None and other.step == 0
    store.finish(first.id, TaskStatus.COMPLETED, "")
    second = store.claim_next("sim-0001", later)
    assert second is not None and second.step_name == "second"
    store.finish(second.id, TaskStatus.FAILED, "follow: the Follow button did not appear")
    rows = {t.id: t for t in store.tasks_of_manifest("wf")}
    third = [t for t in rows.values() if t.serial == "sim-0001" and t.step == 2][0]
    assert third.status == TaskStatus.FAILED and third.remark == "skipped: step 'second' failed"
    assert store.claim_next("sim-0001", later) is None
    sim2 = [t for t in rows.values() if t.serial == "sim-0002" and t.step > 0]
    assert all(t.status == 0 for t in sim2)  # the other unit goes on


def test_on_failure_continue_runs_the_remaining_steps(store_url: str, tmp_path: Path):
    store = claiming_store(store_url, tmp_path)
    p = plan(workflow({"on_failure": "continue"}, serials=["sim-0001"]))
    from runner.spool import IntakeItem

    store.take_in([IntakeItem(Path("wf.json"), "wf.json", "x", "wf.json", p)])
    later = NOW.timestamp() + 1
    for _ in range(2):
        t = store.claim_next("sim-0001", later)
        store.finish(t.id, TaskStatus.FAILED, "boom")
    last = store.claim_next("sim-0001", later)
    assert last is not None and last.step == 1


def test_material_paths_outside_the_roots_are_refused_in_a_step():
    doc = workflow(
        steps=[{"script_name": "post", "script_config": {"material_list": ["/etc/passwd"]}}]
    )
    with pytest.raises(IntakeError) as info:
        plan(doc, material_roots=(Path("/srv/media"),))
    assert info.value.code == 40001
    assert [d.pointer for d in info.value.details] == [
        "/spec/steps/0/script_config/material_list/0"
    ]


def test_the_api_task_object_names_the_step(store_url: str, tmp_path: Path):
    from runner.spool import IntakeItem
    from runner.store import task_object

    store = claiming_store(store_url, tmp_path)
    store.take_in([IntakeItem(Path("wf.json"), "wf.json", "x", "wf.json", plan(workflow()))])
    objects = [task_object(t, UTC) for t in store.tasks_of_manifest("wf")]
    assert [o["step"] for o in objects[:3]] == ["follow first", "follow first", "2-unfollow"]
