"""A web page the operator opens must not drive the API (issue 10): bodies must be JSON, a foreign
Origin and a Host that does not name the API are refused, and a trailing slash is answered in the
envelope instead of a redirect built from the Host header. Real HTTP against a real runner."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from runner.http.security import HostRule
from tests.http.conftest import data, error, follow_body


def _raw(body: dict) -> bytes:
    return json.dumps(body).encode()


def total(runner) -> int:
    return data(runner.client.get("/task/stats"))["total"]


def port_of(runner) -> int:
    return runner.runner.http_address.port


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
def test_a_body_that_is_not_declared_json_creates_nothing(fresh, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    answer = fresh.client.post("/task", content=_raw(follow_body("sim-0001")), headers=headers)
    body = error(answer, 40001)
    assert body["data"]["errors"][0]["pointer"] == "/headers/content-type"
    assert "application/json" in body["message"]
    assert total(fresh) == 0


def test_json_with_a_charset_is_accepted_and_another_charset_is_not(live):
    raw = _raw(follow_body("sim-0001", "cs"))
    ok = live.client.post(
        "/task", content=raw, headers={"Content-Type": "Application/JSON; charset=utf-8"}
    )
    assert data(ok)["created_count"] == 1
    latin = live.client.post(
        "/task", content=raw, headers={"Content-Type": "application/json; charset=latin-1"}
    )
    assert "UTF-8" in error(latin, 40001)["message"]


def test_delete_batch_needs_a_json_body_too(live):
    answer = live.client.request(
        "DELETE",
        "/task/batch",
        content=b'{"task_ids": [1]}',
        headers={"Content-Type": "text/plain"},
    )
    error(answer, 40001)


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:1", "file://", "http://localhost"]
)
def test_a_foreign_origin_is_40301_and_creates_stops_nothing(fresh, origin):
    headers = {"Origin": origin}
    error(fresh.client.post("/task", json=follow_body("sim-0001"), headers=headers), 40301)
    assert total(fresh) == 0
    created = data(fresh.client.post("/task", json=follow_body("sim-0001")))["task_ids"]
    error(fresh.client.post(f"/task/{created[0]}/stop", headers=headers), 40301)
    error(fresh.client.post("/task/retry-all", headers=headers), 40301)
    assert fresh.task(created[0])["remark"] != "stopped"
    error(fresh.client.get("/task", headers=headers), 40301)


def test_the_api_s_own_origin_is_accepted(live):
    port = port_of(live)
    for origin in (f"http://127.0.0.1:{port}", f"http://LOCALHOST:{port}"):
        answer = live.client.post(
            "/task", json=follow_body("sim-0002", "own"), headers={"Origin": origin}
        )
        assert data(answer)["created_count"] == 1


def test_a_host_that_does_not_name_the_api_is_40301(live):
    port = port_of(live)
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", "127.0.0.1"):
        for method, path in (("GET", "/task"), ("POST", "/task/retry-all")):
            body = error(live.client.request(method, path, headers={"Host": host}), 40301)
            assert "allowed_hosts" in body["message"]
        assert live.client.get("/openapi.json", headers={"Host": host}).status_code == 403
    assert data(live.client.get("/task/stats", headers={"Host": f"localhost:{port}"}))


def test_allowed_hosts_adds_names(make_live):
    runner = make_live(allowed_hosts=["farm.lan", "proxy.lan:8443"])
    port = port_of(runner)
    for host in ("farm.lan", f"FARM.lan:{port}", "farm.lan:80", "proxy.lan:8443"):
        assert data(runner.client.get("/task/stats", headers={"Host": host}))
    error(runner.client.get("/task/stats", headers={"Host": "proxy.lan:9000"}), 40301)
    error(runner.client.get("/task/stats", headers={"Host": "other.lan"}), 40301)
    answer = runner.client.post(
        "/task",
        json=follow_body("sim-0001"),
        headers={"Host": "farm.lan", "Origin": "https://farm.lan"},
    )
    assert data(answer)["created_count"] == 1


def test_a_trailing_slash_is_answered_in_the_envelope_not_redirected(live):
    created = data(live.client.post("/task", json=follow_body("sim-0003", "slash")))["task_ids"]
    answer = live.client.get(f"/task/{created[0]}/", headers={"Host": f"localhost:{port_of(live)}"})
    assert "location" not in answer.headers
    body = error(answer, 40401)
    assert body["message"].endswith(f"(without the trailing slash: /api/v1/task/{created[0]})")
    error(live.client.get("/nothing/here/"), 40401)


# ---------------------------------------------------------------------------- the host rule


def test_a_bound_name_also_accepts_the_addresses_it_names():
    rule = HostRule("localhost", 50809)
    assert rule.accepts_header("127.0.0.1:50809") and rule.accepts_header("localhost:50809")
    assert not rule.accepts_header("10.1.2.3:50809")


@given(st.text(max_size=60))
@example("localhost:\u00b9")  # str.isdigit() is True for a superscript one; int() refuses it
@example("[::1]:\u0661")
def test_any_header_text_is_judged_without_raising(text):
    rule = HostRule("127.0.0.1", 50809, ["farm.lan"])
    assert rule.accepts_header(text) in (True, False)
    assert rule.accepts_origin(text) in (True, False)


@given(st.ip_addresses(), st.integers(1, 65535))
def test_a_wildcard_bind_accepts_address_literals_on_its_port_only(ip, port):
    rule = HostRule("0.0.0.0", port)
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    assert rule.accepts_header(f"{literal}:{port}")
    assert rule.accepts_origin(f"http://{literal}:{port}")
    other = port % 65535 + 1
    assert not rule.accepts_header(f"{literal}:{other}")
    assert (
        not HostRule("127.0.0.1", port).accepts_header(f"{literal}:{port}")
        or str(ip) == "127.0.0.1"
    )


def test_a_port_of_non_ascii_digits_is_a_clear_bind_error():
    from runner.http.server import HttpBindError, parse_bind

    with pytest.raises(HttpBindError, match="is not HOST:PORT"):
        parse_bind("127.0.0.1:\u00b9")


# ------------------------------------------------- a refused request keeps the connection usable


def _refused_exchange(guard, body_chunks: list[bytes], content_length: int):
    """Drive ``guard`` through ASGI with a request whose body arrives in ``body_chunks``; return
    (how many chunks it read before it answered, the answer's headers)."""
    import trio

    async def app(scope, receive, send):  # pragma: no cover - the guard refuses first
        raise AssertionError("a refused request reached the app")

    read_before_answer: list[int] = []
    chunks = list(body_chunks)
    taken = 0
    headers: dict[bytes, bytes] = {}

    async def receive():
        nonlocal taken
        chunk = chunks.pop(0)
        taken += 1
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message):
        if message["type"] == "http.response.start":
            read_before_answer.append(taken)
            headers.update(dict(message["headers"]))

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/task",
        "headers": [
            (b"host", b"localhost:50809"),
            (b"origin", b"http://evil.example"),
            (b"content-type", b"application/json"),
            (b"content-length", str(content_length).encode()),
        ],
    }
    trio.run(guard(app, rule=HostRule("127.0.0.1", 50809)), scope, receive, send)
    return read_before_answer[0], headers


def test_a_refused_request_s_body_is_read_before_the_answer_so_the_connection_is_reused():
    """hypercorn (h11) closes a connection whose request body was not read when the answer ended;
    a client that already sent its next request on it got "Server disconnected without sending a
    response" (seen in CI: the GET after a refused POST)."""
    from runner.http.security import BrowserGuard

    read, headers = _refused_exchange(BrowserGuard, [b'{"a":', b" 1}"], 8)
    assert read == 2
    assert headers.get(b"connection") != b"close"


def test_a_refused_request_with_a_huge_body_is_answered_connection_close():
    from runner.http.security import DRAIN_LIMIT, BrowserGuard

    chunk = b"x" * 65536
    count = DRAIN_LIMIT // len(chunk) + 4
    read, headers = _refused_exchange(BrowserGuard, [chunk] * count, len(chunk) * count)
    assert read < count
    assert headers[b"connection"] == b"close"


def test_a_refused_post_then_a_get_on_one_connection_both_answer(fresh):
    for _ in range(20):
        error(
            fresh.client.post("/task", json=follow_body("sim-0001"), headers={"Origin": "null"}),
            40301,
        )
        assert total(fresh) == 0
