"""One simulated phone: adb state, filesystem and media store, installed apps (TikTok and clones,
each with its accounts), the foreground app, system dialogs, input, the uiautomator server's life,
faults, and the logs tests read.

The farm's trio thread drives a phone (shell commands, taps, RPCs) with the farm's lock held; the
public fault hooks (:meth:`SimPhone.set_state`, :meth:`SimPhone.kill_uiautomator`,
:meth:`SimPhone.crash_app`, :meth:`SimPhone.anr`, ``latency``/``jitter``, ``storage_full``) may be
called from any thread and take effect before they return. Scheduled faults
(:meth:`SimPhone.on_tap`, :meth:`SimPhone.on_screen`) fire from inside the input that triggers them.
The logs (``shell_log``, ``exec_log``, ``sync_log``) are copied under the lock when read.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import trio

from runner.sim.apps import Browser, Launcher, SimApp
from runner.sim.faults import FaultSchedule, SystemDialog
from runner.sim.filesystem import BlobStore, SimFilesystem
from runner.sim.hierarchy import SCREEN_H, SCREEN_W, WINDOWS, Node, finalize, hit, windows
from runner.sim.media import MediaStore
from runner.sim.naming import serial_of, username_of
from runner.sim.tiktok import PACKAGE, SimAccount, TikTokApp

if TYPE_CHECKING:
    from runner.sim.farm import SimFarm
    from runner.sim.uiautomator_server import UiautomatorService

STATES = ("device", "offline", "unauthorized", "absent")
DEFAULT_IME = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"
# Android KeyEvent codes the model reacts to, and uiautomator2's pressKey names for them.
KEYCODES = {"HOME": 3, "BACK": 4, "POWER": 26, "ENTER": 66, "DEL": 67, "MENU": 82, "SEARCH": 84,
            "APP_SWITCH": 187, "SLEEP": 223, "WAKEUP": 224, "VOLUME_UP": 24, "VOLUME_DOWN": 25,
            "VOLUME_MUTE": 164, "CAMERA": 27, "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21,
            "DPAD_RIGHT": 22, "DPAD_CENTER": 23}  # fmt: skip


class SimPhone:
    """A phone of the farm, serial ``sim-000N``, logged in to TikTok as ``sim_user_N`` (with the
    farm's ``serial_prefix``: :mod:`runner.sim.naming`)."""

    def __init__(
        self,
        farm: SimFarm,
        number: int,
        *,
        seed: int,
        app_version: str,
        popup_rate: float,
        blobs: BlobStore,
        locale: str = "en-US",
    ) -> None:
        self.farm = farm
        self.number = number
        self.serial = serial_of(farm.serial_prefix, number)
        self.transport_id = number
        self.popup_rate = popup_rate
        # The latency model: every service reply, sync request and RPC waits
        # latency + uniform(0, jitter) seconds, drawn from its own RNG so that slowness never
        # changes what the app model does.
        self.latency = 0.0
        self.jitter = 0.0
        self._latency_rng = random.Random(f"{seed}:{self.serial}:latency")
        self.storage_full = False  # sync SEND fails with "No space left on device"
        self.rng = random.Random(f"{seed}:{self.serial}")
        self._state = "device"
        self.fs = SimFilesystem(blobs)
        self.media = MediaStore(self.fs)
        self.props = {
            "ro.serialno": self.serial,
            "ro.product.brand": "google",
            "ro.product.manufacturer": "Google",
            "ro.product.model": "Pixel 6",
            "ro.product.name": "oriole",
            "ro.product.device": "oriole",
            "ro.product.cpu.abi": "arm64-v8a",
            "ro.build.version.sdk": "33",
            "ro.build.version.release": "13",
            "ro.build.fingerprint": "google/oriole/oriole:13/TQ3A.230901.001/10750268:user/release-keys",
            "ro.debuggable": "0",
            "sys.boot_completed": "1",
            "persist.sys.timezone": "UTC",
        }
        self.locale = locale
        self.settings: dict[tuple[str, str], str] = {
            ("secure", "default_input_method"): DEFAULT_IME,
            ("system", "screen_brightness"): "128",
            ("system", "screen_brightness_mode"): "0",
            ("global", "airplane_mode_on"): "0",
        }
        self.launcher = Launcher(self)
        self.browser = Browser(self)
        self.tiktok = TikTokApp(
            self, app_version, SimAccount(username_of(farm.serial_prefix, number))
        )
        self.apps: dict[str, SimApp] = {
            a.package: a for a in (self.launcher, self.browser, self.tiktok)
        }
        self.launcher.running = True
        self.foreground: SimApp = self.launcher
        self.clipboard: str | None = None
        self.broadcasts: list[dict[str, str]] = []  # intents sent with ``am broadcast``
        self.screen_on = True
        self.system_dialog: SystemDialog | None = None
        self.faults = FaultSchedule(self)
        #: How TikTok pushes back on this phone's accounts (runner/sim/tiktok/pushback.py
        #: PushBackRule; an account's own rule wins); None: never.
        self.push_back: Any = farm.push_back
        #: The last toast (text, the farm clock's time), as the uiautomator server keeps it
        #: (getLastToast / clearLastToast); toasts are never in a window dump.
        self.toast: tuple[str, float] | None = None
        self.uia_alive = False
        #: A fault: another UiAutomation owns the phone's accessibility service (an Appium
        #: server, a test runner), so uiautomator2's server cannot start: ``app_process`` exits
        #: with ``UiAutomationService ... already registered!`` as on a phone.
        self.uiautomator_blocked = False
        self._uia_scope: trio.CancelScope | None = None
        self._streams: set[trio.CancelScope] = set()
        self._ui_event: trio.Event | None = None
        self._uia_service: UiautomatorService | None = None
        self._shell_log: list[str] = []
        self._exec_log: list[tuple[str, ...]] = []
        self._sync_log: list[tuple[str, str]] = []

    # ----------------------------------------------------------------------- shared state
    @property
    def lock(self) -> threading.RLock:
        return self.farm.lock

    @property
    def locale(self) -> str:
        """The phone's system locale (``persist.sys.locale``: ``en-US``, ``fr-FR``, ...). TikTok
        shows this language unless its own setting says otherwise (``tiktok.app_language``)."""
        return self._locale

    @locale.setter
    def locale(self, value: str) -> None:
        self._locale = value
        self.props["persist.sys.locale"] = value

    def set_locale(self, locale: str) -> None:
        """Change the system locale (any string Android would take: ``de-DE`` too). Any thread."""
        with self.lock:
            self.locale = locale

    def set_app_language(self, language: str | None, package: str = PACKAGE) -> None:
        """TikTok's in-app language (``fr``, ``en-GB``...; None: follow the phone's locale)."""
        with self.lock:
            app = self.apps[package]
            if not isinstance(app, TikTokApp):
                raise ValueError(f"{package} is not a TikTok app")
            app.app_language = language

    @property
    def app_version(self) -> str:
        return self.tiktok.version_name

    @property
    def account(self) -> SimAccount:
        """The active account of the default TikTok app."""
        return self.tiktok.account

    @property
    def accounts(self) -> dict[str, SimAccount]:
        """Every account logged in on this phone, in any TikTok app, by username."""
        return {a.username: a for app in self.tiktok_apps() for a in app.accounts}

    def tiktok_apps(self) -> list[TikTokApp]:
        """Installed TikTok apps (the default package first, then clones by package name)."""
        apps = [a for a in self.apps.values() if isinstance(a, TikTokApp)]
        return sorted(apps, key=lambda a: (a.package != PACKAGE, a.package))

    def add_account(self, username: str, package: str = PACKAGE) -> SimAccount:
        """Log ``username`` in to ``package`` (installing that clone app if needed); the app's
        active account does not change. Any thread."""
        with self.lock:
            app = self.apps.get(package)
            if app is None:
                app = self.install_tiktok(package, username)
                return app.account
            if not isinstance(app, TikTokApp):
                raise ValueError(f"{package} is not a TikTok app")
            account = SimAccount(username, package=package)
            app.add_account(account)
            return account

    def install_tiktok(self, package: str, username: str, version: str | None = None) -> TikTokApp:
        """Install a TikTok build (a clone such as ``com.ss.android.ugc.trill``) logged in as
        ``username``."""
        with self.lock:
            app = TikTokApp(self, version or self.tiktok.version_name,
                            SimAccount(username, package=package), package=package)  # fmt: skip
            self.apps[package] = app
            return app

    @property
    def state(self) -> str:
        """adb state: ``device``, ``offline``, ``unauthorized`` or ``absent`` (not listed)."""
        return self._state

    @property
    def shell_log(self) -> list[str]:
        """Every command line this phone received on a ``shell:``/``shell,v2:`` stream, in order."""
        with self.lock:
            return list(self._shell_log)

    @property
    def exec_log(self) -> list[tuple[str, ...]]:
        """Every simple command the phone's shell ran, as its expanded argv, in order."""
        with self.lock:
            return list(self._exec_log)

    @property
    def sync_log(self) -> list[tuple[str, str]]:
        """(``SEND``/``RECV``/``STAT``/``LIST``, path) for every sync request, in order."""
        with self.lock:
            return list(self._sync_log)

    def record_shell(self, command: str) -> None:
        with self.lock:
            self._shell_log.append(command)

    def record_exec(self, argv: list[str], assigns: list[tuple[str, str]]) -> None:
        with self.lock:
            self._exec_log.append(tuple(f"{k}={v}" for k, v in assigns) + tuple(argv))

    def record_sync(self, op: str, path: str) -> None:
        with self.lock:
            self._sync_log.append((op, path))

    def farm_missing_users(self) -> set[str]:
        return self.farm.missing_users

    # ----------------------------------------------------------------------- faults (any thread)
    def set_state(self, state: str) -> None:
        """Change the adb state; leaving ``device`` closes every open stream (and the
        uiautomator server with them), as a real USB disconnect does."""
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {state!r}")
        self.farm.call_in_trio(self._apply_state, state)

    def set_state_for(self, state: str, seconds: float) -> None:
        """Leave ``device`` for ``seconds`` (``offline`` or ``unauthorized``), then come back,
        as a flaky cable or a re-plugged phone does. Any thread; needs the farm serving."""
        self.set_state(state)
        self.farm.after(seconds, self.set_state, "device")

    def kill_uiautomator(self) -> None:
        """The uiautomator server dies: its ``app_process`` stream closes, ``tcp:9008`` refuses."""
        self.farm.call_in_trio(self._kill_uia)

    def block_uiautomator(self, blocked: bool = True) -> None:
        """The uiautomator server dies and cannot start again (:attr:`uiautomator_blocked`)
        until ``block_uiautomator(False)``. Any thread."""
        self.uiautomator_blocked = blocked
        if blocked:
            self.kill_uiautomator()

    def _apply_state(self, state: str) -> None:
        with self.lock:
            self._state = state
            if state != "device":
                for scope in list(self._streams):
                    scope.cancel()
                self._kill_uia()
        self.farm.devices_changed()

    def _kill_uia(self) -> None:
        with self.lock:
            self.uia_alive = False
            if self._uia_scope is not None:
                self._uia_scope.cancel()
                self._uia_scope = None

    @contextmanager
    def open_stream(self) -> Iterator[trio.CancelScope]:
        """Register a device service stream; it is cancelled when the phone leaves ``device``."""
        scope = trio.CancelScope()
        self._streams.add(scope)
        try:
            with scope:
                yield scope
        finally:
            self._streams.discard(scope)

    def start_uiautomator(self, scope: trio.CancelScope) -> bool:
        """The ``app_process`` of uiautomator2 starts on the stream ``scope``; False if one runs
        or :attr:`uiautomator_blocked`."""
        with self.lock:
            if self.uia_alive or self.uiautomator_blocked:
                return False
            self.uia_alive = True
            self._uia_scope = scope
            return True

    def uia_service(self) -> UiautomatorService:
        """The JSON-RPC side of this phone's uiautomator server (one per phone)."""
        if self._uia_service is None:
            from runner.sim.uiautomator_server import UiautomatorService

            self._uia_service = UiautomatorService(self)
        return self._uia_service

    def stop_uiautomator(self, scope: trio.CancelScope) -> None:
        with self.lock:
            if self._uia_scope is scope:
                self._uia_scope = None
                self.uia_alive = False

    # ----------------------------------------------------------------------- UI (lock held)
    def show_toast(self, text: str) -> None:
        """An app showed a toast: kept for ``getLastToast`` (not drawn in the dump: Android's
        toasts reach uiautomator only as accessibility events)."""
        self.toast = (text, self.farm.clock.now())

    def notify_ui(self) -> None:
        """Wake RPCs waiting for the screen to change (trio thread)."""
        if self._ui_event is not None:
            self._ui_event.set()
            self._ui_event = None

    async def wait_ui_change(self) -> None:
        if self._ui_event is None:
            self._ui_event = trio.Event()
        await self._ui_event.wait()

    def screen(self) -> Node:
        """The node tree of what the phone shows now (a system dialog on top of the app)."""
        root = self.foreground.hierarchy()
        if self.system_dialog is None:
            return root
        below = root.children if root.cls == WINDOWS else [root]
        return finalize(windows(*below, self.system_dialog.build()), "android")

    def screen_reached(self, package: str, name: str) -> None:
        """An app showed screen ``name``: fire the faults waiting for it (after this input)."""
        self.faults.screen_reached(package, name)

    def current(self) -> tuple[str, str]:
        """(package, activity) in front."""
        return self.foreground.package, self.foreground.activity

    def bring_to_front(self, app: SimApp) -> None:
        self.foreground = app
        self.notify_ui()

    def go_home(self) -> None:
        self.bring_to_front(self.launcher)

    def start_app(self, package: str) -> bool:
        """Launcher intent (``monkey -p``, ``am start -n``): False when not installed."""
        app = self.apps.get(package)
        if app is None:
            return False
        app.launch()
        self.bring_to_front(app)
        self.faults.fire_pending()
        return True

    def view(self, url: str, package: str | None = None) -> SimApp | None:
        """A VIEW intent. With ``package`` only that app may take it; without, the browser wins
        (as when the chooser or the default browser takes a link). Returns the app or None."""
        if package is not None:
            candidates = [self.apps[package]] if package in self.apps else []
        else:
            candidates = [self.browser]
        for app in candidates:
            if app.view(url):
                self.bring_to_front(app)
                self.faults.fire_pending()
                return app
        return None

    def send(self, uris: list[str], mime: str, package: str | None) -> SimApp | None:
        """A SEND / SEND_MULTIPLE intent with file URIs; only a TikTok app (named by ``package``,
        or the default one) takes it. Returns the app or None."""
        app = self.apps.get(package or PACKAGE)
        if not isinstance(app, TikTokApp):
            return None
        app.share(uris, mime)
        self.bring_to_front(app)
        self.faults.fire_pending()
        return app

    def force_stop(self, package: str) -> None:
        app = self.apps.get(package)
        if app is None or app is self.launcher:
            return
        app.force_stop()
        if self.foreground is app:
            self.go_home()
        self.notify_ui()

    def uninstall(self, package: str) -> bool:
        app = self.apps.get(package)
        if app is None or app.system:
            return False
        self.force_stop(package)
        del self.apps[package]
        return True

    def tap(self, x: float, y: float) -> bool:
        """A tap at (x, y): the clickable node under it gets it; False if nothing took it.

        A fault scheduled for this tap (:meth:`on_tap`) fires first, so the tap lands on what
        the fault left on screen."""
        if not self.screen_on or not (0 <= x < SCREEN_W and 0 <= y < SCREEN_H):
            return False
        self.faults.tapped()
        self.faults.fire_pending()
        try:
            if self.system_dialog is not None:
                node = hit(self.system_dialog.build(), x, y)
                if node is not None and node.action:
                    self.system_dialog.tap(self, node.action)
                return node is not None
            app = self.foreground
            node = hit(app.hierarchy(), x, y)
            if node is None:
                return False
            if node.field:
                app.focus_field(node.field)
            app.tap(node)
            if not app.running and self.foreground is app:
                self.go_home()
            return True
        finally:
            self.faults.fire_pending()
            self.notify_ui()

    def swipe(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """A swipe; the foreground app decides what it means (the feed moves on when swiped up)."""
        if not self.screen_on or self.system_dialog is not None:
            return False
        moved = self.foreground.swipe(x1, y1, x2, y2)
        self.faults.fire_pending()
        self.notify_ui()
        return moved

    def press_key(self, code: int) -> bool:
        """A key event by Android key code; False for codes the model ignores."""
        app = self.foreground
        if code == KEYCODES["BACK"] and self.system_dialog is not None:
            self.system_dialog.tap(self, "back")
        elif code == KEYCODES["BACK"]:
            if not app.back():
                self.go_home()
        elif code == KEYCODES["HOME"]:
            self.go_home()
        elif code == KEYCODES["ENTER"]:
            app.enter()
        elif code == KEYCODES["DEL"]:
            name = app.focused_field()
            if name:
                app.set_field(name, app.get_field(name)[:-1])
        elif code == KEYCODES["POWER"]:
            self.screen_on = not self.screen_on
        elif code == KEYCODES["WAKEUP"]:
            self.screen_on = True
        elif code == KEYCODES["SLEEP"]:
            self.screen_on = False
        else:
            return code in KEYCODES.values()
        self.faults.fire_pending()
        self.notify_ui()
        return True

    def type_text(self, text: str) -> bool:
        """Insert text at the end of the focused field (``input text``, ``pasteClipboard``)."""
        app = self.foreground
        name = app.focused_field()
        if not name:
            return False
        app.set_field(name, app.get_field(name) + text)
        self.notify_ui()
        return True

    def clear_focused(self) -> bool:
        app = self.foreground
        name = app.focused_field()
        if not name:
            return False
        app.set_field(name, "")
        self.notify_ui()
        return True

    def installed(self) -> dict[str, SimApp]:
        return dict(self.apps)

    def delay(self) -> float:
        """Seconds the next reply waits: ``latency`` + uniform(0, ``jitter``)."""
        extra = self._latency_rng.uniform(0, self.jitter) if self.jitter > 0 else 0.0
        return max(0.0, self.latency + extra)

    # ----------------------------------------------------------------------- app faults
    def crash_app(self, package: str = PACKAGE) -> None:
        """The app dies: the home screen shows ``TikTok keeps stopping`` (``Close app`` /
        ``App info``). Its unfinished uploads are lost. Any thread."""
        self.farm.call_in_trio(self._crash, package)

    def anr(self, package: str = PACKAGE) -> None:
        """The app hangs: ``TikTok isn't responding`` (``Close app`` kills it, ``Wait`` goes
        back to it) over the app. Any thread."""
        self.farm.call_in_trio(self._anr, package)

    def _crash(self, package: str) -> None:
        with self.lock:
            app = self.apps.get(package)
            if app is None:
                return
            self.force_stop(package)
            self.system_dialog = SystemDialog.crash(app.label, package)
            self.notify_ui()

    def _anr(self, package: str) -> None:
        with self.lock:
            app = self.apps.get(package)
            if app is None:
                return
            self.system_dialog = SystemDialog.anr(app.label, package)
            self.notify_ui()

    def on_tap(self, n: int, fault: Any) -> None:
        """Fire ``fault`` when the n-th tap from now arrives (before it lands)."""
        with self.lock:
            self.faults.add_tap(n, fault)

    def on_screen(self, name: str, fault: Any, package: str | None = None) -> None:
        """Fire ``fault`` once, right after an app reaches screen ``name`` (``home``, ``video``,
        ``comments``, ``profile``, ``gallery``, ``editor``, ``post``, ...)."""
        with self.lock:
            self.faults.add_screen(name, fault, package)

    def ground_truth(self) -> dict[str, Any]:
        with self.lock:
            apps = self.tiktok_apps()
            for app in apps:
                app.settle_uploads()
            return {
                "app_version": self.tiktok.version_name,
                "apps": {app.package: app.version_name for app in apps},
                "accounts": {name: acc.ground_truth() for name, acc in self.accounts.items()},
            }
