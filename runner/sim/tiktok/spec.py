"""Screen specs written as indented text, one line per view, parsed once and built into node
trees with the values of the moment.

The real TikTok screens are deep trees of containers (200+ views, most of them invisible) around a
few controls that matter. A layout keeps that shape readable next to the real dump it follows: the
text reads like the dump (class, id, flags, bounds, texts), and the few values that change (a
count, a name, whether the follow plus shows) are placeholders filled by the screen's code.

One line per view; its depth is its indentation (one space per level)::

    Button#g6o +CF [912,1414][1080,1572] d="{like_desc}" sel={liked} @like
    ?follow_plus Button#ivc +CF [921,1325][1080,1414] z=3 d="{follow_desc}" @follow_creator
    *rows

- ``Class``: a short name from :data:`CLASSES` (``FrameLayout``, ``Button``, ``ViewPager``, ...)
  or a full one (``X.05ht``, as R8 leaves TikTok's own classes); ``#id`` after it: ``#g6o`` is the
  app's own ``<package>:id/g6o`` (the app's package, so clones get theirs), ``#android:id/content``
  any other id as written.
- ``+FLAGS``: ``C`` clickable, ``L`` long-clickable, ``F`` focusable, ``f`` focused, ``S``
  selected, ``X`` scrollable, ``K`` checkable, ``k`` checked, ``P`` password, ``d`` disabled,
  ``T`` touch-through (clickable as dumped, but a tap on it goes to what is beneath).
- ``[l,t][r,b]``: bounds (``b={name}``: from a value, a ``Rect`` or a 4-tuple); ``z=N``: drawing
  order among siblings (what is drawn last is on top).
- ``t=``, ``d=``, ``h=``: text, content-desc, hint: a JSON string whose ``{name}`` placeholders are
  filled from the values (``{{`` for a brace).
- ``sel={name}``, ``chk={name}``, ``en={name}``, ``foc={name}``: selected / checked / enabled /
  focused from a value; ``@action`` (or ``@{name}``): what a tap does (the screen's ``on_tap``);
  ``field=NAME``: the text field an EditText shows; ``pkg=PACKAGE``: the view's package.
- ``?name`` first: the view (and its subtree) exists only when the value is truthy; ``?!name``:
  only when falsy.
- ``*name`` alone on a line: the node(s) held by that value, built by code, go there.
- ``#`` starts a comment line.

A build takes ``dx``/``dy`` to move a whole layout (a row of a list, say).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runner.sim.hierarchy import Node, Rect

CLASSES = {
    name.rsplit(".", 1)[-1]: name
    for name in (
        "android.widget.FrameLayout", "android.widget.LinearLayout", "android.widget.RelativeLayout",
        "android.widget.ImageView", "android.widget.TextView", "android.widget.Button",
        "android.widget.EditText", "android.widget.HorizontalScrollView",
        "android.widget.ScrollView", "android.widget.GridView", "android.widget.SeekBar",
        "android.widget.TabHost", "android.widget.CheckBox", "android.widget.ImageButton",
        "android.view.View", "android.view.ViewGroup", "android.view.TextureView",
        "android.view.SurfaceView", "androidx.recyclerview.widget.RecyclerView",
        "androidx.viewpager.widget.ViewPager", "androidx.appcompat.widget.LinearLayoutCompat",
        "androidx.compose.ui.platform.ComposeView",
        "androidx.compose.ui.viewinterop.ViewFactoryHolder",
        "com.bytedance.tux.input.TuxTextLayoutView",
    )
}  # fmt: skip

_FLAGS = {"C": "clickable", "L": "long_clickable", "F": "focusable", "f": "focused",
          "S": "selected", "X": "scrollable", "K": "checkable", "k": "checked",
          "P": "password", "T": "passthrough"}  # fmt: skip
_VARS = {"sel": "selected", "chk": "checked", "en": "enabled", "foc": "focused",
         "clk": "clickable"}  # fmt: skip
_BOUNDS = re.compile(r"^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$")
_TOKEN = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)|(\S+)')
_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")


@dataclass
class Spec:
    """One line of a layout: a view, or a slot (``slot``) for nodes built by code."""

    cls: str = ""
    rid: str = ""  # "" none; "#x": the app's own id x; else as written
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)
    static: dict[str, Any] = field(default_factory=dict)  # Node kwargs known at parse time
    texts: dict[str, str] = field(default_factory=dict)  # Node attr -> template with {}
    flags_from: dict[str, str] = field(default_factory=dict)  # Node attr -> value name
    bounds_var: str | None = None
    action: str | None = None
    action_var: str | None = None
    cond: str | None = None
    negate: bool = False
    slot: str | None = None
    children: list[Spec] = field(default_factory=list)
    rect: Rect | None = None
    # In a shared layout, a subtree with nothing to fill (no value, condition or slot anywhere in
    # it) is built once per (package, dx, dy) and shared by the trees built after: finalize()
    # re-parents it each time, and every use of a tree (dump, find, a tap) follows its build under
    # the farm's lock. Nobody may change such a node after the build.
    static_tree: bool = False
    built: dict[tuple[str, int, int], Node] = field(default_factory=dict, repr=False)


def _parse_line(line: str) -> Spec:
    tokens = [(m.group(1), m.group(2), m.group(3)) for m in _TOKEN.finditer(line)]
    spec = Spec()
    head = True
    for key, value, bare in tokens:
        if bare is not None and bare.startswith("?"):
            spec.negate = bare.startswith("?!")
            spec.cond = bare[2:] if spec.negate else bare[1:]
            continue
        if head and bare is not None:
            head = False
            if bare.startswith("*"):
                spec.slot = bare[1:]
                continue
            cls, _, rid = bare.partition("#")
            spec.cls = CLASSES.get(cls, cls)
            spec.rid = rid if ":" in rid else (f"#{rid}" if rid else "")
            continue
        if bare is not None:
            if bare.startswith("+"):
                for flag in bare[1:]:
                    if flag == "d":
                        spec.static["enabled"] = False
                    else:
                        spec.static[_FLAGS[flag]] = True
            elif bare.startswith("@"):
                name = _PLACEHOLDER.match(bare[1:])
                if name:
                    spec.action_var = name.group(1)
                else:
                    spec.action = bare[1:]
            elif m := _BOUNDS.match(bare):
                spec.bounds = tuple(int(g) for g in m.groups())  # type: ignore[assignment]
            else:
                raise ValueError(f"layout: cannot read {bare!r} in {line.strip()!r}")
            continue
        if key in ("t", "d", "h"):
            attr = {"t": "text", "d": "content_desc", "h": "hint"}[key]
            text = json.loads(value) if value.startswith('"') else value
            if "{" in text:
                spec.texts[attr] = text
            else:
                spec.static[attr] = text
        elif key in _VARS:
            name = _PLACEHOLDER.match(value)
            if not name:
                raise ValueError(f"layout: {key}= wants {{name}} in {line.strip()!r}")
            spec.flags_from[_VARS[key]] = name.group(1)
        elif key == "b":
            name = _PLACEHOLDER.match(value)
            if not name:
                raise ValueError(f"layout: b= wants {{name}} in {line.strip()!r}")
            spec.bounds_var = name.group(1)
        elif key == "z":
            spec.static["drawing_order"] = int(value)
        elif key == "field":
            spec.static["field"] = value
        elif key == "pkg":
            spec.static["package"] = value
        elif key == "i":
            pass  # the real index (hidden siblings left gaps): positions are used instead
        else:
            raise ValueError(f"layout: unknown key {key!r} in {line.strip()!r}")
    spec.rect = Rect(*spec.bounds)
    return spec


def parse(text: str) -> list[Spec]:
    """The top-level specs of a layout text."""
    roots: list[Spec] = []
    stack: list[tuple[int, Spec]] = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        depth = len(raw) - len(raw.lstrip(" "))
        spec = _parse_line(stripped)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            stack[-1][1].children.append(spec)
        else:
            roots.append(spec)
        stack.append((depth, spec))
    return roots


class _Values(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        raise KeyError(f"layout value {key!r} missing")


def _mark_static(spec: Spec) -> bool:
    kids = [_mark_static(c) for c in spec.children]
    spec.static_tree = (
        all(kids) and spec.slot is None and spec.cond is None and not spec.texts
        and not spec.flags_from and spec.action_var is None and spec.bounds_var is None
    )  # fmt: skip
    return spec.static_tree


def _build(spec: Spec, v: Mapping[str, Any], own: str, dx: int, dy: int, out: list[Node]) -> None:
    if spec.static_tree:
        key = (own, dx, dy)
        node = spec.built.get(key)
        if node is None:
            spec.static_tree = False
            try:
                _build(spec, v, own, dx, dy, out)
            finally:
                spec.static_tree = True
            spec.built[key] = out[-1]
        else:
            out.append(node)
        return
    if spec.cond is not None and bool(v.get(spec.cond)) == spec.negate:
        return
    if spec.slot is not None:
        extra = v.get(spec.slot)
        if isinstance(extra, Node):
            out.append(extra)
        elif extra:
            out.extend(extra)
        return
    if spec.bounds_var is not None:
        box = v[spec.bounds_var]
        left, top, right, bottom = (box.left, box.top, box.right, box.bottom) if isinstance(
            box, Rect) else box  # fmt: skip
        rect = Rect(left + dx, top + dy, right + dx, bottom + dy)
    elif dx or dy:
        left, top, right, bottom = spec.bounds
        rect = Rect(left + dx, top + dy, right + dx, bottom + dy)
    else:
        rect = spec.rect  # type: ignore[assignment]
    rid = own + spec.rid[1:] if spec.rid.startswith("#") else spec.rid
    node = Node(spec.cls, rect, resource_id=rid, **spec.static)
    for attr, template in spec.texts.items():
        setattr(node, attr, template.format_map(v))
    for attr, name in spec.flags_from.items():
        setattr(node, attr, bool(v[name]))
    if spec.action_var is not None:
        node.action = v.get(spec.action_var)
    elif spec.action is not None:
        node.action = spec.action
    if node.action and "clickable" not in spec.static and "clickable" not in spec.flags_from:
        node.clickable = True
    kids = node.children
    for child in spec.children:
        _build(child, v, own, dx, dy, kids)
    out.append(node)


class Layout:
    """A parsed layout; :meth:`build` makes its node tree(s) from values."""

    def __init__(self, text: str, *, shared: bool = False) -> None:
        """``shared``: build the subtrees with nothing to fill once and reuse them in every tree
        built after (cheap; only for callers that never change a node once built)."""
        self.roots = parse(text)
        if shared:
            for root in self.roots:
                _mark_static(root)

    def nodes(self, values: Mapping[str, Any], package: str, *, dx: int = 0,
              dy: int = 0) -> list[Node]:  # fmt: skip
        """Every top-level node of the layout (conditions and slots applied)."""
        v = values if isinstance(values, _Values) else _Values(values)
        out: list[Node] = []
        own = f"{package}:id/"
        for spec in self.roots:
            _build(spec, v, own, dx, dy, out)
        return out

    def build(self, values: Mapping[str, Any], package: str, *, dx: int = 0,
              dy: int = 0) -> Node:  # fmt: skip
        """The layout's one root node."""
        nodes = self.nodes(values, package, dx=dx, dy=dy)
        if len(nodes) != 1:
            raise ValueError(f"layout built {len(nodes)} roots, wanted 1")
        return nodes[0]
