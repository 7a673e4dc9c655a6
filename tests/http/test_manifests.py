"""``GET /api/v1/manifests`` lists every manifest with the phase its status file shows, the latest
first and paged, and ``GET /api/v1/task?manifest=NAME`` lists one manifest's tasks (issue 11,
item 5: what the dashboard reads; both ours)."""

from __future__ import annotations

from tests.http.conftest import data, error, follow_body, later

GOOD = (
    "serials: [{serial}]\nscript_name: follow\n"
    "script_config: {{target_users: [{targets}], access_method: direct}}\n"
)


def manifests(live, **params) -> dict:
    return data(live.client.get("/manifests", params=params))


def by_name(live) -> dict[str, dict]:
    return {m["name"]: m for m in manifests(live, page_size=100)["list"]}


def test_each_manifest_has_its_status_files_phase_and_counts(fresh):
    fresh.sim.missing_users.add("ghost_mf")
    incoming = fresh.spool / "incoming"
    (incoming / "good-mf.yaml").write_text(
        GOOD.format(serial="sim-0001", targets="a, b"), encoding="utf-8"
    )
    (incoming / "bad-mf.yaml").write_text("serials: [sim-0001]\n", encoding="utf-8")
    [ghost] = data(fresh.client.post("/task", json=follow_body("sim-0002", "ghost_mf")))["task_ids"]
    [waiting] = data(fresh.client.post("/task", json=later("sim-0003", "c")))["task_ids"]
    fresh.wait_status(ghost, 3, timeout=30)

    def settled() -> dict | None:
        seen = by_name(fresh)
        good = seen.get("good-mf")
        if good and good["phase"] == "completed" and "bad-mf" in seen:
            return seen
        return None

    seen = fresh.wait(settled, timeout=30, what="good-mf completed and bad-mf listed")
    good = seen["good-mf"]
    assert good["source"] == "spool" and good["kind"] == "Task" and good["error"] is None
    assert good["counts"] == {"total": 2, "pending": 0, "running": 0, "completed": 2, "failed": 0}
    assert good["file"] and good["file"].startswith("good-mf")
    bad = seen["bad-mf"]
    assert bad["phase"] == "rejected" and bad["counts"]["total"] == 0
    assert bad["error"]["code"] == 40002 and "script_name" in bad["error"]["message"]
    assert seen[f"api-{ghost}"]["phase"] == "failed"
    assert seen[f"api-{ghost}"]["source"] == "api" and seen[f"api-{ghost}"]["kind"] is None
    assert seen[f"api-{waiting}"]["phase"] == "pending"
    # the same phases as the status files (written a moment after the store's change)
    for name, item in seen.items():
        fresh.wait(
            lambda n=name, p=item["phase"]: (fresh.status_file(n) or {}).get("phase") == p,
            what=f"the status file of {name} to say {item['phase']}",
        )

    # ?manifest= keeps that manifest's tasks, and only them
    page = data(fresh.client.get("/task", params={"manifest": "good-mf"}))
    assert page["total"] == 2 and {t["manifest"] for t in page["list"]} == {"good-mf"}
    assert data(fresh.client.get("/task", params={"manifest": "nonesuch"}))["total"] == 0
    everything = data(fresh.client.get("/task", params={"manifest": ""}))
    assert everything["total"] == data(fresh.client.get("/task/stats"))["total"]


def test_the_latest_manifest_comes_first_one_page_at_a_time(fresh):
    ids = []
    for target in ("x", "y", "z"):
        ids += data(fresh.client.post("/task", json=later("sim-0001", target)))["task_ids"]
    first = manifests(fresh, page_size=2)
    assert first["total"] == 3 and first["page"] == 1 and first["page_size"] == 2
    assert [m["name"] for m in first["list"]] == [f"api-{ids[2]}", f"api-{ids[1]}"]
    second = manifests(fresh, page_size=2, page=2)
    assert [m["name"] for m in second["list"]] == [f"api-{ids[0]}"]
    past = manifests(fresh, page=99)
    assert past["list"] == [] and past["total"] == 3  # still counted past the end
    error(fresh.client.get("/manifests", params={"page_size": 101}), 40001)
    error(fresh.client.get("/manifests", params={"page": 0}), 40001)
