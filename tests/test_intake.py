"""Intake: the vendor's own example bodies are accepted with the documented fan-out, bad bodies get
the API's error codes with JSON pointers, and start times land where a user expects them."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runner.config import Account
from runner.errors import IntakeError
from runner.intake import IntakeContext, next_start, plan_body, plan_manifest

EXAMPLES = Path(__file__).parent / "examples"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BERLIN)

INVENTORY = [
    Account(username="sim_user_1", serial="sim-0001"),
    Account(username="my_account1", serial="sim-0001"),
    Account(username="sim_user_2", serial="sim-0002"),
    Account(username="my_account2", serial="sim-0002", package="com.ss.android.ugc.trill"),
    Account(username="sim_user_3", serial="sim-0003"),
    Account(username="retired", serial="sim-0003", enabled=False),
    Account(username="lonely", serial="sim-0009", enabled=False),
]

EXPECTED_TASKS = {
    "comment-image.json": 1,
    "comment-three-posts-sequential.json": 3,
    "follow-search-scheduled.json": 2,
    "follow-three-users.json": 3,
    "post-images-local-folder.json": 1,
    "post-library-two-devices.json": 2,
    "post-material-list.json": 1,
    "unfollow-batch-multi-account.json": 5,  # 2 + 2 + 1 enabled accounts on the three phones
    "warmup-interactions.json": 1,
    "warmup-usernames.json": 2,
}


def ctx(now: datetime = NOW, seed: int = 7, **kw) -> IntakeContext:
    return IntakeContext(accounts=INVENTORY, now=now, rng=random.Random(seed), **kw)


def localize(body: dict, tmp_path: Path) -> dict:
    """Map the docs' placeholders onto the simulated farm and real files."""
    text = json.dumps(body)
    text = re.sub(r"device(?:_serial)?_(\d)", lambda m: f"sim-000{m.group(1)}", text)
    body = json.loads(text)
    cfg = body["script_config"]
    if "material_path" in cfg:
        folder = tmp_path / "carousel"
        folder.mkdir(exist_ok=True)
        (folder / "1.jpg").write_bytes(b"jpg")
        cfg["material_path"] = str(folder)
    if "material_list" in cfg:
        video = tmp_path / "video1.mp4"
        video.write_bytes(b"mp4")
        cfg["material_list"] = [str(video)]
    if "comment_image_path" in cfg:
        image = tmp_path / "my_image.jpg"
        image.write_bytes(b"jpg")
        cfg["comment_image_path"] = str(image)
    return body


def plan(doc: dict | str, filename: str = "m.yaml", **kw):
    data = doc if isinstance(doc, str) else json.dumps(doc)
    return plan_manifest(data.encode(), filename=filename, ctx=ctx(**kw))


def refusal(doc: dict | str, code: int = 40001, **kw) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        plan(doc, **kw)
    assert info.value.code == code, info.value.as_dict()
    return info.value


def pointers(err: IntakeError) -> list[str]:
    return [d.pointer for d in err.details]


def envelope(spec: dict, name: str = "morning-follow") -> dict:
    return {"apiVersion": "tikrunner/v1", "kind": "Task", "metadata": {"name": name}, "spec": spec}


FOLLOW = {
    "serials": ["sim-0001"],
    "script_name": "follow",
    "script_config": {"target_users": ["@a"]},
}


# ------------------------------------------------------------------------ the vendor's examples


@pytest.mark.parametrize("name", sorted(EXPECTED_TASKS))
def test_every_vendor_example_is_accepted_with_the_documented_fan_out(name, tmp_path):
    body = localize(json.loads((EXAMPLES / name).read_text()), tmp_path)
    result = plan(body, filename=name, upload_folder=tmp_path)
    assert result.name == name.removesuffix(".json")
    assert len(result.tasks) == EXPECTED_TASKS[name]
    assert [t.job_count for t in result.tasks] == list(range(EXPECTED_TASKS[name]))
    assert all(t.script_name == body["script_name"] for t in result.tasks)
    # the same body over HTTP plans the same tasks
    assert len(plan_body(body, ctx=ctx(upload_folder=tmp_path))) == EXPECTED_TASKS[name]


def test_examples_directory_is_complete():
    assert {p.name for p in EXAMPLES.glob("*.json")} == set(EXPECTED_TASKS)


def test_three_users_on_two_devices_make_six_tasks_target_major():
    body = {**FOLLOW, "serials": ["sim-0001", "sim-0002"]}
    body["script_config"] = {"target_users": ["@u1", "@u2", "@u3"], "access_method": "direct"}
    tasks = plan(body).tasks
    assert [(t.job_count, t.serial, t.script_config["target_users"]) for t in tasks] == [
        (0, "sim-0001", ["@u1"]),
        (1, "sim-0002", ["@u1"]),
        (2, "sim-0001", ["@u2"]),
        (3, "sim-0002", ["@u2"]),
        (4, "sim-0001", ["@u3"]),
        (5, "sim-0002", ["@u3"]),
    ]


def test_each_task_carries_one_target_and_every_default():
    body = {**FOLLOW, "script_config": {"target_user": "a, b", "target_username": "ignored"}}
    tasks = plan(body).tasks
    assert tasks[1].script_config == {
        "target_users": ["b"],
        "target_user": "",
        "target_username": "",
        "access_method": "direct",
    }


def test_comment_posts_split_from_one_string():
    body = {"serials": ["sim-0001"], "script_name": "comment"}
    body["script_config"] = {
        "target_post_url": "https://vm.tiktok.com/a/\nhttps://vm.tiktok.com/b/",
        "comment_content": "hi",
    }
    tasks = plan(body).tasks
    assert [t.script_config["target_post_urls"] for t in tasks] == [
        ["https://vm.tiktok.com/a/"],
        ["https://vm.tiktok.com/b/"],
    ]
    assert all(t.script_config["target_post_url"] == "" for t in tasks)


def test_usernames_run_on_their_bound_device_in_their_package():
    body = {"usernames": ["@my_account2", "SIM_USER_1"], "script_name": "post", "script_config": {}}
    tasks = plan(body).tasks
    assert [(t.serial, t.username, t.package) for t in tasks] == [
        ("sim-0002", "my_account2", "com.ss.android.ugc.trill"),
        ("sim-0001", "sim_user_1", "com.zhiliaoapp.musically"),
    ]


def test_multi_account_skips_disabled_accounts():
    body = {
        "serials": ["sim-0003"],
        "script_name": "post",
        "script_config": {},
        "enable_multi_account": True,
    }
    assert [t.username for t in plan(body).tasks] == ["sim_user_3"]


def test_secrets_reach_the_task_config():
    body = {"serials": ["sim-0001"], "script_name": "account_warmup"}
    body["script_config"] = {"generate_by_chatgpt": True, "chatgpt_settings": {"api_key": "sk-1"}}
    assert plan(body).tasks[0].script_config["chatgpt_settings"]["api_key"] == "sk-1"


def test_envelope_gives_name_and_labels_and_bare_body_gives_the_stem():
    spec = {**FOLLOW}
    doc = envelope(spec)
    doc["metadata"]["labels"] = {"campaign": "spring"}
    result = plan(doc, filename="whatever.yaml")
    assert (result.name, result.kind, result.labels, result.body) == (
        "morning-follow",
        "Task",
        {"campaign": "spring"},
        spec,
    )
    assert plan(FOLLOW, filename="spool/incoming/my-follow.yaml").name == "my-follow"


def test_yaml_manifest_with_unquoted_time():
    text = "serials: [sim-0001]\nscript_name: follow\nscript_config: {target_user: x}\nstart_time: 14:30\n"
    assert len(plan(text).tasks) == 1


# ---------------------------------------------------------------------------------- error codes


def test_missing_script_name_is_40002_with_its_pointer():
    assert pointers(refusal({"serials": ["sim-0001"], "script_config": {}}, 40002)) == [
        "/script_name"
    ]
    err = refusal(envelope({"serials": ["sim-0001"], "script_config": {}}), 40002)
    assert pointers(err) == ["/spec/script_name"]


@pytest.mark.parametrize("script", ["super_marketing", "dance"])
def test_unavailable_or_unknown_script_is_40003_listing_the_available_ones(script):
    err = refusal({"serials": ["sim-0001"], "script_name": script, "script_config": {}}, 40003)
    assert (
        "post, follow, unfollow, comment, account_warmup, profile, message, scrape_user, like"
        in (err.message)
    )


def test_string_and_bool_for_an_int_are_refused_not_coerced():
    err = refusal({**FOLLOW, "min_interval": "5", "max_interval": True})
    assert pointers(err) == ["/max_interval", "/min_interval"]
    assert "must be an integer" in err.details[0].message


def test_all_schema_errors_are_reported_with_pointers_under_spec():
    spec = {
        "serials": ["sim-0001", "sim-0001"],
        "script_name": "comment",
        "script_config": {
            "target_post_urls": "not a list",
            "colour": "red",
            "comment_order": "backwards",
        },
        "start_time": "25:00",
    }
    err = refusal(envelope(spec, name="Bad Name"))
    assert pointers(err) == [
        "/metadata/name",
        "/spec/script_config/colour",
        "/spec/script_config/comment_content",
        "/spec/script_config/comment_order",
        "/spec/script_config/target_post_urls",
        "/spec/serials",
        "/spec/start_time",
    ]
    by = {d.pointer: d.message for d in err.details}
    assert by["/spec/script_config/colour"].startswith("unknown field")
    assert by["/spec/script_config/comment_content"] == "is required"
    assert "HH:MM" in by["/spec/start_time"]


def test_cross_field_errors_from_the_body_and_config_come_together():
    body = {
        "serials": ["sim-0001"],
        "script_name": "post",
        "script_config": {"material_source": "localFolder"},
    }
    err = refusal({**body, "min_interval": 9, "max_interval": 3})
    assert pointers(err) == ["/max_interval", "/script_config/material_path"]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"usernames": ["sim_user_1"]}, ""),
        ({"serials": []}, "/serials"),
        ({"serials": None}, "/serials"),
        ({"script_config": {"target_user": " ,\n"}}, "/script_config"),
        ({"script_config": {}}, "/script_config"),
        ({"script_config": None}, "/script_config"),
    ],
)
def test_invalid_units_and_missing_targets_are_40001(change, pointer):
    assert pointer in pointers(refusal({**FOLLOW, **change}))


def test_no_units_at_all_is_40001():
    assert pointers(refusal({"script_name": "post", "script_config": {}})) == [""]


def test_unknown_and_disabled_usernames_are_40004_and_create_nothing():
    body = {
        "usernames": ["sim_user_1", "@nobody", "retired"],
        "script_name": "post",
        "script_config": {},
    }
    err = refusal(body, 40004)
    assert pointers(err) == ["/usernames/1", "/usernames/2"]


def test_multi_account_on_a_device_without_accounts_is_40004():
    body = {
        "serials": ["sim-0001", "sim-0009"],
        "script_name": "post",
        "script_config": {},
        "enable_multi_account": True,
    }
    err = refusal(body, 40004)
    assert "sim-0009" in err.message and pointers(err) == ["/serials/1"]


def test_non_mapping_documents_and_workflows_without_steps_are_40001():
    refusal("- a\n- b\n")
    refusal("")
    assert "/spec/steps" in pointers(refusal({**envelope(FOLLOW), "kind": "Workflow"}))
    with pytest.raises(IntakeError):
        plan_body(["not", "an", "object"], ctx=ctx())
    with pytest.raises(IntakeError) as info:
        plan_body({"serials": ["sim-0001"], "script_config": {}}, ctx=ctx())
    assert info.value.code == 40002


def test_parse_errors_keep_their_line():
    err = refusal("serials: [sim-0001]\nscript_name: follow\nscript_name: post\n")
    assert "line 3" in err.message


# --------------------------------------------------------------------------------- start times


def ts(*args, tz=BERLIN) -> float:
    return datetime(*args, tzinfo=tz).timestamp()


def test_no_start_time_means_now():
    assert [t.start_at for t in plan(FOLLOW).tasks] == [NOW.timestamp()]


def test_start_time_still_ahead_today_else_tomorrow():
    body = {**FOLLOW, "start_time": "14:30"}
    assert plan(body).tasks[0].start_at == ts(2026, 11, 22, 14, 30)
    late = datetime(2026, 11, 22, 15, 0, tzinfo=BERLIN)
    assert plan(body, now=late).tasks[0].start_at == ts(2026, 11, 23, 14, 30)


def test_start_time_in_the_spring_forward_gap_moves_past_the_gap():
    # Europe/Berlin 2026-03-29: 02:00 CET -> 03:00 CEST; 02:30 does not exist that day.
    now = datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN)
    assert (
        next_start("02:30", now) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC).timestamp()
    )  # 03:30 CEST


def test_start_time_tomorrow_across_a_dst_change_keeps_the_wall_time():
    now = datetime(2026, 3, 28, 23, 0, tzinfo=BERLIN)
    assert (
        next_start("22:00", now) == datetime(2026, 3, 29, 20, 0, tzinfo=UTC).timestamp()
    )  # 22:00 CEST


def test_ambiguous_autumn_time_is_its_first_occurrence():
    now = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
    assert (
        next_start("02:30", now) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC).timestamp()
    )  # 02:30 CEST


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        next_start("10:00", datetime(2026, 1, 1))


def test_intervals_space_each_devices_tasks_within_bounds():
    body = {"serials": ["sim-0001", "sim-0002"], "script_name": "follow", "start_time": "14:30"}
    body |= {
        "script_config": {"target_users": [f"u{i}" for i in range(6)]},
        "min_interval": 5,
        "max_interval": 15,
    }
    tasks = plan(body).tasks
    for serial in ("sim-0001", "sim-0002"):
        starts = [t.start_at for t in tasks if t.serial == serial]
        assert starts[0] == ts(2026, 11, 22, 14, 30)
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert len(gaps) == 5 and all(300 <= g <= 900 for g in gaps)
    # the same seed plans the same times
    assert [t.start_at for t in plan(body).tasks] == [t.start_at for t in tasks]


def test_multi_account_tasks_on_one_device_are_spaced_too():
    body = {
        "serials": ["sim-0001"],
        "script_name": "post",
        "script_config": {},
        "enable_multi_account": True,
    }
    tasks = plan({**body, "min_interval": 1, "max_interval": 1}).tasks
    assert [t.start_at - NOW.timestamp() for t in tasks] == [0, 60]


def test_intervals_longer_than_a_week_are_refused():
    err = refusal({**FOLLOW, "min_interval": 0, "max_interval": 10**9})
    assert err.code == 40001
    assert pointers(err) == ["/max_interval"]


# ------------------------------------------------------------- bounds: refused at intake, not later


@pytest.mark.parametrize(
    ("script_config", "pointer"),
    [
        ({"task_duration": 10**14}, "/spec/script_config/task_duration"),
        ({"max_duration": 10**9}, "/spec/script_config/max_duration"),
        ({"upload_wait_time": 10**12}, "/spec/script_config/upload_wait_time"),
        ({"target_users": ["@ok", "@"]}, "/spec/script_config/target_users/1"),
        ({"target_users": ["x" * 101]}, "/spec/script_config/target_users/0"),
        ({"target_user": "alice, @ ,bob"}, "/spec/script_config/target_user"),
        ({"target_username": "@"}, "/spec/script_config/target_username"),
        ({"target_post_urls": ["vm.tiktok.com/x"]}, "/spec/script_config/target_post_urls/0"),
        ({"target_post_url": "https://vm.tiktok.com/a/\n@"}, "/spec/script_config/target_post_url"),
    ],
)
def test_unbounded_values_are_refused_at_intake_with_their_pointer(script_config, pointer):
    script = {
        "task_duration": "account_warmup",
        "max_duration": "account_warmup",
        "upload_wait_time": "post",
    }.get(next(iter(script_config)))
    if script is None:
        script = "comment" if "post" in next(iter(script_config)) else "follow"
    config = dict(script_config)
    if script == "comment":
        config["comment_content"] = "nice"
    spec = {"serials": ["sim-0001"], "script_name": script, "script_config": config}
    err = refusal(envelope(spec))
    assert pointer in pointers(err), err.as_dict()


def test_display_names_and_search_words_stay_allowed_as_targets():
    spec = {
        "serials": ["sim-0001"],
        "script_name": "follow",
        "script_config": {"target_users": ["two words", "中文用户", "o'neil", " @padded "]},
    }
    tasks = plan(envelope(spec)).tasks
    assert [t.script_config["target_users"] for t in tasks] == [
        ["two words"],
        ["中文用户"],
        ["o'neil"],
        ["@padded"],
    ]


@pytest.mark.parametrize("field", ["target_users", "target_user", "target_username"])
def test_more_targets_than_the_cap_are_40001_at_the_field_that_named_them(field):
    names = [f"u{i}" for i in range(6)]
    value = names if field == "target_users" else ",".join(names)
    body = {"serials": ["sim-0001"], "script_name": "follow", "script_config": {field: value}}
    err = refusal(body, max_targets=5)
    assert pointers(err) == [f"/script_config/{field}"]
    assert "at most 5" in err.message and "max_targets" in err.message
    assert len(plan(body, max_targets=6).tasks) == 6


def test_the_default_cap_is_ten_thousand_targets_per_manifest():
    urls = [f"https://vm.tiktok.com/{i}/" for i in range(10_001)]
    body = {
        "serials": ["sim-0001"],
        "script_name": "comment",
        "script_config": {"target_post_urls": urls, "comment_content": "hi"},
    }
    assert pointers(refusal(body)) == ["/script_config/target_post_urls"]
    body["script_config"]["target_post_urls"] = urls[:10_000]
    assert len(plan(body).tasks) == 10_000
