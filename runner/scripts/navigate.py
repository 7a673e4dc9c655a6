"""Getting around the app, shared by the scripts: back to the home feed, keyword search, the own
profile, and switching to the task's account (docs/spec/local-api.md, ``enable_multi_account`` and
``usernames``; docs/internals.md, "Accounts on one phone").

Every function waits with one dump per decision (``Steps``) and raises ``ElementNotFound`` /
``PostConditionFailed`` / ``TaskFailed`` with the step named. Cancellation: between device calls.
"""

from __future__ import annotations

import re

import trio

from runner.devices import DeviceSession, Hierarchy, Node
from runner.errors import TaskFailed
from runner.scripts.context import TaskContext
from runner.scripts.steps import Found, Steps

#: Seconds to wait for a screen after an action (a cold app start is the slowest).
SCREEN_TIMEOUT = 15.0
#: Seconds to wait for the effect of a tap on the same screen.
TAP_TIMEOUT = 10.0
#: Seconds a video page must have shown before it counts as the one opened, on builds whose page
#: names the creator by display name only.
SETTLE = 1.0
_CREATOR = re.compile(r"^/@([^/]+)/video/")


async def go_home(ctx: TaskContext, session: DeviceSession, steps: Steps) -> Found:
    """Bring the app to the front on its home feed; returns the ``create_button`` found there
    (in a dump that also shows the feed's ``search_button``: other screens have a bottom bar
    with Create too).

    Launches the app (it resumes on whatever screen it was left on), then presses back until the
    home feed shows; when back does not get there (the app went to the background, or a stack of
    screens back does not unwind), stops and starts the app once: a cold start shows the feed.
    """
    await session.launch_app(ctx.package)
    found = await steps.back_until(
        "home_feed",
        screen="home",
        timeout=SCREEN_TIMEOUT,
        relaunch=lambda: session.restart_app(ctx.package),
    )
    create = steps.find(found.hierarchy, "create_button")
    return create if create is not None else found


async def search_for(
    ctx: TaskContext, session: DeviceSession, steps: Steps, query: str, *, tab: str
) -> Found:
    """From anywhere: home feed, Search, type ``query`` (read back), submit, select the results
    tab ``tab`` (``users_tab``, ``videos_tab`` or ``sounds_tab``); returns the dump's
    ``<tab>_selected`` element (its ``hierarchy`` shows the tab's results)."""
    async with steps.step("open search"):
        await go_home(ctx, session, steps)
        search = await steps.wait_for("search_button", screen="home", timeout=SCREEN_TIMEOUT)
        await steps.act(
            search,
            until=steps.any_of("search_field"),
            expecting="the search field",
            timeout=TAP_TIMEOUT,
        )
    async with steps.step("type search"):
        h = await steps.type_into("search_field", query, screen="search", timeout=TAP_TIMEOUT)
    async with steps.step("submit search"):
        submit = await steps.find_or_wait(h, "search_submit", screen="search", timeout=TAP_TIMEOUT)
        found = await steps.act(
            submit,
            until=steps.any_of(tab),
            expecting="the search results",
            timeout=SCREEN_TIMEOUT,
        )
    async with steps.step(f"open {tab.removesuffix('_tab').capitalize()} tab"):
        selected = steps.find(found.hierarchy, f"{tab}_selected")
        if selected is not None:
            return selected
        return await steps.act(
            found,
            until=steps.any_of(f"{tab}_selected"),
            expecting=f"the {tab} selected",
            timeout=TAP_TIMEOUT,
        )


async def open_own_profile(ctx: TaskContext, session: DeviceSession, steps: Steps) -> Found:
    """Home feed, then the Profile tab; returns the ``own_handle`` (the account's ``@name``)."""
    await go_home(ctx, session, steps)
    tab = await steps.wait_for("profile_tab", screen="home", timeout=SCREEN_TIMEOUT)
    return await steps.act(
        tab,
        until=steps.any_of("own_handle"),
        expecting="the own profile",
        timeout=SCREEN_TIMEOUT,
    )


async def current_account(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """The username the app is logged in as (read from the own profile), without ``@``."""
    async with steps.step("read the current account"):
        handle = await open_own_profile(ctx, session, steps)
        return handle.node.text.strip().removeprefix("@")


async def ensure_account(ctx: TaskContext, session: DeviceSession, steps: Steps) -> None:
    """Make the task's account (``ctx.username``) the app's current one, and verify it.

    No username (device mode without multi-account): nothing to do, no device call. Otherwise:
    own profile; if it shows ``@<account>`` already, done; else tap the username (the account
    switcher), tap the account's row, and see the profile show ``@<account>``. Raises
    ``TaskFailed`` when the account is not logged in on this phone in ``ctx.package`` (the
    switcher has no row for it), ``PostConditionFailed`` when the switch does not show.
    """
    account = (ctx.username or "").strip().removeprefix("@")
    if not account:
        return
    steps.values["account"] = account
    async with steps.step(f"switch to account @{account}"):
        handle = await open_own_profile(ctx, session, steps)
        if steps.find(handle.hierarchy, "own_handle_is_account") is not None:
            ctx.log.info("already on account @%s", account)
            return
        ctx.log.info("switching from %s to @%s", handle.node.text, account)
        row = await steps.act(
            handle,
            until=steps.any_of("account_row", "add_account"),
            expecting="the account switcher",
            timeout=TAP_TIMEOUT,
        )
        if row.name == "add_account":
            await session.press_back()
            raise TaskFailed(
                f"{steps.current}: account @{account} is not logged in on {ctx.serial} in "
                f"{ctx.package} (the account switcher does not list it)",
                step=steps.current,
            )
        await steps.act(
            row,
            until=steps.any_of("own_handle_is_account"),
            expecting=f"the profile of @{account}",
            timeout=SCREEN_TIMEOUT,
        )
        ctx.log.info("now on account @%s", account)


async def open_post(
    ctx: TaskContext, session: DeviceSession, steps: Steps, url: str, element: str
) -> Found:
    """Open the post at ``url`` with a VIEW intent limited to the app (step ``open post``) and
    return ``element`` (a player control: ``comments_button``, ``like_button``) on its page.

    A URL naming the creator (``/@NAME/video/ID``) sets the ``username`` value. 46.9.3 names the
    creator by username on the page: the video is the one asked for once it shows. 43.1.4 and
    47.0.3 show the display name instead (real dumps), so there the page counts once it has shown
    for :data:`SETTLE` seconds (the screen before the intent is gone by then)."""
    async with steps.step("open post"):
        await session.open_url_in_app(url, ctx.package)
        m = _CREATOR.match(re.sub(r"^https?://[^/]+", "", url))
        if m:
            steps.values["username"] = m.group(1)
        opened = trio.current_time()
        named = steps.any_of(element, all_of=("video_creator_named",))
        any_video = steps.any_of(element, all_of=("video_creator",))

        def decide(h):
            found = named(h) if m else any_video(h)
            if found is None and m and trio.current_time() - opened >= SETTLE:
                found = any_video(h)
                if found is not None:
                    creator = steps.find(h, "video_creator")
                    ctx.log.info(
                        "the video page names its creator %r, not @%s (display name)",
                        creator.node.text if creator else "", m.group(1),
                    )  # fmt: skip
            return found

        return await steps.wait_until(
            decide, element=element, screen="video", timeout=SCREEN_TIMEOUT
        )


def grid_tiles(steps: Steps, h: Hierarchy, grid_name: str) -> tuple[Node | None, list[Node]]:
    """The grid ``grid_name`` in ``h`` and its own children that are tiles (FrameLayouts), in
    document order (left to right, top to bottom)."""
    grid = steps.book.find(h, grid_name, steps.values)
    if grid is None:
        return None, []
    kids = [n for n in h.nodes[grid.index + 1 : grid.end] if n.parent == grid.index]
    return grid, [n for n in kids if n.class_name == "android.widget.FrameLayout"]
