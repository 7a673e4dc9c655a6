"""Interruptions drawn over the app, each its own window: seeded popups, the photos permission
prompt, and messages.

Popups (when the phone's ``popup_rate`` > 0, at seeded moments: screen changes, swipes, follows)
are real ones: the update prompt (``tt4314_fr_update_prompt``: no text, nothing clickable; back
dismisses it) and the shared-collections sheet (``tt4314_fr_collections_popup``: ``Not now`` /
``Pas maintenant``, ``Try it`` / ``Essayer`` (no English source: empty), ``Close`` / ``Fermer``,
and a tap above the sheet). The permission prompt is Android's own (package
``com.google.android.permissioncontroller``) with ``Allow`` / ``Don't allow``. While one shows,
taps on the screen below do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from runner.sim.hierarchy import Node, Rect
from runner.sim.tiktok.base import FL, LL, Screen, button, text
from runner.sim.tiktok.spec import Layout
from runner.sim.tiktok.strings import s

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

PERMISSION_PACKAGE = "com.google.android.permissioncontroller"


# tt4314_fr_update_prompt (a 1080x2220 phone; centred on the sim's 2400): the prompt draws its
# words and buttons itself, so the dump shows no text and nothing clickable: only back dismisses.
UPDATE_PROMPT = Layout(
    shared=True,
    text="""
FrameLayout [0,0][1080,2400] z=0
 FrameLayout [0,0][1080,2400]
  FrameLayout#android:id/content [0,0][1080,2400]
   FrameLayout [0,0][1080,2400]
    FrameLayout [0,0][1080,2400]
     FrameLayout [0,0][1080,2400]
      ViewGroup [0,0][1080,2400]
       ViewGroup [0,0][1080,2400]
       ViewGroup [152,652][928,1748]
        ViewGroup [152,652][928,1748]
""",
)

# tt4314_fr_collections_popup (a 1080x2220 phone: the sheet moved down to end at 2337): a bottom
# sheet; "Not now", "Try it", "Close" and a tap above the sheet dismiss it.
COLLECTIONS = Layout(
    shared=True,
    text="""
FrameLayout [0,0][1080,2337] z=0
 LinearLayout [0,0][1080,2337]
  FrameLayout [0,0][1080,2337]
   FrameLayout#us [0,0][1080,2337]
    FrameLayout#android:id/content [0,0][1080,2337]
     FrameLayout#e52 [0,0][1080,2337]
      ViewGroup#eag [0,132][1080,2337]
       View#wh2 +C [0,132][1080,2337] @dismiss
       FrameLayout#f0u [0,813][1080,2337] d="{bottom_sheet}"
        FrameLayout#qzx [0,813][1080,2337]
         RelativeLayout#tdx [0,813][1080,2337]
          FrameLayout#te0 [0,813][1080,2337]
           FrameLayout [0,813][1080,2337]
            FrameLayout [0,813][1080,2337]
             LinearLayout#e7j [0,879][1080,2304]
              ImageView#jyu [88,923][992,1327] d="intro"
              TextView#jzb [88,1371][992,1581] t="{title}"
              ScrollView#jz9 +FX [88,1669][992,2073]
               LinearLayout#jz1 [88,1669][992,2073]
                LinearLayout [88,1669][992,1773]
                 ImageView [88,1669][154,1735] d="{share}"
                 TextView [187,1669][992,1773] t="{line1}"
                LinearLayout [88,1839][992,1995]
                 ImageView [88,1839][154,1905]
                 TextView#rg0 [187,1839][992,1995] t="{line2}"
                LinearLayout [88,2061][992,2073]
                 ImageView [88,2061][154,2073] d="{person}"
                 TextView [187,2061][992,2073] t="{line3}"
              LinearLayout#jyg [88,2150][992,2293]
               Button#ny9 +CF [88,2150][529,2293] t="{not_now}" @dismiss
               Button#wlp +CF [551,2150][992,2293] t="{try_it}" @dismiss
             ImageView#jyh +CF [941,824][1063,946] d="{close}" @dismiss
""",
)

COLLECTIONS_FR = {
    "line1": "Invite un(e) ami(e) à ajouter et gérer des publications ensemble.",
    "line2": "Tu peux en créer à tout moment en appuyant sur « Collections » après avoir "
    "enregistré une publication.",
    "line3": "Retrouve-les dans la rubrique Collections de ton profil.",
    "share": "Partager",
    "person": "Personne",
}


class Popup(Screen):
    """A seeded interruption, one of TikTok's real ones (:data:`KINDS`): ``update`` (the update
    prompt: no words and nothing clickable in its tree; back dismisses it) or ``collections``
    (the shared-collections sheet: ``Not now`` / ``Try it`` / ``Close`` / a tap above it)."""

    name = "popup"
    KINDS = ("update", "collections")

    def __init__(self, kind: str = "collections", button: str | None = None) -> None:
        super().__init__()
        self.kind = kind if kind in self.KINDS else "collections"

    def build(self, app: TikTokApp) -> Node:
        if self.kind == "update":
            return UPDATE_PROMPT.build({}, app.package)
        fr = app.language == "fr"
        values = {
            "bottom_sheet": s(app, "bottom_sheet"),
            "title": s(app, "collections_title"),
            "not_now": s(app, "not_now"),
            "try_it": s(app, "try_it"),
            "close": s(app, "close"),
            **(COLLECTIONS_FR if fr else dict.fromkeys(COLLECTIONS_FR, "")),
        }
        return COLLECTIONS.build(values, app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "dismiss":
            app.close_overlay()


class PermissionDialog(Screen):
    """Android's runtime permission prompt for photos and videos (Android 13 wording)."""

    name = "permission"
    activity = "com.android.permissioncontroller.permission.ui.GrantPermissionsActivity"

    def build(self, app: TikTokApp) -> Node:
        pid = f"{PERMISSION_PACKAGE}:id/"
        panel = Node(LL, Rect(60, 1350, 1020, 2100), package=PERMISSION_PACKAGE,
                     resource_id=pid + "grant_dialog")  # fmt: skip
        panel.add(
            Node(
                "android.widget.TextView",
                Rect(120, 1400, 960, 1600),
                text=s(app, "permission_photos"),
                package=PERMISSION_PACKAGE,
                resource_id=pid + "permission_message",
            ),  # fmt: skip
            button(
                Rect(120, 1700, 960, 1820),
                s(app, "permission_allow"),
                pid + "permission_allow_button",
                "allow",
                package=PERMISSION_PACKAGE,
            ),  # fmt: skip
            button(
                Rect(120, 1850, 960, 1970),
                s(app, "permission_deny"),
                pid + "permission_deny_button",
                "deny",
                package=PERMISSION_PACKAGE,
            ),  # fmt: skip
        )
        return Node(FL, package=PERMISSION_PACKAGE, clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "allow":
            app.media_granted = True
            app.close_overlay()
        elif action == "deny":
            app.close_overlay()
            app.back()  # the picker cannot show anything: it closes


class MessageDialog(Screen):
    """A message with one ``OK`` (e.g. a share of a file that is not on the phone)."""

    name = "message"

    def __init__(self, message: str, then: Callable[[TikTokApp], None] | None = None) -> None:
        super().__init__()
        self.message = message
        self.then = then

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(90, 950, 990, 1450), resource_id=rid("dialog_panel"))
        panel.add(
            text(Rect(130, 1000, 950, 1200), self.message, rid("dialog_title")),
            button(Rect(340, 1300, 740, 1420), "OK", rid("dialog_confirm"), "ok"),
        )
        return Node(FL, resource_id=rid("dialog_root"), clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "ok":
            app.close_overlay()
            if self.then is not None:
                self.then(app)
