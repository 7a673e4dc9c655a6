"""``/docs`` works offline (issue 11, item 5): the Swagger UI page and everything it loads come
from this runner, never from another host, and the browser guard keeps applying to them."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.http.conftest import LiveRunner, error
from tests.http.test_browser import chromium

TOKEN = "docs-token-3f9a"


@pytest.fixture(scope="module")
def docs_runner(live_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveRunner]:
    """A runner without phones and with a token (the docs must not need it), on each engine."""
    runner = LiveRunner(
        tmp_path_factory.mktemp("docs"), simulate=0, api_token=TOKEN, store=live_store
    ).start()
    yield runner
    runner.stop()


def origin(runner: LiveRunner) -> str:
    return runner.base_url.removesuffix("/api/v1")


def referenced(html: str) -> list[str]:
    """Every URL the page names: src and href attributes, and the script's ``url: '...'``."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    found += re.findall(r"""\burl\s*:\s*['"]([^'"]+)['"]""", html)
    return found


def test_the_docs_page_names_only_this_runners_own_assets_and_each_is_served(docs_runner):
    with httpx.Client(base_url=origin(docs_runner), timeout=30) as client:  # no token sent
        page = client.get("/docs")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        assert "://" not in html  # no absolute URL at all
        urls = referenced(html)
        assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        assert sorted(urls) == [
            "/docs/assets/favicon-32x32.png",
            "/docs/assets/swagger-ui-bundle.js",
            "/docs/assets/swagger-ui.css",
            "/openapi.json",
        ]
        kinds = {}
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, url
            kinds[url.rsplit(".", 1)[-1]] = answer.headers["content-type"]
            assert len(answer.content) > 500, url
        assert kinds == {
            "png": "image/png",
            "js": "text/javascript; charset=utf-8",
            "css": "text/css; charset=utf-8",
            "json": "application/json",
        }
        assert b"SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").content
        assert "validatorUrl" in html  # Swagger UI's online validator badge is off
        error(client.get("/docs/assets/index.html"), 40401)  # only the listed files
        error(client.get("/docs/assets/..%2Fdocs.py"), 40401)


def test_the_browser_guard_applies_to_the_docs_and_their_assets(docs_runner):
    with httpx.Client(base_url=origin(docs_runner), timeout=30) as client:
        for path in ("/docs", "/docs/assets/swagger-ui-bundle.js"):
            error(client.get(path, headers={"Host": "evil.example:80"}), 40301)
            error(client.get(path, headers={"Origin": "http://evil.example"}), 40301)
        error(client.get("/api/v1/task/stats"), 40301)  # the API itself still wants the token


def test_swagger_ui_renders_the_api_with_every_other_host_unreachable(docs_runner, tmp_path: Path):
    browser = chromium()
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            # Offline: every name but the runner's address fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            f"{origin(docs_runner)}/docs",
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    dom = done.stdout
    # Swagger UI drew the document: the title and an operation block per endpoint.
    assert "tikrunner: TikMatrix local API" in dom, dom[-2000:]
    assert dom.count('class="opblock opblock-') >= 10, dom[-2000:]
    assert "/api/v1/task/{task_id}" in dom
