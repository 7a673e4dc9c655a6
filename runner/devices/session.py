"""The async facade of one phone: every adbutils/uiautomator2 call a script makes goes through here.

Takes an ``adbutils.AdbClient`` (ours, never the global ``adbutils.adb``) and a serial; gives
``async`` primitives (dump, tap, back, open a URL in the app, launch, type text) plus the health
check run before each task and the artifact saver run after a failure.

Guarantees (design.md, "Concurrency (trio)" and "Device layer"):

- Every blocking library call runs in a worker thread through
  ``trio.to_thread.run_sync(fn, limiter=limiter, abandon_on_cancel=True)``; the limiter is shared
  by the whole farm. Every call is bounded: :attr:`DeviceSession.call_timeout` seconds (60 by
  default; :data:`CONNECT_TIMEOUT` for the connect, :data:`PUSH_TIMEOUT` for a push,
  :data:`STATE_TIMEOUT` for asking adb the phone's state). uiautomator2 cannot bound them itself:
  its ``HTTP_TIMEOUT`` (300 s) is set on ``AdbHTTPConnection`` but never reaches the socket (its
  ``connect`` takes adbutils' stream, which has no timeout), so a hung phone blocks a call for
  ever. A call past its bound raises :class:`~runner.errors.UiautomatorUnavailable` (or
  :class:`~runner.errors.DeviceLost` when adb no longer sees the phone), and a trio cancellation
  (stop, delete, shutdown) lands at once, even in the middle of a call: the thread is abandoned.
  An abandoned thread finishes on its own (its reply is dropped) and holds its limiter token
  until then; :attr:`DeviceSession.abandoned` counts them, and a session that abandoned a call
  should not be reused (the phone may still be doing what it was asked).
- Library errors become ours here and nowhere else: the phone gone (adbutils ``AdbError``/
  ``AdbTimeout``, uiautomator2 ``ConnectError``, or adb reporting a state other than ``device``)
  -> :class:`~runner.errors.DeviceLost`; the uiautomator server not answering while adb still sees
  the phone -> :class:`~runner.errors.UiautomatorUnavailable`; an RPC the server refused ->
  :class:`~runner.errors.TaskFailed`. Every remark names the serial.
- Shell commands are always argument lists: adbutils quotes each argument with ``shlex.quote``
  (``adbutils._utils.list2cmdline``), so user data (URLs, usernames) never becomes shell syntax.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import logging
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote

import adbutils
import trio
import uiautomator2 as u2
from uiautomator2 import exceptions as u2e

from runner.devices.hierarchy import Hierarchy, HierarchyParseError, Node
from runner.errors import (
    DeviceLost,
    PostConditionFailed,
    TaskFailed,
    UiautomatorUnavailable,
    device_state_remark,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds an artifact capture may take before it is given up (a hung phone must not hold a
#: failed task's worker for uiautomator2's default 300 s HTTP timeout).
ARTIFACT_TIMEOUT = 20.0
#: Seconds one device call (a dump, a tap, a shell command, a text input) may take by default.
#: Generous: ``send_keys`` alone is up to six round trips, and uiautomator2 restarts a dead
#: server (up to 40 s) inside the call that found it dead.
CALL_TIMEOUT = 60.0
#: Seconds ``uiautomator2.connect`` may take: it pushes ``u2.jar`` when needed and waits up to
#: 30 s for the server to answer ``/ping``.
CONNECT_TIMEOUT = 90.0
#: Seconds a file push may take (media files of tens of MB over USB 2).
PUSH_TIMEOUT = 300.0
#: Seconds asking adb for the phone's state may take (the adb server answers it, not the phone).
STATE_TIMEOUT = 5.0


_LOCALE_MARK = "--tikrunner-locale--"


def _is_connection_problem(exc: BaseException) -> bool:
    """True for errors that mean "could not talk to the uiautomator server or the phone".

    uiautomator2 3.7 wraps only some transport errors in its ``HTTPError``; a socket reset or a
    timeout inside ``http.client`` escapes unwrapped as ``OSError``/``HTTPException``.
    """
    return isinstance(
        exc,
        u2e.HTTPError
        | u2e.UiAutomationError
        | u2e.AdbShellError
        | OSError
        | http.client.HTTPException,
    )


class DeviceSession:
    """One phone, connected through uiautomator2 on top of our own adb client.

    Build it with :meth:`open`. Methods are ``async`` and safe to cancel (see the module
    docstring). One session serves one task at a time; it is not meant to be shared between
    concurrent tasks.
    """

    _d: u2.Device

    def __init__(
        self, serial: str, adb_device: adbutils.AdbDevice, limiter: trio.CapacityLimiter
    ) -> None:
        """Use :meth:`open`; this only stores its arguments (the uiautomator2 device is set there)."""
        self._serial = serial
        self._adb_device = adb_device
        self._limiter = limiter
        self._last_xml: str | None = None
        #: Where this session logs; :meth:`logging_to` points it at a task's logger.
        self.log: logging.Logger | logging.LoggerAdapter = logging.LoggerAdapter(
            logger, {"serial": serial}
        )
        #: Device round trips made through this session (adb shell/host requests and
        #: uiautomator2 RPCs, as issued by our code; uiautomator2's own internal retries not
        #: counted). For benchmarks and tests.
        self.device_calls = 0
        #: The phone's system locale as ``prepare`` read it (``fr-FR``), a hint for the app's
        #: language (TikTok has its own setting); ``""`` until then.
        self.locale_hint = ""
        #: package -> the app's ``versionName`` as the last ``prepare`` read it (devices view).
        self.app_versions: dict[str, str] = {}
        #: Seconds one device call may take before it is given up (see the module docstring).
        self.call_timeout = CALL_TIMEOUT
        #: Device calls given up (timed out or cancelled) while their thread still ran.
        self.abandoned = 0
        #: Told of each device call as it ends: ``on_call(None)`` answered, ``on_call("timeout")``
        #: given up, ``on_call("error")`` raised, ``on_call("cancelled")`` cancelled (the task
        #: stopped); the runner's metrics count them. Set by :meth:`open`.
        self.on_call: Callable[[str | None], None] = lambda error: None

    # -- construction -----------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        adb: adbutils.AdbClient,
        serial: str,
        *,
        limiter: trio.CapacityLimiter,
        call_timeout: float = CALL_TIMEOUT,
        on_call: Callable[[str | None], None] | None = None,
    ) -> DeviceSession:
        """Connect uiautomator2 to the phone ``serial`` reached through ``adb``.

        Runs ``uiautomator2.connect(adb.device(serial))``, which pushes ``u2.jar`` when its md5 on
        the phone differs, starts the uiautomator server if ``GET /ping`` does not answer and waits
        for it (uiautomator2 polls every 0.5 s, up to 30 s).

        Raises :class:`DeviceLost` (phone not reachable through adb) or
        :class:`UiautomatorUnavailable` (server did not start, or the connect took more than
        :data:`CONNECT_TIMEOUT` s). ``call_timeout``: seconds each later device call may take;
        ``on_call``: see :attr:`on_call`.
        Cancelled: at once (the connect's thread is abandoned) and no session is returned.
        """
        adb_device = adb.device(serial)

        def connect() -> u2.Device:
            return u2.connect(adb_device)

        session = cls(serial, adb_device, limiter)
        session.call_timeout = call_timeout
        if on_call is not None:
            session.on_call = on_call
        session._d = await session._call("connect uiautomator2", connect, timeout=CONNECT_TIMEOUT)
        return session

    @property
    def serial(self) -> str:
        """The phone's adb serial."""
        return self._serial

    @contextlib.contextmanager
    def logging_to(self, log: logging.Logger | logging.LoggerAdapter) -> Iterator[None]:
        """Within the block, the session logs through ``log`` (a task's logger, so every line
        carries the task id and serial)."""
        previous, self.log = self.log, log
        try:
            yield
        finally:
            self.log = previous

    @property
    def last_hierarchy_xml(self) -> str | None:
        """The XML of the last successful :meth:`dump`, or None."""
        return self._last_xml

    # -- the error boundary -----------------------------------------------------------------

    async def _thread(self, fn: Callable[[], T], timeout: float) -> T:
        """``fn()`` in a worker thread, given up after ``timeout`` seconds (``trio.TooSlowError``)
        or at once when cancelled; either way its thread is abandoned and counted."""
        try:
            with trio.fail_after(timeout):
                answer = await trio.to_thread.run_sync(
                    fn, limiter=self._limiter, abandon_on_cancel=True
                )
        except trio.Cancelled:
            self.abandoned += 1
            self.on_call("cancelled")
            raise
        except trio.TooSlowError:
            self.abandoned += 1
            self.on_call("timeout")
            raise
        except Exception:
            self.on_call("error")
            raise
        self.on_call(None)
        return answer

    async def _call(
        self, what: str, fn: Callable[..., T], *args: Any, timeout: float | None = None
    ) -> T:
        """Run one blocking library call in a thread, converting its errors to ours.

        ``what`` says what the call was for; it appears in the remark of a failure. ``timeout``:
        seconds it may take (default :attr:`call_timeout`); past it, :class:`DeviceLost` when
        adb no longer sees the phone, else :class:`UiautomatorUnavailable`.
        """
        self.device_calls += 1
        limit = self.call_timeout if timeout is None else timeout
        try:
            return await self._thread(functools.partial(fn, *args), limit)
        except trio.TooSlowError:
            state = await self._adb_state()
            if state != "device":
                raise DeviceLost(
                    f"device {self._serial} is {state or 'unreachable'} (during {what})"
                ) from None
            raise UiautomatorUnavailable(
                f"{self._serial} did not answer {what} within {limit:g} s"
            ) from None
        except TaskFailed:
            raise
        except (adbutils.AdbError, u2e.ConnectError) as e:
            state = await self._adb_state()
            raise DeviceLost(self._lost_remark(what, state, e)) from e
        except u2e.RPCError as e:
            raise TaskFailed(f"uiautomator refused {what} on {self._serial}: {e}") from e
        except Exception as e:
            if not _is_connection_problem(e):
                raise
            state = await self._adb_state()
            if state != "device":
                raise DeviceLost(self._lost_remark(what, state, e)) from e
            raise UiautomatorUnavailable(
                f"uiautomator server on {self._serial} not answering during {what}: "
                f"{type(e).__name__}: {e}"
            ) from e

    def _lost_remark(self, what: str, state: str | None, exc: BaseException) -> str:
        if state and state != "device":
            said = device_state_remark(self._serial, "absent" if state == "gone" else state)
            return f"{said} (during {what})"
        detail = str(exc) or type(exc).__name__
        return f"device {self._serial} lost during {what}: {detail}"

    async def _adb_state(self) -> str | None:
        """What adb says about the phone now: ``device``, ``offline``, ``unauthorized``, ``gone``,
        or None when even the adb server cannot be asked within :data:`STATE_TIMEOUT` s. Never
        raises but ``trio.Cancelled``."""

        def get_state() -> str:
            return self._adb_device.get_state()

        self.device_calls += 1
        try:
            return await self._thread(get_state, STATE_TIMEOUT)
        except adbutils.AdbError as e:
            text = str(e).lower()
            for word in ("offline", "unauthorized"):
                if word in text:
                    return word
            if "not found" in text:
                return "gone"
            return None
        except Exception:
            return None

    # -- health -----------------------------------------------------------------------------

    async def prepare(self, package: str) -> str:
        """Health check before a task, in one device call; returns the app's ``versionName``
        (``"unknown"`` if the package manager does not say) and sets :attr:`locale_hint` to the
        phone's system locale (``getprop persist.sys.locale``, e.g. ``fr-FR``; ``""`` if unset).

        One ``shell`` request runs ``input keyevent KEYCODE_WAKEUP`` (wakes the screen, a no-op
        when it is on), ``dumpsys package PACKAGE`` (its ``versionName=`` line; none: the app is
        not installed) and ``getprop persist.sys.locale``. The uiautomator server is not pinged:
        the task's first RPC reaches it, and uiautomator2 itself stops and restarts the server
        once when an RPC finds it dead (``BasicUiautomatorServer.jsonrpc_call``) before that call
        fails as :class:`UiautomatorUnavailable`. A phone that left adb raises :class:`DeviceLost`
        (adb's state in the remark); a missing app ``TaskFailed("app <package> is not
        installed")``.

        Cancelled: at once (the call in flight is abandoned); the phone is left as that call leaves it.
        """
        q = shlex.quote(package)
        cmd = (
            f"input keyevent 224; dumpsys package {q}; echo {_LOCALE_MARK}; "
            "getprop persist.sys.locale"
        )
        result = await self._call("health check", self._adb_device.shell2, cmd)
        out = result.output
        head, _, tail = out.partition(_LOCALE_MARK)
        self.locale_hint = tail.strip().splitlines()[0].strip() if tail.strip() else ""
        version = None
        for line in head.splitlines():
            line = line.strip()
            if line.startswith("versionName="):
                version = line.partition("=")[2].strip()
                break
        if version is None:
            raise TaskFailed(f"app {package} is not installed")
        self.app_versions[package] = version or "unknown"
        return version or "unknown"

    def _ping(self) -> bool:
        # uiautomator2 3.7 has no public "is the server alive" call: every public RPC silently
        # restarts the server on failure (BasicUiautomatorServer.jsonrpc_call), which would hide
        # the "restart once, then fail" rule. _check_alive is its own GET /ping.
        return bool(self._d._check_alive())

    # -- primitives -------------------------------------------------------------------------

    async def dump(self) -> Hierarchy:
        """One ``dump_hierarchy`` call, parsed. Returns the :class:`Hierarchy`.

        uiautomator2 itself retries an *empty* dump up to 3 times, 1 s apart (``HierarchyEmptyError``)
        and then returns an empty hierarchy. A malformed dump raises :class:`TaskFailed`.
        Cancelled: at once (the dump in flight is abandoned).
        """
        xml = await self._call("hierarchy dump", self._d.dump_hierarchy)
        self._last_xml = xml
        try:
            return Hierarchy.parse(xml)
        except HierarchyParseError as e:
            raise TaskFailed(f"unreadable hierarchy dump from {self._serial}: {e}") from e

    async def last_toast(self) -> str | None:
        """The text of the last toast the phone showed, or None (``d.last_toast``: the
        ``getLastToast`` RPC). A toast is never in a window dump: the uiautomator server keeps
        the last one from accessibility events (openatx/android-uiautomator-server,
        AccessibilityEventListener: ``TYPE_NOTIFICATION_STATE_CHANGED`` without a Notification).
        An empty string reads as None."""

        def read() -> str | None:
            return self._d.last_toast

        return await self._call("read the last toast", read) or None

    async def clear_toast(self) -> None:
        """Forget the last toast (``d.clear_toast()``: the ``clearLastToast`` RPC), so the next
        :meth:`last_toast` says only what came after."""
        await self._call("clear the last toast", self._d.clear_toast)

    async def clipboard(self) -> str | None:
        """The phone's clipboard text, or None (``d.clipboard``: the ``getClipboard`` RPC of the
        uiautomator server, which reads it as the instrumentation; the text input path reads it
        back the same way). An empty clipboard reads as None."""

        def read() -> str | None:
            return self._d.clipboard

        return await self._call("read the clipboard", read) or None

    async def clear_clipboard(self) -> None:
        """Empty the clipboard (``setClipboard`` with ``""``), so the next text found there was
        put by what follows."""
        await self._call("clear the clipboard", self._d.set_clipboard, "")

    async def tap(self, node: Node) -> None:
        """Tap the middle of ``node``'s bounds (``d.click(x, y)``, the ``click`` RPC).

        Raises ``TaskFailed`` for a node without area (nothing on screen to tap). Coordinates are
        clamped to at least 1 px: uiautomator2 treats values below 1 as fractions of the screen.
        """
        if node.bounds.empty:
            raise TaskFailed(f"cannot tap {node.describe()}: it has no area on screen")
        x, y = node.bounds.center
        await self._call(f"tap {node.describe()}", self._d.click, max(x, 1), max(y, 1))

    async def press_back(self) -> None:
        """Press the back key (``pressKey("back")`` RPC)."""
        await self._call("press back", self._d.press, "back")

    async def open_url_in_app(self, url: str, package: str) -> None:
        """Open ``url`` with a VIEW intent limited to ``package``.

        Runs ``am start -a android.intent.action.VIEW -d URL -p PACKAGE`` as an argument list, so
        each argument is shell-quoted by adbutils. (uiautomator2's ``open_url`` names no package and
        may open the browser; design.md, "Device layer".) Raises ``TaskFailed`` when ``am`` reports
        an error.
        """
        cmd = ["am", "start", "-a", "android.intent.action.VIEW", "-d", url, "-p", package]
        result = await self._call("open url", self._adb_device.shell2, cmd)
        if result.returncode != 0 or "Error:" in result.output:
            raise TaskFailed(
                f"could not open {url} in {package} on {self._serial}: {result.output.strip()[:200]}"
            )

    async def launch_app(self, package: str) -> None:
        """Start ``package`` from its launcher entry (``monkey -p PKG -c ...LAUNCHER 1``, as
        uiautomator2's ``app_start`` without an activity does)."""
        cmd = ["monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1"]
        result = await self._call(f"launch {package}", self._adb_device.shell2, cmd)
        if result.returncode != 0:
            raise TaskFailed(
                f"could not launch {package} on {self._serial}: {result.output.strip()[:200]}"
            )

    async def restart_app(self, package: str) -> None:
        """Stop ``package`` and start it again from its launcher entry, in one shell call
        (``am force-stop PKG; monkey -p PKG -c ...LAUNCHER 1``): a cold start lands on the home
        feed whatever screen the app was left on."""
        q = shlex.quote(package)
        cmd = f"am force-stop {q}; monkey -p {q} -c android.intent.category.LAUNCHER 1"
        result = await self._call(f"restart {package}", self._adb_device.shell2, cmd)
        if result.returncode != 0:
            raise TaskFailed(
                f"could not restart {package} on {self._serial}: {result.output.strip()[:200]}"
            )

    async def send_text(self, text: str) -> None:
        """Replace the focused field's content with ``text`` through uiautomator2's own input
        path (``d.send_keys(text, clear=True)``, see :meth:`type_text`), without reading it back:
        the caller reads the field back from its next dump (one dump per decision)."""

        def send() -> None:
            self._d.send_keys(text, clear=True)

        await self._call("type text", send)

    async def type_text(self, text: str) -> Hierarchy:
        """Replace the focused field's content with ``text`` and check it reads back exactly.

        Uses uiautomator2's own input path, ``d.send_keys(text, clear=True)``. Without the
        AdbKeyboard IME (``ime list -s -a`` is asked, twice) that is the RPCs ``clearInputText``,
        ``setClipboard``, ``getClipboard`` (compared with ``text``) and ``pasteClipboard``; with the
        IME it is ``am broadcast`` of base64 text. Note: if the clipboard path fails for any
        reason, uiautomator2 falls back to *installing* the AdbKeyboard IME on the phone.

        Then one fresh dump: the focused node's text must equal ``text``, else
        :class:`PostConditionFailed`. Returns that dump.
        """

        def send() -> None:
            self._d.send_keys(text, clear=True)

        await self._call("type text", send)
        hierarchy = await self.dump()
        field = hierarchy.focused()
        if field is None:
            raise PostConditionFailed("typed text but no input field has focus")
        if field.text != text:
            raise PostConditionFailed(
                f"typed text did not read back: the field shows {field.text!r}, expected {text!r}"
            )
        return hierarchy

    async def swipe_up(self, hierarchy: Hierarchy | None = None) -> None:
        """Swipe from low (75 % of the height) to high (25 %) in the middle of the screen
        (``swipe`` RPC, about 0.1 s): the next video of a feed or a vertical video list.

        The screen size comes from ``hierarchy`` (or the last dump): the union of its windows'
        bounds (a real dump starts with the status bar's window, 132 px high), so no extra
        ``window_size`` round trip is made. Pixels, not fractions.
        """
        h = hierarchy
        if h is None and self._last_xml is not None:
            h = Hierarchy.parse(self._last_xml)
        width, height = 1080, 2400
        roots = [n.bounds for n in (h.nodes if h is not None else ()) if n.parent < 0]
        roots = [b for b in roots if not b.empty]
        if roots:
            width = max(b.right for b in roots) - min(b.left for b in roots)
            height = max(b.bottom for b in roots) - min(b.top for b in roots)
        x = max(width // 2, 1)
        y1, y2 = max(height * 3 // 4, 2), max(height // 4, 1)
        await self._call("swipe up", self._d.swipe, x, y1, x, y2, 0.1)

    async def push_file(self, local: Path | BinaryIO, remote: str) -> None:
        """Copy the runner's file ``local`` to ``remote`` on the phone (adb sync ``SEND``, mode
        0644; adbutils first ``STAT``s the destination).

        Raises :class:`DeviceLost` when the phone is gone, ``TaskFailed`` when the phone refused
        the file while still connected (adbd answers ``FAIL``, e.g. "No space left on device":
        adbutils keeps only the word ``FAIL``, so the remark says what is likely) or the local
        file cannot be read. ``local`` is a path or a file open for reading (its ``name`` the
        path it was opened as: what the remarks show).
        """
        shown = local if isinstance(local, Path) else Path(str(getattr(local, "name", "file")))

        def push() -> None:
            self._adb_device.sync.push(local, remote, mode=0o644)

        self.device_calls += 1
        try:
            await self._thread(push, PUSH_TIMEOUT)
        except trio.TooSlowError:
            raise UiautomatorUnavailable(
                f"{self._serial} did not take {shown.name} within {PUSH_TIMEOUT:g} s"
            ) from None
        except OSError as e:
            if isinstance(e, ConnectionError | TimeoutError):
                raise DeviceLost(self._lost_remark("push", await self._adb_state(), e)) from e
            raise TaskFailed(f"cannot read {shown} to push it to {self._serial}: {e}") from e
        except adbutils.AdbError as e:
            state = await self._adb_state()
            if state != "device":
                raise DeviceLost(self._lost_remark(f"push of {shown.name}", state, e)) from e
            raise TaskFailed(
                f"{self._serial} refused the file {remote} ({e}; storage full or the folder "
                "not writable?)"
            ) from e

    async def index_media(self, remote: str) -> None:
        """Ask the media store to index ``remote`` so the gallery (and the app's picker) sees it:
        ``am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE -d file://REMOTE``.

        Raises ``TaskFailed`` when ``am`` does not report ``Broadcast completed``.
        """
        cmd = [
            "am",
            "broadcast",
            "-a",
            "android.intent.action.MEDIA_SCANNER_SCAN_FILE",
            "-d",
            "file://" + quote(remote),
        ]
        result = await self._call("index media", self._adb_device.shell2, cmd)
        if result.returncode != 0 or "Broadcast completed" not in result.output:
            raise TaskFailed(
                f"the media store on {self._serial} did not index {remote}: "
                f"{result.output.strip()[:200]}"
            )

    async def share_media(self, remote: str, mime: str, package: str) -> None:
        """Share one file already on the phone into ``package`` (Android's share sheet, limited
        to the app): ``am start -a android.intent.action.SEND -t MIME --eu
        android.intent.extra.STREAM file://REMOTE -p PACKAGE``. One file only: a stock ``am``
        has no Uri-array extra (``--eua`` is "Unknown option"), so several files go through the
        app's gallery instead.

        The file URI is percent-encoded. Raises ``TaskFailed`` when ``am`` reports an error.
        """
        uri = "file://" + quote(remote)
        cmd = ["am", "start", "-a", "android.intent.action.SEND", "-t", mime]
        cmd += ["--eu", "android.intent.extra.STREAM", uri, "-p", package]
        result = await self._call("share media", self._adb_device.shell2, cmd)
        if result.returncode != 0 or "Error" in result.output:
            raise TaskFailed(
                f"could not share {remote} into {package} on {self._serial}: "
                f"{result.output.strip()[:200]}"
            )

    async def alive(self) -> bool:
        """True when adb sees the phone and its uiautomator server answers ``/ping`` within
        10 s. Never raises but ``trio.Cancelled``. (Device workers ask this after a failed task
        to decide whether to reconnect.)"""
        if await self._adb_state() != "device":
            return False
        try:
            return bool(await self._thread(self._ping, STATE_TIMEOUT * 2))
        except Exception:
            return False

    # -- artifacts --------------------------------------------------------------------------

    async def save_artifacts(self, folder: Path) -> None:
        """Write ``screenshot.jpg`` and ``hierarchy.xml`` of the current screen into ``folder``
        (created if needed). Never raises.

        When the phone cannot give a fresh dump, the last dump this session took is written
        instead (the screen the script last decided on). A phone that gives nothing leaves fewer
        files. Gives up after :data:`ARTIFACT_TIMEOUT` seconds; the capture threads are then
        abandoned (they end when the phone answers or its stream closes). Cancelled: the cancellation
        propagates at once, without waiting for a capture in flight.
        """
        try:
            await trio.to_thread.run_sync(
                functools.partial(folder.mkdir, parents=True, exist_ok=True)
            )
        except Exception as e:
            self.log.warning("%s: cannot create artifact folder %s: %s", self._serial, folder, e)
            return

        def capture_hierarchy() -> str:
            return self._d.dump_hierarchy()

        def capture_screenshot() -> None:
            image = self._d.screenshot()
            if image.mode != "RGB":
                image = image.convert("RGB")
            image.save(folder / "screenshot.jpg", format="JPEG", quality=80)

        xml: str | None = None
        with trio.move_on_after(ARTIFACT_TIMEOUT):
            try:
                xml = await trio.to_thread.run_sync(
                    capture_hierarchy, limiter=self._limiter, abandon_on_cancel=True
                )
            except Exception as e:
                self.log.info("%s: no fresh hierarchy for artifacts: %s", self._serial, e)
        if xml is None:
            xml = self._last_xml
        else:
            self._last_xml = xml
        if xml is not None:
            path = folder / "hierarchy.xml"
            try:
                await trio.to_thread.run_sync(
                    functools.partial(path.write_text, xml, encoding="utf-8")
                )
            except OSError as e:
                self.log.warning("%s: cannot write hierarchy.xml: %s", self._serial, e)
        with trio.move_on_after(ARTIFACT_TIMEOUT):
            try:
                await trio.to_thread.run_sync(
                    capture_screenshot, limiter=self._limiter, abandon_on_cancel=True
                )
            except Exception as e:
                self.log.info("%s: no screenshot for artifacts: %s", self._serial, e)

    async def close(self) -> None:
        """Stop the uiautomator server this session started (closes its shell stream) without
        waiting for it to quit; gives up after :data:`STATE_TIMEOUT` s. Never raises but
        ``trio.Cancelled``. The next :meth:`open` starts it again."""

        def stop() -> None:
            self._d.stop_uiautomator(wait=False)

        try:
            await self._thread(stop, STATE_TIMEOUT)
        except Exception as e:
            logger.debug("%s: stopping uiautomator: %s", self._serial, e)
