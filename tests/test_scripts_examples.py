"""Every vendor example body (tests/examples/*.json), planned by intake and run on simulated phones,
completes; the simulator's ground truth shows exactly what was asked. The same with frequent popups
on the other simulated app versions (other resource ids), and with TikTok in French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.config import Account
from runner.sim import DEFAULT_VERSION, VERSIONS, SimFarm
from tests.scripts.harness import account_truth, context_of, example_body, plan, run_contexts

OTHER_VERSION = next(v for v in VERSIONS if v != DEFAULT_VERSION)
CONDITIONS = {
    "plain": {},
    "popups": {"popup_rate": 0.5},
    "other_version": {"app_version": OTHER_VERSION},
    # TikTok in French (the phone's language), on the default build and on 47.0.3
    "fr": {"locale": "fr-FR"},
    "fr_47": {"locale": "fr-FR", "app_version": "47.0.3"},
}
PKG = "com.zhiliaoapp.musically"


def _farm(devices: int, condition: str, seed: int) -> SimFarm:
    return SimFarm(devices, seed=seed, upload_seconds=0.3, **CONDITIONS[condition])


def _run(farm, body, *, accounts=None, upload_folder=None, **kw):
    tasks = plan(body, accounts if accounts is not None else farm.accounts,
                 upload_folder=upload_folder)  # fmt: skip
    ctxs = [context_of(t, upload_folder=upload_folder, **kw) for t in tasks]
    outcomes = run_contexts(farm, ctxs)
    failures = {tid: o for tid, o in outcomes.items() if not isinstance(o, str)}
    assert not failures, failures
    return ctxs, outcomes


def _short_warmup(body: dict) -> dict:
    cfg = body["script_config"]
    cfg.update(task_duration=2.5, min_duration=0.15, max_duration=0.3)
    return body


@pytest.fixture(params=list(CONDITIONS))
def condition(request):
    return request.param


def test_follow_three_users(condition):
    farm = _farm(1, condition, 11)
    _run(farm, example_body("follow-three-users.json", farm.serials))
    assert account_truth(farm, "sim-0001", "sim_user_1")["following"] == ["user1", "user2", "user3"]


def test_follow_by_search(condition):
    farm = _farm(1, condition, 12)
    body = example_body("follow-search-scheduled.json", farm.serials)
    body.pop("start_time")  # the schedule is the scheduler's business, not the script's
    _run(farm, body)
    truth = account_truth(farm, "sim-0001", "sim_user_1")
    assert truth["following"] == ["username1", "username2"]


def test_unfollow_on_every_account_of_three_phones(condition):
    farm = _farm(3, condition, 13)
    for phone in farm.phones:
        phone.account.following.update({"old_account", "keep_me"})
    body = example_body("unfollow-batch-multi-account.json", farm.serials)
    ctxs, _ = _run(farm, body)
    assert [c.username for c in ctxs] == ["sim_user_1", "sim_user_2", "sim_user_3"]
    for n, serial in enumerate(farm.serials, 1):
        truth = account_truth(farm, serial, f"sim_user_{n}")
        assert truth["following"] == ["keep_me"]
        assert [(a["action"], a["target"]) for a in truth["actions"]] == [
            ("unfollow", "old_account")
        ]


def test_comment_sequential_lines_follow_job_count(condition):
    farm = _farm(1, condition, 14)
    _run(farm, example_body("comment-three-posts-sequential.json", farm.serials))
    comments = account_truth(farm, "sim-0001", "sim_user_1")["comments"]
    assert [(c["video_id"], c["text"]) for c in comments] == [
        ("111", "Great video!"),
        ("222", "Awesome!"),
        ("333", "Love it!"),
    ]


def test_comment_with_an_image_from_the_upload_folder(condition, tmp_path):
    farm = _farm(1, condition, 15)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "my_image.jpg").write_bytes(b"\xff\xd8 a jpeg")
    body = example_body("comment-image.json", farm.serials)
    body["script_config"]["comment_image_path"] = "images/my_image.jpg"  # relative: upload folder
    ctxs, _ = _run(farm, body, upload_folder=tmp_path)
    [comment] = account_truth(farm, "sim-0001", "sim_user_1")["comments"]
    assert comment == {
        "video_id": "1234567890",
        "text": "Check out this image!",
        "image": f"t{ctxs[0].task_id}-0-my_image.jpg",
    }


def test_post_from_a_material_list(condition, tmp_path):
    farm = _farm(1, condition, 16)
    video = tmp_path / "video1.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    body = example_body("post-material-list.json", farm.serials)
    body["script_config"]["material_list"] = [str(video)]
    ctxs, _ = _run(farm, body)
    [post] = account_truth(farm, "sim-0001", "sim_user_1")["posts"]
    assert post["caption"] == "Check out my new video! #viral #fyp"
    assert post["media"] == [f"t{ctxs[0].task_id}-0-video1.mp4"]
    assert (post["kind"], post["post_way"]) == ("video", "share")


def test_post_five_images_from_a_local_folder(condition, tmp_path):
    farm = _farm(1, condition, 17)
    for i in range(6):
        (tmp_path / f"img{i}.jpg").write_bytes(b"jpeg %d" % i)
    body = example_body("post-images-local-folder.json", farm.serials)
    body["script_config"]["material_path"] = str(tmp_path)
    _run(farm, body, materials_db=tmp_path / "materials.db")
    [post] = account_truth(farm, "sim-0001", "sim_user_1")["posts"]
    assert post["caption"] == "Check out these photos! #photocarousel"
    assert [re.sub(r"^t\d+-\d+-", "", m) for m in post["media"]] == [
        f"img{i}.jpg" for i in range(5)
    ]
    assert post["kind"] == "images"


def test_post_from_the_library_by_tags_on_two_phones(condition, tmp_path):
    farm = _farm(2, condition, 18)
    library = tmp_path / "library"
    for folder, name in [("dance", "a.mp4"), ("Trending", "b.mp4"), ("cooking", "c.mp4")]:
        (library / folder).mkdir(parents=True)
        (library / folder / name).write_bytes(name.encode())
    body = example_body("post-library-two-devices.json", farm.serials)
    _run(farm, body, upload_folder=library, materials_db=tmp_path / "materials.db")
    media = []
    for n, serial in enumerate(farm.serials, 1):
        [post] = account_truth(farm, serial, f"sim_user_{n}")["posts"]
        assert post["caption"] == "Check out my new video! #viral #fyp"
        media += [re.sub(r"^t\d+-\d+-", "", m) for m in post["media"]]
    assert sorted(media) == ["a.mp4", "b.mp4"]  # tagged dance or trending, each posted once


def test_warmup_with_topics_and_interactions(condition):
    farm = _farm(1, condition, 19)
    body = _short_warmup(example_body("warmup-interactions.json", farm.serials))
    body["script_config"].update(like_probable=60, comment_probable=40)
    _, outcomes = _run(farm, body)
    [remark] = outcomes.values()
    truth = account_truth(farm, "sim-0001", "sim_user_1")
    m = re.fullmatch(
        r"watched (\d+) videos in \d+ s: (\d+) liked, (\d+) followed, (\d+) bookmarked, "
        r"(\d+) commented",
        remark,
    )
    assert m, remark
    watched, liked, followed, bookmarked, commented = map(int, m.groups())
    assert watched >= 2
    assert len(truth["likes"]) == liked
    assert len(truth["following"]) == followed
    assert len(truth["bookmarks"]) == bookmarked
    assert len(truth["comments"]) == commented
    templates = ["This is amazing! 🔥", "Love this content!", "So good! 👏", "Wow, incredible!"]
    for c in truth["comments"]:
        line, emoji = c["text"].rsplit(" ", 1)
        assert line in templates and len(emoji) == 1


def test_warmup_by_usernames_switches_to_each_account(condition):
    farm = _farm(2, condition, 20)
    accounts = []
    for n, serial in enumerate(farm.serials, 1):
        farm.phone(serial).add_account(f"my_account{n}")
        accounts.append(Account(username=f"my_account{n}", serial=serial, package=PKG))
    body = _short_warmup(example_body("warmup-usernames.json", farm.serials))
    # the account switch comes out of task_duration: 2.5 s left one video under a loaded suite
    body["script_config"]["task_duration"] = 5
    _run(farm, body, accounts=accounts)
    for n, serial in enumerate(farm.serials, 1):
        mine = account_truth(farm, serial, f"my_account{n}")
        assert len(mine["watched"]) >= 2
        assert account_truth(farm, serial, f"sim_user_{n}")["watched"] == []


def test_every_example_is_covered():
    covered = {
        "follow-three-users.json", "follow-search-scheduled.json",
        "unfollow-batch-multi-account.json", "comment-three-posts-sequential.json",
        "comment-image.json", "post-material-list.json", "post-images-local-folder.json",
        "post-library-two-devices.json", "warmup-interactions.json", "warmup-usernames.json",
    }  # fmt: skip
    examples = Path(__file__).parent / "examples"
    assert {p.name for p in examples.glob("*.json")} == covered
