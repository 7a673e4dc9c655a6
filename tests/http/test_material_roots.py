"""Material paths outside the configured roots are refused over HTTP exactly as in the spool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio

from runner.config import RunnerConfig
from runner.http.envelope import ApiError
from runner.http.taskops import TaskOperations
from runner.status import StatusWriter
from runner.store import open_store


def test_a_post_reading_outside_the_material_roots_is_40001(store_url: str, tmp_path: Path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "ok.mp4").write_bytes(b"\0")
    config = RunnerConfig(spool=tmp_path / "spool", timezone="UTC", material_roots=[media])
    store = open_store(store_url, tmp_path / "spool")
    ops = TaskOperations(
        store=store, status=StatusWriter(store, tmp_path, config.tz()), config=config
    )

    def body(path: str) -> bytes:
        return json.dumps(
            {
                "serials": ["sim-0001"],
                "script_name": "post",
                "script_config": {"material_list": [path]},
            }
        ).encode()

    with pytest.raises(ApiError) as info:
        trio.run(ops.create, body("/etc/passwd"))
    assert info.value.code == 40001
    assert [d.pointer for d in info.value.details] == ["/script_config/material_list/0"]
    answer = trio.run(ops.create, body(str(media / "ok.mp4")))
    assert answer["created_count"] == 1
