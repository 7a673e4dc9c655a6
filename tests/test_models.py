"""The models: defaults from scripts.md, strictness (unknown fields), cross-field rules, secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from runner.models import (
    API_SCRIPTS,
    SCRIPT_CONFIGS,
    UNAVAILABLE_SCRIPTS,
    AccountWarmupConfig,
    CommentConfig,
    CreateTaskBody,
    FollowConfig,
    PostConfig,
    TaskManifest,
    TaskRecord,
    TaskStatus,
    UnfollowConfig,
    dump_config,
    redact_config,
    split_targets,
)


def test_registries_match_the_spec():
    assert API_SCRIPTS == (
        "post",
        "follow",
        "unfollow",
        "comment",
        "account_warmup",
        "profile",
        "message",
        "scrape_user",
        "like",
    )
    assert set(UNAVAILABLE_SCRIPTS) == {
        "super_marketing",
    }
    assert SCRIPT_CONFIGS["unfollow"] is UnfollowConfig


def test_post_defaults_are_the_documented_ones():
    c = PostConfig()
    assert (c.content_type, c.image_count, c.captions, c.post_way) == (0, 1, "", "share")
    assert (c.material_source, c.material_path, c.material_list) == ("materialLibrary", "", [])
    assert (c.upload_wait_time, c.sound_wait_time, c.add_sound) == (30, 10, "-1")
    assert (c.origin_sound_volume, c.add_sound_volume, c.add_product_link, c.placement) == (
        50,
        50,
        0,
        "reel",
    )


def test_warmup_defaults_are_the_documented_ones():
    c = AccountWarmupConfig()
    assert (c.task_duration, c.min_duration, c.max_duration) == (600, 15, 30)
    assert c.floow_probable == 0 and c.comment_order == "random" and not c.generate_by_chatgpt
    s = c.chatgpt_settings
    assert (s.model, s.max_tokens, s.temperature, s.api_key) == ("gpt-3.5-turbo", 100, 0.7, None)


@pytest.mark.parametrize("model", list(SCRIPT_CONFIGS.values()))
def test_unknown_fields_are_refused(model):
    data = {"target_users": ["a"], "target_post_urls": ["u"], "comment_content": "hi"}
    allowed = {k: v for k, v in data.items() if k in model.model_fields}
    with pytest.raises(ValidationError, match="Extra inputs"):
        model.model_validate({**allowed, "no_such_field": 1})


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (PostConfig, {"material_source": "localFolder"}, "material_path"),
        (PostConfig, {"post_way": "useSound"}, "sound_name"),
        (PostConfig, {"add_sound": "custom"}, "custom_sound_keyword"),
        (PostConfig, {"origin_sound_volume": 101}, "origin_sound_volume"),
        (PostConfig, {"add_sound": "2"}, "add_sound"),
        (AccountWarmupConfig, {"min_duration": 40, "max_duration": 20}, "max_duration"),
        (AccountWarmupConfig, {"like_probable": 101}, "like_probable"),
        (AccountWarmupConfig, {"generate_by_chatgpt": True}, "chatgpt_settings"),
        (AccountWarmupConfig, {"chatgpt_settings": {"temperature": 2.5}}, "chatgpt_settings"),
        (CommentConfig, {"target_post_urls": ["https://vm.tiktok.com/u/"]}, "comment_content"),
        (
            CommentConfig,
            {"target_post_urls": ["https://vm.tiktok.com/u/"], "comment_content": "  \n"},
            "comment_content",
        ),
    ],
)
def test_cross_field_and_range_rules_point_at_the_field(model, data, field):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    assert info.value.errors()[0]["loc"][0] == field


def test_local_folder_is_fine_with_a_material_list_instead_of_a_path():
    PostConfig(material_source="localFolder", material_list=["/tmp/a.mp4"])


def test_add_sound_is_string_or_int():
    assert PostConfig(add_sound=1).add_sound == 1
    assert PostConfig(add_sound="custom", custom_sound_keyword="rain").add_sound == "custom"


def test_follow_targets_take_the_documented_precedence():
    assert FollowConfig(target_users=["@a", "b"], target_user="c").targets() == ["@a", "b"]
    assert FollowConfig(target_user="a,\n b ,,", target_username="z").targets() == ["a", "b"]
    assert FollowConfig(target_username="x\ny").targets() == ["x", "y"]
    with pytest.raises(ValidationError, match="at least one target"):
        FollowConfig(target_user=" , \n")


def test_split_targets_drops_blanks_and_strips():
    assert split_targets(" a ,\n\nb,\r\n c,") == ["a", "b", "c"]


def test_api_key_never_shows_in_repr_or_plain_dumps_but_reaches_the_stored_config():
    c = AccountWarmupConfig(generate_by_chatgpt=True, chatgpt_settings={"api_key": "sk-secret"})
    assert "sk-secret" not in repr(c) and "sk-secret" not in str(c.model_dump())
    assert "sk-secret" not in c.model_dump_json()
    stored = dump_config(c)
    assert stored["chatgpt_settings"]["api_key"] == "sk-secret"
    shown = redact_config(stored)
    assert shown["chatgpt_settings"]["api_key"] == "***"
    assert stored["chatgpt_settings"]["api_key"] == "sk-secret"  # input untouched


def test_body_needs_exactly_one_kind_of_unit_and_ordered_intervals():
    base = {"script_name": "post", "script_config": {}}
    CreateTaskBody.model_validate({**base, "serials": ["a"]})
    for bad in (
        base,
        {**base, "serials": ["a"], "usernames": ["b"]},
        {**base, "serials": []},
        {**base, "serials": ["a"], "min_interval": 5, "max_interval": 1},
        {**base, "serials": ["a"], "start_time": "24:00"},
        {**base, "usernames": ["a"], "enable_multi_account": True},
    ):
        with pytest.raises(ValidationError):
            CreateTaskBody.model_validate(bad)


def test_task_status_text():
    assert [s.text for s in TaskStatus] == ["pending", "running", "completed", "failed"]
    assert TaskStatus(3).text == "failed"


def test_task_record_has_the_api_fields_plus_step_progress_runner_and_result():
    assert list(TaskRecord.model_fields) == [
        "id", "serial", "username", "script_name", "script_config", "status", "status_text",
        "source", "manifest", "job_count", "start_time", "end_time", "create_time",
        "retry_count", "remark", "step", "progress", "runner", "result",
    ]  # fmt: skip
    r = TaskRecord(
        id=1, serial="sim-0001", username=None, script_name="follow", script_config={},
        status=2, source="spool", manifest="follow", job_count=0,
        start_time="2026-11-22 10:15:02", end_time=None, create_time="2026-11-22 10:15:00",
    )  # fmt: skip
    assert r.status_text == "completed"
    assert r.model_dump(mode="json")["status"] == 2


def test_manifest_envelope_names():
    spec = {"serials": ["a"], "script_name": "post", "script_config": {}}
    m = TaskManifest.model_validate(
        {
            "apiVersion": "tikrunner/v1",
            "kind": "Task",
            "metadata": {"name": "morning-follow"},
            "spec": spec,
        }
    )
    assert m.metadata.labels == {}
    for name in ("Morning", "-a", "a" * 64, "a b", ""):
        with pytest.raises(ValidationError):
            TaskManifest.model_validate(
                {
                    "apiVersion": "tikrunner/v1",
                    "kind": "Task",
                    "metadata": {"name": name},
                    "spec": spec,
                }
            )
