"""The create flow: camera -> gallery -> editor (sounds) -> post screen -> publish, and the gallery
picker the comments sheet borrows.

Rules (docs/internals.md, "The full TikTok model"):
- ``Create`` opens the camera (text ``Upload``; with a sound from a sound page, its name shows).
- The gallery lists what the media store indexed, newest first: tiles content-desc ``Video, NAME``
  / ``Photo, NAME``. Multi-pick (create): each tile has a ``Select`` toggle (tapping the tile
  toggles too), tabs ``All`` / ``Videos`` / ``Photos``, and ``Next``, enabled once something is
  selected. Single-pick (a comment's image): photos only; tapping a tile picks it and returns.
  The first time an app opens the gallery it may ask for the photos permission first
  (``Allow`` / ``Don't allow``: when popups are on, or when a test sets ``app.media_granted``).
- The editor: ``Add sound`` (the sound picker: EditText ``Search sounds``, rows of names,
  ``Use this sound``), ``Volume`` (out of scope: tapping it does nothing), ``Next``.
- The post screen: EditText content-desc ``Describe your post``, ``Post``. ``Post`` asks
  ``Publish now?`` (``Publish now`` / ``Cancel``) on a seeded half of the attempts, as an A/B test
  would; publishing returns to the feed, whose banner shows ``Uploading N%`` for
  ``app.upload_seconds`` of the sim's clock, then ``Your post is published``; only then is the post
  recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from runner.sim.hierarchy import SCREEN_W, Node, Rect
from runner.sim.tiktok.base import (
    BTN,
    CREATE_ACTIVITY,
    EDIT_ACTIVITY,
    FL,
    GALLERY_ACTIVITY,
    LL,
    PUBLISH_ACTIVITY,
    RV,
    TV,
    Screen,
    button,
    edit,
    icon,
    text,
)
from runner.sim.tiktok.world import Sound

if TYPE_CHECKING:
    from runner.sim.media import MediaItem
    from runner.sim.tiktok.app import TikTokApp

PickFn = Callable[["TikTokApp", list[str]], None]


class CameraScreen(Screen):
    """The camera: ``Upload`` opens the gallery; a sound chosen on a sound page shows on top."""

    activity = CREATE_ACTIVITY
    name = "camera"

    def __init__(self, sound: Sound | None = None, post_way: str = "addButton") -> None:
        super().__init__()
        self.sound = sound
        self.post_way = post_way

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(
            icon(Rect(0, 100, 130, 230), "Back", rid("camera_close"), "back"),
            text(
                Rect(340, 110, 740, 210),
                self.sound.name if self.sound else "Add sound",
                rid("camera_sound"),
                "sound",
            ),  # fmt: skip
            icon(Rect(440, 1950, 640, 2150), "Record video", rid("camera_record"), "record"),
            text(Rect(800, 1990, 1000, 2110), "Upload", rid("camera_upload"), "upload"),
        )
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "upload":
            app.open_gallery(GalleryScreen(multi=True, camera=self))


class GalleryScreen(Screen):
    """The media picker (multi-pick for posts, single-pick for a comment's image)."""

    activity = GALLERY_ACTIVITY
    name = "gallery"
    TABS = ("All", "Videos", "Photos")

    def __init__(
        self, *, multi: bool, camera: CameraScreen | None = None, on_pick: PickFn | None = None
    ) -> None:
        super().__init__()
        self.multi = multi
        self.camera = camera
        self.on_pick = on_pick
        self.tab = "All"
        self.selected: list[str] = []  # paths, in the order picked

    def items(self, app: TikTokApp) -> list[MediaItem]:
        if not self.multi:
            return app.phone.media.items("image")
        kind = {"All": None, "Videos": "video", "Photos": "image"}[self.tab]
        return app.phone.media.items(kind)

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(icon(Rect(0, 100, 130, 230), "Back", rid("gallery_close"), "back"))
        if self.multi:
            tabs = Node(LL, Rect(0, 240, SCREEN_W, 340), resource_id=rid("gallery_tabs"))
            for i, name in enumerate(self.TABS):
                tabs.add(text(Rect(i * 360, 240, (i + 1) * 360, 340), name, rid("gallery_tab"),
                              f"tab:{name}", selected=self.tab == name))  # fmt: skip
            root.add(tabs)
        else:
            root.add(text(Rect(340, 110, 740, 210), "Select photo", rid("dialog_title")))
        grid = Node(RV, Rect(0, 360, SCREEN_W, 2180), scrollable=True,
                    resource_id=rid("gallery_grid"))  # fmt: skip
        for i, item in enumerate(self.items(app)[:15]):
            left, top = (i % 3) * 360, 360 + (i // 3) * 360
            label = "Video" if item.kind == "video" else "Photo"
            tile = Node(FL, Rect(left, top, left + 360, top + 360), clickable=True,
                        content_desc=f"{label}, {item.name}", resource_id=rid("gallery_tile"),
                        action=f"tile:{item.path}")  # fmt: skip
            if self.multi:
                picked = item.path in self.selected
                order = str(self.selected.index(item.path) + 1) if picked else ""
                tile.add(Node(TV, Rect(left + 270, top + 10, left + 350, top + 90), text=order,
                              content_desc="Select", clickable=True, checkable=True,
                              checked=picked, selected=picked, resource_id=rid("gallery_select"),
                              action=f"select:{item.path}"))  # fmt: skip
            grid.add(tile)
        if not self.items(app):
            grid.add(text(Rect(140, 1000, 940, 1080), "No photos or videos", rid("profile_empty")))
        root.add(grid)
        if self.multi:
            root.add(Node(BTN, Rect(700, 2220, 1040, 2360), text="Next", clickable=True,
                          enabled=bool(self.selected), resource_id=rid("gallery_next"),
                          action="next"))  # fmt: skip
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        kind, _, arg = action.partition(":")
        if kind == "tab":
            self.tab = arg
        elif kind in ("tile", "select"):
            if not self.multi:
                app.back()
                if self.on_pick is not None:
                    self.on_pick(app, [arg.rsplit("/", 1)[-1]])
            elif arg in self.selected:
                self.selected.remove(arg)
            else:
                self.selected.append(arg)
        elif action == "next" and self.selected:
            camera = self.camera or CameraScreen()
            app.push(EditorScreen(list(self.selected), sound=camera.sound,
                                  post_way=camera.post_way))  # fmt: skip


class EditorScreen(Screen):
    """The editor: ``Add sound``, ``Volume``, ``Next``; holds the media and the chosen sound."""

    activity = EDIT_ACTIVITY
    name = "editor"

    def __init__(self, media: list[str], *, sound: Sound | None, post_way: str) -> None:
        super().__init__()
        self.media = media  # phone paths
        self.sound = sound
        self.post_way = post_way

    @property
    def kind(self) -> str:
        from runner.sim.media import media_kind

        return "images" if all(media_kind(p) == "image" for p in self.media) else "video"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(self.back_button(app))
        tools = Node(LL, Rect(900, 300, 1080, 1200), resource_id=rid("editor_tools"))
        tools.add(text(Rect(900, 300, 1080, 400), "Volume", rid("editor_volume"), "volume"))
        root.add(
            text(Rect(340, 110, 740, 210), "Add sound", rid("editor_sound"), "sound"),
            tools,
        )
        if self.sound is not None:
            root.add(text(Rect(240, 220, 840, 290), self.sound.name, rid("editor_sound_name")))
        root.add(button(Rect(700, 2220, 1040, 2360), "Next", rid("editor_next"), "next"))
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "sound":
            app.push(SoundPicker(self))
        elif action == "next":
            app.push(PostScreen(self))


class SoundPicker(Screen):
    """Sounds for the editor: ``Search sounds`` filters as one types; ``Use this sound``."""

    activity = EDIT_ACTIVITY
    name = "sound_picker"

    def __init__(self, editor: EditorScreen) -> None:
        super().__init__()
        self.editor = editor
        self.fields = {"query": ""}
        self.choice: Sound | None = None

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(
            self.back_button(app),
            edit(
                Rect(140, 110, 1060, 210),
                self,
                "query",
                rid("sound_search"),
                hint="Search sounds",
                desc="Search sounds",
            ),  # fmt: skip
        )
        rows = Node(RV, Rect(0, 240, SCREEN_W, 2180), scrollable=True,
                    resource_id=rid("sound_list"))  # fmt: skip
        for i, sound in enumerate(app.world.sounds(self.fields["query"])):
            top = 240 + i * 180
            row = Node(LL, Rect(0, top, SCREEN_W, top + 180), clickable=True,
                       selected=self.choice == sound, resource_id=rid("sound_row"),
                       action=f"pick:{i}")  # fmt: skip
            row.add(text(Rect(200, top + 50, 1000, top + 130), sound.name, rid("sound_row_name")))
            rows.add(row)
        root.add(rows)
        if self.choice is not None:
            root.add(button(Rect(240, 2200, 840, 2340), "Use this sound", rid("sound_use"), "use"))
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action.startswith("pick:"):
            self.choice = app.world.sounds(self.fields["query"])[int(action[5:])]
        elif action == "use" and self.choice is not None:
            self.editor.sound = self.choice
            app.back()


class PostScreen(Screen):
    """The last step: the caption field (content-desc ``Describe your post``) and ``Post``."""

    activity = PUBLISH_ACTIVITY
    name = "post"

    def __init__(self, editor: EditorScreen) -> None:
        super().__init__()
        self.editor = editor
        self.fields = {"caption": ""}

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(
            self.back_button(app),
            edit(
                Rect(40, 260, 760, 600),
                self,
                "caption",
                rid("post_caption"),
                hint="Add a catchy title",
                desc="Describe your post",
            ),  # fmt: skip
            button(Rect(560, 2220, 1040, 2360), "Post", rid("post_button"), "post"),
            button(Rect(40, 2220, 520, 2360), "Drafts", rid("post_drafts"), "drafts"),
        )
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "post":
            if app.rng.random() < 0.5:
                app.show_overlay(PublishDialog(self))
            else:
                self.publish(app)

    def publish(self, app: TikTokApp) -> None:
        ed = self.editor
        app.start_upload(
            caption=self.fields["caption"],
            media=[p.rsplit("/", 1)[-1] for p in ed.media],
            kind=ed.kind,
            post_way=ed.post_way,
            sound=ed.sound,
        )


class PublishDialog(Screen):
    """``Publish now?`` with ``Publish now`` and ``Cancel``."""

    activity = PUBLISH_ACTIVITY
    name = "publish_dialog"

    def __init__(self, post: PostScreen) -> None:
        super().__init__()
        self.post = post

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(90, 950, 990, 1450), resource_id=rid("dialog_panel"))
        panel.add(
            text(Rect(130, 1000, 950, 1100), "Publish now?", rid("dialog_title")),
            button(Rect(130, 1300, 530, 1420), "Cancel", rid("dialog_cancel"), "cancel"),
            button(Rect(550, 1300, 950, 1420), "Publish now", rid("dialog_confirm"), "publish"),
        )
        return Node(FL, resource_id=rid("dialog_root"), clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        app.close_overlay()
        if action == "publish":
            self.post.publish(app)
