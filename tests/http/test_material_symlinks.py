"""Symlinks must not carry files out of the material folders (issue 10): a symlink in the upload
folder to ``/etc/passwd`` is refused when the task is created, skipped or refused when it runs
(also when it was swapped in after the create), and never reaches a phone: the simulated phones'
filesystems and sync logs are the ground truth. Real HTTP against a real runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.materials import MaterialError, open_material
from tests.http.conftest import LiveRunner, data, error

PASSWD = Path("/etc/passwd")
S1 = "sim-0001"


def post_body(**config) -> dict:
    return {"serials": [S1], "script_name": "post", "script_config": config}


def pushed(runner: LiveRunner) -> list[str]:
    """Every media file a phone received through adb sync (the uiautomator jar aside)."""
    return [
        p
        for phone in runner.sim.phones
        for op, p in phone.sync_log
        if op == "SEND" and p.startswith("/sdcard/")
    ]


def leaked(runner: LiveRunner, secret: bytes) -> list[str]:
    """Files on any simulated phone whose content holds ``secret``."""
    return [
        f"{phone.serial}:{path}"
        for phone in runner.sim.phones
        for path, entry in list(phone.fs._entries.items())
        if not entry.is_dir and entry.data and secret in entry.data
    ]


def media(runner: LiveRunner) -> Path:
    return Path(runner.config.upload_folder)


@pytest.fixture(scope="module")
def secret() -> bytes:
    return PASSWD.read_bytes()[:64]


def test_symlinks_out_and_missing_paths_are_40001_at_create(fresh):
    folder = media(fresh)
    (folder / "evil.mp4").symlink_to(PASSWD)
    (folder / "evil.jpg").symlink_to(PASSWD)
    (folder / "out").symlink_to("/etc", target_is_directory=True)
    (folder / "real.mp4").write_bytes(b"real")
    cases = [
        (post_body(material_list=["real.mp4", "evil.mp4"]), "/script_config/material_list/1"),
        (post_body(material_list=[str(folder / "evil.mp4")]), "/script_config/material_list/0"),
        (post_body(material_list=["nope.mp4"]), "/script_config/material_list/0"),
        (
            post_body(material_source="localFolder", material_path="out"),
            "/script_config/material_path",
        ),
        (
            post_body(material_source="localFolder", material_path="missing"),
            "/script_config/material_path",
        ),
        (
            {
                "serials": [S1],
                "script_name": "comment",
                "script_config": {
                    "target_post_urls": ["https://www.tiktok.com/@a/video/1"],
                    "comment_content": "hi",
                    "comment_image_path": "evil.jpg",
                },
            },
            "/script_config/comment_image_path",
        ),
    ]
    for body, pointer in cases:
        answer = error(fresh.client.post("/task", json=body), 40001)
        assert [e["pointer"] for e in answer["data"]["errors"]] == [pointer], answer
    assert data(fresh.client.get("/task/stats"))["total"] == 0
    assert pushed(fresh) == []


def test_a_library_symlink_out_is_skipped_and_never_pushed(make_live, secret):
    runner = make_live()
    lib = media(runner) / "dance"
    lib.mkdir()
    (lib / "passwd.mp4").symlink_to(PASSWD)
    [task_id] = data(runner.client.post("/task", json=post_body()))["task_ids"]
    task = runner.wait_status(task_id, 3, timeout=30)
    assert "no unposted video file(s) in the material library" in task["remark"], task
    assert pushed(runner) == [] and leaked(runner, secret) == []


def _queue_behind_a_warmup(runner: LiveRunner, body: dict) -> tuple[int, int]:
    """A 60 s warmup running on S1, and ``body``'s task pending behind it."""
    warm = {
        "serials": [S1],
        "script_name": "account_warmup",
        "script_config": {"task_duration": 60},
    }
    [blocker] = data(runner.client.post("/task", json=warm))["task_ids"]
    runner.wait_status(blocker, 1, timeout=30)
    [task_id] = data(runner.client.post("/task", json=body))["task_ids"]
    assert runner.task(task_id)["status"] == 0
    return blocker, task_id


@pytest.mark.parametrize("source", ["material_list", "localFolder"])
def test_a_symlink_swapped_in_after_create_is_never_pushed(make_live, secret, source):
    runner = make_live()
    folder = media(runner) / "mine"
    folder.mkdir()
    video = folder / "a.mp4"
    video.write_bytes(b"a real video")
    if source == "material_list":
        body = post_body(material_list=[str(video)])
    else:
        body = post_body(material_source="localFolder", material_path="mine")
    blocker, task_id = _queue_behind_a_warmup(runner, body)
    video.unlink()
    video.symlink_to(PASSWD)
    data(runner.client.post(f"/task/{blocker}/stop"))
    task = runner.wait_status(task_id, 3, timeout=30)
    if source == "material_list":
        assert "is outside the material folders" in task["remark"], task
    else:
        assert "no unposted video file(s) in folder mine" in task["remark"], task
    assert pushed(runner) == [] and leaked(runner, secret) == []


def test_a_caption_file_linked_out_is_not_published(make_live, tmp_path):
    runner = make_live()
    private = tmp_path / "private.txt"
    private.write_text("the operator's private notes")
    folder = media(runner) / "mine"
    folder.mkdir()
    (folder / "a.mp4").write_bytes(b"a real video")
    (folder / "caption.txt").symlink_to(private)
    body = post_body(
        material_source="localFolder", material_path="mine", captions="from the config"
    )
    [task_id] = data(runner.client.post("/task", json=body))["task_ids"]
    runner.wait_status(task_id, 2, timeout=60)
    posts = runner.sim.ground_truth()[S1]["accounts"]["sim_user_1"]["posts"]
    assert [p["caption"] for p in posts] == ["from the config"]
    assert len(pushed(runner)) == 1


def test_the_push_refuses_what_it_opened_when_it_escapes(tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    inside = root / "a.mp4"
    inside.write_bytes(b"ok")
    (root / "link.mp4").symlink_to(PASSWD)
    os.mkfifo(root / "fifo.mp4")
    with open_material(inside, roots=(), upload_folder=root) as f:
        assert f.read() == b"ok" and f.name == str(inside)
    for path, why in [
        (root / "link.mp4", "outside the material folders"),
        (root / "fifo.mp4", "not a regular file"),
        (inside, "no material may be read"),
    ]:
        folder = None if why.startswith("no material") else root
        with pytest.raises(MaterialError, match=why):
            open_material(path, roots=(), upload_folder=folder)
