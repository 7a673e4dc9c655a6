"""One UI hierarchy dump, parsed: the nodes a script decides on.

Takes the XML text that uiautomator2's ``dump_hierarchy()`` returns (the Android
``UiAutomation`` window dump: ``<hierarchy><node text=... resource-id=... bounds="[l,t][r,b]" .../>``)
and gives an immutable :class:`Hierarchy` of :class:`Node` in document order. Parsing is pure
(no device access), so selectors can be tested against a saved XML string.

The XML comes from a phone and is treated as untrusted: entities are not resolved and nothing is
fetched from the network.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")
#: Bidi marks and isolates TikTok wraps display names in (real dumps: U+200E U+2068 ... U+2069),
#: removed before comparing; no-break and narrow no-break spaces (French ``3,8 M``, ``« J'aime »``)
#: and the typographic apostrophe (``Couldn’t``) read as their plain forms.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
)
_PLAIN = {0x00A0: " ", 0x202F: " ", 0x2007: " ", 0x2019: "'"}
_TRANSLATE = {**_INVISIBLE, **{k: v for k, v in _PLAIN.items()}}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def normalize(value: str) -> str:
    """A text as selectors compare it: bidi marks (U+200E/F, U+202A-E, U+2066-9) and BOMs
    removed, no-break spaces (U+00A0, U+202F, U+2007) read as spaces, the typographic apostrophe
    U+2019 as ``'``, surrounding whitespace stripped. Inner spacing is kept.

    The rule comes from real dumps (design.md, "Real screens"): TikTok wraps display names in
    bidi isolates, and French text uses no-break spaces. Reports show texts as dumped.
    """
    if value.isascii():  # nothing to translate (every mark and space above is non-ASCII)
        return value.strip()
    return value.translate(_TRANSLATE).strip()


class HierarchyParseError(ValueError):
    """The dump is not well-formed XML (a truncated or corrupted answer from the phone)."""


@dataclass(frozen=True)
class Bounds:
    """A node's rectangle on screen, in pixels: left, top (inclusive), right, bottom (exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def center(self) -> tuple[int, int]:
        """The point a tap goes to: the middle of the rectangle, in pixels."""
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2

    @property
    def empty(self) -> bool:
        """True when the rectangle has no area (an off-screen or collapsed view)."""
        return self.right <= self.left or self.bottom <= self.top


@dataclass(frozen=True)
class Node:
    """One view of the dump. Attribute names follow the dump's, with ``-`` turned into ``_``.

    ``attrs`` keeps every attribute exactly as dumped (for the ones not given a field here).
    ``ntext`` / ``ndesc`` are ``text`` / ``content_desc`` as matching compares them
    (:func:`normalize`). ``index`` is the node's place in :attr:`Hierarchy.nodes`, ``parent`` its
    parent's (-1 for a window root) and ``end`` the index just past its subtree (document order
    puts a subtree right after its root).
    """

    text: str
    content_desc: str
    resource_id: str
    class_name: str
    package: str
    bounds: Bounds
    clickable: bool
    focused: bool
    enabled: bool
    selected: bool
    checked: bool
    depth: int
    scrollable: bool = False
    attrs: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    ntext: str = field(default="", compare=False, repr=False)
    ndesc: str = field(default="", compare=False, repr=False)
    index: int = field(default=0, compare=False, repr=False)
    parent: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=0, compare=False, repr=False)

    def describe(self) -> str:
        """A short human description for logs: class, text or content-desc, and bounds."""
        label = self.text or self.content_desc or self.resource_id or "(no label)"
        b = self.bounds
        short_class = self.class_name.rsplit(".", 1)[-1]
        return f"{short_class} {label!r} [{b.left},{b.top}][{b.right},{b.bottom}]"


@functools.lru_cache(maxsize=4096)  # a Bounds is immutable; screens repeat their rectangles
def _bounds(raw: str | None) -> Bounds:
    m = _BOUNDS.fullmatch(raw or "")
    if not m:
        return Bounds(0, 0, 0, 0)
    left, top, right, bottom = (int(g) for g in m.groups())
    return Bounds(left, top, right, bottom)


@dataclass(frozen=True)
class Hierarchy:
    """A parsed dump: ``nodes`` in document order (parents before children), ``xml`` as received."""

    xml: str
    nodes: tuple[Node, ...]

    @classmethod
    def parse(cls, xml: str) -> Hierarchy:
        """Parse a dump. Raises :class:`HierarchyParseError` when the text is not well-formed XML.

        Every ``<node>`` element becomes a :class:`Node`; other elements (the ``<hierarchy>`` root)
        are skipped. A missing or malformed ``bounds`` gives an empty rectangle.
        """
        try:
            root = etree.fromstring(xml.encode("utf-8"), parser=_PARSER)
        except etree.XMLSyntaxError as e:
            raise HierarchyParseError(f"hierarchy dump is not well-formed XML: {e}") from e
        nodes: list[Node] = []

        def visit(el: etree._Element, depth: int, parent: int) -> None:
            # Every dump is parsed, so this is a hot loop: the attributes are read from one dict
            # (lxml gives str names and values; a flag is true only when it says "true").
            attrs = dict(el.attrib)
            get = attrs.get
            index = len(nodes)
            nodes.append(None)  # type: ignore[arg-type]  # placeholder until the subtree is read
            for child in el:
                if child.tag == "node":
                    visit(child, depth + 1, index)
            text = get("text", "")
            desc = get("content-desc", "")
            nodes[index] = Node(
                text=text,
                content_desc=desc,
                resource_id=get("resource-id", ""),
                class_name=get("class", ""),
                package=get("package", ""),
                bounds=_bounds(get("bounds")),
                clickable=get("clickable") == "true",
                focused=get("focused") == "true",
                enabled=get("enabled") == "true",
                selected=get("selected") == "true",
                checked=get("checked") == "true",
                depth=depth,
                scrollable=get("scrollable") == "true",
                attrs=attrs,
                ntext=normalize(text),
                ndesc=normalize(desc),
                index=index,
                parent=parent,
                end=len(nodes),
            )

        for top in root.iter("node"):
            up = top.getparent()
            if up is not None and up.tag == "node":
                continue
            visit(top, sum(1 for _ in top.iterancestors()), -1)
        return cls(xml=xml, nodes=tuple(nodes))

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def parent_of(self, node: Node) -> Node | None:
        """The parent of ``node`` (a node of this hierarchy), or None for a window root."""
        return self.nodes[node.parent] if node.parent >= 0 else None

    def subtree(self, node: Node) -> tuple[Node, ...]:
        """``node`` and everything under it, in document order."""
        return self.nodes[node.index : node.end]

    def control_of(self, node: Node) -> Node | None:
        """The view a tap on ``node`` lands on: ``node`` itself when clickable, else its nearest
        clickable ancestor (Android hands a touch to the deepest view that takes clicks), or None.
        """
        current: Node | None = node
        while current is not None and not current.clickable:
            current = self.parent_of(current)
        return current

    def index(self, attr: str) -> dict[str, list[Node]]:
        """The nodes by their value of ``attr`` (a :class:`Node` field such as ``ntext``,
        ``ndesc`` or ``resource_id``), each list in document order. Built on first use for each
        field and kept with the hierarchy (it is immutable), so the selectors looking for one
        text or id among a dump's hundreds of nodes look it up instead of testing every node."""
        indexes: dict[str, dict[str, list[Node]]] = self.__dict__.setdefault("_indexes", {})
        found = indexes.get(attr)
        if found is None:
            found = {}
            for node in self.nodes:
                found.setdefault(getattr(node, attr), []).append(node)
            indexes[attr] = found
        return found

    def packages(self) -> dict[str, int]:
        """How many nodes each package has in the dump (the systemui window, the app, a
        keyboard...)."""
        counts: dict[str, int] = {}
        for node in self.nodes:
            counts[node.package] = counts.get(node.package, 0) + 1
        return counts

    def focused(self) -> Node | None:
        """The node that has input focus (where typed text goes), or None."""
        for node in self.nodes:
            if node.focused:
                return node
        return None

    def texts(self) -> list[str]:
        """Every non-empty text and content-desc, in order (for logs and failure remarks)."""
        out: list[str] = []
        for node in self.nodes:
            for value in (node.text, node.content_desc):
                if value:
                    out.append(value)
        return out
