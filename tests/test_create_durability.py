"""A create answered 0 is in the store before the answer (issue 12 item 7): concurrent creates
share one COMMIT (runner/store/group.py) and each is answered only once that COMMIT is done, so a
runner killed (SIGKILL) right after answers, while other creates are still in flight, has every
answered task when it starts again, and writes their status files at start (they are
projections of the store, not fsynced, rebuilt from it)."""

from __future__ import annotations

import sqlite3
import threading

import httpx

from tests.net import free_port
from tests.serving import Runner, load_yaml

CLIENTS = 4


def test_a_runner_killed_right_after_answering_creates_loses_none_of_them(tmp_path):
    port = free_port()
    runner = Runner(tmp_path, "127.0.0.1:9", [], http=f"127.0.0.1:{port}", device_wait=3600)
    runner.start()
    url = f"http://127.0.0.1:{port}/api/v1/task"
    answered: list[int] = []  # ids answered with code 0
    sent = [0]
    lock = threading.Lock()
    enough = threading.Event()  # enough answers: kill now, with creates still in flight

    def client(n: int) -> None:
        body = {
            "serials": [f"phone-{n:04d}"],
            "script_name": "follow",
            "script_config": {"target_users": [f"@user{n}"]},
        }
        with httpx.Client(timeout=30) as http:
            while True:
                with lock:
                    sent[0] += 1
                try:
                    answer = http.post(url, json=body)
                except httpx.TransportError:
                    return  # the runner is gone
                data = answer.json()
                assert data["code"] == 0, data
                with lock:
                    answered.extend(data["data"]["task_ids"])
                    if len(answered) >= 200:
                        enough.set()

    clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in clients:
        thread.start()
    try:
        assert enough.wait(120), "the creates were not answered"
        runner.kill()
    finally:
        for thread in clients:
            thread.join(60)
    with lock:
        kept = list(answered)
    with sqlite3.connect(runner.spool / "state.db") as db:
        rows = dict(db.execute("SELECT id, manifest FROM tasks WHERE status=0").fetchall())
    assert set(kept) <= set(rows), sorted(set(kept) - set(rows))[:10]  # none answered is lost
    assert len(rows) <= sent[0]  # and none is there that was not asked for
    assert all(rows[i] == f"api-{i}" for i in kept)

    runner.start()  # status files the kill left unwritten are written at start
    try:
        runner.wait(lambda: all(runner.status(f"api-{i}") for i in kept), 60, "every status file")
    finally:
        runner.stop()
    for i in kept:
        status = runner.status(f"api-{i}")
        assert [(t["id"], t["status"]) for t in status["tasks"]] == [(i, 0)]
        assert status["phase"] == "pending"
    assert load_yaml(runner.spool / "status" / f"api-{kept[0]}.status.yaml")["counts"]["total"] == 1
