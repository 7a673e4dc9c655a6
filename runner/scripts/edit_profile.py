"""profile: change the logged-in account's own profile (docs/spec/scripts.md, "profile").

(The module is ``edit_profile``: :mod:`runner.scripts.profile` opens *another* user's profile.)

Steps: switch to the task's account (when it has one); with ``avatar_path``, check the file again
(under the material folders, an image) and push it to the phone's gallery, indexed, as post and
comment push theirs; open the own profile, tap Edit profile, and see the Edit profile screen
(its Name and Bio rows). Then, for each field asked, in the order nickname, bio, website, avatar:

- a text field whose row already reads the value is left alone (nothing tapped);
- else: tap its row, type the value into the page's field (read back), tap Save once, and see
  Edit profile again with the row reading the new value: the post-condition of that save;
- ``website`` where Edit profile has no Website row (TikTok shows it to business accounts and to
  personal accounts from 1,000 followers): the task fails before anything is changed, the remark
  saying why (ours: the operator resends without it, or after switching the account);
- a nickname TikTok refuses (it may be changed once every 7 days: support.tiktok.com, "Changing
  your nickname"), recognised by the words of that rule on screen: the page is left without
  saving, the other fields are still changed, and the task then fails quoting TikTok;
- the avatar: Change photo, Select from Gallery, the newest tile (the file pushed just before),
  Confirm (the crop), turn "Post this photo to Story" off (the button reads "Save & post" while
  it is on: saving would publish a Story nobody asked for), Save, and see Edit profile again.
  The post-condition is only that: no dump shows which picture a profile has (images have no
  words), so "the avatar changed" is read as "Save was taken and Edit profile came back without
  an error" ("Image size is too small" is recognised and fails the task).

Last, back to the own profile, which must show the nickname and the bio asked for (read back:
a text reading exactly each).

Account safety: each Save is counted as one ``profile`` action right before its tap
(:meth:`TaskContext.attempt`): an account at its ``profile`` limit waits, and the retry leaves
the fields already saved alone.

Outcome: remark ``""`` when every field asked was changed; ``"already as asked: nickname, bio"``
when some already were; ``"the profile already shows what was asked; nothing changed"`` when all
were. ``TaskFailed`` otherwise, naming the step. Each Save is an irreversible action
(:meth:`~runner.scripts.steps.Steps.commit`), so a failure after one is not retried
automatically; a retry would leave the fields already saved alone (they read as asked).
"""

from __future__ import annotations

import trio

from runner.devices import DeviceSession, Hierarchy
from runner.devices.hierarchy import normalize
from runner.errors import PostConditionFailed, TaskFailed
from runner.models.scripts import ProfileConfig
from runner.scripts.comment import GALLERY_DIR, image_file, push_to_gallery
from runner.scripts.context import TaskContext
from runner.scripts.navigate import SCREEN_TIMEOUT, TAP_TIMEOUT, ensure_account, open_own_profile
from runner.scripts.steps import MAX_TAPS, Found, Steps

#: The selector names of each text field's row (label and value) on Edit profile.
ROWS = {"nickname": "edit_name", "bio": "edit_bio", "website": "edit_website"}
NOTHING_CHANGED = "the profile already shows what was asked; nothing changed"
WEBSITE_ABSENT = (
    "the Edit profile screen offers no Website field (TikTok shows it to business accounts and "
    "to personal accounts from 1,000 followers); nothing was changed"
)


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Change the own profile as configured; returns the success remark."""
    wanted = ctx.config(ProfileConfig).changes()
    avatar = None
    if "avatar_path" in wanted:
        avatar = await trio.to_thread.run_sync(image_file, ctx, wanted["avatar_path"], "avatar")
    await ensure_account(ctx, session, steps)
    pushed = None
    if avatar is not None:
        async with steps.step("push avatar"):
            pushed = await push_to_gallery(ctx, session, avatar, folder=GALLERY_DIR)
    async with steps.step("open Edit profile"):
        own = await open_own_profile(ctx, session, steps)
        button = await steps.find_or_wait(
            own.hierarchy, "edit_profile_button", screen="own_profile", timeout=TAP_TIMEOUT
        )
        edit = await steps.act(
            button, until=_on_edit_list(steps), expecting="Edit profile", timeout=SCREEN_TIMEOUT
        )
        if "website" in wanted and steps.find(edit.hierarchy, "edit_website_label") is None:
            raise TaskFailed(WEBSITE_ABSENT, retry_safe=False)
    h = edit.hierarchy
    same: list[str] = []
    refused: str | None = None
    for field, row in ROWS.items():
        if field not in wanted:
            continue
        value = wanted[field]
        if _row_value(steps, h, row) == normalize(value):
            ctx.log.info("%s already reads %r: left alone", field, value)
            same.append(field)
            continue
        async with steps.step(f"change {field}"):
            h, said = await _change_text(ctx, steps, h, field, value)
        if said is not None:
            refused = said
    if pushed is not None:
        async with steps.step("change avatar"):
            h = await _change_avatar(ctx, steps, h, pushed)
    async with steps.step("check the profile"):
        await session.press_back()  # on the Edit profile list (each change ended there)
        await _read_back(ctx, steps, wanted, skip_nickname=refused is not None)
    if refused is not None:
        saved = [f for f in wanted if f not in same and f != "nickname"]
        raise TaskFailed(
            f"profile: change nickname: TikTok refused the new nickname (the app says "
            f"{refused!r}): a nickname can be changed once every 7 days"
            + (f"; saved: {', '.join(saved)}" if saved else "; nothing else was changed"),
            step="profile: change nickname",
            retry_safe=False,
        )
    if len(same) == len(wanted):
        return NOTHING_CHANGED
    return f"already as asked: {', '.join(same)}" if same else ""


def _on_edit_list(steps: Steps):
    """The Edit profile list (its Name and Bio rows, no field's page): its Name label."""

    def decide(h: Hierarchy) -> Found | None:
        if steps.find(h, "edit_field") is not None or steps.find(h, "edit_bio_label") is None:
            return None
        return steps.find(h, "edit_name_label")

    return decide


def _row_value(steps: Steps, h: Hierarchy, row: str) -> str | None:
    """What the row ``row`` (``edit_name``...) of Edit profile reads, normalised; None: no row."""
    found = steps.find(h, f"{row}_value")
    return normalize(found.node.text) if found is not None else None


async def _change_text(
    ctx: TaskContext, steps: Steps, h: Hierarchy, field: str, value: str
) -> tuple[Hierarchy, str | None]:
    """Change one text field from the Edit profile list ``h``; returns (the list's dump after,
    None) once its row reads ``value``, or (the list's dump, what TikTok said) when TikTok
    refused the change (left without saving)."""
    row = ROWS[field]
    label = steps.find(h, f"{row}_label")
    if label is None:
        raise TaskFailed(f"{steps.current}: Edit profile has no {field} row", step=steps.current)
    page = await steps.act(
        label,
        until=steps.any_of("edit_field", all_of=("edit_save",)),
        expecting=f"the {field} page",
        timeout=SCREEN_TIMEOUT,
    )
    typed = await steps.type_into(
        "edit_field", value, screen="edit_field", timeout=TAP_TIMEOUT, field=page
    )
    save = await steps.find_or_wait(typed, "edit_save", screen="edit_field", timeout=TAP_TIMEOUT)
    on_list = _on_edit_list(steps)

    def saved(h: Hierarchy) -> tuple[Hierarchy, str | None] | None:
        said = steps.find(h, "nickname_refused") if field == "nickname" else None
        if said is not None:
            return h, said.node.text or said.node.content_desc
        if on_list(h) is not None and _row_value(steps, h, row) == normalize(value):
            return h, None
        return None

    def unsaved(h: Hierarchy) -> bool:
        shown = steps.find(h, "edit_field")
        return shown is not None and shown.node.text == value

    await ctx.attempt("profile")  # counted before the tap (README, "Account safety")
    h, said = await steps.act(
        save,
        until=saved,
        expecting=f"Edit profile with the {field} reading {value!r}",
        timeout=SCREEN_TIMEOUT,
        retap_when=unsaved,
        irreversible=True,
    )
    if said is None:
        steps.log.info("%s saved: %r", field, value)
        return h, None
    steps.log.warning("TikTok refused the %s change: %s", field, said)
    return await _back_to_list(steps), said


async def _back_to_list(steps: Steps) -> Hierarchy:
    """Back (a message, then a field's page left unsaved) to the Edit profile list."""
    on_list = _on_edit_list(steps)
    for _ in range(MAX_TAPS):
        h = await steps.look()
        if on_list(h) is not None:
            return h
        await steps.session.press_back()
    found = await steps.wait_until(
        on_list, element="edit_name_label", screen="edit_profile", timeout=TAP_TIMEOUT
    )
    return found.hierarchy


async def _change_avatar(ctx: TaskContext, steps: Steps, h: Hierarchy, pushed: str) -> Hierarchy:
    """Set the profile photo to the newest gallery image (``pushed``, pushed just before) from
    the Edit profile list ``h``; returns the list's dump after Save."""
    steps.values["file"] = pushed
    change = await steps.find_or_wait(
        h, "edit_change_photo", screen="edit_profile", timeout=TAP_TIMEOUT
    )
    source = await steps.act(
        change,
        until=steps.any_of("photo_from_gallery"),
        expecting="the photo's sources",
        timeout=TAP_TIMEOUT,
    )
    # Real galleries name no tile: the image was pushed and indexed last, so it is the newest.
    tile = await steps.act(
        source, until=steps.any_of("gallery_newest_tile"), expecting="the gallery",
        timeout=SCREEN_TIMEOUT,
    )  # fmt: skip
    confirm = await steps.act(
        tile, until=steps.any_of("crop_confirm"), expecting="the photo to crop",
        timeout=SCREEN_TIMEOUT,
    )  # fmt: skip
    save = await steps.act(
        confirm,
        until=steps.any_of("avatar_save_post", "edit_save"),
        expecting="the photo's Save",
        timeout=SCREEN_TIMEOUT,
    )
    if save.name == "avatar_save_post":  # "Post this photo to Story" is on: turn it off first
        toggle = await steps.find_or_wait(
            save.hierarchy, "avatar_story_toggle", screen="avatar_save", timeout=TAP_TIMEOUT
        )
        save = await steps.act(
            toggle,
            until=steps.any_of("edit_save"),
            expecting="Save without posting to the Story",
            timeout=TAP_TIMEOUT,
        )
    on_list = _on_edit_list(steps)

    def done(h: Hierarchy) -> Found | None:
        return steps.find(h, "avatar_too_small") or on_list(h)

    await ctx.attempt("profile")
    after = await steps.act(
        save, until=done, expecting="Edit profile with the new photo", timeout=SCREEN_TIMEOUT,
        retap_when=steps.any_of("edit_save"), irreversible=True,
    )  # fmt: skip
    if after.name == "avatar_too_small":
        raise PostConditionFailed(
            f"{steps.current}: TikTok refused the photo (the app says {after.node.text!r})",
            step=steps.current,
        )
    steps.log.info("avatar saved from %s (no screen shows which picture it is)", pushed)
    return after.hierarchy


async def _read_back(
    ctx: TaskContext, steps: Steps, wanted: dict[str, str], *, skip_nickname: bool
) -> None:
    """The own profile shows the nickname and the bio asked for (one dump, after going back)."""
    texts = {f: wanted[f] for f in ("nickname", "bio") if f in wanted}
    if skip_nickname:
        texts.pop("nickname", None)
    own = await steps.back_until("own_handle", screen="own_profile", timeout=SCREEN_TIMEOUT)
    if not texts:
        return

    def shows_all(h: Hierarchy) -> Hierarchy | None:
        if steps.find(h, "own_handle") is None:
            return None
        for value in texts.values():
            steps.values["value"] = value
            if steps.find(h, "own_profile_text") is None:
                return None
        return h

    try:
        if shows_all(own.hierarchy) is None:  # the dump that found the profile, else new ones
            await steps.wait_until(
                shows_all, element="own_profile_text", screen="own_profile", timeout=TAP_TIMEOUT
            )
    except TaskFailed:
        raise PostConditionFailed(
            f"{steps.current}: the own profile of {ctx.username or 'the account'} does not show "
            + " and ".join(f"the {f} {v!r}" for f, v in texts.items()),
            step=steps.current,
        ) from None
    finally:
        steps.values["value"] = None
