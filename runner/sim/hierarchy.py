"""The view tree of a simulated screen: nodes, their uiautomator XML, selectors and hit testing.

Takes the node trees the app models build; gives
- :func:`dump_xml`: the XML ``dumpWindowHierarchy`` returns (attribute names and order as
  androidx.test.uiautomator's ``AccessibilityNodeInfoDumper`` writes them);
- :func:`find`: nodes matching a uiautomator2 ``Selector`` dict, honouring its ``mask`` (a field
  counts only when its bit is set, uiautomator2/_selector.py), ``instance``, ``childOrSibling``;
- :func:`obj_info`: the ``objInfo`` JSON of a node (uiautomator2's ``UiObject.info``);
- :func:`hit`: the view that takes a tap at (x, y), as Android dispatches touches: children are
  tried from the top of the drawing order down, the deepest clickable view under the point takes
  it, and a view that is not clickable (with nothing clickable of its own under the point) lets
  the touch through to what is beneath it.

A screen may hold several windows (the status bar's, the app's, a dialog's): :func:`windows` makes
the invisible root that holds them; the XML lists each window as a top-level ``<node>``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SCREEN_W, SCREEN_H = 1080, 2400

# Bits of uiautomator2's Selector mask (uiautomator2/_selector.py, Selector.__fields).
MASK = {
    "text": 0x01, "textContains": 0x02, "textMatches": 0x04, "textStartsWith": 0x08,
    "className": 0x10, "classNameMatches": 0x20, "description": 0x40,
    "descriptionContains": 0x80, "descriptionMatches": 0x0100, "descriptionStartsWith": 0x0200,
    "checkable": 0x0400, "checked": 0x0800, "clickable": 0x1000, "longClickable": 0x2000,
    "scrollable": 0x4000, "enabled": 0x8000, "focusable": 0x010000, "focused": 0x020000,
    "selected": 0x040000, "packageName": 0x080000, "packageNameMatches": 0x100000,
    "resourceId": 0x200000, "resourceIdMatches": 0x400000, "index": 0x800000,
    "instance": 0x01000000,
}  # fmt: skip

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Rect:
    left: int
    top: int
    right: int
    bottom: int

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom

    @property
    def center(self) -> tuple[int, int]:
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2

    def as_dict(self) -> dict[str, int]:
        return {"left": self.left, "top": self.top, "right": self.right, "bottom": self.bottom}

    def __str__(self) -> str:
        return f"[{self.left},{self.top}][{self.right},{self.bottom}]"


@dataclass
class Node:
    """One view. ``action`` names what a tap on it does (the screen that built it handles it);
    ``field`` names the text field it shows, for ``setText``/``pasteClipboard``."""

    cls: str = "android.widget.FrameLayout"
    bounds: Rect = dataclasses.field(default_factory=lambda: Rect(0, 0, SCREEN_W, SCREEN_H))
    text: str = ""
    resource_id: str = ""
    content_desc: str = ""
    package: str = ""
    hint: str = ""
    clickable: bool = False
    long_clickable: bool = False
    focusable: bool = False
    focused: bool = False
    scrollable: bool = False
    checkable: bool = False
    checked: bool = False
    selected: bool = False
    enabled: bool = True
    password: bool = False
    # Clickable as dumped, yet a tap on it goes to what is beneath (a container that dispatches
    # touches only to its controls). Not in the XML.
    passthrough: bool = False
    action: str | None = None
    field: str | None = None
    children: list[Node] = dataclasses.field(default_factory=list)
    # Android's drawing order among siblings (``drawing-order``): what is drawn last is on top
    # and is offered a touch first. None: by position (index + 1).
    drawing_order: int | None = None
    # Filled in by finalize(): position among siblings, parent link.
    index: int = 0
    parent: Node | None = dataclasses.field(default=None, repr=False, compare=False)

    def add(self, *nodes: Node) -> Node:
        self.children.extend(nodes)
        return self


WINDOWS = ""  # the class of the invisible root that holds a screen's windows
SYSTEMUI = "com.android.systemui"  # its windows (the status bar) are above the apps' ones


def windows(*roots: Node) -> Node:
    """The invisible root holding one screen's windows, bottom first (each a top-level node in
    the XML, each with index 0). Finalize it like any tree."""
    return Node(WINDOWS, children=list(roots))


def finalize(root: Node, package: str) -> Node:
    """Set ``index``, ``parent`` and (when empty) ``package`` on every node; return ``root``."""
    stack = [root]
    root.parent = None
    while stack:
        node = stack.pop()
        if not node.package:
            node.package = package
        top = node.cls == WINDOWS
        for i, child in enumerate(node.children):
            child.index = 0 if top else i
            child.parent = node
            stack.append(child)
    return root


def walk(root: Node) -> Iterator[Node]:
    """Nodes in document (pre-)order, the order uiautomator counts ``instance`` in."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


# -------------------------------------------------------------------------------------- XML


def _attr(value: str) -> str:
    value = _XML_BAD.sub("?", value)
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _b(v: bool) -> str:
    return "true" if v else "false"


def dump_xml(root: Node, *, max_depth: int = 50, rotation: int = 0) -> str:
    """uiautomator XML of the tree under ``root`` (at most ``max_depth`` levels)."""
    out = [
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
        f'<hierarchy rotation="{rotation}">',
    ]

    def rec(node: Node, depth: int) -> None:
        if node.cls == WINDOWS:
            for child in node.children:
                rec(child, depth)
            return
        order = node.drawing_order
        if order is None:
            order = node.index + 1 if node.parent is not None and node.parent.cls != WINDOWS else 0
        out.append(
            f'<node index="{node.index}" text="{_attr(node.text)}" resource-id="{_attr(node.resource_id)}" '
            f'class="{node.cls}" package="{_attr(node.package)}" content-desc="{_attr(node.content_desc)}" '
            f'checkable="{_b(node.checkable)}" checked="{_b(node.checked)}" clickable="{_b(node.clickable)}" '
            f'enabled="{_b(node.enabled)}" focusable="{_b(node.focusable)}" focused="{_b(node.focused)}" '
            f'scrollable="{_b(node.scrollable)}" long-clickable="{_b(node.long_clickable)}" '
            f'password="{_b(node.password)}" selected="{_b(node.selected)}" visible-to-user="true" '
            f'bounds="{node.bounds}" drawing-order="{order}" hint="{_attr(node.hint)}" display-id="0"'
        )
        if node.children and depth < max_depth:
            out.append(">")
            for child in node.children:
                rec(child, depth + 1)
            out.append("</node>")
        else:
            out.append(" />")

    rec(root, 1)
    out.append("</hierarchy>")
    return out[0] + "\r\n" + "".join(out[1:])


# --------------------------------------------------------------------------------- selectors


def _java_match(pattern: str, value: str) -> bool:
    """Java's ``String.matches``: the whole string must match."""
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


_CHECKS: dict[str, Any] = {
    "text": lambda n, v: n.text == v,
    "textContains": lambda n, v: str(v) in n.text,
    "textMatches": lambda n, v: _java_match(str(v), n.text),
    "textStartsWith": lambda n, v: n.text.startswith(str(v)),
    "className": lambda n, v: n.cls == v,
    "classNameMatches": lambda n, v: _java_match(str(v), n.cls),
    "description": lambda n, v: n.content_desc == v,
    "descriptionContains": lambda n, v: str(v) in n.content_desc,
    "descriptionMatches": lambda n, v: _java_match(str(v), n.content_desc),
    "descriptionStartsWith": lambda n, v: n.content_desc.startswith(str(v)),
    "checkable": lambda n, v: n.checkable == bool(v),
    "checked": lambda n, v: n.checked == bool(v),
    "clickable": lambda n, v: n.clickable == bool(v),
    "longClickable": lambda n, v: n.long_clickable == bool(v),
    "scrollable": lambda n, v: n.scrollable == bool(v),
    "enabled": lambda n, v: n.enabled == bool(v),
    "focusable": lambda n, v: n.focusable == bool(v),
    "focused": lambda n, v: n.focused == bool(v),
    "selected": lambda n, v: n.selected == bool(v),
    "packageName": lambda n, v: n.package == v,
    "packageNameMatches": lambda n, v: _java_match(str(v), n.package),
    "resourceId": lambda n, v: n.resource_id == v,
    "resourceIdMatches": lambda n, v: _java_match(str(v), n.resource_id),
    "index": lambda n, v: n.index == int(v),
}


def _compile(sel: dict[str, Any]) -> list[tuple[Any, Any]]:
    """The checks a selector asks for (a field counts only when its mask bit is set)."""
    mask = int(sel.get("mask", 0) or 0)
    return [(check, sel.get(name)) for name, check in _CHECKS.items() if mask & MASK[name]]


def _node_matches(
    node: Node, sel: dict[str, Any], checks: list[tuple[Any, Any]] | None = None
) -> bool:
    if node.cls == WINDOWS:
        return False
    for check, value in checks if checks is not None else _compile(sel):
        if not check(node, value):
            return False
    return True


def _instance(sel: dict[str, Any]) -> int | None:
    if int(sel.get("mask", 0) or 0) & MASK["instance"]:
        return int(sel.get("instance", 0))
    return None


def _pick(nodes: list[Node], sel: dict[str, Any]) -> list[Node]:
    inst = _instance(sel)
    if inst is None:
        return nodes
    return nodes[inst : inst + 1]


def find(root: Node, sel: dict[str, Any]) -> list[Node]:
    """All nodes the selector matches, in document order (one node when it names an instance)."""
    chain = list(
        zip(sel.get("childOrSibling") or [], sel.get("childOrSiblingSelector") or [], strict=False)
    )
    checks = _compile(sel)
    found = _pick([n for n in walk(root) if _node_matches(n, sel, checks)], sel)
    for kind, sub in chain:
        seen: set[int] = set()
        nxt: list[Node] = []
        sub_checks = _compile(sub)
        for n in found:
            if kind == "child":
                pool = [d for d in walk(n) if d is not n]
            else:
                pool = [s for s in (n.parent.children if n.parent else []) if s is not n]
            for cand in pool:
                if id(cand) not in seen and _node_matches(cand, sub, sub_checks):
                    seen.add(id(cand))
                    nxt.append(cand)
        found = _pick(nxt, sub)
    return found


def describe(sel: dict[str, Any]) -> str:
    """``UiSelector[TEXT=Follow, INSTANCE=0]``: how uiautomator prints a selector in errors."""
    mask = int(sel.get("mask", 0) or 0)
    parts = [
        f"{_CAMEL.sub('_', name).upper()}={sel.get(name)}"
        for name, bit in MASK.items()
        if mask & bit
    ]
    return "UiSelector[" + ", ".join(parts) + "]"


def obj_info(node: Node) -> dict[str, Any]:
    """uiautomator2's ``objInfo`` for one node."""
    return {
        "bounds": node.bounds.as_dict(),
        "checkable": node.checkable,
        "checked": node.checked,
        "childCount": len(node.children),
        "className": node.cls,
        "clickable": node.clickable,
        "contentDescription": node.content_desc or None,
        "enabled": node.enabled,
        "focusable": node.focusable,
        "focused": node.focused,
        "longClickable": node.long_clickable,
        "packageName": node.package,
        "resourceName": node.resource_id or None,
        "scrollable": node.scrollable,
        "selected": node.selected,
        "text": node.text,
        "visibleBounds": node.bounds.as_dict(),
    }


def _on_top_first(node: Node) -> list[Node]:
    kids = node.children
    if all(k.drawing_order is None for k in kids):
        return kids[::-1]
    order = [
        (k.index + 1 if k.drawing_order is None else k.drawing_order, i) for i, k in enumerate(kids)
    ]
    return [kids[i] for _, i in sorted(order, reverse=True)]


def hit(root: Node, x: float, y: float) -> Node | None:
    """The clickable view a tap at (x, y) lands on, or None: the topmost window under the point
    (system windows first), then in it the deepest clickable view under the point, children tried
    from the top of the drawing order down; a view that is neither clickable nor holding a
    clickable view under the point lets the touch through to its siblings below (never to
    another window)."""

    def dispatch(node: Node) -> Node | None:
        if not node.bounds.contains(x, y):
            return None
        if node.cls == WINDOWS:
            # The topmost window under the point takes the touch, whether or not a view of it
            # consumes it (a dialog is modal); system windows (the status bar) are on top.
            wins = node.children[::-1]
            wins.sort(key=lambda w: w.package != SYSTEMUI)
            for win in wins:
                if win.bounds.contains(x, y):
                    return dispatch(win)
            return None
        for child in _on_top_first(node):
            taken = dispatch(child)
            if taken is not None:
                return taken
        return node if node.clickable and not node.passthrough else None

    return dispatch(root)
