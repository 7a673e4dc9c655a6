"""Benchmark: device calls and wall time of one task per script on a simulated phone.

Each phone answers every call after ``--latency-ms`` (default 30 ms, plus a seeded jitter when
given as ``MS,JITTER``). A device call is one adb shell/sync request or one uiautomator2 RPC made by our code
(``DeviceSession.device_calls``; uiautomator2's internal retries not counted), counted from the
health check (``prepare``) to the end of the task; connecting uiautomator2 is not counted.
account_warmup runs for its configured ``task_duration`` (here 3 s), so its time is the config's.

Run: ``python -m bench.scripts [--latency-ms 150,100] [--locale fr-FR] [--app-version 47.0.3]``.
Prints a table: device calls, the fewest the script's steps allow, dumps, wall time, and the CPU
the runner's own thread spent per dump (parsing it and matching selectors: ``time.thread_time``).
Measures, does not pass or fail.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import adbutils
import trio

from runner.devices import DeviceSession
from runner.intake import IntakeContext, plan_body
from runner.scripts import TaskContext, load_selectors, run_task
from runner.sim import SimFarm

S1 = "sim-0001"
#: The media files are made under the system's temporary folder (intake reads from the roots only).
ROOTS = (Path(tempfile.gettempdir()).resolve(),)


def bodies(folder: Path) -> dict[str, dict]:
    video = folder / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    image = folder / "pic.jpg"
    image.write_bytes(b"\xff\xd8jpeg")
    url = "https://www.tiktok.com/@someone/video/123"
    return {
        "follow (direct)": ("follow", {"target_users": ["alice"]}),
        "follow (search)": ("follow", {"target_users": ["bob"], "access_method": "search"}),
        "unfollow (direct)": ("unfollow", {"target_users": ["carol"]}),
        "comment": ("comment", {"target_post_urls": [url], "comment_content": "Nice!"}),
        "comment (image)": (
            "comment",
            {
                "target_post_urls": [url],
                "comment_content": "Look",
                "comment_image_path": str(image),
            },
        ),  # fmt: skip
        "post (share)": ("post", {"material_list": [str(video)], "captions": "hello"}),
        "post (addButton)": (
            "post",
            {"material_list": [str(video)], "captions": "hello", "post_way": "addButton"},
        ),  # fmt: skip
        "post (useSound)": (
            "post",
            {
                "material_list": [str(video)],
                "captions": "hello",
                "post_way": "useSound",
                "sound_name": "summer",
            },
        ),  # fmt: skip
        "profile (nickname, bio)": ("profile", {"nickname": "Night Owl", "bio": "hello"}),
        "profile (all four)": (
            "profile",
            {
                "nickname": "Night Owl",
                "bio": "hello",
                "website": "example.com",
                "avatar_path": str(image),
            },
        ),  # fmt: skip
        "message (friend)": ("message", {"target_users": ["dana"], "message_content": "{Hi|Hey}!"}),
        "scrape_user (profile only)": (
            "scrape_user",
            {"target_users": ["chef.mario"], "video_count": 0},
        ),
        "scrape_user (3 links)": (
            "scrape_user",
            {"target_users": ["chef.mario"], "video_count": 3},
        ),
        "like (URL)": ("like", {"target_post_urls": [url]}),
        "like (user, 3 videos)": ("like", {"target_users": ["erin"], "count": 3}),
        "account_warmup (3 s)": (
            "account_warmup",
            {"task_duration": 3, "min_duration": 0.5, "max_duration": 1, "like_probable": 50},
        ),  # fmt: skip
    }


async def one(
    host: str, port: int, script: str, config: dict, farm: SimFarm
) -> tuple[int, float, int, float]:
    [task] = plan_body(
        {"serials": [S1], "script_name": script, "script_config": config},
        ctx=IntakeContext(accounts=farm.accounts, material_roots=ROOTS),
    )
    if script == "unfollow":
        farm.phone(S1).account.following.add("carol")
    if script == "message":  # mutual followers: the message goes straight to the thread
        farm.phone(S1).account.following.add("dana")
        farm.phone(S1).account.followers.add("dana")
    session = await DeviceSession.open(adbutils.AdbClient(host, port), S1,
                                       limiter=trio.CapacityLimiter(4))  # fmt: skip
    ctx = TaskContext(
        task_id=1, serial=S1, username=None, package=task.package, script_name=script,
        script_config=task.script_config, job_count=0, seed=1,
        log=logging.LoggerAdapter(logging.getLogger("bench"), {}), material_roots=ROOTS,
    )  # fmt: skip
    dumps = [0]
    real_dump = session.dump

    async def counted_dump():
        dumps[0] += 1
        return await real_dump()

    session.dump = counted_dump  # type: ignore[method-assign]
    before = session.device_calls
    started = time.perf_counter()
    cpu = time.thread_time()  # this (trio) thread: parsing dumps and matching selectors
    await run_task(ctx, session)
    cpu = time.thread_time() - cpu
    elapsed = time.perf_counter() - started
    calls = session.device_calls - before
    await session.close()
    return calls, elapsed, dumps[0], cpu


#: The fewest device calls each task's steps allow on the simulated phone (health check included:
#: one shell call), with no popup: what the numbers above are held against.
FEWEST = {
    "follow (direct)": 5,  # health, open URL, dump, tap Follow, dump
    "follow (search)": 15,  # health, launch, dump, tap Search, dump, type, dump, submit, dump,
    # tap Users, dump, tap the row, dump, tap Follow, dump
    "unfollow (direct)": 7,  # health, open URL, dump, tap Following, dump, tap Unfollow, dump
    "comment": 9,  # health, open URL, dump, tap comments, dump, type, dump, tap send, dump
    "comment (image)": 15,  # comment + push, index, tap the image button, dump, tap tile, dump
    # health, launch, dump, tap Profile, dump, tap Edit profile, dump; per text field: tap its
    # row, dump, type, dump, tap Save, dump; back, dump (the profile read back)
    "profile (nickname, bio)": 21,
    # + website (6), push and index the photo (2), Change photo, dump, Select from Gallery, dump,
    # the tile, dump, Confirm, dump, the Story toggle, dump, Save, dump (12)
    "profile (all four)": 41,
    "scrape_user (profile only)": 3,  # health, open URL, dump (everything is read from it)
    # + tap the first tile, dump, clear the clipboard; per video: tap Share, dump, tap Copy
    # link, read the clipboard (4); between two videos: swipe, dump (2): 3 + 3 + 4n + 2(n - 1)
    "scrape_user (3 links)": 22,
    "message (friend)": 10,  # health, open URL, dump, tap Message, dump, tap the field (it has
    # no focus), type, dump, tap send, dump
    "like (URL)": 5,  # health, open URL, dump, tap Like, dump
    # health, open URL, dump (the profile), tap the first tile, dump, tap Like, dump; then per
    # further video: swipe up, dump, tap Like, dump
    "like (user, 3 videos)": 15,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--latency-ms",
        default="30",
        help="delay of every reply: MS or MS,JITTER (as tikrunner sim)",
    )
    parser.add_argument("--locale", default="en-US", help="the phones' locale (en-US, fr-FR)")
    parser.add_argument("--app-version", default=None, help="TikTok build (43.1.4, 46.9.3, 47.0.3)")
    args = parser.parse_args()
    ms, _, jitter = args.latency_ms.partition(",")
    latency, spread = float(ms) / 1000, float(jitter or 0) / 1000
    print(
        f"latency {latency * 1000:.0f} ms + up to {spread * 1000:.0f} ms per call; "
        f"locale {args.locale}; build {args.app_version or 'default'}"
    )
    print(
        f"{'script':<24}{'device calls':>14}{'fewest':>8}{'dumps':>7}{'wall time (s)':>15}"
        f"{'CPU/decision (ms)':>19}"
    )
    load_selectors()  # read once, before anything is timed (as serve does at start)
    with tempfile.TemporaryDirectory() as tmp:
        for label, (script, config) in bodies(Path(tmp)).items():
            farm = SimFarm(1, seed=7, latency=latency, jitter=spread, upload_seconds=1.0,
                           locale=args.locale, app_version=args.app_version)  # fmt: skip
            with farm.running(port=0) as (host, port):
                calls, elapsed, dumps, cpu = trio.run(one, host, port, script, config, farm)
            fewest = FEWEST.get(label)
            per = cpu / dumps * 1000 if dumps else 0.0
            print(
                f"{label:<24}{calls:>14}{fewest if fewest else '-':>8}{dumps:>7}"
                f"{elapsed:>15.2f}{per:>19.1f}"
            )


if __name__ == "__main__":
    main()
