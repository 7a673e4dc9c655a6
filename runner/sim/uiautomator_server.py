"""The uiautomator2 server of a simulated phone: HTTP/1.1 on device port 9008, reached through
``tcp:9008`` streams while the ``app_process`` launched by uiautomator2 runs.

Takes one stream per HTTP connection (uiautomator2's ``core._http_request`` opens a fresh one per
request and reads the body to ``Content-Length``); answers
- ``GET /ping`` -> ``pong``;
- ``POST /jsonrpc/0`` -> JSON-RPC 2.0. ``params`` is an array of positional arguments or ``{}``.
  Errors come back with HTTP 200 and an ``error`` object whose message carries the Java exception
  name uiautomator2 maps (``uiautomator.UiObjectNotFoundException`` -> ``UiObjectNotFoundError``).

The methods work on the phone's model through :mod:`runner.sim.hierarchy`; selectors are
uiautomator2 ``Selector`` dicts.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import trio

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, describe, dump_xml, find, obj_info
from runner.sim.phone import KEYCODES
from runner.sim.protocol import Connection, PeerClosed
from runner.sim.render import render_jpeg

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone

log = logging.getLogger(__name__)

NOT_FOUND = "androidx.test.uiautomator.UiObjectNotFoundException"
_STACK = (
    "\tat com.wetest.uia2.stub.AutomatorServiceImpl.getUiObject(AutomatorServiceImpl.java:412)\n"
)
# uiautomator2's pressKey names (uiautomator2.Device.press docstring) -> key codes.
_KEY_NAMES = {
    "home": "HOME", "back": "BACK", "menu": "MENU", "search": "SEARCH", "enter": "ENTER",
    "delete": "DEL", "del": "DEL", "recent": "APP_SWITCH", "volume_up": "VOLUME_UP",
    "volume_down": "VOLUME_DOWN", "volume_mute": "VOLUME_MUTE", "camera": "CAMERA",
    "power": "POWER", "up": "DPAD_UP", "down": "DPAD_DOWN", "left": "DPAD_LEFT",
    "right": "DPAD_RIGHT", "center": "DPAD_CENTER",
}  # fmt: skip


class RpcError(Exception):
    """A JSON-RPC error object: ``code``, ``message`` (Java exception text), ``data`` (stack)."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


#: How long a toast stays readable with ``getLastToast`` when the client names no cache duration
#: (uiautomator2's ``toast.get_message`` waits up to 10 s by default; milliseconds).
TOAST_MEMORY_MS = 10_000


class UiautomatorService:
    """The JSON-RPC methods of one phone's uiautomator server."""

    def __init__(self, phone: SimPhone) -> None:
        self.phone = phone
        self._touch_down: tuple[float, float] | None = None
        self.methods: dict[str, Callable[..., Awaitable[Any]]] = {
            name: getattr(self, name) for name in dir(self)
            if not name.startswith("_") and name not in ("phone", "methods", "call")
            and callable(getattr(self, name))
        }  # fmt: skip

    async def call(self, method: str, params: Any) -> Any:
        fn = self.methods.get(method)
        if fn is None:
            raise RpcError(-32601, "Method not found", method)
        args = params if isinstance(params, list) else []
        try:
            return await fn(*args)
        except TypeError as e:
            raise RpcError(-32602, f"java.lang.IllegalArgumentException: {e}") from e

    # ----------------------------------------------------------------------- helpers
    def _find(self, sel: Any) -> list:
        if not isinstance(sel, dict):
            raise RpcError(-32602, "java.lang.IllegalArgumentException: selector must be an object")
        with self.phone.lock:
            return find(self.phone.screen(), sel)

    def _one(self, sel: dict) -> Any:
        nodes = self._find(sel)
        if not nodes:
            raise RpcError(-32002, f"{NOT_FOUND}: {describe(sel)}", f"{NOT_FOUND}\n{_STACK}")
        return nodes[0]

    # ----------------------------------------------------------------------- screen
    async def dumpWindowHierarchy(
        self,
        compressed: bool = False,
        maxDepth: int = 50,  # noqa: N802
        rootInActive: bool | None = None,
    ) -> str:  # noqa: N803
        with self.phone.lock:
            self.phone.foreground.on_dump()
            return dump_xml(self.phone.screen(), max_depth=int(maxDepth or 50))

    async def takeScreenshot(self, scale: float = 1.0, quality: int = 80) -> str:  # noqa: N802
        with self.phone.lock:
            root = self.phone.screen()
        jpeg = await trio.to_thread.run_sync(render_jpeg, root, scale, quality)
        return base64.b64encode(jpeg).decode()

    async def deviceInfo(self) -> dict[str, Any]:  # noqa: N802
        with self.phone.lock:
            pkg, _ = self.phone.current()
            return {
                "currentPackageName": pkg, "displayHeight": SCREEN_H, "displayRotation": 0,
                "displaySizeDpX": 411, "displaySizeDpY": 914, "displayWidth": SCREEN_W,
                "productName": self.phone.props["ro.product.name"],
                "screenOn": self.phone.screen_on, "sdkInt": 33, "naturalOrientation": True,
            }  # fmt: skip

    async def windowSize(self) -> dict[str, int]:  # noqa: N802
        return {"width": SCREEN_W, "height": SCREEN_H}

    # ----------------------------------------------------------------------- gestures and keys
    async def click(self, *args: Any) -> bool:
        if args and isinstance(args[0], dict):
            x, y = self._one(args[0]).bounds.center
        else:
            x, y = float(args[0]), float(args[1])
        with self.phone.lock:
            self.phone.tap(x, y)
        return True

    async def longClick(self, *args: Any) -> bool:  # noqa: N802
        return await self.click(*args[:2])

    async def swipe(self, fx: float, fy: float, tx: float, ty: float, steps: int = 10) -> bool:
        with self.phone.lock:
            self.phone.swipe(fx, fy, tx, ty)
        return True

    async def swipePoints(self, points: list, steps: int = 10) -> bool:  # noqa: N802
        if len(points) >= 4:
            return await self.swipe(points[0], points[1], points[-2], points[-1])
        return True

    async def drag(self, *args: Any) -> bool:
        return True

    async def injectInputEvent(self, action: int, x: float, y: float, meta: int = 0) -> bool:  # noqa: N802
        if action == 0:
            self._touch_down = (x, y)
        elif action == 1 and self._touch_down is not None:
            with self.phone.lock:
                self.phone.tap(*self._touch_down)
            self._touch_down = None
        return True

    async def pressKey(self, key: str) -> bool:  # noqa: N802
        name = _KEY_NAMES.get(str(key).lower())
        if name is None:
            raise RpcError(-32602, f"java.lang.IllegalArgumentException: unknown key {key}")
        with self.phone.lock:
            return self.phone.press_key(KEYCODES[name])

    async def pressKeyCode(self, code: int, meta: int = 0) -> bool:  # noqa: N802
        with self.phone.lock:
            return self.phone.press_key(int(code))

    async def wakeUp(self) -> None:  # noqa: N802
        with self.phone.lock:
            self.phone.screen_on = True

    async def sleep(self) -> None:
        with self.phone.lock:
            self.phone.screen_on = False

    async def freezeRotation(self, freeze: bool = True) -> None:  # noqa: N802
        return None

    async def setOrientation(self, orientation: str) -> None:  # noqa: N802
        return None

    # ----------------------------------------------------------------------- text
    async def setClipboard(self, label: str | None, text: str) -> None:  # noqa: N802
        with self.phone.lock:
            self.phone.clipboard = text

    async def getClipboard(self) -> str | None:  # noqa: N802
        with self.phone.lock:
            return self.phone.clipboard

    async def pasteClipboard(self) -> None:  # noqa: N802
        with self.phone.lock:
            if self.phone.clipboard:
                self.phone.type_text(self.phone.clipboard)

    async def clearInputText(self) -> None:  # noqa: N802
        with self.phone.lock:
            self.phone.clear_focused()

    async def setText(self, sel: dict, text: str) -> bool:  # noqa: N802
        node = self._one(sel)
        if not node.field:
            return False
        with self.phone.lock:
            self.phone.foreground.set_field(node.field, text or "")
            self.phone.notify_ui()
        return True

    async def clearTextField(self, sel: dict) -> bool:  # noqa: N802
        return await self.setText(sel, "")

    async def getText(self, sel: dict) -> str:  # noqa: N802
        return self._one(sel).text

    # ----------------------------------------------------------------------- selectors
    async def exist(self, sel: dict) -> bool:
        return bool(self._find(sel))

    async def count(self, sel: dict) -> int:
        return len(self._find(sel))

    async def objInfo(self, sel: dict) -> dict[str, Any]:  # noqa: N802
        return obj_info(self._one(sel))

    async def objInfoOfAllInstances(self, sel: dict) -> list[dict[str, Any]]:  # noqa: N802
        return [obj_info(n) for n in self._find(sel)]

    async def _wait(self, sel: dict, timeout_ms: int, present: bool) -> bool:
        deadline = trio.current_time() + max(0, int(timeout_ms)) / 1000
        while True:
            if bool(self._find(sel)) == present:
                return True
            remaining = deadline - trio.current_time()
            if remaining <= 0:
                return False
            with trio.move_on_after(min(remaining, 0.25)):
                await self.phone.wait_ui_change()

    async def waitForExists(self, sel: dict, timeout: int = 0) -> bool:  # noqa: N802
        return await self._wait(sel, timeout, True)

    async def waitUntilGone(self, sel: dict, timeout: int = 0) -> bool:  # noqa: N802
        return await self._wait(sel, timeout, False)

    # ----------------------------------------------------------------------- misc
    async def getLastToast(self, cache_ms: int = TOAST_MEMORY_MS) -> str | None:  # noqa: N802
        """The last toast's text, or None when there was none, it was cleared, or it is older
        than ``cache_ms`` (the server's ``getLastToast(cacheDuration)``: openatx's
        AutomatorServiceImpl returns the message while ``now < cacheDuration + toastTime``)."""
        with self.phone.lock:
            toast = self.phone.toast
            if toast is None:
                return None
            text, at = toast
            if (self.phone.farm.clock.now() - at) * 1000 > cache_ms:
                return None
            return text

    async def clearLastToast(self) -> bool:  # noqa: N802
        with self.phone.lock:
            self.phone.toast = None
        return True

    async def makeToast(self, text: str, duration: int = 1000) -> bool:  # noqa: N802
        return True

    async def getLastTraversedText(self) -> None:  # noqa: N802
        return None

    async def clearLastTraversedText(self) -> None:  # noqa: N802
        return None


# --------------------------------------------------------------------------------- HTTP

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


async def _handle(
    service: UiautomatorService, method: str, path: str, body: bytes
) -> tuple[int, str, bytes]:
    if method == "GET" and path == "/ping":
        return 200, "text/plain", b"pong"
    if method == "POST" and path.startswith("/jsonrpc/"):
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            err = {
                "jsonrpc": "2.0",
                "id": None,
                "error": {"code": -32700, "message": "Parse error"},
            }
            return 200, "application/json", json.dumps(err).encode()
        rid = req.get("id") if isinstance(req, dict) else None
        try:
            if not isinstance(req, dict) or not isinstance(req.get("method"), str):
                raise RpcError(-32600, "Invalid Request")
            delay = service.phone.delay()
            if delay:
                await trio.sleep(delay)
            result = await service.call(req["method"], req.get("params"))
            reply: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "result": result}
        except RpcError as e:
            error: dict[str, Any] = {"code": e.code, "message": e.message}
            if e.data is not None:
                error["data"] = e.data
            reply = {"jsonrpc": "2.0", "id": rid, "error": error}
        return 200, "application/json", json.dumps(reply, ensure_ascii=False).encode()
    return 404, "text/plain", b"Not Found"


async def serve_http(phone: SimPhone, conn: Connection) -> None:
    """Serve HTTP/1.1 requests on one ``tcp:9008`` stream until the client closes it."""
    service = phone.uia_service()
    while True:
        try:
            line = await conn.read_line()
            if not line:
                return
            if not line.strip():
                continue
            parts = line.decode("latin-1").split()
            if len(parts) != 3:
                return
            method, target, _ = parts
            headers: dict[str, str] = {}
            while True:
                h = await conn.read_line()
                if not h.strip():
                    break
                k, _, v = h.decode("latin-1").partition(":")
                headers[k.strip().lower()] = v.strip()
            length = int(headers.get("content-length", "0") or 0)
            body = await conn.read_exactly(length) if length else b""
        except (PeerClosed, ValueError):
            return
        status, ctype, payload = await _handle(service, method, target.split("?")[0], body)
        close = headers.get("connection", "").lower() == "close"
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
            f"Content-Type: {ctype}; charset=utf-8\r\nContent-Length: {len(payload)}\r\n"
            f"{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n"
        )
        await conn.send(head.encode() + payload)
        if close:
            return
