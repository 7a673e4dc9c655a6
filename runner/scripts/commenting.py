"""Writing one comment on the video on screen: shared by ``comment`` and ``account_warmup``
(docs/spec/scripts.md; docs/internals.md, "Comments sheet").

Post-condition: the sheet lists one more row holding exactly the comment than before Post was
tapped. Post is tapped once; a second tap happens only when a popup swallowed the first *and*
the field still holds the comment (so nothing was sent): a comment is never sent twice.
"""

from __future__ import annotations

from runner.devices import DeviceSession, Hierarchy
from runner.scripts.navigate import SCREEN_TIMEOUT, TAP_TIMEOUT
from runner.scripts.steps import Found, Steps

#: Seconds to wait for a posted comment to show in the list.
POST_TIMEOUT = 10.0


async def open_comments(steps: Steps, button: Found | None = None) -> Found:
    """Tap ``Read or add comments`` (found now when ``button`` is None); returns the sheet's
    ``comment_field``."""
    async with steps.step("open comments"):
        if button is None:
            button = await steps.wait_for("comments_button", screen="video", timeout=SCREEN_TIMEOUT)
        return await steps.act(
            button,
            until=steps.any_of("comment_field"),
            expecting="the comments sheet",
            timeout=TAP_TIMEOUT,
        )


async def already_commented(steps: Steps, sheet: Hierarchy, text: str) -> bool:
    """True when the open sheet already lists a row holding exactly ``text``."""
    steps.values["comment"] = text
    return steps.count(sheet, "comment_row") > 0


async def write_comment(
    session: DeviceSession,
    steps: Steps,
    sheet: Found,
    text: str,
    *,
    image: str | None = None,
) -> None:
    """With the comments sheet open (``sheet`` is its field), attach ``image`` (a gallery file's
    name, already pushed and indexed) when given, type ``text`` (read back), tap Post once and
    see the comment in the list. Leaves the sheet open.
    """
    steps.values["comment"] = text
    before = steps.count(sheet.hierarchy, "comment_row")
    if image:
        steps.values["file"] = image
        async with steps.step("attach image"):
            add = await steps.find_or_wait(
                sheet.hierarchy, "comment_add_image", screen="comments", timeout=TAP_TIMEOUT
            )
            # Real galleries name no tile: the image was pushed and indexed last, so it is the
            # newest, the first tile.
            tile = await steps.act(
                add,
                until=steps.any_of("gallery_newest_tile"),
                expecting="the gallery",
                timeout=SCREEN_TIMEOUT,
            )
            await steps.act(
                tile,
                until=steps.any_of("comment_image_selected"),
                expecting="the image attached to the comment",
                timeout=SCREEN_TIMEOUT,
            )
    async with steps.step("type comment"):
        h = await steps.type_into("comment_field", text, screen="comments", timeout=TAP_TIMEOUT)
    async with steps.step("send comment"):
        post = await steps.find_or_wait(h, "comment_post", screen="comments", timeout=TAP_TIMEOUT)

        def posted(h: Hierarchy) -> bool | None:
            return True if steps.count(h, "comment_row") > before else None

        def unsent(h: Hierarchy) -> bool:
            field = steps.find(h, "comment_field")
            return field is not None and field.node.text == text

        await steps.act(
            post,
            until=posted,
            expecting="the comment in the list",
            timeout=POST_TIMEOUT,
            retap_when=unsent,
            irreversible=True,
        )
    steps.log.info("comment posted")
