"""The OpenAPI document tells the truth: schemathesis generates requests from ``/openapi.json``
(valid and invalid ones) against the real server; no answer is a 5xx, every status is documented,
and every body matches the documented schema for its status."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

# schemathesis is imported by the tests that use it, not at collection: every pytest-xdist worker
# collects every module, and importing it (with pytest rewriting its 160 modules, since it is a
# pytest plugin's package) cost each worker about a second of CPU. Its pytest plugin is not used
# (``-p no:schemathesis`` in pyproject.toml): these tests drive it through hypothesis themselves.


def checks() -> list:
    """The schemathesis checks every answer must pass."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ]


OPERATIONS = [
    ("GET", "/api/v1/license/check"),
    ("POST", "/api/v1/task"),
    ("GET", "/api/v1/task"),
    ("DELETE", "/api/v1/task/batch"),
    ("GET", "/api/v1/task/stats"),
    ("POST", "/api/v1/task/retry-all"),
    ("GET", "/api/v1/task/{task_id}"),
    ("DELETE", "/api/v1/task/{task_id}"),
    ("POST", "/api/v1/task/{task_id}/stop"),
    ("POST", "/api/v1/task/{task_id}/retry"),
    ("GET", "/api/v1/task/{task_id}/log"),
    ("GET", "/api/v1/task/{task_id}/artifacts"),
    ("GET", "/api/v1/task/{task_id}/artifacts/{name}"),
    ("GET", "/api/v1/accounts"),
    ("GET", "/api/v1/devices"),
    ("GET", "/api/v1/devices/{serial}"),
    ("GET", "/api/v1/manifests"),
    ("GET", "/api/v1/runners"),
]


@pytest.fixture(scope="module")
def api_schema(live):
    import schemathesis

    return schemathesis.openapi.from_url(live.base_url.removesuffix("/api/v1") + "/openapi.json")


WITH_QUERY = ("/api/v1/task", "/api/v1/accounts", "/api/v1/manifests")
WITH_INPUT = [(m, p) for m, p in OPERATIONS if m != "GET" or "{" in p or p in WITH_QUERY]
WITH_INPUT = [op for op in WITH_INPUT if op[1] != "/api/v1/task/retry-all"]
#: (method, path, generation mode): schemathesis's GenerationMode values, "positive" and "negative".
CASES = [(*op, "positive") for op in OPERATIONS] + [(*op, "negative") for op in WITH_INPUT]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_every_answer_matches_the_document(api_schema, method, path, mode):
    from schemathesis import GenerationMode

    operation = api_schema[path][method]
    every = checks()

    @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(checks=every, timeout=30)

    check()


def test_the_document_describes_the_envelope_and_every_error(live):
    doc = httpx.get(live.base_url.removesuffix("/api/v1") + "/openapi.json").json()
    paths = doc["paths"]
    assert set(paths) == {
        "/api/v1/license/check",
        "/api/v1/task",
        "/api/v1/task/batch",
        "/api/v1/task/stats",
        "/api/v1/task/retry-all",
        "/api/v1/task/{task_id}",
        "/api/v1/task/{task_id}/stop",
        "/api/v1/task/{task_id}/retry",
        "/api/v1/task/{task_id}/log",
        "/api/v1/task/{task_id}/result",
        "/api/v1/task/{task_id}/artifacts",
        "/api/v1/task/{task_id}/artifacts/{name}",
        "/api/v1/accounts",
        "/api/v1/devices",
        "/api/v1/devices/{serial}",
        "/api/v1/manifests",
        "/api/v1/runners",
    }
    schemas = doc["components"]["schemas"]
    for path, item in paths.items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)
            assert {"200", "400", "403", "500"} <= set(responses), (method, path)
            if "{task_id}" in path or "{serial}" in path:
                assert "404" in responses
            if path.endswith("/log"):  # plain text
                assert set(responses["200"]["content"]) == {"text/plain"}, path
                continue
            if path.endswith("/artifacts/{name}"):  # a file, typed by its extension
                assert "image/jpeg" in responses["200"]["content"], path
                continue
            ok = responses["200"]["content"]["application/json"]["schema"]["$ref"]
            envelope = schemas[ok.rsplit("/", 1)[1]]
            assert set(envelope["required"]) >= {"data"}
            assert envelope["properties"]["code"]["const"] == 0
    task = schemas["TaskRecord"] if "TaskRecord" in schemas else schemas["Task"]
    assert set(task["properties"]) == {
        "id", "serial", "username", "script_name", "script_config", "status", "status_text",
        "source", "manifest", "job_count", "start_time", "end_time", "create_time",
        "retry_count", "remark", "step", "progress", "runner", "result",
    }  # fmt: skip
    create = paths["/api/v1/task"]["post"]["requestBody"]["content"]["application/json"]
    assert create["schema"] == {"$ref": "#/components/schemas/CreateTaskBody"}
    per_script = str(schemas["CreateTaskBody"]["allOf"])  # one (script_name, config) per script
    assert "FollowConfig" in schemas and "#/components/schemas/ProfileConfig" in per_script
    assert schemas["BadRequest"]["properties"]["code"]["enum"] == [40001, 40002, 40003, 40004]
