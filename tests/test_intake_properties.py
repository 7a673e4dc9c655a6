"""Property tests of fan-out: counts, job numbering, target splitting, and inputs left untouched."""

from __future__ import annotations

import copy
import random
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.config import Account
from runner.intake import IntakeContext, plan_body
from runner.models import split_targets

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
SERIALS = [f"sim-{i:04d}" for i in range(1, 6)]
ACCOUNTS = [
    Account(username=f"acct{i}_{j}", serial=s)
    for i, s in enumerate(SERIALS)
    for j in range(i % 3 + 1)
]

names = st.from_regex(r"@?[a-z][a-z0-9_.]{0,10}", fullmatch=True)
# Any run of separators and blank space that holds at least one comma or newline.
separators = st.lists(
    st.sampled_from([",", "\n", "\r\n", ", ", " ,\n ", ",\t", "\n \n"]), min_size=1, max_size=3
).map("".join)


@st.composite
def target_strings(draw) -> tuple[str, list[str]]:
    """A target_user string made of names joined by any mix of separators and blank items."""
    items = draw(st.lists(names, max_size=6))
    parts = [draw(separators)] if draw(st.booleans()) else []
    for item in items:
        parts += [draw(st.sampled_from(["", " ", "\t"])) + item + draw(st.sampled_from(["", " "]))]
        parts += [draw(separators)]
    return "".join(parts), items


@given(target_strings())
def test_target_user_splits_into_exactly_the_non_blank_items_in_order(case):
    text, items = case
    assert split_targets(text) == items


@st.composite
def follow_bodies(draw) -> dict:
    body: dict = {"script_name": draw(st.sampled_from(["follow", "unfollow"]))}
    mode = draw(st.sampled_from(["serials", "multi", "usernames"]))
    if mode == "usernames":
        body["usernames"] = draw(
            st.lists(
                st.sampled_from([a.username for a in ACCOUNTS]), min_size=1, max_size=4, unique=True
            )
        )
    else:
        body["serials"] = draw(
            st.lists(st.sampled_from(SERIALS), min_size=1, max_size=4, unique=True)
        )
        body["enable_multi_account"] = mode == "multi"
    users = draw(st.lists(names, min_size=1, max_size=5))
    how = draw(st.sampled_from(["target_users", "target_user", "target_username"]))
    body["script_config"] = {how: users if how == "target_users" else ",".join(users)}
    low = draw(st.integers(0, 30))
    body["min_interval"], body["max_interval"] = low, low + draw(st.integers(0, 30))
    return body


def units_of(body: dict) -> int:
    if "usernames" in body:
        return len(body["usernames"])
    if body.get("enable_multi_account"):
        return sum(1 for a in ACCOUNTS if a.serial in body["serials"])
    return len(body["serials"])


@settings(max_examples=60, deadline=None)
@given(follow_bodies(), st.integers(0, 2**32))
def test_fan_out_is_units_times_targets_numbered_in_order_without_touching_the_input(body, seed):
    before = copy.deepcopy(body)
    ctx = IntakeContext(accounts=ACCOUNTS, now=NOW, rng=random.Random(seed))
    tasks = plan_body(body, ctx=ctx)
    cfg = body["script_config"]
    targets = cfg.get("target_users") or split_targets(
        cfg.get("target_user", "") or cfg.get("target_username", "")
    )
    assert len(tasks) == units_of(body) * len(targets)
    assert [t.job_count for t in tasks] == list(range(len(tasks)))
    assert [t.script_config["target_users"][0] for t in tasks[:: units_of(body)]] == targets
    assert body == before
    # per device, tasks are spaced by the body's interval bounds (minutes -> seconds)
    for serial in {t.serial for t in tasks}:
        starts = [t.start_at for t in tasks if t.serial == serial]
        assert starts[0] == NOW.timestamp()
        for a, b in zip(starts, starts[1:], strict=False):
            assert body["min_interval"] * 60 <= b - a <= body["max_interval"] * 60


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def create_bodies(draw) -> dict:
    """A create-task body for a known script, right or wrong anywhere: fields of its config (or
    unknown ones) with any JSON values, units and other body fields present or not."""
    from runner.models import SCRIPT_CONFIGS

    script = draw(st.sampled_from(sorted(SCRIPT_CONFIGS)))
    fields = [*SCRIPT_CONFIGS[script].model_fields, "no_such_field"]
    config = draw(st.dictionaries(st.sampled_from(fields), json_values, max_size=4))
    body: dict = {"script_name": script, "script_config": config}
    if draw(st.booleans()):
        body["serials"] = draw(st.lists(st.text(max_size=8), max_size=2) | json_values)
    if draw(st.booleans()):
        body["usernames"] = draw(st.lists(st.text(max_size=8), max_size=2))
    for key in ("start_time", "enable_multi_account", "min_interval", "surprise"):
        if draw(st.booleans()):
            body[key] = draw(json_values)
    return body


@settings(max_examples=300, deadline=None)
@given(create_bodies(), st.booleans())
def test_the_check_of_one_scripts_rules_finds_what_the_whole_schema_finds(body, envelope):
    """intake checks a body against its own script's rules only (schemagen.script_validator):
    the same errors, word for word and pointer for pointer, as the whole schema's (every
    script's ``if``), for bodies and for Task envelopes."""
    from runner import schemagen
    from runner.intake import _schema_details

    if envelope:
        doc, file = {"apiVersion": "tikrunner/v1", "kind": "Task", "metadata": {"name": "m"},
                     "spec": body}, schemagen.TASK_MANIFEST  # fmt: skip
    else:
        doc, file = body, schemagen.CREATE_TASK

    def details(validator) -> list:
        return [d for e in validator.iter_errors(doc) for d in _schema_details(e, "")]

    whole = details(schemagen.validator(file))
    one = details(schemagen.script_validator(file, body["script_name"]))
    assert one == whole
