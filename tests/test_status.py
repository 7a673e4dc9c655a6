"""Status files read back as exactly what was written: a task row's nested ``script_config``
included, whatever characters its strings hold."""

from __future__ import annotations

import os
import time

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from runner.status import dump_status

scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text()
configs = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(config=st.dictionaries(st.text(), configs, max_size=5), remark=st.text())
def test_a_task_row_reads_back_exactly(config, remark):
    doc = {
        "manifest": "m",
        "counts": {"total": 1},
        "tasks": [{"id": 7, "script_config": config, "remark": remark, "step": None}],
    }
    assert YAML(typ="safe", pure=True).load(dump_status(doc)) == doc


def test_a_changed_workflow_reads_pending_until_its_new_generation_fires(store_url, tmp_path):
    """Applying a changed workflow file and firing its generation are two transactions
    (runner.gitops): in between, its status file said ``observed_generation: 2, phase:
    completed`` with only generation 1's tasks, and a CI job waiting for "completed" went on
    before generation 2 ran (seen as a flake of tests/test_e2e_workflows.py)."""
    import time
    from datetime import UTC

    from runner.intake import NewTask
    from runner.schedule import apply_slot
    from runner.status import build_status
    from runner.store import TaskStatus, open_store

    store = open_store(store_url, tmp_path)
    doc = {"kind": "Workflow", "metadata": {"name": "once"}, "spec": {}}

    def apply(version: str) -> int:
        return store.apply_workflow(
            name="once",
            path="once.yaml",
            sha256=version,
            kind="Workflow",
            document=doc,
            now=time.time(),
        )

    def fire(generation: int) -> None:
        task = NewTask("sim-0001", None, "follow", {"target_users": ["v"]}, 0, time.time())
        store.fire(
            workflow="once",
            slot=apply_slot(generation),
            generation=generation,
            outcome="fired",
            due=time.time(),
            tasks=[task],
        )
        for row in store.tasks_of_manifest("once"):
            if row.status_text == "pending":
                store.end_tasks(
                    [row.id],
                    status=TaskStatus.COMPLETED,
                    remark="done",
                    expect=(TaskStatus.PENDING,),
                )

    fire(apply("v1"))
    assert build_status(store, "once", UTC)["phase"] == "completed"
    assert apply("v2") == 2
    status = build_status(store, "once", UTC)
    assert (status["observed_generation"], status["phase"]) == (2, "pending")
    fire(2)
    status = build_status(store, "once", UTC)
    assert (status["phase"], status["counts"]["completed"]) == ("completed", 2)


def _one_created_manifest(tmp_path):
    from datetime import UTC

    from runner.intake import NewTask
    from runner.status import StatusWriter
    from runner.store import Store

    store = Store(tmp_path / "state.db")
    [first] = store.add_api_tasks(
        [NewTask("sim-0001", None, "follow", {"target_users": ["v"]}, 0, 0.0)]
    )
    writer = StatusWriter(store, tmp_path / "status", UTC)
    (tmp_path / "status").mkdir()
    writer.mark(f"api-{first}")
    writer.flush()
    return store, writer, tmp_path / "status" / f"api-{first}.status.yaml"


def test_a_status_file_left_empty_by_a_power_cut_is_written_again_at_start(tmp_path):
    """Status files are not fsynced (they are projections of the store): a power cut may leave
    one empty, with a fresh mtime. The start-up check must not take it for up to date."""
    from runner.status import stale_status_files

    store, _, path = _one_created_manifest(tmp_path)
    later = time.time() + 60  # written well after the change (file times are coarse)
    os.utime(path, (later, later))
    assert stale_status_files(store, path.parent) == []
    path.write_bytes(b"")  # what the file system may keep of a file written without fsync
    os.utime(path, (later, later))
    assert stale_status_files(store, path.parent) == [path.name.removesuffix(".status.yaml")]


def test_a_status_file_is_replaced_whole_never_rewritten_in_place(tmp_path):
    """A reader holding the file open (a CI job, an editor) keeps reading one whole document;
    the next one appears whole under the same name, and no temporary file is left beside."""
    store, writer, path = _one_created_manifest(tmp_path)
    name = path.name.removesuffix(".status.yaml")
    with open(path, encoding="utf-8") as reader:
        store.delete_tasks([t.id for t in store.tasks_of_manifest(name)])
        writer.mark(name)
        writer.flush()
        old = YAML(typ="safe", pure=True).load(reader.read())
    new = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert (old["counts"]["total"], len(old["tasks"])) == (1, 1)
    assert (new["counts"]["total"], new["tasks"]) == (0, [])
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def _many_kinds_of_manifest(spool) -> list[str]:
    """Manifests of every kind a status file shows, in one spool (tests.test_spool's fixture):
    two generations with a duplicate and a refused re-drop, a refusal alone, API creates (one
    with its tasks deleted, one with a task ended), a workflow, and a name with no row at all."""
    from runner.intake import NewTask
    from runner.store import TaskStatus
    from tests.test_spool import FOLLOW

    spool.drop("gen.yaml", FOLLOW.format(name="gen"))
    spool.scan()
    spool.drop("gen.yaml", FOLLOW.format(name="gen").replace("@alice", "@carol"))
    spool.scan()  # generation 2
    spool.drop("gen.yaml", FOLLOW.format(name="gen").replace("@alice", "@carol"))
    spool.scan()  # identical re-drop
    spool.drop("gen.yaml", "spec: [unclosed")
    spool.scan()  # refused beside its tasks
    spool.drop("broken.yaml", "kind: Task\napiVersion: tikrunner/v1\n")
    spool.scan()  # refused, no task
    store = spool.store
    created = [
        store.add_api_tasks(
            [NewTask(f"sim-000{i}", None, "follow", {"target_users": ["v"]}, 0, 0.0)]
        )[0]
        for i in (1, 2, 3)
    ]
    store.delete_tasks([created[0]])
    store.end_tasks(
        [created[1]], status=TaskStatus.FAILED, remark="no", expect=(TaskStatus.PENDING,)
    )
    store.apply_workflow(
        name="flow",
        path="flow.yaml",
        sha256="v1",
        kind="Workflow",
        document={"kind": "Workflow", "metadata": {"name": "flow"}, "spec": {}},
        now=time.time(),
    )
    return ["gen", "broken", *(f"api-{i}" for i in created), "flow", "nothing-here"]


def _without_updated(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "updated"}


def test_status_files_built_together_are_those_built_one_by_one(store_url, tmp_path):
    """A burst's status files are built from one read of the store (build_statuses): each must
    be exactly what the name-by-name build gives, on either engine."""
    from runner.status import build_status, build_statuses
    from tests.test_spool import SpoolFixture

    spool = SpoolFixture(tmp_path / "spool", store=store_url)
    names = _many_kinds_of_manifest(spool)
    tz = spool.config.tz()
    together = build_statuses(spool.store, names, tz)
    assert list(together) == names
    one_by_one = {name: build_status(spool.store, name, tz) for name in names}
    assert {n: _without_updated(d) for n, d in together.items()} == {
        n: _without_updated(d) for n, d in one_by_one.items()
    }
    kinds = {
        n: (d["phase"], d["counts"]["total"] if "counts" in d else None)
        for n, d in together.items()
    }
    assert kinds["gen"] == ("pending", 8) and "refused" in together["gen"]
    assert together["gen"]["duplicates"]["count"] == 1
    assert kinds["broken"] == ("rejected", None)
    assert together["flow"]["kind"] == "Workflow"


def test_a_burst_marked_while_the_writer_runs_is_written_whole_in_one_flush(store_url, tmp_path):
    """The writer's own thread takes a burst of marks together: every file appears, complete
    and equal to what the store says, after a single flush (one read of the store for all)."""
    import trio

    from runner.status import StatusWriter, build_status
    from tests.test_spool import SpoolFixture

    spool = SpoolFixture(tmp_path / "spool", store=store_url)
    names = _many_kinds_of_manifest(spool)
    for path in (spool.root / "status").iterdir():
        path.unlink()
    tz = spool.config.tz()
    writer = StatusWriter(spool.store, spool.root / "status", tz)

    async def burst() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(writer.run)
            writer.mark(*names)
            assert await trio.to_thread.run_sync(writer.wait_written, 30)
            nursery.cancel_scope.cancel()

    trio.run(burst)
    assert writer.flushes == 1
    written = {p.name.removesuffix(".status.yaml") for p in (spool.root / "status").iterdir()}
    assert written == set(names)
    for name in names:
        on_disk = YAML(typ="safe", pure=True).load(
            (spool.root / "status" / f"{name}.status.yaml").read_text(encoding="utf-8")
        )
        assert _without_updated(on_disk) == _without_updated(build_status(spool.store, name, tz))


def test_the_writer_ends_with_a_flush_of_what_was_marked_last(tmp_path):
    """Cancelled (the runner stopping), the writer's thread ends and what was marked meanwhile is
    still written: nothing marked is left unwritten by a clean stop."""
    import trio

    store, writer, path = _one_created_manifest(tmp_path)
    name = path.name.removesuffix(".status.yaml")
    path.unlink()

    async def stop_at_once() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(writer.run)
            nursery.cancel_scope.cancel()
            writer.mark(name)

    trio.run(stop_at_once)
    assert (
        YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))["counts"]["total"] == 1
    )
