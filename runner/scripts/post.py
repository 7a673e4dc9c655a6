"""post: publish a video or images (docs/spec/scripts.md, "post").

Steps: switch to the task's account (when it has one); choose the files (runner/materials.py:
material_list, localFolder with its ``@account`` subfolder and ``caption.txt``, or the material
library filtered by tags; folder and library files reserved in the ledger so no file is posted
twice); expand the caption's spintax with the task's seeded RNG; count the own profile's posts
(what the outcome is checked against, below); push the files to the phone's gallery folder and
index them in the media store, one after the other; open the editor by ``post_way``:

- ``share``: a SEND intent limited to the app, carrying the file, opens the editor (several files:
  Android's ``am`` cannot carry a Uri list, so they are picked in the app's gallery as for
  ``addButton``);
- ``addButton``: Create (on the own profile's tab bar, where the count left us), the camera's
  gallery entry (a view with no words, bottom left), tick the files, ``Next (N)``;
- ``useSound``: open the sound (a music URL through a VIEW intent, else keyword search, Sounds
  tab, the row named exactly ``sound_name``), Use sound, then the camera's gallery entry, tick
  the files, ``Next (N)``. Where the search results have no Sounds tab (43.1.4), the sound is
  found with the camera's own sound picker instead (Create, the camera's sound pill, search,
  Use this sound), then the gallery entry as above.

Picking in the gallery: tiles have no names and no words; the gallery lists the media store's
files newest first. The files were pushed and indexed one after the other just before, so they
are the grid's first N tiles in reverse order (the post's first file is tile N, its last tile 1).
Before anything is ticked, the kinds of those tiles must be the files' (a video tile shows its
length, a photo none): else something else is newest and nothing is picked blindly. Each tile is
ticked with its select button, in the post's order, and the button must then read its place in
the pick (``1``, ``2``...); ``Next (N)`` must count N.

Then the sound options (``add_sound``: ``-1``/``0`` leave the editor's sound alone; ``1`` with a
``sound_name`` picks that sound; ``custom`` searches ``custom_sound_keyword`` and picks the first
result, each within ``sound_wait_time`` seconds), Next, type the caption (read back: the field's
text is its hint while empty), tap Post once ("Publish now" when the app asks "Publish video
publicly?"; that button only with the question on screen, never the post screen's own Post),
wait up to ``upload_wait_time`` seconds for the upload (a window of its own holding ``N%`` shows
while it runs and goes when it is over), and see the post on the own profile.

What "the post is on the profile" relies on: own posts are the grid tiles of the own profile,
newest first, with no caption and no content-desc (only a play count), so a post cannot be
recognised by its caption. The check is the count: the own profile must show one tile more than
it did before the files were pushed (a post still uploading is a tile with ``N%`` and counts
once it is done). When the grid was already full (its tiles reach the bottom of the screen, so a
new one pushes the last one out of sight), the count cannot grow: the first tile being a
finished post is all that is checked, and the log says so. It assumes nothing else posts on the
account while the task runs.

Retries: a retried task asks this runner's own record first (``post_attempts``, in the material
ledger's SQLite file, or process memory when there is none): whether an earlier attempt of the
task tapped Post, how many posts the profile showed before it, and whether it saw the upload
start or the post on the profile. No tap recorded: nothing of this task can be on the phone, it
posts. A confirmed post: posts nothing. Otherwise the own profile decides: an upload in
progress (an ``N%`` tile) or one post more than the earlier attempt counted means the earlier
attempt's post is there (posts nothing, remark "post already published by an earlier attempt");
the same count and no upload means the earlier tap published nothing, so it posts, unless that
attempt had seen the upload start (the post may still appear: it fails without posting) or the
count cannot tell (full grid: it fails without posting). A retry never posts twice.

Progress (the task object's ``progress``): each step's label (``push media``, ``type caption``,
``tap Post``...), and while the upload runs ``uploading N%`` with fraction N/100, read from the
dumps the wait makes anyway.

Outcome: remark ``""``. The files are marked posted in the ledger as Post is tapped, so even an
unconfirmed post never reuses them; a task failing before that gives them back.
"""

from __future__ import annotations

import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import trio

from runner.devices import DeviceSession, Hierarchy, Node
from runner.errors import PostConditionFailed, TaskFailed
from runner.materials import (
    Ledger,
    MaterialError,
    candidates,
    connect_ledger_file,
    kind_of,
    resolve,
)
from runner.models.scripts import PostConfig
from runner.scripts import text as texts
from runner.scripts.comment import push_to_gallery
from runner.scripts.context import TaskContext
from runner.scripts.navigate import (
    SCREEN_TIMEOUT,
    TAP_TIMEOUT,
    current_account,
    ensure_account,
    go_home,
    grid_tiles,
    open_own_profile,
    search_for,
)
from runner.scripts.steps import MAX_TAPS, AppCrashed, Found, Steps

T = TypeVar("T")

#: Where pushed media goes on the phone (the camera roll the gallery shows).
MEDIA_DIR = "/sdcard/DCIM/tikrunner"
#: Seconds between dumps while the upload runs (it takes seconds; no need to poll faster) ...
UPLOAD_POLL = 0.5
#: ... after a first, quicker look (a short clip is often done by then): the pauses double from
#: this up to UPLOAD_POLL (0.1, 0.2, 0.4, 0.5 ...; Steps.polling), at most 3 extra dumps per wait.
UPLOAD_POLL_FIRST = 0.1
#: The remark of a retry that found the earlier attempt's post.
ALREADY_POSTED = "post already published by an earlier attempt"
_COUNT_IN_NEXT = re.compile(r"\((\d+)\)\s*$")


# ------------------------------------------------------------------ the record of Post taps
_ATTEMPTS_SCHEMA = """CREATE TABLE IF NOT EXISTS post_attempts (
    task_id INTEGER PRIMARY KEY,
    serial TEXT,
    account TEXT,
    posts_before INTEGER,
    stage TEXT NOT NULL CHECK (stage IN ('tapped', 'uploading', 'posted')),
    at REAL NOT NULL
)"""


@dataclass(frozen=True)
class Attempt:
    """What an attempt of a task did about Post: ``stage`` ``tapped`` (Post tapped),
    ``uploading`` (the upload seen starting) or ``posted`` (the post seen on the profile);
    ``posts_before`` the own profile's post count before it (None: a full grid, no count)."""

    posts_before: int | None
    stage: str


class PostAttempts:
    """The runner's record of Post taps per task (see the module docstring), beside the material
    ledger: the same SQLite file (``path``), or process memory when None. Blocking but short;
    call through ``trio.to_thread.run_sync``."""

    _memory: dict[int, Attempt] = {}
    _lock = threading.Lock()

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return connect_ledger_file(self.path, _ATTEMPTS_SCHEMA)

    def get(self, task_id: int) -> Attempt | None:
        if self.path is None:
            with self._lock:
                return self._memory.get(task_id)
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT posts_before, stage FROM post_attempts WHERE task_id = ?", (task_id,)
            ).fetchone()
            return Attempt(row[0], row[1]) if row else None
        finally:
            conn.close()

    def tapped(self, task_id: int, *, serial: str, account: str, posts_before: int | None) -> None:
        """Post is about to be tapped (a new record, replacing an earlier attempt's)."""
        if self.path is None:
            with self._lock:
                self._memory[task_id] = Attempt(posts_before, "tapped")
            return
        conn = self._connect()
        try:
            conn.execute(
                "INSERT OR REPLACE INTO post_attempts VALUES (?, ?, ?, ?, 'tapped', ?)",
                (task_id, serial, account, posts_before, time.time()),
            )
        finally:
            conn.close()

    def stage(self, task_id: int, stage: str) -> None:
        if self.path is None:
            with self._lock:
                old = self._memory.get(task_id)
                if old is not None:
                    self._memory[task_id] = Attempt(old.posts_before, stage)
            return
        conn = self._connect()
        try:
            conn.execute(
                "UPDATE post_attempts SET stage = ?, at = ? WHERE task_id = ?",
                (stage, time.time(), task_id),
            )
        finally:
            conn.close()


# ------------------------------------------------------------------ the script
async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Publish one post as configured; returns the success remark."""
    cfg = ctx.config(PostConfig)
    kind = "image" if cfg.content_type == 1 else "video"
    count = cfg.image_count if kind == "image" else 1
    rng = random.Random(f"post:{ctx.task_id}")
    ledger = Ledger(ctx.materials_db)
    attempts = PostAttempts(ctx.materials_db)

    await ensure_account(ctx, session, steps)
    account = (ctx.username or "").removeprefix("@") or None
    if account is None and _wants_account(cfg, ctx.upload_folder):
        account = await current_account(ctx, session, steps)

    async with steps.step("choose material"):
        files, caption_template, where, reserved = await _choose(ctx, ledger, kind, count, account)
    caption = texts.spin(caption_template, rng)
    steps.values["caption"] = caption
    ctx.log.info(
        "posting %d %s(s) from %s: %s; caption %r",
        len(files),
        kind,
        where,
        ", ".join(str(f) for f in files),
        caption,
    )

    tapped_post = False
    try:
        earlier = None
        if ctx.retry_count > 0:
            earlier = await trio.to_thread.run_sync(attempts.get, ctx.task_id)
        if earlier is not None and earlier.stage == "posted":
            ctx.log.info("an earlier attempt saw its post on the profile")
            return await _already(ctx, ledger, reserved)
        async with steps.step("count own posts"):
            before = await _own_posts(ctx, session, steps)
            ctx.log.info("the own profile shows %s", before.describe())
        if earlier is not None:
            async with steps.step("look for an earlier attempt's post"):
                if await _earlier_post_there(ctx, session, steps, earlier, before):
                    return await _already(ctx, ledger, reserved)
        async with steps.step("push media"):
            names = [
                await push_to_gallery(ctx, session, f, folder=MEDIA_DIR, index=i)
                for i, f in enumerate(files)
            ]
        kinds = [kind_of(f) or kind for f in files]
        await _open_editor(ctx, session, steps, names, kinds, before.profile)
        await _sounds(ctx, session, steps)
        async with steps.step("open the post screen"):
            editor_next = await steps.wait_until(
                _on_editor(steps), element="editor_next", screen="editor", timeout=SCREEN_TIMEOUT
            )
            await steps.act(
                editor_next,
                until=steps.any_of("caption_field", all_of=("post_button",)),
                expecting="the post screen",
                timeout=SCREEN_TIMEOUT,
            )
        if caption:
            async with steps.step("type caption"):
                await steps.type_into("caption_field", caption, screen="post", timeout=TAP_TIMEOUT)
        async with steps.step("tap Post"):
            post = await steps.wait_for("post_button", screen="post", timeout=TAP_TIMEOUT)
            await ctx.attempt("post")  # counted before the tap; at a limit the task waits
            steps.commit()
            if reserved:
                await trio.to_thread.run_sync(ledger.mark_posted, ctx.task_id)
            await trio.to_thread.run_sync(
                lambda: attempts.tapped(
                    ctx.task_id,
                    serial=ctx.serial,
                    account=account or "",
                    posts_before=before.count_or_none,
                )
            )
            tapped_post = True
            result = await steps.act(
                post,
                until=_after_post(steps),
                expecting="the upload starting",
                timeout=SCREEN_TIMEOUT,
                retap_when=steps.any_of("caption_field"),
                irreversible=True,
            )
            if result.name == "publish_now":
                result = await steps.act(
                    result,
                    until=_upload_started(steps),
                    expecting="the upload starting",
                    timeout=SCREEN_TIMEOUT,
                    retap_when=steps.any_of("publish_prompt"),
                    irreversible=True,
                )
            await trio.to_thread.run_sync(attempts.stage, ctx.task_id, "uploading")
        await _wait_upload(ctx, steps, result)
        async with steps.step("check the post"):
            await _see_post(ctx, session, steps, before)
            await trio.to_thread.run_sync(attempts.stage, ctx.task_id, "posted")
    except BaseException:
        if reserved and not tapped_post:
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(ledger.release, ctx.task_id)
        raise
    ctx.log.info("posted %s", ", ".join(names))
    return ""


async def _already(ctx: TaskContext, ledger: Ledger, reserved: bool) -> str:
    if reserved:
        await trio.to_thread.run_sync(ledger.mark_posted, ctx.task_id)
    return ALREADY_POSTED


def _wants_account(cfg: PostConfig, upload_folder: Path | None) -> bool:
    """True when the post reads a localFolder that has ``@account`` subfolders (so the current
    account's name is needed to pick its folder)."""
    if cfg.material_list or cfg.material_source != "localFolder":
        return False
    try:
        return any(
            p.name.startswith("@") and p.is_dir()
            for p in resolve(cfg.material_path, upload_folder).iterdir()
        )
    except OSError:
        return False


async def _choose(
    ctx: TaskContext, ledger: Ledger, kind: str, count: int, account: str | None
) -> tuple[list[Path], str, str, bool]:
    """(files, caption template, where they came from, reserved in the ledger)."""
    cfg = ctx.config(PostConfig)

    def pick() -> tuple[list[Path], str, str, bool]:
        found = candidates(
            cfg,
            account=account,
            upload_folder=ctx.upload_folder,
            roots=ctx.material_roots,
            seed=ctx.task_id,
        )
        for path in found.refused:
            ctx.log.warning("skipped %s: its real path is outside the material folders", path)
        if found.ledger:
            files = ledger.claim(found.files, count, task_id=ctx.task_id, serial=ctx.serial)
            if len(files) < count:
                ledger.release(ctx.task_id)
        else:
            files = found.files[:count]
        if len(files) < count:
            have = f"only {len(files)}" if files else "no"
            unposted = " unposted" if found.ledger else ""
            raise MaterialError(
                f"{have}{unposted} {kind} file(s) in {found.where}; the post needs {count}"
            )
        template = found.caption if found.caption is not None else cfg.captions
        return files, template, found.where, found.ledger

    try:
        return await trio.to_thread.run_sync(pick)
    except MaterialError as e:
        raise TaskFailed(f"post: choose material: {e}", step="post: choose material") from e


# ------------------------------------------------------------------ the own profile's posts
@dataclass(frozen=True)
class OwnPosts:
    """The own profile's grid as one dump shows it: ``count`` tiles (a post still uploading
    included), ``full`` when they reach the bottom of the grid (a new post would push one out
    of sight, so the count cannot grow), ``uploading`` when a tile shows its upload's ``N%``;
    ``profile`` the own profile as found (its dump)."""

    count: int
    full: bool
    uploading: bool
    profile: Found

    @property
    def count_or_none(self) -> int | None:
        return None if self.full else self.count

    def describe(self) -> str:
        more = " (a full screen of them)" if self.full else ""
        up = ", one still uploading" if self.uploading else ""
        return f"{self.count} post(s){more}{up}"


def own_posts_in(steps: Steps, found: Found) -> OwnPosts:
    """Count the own posts of an own-profile dump (see :class:`OwnPosts`)."""
    h = found.hierarchy
    grid, tiles = grid_tiles(steps, h, "own_post_grid")
    full = grid is not None and any(t.bounds.bottom >= grid.bounds.bottom for t in tiles)
    uploading = steps.find(h, "post_tile_uploading") is not None
    return OwnPosts(len(tiles), full, uploading, found)


async def _own_posts(ctx: TaskContext, session: DeviceSession, steps: Steps) -> OwnPosts:
    """The own profile's posts (the profile opened unless it is on screen already). An app
    that had crashed (its dialog closed by the look) is started again once: nothing was done."""
    try:
        return await _own_posts_once(ctx, session, steps)
    except AppCrashed:
        ctx.log.info("the app had crashed; starting it again")
        return await _own_posts_once(ctx, session, steps)


async def _own_posts_once(ctx: TaskContext, session: DeviceSession, steps: Steps) -> OwnPosts:
    # This task's last dump, when it shows the own profile (switching accounts ends there), is
    # the screen as it is: nothing was tapped since.
    xml = session.last_hierarchy_xml if steps.dumps else None
    found = steps.find(Hierarchy.parse(xml), "own_handle") if xml else None
    if found is None:
        found = await open_own_profile(ctx, session, steps)
    return own_posts_in(steps, found)


def _upload_wait(ctx: TaskContext) -> float:
    return float(ctx.config(PostConfig).upload_wait_time)


async def _profile_settled(
    ctx: TaskContext, session: DeviceSession, steps: Steps, wait: float
) -> OwnPosts:
    """The own profile once no post on it is uploading any more (up to ``wait`` seconds).
    Raises ``PostConditionFailed`` when one still uploads after that."""
    posts = await _own_posts(ctx, session, steps)
    if not posts.uploading:
        return posts

    def settled(h: Hierarchy) -> OwnPosts | None:
        found = steps.find(h, "own_handle")
        if found is None:
            return None
        now = own_posts_in(steps, found)
        return None if now.uploading else now

    try:
        with steps.polling(UPLOAD_POLL, first=UPLOAD_POLL_FIRST):
            return await steps.wait_until(
                settled, element="post_tile (uploaded)", screen="own_profile", timeout=wait
            )
    except TaskFailed as e:
        raise PostConditionFailed(
            f"{steps.current}: a post on the own profile is still uploading after {wait:g} s; "
            "not posted again",
            step=steps.current,
        ) from e


async def _earlier_post_there(
    ctx: TaskContext, session: DeviceSession, steps: Steps, earlier: Attempt, now: OwnPosts
) -> bool:
    """On a retry whose earlier attempt tapped Post (and did not see its post): is that post on
    the own profile? True: it is (or is uploading). False: it is not, and posting is safe.
    Raises ``PostConditionFailed`` when the phone cannot tell, or the post may still appear."""
    ctx.log.info(
        "an earlier attempt tapped Post (%s; the profile had %s post(s) before); now %s",
        earlier.stage,
        "a full screen of" if earlier.posts_before is None else earlier.posts_before,
        now.describe(),
    )
    if now.uploading:
        ctx.log.info("a post is uploading on the own profile: the earlier attempt's; waiting")
        await _profile_settled(ctx, session, steps, _upload_wait(ctx))
        return True
    if earlier.posts_before is None:
        raise PostConditionFailed(
            f"{steps.current}: an earlier attempt tapped Post, and the own profile's grid was "
            "already full then, so its post cannot be told from the others; not posted again",
            step=steps.current,
        )
    if now.count > earlier.posts_before:
        return True
    if earlier.stage == "uploading":
        raise PostConditionFailed(
            f"{steps.current}: an earlier attempt saw its upload start but the own profile "
            f"shows no new post ({now.count}, as before it); the post may still appear: "
            "not posted again",
            step=steps.current,
        )
    ctx.log.warning(
        "the earlier attempt's tap on Post published nothing (%d post(s), as before); posting",
        now.count,
    )
    return False


async def _see_post(
    ctx: TaskContext, session: DeviceSession, steps: Steps, before: OwnPosts
) -> None:
    """The own profile shows the new post (see the module docstring)."""
    posts = await _profile_settled(ctx, session, steps, _upload_wait(ctx))
    if before.full and posts.count > 0:
        ctx.log.info("the grid was full: the new post is checked as the first tile only")
        return
    if not before.full and posts.count <= before.count:

        def grown(h: Hierarchy) -> OwnPosts | None:
            found = steps.find(h, "own_handle")
            now = own_posts_in(steps, found) if found is not None else None
            if now is None or now.uploading or now.count <= before.count:
                return None
            return now

        try:
            posts = await steps.wait_until(
                grown, element="post_tile (new)", screen="own_profile", timeout=TAP_TIMEOUT
            )
        except TaskFailed:
            pass
    if posts.count > before.count or (before.full and posts.count > 0):
        return
    raise PostConditionFailed(
        f"{steps.current}: the own profile of {ctx.username or 'the account'} shows "
        f"{posts.count} post(s) after publishing, as many as before; the post may still "
        "appear: not posted again",
        step=steps.current,
    )


# ------------------------------------------------------------------ to the editor
def _on_editor(steps: Steps):
    """The editor: its Next, with no gallery grid, caption or sound picker on screen."""

    def decide(h: Hierarchy) -> Found | None:
        found = steps.find(h, "editor_next")
        if found is None:
            return None
        if any(steps.find(h, n) for n in ("gallery_grid", "caption_field", "sound_search_field")):
            return None
        return found

    return decide


async def _open_editor(
    ctx: TaskContext,
    session: DeviceSession,
    steps: Steps,
    names: list[str],
    kinds: list[str],
    profile: Found,
) -> None:
    way = ctx.config(PostConfig).post_way
    if way == "share" and len(names) > 1:
        # Android's `am` has no Uri-array extra (`--eua` is "Unknown option"), so several files
        # cannot be shared into the app from the shell: they go through the app's gallery.
        ctx.log.info("share of %d files is not possible through am; using the gallery", len(names))
        way = "addButton"
    if way == "share":
        async with steps.step("share into the app"):
            mime = "video/mp4" if kinds[0] == "video" else "image/*"
            await session.share_media(f"{MEDIA_DIR}/{names[0]}", mime, ctx.package)
            await steps.wait_until(
                _on_editor(steps), element="editor_next", screen="editor", timeout=SCREEN_TIMEOUT
            )
        return
    if way == "useSound" and not await _open_sound(ctx, session, steps):
        # No Sounds tab to find it by (43.1.4): the camera's own sound picker finds it.
        async with steps.step("open Create"):
            create = await go_home(ctx, session, steps)
            await steps.act(
                create,
                until=steps.any_of("camera_add_sound"),
                expecting="the camera screen",
                timeout=SCREEN_TIMEOUT,
            )
        async with steps.step("add sound"):
            wanted = ctx.config(PostConfig).sound_name.strip()
            upload = await _pick_sound(ctx, steps, "camera_add_sound", wanted, _on_camera(steps))
    elif way == "useSound":
        async with steps.step("use sound"):
            use = await steps.wait_for(
                "sound_use",
                screen="sound_page",
                timeout=ctx.config(PostConfig).sound_wait_time + TAP_TIMEOUT,
            )
            upload = await steps.act(
                use,
                until=steps.any_of("camera_upload"),
                expecting="the camera with the sound",
                timeout=SCREEN_TIMEOUT,
            )
    elif way == "addButton":
        async with steps.step("open Create"):
            # The own profile (where the count left us) has the tab bar's Create too.
            create = steps.find(profile.hierarchy, "create_button")
            if create is None:
                create = await go_home(ctx, session, steps)
            upload = await steps.act(
                create,
                until=steps.any_of("camera_upload"),
                expecting="the camera screen",
                timeout=SCREEN_TIMEOUT,
            )
    else:
        raise TaskFailed(f"post: unknown post_way {way!r}")
    async with steps.step("open the gallery"):
        await steps.act(
            upload,
            until=steps.any_of("gallery_newest_tile", all_of=("gallery_next",)),
            expecting="the gallery",
            timeout=SCREEN_TIMEOUT,
        )
    await _pick_in_gallery(steps, names, kinds)


def _tiles(steps: Steps, h: Hierarchy) -> list[Node]:
    """The gallery's tiles, newest first (the grid's own children; a tile's select button sits
    in a clickable FrameLayout of its own, which is not a tile)."""
    grid, frames = grid_tiles(steps, h, "gallery_grid")
    return [f for f in frames if f.clickable]


def _inside(node: Node, tile: Node) -> bool:
    return tile.index < node.index < tile.end


def _toggle_of(steps: Steps, h: Hierarchy, tile: Node) -> Node | None:
    """The select button of ``tile`` (None when the gallery shows none: the tile toggles)."""
    for node in steps.book.find_all(h, "gallery_select", steps.values):
        if _inside(node, tile):
            return node
    return None


def _is_video(steps: Steps, h: Hierarchy, tile: Node) -> bool:
    return any(
        _inside(n, tile) for n in steps.book.find_all(h, "gallery_video_length", steps.values)
    )


def _picked_as(steps: Steps, h: Hierarchy, tile: Node) -> str | None:
    """The tile's place in the pick (``"1"``), ``""`` when picked without a number, None when
    not picked."""
    toggle = _toggle_of(steps, h, tile)
    if toggle is not None:
        if toggle.text.strip():
            return toggle.text.strip()
        return "" if toggle.selected or toggle.checked else None
    return "" if tile.selected or tile.checked else None


async def _pick_in_gallery(steps: Steps, names: list[str], kinds: list[str]) -> None:
    """Tick the files just pushed (the newest ``len(names)`` tiles, in reverse) in the post's
    order, each seen ticked in its place, then Next (see the module docstring)."""
    n = len(names)
    async with steps.step("find the files in the gallery"):

        def enough(h: Hierarchy) -> Hierarchy | None:
            return h if len(_tiles(steps, h)) >= n else None

        h = await steps.wait_until(
            enough, element=f"{n} gallery tiles", screen="gallery", timeout=TAP_TIMEOUT
        )
        tiles = _tiles(steps, h)[:n]
        shown = ["video" if _is_video(steps, h, t) else "image" for t in reversed(tiles)]
        if shown != kinds:
            raise TaskFailed(
                f"{steps.current}: the gallery's {n} newest item(s) are {', '.join(shown)}, "
                f"the files just pushed are {', '.join(kinds)}: something else is newer in the "
                "gallery; nothing was picked",
                step=steps.current,
            )
        already = [p for t in tiles if (p := _picked_as(steps, h, t)) is not None]
        if already:
            raise TaskFailed(
                f"{steps.current}: the gallery opened with {len(already)} item(s) already "
                "picked; nothing was picked",
                step=steps.current,
            )
    for k, name in enumerate(names):
        place = n - 1 - k  # newest first: the post's first file is the n-th tile
        async with steps.step(f"select {name}"):
            h = await _tick(steps, h, place, str(k + 1))
    async with steps.step("gallery Next"):
        nxt = await steps.find_or_wait(h, "gallery_next", screen="gallery", timeout=TAP_TIMEOUT)
        m = _COUNT_IN_NEXT.search(nxt.node.text)
        if m is not None and int(m.group(1)) != n:
            raise TaskFailed(
                f"{steps.current}: the gallery's Next reads {nxt.node.text!r}, {n} were picked",
                step=steps.current,
            )
        await steps.act(
            nxt, until=_on_editor(steps), expecting="the editor", timeout=SCREEN_TIMEOUT
        )


async def _tick(steps: Steps, h: Hierarchy, place: int, order: str) -> Hierarchy:
    """Tick the gallery tile at ``place`` (its select button, else the tile) and see it picked
    as ``order``; returns the dump that shows it. A tap is repeated only when a popup was
    dismissed after it and the tile still shows unpicked (a popup swallows taps), at most
    :data:`~runner.scripts.steps.MAX_TAPS` taps."""
    taps = 0

    def target(h: Hierarchy) -> Node:
        tile = _tiles(steps, h)[place]
        return _toggle_of(steps, h, tile) or tile

    while True:
        await steps.session.tap(target(h))
        taps += 1
        popups = steps.popups_dismissed

        def ticked(
            h: Hierarchy, popups: int = popups, taps: int = taps
        ) -> tuple[Hierarchy, bool] | None:
            now = _tiles(steps, h)
            if len(now) <= place:
                return None
            picked = _picked_as(steps, h, now[place])
            if picked in (order, ""):
                return h, True
            if picked is None and steps.popups_dismissed != popups and taps < MAX_TAPS:
                return h, False
            return None

        h, done = await steps.wait_until(
            ticked, element=f"tile {place + 1} picked as {order}", screen="gallery",
            timeout=TAP_TIMEOUT,
        )  # fmt: skip
        if done:
            return h
        steps.log.info("a popup may have swallowed the tap; tapping tile %d again", place + 1)


async def _open_sound(ctx: TaskContext, session: DeviceSession, steps: Steps) -> bool:
    """The sound page of ``sound_name``: a music URL opened in the app, else keyword search and
    the results' Sounds tab. False when the results have no Sounds tab (43.1.4 has none)."""
    name = ctx.config(PostConfig).sound_name.strip()
    if name.startswith(("https://", "http://")):
        async with steps.step("open sound"):
            await session.open_url_in_app(name, ctx.package)
        return True
    steps.values["sound"] = name
    # Any results tab first: whether there is a Sounds tab is seen on the results.
    found = await search_for(ctx, session, steps, name, tab="users_tab")
    async with steps.step("open Sounds tab"):
        tab = steps.find(found.hierarchy, "sounds_tab")
        if tab is None:
            ctx.log.info("the search results have no Sounds tab; the camera's sound picker it is")
            return False
        await steps.act(
            tab,
            until=steps.any_of("sound_row", "sound_row_containing"),
            expecting="the sounds found",
            timeout=SCREEN_TIMEOUT,
        )
    async with steps.step("open sound"):
        row = await steps.wait_for(
            "sound_row", "sound_row_containing", screen="search_results", timeout=TAP_TIMEOUT
        )
        await steps.act(
            row,
            until=steps.any_of("sound_use"),
            expecting=f"the sound page of {name!r}",
            timeout=SCREEN_TIMEOUT,
        )
    return True


async def _pick_sound(
    ctx: TaskContext, steps: Steps, pill: str, wanted: str, back: Callable[[Hierarchy], T | None]
) -> T:
    """Tap the sound pill ``pill`` (editor or camera), search ``wanted`` in the sound picker,
    take the first row named so (else the first starting so), Use this sound; returns
    ``back(dump)`` of the screen it returns to."""
    wait = float(ctx.config(PostConfig).sound_wait_time)
    steps.values["sound"] = wanted
    add = await steps.wait_for(pill, screen="editor", timeout=TAP_TIMEOUT)
    field = await steps.act(
        add,
        until=steps.any_of("sound_search_field"),
        expecting="the sound picker",
        timeout=SCREEN_TIMEOUT,
    )
    if not field.node.focused:
        await steps.session.tap(field.node)
    await steps.session.send_text(wanted)
    await steps.wait_for("sound_search_typed", screen="sound_picker", timeout=TAP_TIMEOUT)
    row = await steps.wait_for(
        "sound_row", "sound_row_containing", screen="sound_picker", timeout=wait
    )
    use = await steps.act(
        row, until=steps.any_of("sound_use_this"), expecting="the sound selected", timeout=wait
    )
    result = await steps.act(
        use, until=back, expecting="the sound attached", timeout=SCREEN_TIMEOUT
    )
    ctx.log.info("sound %r attached", row.node.text)
    return result


def _on_camera(steps: Steps):
    """The camera (its gallery entry), the sound picker gone."""

    def decide(h: Hierarchy) -> Found | None:
        if steps.find(h, "sound_search_field") or steps.find(h, "gallery_grid"):
            return None
        return steps.find(h, "camera_upload")

    return decide


async def _sounds(ctx: TaskContext, session: DeviceSession, steps: Steps) -> None:
    """Apply ``add_sound`` in the editor (see the module docstring)."""
    cfg = ctx.config(PostConfig)
    mode = str(cfg.add_sound)
    if cfg.post_way == "useSound" or mode in ("-1", "0"):
        return
    if mode == "1":
        wanted = cfg.sound_name.strip()
        if not wanted or wanted.startswith(("http://", "https://")):
            ctx.log.info("add_sound 1 without a sound name: the editor's sound is kept")
            return
    else:
        wanted = cfg.custom_sound_keyword.strip()
    async with steps.step("add sound"):
        await _pick_sound(ctx, steps, "editor_add_sound", wanted, _on_editor(steps))


# ------------------------------------------------------------------ publishing
def _back_on_feed(steps: Steps, h: Hierarchy) -> Found | None:
    """The home feed, the post screen gone (publishing returns there)."""
    if steps.find(h, "caption_field") is not None or steps.find(h, "publish_prompt") is not None:
        return None
    found = steps.find(h, "home_feed")
    return found if found is not None and steps.find(h, "create_button") is not None else None


def _upload_started(steps: Steps):
    """After the publish tap: the upload's progress, or the feed it returns to (the upload may
    be over before a dump shows it)."""

    def decide(h: Hierarchy) -> Found | None:
        return steps.find(h, "upload_progress") or _back_on_feed(steps, h)

    return decide


def _after_post(steps: Steps):
    """After Post: the publish question's "Publish now" (only with the question showing: the
    post screen's own button reads "Publier" too), or the upload started."""
    started = _upload_started(steps)

    def decide(h: Hierarchy) -> Found | None:
        if steps.find(h, "publish_prompt") is not None:
            return steps.find(h, "publish_now")
        return started(h)

    return decide


_PERCENT = re.compile(r"(\d{1,3})\s*%")


def _report_upload(ctx: TaskContext, shown: str) -> None:
    """Report the upload's percentage as the app shows it (``66%``, in a dump already made) as
    the task's progress ``uploading 66%``, fraction 0.66; nothing when no percentage shows."""
    m = _PERCENT.search(shown)
    if m is not None and int(m.group(1)) <= 100:
        ctx.progress(f"uploading {m.group(1)}%", int(m.group(1)) / 100)


async def _wait_upload(ctx: TaskContext, steps: Steps, start: Found) -> None:
    """Wait up to ``upload_wait_time`` seconds for the upload's progress (``N%``, a window of
    its own over the feed) to go away."""
    wait = _upload_wait(ctx)
    async with steps.step("wait for the upload"):
        last = [start.node.text if start.name == "upload_progress" else ""]
        _report_upload(ctx, last[0])

        def done(h: Hierarchy) -> bool | None:
            progress = steps.find(h, "upload_progress")
            if progress is not None:
                last[0] = progress.node.text
                _report_upload(ctx, last[0])
                return None
            return True

        try:
            with steps.polling(UPLOAD_POLL, first=UPLOAD_POLL_FIRST):
                await steps.wait_until(
                    done, element="upload_progress gone", screen="home", timeout=wait
                )
        except TaskFailed as e:
            raise PostConditionFailed(
                f"{steps.current}: the upload did not finish within {wait:g} s "
                f"(last seen: {last[0]!r}); the post may still appear: not posted again",
                step=steps.current,
            ) from e
