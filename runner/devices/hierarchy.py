"""One UI hierarchy dump, parsed: the nodes a script decides on.

Takes the XML text that uiautomator2's ``dump_hierarchy()`` returns (the Android
``UiAutomation`` window dump: ``<hierarchy><node text=... resource-id=... bounds="[l,t][r,b]" .../>``)
and gives an immutable :class:`Hierarchy` of :class:`Node` in document order. Parsing is pure
(no device access), so selectors can be tested against a saved XML string.

The XML comes from a phone and is treated as untrusted: entities are not resolved and nothing is
fetched from the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


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
    attrs: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> str:
        """A short human description for logs: class, text or content-desc, and bounds."""
        label = self.text or self.content_desc or self.resource_id or "(no label)"
        b = self.bounds
        short_class = self.class_name.rsplit(".", 1)[-1]
        return f"{short_class} {label!r} [{b.left},{b.top}][{b.right},{b.bottom}]"


def _flag(el: etree._Element, name: str) -> bool:
    return el.get(name, "false") == "true"


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
        for el in root.iter("node"):
            depth = sum(1 for _ in el.iterancestors())
            attrs = {str(k): str(v) for k, v in el.attrib.items()}
            nodes.append(
                Node(
                    text=attrs.get("text", ""),
                    content_desc=attrs.get("content-desc", ""),
                    resource_id=attrs.get("resource-id", ""),
                    class_name=attrs.get("class", ""),
                    package=attrs.get("package", ""),
                    bounds=_bounds(attrs.get("bounds")),
                    clickable=_flag(el, "clickable"),
                    focused=_flag(el, "focused"),
                    enabled=_flag(el, "enabled"),
                    selected=_flag(el, "selected"),
                    checked=_flag(el, "checked"),
                    depth=depth,
                    attrs=attrs,
                )
            )
        return cls(xml=xml, nodes=tuple(nodes))

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

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
