"""Apps on a simulated phone: the interface the phone drives, plus the launcher and the browser.

An app takes taps (on the node :func:`runner.sim.hierarchy.hit` found), keys, text and VIEW
intents, and gives the node tree of its current screen and its current activity (what
``dumpsys window`` reports). The TikTok model (``runner.sim.tiktok``) is the app that matters;
the launcher and browser exist so that "the app went to the background" and "the URL opened in the
browser instead of the app" look like they do on a phone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from runner.sim.hierarchy import SCREEN_W, Node, Rect, finalize

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone


class SimApp:
    """Base of every simulated app. Subclasses override what they support.

    Methods are called with the farm's lock held, from the simulator's trio thread.
    """

    package = ""
    label = ""
    version_name = "1.0"
    version_code = 1
    main_activity = ""
    system = False

    def __init__(self, phone: SimPhone) -> None:
        self.phone = phone
        self.running = False

    # lifecycle
    def launch(self) -> None:
        """Start (or bring back) the app at its launcher activity."""
        self.running = True

    def force_stop(self) -> None:
        """``am force-stop``: the process dies, its screens are gone."""
        self.running = False

    def view(self, url: str) -> bool:
        """Handle an ``android.intent.action.VIEW`` of ``url``; False if the app cannot."""
        return False

    # what is shown
    @property
    def activity(self) -> str:
        return self.main_activity

    def hierarchy(self) -> Node:
        """The finalized node tree of the current screen."""
        return finalize(Node(), self.package)

    def on_dump(self) -> None:
        """Called once per ``dumpWindowHierarchy``: apps that never go idle change here."""

    # input
    def tap(self, node: Node) -> None:
        """A tap landed on ``node`` (a clickable node of the current tree)."""

    def swipe(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """A swipe gesture; True if the app reacted."""
        return False

    def back(self) -> bool:
        """The back key; False when the app has nothing left to show (it goes to the background)."""
        return False

    def enter(self) -> None:
        """The enter key on the focused field."""

    def focused_field(self) -> str | None:
        return None

    def get_field(self, name: str) -> str:
        return ""

    def set_field(self, name: str, text: str) -> None:
        """Replace the text of the field ``name``."""

    def focus_field(self, name: str) -> None:
        """Give ``name`` the input focus (a tap on an EditText)."""


class Launcher(SimApp):
    """The home screen (Pixel launcher): an icon per app with a launcher activity."""

    package = "com.google.android.apps.nexuslauncher"
    label = "Pixel Launcher"
    main_activity = "com.google.android.apps.nexuslauncher.NexusLauncherActivity"
    version_name = "13"
    version_code = 33
    system = True

    def hierarchy(self) -> Node:
        root = Node()
        icons = [a for a in self.phone.apps.values() if a.label and not a.system]
        for i, app in enumerate(sorted(icons, key=lambda a: a.label)):
            col, row = i % 4, i // 4
            left, top = 40 + col * 250, 1400 + row * 300
            root.add(
                Node(
                    "android.widget.TextView",
                    Rect(left, top, left + 250, top + 280),
                    text=app.label,
                    content_desc=app.label,
                    clickable=True,
                    action=f"launch:{app.package}",
                )
            )
        return finalize(root, self.package)

    def tap(self, node: Node) -> None:
        if node.action and node.action.startswith("launch:"):
            self.phone.start_app(node.action.split(":", 1)[1])

    def back(self) -> bool:
        return True  # back on the home screen stays on the home screen


class Browser(SimApp):
    """Chrome showing a web page: where a VIEW of an https URL lands when no package is named."""

    package = "com.android.chrome"
    label = "Chrome"
    main_activity = "com.google.android.apps.chrome.Main"
    version_name = "120.0.6099.144"
    version_code = 609914433

    def __init__(self, phone: SimPhone) -> None:
        super().__init__(phone)
        self.history: list[str] = []

    def launch(self) -> None:
        super().launch()
        if not self.history:
            self.history.append("chrome://newtab/")

    def force_stop(self) -> None:
        super().force_stop()
        self.history.clear()

    def view(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")):
            return False
        self.running = True
        self.history.append(url)
        return True

    def back(self) -> bool:
        if len(self.history) > 1:
            self.history.pop()
            return True
        return False

    def hierarchy(self) -> Node:
        url = self.history[-1] if self.history else "chrome://newtab/"
        root = Node()
        root.add(
            Node(
                "android.widget.EditText",
                Rect(140, 100, 900, 200),
                text=url,
                resource_id="com.android.chrome:id/url_bar",
                clickable=True,
                focusable=True,
            )
        )
        page = Node(
            "android.webkit.WebView", Rect(0, 220, SCREEN_W, 2400), text=url, scrollable=True
        )
        path = urlsplit(url).path.strip("/")
        if path.startswith("@"):
            # The web profile looks like the app's, but tapping its Follow button changes nothing.
            name = path.split("/")[0]
            page.add(Node("android.widget.TextView", Rect(300, 600, 780, 680), text=name))
            page.add(
                Node(
                    "android.widget.Button",
                    Rect(240, 900, 840, 1010),
                    text="Follow",
                    clickable=True,
                    action="web_follow",
                )
            )
        root.add(page)
        return finalize(root, self.package)
