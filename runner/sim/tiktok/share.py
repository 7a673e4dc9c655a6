"""The share sheet a player's ``Share video`` opens, and its ``Copy link``.

No dump of the sheet exists (neither taktik-bot's fixtures nor another public project has one),
so its layout is the model's own: a bottom panel titled ``Share to`` (``Partager sur``) over the
player, a row of actions, each a clickable LinearLayout holding an ImageView and a TextView with
its word (``Copy link`` / ``Copier le lien``, ``Report``, ``Not interested``, ``Save video``), and
a tap above the panel closing it. ``Copy link`` puts the video's link on the clipboard (what
uiautomator2 reads as ``d.clipboard``), shows the toast ``Copied`` (never in a dump) and closes the
sheet; TikTok counts it as a share of the video (ground truth: action ``share_link``).

What the link looks like follows what is known of real builds (hxreborn/revanced-tiktok-share-
sanitizer, TikTok 36.5.4: the copied text is "the URL to copy (shortlink or full URL)"; rknight.me,
2024: every share makes a new ``https://vm.tiktok.com/<code>/`` link tied to the sharer): 43.1.4
copies a new short link per share (the world remembers which video each code opens, so opening
it shows that video), 46.9.3 and 47.0.3 the full URL with tracking parameters
(``https://www.tiktok.com/@user/video/<id>?_r=1&_t=<code>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, Node, Rect
from runner.sim.tiktok.base import FL, IV, LL, Screen, text
from runner.sim.tiktok.strings import s
from runner.sim.tiktok.world import Video, make_id

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

ACTIONS = ("copy_link", "share_report", "share_not_interested", "share_save_video")


def share_link(app: TikTokApp, video: Video) -> str:
    """A new link to ``video``, as this build's Copy link makes it (module docstring)."""
    app.world.shares += 1
    code = "ZM" + make_id("share", app.world.seed, video.id, app.world.shares)[-7:]
    if app.build == "tt4314":
        app.world.short_links[code] = video.id
        return f"https://vm.tiktok.com/{code}/"
    return f"https://www.tiktok.com/@{video.creator}/video/{video.id}?_r=1&_t={code}"


class ShareSheet(Screen):
    """The share sheet over the player showing ``video``."""

    name = "share_sheet"

    def __init__(self, video: Video) -> None:
        super().__init__()
        self.video = video

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        top = 1500
        panel = Node(LL, Rect(0, top, SCREEN_W, SCREEN_H), resource_id=rid("share_panel"))
        panel.add(text(Rect(380, top + 40, 700, top + 110), s(app, "share_sheet_title"),
                       rid("share_title")))  # fmt: skip
        row = Node(LL, Rect(0, top + 400, SCREEN_W, top + 640), resource_id=rid("share_actions"))
        for i, key in enumerate(ACTIONS):
            left = 30 + i * 250
            item = Node(LL, Rect(left, top + 400, left + 220, top + 640), clickable=True,
                        focusable=True, action=key)  # fmt: skip
            item.add(
                Node(IV, Rect(left + 50, top + 420, left + 170, top + 540)),
                text(Rect(left, top + 560, left + 220, top + 620), s(app, key), ""),
            )
            row.add(item)
        panel.add(row)
        return Node(FL, resource_id=rid("share_root"), clickable=True, action="dismiss").add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "copy_link":
            link = share_link(app, self.video)
            app.phone.clipboard = link
            app.phone.show_toast(s(app, "link_copied"))
            app.account.share_link(self.video.id, link)
            app.close_overlay()
        elif action in ("dismiss", "share_not_interested"):
            app.close_overlay()
        # Report and Save video open flows the model leaves out
