"""The comments sheet, and the comment bar at the bottom of a video opened on its own.

Shaped after real dumps (``real-screens/``): ``tt4703_fr_comment_sheet`` (47.0.3; 46.9.3 uses it
too), ``tt4314_fr_comment_sheet`` and ``tt4314_fr_comment_sheet_empty`` (43.1.4, dumped on a
1080x2220 phone: moved down to the sim's 1080x2400 screen) for the sheet,
``tt4703_fr_video_page_comment_bar`` for the bar. The layouts below are those dumps' trees, ids
and classes as dumped; the words come from :data:`STRINGS` in the app's language. What the dumps
show and the model keeps:

- The sheet covers the lower part of the screen over the video; the player's controls are not in
  the tree while it shows. Tapping above it, its close button (43.1.4: content-desc ``Fermer`` /
  ``Close``; 47.0.3: none) or back closes it.
- Title ``N commentaires`` (a left-to-right mark first), or ``Commentaires`` with "Sois le
  premier ou la première à commenter cette vidéo" and a row of quick emoji when there are none.
- Rows: the commenter is a Button (id ``title``) whose text is the username; the comment is a
  TextView; then a date, ``Répondre``, and a like Button whose content-desc is an unresolved
  string id (``@2131823403``) holding the like count. Some rows are followed by ``Afficher N
  réponses``.
- The field is an EditText whose text is its hint while empty (``Ajouter un commentaire…``).
  Beside it a row of three icons; the first, a Button, is the send button, and its content-desc
  is an unresolved string id (``@2131823358`` on 47.0.3; the 43.1.4 copy was anonymised to
  ``@0000000000``): it has no words, so scripts find it by its place beside the field. The second
  icon attaches an image (the single-pick gallery; 43.1.4 calls it ``Stickers``), the third
  mentions (adds ``@``).
- Send records the comment when the field holds text or an image is attached, shows it first in
  the list as (own username, text) and empties the field; with nothing to send it does nothing.
  The enter key in the field sends too. A picked image shows above the field; tapping it takes it
  away.

On a video opened on its own the bar sits at the bottom of the video (:func:`comment_bar`): a
clickable View over a non-clickable EditText; a tap anywhere on it opens the sheet with the field
focused (:func:`open_from_bar`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from runner.sim.hierarchy import Node, Rect
from runner.sim.tiktok.base import MAIN_ACTIVITY, Screen
from runner.sim.tiktok.comments_specs import (
    BAR_4703,
    EMOJI_4314,
    EMPTY_4314,
    INPUT_4314,
    INPUT_4703,
    LIST_4314,
    LIST_4703,
    REPLIES_4314,
    REPLIES_4703,
    ROOT_4314,
    ROOT_4703,
    ROW_4314,
    ROW_4703,
    ROW_IMAGE_4703,
    THUMB,
)
from runner.sim.tiktok.looks import Words, build_of, pick
from runner.sim.tiktok.spec import Layout
from runner.sim.tiktok.strings import count

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp
    from runner.sim.tiktok.world import Video

# The words: ``comment_*`` keys of runner.sim.tiktok.strings (en, fr).


class _Build:
    """One build's layouts and the geometry their code needs."""

    def __init__(self, root: Layout, lst: Layout, row: Layout, row_image: Layout,
                 replies: Layout, inp: Layout, list_top: int, field_top: int) -> None:  # fmt: skip
        self.root, self.list, self.row, self.row_image = root, lst, row, row_image
        self.replies, self.input = replies, inp
        self.list_top = list_top  # where the list starts (non-empty sheet)
        self.field_top = field_top  # the input area's top with nothing above the field
        self.row_base = row.roots[0].bounds[1]
        self.row_image_base = row_image.roots[0].bounds[1]
        self.replies_base = replies.roots[0].bounds[1]


BUILDS = {
    "tt4703": _Build(ROOT_4703, LIST_4703, ROW_4703, ROW_IMAGE_4703, REPLIES_4703, INPUT_4703,
                     994, 2179),
    "tt4314": _Build(ROOT_4314, LIST_4314, ROW_4314, ROW_IMAGE_4703, REPLIES_4314, INPUT_4314,
                     1154, 2175),
}  # fmt: skip
DESCS = {"tt4703": ("@2131823403", "@2131823401"), "tt4314": ("@0000000000", "@0000000000")}
EMPTY_LIST_TOP = {"tt4703": 994, "tt4314": 1188}  # the 43.1.4 empty sheet's header is taller


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "big")


def _clip(node: Node, bottom: int) -> Node | None:
    """``node`` cut at y = ``bottom`` (the list's edge): gone if wholly below, else shortened."""
    b = node.bounds
    if b.top >= bottom:
        return None
    if b.bottom > bottom:
        node.bounds = Rect(b.left, b.top, b.right, bottom)
    node.children = [c for c in (_clip(k, bottom) for k in node.children) if c is not None]
    return node


def _set_top(node: Node, top: int) -> None:
    node.bounds = Rect(node.bounds.left, top, node.bounds.right, node.bounds.bottom)


def _set_span(node: Node, top: int, bottom: int) -> None:
    node.bounds = Rect(node.bounds.left, top, node.bounds.right, bottom)


class CommentsSheet(Screen):
    """The comments of a video over the video. ``behind`` is the screen it was opened from (the
    sheet keeps its activity); ``focus`` opens it with the field focused (the comment bar)."""

    name = "comments"

    def __init__(self, video: Video, behind: Screen | None = None, focus: bool = False) -> None:
        super().__init__()
        self.video = video
        self.behind_activity = behind.activity if behind is not None else MAIN_ACTIVITY
        self.fields = {"comment": ""}
        self.focused = "comment" if focus else None
        self.image: str | None = None

    @property
    def activity(self) -> str:  # type: ignore[override]
        return self.behind_activity

    def build(self, app: TikTokApp) -> list[Node]:  # type: ignore[override]
        build = pick(BUILDS, app)
        s = Words(app, "comment_")
        video = self.video
        total = video.comments + app.own_comment_count(video.id)
        empty = total == 0
        above = 0 if not empty else EMOJI_4314.roots[0].rect.bottom - EMOJI_4314.roots[0].rect.top
        above += THUMB.roots[0].rect.bottom - THUMB.roots[0].rect.top if self.image else 0
        field_top = build.field_top - above
        list_top = EMPTY_LIST_TOP[build_of(app, BUILDS)] if empty else build.list_top
        pkg = app.package
        words = video.caption.split()
        values: dict[str, Any] = {
            "video": s("video"),
            "sheet_focused": self.focused is None,
            "empty": empty,
            "search_label": s("search"),
            "search_query": f"\u200e\u2068{words[0] if words else video.creator}\u2069",
            "search_icon": s("search_icon"),
            "creator": video.creator,
            "creator_likes": s("creator_likes", n=count(app, video.likes)),
            "title": s("title", n=count(app, total)) if total else s("title_empty"),
            "close": s("close"),
            "list": self._list(app, build, s, pkg, list_top, field_top, empty),
            "input": self._input(build, s, pkg, field_top, empty),
        }
        return build.root.nodes(values, pkg)

    def _list(self, app: TikTokApp, build: _Build, s: Words, pkg: str, top: int,
              bottom: int, empty: bool) -> Node:  # fmt: skip
        box = build.list.build({}, pkg)
        for node in (box, *box.children):
            _set_span(node, top, bottom)
        rv = box.children[-1]
        if empty:
            rv.add(EMPTY_4314.build({"empty": s("empty")}, pkg, dy=top - 1188))
            return box
        like_desc, dislike_desc = DESCS.get(build_of(app, BUILDS), DESCS["tt4703"])
        y = top
        for user, body, image, date, likes, replies in self._rows(app, s):
            if y >= bottom:
                break
            values = {"user": user, "text": body, "date": date, "reply": s("reply"),
                      "likes": count(app, likes) if likes else "",
                      "profile": f"profile:{user}", "like_desc": like_desc,
                      "dislike_desc": dislike_desc}  # fmt: skip
            layout, base = ((build.row_image, build.row_image_base) if image
                            else (build.row, build.row_base))  # fmt: skip
            row = layout.build(values, pkg, dy=y - base)
            rv.add(row)
            y = row.bounds.bottom
            if replies and y < bottom:
                more = build.replies.build({"view_replies": s("view_replies", n=replies)}, pkg,
                                           dy=y - build.replies_base)  # fmt: skip
                rv.add(more)
                y = more.bounds.bottom
        rv.children = [c for c in (_clip(k, bottom) for k in rv.children) if c is not None]
        return box

    def _rows(self, app: TikTokApp, s: Words
              ) -> list[tuple[str, str, str | None, str, int, int]]:  # fmt: skip
        """(user, text, image, date, likes, replies): own comments newest first, then others'."""
        vid = self.video.id
        out = [(u, t, img, s("just_now"), 0, 0)
               for u, t, img in reversed(app.own_comments.get(vid, []))]  # fmt: skip
        for i, (user, body) in enumerate(app.world.comments_of(vid, count=8)):
            h = _h("comment", vid, i)
            out.append((user, body, None, s("hours_ago", n=1 + h % 23), h % 2000,
                        2 + (h >> 12) % 6 if i % 2 else 0))  # fmt: skip
        return out

    def _input(self, build: _Build, s: Words, pkg: str, top: int, empty: bool) -> Node:
        above: list[Node] = []
        y = top
        if self.image:
            thumb = THUMB.build({}, pkg, dy=y - THUMB.roots[0].bounds[1])
            above.append(thumb)
            y = thumb.bounds.bottom
        if empty:
            above.append(EMOJI_4314.build({}, pkg, dy=y - EMOJI_4314.roots[0].bounds[1]))
        text = self.fields["comment"]
        values = {"above": above, "field_text": text or s("field"), "field_hint": s("field"),
                  "field_focused": self.focused == "comment", "stickers": s("stickers"),
                  "mention": s("mention")}  # fmt: skip
        box = build.input.build(values, pkg)
        _set_top(box, top)
        _set_top(box.children[0], top)
        return box

    # ----------------------------------------------------------------------------------- taps
    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "close":
            app.back()
        elif action == "add_image":
            from runner.sim.tiktok.create import GalleryScreen

            app.open_gallery(GalleryScreen(multi=False, on_pick=self._picked))
        elif action == "remove_image":
            self.image = None
        elif action == "mention":
            self.fields["comment"] += "@"
            self.focused = "comment"
        elif action.startswith("profile:"):
            from runner.sim.tiktok.profile import ProfileScreen

            app.push(ProfileScreen(action.split(":", 1)[1]))
        elif action == "send":
            self.send(app)

    def on_enter(self, app: TikTokApp) -> None:
        self.send(app)

    def send(self, app: TikTokApp) -> None:
        """Record and show the comment, if there is something to send."""
        body = self.fields["comment"].strip()
        if not body and not self.image:
            return
        app.account.comment(self.video.id, body, self.image)
        app.own_comments.setdefault(self.video.id, []).append(
            (app.account.username, body, self.image)
        )
        self.fields["comment"] = ""
        self.image = None
        self.focused = None

    def _picked(self, app: TikTokApp, names: list[str]) -> None:
        self.image = names[0] if names else None


def comment_bar(app: TikTokApp) -> Node:
    """The comment bar of a video opened on its own (tt4703_fr_video_page_comment_bar; 43.1.4
    has no dump of it and shows the same). Its taps are the actions ``comments:bar`` and
    ``comments:image``: hand them to :func:`open_from_bar`."""
    return BAR_4703.build({"field": Words(app, "comment_")("field")}, app.package)


def open_from_bar(app: TikTokApp, video: Video, action: str, behind: Screen | None = None
                  ) -> None:  # fmt: skip
    """A tap on the comment bar: the sheet with its field focused (``comments:image``: and
    then the image picker)."""
    sheet = CommentsSheet(video, behind=behind, focus=True)
    app.push(sheet)
    if action == "comments:image":
        sheet.on_tap(app, "add_image")
