"""The own profile's Edit profile screens: the list of fields, one field's page, the photo sheet,
the photo's crop and save (``com.ss.android.ugc.aweme.profile.ui.ProfileEditActivity``).

No real dump of these screens exists among ours (tests/real_screens/, the taktik-bot fixtures):
their shape and words come from liuzika/script_project's TikTok scripts (own profile "Edit
profile"; rows named by a label, "Name" and "Bio", opening a page with one text field and a
save button; the photo: "Select from Gallery", the gallery, "Confirm" (crop), then "Save" or
"Save & post" with "Post this photo to Story"), from TikTok's support page ("Changing your
nickname": Edit profile, Name, up to 30 characters, Save, once every 7 days) and from guides
(the Website row under Bio, only for business accounts and personal ones from 1,000
followers). So the ids are the older hashed scheme (:func:`runner.sim.tiktok.ids.resource_ids`,
a new set per version): scripts find these screens by words and place, never by id.

- :class:`EditProfileScreen`: back, the title, the photo with ``Change photo``, then one row per
  field: a clickable LinearLayout holding the label TextView (``Name``) and, right of it, the
  value TextView (the nickname; empty when there is none). Rows: Name, Username (not editable
  here), Bio, and Website where offered (:func:`website_offered`).
- :class:`FieldScreen`: the field's page: back, the label as title, ``Save`` top right, the
  EditText holding the current value. Save stores the value (ground truth ``profile_edit``) and
  returns to the list; an unchanged value returns without a change; a nickname changed less
  than 7 days ago (farm clock) is refused with a message (an ``OK`` dialog) and nothing saved.
- :class:`PhotoSheet`: ``Take photo`` / ``Select from Gallery`` (the latter opens the single-pick
  gallery of images, newest first: :class:`~runner.sim.tiktok.create.GalleryScreen`).
- :class:`CropScreen` (``Confirm``), then :class:`PhotoSaveScreen`: ``Post this photo to Story``
  (a checked toggle) and ``Save & post``, which reads ``Save`` once the toggle is off. Saving
  sets the avatar (and, with the toggle on, posts a story: ground truth ``story_post``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.sim.hierarchy import SCREEN_W, Node, Rect
from runner.sim.tiktok.base import BTN, FL, IV, LL, Screen, button, edit, text
from runner.sim.tiktok.dialogs import MessageDialog
from runner.sim.tiktok.strings import s
from runner.sim.tiktok.world import display_name

if TYPE_CHECKING:
    from runner.sim.tiktok.account import SimAccount
    from runner.sim.tiktok.app import TikTokApp

EDIT_ACTIVITY = "com.ss.android.ugc.aweme.profile.ui.ProfileEditActivity"
CROP_ACTIVITY = "com.ss.android.ugc.aweme.profile.ui.CropActivity"
#: The fields a row edits, with the label's string key.
FIELDS = {"nickname": "edit_name", "bio": "edit_bio", "website": "edit_website"}
WEBSITE_FOLLOWERS = 1000


def nickname_of(acc: SimAccount) -> str:
    """The name the profile shows: the saved nickname, else the one derived from the handle."""
    return acc.nickname if acc.nickname is not None else display_name(acc.username)


def followers_of(app: TikTokApp, acc: SimAccount) -> int:
    return acc.followers_count if acc.followers_count is not None else app.world.user_stats(
        acc.username
    )[0]  # fmt: skip


def website_offered(app: TikTokApp, acc: SimAccount) -> bool:
    """Whether Edit profile shows the Website row: a business account, or 1,000 followers."""
    return acc.business or followers_of(app, acc) >= WEBSITE_FOLLOWERS


def _top_bar(app: TikTokApp, screen: Screen, title: str) -> list[Node]:
    rid = app.rid
    return [screen.back_button(app), text(Rect(300, 120, 780, 210), title, rid("edit_title"))]


class EditProfileScreen(Screen):
    """The list of the own profile's fields (see the module docstring)."""

    activity = EDIT_ACTIVITY
    name = "edit_profile"
    chrome = "profile"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        acc = app.account
        root = Node(FL, Rect(0, 132, SCREEN_W, 2337), resource_id=rid("root"))
        root.add(*_top_bar(app, self, s(app, "edit_title")))
        photo = Node(FL, Rect(390, 280, 690, 580), resource_id=rid("edit_photo"),
                     clickable=True, action="photo")  # fmt: skip
        photo.add(Node(IV, Rect(400, 290, 680, 570), resource_id=rid("avatar")))
        root.add(photo, text(Rect(340, 600, 740, 670), s(app, "edit_change_photo"),
                             rid("edit_photo_button"), "photo"))  # fmt: skip
        rows = [("nickname", "edit_name", nickname_of(acc)),
                ("username", "edit_username", acc.username),
                ("bio", "edit_bio", acc.bio)]  # fmt: skip
        if website_offered(app, acc):
            rows.append(("website", "edit_website", acc.website))
        for i, (what, label, value) in enumerate(rows):
            top = 740 + i * 140
            row = Node(LL, Rect(0, top, SCREEN_W, top + 140), resource_id=rid("edit_row"),
                       clickable=True, action=f"row:{what}")  # fmt: skip
            row.add(
                text(Rect(42, top + 40, 400, top + 100), s(app, label), rid("edit_row_label")),
                text(Rect(420, top + 40, 1000, top + 100), value, rid("edit_row_value")),
            )
            root.add(row)
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "photo":
            app.show_overlay(PhotoSheet())
        elif action.startswith("row:"):
            what = action[4:]
            if what in FIELDS:
                app.push(FieldScreen(what, _current(app.account, what)))


def _current(acc: SimAccount, what: str) -> str:
    return nickname_of(acc) if what == "nickname" else getattr(acc, what)


class FieldScreen(Screen):
    """One field's page: its EditText and Save (see the module docstring)."""

    activity = EDIT_ACTIVITY
    chrome = "profile"

    def __init__(self, what: str, value: str) -> None:
        super().__init__()
        self.what = what
        self.name = f"edit_{what}"
        self.fields = {"value": value}
        self.focused = "value"  # the page opens with the keyboard on its field

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, Rect(0, 132, SCREEN_W, 2337), resource_id=rid("root"))
        root.add(*_top_bar(app, self, s(app, FIELDS[self.what])))
        root.add(button(Rect(860, 120, 1060, 210), s(app, "edit_save"), rid("edit_save"), "save"))
        root.add(edit(Rect(42, 300, 1038, 420), self, "value", rid("edit_field")))
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action != "save":
            return
        acc = app.account
        value = self.fields["value"].strip()
        if value == _current(acc, self.what):
            app.back()
            return
        now = app.clock.now()
        last = acc.nickname_changed_at
        if self.what == "nickname" and last is not None and now - last < acc.NICKNAME_EVERY:
            app.show_overlay(MessageDialog(s(app, "edit_nickname_refused")))
            return
        acc.edit_profile(self.what, value, now=now)
        app.back()


class PhotoSheet(Screen):
    """``Take photo`` / ``Select from Gallery`` over Edit profile; a tap outside closes it."""

    activity = EDIT_ACTIVITY
    name = "photo_sheet"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(0, 1900, SCREEN_W, 2337), resource_id=rid("photo_sheet"))
        for i, (key, action) in enumerate((("edit_take_photo", "camera"),
                                           ("edit_from_gallery", "gallery"))):  # fmt: skip
            top = 1940 + i * 150
            panel.add(text(Rect(0, top, SCREEN_W, top + 140), s(app, key), rid("photo_option"),
                           action))  # fmt: skip
        return Node(FL, resource_id=rid("dialog_root"), clickable=True, action="dismiss").add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        from runner.sim.tiktok.create import GalleryScreen

        if action == "gallery":
            app.close_overlay()
            app.open_gallery(GalleryScreen(multi=False, on_pick=_picked))
        elif action == "dismiss":
            app.close_overlay()
        # the camera is left out: the script never takes a photo


def _picked(app: TikTokApp, names: list[str]) -> None:
    app.push(CropScreen(names[0]))


class CropScreen(Screen):
    """The picked photo to crop: ``Confirm`` (liuzika/script_project: id b9m "Confirm")."""

    activity = CROP_ACTIVITY
    name = "avatar_crop"
    chrome = "profile"

    def __init__(self, media: str) -> None:
        super().__init__()
        self.media = media

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, Rect(0, 132, SCREEN_W, 2337), resource_id=rid("root"))
        root.add(self.back_button(app), Node(IV, Rect(0, 500, SCREEN_W, 1580)))
        root.add(button(Rect(700, 2100, 1040, 2230), s(app, "edit_confirm"),
                        rid("crop_confirm"), "confirm"))  # fmt: skip
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "confirm":
            app.stack.pop()
            app.push(PhotoSaveScreen(self.media))


class PhotoSaveScreen(Screen):
    """The photo before it is saved: ``Post this photo to Story`` (checked) and ``Save & post``,
    ``Save`` once the toggle is off (liuzika/script_project: nak "Save & post" / "Save", ize)."""

    activity = EDIT_ACTIVITY
    name = "avatar_save"
    chrome = "profile"

    def __init__(self, media: str) -> None:
        super().__init__()
        self.media = media
        self.story = True

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, Rect(0, 132, SCREEN_W, 2337), resource_id=rid("root"))
        root.add(self.back_button(app), Node(IV, Rect(240, 400, 840, 1000)))
        toggle = Node("android.widget.CheckBox", Rect(42, 1900, 1038, 2000),
                      text=s(app, "edit_story"), resource_id=rid("avatar_story"), clickable=True,
                      checkable=True, checked=self.story, action="story")  # fmt: skip
        word = s(app, "edit_save_post") if self.story else s(app, "edit_save")
        save = Node(BTN, Rect(42, 2100, 1038, 2230), text=word, resource_id=rid("avatar_save"),
                    clickable=True, action="save")  # fmt: skip
        return root.add(toggle, save)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "story":
            self.story = not self.story
        elif action == "save":
            acc = app.account
            acc.edit_profile("avatar", self.media)
            if self.story:
                acc.post_story(self.media)
            app.back()
