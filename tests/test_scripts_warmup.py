"""account_warmup on simulated phones: real time from the config, watch times in range, seeded
probabilities, comments from templates or from a local OpenAI-compatible chat endpoint."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from runner.sim import SimFarm
from tests.scripts.harness import account_truth, context_of, plan, run_contexts

S1 = "sim-0001"
U1 = "sim_user_1"
SECRET = "sk-test-NEVER-LOG-THIS-9f8e7d"


def _body(**config) -> dict:
    return {"serials": [S1], "script_name": "account_warmup", "script_config": config}


def test_runs_for_task_duration_with_watch_times_in_range_and_no_actions_at_zero():
    farm = SimFarm(1, seed=51)
    [task] = plan(_body(task_duration=2, min_duration=0.3, max_duration=0.5), farm.accounts)
    started = time.monotonic()
    [remark] = run_contexts(farm, [context_of(task)]).values()
    elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 6.0
    assert (
        remark.startswith("watched ") and "0 liked, 0 followed, 0 bookmarked, 0 commented" in remark
    )
    truth = account_truth(farm, S1, U1)
    watched = truth["watched"][:-1]  # the last video is left by whatever comes next
    # LIVEs in the feed are swiped past at once: the watch times are the videos'
    watched = [w for w in watched if not farm.world.video(w["video_id"]).is_live]
    assert len(watched) >= 3
    # The simulator measures a watch from swipe to swipe on the wall clock, so the device calls
    # in between count too: 0.5 s watched read as 0.8 s in a loaded suite. Still far from a
    # watch that ignores max_duration (2 s here).
    assert all(0.25 <= w["seconds"] <= 1.0 for w in watched), watched
    assert truth["actions"] == []


def test_certain_probabilities_like_follow_and_bookmark_every_video(caplog):
    caplog.set_level(logging.INFO)
    farm = SimFarm(1, seed=52)
    body = _body(task_duration=2, min_duration=0.2, max_duration=0.3, like_probable=100,
                 floow_probable=100, collect_probable=100, topic="cooking")  # fmt: skip
    [task] = plan(body, farm.accounts)
    ctx = context_of(task)
    [remark] = run_contexts(farm, [ctx]).values()
    truth = account_truth(farm, S1, U1)
    assert len(truth["likes"]) >= 2 and len(truth["bookmarks"]) == len(truth["likes"])
    assert f"{len(truth['likes'])} liked" in remark
    assert any(f"random seed {ctx.seed}" in r.getMessage() for r in caplog.records)


def test_warmup_never_likes_follows_saves_or_comments_on_an_ad_and_skips_lives():
    farm = SimFarm(1, seed=54)
    farm.phone(S1).tiktok.feed_plan = ["video", "ad", "live", "video", "ad", "video"]
    body = _body(task_duration=3, min_duration=0.2, max_duration=0.3, like_probable=100,
                 floow_probable=100, collect_probable=100, comment_probable=100,
                 comment="nice one")  # fmt: skip
    [task] = plan(body, farm.accounts)
    [remark] = run_contexts(farm, [context_of(task)]).values()
    truth = account_truth(farm, S1, U1)
    assert not [a for a in truth["actions"] if a.get("ad")], truth["actions"]
    assert farm.world.ad_ids and not set(truth["likes"]) & farm.world.ad_ids
    assert len(truth["likes"]) >= 2  # the videos around them were liked
    assert "ads or LIVEs left alone" in remark, remark


class _Chat(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Chat.seen.append({"path": self.path, "auth": self.headers["Authorization"], **body})
        answer = {
            "choices": [{"message": {"role": "assistant", "content": "  Generated 🔥 wow\n"}}]
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_comments_from_a_chat_endpoint_and_the_key_is_never_logged(caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    server = HTTPServer(("127.0.0.1", 0), _Chat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        farm = SimFarm(1, seed=53)
        body = _body(task_duration=1.5, min_duration=0.2, max_duration=0.3, comment_probable=100,
                     generate_by_chatgpt=True,
                     chatgpt_settings={"api_key": SECRET, "model": "local-model",
                                       "base_url": f"http://127.0.0.1:{server.server_port}/v1"})  # fmt: skip
        [task] = plan(body, farm.accounts)
        [remark] = run_contexts(farm, [context_of(task)]).values()
    finally:
        server.shutdown()
    comments = account_truth(farm, S1, U1)["comments"]
    assert comments and all(c["text"] == "Generated 🔥 wow" for c in comments)
    assert f"{len(comments)} commented" in remark
    assert _Chat.seen[0]["path"] == "/v1/chat/completions"
    assert _Chat.seen[0]["auth"] == f"Bearer {SECRET}"
    assert _Chat.seen[0]["model"] == "local-model"
    assert SECRET not in caplog.text and SECRET not in remark


def test_chat_endpoint_down_falls_back_to_templates(caplog):
    caplog.set_level(logging.DEBUG)
    farm = SimFarm(1, seed=54)
    body = _body(task_duration=1.2, min_duration=0.2, max_duration=0.3, comment_probable=100,
                 comment="template line", generate_by_chatgpt=True,
                 chatgpt_settings={"api_key": SECRET, "base_url": "http://127.0.0.1:9/v1"})  # fmt: skip
    [task] = plan(body, farm.accounts)
    run_contexts(farm, [context_of(task)])
    comments = account_truth(farm, S1, U1)["comments"]
    assert comments and {c["text"] for c in comments} == {"template line"}
    assert "chat endpoint failed" in caplog.text and SECRET not in caplog.text


def test_an_app_crash_during_warmup_is_recovered():
    farm = SimFarm(1, seed=55)
    farm.phone(S1).on_screen("comments", "crash")
    body = _body(task_duration=2, min_duration=0.2, max_duration=0.3, comment_probable=100,
                 comment="after the crash")  # fmt: skip
    [task] = plan(body, farm.accounts)
    [remark] = run_contexts(farm, [context_of(task)]).values()
    assert isinstance(remark, str) and remark.startswith("watched ")
    assert account_truth(farm, S1, U1)["comments"]


def test_a_task_account_missing_on_the_phone_fails_saying_so():
    farm = SimFarm(1, seed=56)
    from runner.config import Account

    accounts = [Account(username="ghost_acc", serial=S1)]
    body = {"usernames": ["@ghost_acc"], "script_name": "account_warmup",
            "script_config": {"task_duration": 1}}  # fmt: skip
    [task] = plan(body, accounts)
    [error] = run_contexts(farm, [context_of(task)]).values()
    assert error.remark == (
        "account_warmup: switch to account @ghost_acc: account @ghost_acc is not logged in on "
        "sim-0001 in com.zhiliaoapp.musically (the account switcher does not list it)"
    )
