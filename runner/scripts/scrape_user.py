"""scrape_user: read one user's public profile into the task's ``result`` (docs/spec/scripts.md,
"scrape_user").

Steps: switch to the task's account (when it has one); open the target's profile
(``access_method``, as follow); read everything from the one dump that showed it (no extra device
call): the display name, the counters (each count paired with the label under it, numbers read
by :func:`runner.scripts.counts.parse_count`), the bio, the verified badge, "This account is
private", and the grid's tiles (play count, pinned label). Then, for ``video_count`` > 0 and a
visible grid, the links: a real tile carries no link (no URL, no id in any dump), so the script
opens the first tile and, for each video, taps Share, then Copy link, and reads the clipboard
(``d.clipboard``); it swipes up to the next video of the profile until it has as many as asked
or the player stops moving (the profile's last video). Nothing is followed, liked or sent.

Outcome: the result is stored with :meth:`TaskContext.store_result` (also for the failures that
know something: an account that does not exist or is banned); remark ``""``, or saying what was
short of the ask (a private account's hidden videos, fewer videos than asked). ``TaskFailed``
otherwise, naming the step.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import trio

from runner.devices import DeviceSession, Hierarchy, Node
from runner.errors import ElementNotFound, TaskFailed
from runner.models.scripts import ScrapeUserConfig
from runner.scripts.context import TaskContext
from runner.scripts.counts import parse_count
from runner.scripts.navigate import SCREEN_TIMEOUT, TAP_TIMEOUT, ensure_account
from runner.scripts.profile import AccountUnavailable, open_profile
from runner.scripts.steps import Found, Steps

#: Seconds to wait for a copied link on the clipboard, and for the next video after a swipe.
COPY_TIMEOUT = 5.0
NEXT_TIMEOUT = 3.0
_VIDEO_URL = re.compile(r"/@([^/?#]+)/video/(\d+)")
_SHORT_HOSTS = ("vm.tiktok.com", "vt.tiktok.com")
_COUNTERS = (("following", "stat_following_label"), ("followers", "stat_followers_label"),
             ("likes", "stat_likes_label"))  # fmt: skip


def video_link(copied: str) -> dict[str, Any] | None:
    """What Copy link put on the clipboard, as a result entry: a full link made canonical
    (``https://www.tiktok.com/@user/video/<id>``, tracking parameters dropped) with its ``id``;
    a short link (``vm.tiktok.com``, one per share) kept as copied with ``id`` None; None when
    the text is no TikTok video link."""
    text = copied.strip().split()[-1] if copied.strip() else ""
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return None
    if host in _SHORT_HOSTS and parts.path.strip("/"):
        return {"url": text, "id": None}
    m = _VIDEO_URL.search(parts.path)
    if host.endswith("tiktok.com") and m:
        return {"url": f"https://www.tiktok.com/@{m.group(1)}/video/{m.group(2)}", "id": m.group(2)}
    return None


def _inside(outer: Node, node: Node) -> bool:
    return outer.index <= node.index < outer.end


def read_profile(steps: Steps, h: Hierarchy, name: str) -> dict[str, Any]:
    """The profile in the dump ``h`` (the module docstring's fields; counts as numbers and as
    shown), without the video links."""
    book, values = steps.book, steps.values
    handle = steps.find(h, "profile_handle")
    counts = book.find_all(h, "profile_count", values)
    out: dict[str, Any] = {"username": name, "status": "ok", "nickname": "",
                           "followers": None, "following": None, "likes": None,
                           "shown": {}, "bio": "", "private": False, "verified": False}  # fmt: skip
    lowest_label = 0
    for key, element in _COUNTERS:
        label = steps.find(h, element)
        if label is None:
            continue
        lb = label.node.bounds
        lowest_label = max(lowest_label, lb.bottom)
        above = [c for c in counts if c.bounds.bottom <= lb.top + 12
                 and c.bounds.left < lb.right and lb.left < c.bounds.right]  # fmt: skip
        if above:
            shown = max(above, key=lambda c: c.bounds.bottom).text
            out[key], out["shown"][key] = parse_count(shown), shown
    texts = book.find_all(h, "profile_text_button", values)
    if handle is not None:
        hb = handle.node.bounds
        names = [b for b in texts if hb.top - 130 <= b.bounds.bottom <= hb.top + 8
                 and abs(b.bounds.left - hb.left) <= 12]  # fmt: skip
        if names:
            out["nickname"] = names[-1].text.strip()
    tabs = steps.find(h, "profile_videos_tab")
    bottom = tabs.node.bounds.top if tabs is not None else h.nodes[0].bounds.bottom
    bios = [b for b in texts if b.bounds.top >= lowest_label and b.bounds.bottom <= bottom]
    if bios and lowest_label:
        out["bio"] = bios[0].text.strip()
    out["verified"] = steps.find(h, "verified_badge") is not None
    out["private"] = steps.find(h, "private_account") is not None
    if out["private"]:
        out["status"] = "private"
    return out


def read_tiles(steps: Steps, h: Hierarchy, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` tiles of the grid in ``h``: ``{"plays", "plays_shown", "pinned"}``."""
    book, values = steps.book, steps.values
    tiles = book.find_all(h, "profile_tile", values)[:limit]
    counts = book.find_all(h, "profile_count", values)
    pins = book.find_all(h, "pinned_label", values)
    out = []
    for tile in tiles:
        plays = [c for c in counts if _inside(tile, c)]
        shown = plays[0].text if plays else None
        out.append({"plays": parse_count(shown) if shown else None, "plays_shown": shown,
                    "pinned": any(_inside(tile, p) for p in pins)})  # fmt: skip
    return out


def _signature(steps: Steps, h: Hierarchy) -> tuple[str, ...]:
    """What tells one video from the next in the player (the like and comment controls' words,
    which carry the counts; the share counter creeps, so it is left out)."""
    parts = []
    for name in ("like_button", "comments_button", "video_creator"):
        f = steps.find(h, name)
        parts.append("" if f is None else f"{f.node.content_desc}|{f.node.text}")
    return tuple(parts)


async def copy_links(
    ctx: TaskContext, session: DeviceSession, steps: Steps, tile: Found, wanted: int
) -> list[dict[str, Any]]:
    """Open ``tile`` and read the links of up to ``wanted`` videos from there on (module
    docstring); fewer when the profile has no more."""
    links: list[dict[str, Any]] = []
    async with steps.step("open first video"):
        video = await steps.act(
            tile,
            until=steps.any_of("share_button"),
            expecting="the video player",
            timeout=SCREEN_TIMEOUT,
        )
    await session.clear_clipboard()
    previous: str | None = None
    h = video.hierarchy
    while len(links) < wanted:
        n = len(links) + 1
        async with steps.step(f"copy link {n}"):
            share = await steps.find_or_wait(h, "share_button", screen="video", timeout=TAP_TIMEOUT)
            sheet = await steps.act(
                share, until=steps.any_of("copy_link"), expecting="the share sheet",
                timeout=TAP_TIMEOUT,
            )  # fmt: skip
            await ctx.attempt("share")  # TikTok counts a copied link as a share of the video
            await session.tap(sheet.node)
            copied = await _read_clipboard(session, steps, previous)
            link = video_link(copied)
            if link is None:
                raise TaskFailed(
                    f"the clipboard holds no TikTok video link after Copy link: {copied!r}"
                )
            previous = copied
            links.append(link)
            ctx.log.info("video %d: %s", n, link["url"])
            ctx.progress(f"read {n} of {wanted} video links", n / wanted)
        if len(links) >= wanted:
            break
        async with steps.step(f"next video {n + 1}"):
            before = _signature(steps, h)  # the video's dump the share was found in
            await session.swipe_up()
            moved = await _next_video(steps, before)
            if moved is None:
                ctx.log.info("the player did not move past video %d: the profile's last", n)
                break
            h = moved
    return links


async def _read_clipboard(session: DeviceSession, steps: Steps, previous: str | None) -> str:
    """The clipboard's text once Copy link put a new one there (not ``previous``)."""
    deadline = trio.current_time() + COPY_TIMEOUT
    while True:
        text = await session.clipboard()
        if text and text != previous:
            return text
        if trio.current_time() >= deadline:
            raise TaskFailed(
                f"tapped Copy link but the clipboard held no new link within {COPY_TIMEOUT:g} s"
            )
        await trio.sleep(steps.poll_interval)


async def _next_video(steps: Steps, before: tuple[str, ...]) -> Hierarchy | None:
    """The dump of the next video after a swipe, or None when the player stayed on the same."""

    def moved(h: Hierarchy) -> Hierarchy | None:
        if steps.find(h, "share_button") is None:
            return None
        return h if _signature(steps, h) != before else None

    try:
        return await steps.wait_until(moved, element="the next video", screen="video",
                                      timeout=NEXT_TIMEOUT)  # fmt: skip
    except ElementNotFound:
        return None


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Read ``ctx.target_user()``'s profile into the task's result; returns the remark."""
    name = ctx.target_user().removeprefix("@")
    cfg = ctx.config(ScrapeUserConfig)
    await ensure_account(ctx, session, steps)
    try:
        control = await open_profile(ctx, session, steps, name)
    except AccountUnavailable as e:
        ctx.store_result({"username": name, "status": e.reason, "videos": []})
        raise
    async with steps.step("read profile"):
        profile = read_profile(steps, control.hierarchy, name)
        tiles = [] if profile["private"] else read_tiles(steps, control.hierarchy, cfg.video_count)
        profile["videos"] = [dict(t, url=None, id=None) for t in tiles]
        profile["videos_asked"] = cfg.video_count
        ctx.store_result(profile)
    ctx.log.info("profile of @%s: %s", name, {k: v for k, v in profile.items() if k != "videos"})
    if profile["private"]:
        return f"@{name} is private: its videos are not shown to this account"
    if cfg.video_count == 0:
        return ""
    tile_nodes = steps.book.find_all(control.hierarchy, "profile_tile", steps.values)
    if not tile_nodes:
        return f"@{name} shows no videos"
    first = Found("profile_tile", tile_nodes[0], control.hierarchy)
    links = await copy_links(ctx, session, steps, first, cfg.video_count)
    videos = profile["videos"]
    for i, link in enumerate(links):
        if i < len(videos):
            videos[i].update(link)
        else:  # past the tiles the first screen showed: no play count or pin known
            videos.append({"plays": None, "plays_shown": None, "pinned": None, **link})
    del videos[len(links) :]
    ctx.store_result(profile)
    if len(links) < cfg.video_count:
        return f"@{name} has {len(links)} video(s), fewer than the {cfg.video_count} asked"
    return ""
