"""Safe YAML: what a manifest author notices (14:30 stays a time, dates stay strings) and what a
hostile file gets (a refusal with a line, never a hang, never another exception)."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from runner.errors import IntakeError
from runner.yamlsafe import load_document, load_yaml_text


def load(
    text: str | bytes, filename: str = "m.yaml", max_bytes: int = 1_000_000, max_depth: int = 32
):
    data = text.encode() if isinstance(text, str) else text
    return load_document(data, filename=filename, max_bytes=max_bytes, max_depth=max_depth)


def refused(text: str | bytes, **kw) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        load(text, **kw)
    assert info.value.code == 40001
    return info.value


def test_yaml_12_keeps_times_dates_and_words_as_strings():
    doc = load("start_time: 14:30\nday: 2026-11-22\nflag: on\nn: 0o17\nnull_: ~\nf: 1.5\n")
    assert doc == {
        "start_time": "14:30",
        "day": "2026-11-22",
        "flag": "on",
        "n": 15,
        "null_": None,
        "f": 1.5,
    }


def test_output_is_plain_json_types():
    doc = load("a: [1, 'x', true, null, {b: 2.5}]\n# comment\nc: |\n  text\n")
    assert type(doc) is dict and type(doc["a"]) is list
    assert json.loads(json.dumps(doc)) == doc


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("%YAML 1.1\n---\nstart_time: 14:30\n", "directives"),
        ("%TAG !e! tag:example.com,2000:\n---\na: 1\n", "directives"),
        ("a: &x [1]\nb: 2\n", "anchors"),
        ("a: 1\nb: *x\n", "alias"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("a: 1\n---\nb: 2\n", "more than one"),
        ("a: !!timestamp 2026-11-22\n", "tag"),
        ("a: !!python/object:os.system ls\n", "tag"),
        ("? [1, 2]\n: x\n", "keys must be scalars"),
        ("a: .inf\n", "finite"),
        ("a: [1, 2\n", "invalid YAML"),
    ],
)
def test_refused_documents_name_the_problem_and_where(text, words):
    err = refused(text)
    assert words in err.message
    assert err.message.startswith("m.yaml: ")


def test_errors_carry_line_and_column():
    err = refused("a: 1\nb:\n  c: 2\n  c: 3\n")
    assert "line 4, column 3" in err.message
    assert err.details[0].pointer == "" and err.details[0].message.startswith("line 4, column 3")


def test_billion_laughs_is_refused_at_the_first_anchor():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    assert "line 1" in refused(bomb).message


@pytest.mark.parametrize("filename", ["deep.yaml", "deep.json"])
def test_100k_deep_nesting_is_refused_quickly(filename):
    started = time.monotonic()
    err = refused("[" * 100_000 + "]" * 100_000, filename=filename, max_bytes=300_000)
    assert "nesting deeper than 32" in err.message
    assert time.monotonic() - started < 3


def test_block_nesting_over_the_cap_is_refused_but_at_the_cap_is_fine():
    assert load("a:\n  b: 1\n", max_depth=2) == {"a": {"b": 1}}
    refused("a:\n  b:\n    c: 1\n", max_depth=2)


def test_oversize_and_non_utf8_and_huge_keys_are_refused():
    assert "more than the limit" in refused("a: 1\n" * 10, max_bytes=20).message
    assert "UTF-8" in refused(b"a: \xff\xfe\n").message
    refused("k" * 200_000 + ": v\n")
    refused("a: " + "1" * 10_000 + "\n")  # more digits than Python converts


def test_utf8_bom_and_non_ascii_are_fine():
    assert load("\ufeffcomment: Love this! 🔥\n".encode()) == {"comment": "Love this! 🔥"}


def test_empty_document_is_none():
    assert load("") is None
    assert load("# nothing\n") is None


def test_json_files_are_json_with_the_same_caps():
    assert load('{"start_time": "14:30", "n": 5}', filename="b.json") == {
        "start_time": "14:30",
        "n": 5,
    }
    assert "duplicate key" in refused('{"a": 1, "a": 2}', filename="b.json").message
    assert "NaN" in refused('{"a": NaN}', filename="b.json").message
    assert "line 1, column" in refused('{"a": [1, 2}', filename="b.json").message
    # brackets inside strings do not count as nesting
    assert load('{"a": "[[[[[[[[[[[["}', filename="b.json", max_depth=1) == {"a": "[[[[[[[[[[[["}


def test_load_yaml_text_uses_the_same_rules():
    assert load_yaml_text("timezone: Europe/Berlin\n") == {"timezone": "Europe/Berlin"}
    with pytest.raises(IntakeError):
        load_yaml_text("a: &x 1\n")


# ---------------------------------------------------------------------------- properties

_keys = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _documents, max_size=5))
def test_plain_documents_round_trip(doc):
    """Anything ruamel dumps from plain JSON-like data loads back equal (YAML 1.2 both ways)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False  # ruamel's flow emitter writes {:0: null}, which it cannot read
    buf = StringIO()
    yaml.dump(doc, buf)
    assert load(buf.getvalue(), max_depth=64) == doc
    assert load(json.dumps(doc), filename="d.yaml", max_depth=64) == doc  # JSON is YAML 1.2
    assert load(json.dumps(doc), filename="d.json", max_depth=64) == doc


_hostile_fragments = st.sampled_from(
    [
        "&a ",
        "*a",
        "%YAML 1.1\n---\n",
        "%TAG ! tag:x,1:\n---\n",
        "[" * 40,
        "{" * 40,
        "\n---\n",
        "!!binary ",
        "\xff",
    ]
)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=40), _hostile_fragments, st.text(max_size=40))
def test_hostile_documents_only_ever_raise_intake_error(before, fragment, after):
    """Aliases, anchors, directives, deep nesting, extra documents: an IntakeError or a value."""
    for filename in ("h.yaml", "h.json"):
        try:
            load(before + fragment + after, filename=filename)
        except IntakeError:
            pass


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_only_ever_raise_intake_error(data):
    for filename in ("b.yaml", "b.json"):
        try:
            load(data, filename=filename)
        except IntakeError:
            pass


def test_escaped_surrogate_pairs_join_and_lone_ones_are_refused():
    assert load('a: "\\ud83d\\udd25"\n') == {"a": "🔥"}
    assert load('{"a": "\\ud83d\\udd25"}', filename="a.json") == {"a": "🔥"}
    refused('a: "\\ud800"\n')
    refused('{"a": ["\\ud800"]}', filename="a.json")
