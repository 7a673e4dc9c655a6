"""Status files read back as exactly what was written: a task row's nested ``script_config``
included, whatever characters its strings hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from runner.status import dump_status

scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text()
configs = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(config=st.dictionaries(st.text(), configs, max_size=5), remark=st.text())
def test_a_task_row_reads_back_exactly(config, remark):
    doc = {
        "manifest": "m",
        "counts": {"total": 1},
        "tasks": [{"id": 7, "script_config": config, "remark": remark, "step": None}],
    }
    assert YAML(typ="safe", pure=True).load(dump_status(doc)) == doc
