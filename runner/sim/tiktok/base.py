"""What every screen of the TikTok model shares: the :class:`Screen` interface and small node
builders, so a screen module reads as its layout.

A screen builds its node tree from the app's state (texts and content-descs fixed, resource ids
from the app version's table, :func:`runner.sim.tiktok.ids.resource_ids`) and handles taps by the
``action`` of the node hit (:func:`runner.sim.hierarchy.hit`). Screens on the app's stack fill the
screen; overlays (dialogs, popups, sheets) are screens drawn over the top one and take every tap
while they show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runner.sim.hierarchy import Node, Rect

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

MAIN_ACTIVITY = "com.ss.android.ugc.aweme.main.MainActivity"
PROFILE_ACTIVITY = "com.ss.android.ugc.aweme.profile.ui.UserProfileActivity"
SEARCH_ACTIVITY = "com.ss.android.ugc.aweme.search.activity.SearchResultActivity"
DETAIL_ACTIVITY = "com.ss.android.ugc.aweme.detail.ui.DetailActivity"
CREATE_ACTIVITY = "com.ss.android.ugc.aweme.shortvideo.ui.VideoRecordNewActivity"
GALLERY_ACTIVITY = "com.ss.android.ugc.aweme.photomovie.MediaChooseActivity"
EDIT_ACTIVITY = "com.ss.android.ugc.aweme.shortvideo.edit.VEVideoPublishEditActivity"
PUBLISH_ACTIVITY = "com.ss.android.ugc.aweme.shortvideo.publish.VideoPublishActivity"
MUSIC_ACTIVITY = "com.ss.android.ugc.aweme.music.ui.MusicDetailActivity"

TV = "android.widget.TextView"
IV = "android.widget.ImageView"
BTN = "android.widget.Button"
FL = "android.widget.FrameLayout"
LL = "android.widget.LinearLayout"
RV = "androidx.recyclerview.widget.RecyclerView"
EDIT = "android.widget.EditText"


def count_text(n: int) -> str:
    """TikTok's short counts: 999, 1.2K, 3.4M."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1000:
        return f"{n / 1000:.1f}K"
    return str(n)


def text(rect: Rect, value: str, rid: str, action: str | None = None, **kw: Any) -> Node:
    """A TextView; clickable when it has an ``action``."""
    return Node(TV, rect, text=value, resource_id=rid, clickable=action is not None,
                action=action, **kw)  # fmt: skip


def icon(rect: Rect, desc: str, rid: str, action: str | None = None, **kw: Any) -> Node:
    """An ImageView known by its content-desc; clickable when it has an ``action``."""
    return Node(IV, rect, content_desc=desc, resource_id=rid, clickable=action is not None,
                action=action, **kw)  # fmt: skip


def button(rect: Rect, value: str, rid: str, action: str, **kw: Any) -> Node:
    return Node(BTN, rect, text=value, resource_id=rid, clickable=True, action=action, **kw)


def edit(rect: Rect, screen: Screen, name: str, rid: str, *, hint: str = "",
         desc: str = "") -> Node:  # fmt: skip
    """An EditText showing the screen's field ``name`` (tap focuses it; setText/paste fill it)."""
    return Node(EDIT, rect, text=screen.fields.get(name, ""), hint=hint, content_desc=desc,
                clickable=True, focusable=True, long_clickable=True,
                focused=screen.focused == name, resource_id=rid, field=name,
                action=f"focus:{name}")  # fmt: skip


class Screen:
    """One screen of the app. ``fields`` are its text fields, ``focused`` the one with focus.

    ``name`` is what :meth:`runner.sim.phone.SimPhone.on_screen` fault hooks match.
    """

    activity = MAIN_ACTIVITY
    name = "screen"
    # The activity root the app's chrome puts around build()'s tree (runner.sim.tiktok.chrome):
    # "main", "profile", or None when build() makes the whole window's content itself.
    chrome: str | None = "main"

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.focused: str | None = None

    def build(self, app: TikTokApp) -> Node:
        """The screen's node tree (full screen), built fresh from the app's state."""
        raise NotImplementedError

    def tap(self, app: TikTokApp, action: str) -> None:
        """A tap on a node whose ``action`` is ``action``; ``back`` and ``focus:NAME`` are
        handled here, the rest by :meth:`on_tap`."""
        if action == "back":
            app.back()
        elif action.startswith("focus:"):
            self.focused = action.split(":", 1)[1]
        else:
            self.on_tap(app, action)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        """A tap on a node whose ``action`` is ``action``."""

    def on_enter(self, app: TikTokApp) -> None:
        """The enter key while one of this screen's fields has focus."""

    def on_swipe(self, app: TikTokApp, dy: float) -> bool:
        """A vertical swipe (``dy`` < 0: finger moved up); True if the screen reacted."""
        return False

    def on_leave(self, app: TikTokApp) -> None:
        """The screen is popped off the stack (or the app dies)."""

    def back_button(self, app: TikTokApp) -> Node:
        from runner.sim.tiktok.strings import s

        return icon(Rect(0, 100, 130, 230), s(app, "back"), app.rid("back_button"), "back")
