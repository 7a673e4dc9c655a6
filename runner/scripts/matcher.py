"""Named selectors, loaded from data and matched against one parsed hierarchy dump.

Takes a selector file (``runner/scripts/selectors/<app>.yaml``) and gives a validated
:class:`SelectorBook`: for each named element an ordered list of alternatives, the popup-dismiss
buttons, and the screens (recognised by which named elements are present). Matching is pure and
local: no device access, one :class:`~runner.devices.Hierarchy` in, a node (or a name) out.

Guarantees: a bad file is refused as a whole by :func:`load_selectors` with every problem listed
(:class:`SelectorFileError`), so it fails at start, not in the middle of a task. The default file
is read once per process.

Alternative keys (all given keys must hold for a node to match):

- ``text``, ``content_desc``, ``resource_id``: exact string equality after filling templates
  ``{package}`` (the task's app package) and ``{username}`` (the task's target, as data: the value
  is inserted literally, never parsed as a template);
- ``text_prefix``, ``content_desc_prefix``: the attribute starts with the (filled) value;
- ``text_regex``, ``content_desc_regex``: the whole attribute matches the regular expression
  (Python ``re.fullmatch``; no templates, so user data never becomes a pattern);
- ``not_text``, ``not_content_desc``: the attribute must differ from the (filled) value;
- ``class``: the node's class name; ``not_class``: a class name the node must not have;
- ``clickable``, ``focused``, ``selected``, ``enabled``: booleans.

Template fields: ``package``, ``username`` (a follow/unfollow target), ``account`` (the task's
own account), ``caption``, ``comment``, ``file`` (a media file's name on the phone), ``sound``,
``keyword``. Values are inserted literally.

The first alternative that matches any node wins; within it, the first node in document order.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from runner.devices.hierarchy import Hierarchy, Node

DEFAULT_FILE = Path(__file__).with_name("selectors") / "tiktok.yaml"

_STRING_KEYS = {"text": "text", "content_desc": "content_desc", "resource_id": "resource_id"}
_PREFIX_KEYS = {"text_prefix": "text", "content_desc_prefix": "content_desc"}
_REGEX_KEYS = {"text_regex": "text", "content_desc_regex": "content_desc"}
_NOT_KEYS = {"not_text": "text", "not_content_desc": "content_desc"}
_BOOL_KEYS = ("clickable", "focused", "selected", "enabled")
_ALLOWED_KEYS = {
    *_STRING_KEYS,
    *_PREFIX_KEYS,
    *_REGEX_KEYS,
    *_NOT_KEYS,
    "class",
    "not_class",
    *_BOOL_KEYS,
}
TEMPLATE_FIELDS = frozenset(
    {"package", "username", "account", "caption", "comment", "file", "sound", "keyword"}
)


class SelectorFileError(ValueError):
    """A selector file that cannot be used; the message lists every problem with its location."""


@dataclass(frozen=True)
class Alternative:
    """One way to recognise an element: attribute -> expected value (strings may be templates)."""

    fields: tuple[tuple[str, str | bool], ...]

    def matches(self, node: Node, values: Mapping[str, str]) -> bool:
        """True when every field holds for ``node``; ``values`` fills the templates."""
        for key, expected in self.fields:
            if key in _STRING_KEYS:
                assert isinstance(expected, str)
                want = _fill(expected, values)
                if want is None or getattr(node, _STRING_KEYS[key]) != want:
                    return False
            elif key in _PREFIX_KEYS:
                assert isinstance(expected, str)
                want = _fill(expected, values)
                if want is None or not getattr(node, _PREFIX_KEYS[key]).startswith(want):
                    return False
            elif key in _REGEX_KEYS:
                assert isinstance(expected, str)
                if _regex(expected).fullmatch(getattr(node, _REGEX_KEYS[key])) is None:
                    return False
            elif key in _NOT_KEYS:
                assert isinstance(expected, str)
                want = _fill(expected, values)
                if want is not None and getattr(node, _NOT_KEYS[key]) == want:
                    return False
            elif key == "class":
                if node.class_name != expected:
                    return False
            elif key == "not_class":
                if node.class_name == expected:
                    return False
            elif getattr(node, key) is not expected:
                return False
        return True

    def describe(self) -> str:
        """The alternative as written, for logs: ``text='Follow', class='android.widget.Button'``."""
        return ", ".join(f"{k}={v!r}" for k, v in self.fields)


@dataclass(frozen=True)
class Element:
    """A named element: ordered alternatives and the app version it was last seen on."""

    name: str
    alternatives: tuple[Alternative, ...]
    seen_on: str

    def find(self, hierarchy: Hierarchy, values: Mapping[str, str]) -> Node | None:
        """The first node matched by the first alternative that matches anything, or None."""
        for alt in self.alternatives:
            for node in hierarchy.nodes:
                if alt.matches(node, values):
                    return node
        return None

    def find_all(self, hierarchy: Hierarchy, values: Mapping[str, str]) -> list[Node]:
        """Every node matched by the first alternative that matches anything (document order)."""
        for alt in self.alternatives:
            nodes = [n for n in hierarchy.nodes if alt.matches(n, values)]
            if nodes:
                return nodes
        return []


@dataclass(frozen=True)
class Screen:
    """A screen recognised by elements: all of ``all_of`` and at least one of ``any_of``."""

    name: str
    all_of: tuple[str, ...]
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class SelectorBook:
    """A validated selector file. ``source`` is where it was read from (for messages)."""

    source: str
    elements: Mapping[str, Element]
    popups: Element
    screens: tuple[Screen, ...]

    def element(self, name: str) -> Element:
        """The element called ``name``; ``KeyError`` naming the file when there is none."""
        try:
            return self.elements[name]
        except KeyError:
            raise KeyError(f"no selector named {name!r} in {self.source}") from None

    def find(self, hierarchy: Hierarchy, name: str, values: Mapping[str, str]) -> Node | None:
        """The node for the element ``name`` in ``hierarchy``, or None."""
        return self.element(name).find(hierarchy, values)

    def find_all(self, hierarchy: Hierarchy, name: str, values: Mapping[str, str]) -> list[Node]:
        """Every node of the element ``name`` in ``hierarchy`` (see :meth:`Element.find_all`)."""
        return self.element(name).find_all(hierarchy, values)

    def popup(self, hierarchy: Hierarchy, values: Mapping[str, str]) -> Node | None:
        """The dismiss button of a known popup showing in ``hierarchy``, or None."""
        return self.popups.find(hierarchy, values)

    def present(
        self, hierarchy: Hierarchy, names: Iterable[str], values: Mapping[str, str]
    ) -> set[str]:
        """Which of ``names`` are in ``hierarchy``."""
        return {n for n in names if self.find(hierarchy, n, values) is not None}

    def detect_screen(self, hierarchy: Hierarchy, values: Mapping[str, str]) -> str | None:
        """The first screen (in file order) whose elements are present, or None."""
        for screen in self.screens:
            if all(self.find(hierarchy, n, values) for n in screen.all_of) and (
                not screen.any_of or any(self.find(hierarchy, n, values) for n in screen.any_of)
            ):
                return screen.name
        return None


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fill(template: str, values: Mapping[str, str]) -> str | None:
    """``template`` with its fields filled from ``values``, or None when a field it names has no
    value (missing or empty): an element that needs a value nobody gave matches nothing, rather
    than matching every node whose attribute is empty."""
    if "{" not in template:
        return template
    fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    if any(not values.get(f) for f in fields):
        return None
    return template.format_map(values)


def _template_problems(where: str, template: str) -> list[str]:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as e:
        return [f"{where}: bad template {template!r}: {e}"]
    return [
        f"{where}: unknown template field {{{f}}} (known: {', '.join(sorted(TEMPLATE_FIELDS))})"
        for f in fields
        if f not in TEMPLATE_FIELDS
    ]


def _alternative(where: str, raw: Any, problems: list[str]) -> Alternative | None:
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{where}: an alternative must be a non-empty mapping")
        return None
    fields: list[tuple[str, str | bool]] = []
    for key, value in raw.items():
        if key not in _ALLOWED_KEYS:
            problems.append(
                f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(_ALLOWED_KEYS))})"
            )
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                problems.append(f"{where}.{key}: must be true or false")
            else:
                fields.append((key, value))
        elif not isinstance(value, str) or not value:
            problems.append(f"{where}.{key}: must be a non-empty string")
        elif key in _REGEX_KEYS:
            try:
                re.compile(value)
            except re.error as e:
                problems.append(f"{where}.{key}: bad regular expression {value!r}: {e}")
            else:
                fields.append((key, value))
        else:
            problems.extend(_template_problems(f"{where}.{key}", value))
            fields.append((key, value))
    return Alternative(tuple(fields))


def _element(where: str, name: str, raw: Any, problems: list[str]) -> Element | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a mapping with 'alternatives' and 'seen_on'")
        return None
    unknown = set(raw) - {"alternatives", "seen_on", "note"}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    seen_on = raw.get("seen_on")
    if not isinstance(seen_on, str) or not seen_on:
        problems.append(f"{where}.seen_on: the app version it was last seen on is required")
    alts_raw = raw.get("alternatives")
    if not isinstance(alts_raw, Sequence) or isinstance(alts_raw, str) or not alts_raw:
        problems.append(f"{where}.alternatives: must be a non-empty list")
        return None
    alts = [_alternative(f"{where}.alternatives[{i}]", a, problems) for i, a in enumerate(alts_raw)]
    return Element(name, tuple(a for a in alts if a), str(seen_on or ""))


def parse_selectors(data: Any, *, source: str) -> SelectorBook:
    """Validate already-loaded selector data; raises :class:`SelectorFileError` listing every
    problem (each prefixed with its location in the file)."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise SelectorFileError(f"{source}: must be a mapping with elements, popups and screens")
    unknown = set(data) - {"app", "packages", "elements", "popups", "screens"}
    if unknown:
        problems.append(f"unknown top-level keys {sorted(unknown)}")

    elements: dict[str, Element] = {}
    raw_elements = data.get("elements")
    if not isinstance(raw_elements, Mapping) or not raw_elements:
        problems.append("elements: must be a non-empty mapping")
        raw_elements = {}
    for name, raw in raw_elements.items():
        el = _element(f"elements.{name}", str(name), raw, problems)
        if el:
            elements[str(name)] = el

    popups = _element("popups", "popup", data.get("popups"), problems)

    screens: list[Screen] = []
    raw_screens = data.get("screens")
    if not isinstance(raw_screens, Mapping) or not raw_screens:
        problems.append("screens: must be a non-empty mapping")
        raw_screens = {}
    for name, raw in raw_screens.items():
        where = f"screens.{name}"
        if not isinstance(raw, Mapping) or set(raw) - {"all_of", "any_of"} or not raw:
            problems.append(f"{where}: must be a mapping with all_of and/or any_of")
            continue
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("all_of", "any_of"):
            names = raw.get(key, [])
            if not isinstance(names, Sequence) or isinstance(names, str):
                problems.append(f"{where}.{key}: must be a list of element names")
                names = []
            for n in names:
                if n not in raw_elements:
                    problems.append(f"{where}.{key}: no element named {n!r}")
            lists[key] = tuple(str(n) for n in names)
        if not lists["all_of"] and not lists["any_of"]:
            problems.append(f"{where}: names no element (it would match every dump)")
        screens.append(Screen(str(name), lists["all_of"], lists["any_of"]))

    if problems:
        raise SelectorFileError(
            f"{source}: bad selector file:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    assert popups is not None
    return SelectorBook(source, elements, popups, tuple(screens))


def load_selectors(path: Path | None = None) -> SelectorBook:
    """Read and validate a selector file (default: the shipped ``selectors/tiktok.yaml``).

    YAML 1.2 safe loader. Raises :class:`SelectorFileError` for an unreadable or invalid file.
    The default file is read once per process and cached; call this at start so a bad file stops
    the runner before any task.
    """
    if path is None:
        return _load_default()
    return _load(path)


@functools.cache
def _load_default() -> SelectorBook:
    return _load(DEFAULT_FILE)


def _load(path: Path) -> SelectorBook:
    try:
        text = path.read_text(encoding="utf-8")
        data = YAML(typ="safe", pure=True).load(text)
    except (OSError, UnicodeDecodeError, YAMLError) as e:
        raise SelectorFileError(f"{path}: cannot read selector file: {e}") from e
    return parse_selectors(data, source=str(path))
