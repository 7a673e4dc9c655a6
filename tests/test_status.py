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
