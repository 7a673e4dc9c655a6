"""A real browser (headless Chromium) opens a page of another origin that tries to drive the API:
a ``text/plain`` fetch and two form POSTs (``text/plain`` and form-encoded, the classic way to smuggle
a JSON body cross-site). None of them may create a task (issue 10).

The hostile page is served from 127.0.0.1 on another port (another origin, same address space, so
Chromium's local-network rules do not get in the way); it reports to its own server once every
request has been answered, and the test waits for that report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.http.conftest import data, follow_body

PAGE = """<!doctype html>
<html><body>
<iframe name="plain"></iframe><iframe name="encoded"></iframe>
<form id="f1" method="POST" action="{api}" enctype="text/plain" target="plain">
  <input name='{json_head}' value='{json_tail}'>
</form>
<form id="f2" method="POST" action="{api}" target="encoded">
  <input name="body" value='{body}'>
</form>
<script>
const loaded = (name) => new Promise((ok) => {{
  document.querySelector(`iframe[name=${{name}}]`).addEventListener("load", ok, {{once: true}});
}});
async function attack() {{
  let fetched = "sent";
  try {{
    await fetch("{api}", {{method: "POST", mode: "no-cors",
      headers: {{"Content-Type": "text/plain"}}, body: {body_js}}});
  }} catch (e) {{ fetched = "error"; }}
  const both = Promise.all([loaded("plain"), loaded("encoded")]);
  document.getElementById("f1").submit();
  document.getElementById("f2").submit();
  await both;
  await fetch("/done?fetch=" + fetched);
}}
attack();
</script>
</body></html>
"""


class Attacker:
    """The hostile site: serves PAGE at / and records the page's report at /done."""

    def __init__(self, page: str):
        self.page = page.encode()
        self.report: str | None = None
        self.done = threading.Event()
        attacker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path.startswith("/done"):
                    attacker.report = self.path
                    attacker.done.set()
                    body = b"ok"
                else:
                    body = attacker.page
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> Attacker:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip(
            "chromium is not installed and could not be (.ci/run: apt-get install chromium)"
        )
    return path


def test_a_page_of_another_origin_cannot_create_tasks(fresh, tmp_path: Path):
    browser = chromium()
    text = json.dumps(follow_body("sim-0001", "victim_of_fetch"))
    # A text/plain form sends "name=value": a name ending inside a string field and a value
    # closing it make the whole body valid JSON (target_user is ignored: target_users wins).
    smuggled = json.dumps(
        follow_body("sim-0001", "victim_of_form")
        | {"script_config": {"target_users": ["victim_of_form"], "target_user": "PAD"}}
    )
    head, tail = smuggled.split("PAD")
    page = PAGE.format(
        api=f"{fresh.base_url}/task",
        json_head=head.replace("'", "&#39;"),
        json_tail=tail,
        body=text.replace("'", "&#39;"),
        body_js=json.dumps(text),
    )
    with Attacker(page) as site:
        process = subprocess.Popen(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--no-first-run",
                f"--user-data-dir={tmp_path / 'profile'}",
                site.url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            reported = site.done.wait(60)
        finally:
            process.kill()
            process.wait(10)
    assert reported, "the hostile page never reported that its requests were answered"
    assert site.report == "/done?fetch=sent"
    assert data(fresh.client.get("/task/stats"))["total"] == 0
