"""post: publish a video or images (spec/scripts.md, "post").

Steps: switch to the task's account (when it has one); choose the files (runner/materials.py:
material_list, localFolder with its ``@account`` subfolder and ``caption.txt``, or the material
library filtered by tags; folder and library files reserved in the ledger so no file is posted
twice); expand the caption's spintax with the task's seeded RNG; push the files to the phone's
gallery folder and index them in the media store; open the editor by ``post_way``:

- ``share``: a SEND intent limited to the app, carrying the file (several files: Android's ``am``
  cannot carry a Uri list, so they are picked in the app's gallery as for ``addButton``);
- ``addButton``: home feed, Create, Upload, tick each file in the gallery, Next;
- ``useSound``: open the sound (a music URL through a VIEW intent, else keyword search, Sounds
  tab, the row named exactly ``sound_name``), Use sound, Upload, tick the files, Next;

then the sound options (``add_sound``: ``-1``/``0`` leave the editor's sound alone; ``1`` with a
``sound_name`` picks that sound; ``custom`` searches ``custom_sound_keyword`` and picks the first
result, each within ``sound_wait_time`` seconds), Next, type the caption (read back), tap Post
(once; "Publish now" when the app asks), wait up to ``upload_wait_time`` seconds for the upload,
and see the post on the own profile (the newest tile reads ``Post: <caption>``).

Outcome: remark ``""``. A retried task whose post an earlier attempt already published posts
nothing and says so. The files are marked posted in the ledger as Post is tapped, so even an
unconfirmed post never reuses them; a task failing before that gives them back.
"""

from __future__ import annotations

import random
from pathlib import Path

import trio

from runner.devices import DeviceSession, Hierarchy, Node
from runner.errors import PostConditionFailed, TaskFailed
from runner.materials import Ledger, MaterialError, candidates
from runner.scripts import text as texts
from runner.scripts.comment import push_to_gallery
from runner.scripts.context import TaskContext
from runner.scripts.navigate import (
    SCREEN_TIMEOUT,
    TAP_TIMEOUT,
    current_account,
    ensure_account,
    go_home,
    open_own_profile,
    search_for,
)
from runner.scripts.steps import Found, Steps

#: Where pushed media goes on the phone (the camera roll the gallery shows).
MEDIA_DIR = "/sdcard/DCIM/tikrunner"
#: Seconds between dumps while the upload runs (it takes seconds; no need to poll faster).
UPLOAD_POLL = 0.5


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Publish one post as configured; returns the success remark."""
    cfg = ctx.script_config
    kind = "image" if cfg.get("content_type") == 1 else "video"
    count = int(cfg.get("image_count") or 1) if kind == "image" else 1
    rng = random.Random(f"post:{ctx.task_id}")
    ledger = Ledger(ctx.materials_db)

    await ensure_account(ctx, session, steps)
    account = (ctx.username or "").removeprefix("@") or None
    if account is None and _wants_account(cfg):
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
        if ctx.retry_count > 0 and caption and await _already_posted(ctx, session, steps):
            if reserved:
                await trio.to_thread.run_sync(ledger.mark_posted, ctx.task_id)
            return "post already published by an earlier attempt"
        async with steps.step("push media"):
            names = [
                await push_to_gallery(ctx, session, f, folder=MEDIA_DIR, index=i)
                for i, f in enumerate(files)
            ]
        await _open_editor(ctx, session, steps, names, kind)
        await _sounds(ctx, session, steps)
        async with steps.step("open the post screen"):
            editor_next = await steps.wait_for(
                "editor_next", screen="editor", timeout=SCREEN_TIMEOUT
            )
            await steps.act(
                editor_next,
                until=steps.any_of("caption_field"),
                expecting="the post screen",
                timeout=SCREEN_TIMEOUT,
            )
        if caption:
            async with steps.step("type caption"):
                await steps.type_into(
                    "caption_field", caption, screen="post_editor", timeout=TAP_TIMEOUT
                )
        async with steps.step("tap Post"):
            post = await steps.wait_for("post_button", screen="post_editor", timeout=TAP_TIMEOUT)
            if reserved:
                await trio.to_thread.run_sync(ledger.mark_posted, ctx.task_id)
            tapped_post = True
            result = await steps.act(
                post,
                until=steps.any_of("publish_now", "upload_progress", "post_published"),
                expecting="the upload starting",
                timeout=SCREEN_TIMEOUT,
                retap_when=steps.any_of("caption_field"),
            )
            if result.name == "publish_now":
                result = await steps.act(
                    result,
                    until=steps.any_of("upload_progress", "post_published"),
                    expecting="the upload starting",
                    timeout=SCREEN_TIMEOUT,
                    retap_when=steps.any_of("publish_prompt"),
                )
        await _wait_upload(ctx, steps, result)
        async with steps.step("check the post"):
            await _see_post(ctx, session, steps, caption)
    except BaseException:
        if reserved and not tapped_post:
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(ledger.release, ctx.task_id)
        raise
    ctx.log.info("posted %s", ", ".join(names))
    return ""


def _wants_account(cfg: dict) -> bool:
    """True when the post reads a localFolder that has ``@account`` subfolders (so the current
    account's name is needed to pick its folder)."""
    if cfg.get("material_list") or cfg.get("material_source") != "localFolder":
        return False
    try:
        return any(
            p.name.startswith("@") and p.is_dir() for p in Path(cfg["material_path"]).iterdir()
        )
    except OSError:
        return False


async def _choose(
    ctx: TaskContext, ledger: Ledger, kind: str, count: int, account: str | None
) -> tuple[list[Path], str, str, bool]:
    """(files, caption template, where they came from, reserved in the ledger)."""
    cfg = ctx.script_config

    def pick() -> tuple[list[Path], str, str, bool]:
        found = candidates(
            cfg,
            account=account,
            upload_folder=ctx.upload_folder,
            roots=ctx.material_roots,
            seed=ctx.task_id,
        )
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
        template = found.caption if found.caption is not None else str(cfg.get("captions") or "")
        return files, template, found.where, found.ledger

    try:
        return await trio.to_thread.run_sync(pick)
    except MaterialError as e:
        raise TaskFailed(f"post: choose material: {e}", step="post: choose material") from e


async def _open_editor(
    ctx: TaskContext, session: DeviceSession, steps: Steps, names: list[str], kind: str
) -> None:
    way = ctx.script_config.get("post_way") or "share"
    if way == "share" and len(names) > 1:
        # Android's `am` has no Uri-array extra (`--eua` is "Unknown option"), so several files
        # cannot be shared into the app from the shell: they go through the app's gallery.
        ctx.log.info("share of %d files is not possible through am; using the gallery", len(names))
        way = "addButton"
    if way == "share":
        async with steps.step("share into the app"):
            remotes = [f"{MEDIA_DIR}/{n}" for n in names]
            mime = "video/mp4" if kind == "video" else "image/*"
            await session.share_media(remotes, mime, ctx.package)
            await steps.wait_for(
                "editor_next", all_of=("editor_add_sound",), screen="editor", timeout=SCREEN_TIMEOUT
            )
        return
    if way == "useSound":
        await _open_sound(ctx, session, steps)
        async with steps.step("use sound"):
            use = await steps.wait_for(
                "sound_use",
                screen="sound_page",
                timeout=float(ctx.script_config.get("sound_wait_time") or 10) + TAP_TIMEOUT,
            )
            upload = await steps.act(
                use,
                until=steps.any_of("camera_upload"),
                expecting="the camera with the sound",
                timeout=SCREEN_TIMEOUT,
            )
    elif way == "addButton":
        async with steps.step("open Create"):
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
            until=steps.any_of("gallery_newest_tile"),
            expecting="the gallery",
            timeout=SCREEN_TIMEOUT,
        )
    await _pick_in_gallery(steps, names)


def _toggle_of(steps: Steps, h: Hierarchy, tile: Node) -> Node | None:
    """The ``Select`` toggle belonging to ``tile``: inside its bounds, else the tile itself
    when it carries no separate toggle."""
    for node in steps.book.find_all(h, "gallery_select", steps.values):
        b, t = node.bounds, tile.bounds
        if t.left <= b.left and b.right <= t.right and t.top <= b.top and b.bottom <= t.bottom:
            return node
    return None


def _is_ticked(node: Node) -> bool:
    return node.selected or node.checked


async def _pick_in_gallery(steps: Steps, names: list[str]) -> None:
    """Tick each of ``names`` (in order: the post's order) in the multi-pick gallery, then Next."""
    for name in names:
        steps.values["file"] = name
        async with steps.step(f"select {name}"):
            tile = await steps.wait_for("gallery_tile_named", screen="gallery", timeout=TAP_TIMEOUT)
            toggle = _toggle_of(steps, tile.hierarchy, tile.node)
            if toggle is not None and _is_ticked(toggle):
                continue
            target = Found("gallery_select", toggle, tile.hierarchy) if toggle else tile

            def ticked(h: Hierarchy, name: str = name) -> bool | None:
                steps.values["file"] = name
                again = steps.find(h, "gallery_tile_named")
                if again is None:
                    return None
                t = _toggle_of(steps, h, again.node)
                node = t if t is not None else again.node
                return True if _is_ticked(node) else None

            await steps.session.tap(target.node)
            await steps.wait_until(
                ticked, element=f"{name} ticked", screen="gallery", timeout=TAP_TIMEOUT
            )
    async with steps.step("gallery Next"):
        nxt = await steps.wait_for("gallery_next", screen="gallery", timeout=TAP_TIMEOUT)
        await steps.act(
            nxt,
            until=steps.any_of("editor_next", all_of=("editor_add_sound",)),
            expecting="the editor",
            timeout=SCREEN_TIMEOUT,
        )


async def _open_sound(ctx: TaskContext, session: DeviceSession, steps: Steps) -> None:
    """The sound page of ``sound_name``: a music URL opened in the app, else keyword search."""
    name = str(ctx.script_config.get("sound_name") or "").strip()
    if name.startswith(("https://", "http://")):
        async with steps.step("open sound"):
            await session.open_url_in_app(name, ctx.package)
        return
    steps.values["sound"] = name
    await search_for(ctx, session, steps, name, tab="sounds_tab")
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


async def _sounds(ctx: TaskContext, session: DeviceSession, steps: Steps) -> None:
    """Apply ``add_sound`` in the editor (see the module docstring)."""
    cfg = ctx.script_config
    mode = str(cfg.get("add_sound", "-1"))
    if cfg.get("post_way") == "useSound" or mode in ("-1", "0"):
        return
    if mode == "1":
        wanted = str(cfg.get("sound_name") or "").strip()
        if not wanted or wanted.startswith(("http://", "https://")):
            ctx.log.info("add_sound 1 without a sound name: the editor's sound is kept")
            return
    else:
        wanted = str(cfg.get("custom_sound_keyword") or "").strip()
    wait = float(cfg.get("sound_wait_time") or 10)
    steps.values["sound"] = wanted
    async with steps.step("add sound"):
        add = await steps.wait_for("editor_add_sound", screen="editor", timeout=TAP_TIMEOUT)
        await steps.act(
            add,
            until=steps.any_of("sound_search_field"),
            expecting="the sound picker",
            timeout=SCREEN_TIMEOUT,
        )
        await steps.type_into(
            "sound_search_field", wanted, screen="sound_picker", timeout=TAP_TIMEOUT
        )
        row = await steps.wait_for(
            "sound_row", "sound_row_containing", screen="sound_picker", timeout=wait
        )
        use = await steps.act(
            row,
            until=steps.any_of("sound_use_this"),
            expecting="the sound selected",
            timeout=wait,
        )
        await steps.act(
            use,
            until=steps.any_of("editor_next", all_of=("editor_add_sound",)),
            expecting="the editor with the sound",
            timeout=SCREEN_TIMEOUT,
        )
    ctx.log.info("sound %r added", row.node.text)


async def _wait_upload(ctx: TaskContext, steps: Steps, start: Found) -> None:
    """Wait up to ``upload_wait_time`` seconds for "Your post is published" (or for the
    "Uploading N%" banner, once seen, to go away)."""
    wait = float(ctx.script_config.get("upload_wait_time") or 30)
    if start.name == "post_published":
        return
    async with steps.step("wait for the upload"):
        seen_progress = [start.name == "upload_progress"]
        last = [start.node.text]

        def done(h: Hierarchy) -> bool | None:
            if steps.find(h, "post_published") is not None:
                return True
            progress = steps.find(h, "upload_progress")
            if progress is not None:
                seen_progress[0] = True
                last[0] = progress.node.text
                return None
            return True if seen_progress[0] else None

        previous, steps.poll_interval = steps.poll_interval, UPLOAD_POLL
        try:
            await steps.wait_until(done, element="post_published", screen="home", timeout=wait)
        except TaskFailed as e:
            raise PostConditionFailed(
                f"{steps.current}: the upload did not finish within {wait:g} s "
                f"(last seen: {last[0]!r}); the post may still appear: not posted again",
                step=steps.current,
            ) from e
        finally:
            steps.poll_interval = previous


async def _see_post(ctx: TaskContext, session: DeviceSession, steps: Steps, caption: str) -> None:
    """The own profile's newest post tile reads ``Post: <caption>``."""
    await open_own_profile(ctx, session, steps)
    name = "post_tile_captioned" if caption else "post_tile"
    try:
        await steps.wait_for(name, screen="own_profile", timeout=SCREEN_TIMEOUT)
    except TaskFailed as e:
        raise PostConditionFailed(
            f"{steps.current}: the post with caption {caption!r} is not on the profile of "
            f"{ctx.username or 'the account'} after publishing; not posted again",
            step=steps.current,
        ) from e


async def _already_posted(ctx: TaskContext, session: DeviceSession, steps: Steps) -> bool:
    """On a retry: does the own profile already show a post with this task's caption?"""
    async with steps.step("look for an earlier attempt's post"):
        await open_own_profile(ctx, session, steps)
        h = await steps.look()
        return steps.find(h, "post_tile_captioned") is not None
