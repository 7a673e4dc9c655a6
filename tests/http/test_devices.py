"""``GET /api/v1/accounts`` (TikMatrix's query parameters) and ``GET /api/v1/devices[/{serial}]``
(ours) against a real runner on simulated phones: states, versions, health and tasks as a client
sees them, a phone taken offline and one unauthorized."""

from __future__ import annotations

from runner.config import Account
from tests.http.conftest import data as task_data
from tests.http.conftest import error, follow_body, later


def data(response):
    """The ``data`` of a success answer; task objects (a device's running task) checked."""
    body = response.json()
    assert response.status_code == 200, (response.status_code, body)
    assert body["code"] == 0 and body["message"] == "success", body
    if "task_ids" in body["data"] or "script_config" in body["data"]:
        return task_data(response)
    return body["data"]


def test_accounts_with_the_vendors_parameters(make_live):
    live = make_live(
        accounts=[
            Account(username="tagged", serial="sim-0002", tags=["warm", "us"]),
            Account(
                username="off", serial="sim-0003", enabled=False, package="com.ss.android.ugc.trill"
            ),
            Account(username="elsewhere", serial="usb-999"),
        ]
    )
    page = data(live.client.get("/accounts"))
    names = [a["username"] for a in page["list"]]
    assert names[:3] == ["tagged", "off", "elsewhere"]
    assert {"sim_user_1", "sim_user_2", "sim_user_3"} <= set(names)
    assert page["total"] == len(names) and (page["page"], page["page_size"]) == (1, 20)
    fields = {"id", "username", "email", "platform", "packagename", "device", "device_online",
              "device_name", "logined", "status", "tags", "runner", "safety"}  # fmt: skip
    for item in page["list"]:
        assert set(item) == fields  # never a password
    by_name = {a["username"]: a for a in page["list"]}
    live.wait(
        lambda: data(live.client.get("/accounts", params={"device": "sim-0001"}))["list"][0][
            "device_online"
        ]
    )
    assert by_name["elsewhere"]["device_online"] is False
    assert by_name["off"]["packagename"] == "com.ss.android.ugc.trill"
    assert by_name["sim_user_1"]["packagename"] == "com.zhiliaoapp.musically"

    def names_for(**params):
        return [a["username"] for a in data(live.client.get("/accounts", params=params))["list"]]

    assert names_for(tag="warm") == ["tagged"]
    assert names_for(status=0) == ["off"] == names_for(logined=0)
    assert "off" not in names_for(logined=1)
    assert names_for(device="sim-0002") == ["tagged", "sim_user_2"]
    assert names_for(platform="tiktok", device="usb-999") == ["elsewhere"]
    assert names_for(platform="instagram") == []
    assert names_for(status="", tag="") == names  # empty values: no filter
    second = data(live.client.get("/accounts", params={"page": 2, "page_size": 2}))
    assert [a["username"] for a in second["list"]] == names[2:4] and second["total"] == len(names)
    assert data(live.client.get("/accounts", params={"page_size": 100}))["page_size"] == 100
    for bad in ({"page_size": 101}, {"page": 0}, {"logined": 2}, {"status": "x"}):
        body = error(live.client.get("/accounts", params=bad), 40001)
        assert body["data"]["errors"][0]["pointer"] == f"/query/{next(iter(bad))}"


def test_devices_show_state_versions_health_and_tasks(make_live):
    live = make_live(accounts=[Account(username="gone_user", serial="usb-gone")])
    live.sim.phone("sim-0002").set_locale("fr-FR")
    # a task run on sim-0002 gives its TikTok version and language
    [done] = data(live.client.post("/task", json=follow_body("sim-0002", "someone")))["task_ids"]
    live.wait_status(done, 2)
    waiting = data(live.client.post("/task", json=later("sim-0002", "a", "b")))["task_ids"]

    listed = data(live.client.get("/devices"))
    serials = [d["serial"] for d in listed["list"]]
    assert serials == ["sim-0001", "sim-0002", "sim-0003", "usb-gone"] and listed["total"] == 4
    phone = data(live.client.get("/devices/sim-0002"))
    assert phone["state"] == "device" and phone["adb_server"] == live.runner.adb_addresses[0]
    assert (phone["model"], phone["android_version"]) == ("Pixel 6", "13")
    assert phone["tiktok_version"] == live.sim.phone("sim-0002").app_version
    assert phone["language"] == "fr-FR"
    assert phone["health"] == {
        "uiautomator": True,
        "screen_on": True,
        "last_error": None,
        "benched_until": None,
    }
    assert phone["waiting_tasks"] == len(waiting) and phone["running_task"] is None
    assert phone["last_seen"]

    gone = data(live.client.get("/devices/usb-gone"))
    assert (gone["state"], gone["adb_server"], gone["last_seen"]) == ("gone", None, None)
    assert "usb-gone" in gone["health"]["last_error"]
    body = error(live.client.get("/devices/nope-1"), 40401)
    assert "nope-1" in body["message"]


def test_a_running_task_a_phone_offline_and_one_unauthorized(make_live):
    live = make_live()
    [warm] = data(live.client.post("/task", json=follow_body("sim-0001", "warm")))["task_ids"]
    live.wait_status(warm, 2)
    live.sim.phone("sim-0001").latency = 0.3
    [slow] = data(live.client.post("/task", json=follow_body("sim-0001", "slow")))["task_ids"]
    live.wait_status(slow, 1)
    running = data(live.client.get("/devices/sim-0001"))["running_task"]
    assert running["id"] == slow and running["status"] == 1

    live.sim.phone("sim-0002").set_state("offline")
    live.sim.phone("sim-0003").set_state("unauthorized")

    def state(serial):
        return data(live.client.get(f"/devices/{serial}"))

    offline = live.wait(lambda: (d := state("sim-0002"))["state"] == "offline" and d)
    assert "offline" in offline["health"]["last_error"] and offline["health"]["screen_on"] is None
    unauthorized = live.wait(lambda: (d := state("sim-0003"))["state"] == "unauthorized" and d)
    assert "USB debugging" in unauthorized["health"]["last_error"]
    assert unauthorized["adb_server"] == live.runner.adb_addresses[0]
    online = {a["device"]: a["device_online"] for a in data(live.client.get("/accounts"))["list"]}
    assert online["sim-0002"] is False and online["sim-0003"] is False

    live.sim.phone("sim-0001").latency = 0.0
    live.sim.phone("sim-0001").set_state("offline")
    gone = live.wait(lambda: (d := state("sim-0001"))["state"] == "offline" and d)
    live.wait_status(slow, 3)
    assert data(live.client.get("/devices/sim-0001"))["running_task"] is None
    assert gone["health"]["uiautomator"] is None


def test_the_accounts_api_shows_counts_against_limits_hours_and_a_cool_down(make_live):
    import time

    live = make_live(
        limits={"follow": {"per_hour": 30, "per_day": 150}},
        accounts=[Account(username="alice", serial="sim-0002", working_hours=["00:00-23:59"])],
    )
    now = time.time()
    live.runner.store.cool_down("alice", now + 3600, "You're following too fast", now=now)
    [alice] = [a for a in data(live.client.get("/accounts"))["list"] if a["username"] == "alice"]
    safety = alice["safety"]
    assert safety["limits"]["follow"] == {
        "per_hour": 30,
        "per_day": 150,
        "min_gap": None,
        "hour": 0,
        "day": 0,
        "last_at": None,
    }
    assert safety["working_hours"] == [["00:00-23:59"]]
    # the window's end while inside it, the next day's start in the minute outside it
    ends = "23:59:00" if safety["working_now"] else "00:00:00"
    assert safety["working_next"].endswith(ends), safety
    assert safety["cool_down"]["reason"] == "You're following too fast"
    assert len(safety["cool_down"]["until"]) == len("2026-12-02 18:20:00")
    # each page has its accounts' safety (worked out for that page alone)
    every = data(live.client.get("/accounts"))["list"]
    for n, entry in enumerate(every, 1):
        [paged] = data(live.client.get("/accounts", params={"page": n, "page_size": 1}))["list"]
        assert paged["username"] == entry["username"] and paged["safety"] == entry["safety"]
        assert paged["safety"]["limits"]["follow"]["per_day"] == 150
