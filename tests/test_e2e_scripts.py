"""End to end for post, comment and account_warmup: manifests dropped into a real ``tikrunner
serve`` (subprocess) running on simulated phones; outcomes read from the phones' ground truth,
status files and artifacts."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import runner.workers
from runner.sim import SimFarm
from tests.serving import Runner, example, load_yaml

_WORKER = inspect.getsource(runner.workers)
needs_upload_folder = pytest.mark.skipif(
    "upload_folder=" not in _WORKER or "materials_db=" not in _WORKER,
    reason="the worker does not pass TaskContext.upload_folder / materials_db yet "
    "(runner/workers.py: upload_folder=config.upload_folder, "
    "materials_db=<spool>/materials.db)",
)


@pytest.fixture
def farm():
    farm = SimFarm(2, seed=61, upload_seconds=0.3)
    with farm.running(host="127.0.0.1", port=0) as (host, port):
        farm.address = f"{host}:{port}"
        yield farm


def _runner(tmp_path: Path, farm: SimFarm, **config) -> Runner:
    accounts = [a.model_dump(mode="json") for a in farm.accounts]
    r = Runner(tmp_path, farm.address, accounts, device_wait=120, **config)
    r.start()
    return r


@needs_upload_folder
def test_library_post_example_on_two_phones_posts_two_different_tagged_files(tmp_path, farm):
    library = tmp_path / "library"
    for folder, name in [("dance", "a.mp4"), ("trending", "b.mp4"), ("other", "c.mp4")]:
        (library / folder).mkdir(parents=True)
        (library / folder / name).write_bytes(name.encode())
    r = _runner(tmp_path, farm, upload_folder=str(library), material_roots=[str(library)])
    try:
        body = example("post-library-two-devices.json", farm.serials)
        body.pop("min_interval"), body.pop("max_interval")
        r.drop("library.json", body)
        status = r.wait_phase("library", {"completed", "failed"}, timeout=60)
    finally:
        r.stop()
    assert status["phase"] == "completed", status
    truth = farm.ground_truth()
    media = sorted(
        m.split("-", 2)[2]
        for n, serial in enumerate(farm.serials, 1)
        for p in truth[serial]["accounts"][f"sim_user_{n}"]["posts"]
        for m in p["media"]
    )
    assert media == ["a.mp4", "b.mp4"]
    assert (r.spool / "materials.db").exists()


def test_material_outside_the_roots_is_rejected_with_40001(tmp_path, farm):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    r = _runner(tmp_path, farm, material_roots=[str(allowed)])
    try:
        body = example("post-material-list.json", farm.serials)
        body["script_config"]["material_list"] = ["/etc/passwd.mp4"]
        r.drop("outside.json", body)
        path = r.spool / "rejected" / "outside.json.error.yaml"
        r.wait(path.exists, 30, "the manifest to be rejected")
    finally:
        r.stop()
    error = load_yaml(path)
    assert error["code"] == 40001
    assert "/script_config/material_list/0" in json.dumps(error)


def test_comment_that_crashes_the_app_fails_with_remark_and_artifacts(tmp_path, farm):
    farm.phone(farm.serials[0]).on_screen("comments", "crash")
    r = _runner(tmp_path, farm)
    try:
        body = example("comment-three-posts-sequential.json", farm.serials)
        body["script_config"]["target_post_urls"] = body["script_config"]["target_post_urls"][:1]
        r.drop("crash.json", body)
        status = r.wait_phase("crash", {"completed", "failed"}, timeout=60)
    finally:
        r.stop()
    [task] = status["tasks"]
    assert task["status_text"] == "failed"
    assert task["remark"].startswith("comment: open comments: the app crashed")
    folder = r.spool / "artifacts" / str(task["id"])
    assert {"task.log", "hierarchy.xml"} <= {p.name for p in folder.iterdir()}
    truth = farm.ground_truth()[farm.serials[0]]["accounts"]["sim_user_1"]
    assert truth["comments"] == []


def test_warmup_runs_through_serve_for_its_configured_duration(tmp_path, farm):
    r = _runner(tmp_path, farm)
    try:
        body = example("warmup-interactions.json", farm.serials)
        body["script_config"].update(task_duration=2, min_duration=0.2, max_duration=0.4)
        r.drop("warm.json", body)
        status = r.wait_phase("warm", {"completed", "failed"}, timeout=60)
    finally:
        r.stop()
    [task] = status["tasks"]
    assert task["status_text"] == "completed", task
    assert task["remark"].startswith("watched ")
