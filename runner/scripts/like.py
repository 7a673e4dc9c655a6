"""like: like one video by its URL, or ``count`` videos from one user's profile
(docs/spec/scripts.md, "like").

Steps, by URL (``target_post_urls[0]`` after fan-out): switch to the task's account (when it has
one); open the post with a VIEW intent limited to the app (``navigate.open_post``); like it.

By user (``target_users[0]`` after fan-out): the account; the profile (``access_method``, as
follow); the first tile of the Videos grid (with ``skip_pinned``: the first without the Pinned
badge; pinned videos head the grid, the newest after them); like it; then swipe up to the next
video of the player opened from the grid and like that, ``count`` videos in all. A swipe that
shows no other video within :data:`NEXT_TIMEOUT` seconds is the end of the profile's videos.

Liking one video: the like control is read from the dump first. Already liked (real dumps
``tt4314_fr_liked_video``, ``tt4703_fr_liked_video``: content-desc ``Vidéo aimée``, the heart
inside ``selected``): nothing is tapped (a tap there takes the like back). Else the like is
counted against the account's limits (``ctx.attempt("like")``: at a limit the task waits), the
control is tapped once (an irreversible action: the toast after it is read for push-back), and
the like counts only once a dump shows the liked state and, when the count is exact on both
sides (``4,869``, not ``10.5K``), the count one more than before.

Outcome: remark ``""`` when every video asked for was liked now; ``already liked (nothing
tapped)`` for a URL whose video was; for a user, ``liked N of @NAME's videos`` followed by ``; K
already liked (nothing tapped)`` and ``; @NAME shows only M videos`` when it had fewer than
``count`` (or fewer unpinned). ``TaskFailed`` otherwise, naming the step; a profile without
videos to like (private, or none posted) fails with nothing tapped, not retried.
"""

from __future__ import annotations

import re

from runner.devices import DeviceSession, Hierarchy
from runner.errors import ElementNotFound, TaskFailed
from runner.models.scripts import LikeConfig
from runner.scripts.context import TaskContext
from runner.scripts.navigate import (
    SCREEN_TIMEOUT,
    TAP_TIMEOUT,
    ensure_account,
    grid_tiles,
    open_post,
)
from runner.scripts.profile import open_profile
from runner.scripts.steps import Found, Steps

#: Seconds to wait for the next video after a swipe; none by then: the profile has no more.
NEXT_TIMEOUT = 3.0
ALREADY = "already liked (nothing tapped)"
#: A count as TikTok prints it exactly: digits, with thousands separators (``4,869``, ``1 234``).
_EXACT = re.compile(r"^\d{1,3}(?:[,.\s]\d{3})*$|^\d+$")


def exact_count(steps: Steps, h: Hierarchy) -> int | None:
    """The like count the control shows, when it is exact (``131``, ``4,869``); None when it is
    abbreviated (``906.2K``, ``3,8 M``: a like does not move it visibly) or not shown."""
    found = steps.find(h, "like_count")
    if found is None:
        return None
    text = found.node.ntext.strip()
    if not _EXACT.match(text):
        return None
    return int(re.sub(r"\D", "", text))


async def like_video(
    ctx: TaskContext, steps: Steps, control: Found, label: str
) -> tuple[bool, Found]:
    """Like the video whose player ``control`` (its like control) was found in; returns (True
    when it was liked now, False when it already was: nothing tapped; the like control in the
    latest dump). Raises ``PostConditionFailed`` when
    the liked state (and the count) do not show after the tap, ``PushBack`` when TikTok pushes
    back, ``LimitReached`` at the account's like limit (nothing tapped)."""
    h = control.hierarchy
    if steps.find(h, "like_button_selected") is not None:
        ctx.log.info("the video is already liked; nothing tapped")
        return False, control
    button = steps.find(h, "like_button_unliked")
    if button is None:
        raise TaskFailed(
            f"{label}: the like control shows neither state: {control.node.describe()}",
            step=f"{steps.script}: {label}",
        )
    before = exact_count(steps, h)

    def took(h: Hierarchy) -> Found | None:
        liked = steps.find(h, "like_button_selected")
        if liked is None or before is None:
            return liked
        now = exact_count(steps, h)
        return liked if now is None or now >= before + 1 else None

    await ctx.attempt("like")  # counted before the tap; at a limit the task waits
    async with steps.step(label):
        after = await steps.act(
            button,
            until=took,
            expecting="the video liked (the heart selected"
            + (f", the count past {before})" if before is not None else ")"),
            timeout=TAP_TIMEOUT,
            irreversible=True,
        )
    ctx.log.info("liked (count before: %s)", before if before is not None else "not exact")
    return True, after


def _fingerprint(steps: Steps, h: Hierarchy) -> tuple[str, ...]:
    """What tells one video's player from the next: its like, comments and creator labels."""
    out = []
    for name in ("like_button", "like_count", "comments_button", "video_creator"):
        found = steps.find(h, name)
        out.append((found.node.ntext + "|" + found.node.ndesc) if found else "")
    return tuple(out)


async def _next_video(session: DeviceSession, steps: Steps, current: Found) -> Found | None:
    """Swipe up to the next video; its like control, or None when no other video shows
    (``current``: the like control in the latest dump, so its like state is the one now)."""
    seen = _fingerprint(steps, current.hierarchy)
    await session.swipe_up(current.hierarchy)
    on_video = steps.any_of("like_button", all_of=("video_creator",))

    def other(h: Hierarchy) -> Found | None:
        found = on_video(h)
        return found if found is not None and _fingerprint(steps, h) != seen else None

    try:
        return await steps.wait_until(
            other, element="the next video", screen="video", timeout=NEXT_TIMEOUT
        )
    except ElementNotFound:
        return None


async def _first_video(
    ctx: TaskContext, steps: Steps, profile: Found, name: str, skip_pinned: bool
) -> Found:
    """Open the first tile to like (the first unpinned one with ``skip_pinned``)."""
    h = profile.hierarchy
    if steps.find(h, "private_account") is not None:
        raise ElementNotFound("profile_tile", screen="profile", timeout=0, step=steps.current)
    _, tiles = grid_tiles(steps, h, "profile_video_grid")
    if not tiles:  # the grid may come a moment after the handle
        found = await steps.wait_for("profile_tile", screen="profile", timeout=TAP_TIMEOUT)
        h = found.hierarchy
        _, tiles = grid_tiles(steps, h, "profile_video_grid")
    badges = steps.book.find_all(h, "pinned_badge", steps.values)
    pinned = [t for t in tiles if any(t.index <= b.index < t.end for b in badges)]
    ctx.log.info("@%s's grid: %d tiles, %d pinned", name, len(tiles), len(pinned))
    todo = [t for t in tiles if t not in pinned] if skip_pinned else tiles
    if not todo:
        raise TaskFailed(
            f"@{name}'s profile shows only pinned videos ({len(pinned)}); nothing liked",
            retry_safe=False,
        )
    return await steps.act(
        Found("profile_tile", todo[0], h),
        until=steps.any_of("like_button", all_of=("video_creator",)),
        expecting="the video",
        timeout=SCREEN_TIMEOUT,
        # a tap a popup swallowed is repeated on the element's first node: only right when
        # that is the tile tapped
        retap_when=lambda _h: todo[0] is tiles[0],
    )


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Like the task's one video, or ``count`` of its one user's; returns the success remark."""
    cfg = ctx.config(LikeConfig)
    urls = cfg.post_urls()
    if len(urls) > 1 or (not urls and len(cfg.users()) != 1):
        raise TaskFailed("like: expected exactly one post URL or one target user")
    await ensure_account(ctx, session, steps)
    if urls:
        control = await open_post(ctx, session, steps, urls[0], "like_button")
        done, _ = await like_video(ctx, steps, control, "tap Like")
        return "" if done else ALREADY

    name = ctx.target_user()
    steps.values["username"] = name
    profile = await open_profile(ctx, session, steps, name)
    async with steps.step("open the first video"):
        try:
            control = await _first_video(ctx, steps, profile, name, cfg.skip_pinned)
        except ElementNotFound:
            raise TaskFailed(
                f"@{name}'s profile shows no videos (a private account you do not follow, or "
                "nothing posted); nothing liked",
                retry_safe=False,
            ) from None
    liked = already = shown = 0
    for i in range(cfg.count):
        if i > 0:
            async with steps.step(f"next video ({i + 1} of {cfg.count})"):
                nxt = await _next_video(session, steps, control)
            if nxt is None:
                ctx.log.info("no video after the %d-th: the end of @%s's videos", i, name)
                break
            control = nxt
        shown += 1
        label = "tap Like" if cfg.count == 1 else f"tap Like ({i + 1} of {cfg.count})"
        done, control = await like_video(ctx, steps, control, label)
        if done:
            liked += 1
        else:
            already += 1
    if liked == cfg.count:
        return ""
    remark = f"liked {liked} of @{name}'s videos"
    if already:
        remark += f"; {already} already liked (nothing tapped)"
    if shown < cfg.count:
        remark += f"; @{name} shows only {shown} videos" + (
            " not pinned" if cfg.skip_pinned else ""
        )
    return remark
