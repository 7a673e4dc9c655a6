"""comment: write one comment on one post (docs/spec/scripts.md, "comment").

Steps: switch to the task's account (when it has one); choose the line (``sequential``: line
``job_count`` modulo the number of lines; ``random``: from the task's seeded RNG; plus an emoji
with ``insert_emoji``); with ``comment_image_path``, push the image to the phone's gallery and
index it; open the post with a VIEW intent limited to the app; open the comments sheet; attach the
image; type the comment (read back); tap Post once; see it in the list.

Outcome: remark ``""``; on a retried task whose comment an earlier attempt already posted,
nothing is sent and the remark says so. ``TaskFailed`` otherwise, naming the step.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import trio

from runner.devices import DeviceSession
from runner.errors import TaskFailed
from runner.materials import MaterialError, kind_of, open_material, path_problem, resolve
from runner.models.scripts import CommentConfig
from runner.scripts import text as texts
from runner.scripts.commenting import already_commented, open_comments, write_comment
from runner.scripts.context import TaskContext
from runner.scripts.navigate import ensure_account, open_post
from runner.scripts.steps import Steps

#: Where pushed images go on the phone (a folder the media store scans).
GALLERY_DIR = "/sdcard/Pictures/tikrunner"


def choose_comment(ctx: TaskContext) -> str:
    """The comment this task writes (see the module docstring). Raises ``TaskFailed`` when
    ``comment_content`` has no non-blank line."""
    cfg = ctx.config(CommentConfig)
    seed = f"comment:{ctx.task_id}:{ctx.job_count}"
    picked = texts.task_line(cfg.comment_content, cfg.comment_order, ctx.job_count, seed)
    if picked is None:
        raise TaskFailed("comment: comment_content has no line to post")
    line, rng = picked
    if cfg.insert_emoji:
        line = texts.with_emoji(line, rng)
    return line


def safe_name(name: str) -> str:
    """A file name that is harmless on the phone's shell and in a ``file://`` URI: letters,
    digits, ``.``, ``_`` and ``-`` kept, anything else ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "file"


async def push_to_gallery(
    ctx: TaskContext, session: DeviceSession, local: Path, *, folder: str, index: int = 0
) -> str:
    """Push ``local`` to ``folder`` on the phone under a name unique to the task and index it in
    the media store; returns the name on the phone (what the gallery shows).

    The file is opened through :func:`runner.materials.open_material`: a file whose real path
    (opened, symlinks resolved) is outside the material folders is never pushed (``TaskFailed``)."""
    name = f"t{ctx.task_id}-{index}-{safe_name(local.name)}"
    remote = f"{folder}/{name}"
    try:
        source = await trio.to_thread.run_sync(
            partial(open_material, local, roots=ctx.material_roots, upload_folder=ctx.upload_folder)
        )
    except MaterialError as e:
        raise TaskFailed(f"{ctx.script_name}: push {local.name}: {e}") from None
    with source:
        await session.push_file(source, remote)
    await session.index_media(remote)
    ctx.log.info("pushed %s to %s and indexed it", local, remote)
    return name


def image_file(ctx: TaskContext, raw: str, what: str = "image") -> Path:
    """The image file the material path ``raw`` names (comment ``comment_image_path``, profile
    ``avatar_path``), checked again before it is read: under the material folders, an existing
    file, an image by its extension (runner/materials.py). Blocking (file metadata): call it
    through ``trio.to_thread.run_sync``. Raises ``TaskFailed`` naming ``what`` otherwise."""
    problem = path_problem(raw, "file", roots=ctx.material_roots, upload_folder=ctx.upload_folder)
    if problem is not None:
        raise TaskFailed(f"{ctx.script_name}: the {what} {problem}")
    path = resolve(raw, ctx.upload_folder)
    if kind_of(path) != "image":
        raise TaskFailed(f"{ctx.script_name}: {raw!r} is not an image file")
    return path


def _image_path(ctx: TaskContext) -> Path | None:
    raw = ctx.config(CommentConfig).comment_image_path.strip()
    return image_file(ctx, raw) if raw else None


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Comment on the task's one post URL (``target_post_urls[0]`` after fan-out); returns the
    success remark."""
    urls = ctx.config(CommentConfig).target_post_urls
    if len(urls) != 1 or not urls[0].strip():
        raise TaskFailed(f"comment: expected exactly one post URL, got {len(urls)}")
    url = urls[0].strip()
    comment = choose_comment(ctx)
    image = await trio.to_thread.run_sync(_image_path, ctx)
    ctx.log.info("comment line chosen (job %d): %r", ctx.job_count, comment)

    await ensure_account(ctx, session, steps)
    image_name = None
    if image is not None:
        async with steps.step("push image"):
            image_name = await push_to_gallery(ctx, session, image, folder=GALLERY_DIR)
    button = await open_post(ctx, session, steps, url, "comments_button")
    sheet = await open_comments(steps, button)
    if ctx.retry_count > 0 and await already_commented(steps, sheet.hierarchy, comment):
        ctx.log.info("the comment is already there (an earlier attempt posted it)")
        return "comment already posted by an earlier attempt"
    await ctx.attempt("comment")  # counted before the send; at a limit the task waits
    await write_comment(session, steps, sheet, comment, image=image_name)
    return ""
