"""``/metrics`` after a run of tasks on simulated phones, read over HTTP and parsed with
prometheus_client's own parser: its counts are the store's (``GET /api/v1/task/stats``), refused
manifests are counted by code, HTTP requests by route template and status."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.http.conftest import data, error, follow_body, later


def scrape(live, **headers: str) -> dict[str, list]:
    """``GET /metrics`` on the runner's root: {family name: its samples}."""
    answer = httpx.get(live.base_url.removesuffix("/api/v1") + "/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {f.name: f.samples for f in text_string_to_metric_families(answer.text)}


def values(samples: list, name: str, **labels: str) -> dict[tuple, float]:
    """{label values (in sorted label-name order): value} of the samples named ``name``
    whose labels include ``labels``."""
    out = {}
    for s in samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            rest = {k: v for k, v in s.labels.items() if k not in labels and k != "le"}
            out[tuple(v for _, v in sorted(rest.items()))] = s.value
    return out


def test_metrics_after_a_run_are_the_stores_counts(make_live):
    live = make_live(api_token="s3cret-token")
    auth = {"Authorization": "Bearer s3cret-token"}
    live.sim.missing_users.add("ghost")
    done = data(live.client.post("/task", json=follow_body("sim-0001", "a", "b")))["task_ids"]
    done += data(live.client.post("/task", json=follow_body("sim-0002", "ghost")))["task_ids"]
    data(live.client.post("/task", json=later("sim-0003", "c")))  # stays pending
    incoming = live.spool / "incoming"
    (incoming / "bad-yaml.yaml").write_text("serials: [sim-0001\n", encoding="utf-8")
    (incoming / "no-script.yaml").write_text("serials: [sim-0001]\n", encoding="utf-8")
    (incoming / "unknown.yaml").write_text(
        "serials: [sim-0001]\nscript_name: nonesuch\n", encoding="utf-8"
    )
    (incoming / "good.yaml").write_text(
        "serials: [sim-0002]\nscript_name: follow\n"
        "script_config: {target_users: [d], access_method: direct}\n",
        encoding="utf-8",
    )
    for task_id in done:
        live.wait(lambda t=task_id: live.task(t)["status"] in (2, 3), what=f"task {task_id} ends")
    assert live.task(done[-1])["status"] == 3  # the ghost cannot be followed

    def manifests_counted() -> dict | None:
        m = scrape(live, **auth)
        taken = values(m["tikrunner_manifests_taken"], "tikrunner_manifests_taken_total")
        refused = values(m["tikrunner_manifests_refused"], "tikrunner_manifests_refused_total")
        return m if sum(taken.values()) + sum(refused.values()) == 4 else None

    live.wait(manifests_counted, what="the four spool files to be counted")
    live.wait(lambda: data(live.client.get("/task/stats"))["running"] == 0, what="all ended")

    # requests of known routes and codes, besides the test's waiting
    error(live.client.get("/task/999999"), 40401)
    error(live.client.get("/task", params={"status": 9}), 40001)
    error(httpx.get(live.base_url + "/task/stats"), 40301)  # no token
    forbidden = httpx.get(live.base_url.removesuffix("/api/v1") + "/metrics")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == 40301
    error(live.client.get("/no/such/route"), 40401)
    stats = data(live.client.get("/task/stats"))
    m = scrape(live, **auth)

    tasks = values(m["tikrunner_tasks"], "tikrunner_tasks")  # (script, status) -> n
    by_status = {s: 0.0 for s in ("pending", "running", "completed", "failed")}
    for (_script, status), n in tasks.items():
        by_status[status] += n
    assert by_status == {k: stats[k] for k in by_status}
    assert sum(by_status.values()) == stats["total"] == 5
    assert tasks[("follow", "completed")] == stats["completed"] == 3
    assert tasks[("follow", "failed")] == stats["failed"] == 1

    # one duration per run that ended, under its outcome
    runs = values(m["tikrunner_task_duration_seconds"], "tikrunner_task_duration_seconds_count")
    assert runs == {("follow", "completed"): 3.0, ("follow", "failed"): 1.0}

    refused = values(m["tikrunner_manifests_refused"], "tikrunner_manifests_refused_total")
    assert refused == {("40001",): 1.0, ("40002",): 1.0, ("40003",): 1.0}
    taken = values(m["tikrunner_manifests_taken"], "tikrunner_manifests_taken_total")
    assert taken == {("accepted",): 1.0}

    http = values(m["tikrunner_http_requests"], "tikrunner_http_requests_total")
    assert http[("404", "GET", "/api/v1/task/{task_id}")] == 1
    assert http[("400", "GET", "/api/v1/task")] == 1
    assert http[("403", "GET", "/api/v1/task/stats")] == 1
    assert http[("403", "GET", "/metrics")] == 1
    assert http[("404", "GET", "unmatched")] == 1
    assert http[("200", "POST", "/api/v1/task")] == 3

    calls = values(m["tikrunner_device_calls"], "tikrunner_device_calls_total")[()]
    assert calls >= 5  # at least a connect and a few round trips per task run
    phones = values(m["tikrunner_phones"], "tikrunner_phones")
    assert phones[("device",)] == 3 and phones[("offline",)] == 0


def test_two_runners_in_one_process_count_apart(make_live):
    first, second = make_live(), make_live()
    error(first.client.get("/task/424242"), 40401)
    seen = [
        values(scrape(r)["tikrunner_http_requests"], "tikrunner_http_requests_total")
        for r in (first, second)
    ]
    assert seen[0].get(("404", "GET", "/api/v1/task/{task_id}")) == 1
    assert ("404", "GET", "/api/v1/task/{task_id}") not in seen[1]
