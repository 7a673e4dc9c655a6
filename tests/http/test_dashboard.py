"""The dashboard at ``/`` (issue 11, item 5), driven in a real headless Chromium through
playwright against a real runner on simulated phones: the phone list, a task dropped in the spool
appearing and completing without a reload, a failed task's page with its screenshot, log and
hierarchy, stop and retry from the page, the token asked for, values from the API shown as text,
the accounts with a cool-down, a limit reached and working hours (issue 14 item 4).

One browser per module (Debian's chromium, found on PATH; playwright never downloads one); every
test waits on what the page shows, never for a fixed time. A screenshot of each page is kept under
the test's temp folder (``shots/``). The headers of the page itself are checked without a
browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.http.conftest import LiveRunner, data, error, follow_body, later
from tests.http.test_browser import chromium

WAIT_MS = 30_000
PHONE = {"width": 390, "height": 844}  # a phone's CSS pixels (iPhone 12-15)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="module")
def site(live_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveRunner]:
    runner = LiveRunner(tmp_path_factory.mktemp("dash"), store=live_store).start()
    yield runner
    runner.stop()


def root(live: LiveRunner) -> str:
    return live.base_url.removesuffix("/api/v1")


class Page:
    """A browser tab on the dashboard that records the page's console errors."""

    def __init__(self, browser, live: LiveRunner, shots: Path, **context):
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.base = root(live)
        self.shots = shots

    def open(self, fragment: str = "") -> None:
        self.page.goto(f"{self.base}/{fragment}")

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, site, shots) -> Iterator[Page]:
    page = Page(browser, site, shots, viewport={"width": 1280, "height": 800})
    yield page
    page.close()
    assert page.errors == []  # no CSP violation, no script error, no failed call


def test_the_page_is_served_with_its_headers_and_without_data(site):
    answer = httpx.get(root(site) + "/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "<script" in answer.text and "sim-0001" not in answer.text
    assert "http://" not in answer.text and "https://" not in answer.text  # nothing from elsewhere
    for asset in ("dashboard.js", "dashboard.css", "icon.svg"):
        got = httpx.get(f"{root(site)}/ui/{asset}")
        assert got.status_code == 200 and got.headers["x-content-type-options"] == "nosniff"
        again = httpx.get(
            f"{root(site)}/ui/{asset}", headers={"If-None-Match": got.headers["etag"]}
        )
        assert again.status_code == 304
    js = httpx.get(f"{root(site)}/ui/dashboard.js").text
    assert "innerHTML" not in js and "https://" not in js and "http://" not in js
    error(httpx.get(f"{root(site)}/ui/nonesuch.js"), 40401)
    error(httpx.get(f"{root(site)}/ui/index.html"), 40401)


def test_the_phone_list_shows_the_simulated_phones_on_a_laptop_and_a_phone(
    browser, site, shots, tab
):
    tab.open("#/phones")
    for serial in site.serials:
        tab.page.locator("#phones tr", has_text=serial).wait_for()
    assert tab.page.locator("#phones tbody tr").count() == len(site.serials)
    row = tab.page.locator("#phones tr", has_text="sim-0001")
    assert row.locator(".badge").inner_text() == "device"
    tab.page.locator("#stats a", has_text="tasks").wait_for()
    tab.shot("phones")

    narrow = Page(browser, site, shots, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        narrow.open("#/phones")
        narrow.page.locator("#phones tr", has_text=site.serials[-1]).wait_for()
        # every row a card, nothing wider than the screen
        width = narrow.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        label = narrow.page.locator("#phones td[data-label='State']").first
        assert label.is_visible()
        narrow.shot("phones-narrow")
    finally:
        narrow.close()
    assert narrow.errors == []


def test_a_task_dropped_in_the_spool_appears_and_completes_without_a_reload(site, tab):
    tab.open("#/tasks")
    tab.page.locator("#tasks").wait_for()
    phones = tab.context.new_page()  # the phone list, open at the same time
    phones.set_default_timeout(WAIT_MS)
    phones.goto(f"{tab.base}/#/phones")
    phones.locator("#phones tr", has_text="sim-0002").wait_for()
    for page in (tab.page, phones):
        page.evaluate("() => { window.notReloaded = true; }")
    incoming = site.spool / "incoming"
    (incoming / ".dash-drop.yaml").write_text(
        "serials: [sim-0002]\nscript_name: follow\n"
        "script_config: {target_users: [dropped_one], access_method: direct}\n",
        encoding="utf-8",
    )
    phone = site.sim.phone("sim-0002")
    phone.latency = 0.3  # slow enough for both pages to show it running, with its progress
    try:
        (incoming / ".dash-drop.yaml").rename(incoming / "dash-drop.yaml")
        row = tab.page.locator("#tasks tr", has_text="dash-drop")
        row.locator(".badge", has_text="running").wait_for()
        row.locator(".progress").wait_for()  # the script's step, as the API's progress says
        busy = phones.locator("#phones tr", has_text="sim-0002")
        busy.locator("a[href^='#/task/']").wait_for()  # the task running on the phone
        busy.locator(".progress").wait_for()
        phones.screenshot(path=str(tab.shots / "phones-running.png"), full_page=True)
    finally:
        phone.latency = 0.0
    row.locator(".badge", has_text="completed").wait_for()
    phones.locator("#phones tr", has_text="sim-0002").get_by_text("idle").wait_for()
    for page in (tab.page, phones):
        assert page.evaluate("() => window.notReloaded") is True
    phones.close()
    tab.shot("tasks")

    # filtered by manifest, then the manifests view with its phase
    tab.page.fill("input[name=manifest]", "dash-drop")
    tab.page.click("#task-filters button[type=submit]")
    # (functions, not expressions: the page's CSP forbids eval, which expressions need)
    tab.page.wait_for_function("() => location.hash.includes('manifest=dash-drop')")
    tab.page.locator("#tasks-pager", has_text="1–1 of 1").wait_for()
    assert tab.page.locator("#tasks tbody tr").count() == 1
    tab.page.click("nav a[data-view=manifests]")
    manifest = tab.page.locator("#manifests tr", has_text="dash-drop")
    manifest.locator(".badge", has_text="completed").wait_for()
    tab.shot("manifests")


def test_a_failed_tasks_page_shows_its_screenshot_log_and_hierarchy_and_retries_it(site, tab):
    site.sim.missing_users.add("ghost_dash")
    [task_id] = data(site.client.post("/task", json=follow_body("sim-0003", "ghost_dash")))[
        "task_ids"
    ]
    site.wait_status(task_id, 3, timeout=30)
    tab.open(f"#/task/{task_id}")
    shot = tab.page.locator("#screenshot")
    shot.wait_for()
    tab.page.wait_for_function(
        "() => document.getElementById('screenshot').complete && "
        "document.getElementById('screenshot').naturalWidth > 0"
    )
    tab.page.locator("#task-log", has_text="failed").wait_for()
    tab.page.locator("#task-fields", has_text="does not exist").wait_for()
    tab.page.click("#hierarchy summary")
    assert "<hierarchy" in tab.page.locator("#hierarchy pre").inner_text()
    tab.shot("task-failed")

    assert tab.page.locator("#stop").is_disabled()
    tab.page.click("#retry")
    site.wait(lambda: site.task(task_id)["retry_count"] == 1, what="the retry from the page")
    tab.page.locator("#task-fields dd", has_text="1").first.wait_for()


def test_a_task_is_stopped_from_its_page_and_user_strings_stay_text(site, tab):
    hostile = "<img src=x onerror=window.pwned=1>"
    body = later("sim-0001", hostile)
    [task_id] = data(site.client.post("/task", json=body))["task_ids"]
    tab.open(f"#/task/{task_id}")
    tab.page.locator("#task-fields", has_text=hostile).wait_for()
    assert tab.page.locator("#task-fields img").count() == 0
    assert tab.page.evaluate("() => window.pwned") is None
    tab.page.click("#stop")
    tab.page.locator("#task-title .badge", has_text="failed").wait_for()
    assert site.task(task_id)["remark"] == "stopped"
    assert tab.page.locator("#retry").is_enabled()


def test_with_a_token_the_page_shows_nothing_until_it_is_given(browser, shots, store_url, tmp_path):
    live = LiveRunner(tmp_path, api_token="dash-s3cret", store=store_url).start()
    try:
        tab = Page(browser, live, shots, viewport={"width": 1280, "height": 800})
        try:
            tab.open("#/phones")
            tab.page.locator("#token-form").wait_for()
            assert "sim-0001" not in tab.page.content()
            tab.page.fill("#token-input", "wrong")
            tab.page.click("#token-form button")
            tab.page.locator("#token-form label", has_text="refused").wait_for()
            tab.page.fill("#token-input", "dash-s3cret")
            tab.page.click("#token-form button")
            tab.page.locator("#phones tr", has_text="sim-0001").wait_for()
            tab.page.locator("#token-form").wait_for(state="hidden")
            tab.shot("token")
        finally:
            tab.close()
        # the console saw the refused calls (403): nothing else
        assert all("403" in e for e in tab.errors), tab.errors

        once = Page(browser, live, shots, viewport={"width": 1280, "height": 800})
        try:
            once.open("?token=dash-s3cret#/phones")
            once.page.locator("#phones tr", has_text="sim-0001").wait_for()
            assert "token" not in once.page.url  # dropped from the address bar at once
            once.open("#/phones")  # kept for the tab's session
            once.page.locator("#phones tr", has_text="sim-0001").wait_for()
        finally:
            once.close()
        assert once.errors == []
    finally:
        live.stop()


def test_with_several_runners_the_phone_list_names_the_runner_of_each(
    browser, shots, tmp_path, pg_url
):
    started = []
    try:
        # 8 s leases (heartbeats every 2 s): with 2 s, a loaded CI machine once let b's heartbeat
        # lag past its lease, a reaped b and b stopped; nothing here waits for a reap.
        for name in ("a", "b"):
            started.append(
                LiveRunner(
                    tmp_path / name, simulate=1, serial_prefix=f"{name}-", store=pg_url,
                    name=name, lease_timeout=8, accounts=[],
                ).start()
            )  # fmt: skip
        a = started[0]
        page = Page(browser, a, shots, viewport={"width": 1280, "height": 800})
        try:
            page.open("#/phones")
            row = page.page.locator("#phones tr", has_text="b-0001")
            row.wait_for()
            assert page.page.locator("#phones th", has_text="Runner").count() == 1
            assert row.locator("td[data-label='Runner']").inner_text() == "b"
            mine = page.page.locator("#phones tr", has_text="a-0001")
            assert mine.locator("td[data-label='Runner']").inner_text() == "a"
            # the farm's accounts, each with its runner; counts for this runner's own
            page.page.click("nav a[data-view=accounts]")
            theirs = page.page.locator("#accounts tr", has_text="b_user_1")
            theirs.wait_for()
            assert theirs.locator("td[data-label='Runner']").inner_text() == "b"
            assert theirs.locator("td[data-label='State']").inner_text() == "—"
            ours = page.page.locator("#accounts tr", has_text="a_user_1")
            assert ours.locator("td[data-label='State']").inner_text() == "ready"
            page.shot("phones-two-runners")
        finally:
            page.close()
        assert page.errors == []
    finally:
        for runner in started:
            runner.stop()


def test_the_accounts_view_shows_a_cool_down_with_its_end_and_tiktoks_words_live(
    browser, shots, store_url, tmp_path
):
    """Issue 14 item 4: the accounts' counts against their limits, working hours and a
    cool-down, as the page shows them; a push-back appears without a reload."""
    import time
    from datetime import UTC, datetime, timedelta

    from runner.config import Account
    from runner.sim.tiktok.pushback import PushBackRule

    opens = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    night = f"{opens:%H:%M}-{opens + timedelta(hours=1):%H:%M}"
    live = LiveRunner(
        tmp_path,
        store=store_url,
        limits={"follow": {"per_hour": 30, "per_day": 150}},
        cooldown="2h",
        accounts=[
            Account(username="night_owl", serial="sim-0001", working_hours=[night]),
            Account(username="sim_user_2", serial="sim-0002", limits={"follow": {"per_day": 1}}),
        ],
    ).start()
    tab = Page(browser, live, shots, viewport={"width": 1280, "height": 800})
    try:
        tab.open("#/accounts")
        state = lambda who: tab.page.locator("#accounts tr", has_text=who).locator(  # noqa: E731
            "td[data-label='State']"
        )
        state("sim_user_3").get_by_text("ready").wait_for()
        tab.page.evaluate("() => { window.notReloaded = true; }")
        assert tab.page.locator("#accounts-title").inner_text() == "Accounts (4)"

        live.sim.phone("sim-0003").push_back = PushBackRule("toast", 1, 3600.0)  # the 2nd follow
        for serial, who, status in (("sim-0003", "pb_one", 2), ("sim-0002", "cap_one", 2),
                                    ("sim-0003", "pb_two", 3)):  # fmt: skip
            [task_id] = data(live.client.post("/task", json=follow_body(serial, who)))["task_ids"]
            live.wait_status(task_id, status, timeout=30)
        until = data(live.client.get("/accounts"))["list"]
        [until] = [
            a["safety"]["cool_down"]["until"] for a in until if a["username"] == "sim_user_3"
        ]
        end = until[11:16] if until[:10] == time.strftime("%Y-%m-%d") else until[:16]
        cooling = state("sim_user_3").get_by_text("cooling down until")
        cooling.wait_for()  # the next refresh, no reload
        assert cooling.inner_text() == f"cooling down until {end} (You're following too fast)"
        counts = tab.page.locator("#accounts tr", has_text="sim_user_3").locator(
            "td[data-label='Actions']"
        )
        assert counts.inner_text() == "follow 2/30h 2/150d"  # both attempted before the tap
        assert state("sim_user_2").inner_text() == "at follow limit 1/day"
        capped = tab.page.locator("#accounts tr", has_text="sim_user_2")
        assert capped.locator("td[data-label='Actions'] .s-failed").inner_text() == (
            "follow 1/30h 1/1d"
        )
        opens_at = opens.strftime("%H:%M" if f"{opens:%Y-%m-%d}" == time.strftime("%Y-%m-%d")
                                  else "%Y-%m-%d %H:%M")  # fmt: skip
        assert state("night_owl").inner_text() == f"outside working hours (next {opens_at})"
        owl = tab.page.locator("#accounts tr", has_text="night_owl")
        assert owl.locator("td[data-label='Working hours']").inner_text() == night
        assert tab.page.evaluate("() => window.notReloaded") is True
        tab.shot("accounts")

        # the filter, then the task the cool-down holds back: its remark in the task list
        tab.page.fill("#accounts-search", "night")
        tab.page.press("#accounts-search", "Enter")
        tab.page.wait_for_function(
            "() => document.querySelectorAll('#accounts tbody tr').length === 1"
        )
        assert "night_owl" in tab.page.locator("#accounts tbody tr").inner_text()
        [held] = data(live.client.post("/task", json=follow_body("sim-0003", "pb_three")))[
            "task_ids"
        ]
        tab.page.click("nav a[data-view=tasks]")
        remark = tab.page.locator(f"#tasks tr:has(a[href='#/task/{held}'])").locator(
            "td[data-label='Progress / remark']"
        )
        remark.get_by_text(
            "waiting: @sim_user_3 cooling down (You're following too fast)"
        ).wait_for()

        narrow = Page(browser, live, shots, viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            narrow.open("#/accounts")
            narrow.page.locator("#accounts tr", has_text="cooling down until").wait_for()
            width = narrow.page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width  # every account a card
            narrow.shot("accounts-narrow")
        finally:
            narrow.close()
        assert narrow.errors == []
    finally:
        tab.close()
        live.stop()
    assert tab.errors == []
