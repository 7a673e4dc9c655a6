"""The create flow: camera -> gallery -> editor (sounds) -> post screen -> publish and the upload,
and the gallery picker the comments sheet borrows.

Shaped after real dumps (``real-screens/`` and the taktik-bot fixtures): the camera after
``tt4314_fr_publish_camera`` and, for 47.0.3, the camera behind the gallery in
``tt4703_fr_publish_gallery_selected``; the gallery after ``tt4314_fr_publish_gallery`` and
``tt4703_fr_publish_gallery_selected``; the editor after ``tt4703_fr_publish_editor_sound``; the
post screen after ``tt4703_fr_publish_post_screen`` and ``tt4314_publish_post_screen`` (English,
dumped 1080x2220: moved to the sim's 2400 px); the upload progress after
``tt4703_fr_publish_uploading`` and ``tt4663_en_publish_uploading``. 46.9.3 has no dump of these
screens and shows 47.0.3's; 43.1.4 has no editor dump and shows 47.0.3's. The layouts below keep
those dumps' trees, classes and ids; the words come from :data:`STRINGS` in the app's language.
The sound picker and the publish dialog have no dump: their shape is the model's own.

Rules (docs/internals.md, "The full TikTok model"):
- ``Create`` opens the camera. Its gallery button is a clickable FrameLayout with no words,
  bottom left (47.0.3: id ``upload_hot_area``); its sound pill reads ``Ajouter un son`` /
  ``Add sound``, or the name of a sound chosen on a sound page, and opens the sound picker.
- The gallery lists what the media store indexed, newest first; its tiles carry no id and no
  words (a video shows its length). Multi-pick (create): each tile has a round select button whose
  text is the pick order (tapping the tile toggles too), tabs ``Tout`` / ``Vidéos`` / ``Photos``,
  and ``Suivant``, clickable once something is picked, then reading ``Suivant (N)``. Single-pick
  (a comment's image): photos only, no select buttons; tapping a tile picks it and returns. The
  first time an app opens the gallery it may ask for the photos permission first (when popups are
  on, or when a test sets ``app.media_granted``).
- The editor: the sound pill (the sound picker; with a sound, a remove button beside it), a rail
  of tools (inert), ``Ta Story`` (inert) and ``Suivant``.
- The sound picker: EditText hint ``Search sounds`` filters as one types, rows of names, ``Use
  this sound`` once one is picked.
- The post screen: the caption EditText (its text is its hint while empty), ``Hashtags`` and
  ``Mentionner`` (add ``#`` / ``@`` to the caption), ``Brouillons`` (inert), ``Publier``.
  ``Publier`` asks ``Publier la vidéo publiquement ?`` (``Publier maintenant`` / ``Annuler``) on a
  seeded half of the attempts, as an A/B test would; publishing returns to the feed, where a
  window of its own shows the upload's progress (``66%``) for ``app.upload_seconds`` of the sim's
  clock; then it goes, the post is recorded and it is the first tile of the own profile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from runner.sim.hierarchy import SCREEN_W, Node, Rect
from runner.sim.tiktok.base import (
    CREATE_ACTIVITY,
    EDIT_ACTIVITY,
    GALLERY_ACTIVITY,
    PUBLISH_ACTIVITY,
    Screen,
)
from runner.sim.tiktok.create_specs import (
    CAMERA_4314,
    CAMERA_4703,
    EDITOR_4703,
    PANEL_4314,
    PANEL_4703,
    POST_4314,
    POST_4703,
    STRIP_ITEM_4703,
    TILE_4314,
    TILE_4703,
    UPLOAD_4663,
    UPLOAD_4703,
    UPLOADING_TILE_4314,
)
from runner.sim.tiktok.looks import Words
from runner.sim.tiktok.spec import Layout
from runner.sim.tiktok.world import Sound

if TYPE_CHECKING:
    from runner.sim.media import MediaItem
    from runner.sim.tiktok.app import TikTokApp, Upload

PickFn = Callable[["TikTokApp", list[str]], None]

# The words: ``create_*`` keys of runner.sim.tiktok.strings (en, fr); the layouts: create_specs.


# Where a multi-pick grid's tiles go (both builds: 3 columns of 354 px, rows 362 px apart).
TILE_DX, TILE_DY = (0, 359, 717), 362
GRID_BOTTOM = 2137  # the grid's bottom edge with nothing picked (47.0.3 picked: 1822)
STRIP_DX = 184  # 47.0.3's strip of picked items: one every 184 px

BUILDS: dict[str, dict[str, Layout]] = {
    "tt4314": {"camera": CAMERA_4314, "panel": PANEL_4314, "tile": TILE_4314,
               "post": POST_4314, "uploading_tile": UPLOADING_TILE_4314},
    "tt4703": {"camera": CAMERA_4703, "panel": PANEL_4703, "tile": TILE_4703,
               "strip": STRIP_ITEM_4703, "editor": EDITOR_4703, "post": POST_4703,
               "upload": UPLOAD_4703},
    "tt4663": {"upload": UPLOAD_4663},
}  # fmt: skip
# A screen a build has no dump of comes from the nearest build that has one (46.6.3's upload
# window is 43.1.4's nearest).
NEAREST_FOR = {"tt4314": ("tt4314", "tt4663", "tt4703"), "tt4693": ("tt4703", "tt4314"),
               "tt4703": ("tt4703", "tt4314")}  # fmt: skip


def layout(app: TikTokApp, name: str) -> Layout:
    """The layout ``name`` of the app's build, or of the nearest build that has one."""
    for build in NEAREST_FOR.get(app.build, ("tt4703", "tt4314")):
        table = BUILDS.get(build, {})
        if name in table:
            return table[name]
    raise KeyError(name)


def _duration(item: MediaItem) -> str:
    """A video's length as the tiles show it (``00:15``): the sim's media carry none, so it
    comes from the file's name."""
    seconds = 5 + sum(item.name.encode()) % 55
    return f"00:{seconds:02d}"


def _camera_values(app: TikTokApp, sound: Sound | None) -> dict[str, Any]:
    s = Words(app, "create_")
    keys = (
        "add_sound",
        "music",
        "tool_new",
        "tool_more",
        *(f"mode_{i}" for i in range(5)),
        *(f"bottom_{i}" for i in range(3)),
        *(f"tool_{i}" for i in range(6)),
    )
    values: dict[str, Any] = {k: s(k) for k in keys}
    values["sound_label"] = sound.name if sound else s("add_sound")
    values["panel"] = []
    return values


class CameraScreen(Screen):
    """The camera: the gallery button (bottom left, no words) opens the gallery; the sound pill
    (a sound chosen on a sound page shows there) opens the sound picker."""

    activity = CREATE_ACTIVITY
    name = "camera"
    chrome = None  # the camera activity's own root (s8e / v4t), as dumped

    def __init__(self, sound: Sound | None = None, post_way: str = "addButton") -> None:
        super().__init__()
        self.sound = sound
        self.post_way = post_way

    def build(self, app: TikTokApp) -> list[Node]:  # type: ignore[override]
        return layout(app, "camera").nodes(_camera_values(app, self.sound), app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "upload":
            app.open_gallery(GalleryScreen(multi=True, camera=self))
        elif action == "sound":
            app.push(SoundPicker(self))


class GalleryScreen(Screen):
    """The media picker: multi-pick over the camera (posts), single-pick (a comment's image)."""

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
        self.tab = "All" if multi else "Photos"
        self.selected: list[str] = []  # paths, in the order picked

    @property
    def chrome(self) -> str | None:  # type: ignore[override]
        return None if self.multi else "main"  # multi-pick is drawn in the camera's window

    def items(self, app: TikTokApp) -> list[MediaItem]:
        if not self.multi:
            return app.phone.media.items("image")
        kind = {"All": None, "Videos": "video", "Photos": "image"}[self.tab]
        return app.phone.media.items(kind)

    def build(self, app: TikTokApp) -> list[Node]:  # type: ignore[override]
        s = Words(app, "create_")
        pkg = app.package
        picked = bool(self.selected)
        two_part = app.build != "tt4314"  # 47.0.3's gallery shows the picked ones apart
        bottom = 1822 if picked and two_part else GRID_BOTTOM
        values: dict[str, Any] = {
            "recents": s("recents"), "close": s("close"),
            "select_multiple": s("select_multiple"), "autocut": s("autocut"),
            "next": s("next_n", n=len(self.selected)) if picked else s("next"),
            "can_next": picked, "picked": picked and two_part,
            "tiles": self._tiles(app, pkg, bottom),
            "strip": self._strip(app, pkg) if two_part else [],
        }  # fmt: skip
        for tab in self.TABS:
            key = f"tab_{tab.lower()}"
            values[key] = s(key)
            values[f"{key}_sel"] = self.tab == tab
            values[f"{key}_clk"] = self.tab != tab
        panel = layout(app, "panel").nodes(values, pkg)
        if not self.multi:
            return panel
        camera = self.camera or CameraScreen()
        cam = _camera_values(app, camera.sound)
        cam["panel"] = panel
        return layout(app, "camera").nodes(cam, pkg)

    def _tiles(self, app: TikTokApp, pkg: str, bottom: int) -> list[Node]:
        tile = layout(app, "tile")
        top = tile.roots[0].bounds[1]
        out = []
        for i, item in enumerate(self.items(app)):
            dy = (i // 3) * TILE_DY
            if top + dy >= bottom:
                break
            picked = item.path in self.selected
            node = tile.build({
                "tile": f"tile:{item.path}", "select": f"select:{item.path}",
                "multi": self.multi, "picked": picked, "video": item.kind == "video",
                "order": str(self.selected.index(item.path) + 1) if picked else "",
                "duration": _duration(item),
            }, pkg, dx=TILE_DX[i % 3], dy=dy)  # fmt: skip
            out.append(_clip(node, bottom))
        return out

    def _strip(self, app: TikTokApp, pkg: str) -> list[Node]:
        by_path = {m.path: m for m in app.phone.media.items()}
        out = []
        for i, path in enumerate(self.selected):
            item = by_path.get(path)
            if item is None or 32 + i * STRIP_DX >= SCREEN_W:
                continue
            out.append(STRIP_ITEM_4703.build(
                {"select": f"select:{path}", "duration": _duration(item) if item.kind == "video"
                 else ""}, pkg, dx=i * STRIP_DX))  # fmt: skip
        return out

    def on_tap(self, app: TikTokApp, action: str) -> None:
        kind, _, arg = action.partition(":")
        if kind == "tab" and self.multi:
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
        elif action == "next" and self.multi and self.selected:
            camera = self.camera or CameraScreen()
            app.push(EditorScreen(list(self.selected), sound=camera.sound,
                                  post_way=camera.post_way))  # fmt: skip


def _clip(node: Node, bottom: int) -> Node:
    """A tile cut at the grid's bottom edge (what is below it is not on screen)."""
    b = node.bounds
    if b.bottom > bottom:
        node.bounds = Rect(b.left, b.top, b.right, bottom)
    node.children = [_clip(c, bottom) for c in node.children if c.bounds.top < bottom]
    return node


class EditorScreen(Screen):
    """The editor: the sound pill (and its remove button), the tools, ``Suivant``; holds the
    media and the chosen sound."""

    activity = EDIT_ACTIVITY
    name = "editor"
    chrome = None

    def __init__(self, media: list[str], *, sound: Sound | None, post_way: str) -> None:
        super().__init__()
        self.media = media  # phone paths
        self.sound = sound
        self.post_way = post_way

    @property
    def kind(self) -> str:
        from runner.sim.media import media_kind

        return "images" if all(media_kind(p) == "image" for p in self.media) else "video"

    def build(self, app: TikTokApp) -> list[Node]:  # type: ignore[override]
        s = Words(app, "create_")
        keys = ("tool_settings", "tool_share", "tool_edit", "tool_audio", "tool_text",
                "tool_stickers", "tool_effects", "tool_filters", "tool_voice", "your_story",
                "next", "templates")  # fmt: skip
        values: dict[str, Any] = {k: s(k) for k in keys}
        values["has_sound"] = self.sound is not None
        values["sound_label"] = self.sound.name if self.sound else s("add_sound")
        return layout(app, "editor").nodes(values, app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "sound":
            app.push(SoundPicker(self))
        elif action == "remove_sound":
            self.sound = None
        elif action == "next":
            app.push(PostScreen(self))


class SoundPicker(Screen):
    """Sounds for the editor or the camera: ``Search sounds`` filters as one types; picking a
    row shows ``Use this sound``. No real dump shows it: the shape is the model's own (a sheet
    over the screen it was opened from, its ids from the version's hashed table)."""

    activity = EDIT_ACTIVITY
    name = "sound_picker"
    chrome = None  # drawn in the window of the screen below it

    def __init__(self, target: EditorScreen | CameraScreen) -> None:
        super().__init__()
        self.target = target
        self.fields = {"query": ""}
        self.focused = "query"
        self.choice: Sound | None = None

    def build(self, app: TikTokApp) -> list[Node]:  # type: ignore[override]
        below = self.target.build(app)
        return [*below, self._sheet(app)]

    def _sheet(self, app: TikTokApp) -> Node:
        s = Words(app, "create_")
        rid = app.rid
        query = self.fields["query"]
        rows = Node("androidx.recyclerview.widget.RecyclerView", Rect(0, 1040, SCREEN_W, 2180),
                    resource_id=rid("sound_list"), scrollable=True,
                    focusable=True)  # fmt: skip
        for i, sound in enumerate(app.world.sounds(query)):
            top = 1040 + i * 180
            row = Node("android.widget.LinearLayout", Rect(0, top, SCREEN_W, top + 180),
                       clickable=True, focusable=True, selected=self.choice == sound,
                       resource_id=rid("sound_row"), action=f"pick:{i}")  # fmt: skip
            row.add(Node("android.widget.ImageView", Rect(42, top + 30, 162, top + 150)),
                    Node("android.widget.TextView", Rect(190, top + 50, 1000, top + 130),
                         text=sound.name, resource_id=rid("sound_row_name")))  # fmt: skip
            rows.add(row)
        sheet = Node("android.widget.LinearLayout", Rect(0, 760, SCREEN_W, 2337),
                     resource_id=rid("sound_info"), clickable=True)  # fmt: skip
        sheet.add(
            Node("android.widget.TextView", Rect(340, 790, 740, 870), text=s("sounds_title"),
                 resource_id=rid("sound_title")),
            Node("android.widget.EditText", Rect(42, 900, 1038, 1010),
                 text=query or s("search_sounds"), hint=s("search_sounds"), clickable=True,
                 focusable=True, long_clickable=True, focused=self.focused == "query",
                 resource_id=rid("sound_search"), field="query", action="focus:query"),
            rows,
        )  # fmt: skip
        if self.choice is not None:
            sheet.add(Node("android.widget.Button", Rect(240, 2200, 840, 2320),
                           text=s("use_sound"), clickable=True, focusable=True,
                           resource_id=rid("sound_use"), action="use"))  # fmt: skip
        backdrop = Node("android.view.View", Rect(0, 0, SCREEN_W, 760), clickable=True,
                        action="back")  # fmt: skip
        return Node(
            "android.widget.FrameLayout",
            Rect(0, 0, SCREEN_W, 2337),
            resource_id=rid("sound_list") + "_root",
        ).add(backdrop, sheet)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action.startswith("pick:"):
            self.choice = app.world.sounds(self.fields["query"])[int(action[5:])]
        elif action == "use" and self.choice is not None:
            self.target.sound = self.choice
            app.back()


class PostScreen(Screen):
    """The last step: the caption field and ``Publier``."""

    activity = PUBLISH_ACTIVITY
    name = "post"
    chrome = None

    def __init__(self, editor: EditorScreen) -> None:
        super().__init__()
        self.editor = editor
        self.fields = {"caption": ""}

    def build(self, app: TikTokApp) -> list[Node]:  # type: ignore[override]
        s = Words(app, "create_")
        keys = ("preview", "edit_cover", "hashtags", "mention", "location", "more_info",
                "add_link", "everyone", "privacy", "privacy_desc", "more_options",
                "more_options_desc", "settings", "share", "share_to", "drafts", "post",
                *(f"place_{i}" for i in range(4)))  # fmt: skip
        values: dict[str, Any] = {k: s(k) for k in keys}
        values["caption_text"] = self.fields["caption"] or s("caption_hint")
        values["caption_hint"] = s("caption_hint")
        values["caption_focused"] = self.focused == "caption"
        return layout(app, "post").nodes(values, app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "hashtag":
            self.fields["caption"] += "#"
            self.focused = "caption"
        elif action == "mention":
            self.fields["caption"] += "@"
            self.focused = "caption"
        elif action == "post":
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
    """``Publier la vidéo publiquement ?`` with ``Publier maintenant`` and ``Annuler``: a window
    of its own over the post screen (no dump shows it: a bottom sheet of the model's own, its
    title's id ``w4m`` from the real-device locale files)."""

    activity = PUBLISH_ACTIVITY
    name = "publish_dialog"

    def __init__(self, post: PostScreen) -> None:
        super().__init__()
        self.post = post

    def build(self, app: TikTokApp) -> Node:
        s = Words(app, "create_")
        rid = app.rid
        pkg = app.package
        panel = Node("android.widget.LinearLayout", Rect(0, 1700, SCREEN_W, 2337),
                     resource_id=rid("dialog_panel"), clickable=True)  # fmt: skip
        panel.add(
            Node("android.widget.TextView", Rect(64, 1760, 1016, 1860), text=s("publish_title"),
                 resource_id=f"{pkg}:id/w4m"),
            Node("android.widget.Button", Rect(64, 1960, 1016, 2080), text=s("publish_now"),
                 clickable=True, focusable=True, resource_id=rid("dialog_confirm"),
                 action="publish"),
            Node("android.widget.Button", Rect(64, 2110, 1016, 2230), text=s("cancel"),
                 clickable=True, focusable=True, resource_id=rid("dialog_cancel"),
                 action="cancel"),
        )  # fmt: skip
        return Node("android.widget.FrameLayout", Rect(0, 0, SCREEN_W, 2400)).add(
            Node("android.widget.FrameLayout", Rect(0, 0, SCREEN_W, 2337),
                 resource_id="android:id/content").add(
                Node("android.view.View", Rect(0, 0, SCREEN_W, 1700), clickable=True,
                     resource_id=rid("dialog_root"), action="cancel"),
                panel))  # fmt: skip

    def on_tap(self, app: TikTokApp, action: str) -> None:
        app.close_overlay()
        if action == "publish":
            self.post.publish(app)


def pending_upload(app: TikTokApp) -> Upload | None:
    """The upload still running by the sim's clock (the oldest), if any."""
    now = app.clock.now()
    for up in app.uploads:
        if not up.recorded and now < up.done_at:
            return up
    return None


def upload_percent(app: TikTokApp) -> str | None:
    """The upload's progress as TikTok prints it (``66%``), or None when nothing uploads."""
    up = pending_upload(app)
    if up is None:
        return None
    span = max(up.done_at - up.started, 1e-9)
    return f"{min(99, max(0, int((app.clock.now() - up.started) / span * 100)))}%"


def upload_window(app: TikTokApp) -> Node | None:
    """The upload progress bubble: a window of its own over the app while a post uploads
    (tt4703_fr_publish_uploading, tt4663_en_publish_uploading), gone once it is posted. A
    :attr:`TikTokApp.window_providers` entry."""
    if not app.running:
        return None
    percent = upload_percent(app)
    if percent is None:
        return None
    return layout(app, "upload").build({"percent": percent}, app.package)


def uploading_tile(app: TikTokApp, left: int, top: int) -> Node | None:
    """The own profile's first tile while a post uploads: the post's cover with a progress bar
    and ``94%`` (tt4314_fr_publish_posted; every build shows it so), its top left corner at
    (``left``, ``top``); None when nothing uploads."""
    percent = upload_percent(app)
    if percent is None:
        return None
    tile = layout(app, "uploading_tile")
    x, y = tile.roots[0].bounds[:2]
    return tile.build({"percent": percent}, app.package, dx=left - x, dy=top - y)
