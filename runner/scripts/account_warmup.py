"""account_warmup: browse like a person for a while (docs/spec/scripts.md, "account_warmup").

Runs ``task_duration`` seconds of real time (trio's clock), on the home feed or, with ``topic``,
on the Videos results of one keyword picked at random from its lines. Per video: one dump (the
video under the finger), then like / follow the creator / bookmark / comment, each drawn from the
task's seeded RNG against its probability (percent), then the rest of the watch time (uniform in
[``min_duration``, ``max_duration``] seconds, counted from the video's arrival, cut at the end of
the task), then a swipe up.

Randomness: one ``random.Random(ctx.seed)``; the seed is written to the task log, so a run can be
replayed. All four draws are made for every video, whatever their outcome, so one probability does
not shift the others' sequence.

Comments come from the ``comment`` templates (``comment_order``: ``sequential`` starts at line
``job_count`` and goes on one line per comment) or, with ``generate_by_chatgpt``, from the
endpoint in ``chatgpt_settings`` (runner/chatgpt.py); when the endpoint fails the templates are used,
and without templates the comment is skipped (the failure is logged, never the key).

Ads (``ad_label``: "Ad", "Sponsored", "Publicité") are watched but never liked, followed,
bookmarked or commented; a LIVE in the feed (``live_label``, no player controls) is swiped past.

Every action is checked (the Like/Favorites button turns selected, the creator's Follow button
goes, the comment shows in the list) and never repeated blindly. A crash of the app is safe to
recover from here (nothing half done is repeated): the app is relaunched, at most
:data:`MAX_CRASHES` times. Cancellation: between device calls or during a watch.

Progress (the task object's ``progress``): the steps' labels until the first video shows, then
``"watched N videos, S of D s"`` with the fraction S/D of ``task_duration`` (D) gone, reported at
each video and every :data:`PROGRESS_TICK` seconds of a watch (no device call), and at the end
``"watched N videos, D of D s"``, fraction 1.

Account safety (README, "Account safety"): each like, follow, bookmark and comment is counted
against the account's limits as it happens, before its tap (``ctx.attempt(kind,
raise_on_limit=False)``); one the limits refuse is skipped and the warm-up goes on watching. The
run ends early at the end of the account's working hours (``ctx.working_left()``).

Outcome: remark ``"watched N videos in S s: L liked, F followed, B bookmarked, C commented"``,
followed by ``"; K ads or LIVEs left alone"`` when there were any, ``"; L likes over the
limit skipped"`` (per kind) when the limits refused some, and ``"; stopped at the end of working
hours"`` when those ended it.
"""

from __future__ import annotations

import random
from collections import Counter

import trio

from runner.chatgpt import ChatError, generate_comment
from runner.devices import DeviceSession, Hierarchy
from runner.models.scripts import AccountWarmupConfig
from runner.scripts import text as texts
from runner.scripts.commenting import open_comments, write_comment
from runner.scripts.context import TaskContext
from runner.scripts.navigate import SCREEN_TIMEOUT, TAP_TIMEOUT, ensure_account, go_home, search_for
from runner.scripts.steps import AppCrashed, Found, Steps

MAX_CRASHES = 2
#: Seconds between two progress reports while a video is watched (reports cost no device call).
PROGRESS_TICK = 1.0


class Warmup:
    """One warmup run: its config, clock, RNG and counters."""

    def __init__(self, ctx: TaskContext, session: DeviceSession, steps: Steps) -> None:
        cfg = self.cfg = ctx.config(AccountWarmupConfig)
        self.ctx, self.session, self.steps = ctx, session, steps
        self.rng = random.Random(ctx.seed)
        self.duration = cfg.task_duration
        self.low = cfg.min_duration
        self.high = max(self.low, cfg.max_duration)
        self.chances = {
            "like": cfg.like_probable,
            "follow": cfg.floow_probable,
            "bookmark": cfg.collect_probable,
            "comment": cfg.comment_probable,
        }
        self.topics = texts.lines_of(cfg.topic)
        self.templates = texts.lines_of(cfg.comment)
        self.stats: Counter[str] = Counter()
        self.start = trio.current_time()
        self.deadline = self.start + self.duration
        self.hours_end = False
        left = ctx.working_left()
        if left is not None and left < self.duration:
            self.deadline, self.hours_end = self.start + left, True
        self.refused: Counter[str] = Counter()

    async def allowed(self, kind: str) -> bool:
        """Whether the account's limits allow one more ``kind`` now (counted if so)."""
        if await self.ctx.attempt(kind, raise_on_limit=False):
            return True
        self.refused[kind] += 1
        return False

    def left(self) -> float:
        return self.deadline - trio.current_time()

    def report(self) -> None:
        """Report ``watched N videos, S of D s`` (S: seconds of the task gone, at most D)."""
        gone = min(self.duration, max(0.0, trio.current_time() - self.start))
        fraction = gone / self.duration if self.duration > 0 else 1.0
        self.ctx.progress(
            f"watched {self.stats['watched']} videos, {gone:.0f} of {self.duration:g} s", fraction
        )

    async def watch_until(self, until: float) -> None:
        """Sleep until trio time ``until``, reporting progress every :data:`PROGRESS_TICK` s."""
        while (now := trio.current_time()) < until:
            self.report()
            await trio.sleep(min(PROGRESS_TICK, until - now))

    async def run(self) -> str:
        ctx = self.ctx
        ctx.log.info(
            "account_warmup: random seed %d; %g s; watch %g-%g s; chances %s",
            ctx.seed,
            self.duration,
            self.low,
            self.high,
            self.chances,
        )
        await ensure_account(ctx, self.session, self.steps)
        crashes = 0
        while self.left() > 0:
            try:
                await self._browse()
            except AppCrashed as e:
                crashes += 1
                if crashes > MAX_CRASHES:
                    raise
                ctx.log.warning(
                    "%s; relaunching the app (%d of %d)", e.remark, crashes, MAX_CRASHES
                )
        self.report()
        elapsed = trio.current_time() - self.start
        s = self.stats
        skipped = f"; {s['skipped']} ads or LIVEs left alone" if s["skipped"] else ""
        for kind, n in sorted(self.refused.items()):
            skipped += f"; {n} {kind}s over the limit skipped"
        if self.hours_end:
            skipped += "; stopped at the end of working hours"
            ctx.log.info("stopped at the end of working hours")
        return (
            f"watched {s['watched']} videos in {elapsed:.0f} s: {s['like']} liked, "
            f"{s['follow']} followed, {s['bookmark']} bookmarked, {s['comment']} commented"
            f"{skipped}"
        )

    async def _browse(self) -> None:
        steps = self.steps
        if self.topics:
            keyword = self.rng.choice(self.topics)
            self.ctx.log.info("topic: %r", keyword)
            selected = await search_for(self.ctx, self.session, steps, keyword, tab="videos_tab")
            async with steps.step("open the first video"):
                tile = await steps.find_or_wait(
                    selected.hierarchy, "video_tile", screen="search_results", timeout=TAP_TIMEOUT
                )
                await steps.act(
                    tile,
                    until=steps.any_of("like_button"),
                    expecting="the video",
                    timeout=SCREEN_TIMEOUT,
                )
        else:
            async with steps.step("open the home feed"):
                await go_home(self.ctx, self.session, steps)
        steps.report_steps = False  # from here on, progress is videos and seconds
        while self.left() > 0:
            arrived = trio.current_time()
            self.report()
            watch = self.rng.uniform(self.low, self.high)
            draws = {k: self.rng.random() * 100 < p for k, p in self.chances.items()}
            async with steps.step(f"video {self.stats['watched'] + 1}"):
                h = await steps.wait_for(
                    "like_button", "live_label", screen="video", timeout=SCREEN_TIMEOUT
                )
                if h.name == "live_label" or steps.find(h.hierarchy, "like_button") is None:
                    # A LIVE in the feed: no player controls, nothing to do; move on.
                    self.stats["skipped"] += 1
                    self.ctx.log.info("a LIVE in the feed; moving on")
                    await self.session.swipe_up(h.hierarchy)
                    continue
                ad = steps.find(h.hierarchy, "ad_label")
                if ad is not None:
                    # An ad: watched like any video, never liked, followed, saved or commented.
                    self.stats["skipped"] += 1
                    self.ctx.log.info("an ad (%r): watching, no interaction", ad.node.text)
                else:
                    await self._interact(h, draws)
                await self.watch_until(min(arrived + watch, self.deadline))
                self.stats["watched"] += 1
                if self.left() <= 0:
                    return
                await self.session.swipe_up(h.hierarchy)

    async def _interact(self, video: Found, draws: dict[str, bool]) -> None:
        steps = self.steps
        h = video.hierarchy
        creator_node = steps.find(h, "video_creator")
        creator = creator_node.node.text if creator_node else ""
        liked = steps.find(h, "like_button_selected") is not None
        if draws["like"] and not liked and await self.allowed("like"):
            steps.commit("account_warmup: like")
            await steps.act(
                video,
                until=steps.any_of("like_button_selected"),
                expecting="the Like button selected",
                timeout=TAP_TIMEOUT,
            )
            self.stats["like"] += 1
            self.ctx.log.info("liked a video by %s", creator)
        follow = steps.find(h, "follow_creator")
        if draws["follow"] and follow is not None and await self.allowed("follow"):

            def followed(h: Hierarchy) -> bool | None:
                gone = steps.find(h, "follow_creator") is None
                return True if gone and steps.find(h, "like_button") is not None else None

            steps.commit("account_warmup: follow")
            await steps.act(
                follow, until=followed, expecting="the creator followed", timeout=TAP_TIMEOUT
            )
            self.stats["follow"] += 1
            self.ctx.log.info("followed %s", creator)
        favorite = steps.find(h, "favorite_button")
        saved = favorite is None or favorite.node.selected
        if draws["bookmark"] and not saved and await self.allowed("bookmark"):
            steps.commit("account_warmup: bookmark")
            await steps.act(
                favorite,
                until=steps.any_of("favorite_button_selected"),
                expecting="the Favorites button selected",
                timeout=TAP_TIMEOUT,
            )
            self.stats["bookmark"] += 1
            self.ctx.log.info("bookmarked a video by %s", creator)
        if draws["comment"]:
            text = await self._comment_text(creator)
            if text and await self.allowed("comment"):
                sheet = await open_comments(steps)
                await write_comment(self.session, steps, sheet, text)
                self.stats["comment"] += 1
                async with steps.step("close comments"):
                    await self.session.press_back()
                    await steps.wait_for("like_button", screen="video", timeout=TAP_TIMEOUT)

    async def _comment_text(self, creator: str) -> str | None:
        cfg = self.cfg
        text = None
        if cfg.generate_by_chatgpt:
            settings = cfg.chatgpt_settings
            try:
                text = await trio.to_thread.run_sync(
                    lambda: generate_comment(settings, creator=creator)
                )
                self.ctx.log.info("comment generated by the chat endpoint")
            except ChatError as e:
                self.ctx.log.warning("chat endpoint failed (%s); using the templates", e)
        if text is None and self.templates:
            text = texts.pick_line(
                self.templates,
                cfg.comment_order,
                self.ctx.job_count + self.stats["comment"],
                self.rng,
            )
        if text is None:
            self.ctx.log.info("no comment to write (no templates); skipped")
            return None
        if cfg.insert_emoji:
            text = texts.with_emoji(text, self.rng)
        return text


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Warm the account up for ``task_duration`` seconds; returns the summary remark."""
    return await Warmup(ctx, session, steps).run()
