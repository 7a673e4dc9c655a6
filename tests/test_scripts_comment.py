"""comment on simulated phones: which line, emoji, faults (never a double comment), hostile text."""

from __future__ import annotations

from runner.errors import TaskFailed
from runner.scripts.text import EMOJI
from runner.sim import SimFarm
from tests.scripts.harness import (
    OUR_COMMANDS,
    account_truth,
    commands_run,
    context_of,
    plan,
    run_contexts,
)

S1 = "sim-0001"
U1 = "sim_user_1"
URL = "https://www.tiktok.com/@someone/video/4242"


def _body(urls: list[str], content: str, **config) -> dict:
    config = {"target_post_urls": urls, "comment_content": content, **config}
    return {"serials": [S1], "script_name": "comment", "script_config": config}


def _comments(farm) -> list[tuple[str, str]]:
    return [(c["video_id"], c["text"]) for c in account_truth(farm, S1, U1)["comments"]]


def test_random_lines_with_emoji_come_from_the_content():
    farm = SimFarm(1, seed=41)
    lines = ["first line", "second line", "third line"]
    urls = [f"https://www.tiktok.com/@u/video/{n}" for n in range(1, 5)]
    tasks = plan(_body(urls, "\n".join(lines) + "\n\n", insert_emoji=True), farm.accounts)
    assert list(run_contexts(farm, [context_of(t) for t in tasks]).values()) == [""] * 4
    comments = _comments(farm)
    assert [v for v, _ in comments] == ["1", "2", "3", "4"]
    for _, text in comments:
        line, emoji = text.rsplit(" ", 1)
        assert line in lines and emoji in EMOJI


def test_short_links_open_a_video_and_get_the_comment():
    farm = SimFarm(1, seed=42)
    tasks = plan(_body(["https://vm.tiktok.com/ZMabc123/"], "short link"), farm.accounts)
    assert list(run_contexts(farm, [context_of(t) for t in tasks]).values()) == [""]
    [(video, text)] = _comments(farm)
    assert text == "short link" and video.isdigit()


def test_app_crash_in_the_comments_sheet_fails_with_the_step_and_comments_nothing():
    farm = SimFarm(1, seed=43)
    farm.phone(S1).on_screen("comments", "crash")
    [task] = plan(_body([URL], "never twice"), farm.accounts)
    [error] = run_contexts(farm, [context_of(task)]).values()
    assert isinstance(error, TaskFailed)
    assert error.remark.startswith("comment: open comments: the app crashed")
    assert "keeps stopping" in error.remark
    assert _comments(farm) == []


def test_uiautomator_death_is_recovered_and_the_comment_is_written_once():
    farm = SimFarm(1, seed=44)
    farm.phone(S1).on_screen("comments", "kill_uiautomator")
    [task] = plan(_body([URL], "exactly once"), farm.accounts)
    assert list(run_contexts(farm, [context_of(task)]).values()) == [""]
    assert _comments(farm) == [("4242", "exactly once")]


def test_a_retry_finds_the_comment_of_the_earlier_attempt_and_sends_nothing():
    farm = SimFarm(1, seed=45)
    [task] = plan(_body([URL], "only one"), farm.accounts)
    run_contexts(farm, [context_of(task, task_id=700)])
    [remark] = run_contexts(farm, [context_of(task, task_id=700, retry_count=1)]).values()
    assert remark == "comment already posted by an earlier attempt"
    assert _comments(farm) == [("4242", "only one")]


HOSTILE = [
    'it\'s "quoted" `id` $(reboot); rm -rf / && echo pwned | sh > /x',
    "emoji 😀🔥 and 中文评论 and العربية",
    "back\\slashes %s %n {0} ${HOME} \x27single\x27 \\n",
]


def test_hostile_comments_reach_the_app_exactly_and_run_nothing_of_theirs():
    farm = SimFarm(1, seed=46, popup_rate=0.3)
    urls = [f"https://www.tiktok.com/@x/video/{n}" for n in (1, 2, 3)]
    tasks = plan(_body(urls, "\n".join(HOSTILE), comment_order="sequential"), farm.accounts)
    assert list(run_contexts(farm, [context_of(t) for t in tasks]).values()) == [""] * 3
    assert _comments(farm) == list(zip(["1", "2", "3"], HOSTILE, strict=True))
    assert {c[0] for c in commands_run(farm, S1)} <= OUR_COMMANDS


def test_hostile_caption_and_file_name_reach_the_post_exactly(tmp_path):
    farm = SimFarm(1, seed=47, upload_seconds=0.2)
    name = "it's $(reboot); a&b.mp4"
    (tmp_path / name).write_bytes(b"v")
    caption = 'line one\nline "two" $(id) `x` 😀 中文 #tag'
    body = {"serials": [S1], "script_name": "post",
            "script_config": {"material_list": [str(tmp_path / name)], "captions": caption}}  # fmt: skip
    [task] = plan(body, farm.accounts)
    assert list(run_contexts(farm, [context_of(task)]).values()) == [""]
    [post] = account_truth(farm, S1, U1)["posts"]
    assert post["caption"] == caption
    assert post["media"][0].endswith("-it_s___reboot___a_b.mp4")
    assert {c[0] for c in commands_run(farm, S1)} <= OUR_COMMANDS
