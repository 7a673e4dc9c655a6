"""Named selectors, loaded from data and matched against one parsed hierarchy dump.

Takes a selector file (``runner/scripts/selectors/<app>.yaml``), the locale files
(``runner/scripts/locales/*.yaml``, :mod:`runner.scripts.language`) and optional operator
overrides (``selectors:`` in tikrunner.yaml); gives a validated :class:`SelectorBook`: for each
named element an ordered list of alternatives, the popup-dismiss buttons, the screens
(recognised by which named elements are present) and the push-back screens (``pushback``: the
same shape, named by :data:`runner.errors.PUSHBACK_KINDS`). Matching is pure and local: no device access,
one :class:`~runner.devices.Hierarchy` in, a node (or a name) out.

Guarantees: a bad file is refused as a whole by :func:`load_selectors` with every problem listed
one per line, each with its file and key (:class:`SelectorFileError`), so it fails at start, not
in the middle of a task. The built-in files are read once per process.

**Which nodes count.** Only nodes of the app's package (the task's ``{package}``) are matched,
unless an alternative names another ``package`` (Android's crash dialog is package ``android``):
the systemui window of a real dump has its own ``Home``, ``Back`` and battery texts.

**How texts compare.** ``text`` and ``content_desc`` are compared normalised on both sides
(:func:`runner.devices.hierarchy.normalize`: surrounding spaces stripped, no-break spaces read as
spaces, bidi marks ignored, ``’`` read as ``'``); resource ids and class names exactly.

Alternative keys (all given keys must hold for a node to match):

- ``text``, ``content_desc``, ``resource_id``: equality after filling templates;
- ``text_prefix``, ``content_desc_prefix``: the attribute starts with the (filled) value;
- ``text_contains``, ``content_desc_contains``: the attribute contains the (filled) value;
- ``text_regex``, ``content_desc_regex``: the whole (normalised) attribute matches the regular
  expression (``re.fullmatch``); only UI-string fields are filled in a pattern, each as an
  escaped alternation, so user data never becomes a pattern;
- ``not_text``, ``not_content_desc``, ``not_resource_id``: the attribute must differ;
  ``not_text_regex``, ``not_content_desc_regex``: the attribute must not match the pattern;
- ``class`` / ``not_class``: the node's class name is / is not this one;
- ``package`` (template) / ``package_regex``: which window the node must belong to (default:
  ``{package}``);
- ``clickable``, ``focused``, ``selected``, ``enabled``, ``checked``: booleans;
- ``control: true``: the node is the only text of the control a tap on it lands on (itself when
  clickable, else its nearest clickable ancestor): a button's label, never a counter's label
  (real profiles label a counter ``Following`` too, next to its number);
- ``within: ELEMENT``: the node lies in the subtree of ELEMENT's node (a gallery tile in the grid);
  ``not_within: ELEMENT``: it lies in none of the subtrees of ELEMENT's nodes (every node of
  ELEMENT's first matching alternative: the bottom bar's tabs read ``Friends`` too);
- ``beside: ELEMENT``: the node is on the same row as ELEMENT's node and right of it; the nearest
  such node wins (the comment sheet's send button has no words, only an unresolved string id).

Templates ``{field}`` in string values: a *value field* (:data:`TEMPLATE_FIELDS`: the task's
``package``, the target ``username``, ...) is inserted literally, as data; any other field is a
*UI string key* of the locale files (``{follow}`` is ``Follow`` in English, ``Suivre`` in
French), filled with every variant of the task's language (of every language while the language
is not known yet). A value field with no value makes the alternative match nothing, except
:data:`ANY`, which matches any text (``tikrunner inspect`` without ``--target``).

The first alternative that matches any node wins; within it, the first node in document order.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from runner.devices.hierarchy import Hierarchy, Node, normalize
from runner.errors import PUSHBACK_KINDS
from runner.scripts.language import (
    LOCALES_DIR,
    Language,
    LocaleFileError,
    LocaleGuess,
    Locales,
    load_locales,
    parse_language,
    read_yaml,
)

DEFAULT_FILE = Path(__file__).with_name("selectors") / "tiktok.yaml"

_EXACT = {"text": "ntext", "content_desc": "ndesc", "resource_id": "resource_id"}
_PREFIX = {"text_prefix": "ntext", "content_desc_prefix": "ndesc"}
_CONTAINS = {"text_contains": "ntext", "content_desc_contains": "ndesc"}
_REGEX = {"text_regex": "ntext", "content_desc_regex": "ndesc", "package_regex": "package"}
_NOT = {"not_text": "ntext", "not_content_desc": "ndesc", "not_resource_id": "resource_id"}
_NOT_REGEX = {"not_text_regex": "ntext", "not_content_desc_regex": "ndesc"}
_BOOL_KEYS = ("clickable", "focused", "selected", "enabled", "checked", "scrollable", "control")
#: A UI-string field in a pattern: ``{name}`` (``{1,3}`` is a quantifier, not a field).
_REGEX_FIELD = re.compile(r"\{([A-Za-z_]\w*)\}")
_ALLOWED_KEYS = {
    *_EXACT,
    *_PREFIX,
    *_CONTAINS,
    *_REGEX,
    *_NOT,
    *_NOT_REGEX,
    "not_within",
    "class",
    "not_class",
    "package",
    "beside",
    "within",
    *_BOOL_KEYS,
}
#: Value fields: filled from the task, inserted literally.
TEMPLATE_FIELDS = frozenset(
    {
        "package",
        "username",
        "account",
        "caption",
        "comment",
        "file",
        "sound",
        "keyword",
        "value",
        "dm",
    }
)


class _Any:
    def __repr__(self) -> str:
        return "ANY"


#: A value that matches any text where a value field stands (``profile_handle`` is
#: ``@{username}``: with ANY it finds any ``@handle``).
ANY: Any = _Any()


class SelectorFileError(ValueError):
    """A selector (or locale, or override) file that cannot be used; the message lists every
    problem, one per line, each starting with the file and the key."""


@dataclass
class Values:
    """What fills the templates of one match: value fields (:data:`TEMPLATE_FIELDS`) and the
    language of the UI strings (``locale`` None: every language's strings)."""

    fields: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self.fields[name] = value


def _as_values(values: Values | Mapping[str, Any] | None) -> Values:
    if isinstance(values, Values):
        return values
    return Values(dict(values or {}))


@functools.cache
def _template(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((lit, f) for lit, f, _, _ in string.Formatter().parse(template))


class _Filler:
    """Fills templates for one match (cached per template within it)."""

    def __init__(self, locales: Locales, values: Values) -> None:
        self.locales = locales
        self.values = values
        self._cache: dict[tuple[str, bool], Any] = {}

    def strings(self, template: str) -> tuple[str | re.Pattern[str], ...] | None:
        """The candidates ``template`` stands for: plain strings, or patterns where a field is
        ANY; None when a value field has no value (match nothing)."""
        key = (template, False)
        if key in self._cache:
            return self._cache[key]
        options: list[list[Any]] = []
        for lit, f in _template(template):
            part: list[Any] = [lit] if lit else []
            if f is None:
                options.append(part or [""])
                continue
            if f in TEMPLATE_FIELDS:
                v = self.values.get(f)
                if v is ANY:
                    if not lit and len(_template(template)) == 1:
                        # a bare "{username}" would match every text: too vague to report
                        self._cache[key] = None
                        return None
                    choices: list[Any] = [ANY]
                elif not v:
                    self._cache[key] = None
                    return None
                else:
                    choices = [normalize(str(v))]
            else:
                choices = list(self.locales.variants(f, self.values.locale))
                if not choices:
                    self._cache[key] = None
                    return None
            options.append([(lit, c) for c in choices])
        out: list[str | re.Pattern[str]] = []
        for combo in itertools.product(*options):
            pieces: list[Any] = []
            for item in combo:
                if isinstance(item, tuple):
                    pieces.extend(item)
                else:
                    pieces.append(item)
            if any(p is ANY for p in pieces):
                out.append(re.compile("".join(".+" if p is ANY else re.escape(p) for p in pieces)))
            else:
                out.append(normalize("".join(pieces)))
        result = tuple(out)
        self._cache[key] = result
        return result

    def pattern(self, template: str) -> re.Pattern[str] | None:
        """A regex template with its UI-string fields (``{name}``; quantifiers such as ``{1,3}``
        stay) filled as escaped alternations; None when a string has no variant."""
        key = (template, True)
        if key in self._cache:
            return self._cache[key]
        missing = False

        def fill(mt: re.Match[str]) -> str:
            nonlocal missing
            choices = self.locales.variants(mt.group(1), self.values.locale)
            if not choices:
                missing = True
                return ""
            return "(?:" + "|".join(re.escape(c) for c in choices) + ")"

        filled = _REGEX_FIELD.sub(fill, template)
        result = None if missing else _regex(filled)
        self._cache[key] = result
        return result


class Match:
    """One matching context: a dump, the template values, and the book (for ``beside``)."""

    def __init__(self, book: SelectorBook, hierarchy: Hierarchy, values: Values) -> None:
        self.book = book
        self.hierarchy = hierarchy
        self.values = values
        self.filler = _Filler(book.locales, values)
        self._found: dict[str, Node | None] = {}
        self._all: dict[str, list[Node]] = {}
        pkg = values.get("package")
        self.package = pkg if isinstance(pkg, str) and pkg else book.app_package(hierarchy)

    def elements(self, name: str) -> list[Node]:
        """Every node of element ``name`` (its first matching alternative), cached."""
        key = "*" + name
        if key not in self._all:
            self._all[key] = []
            self._all[key] = self.book.element(name).find_all_in(self)
        return self._all[key]

    def element(self, name: str) -> Node | None:
        if name not in self._found:
            self._found[name] = None  # a cycle of ``beside`` finds nothing
            self._found[name] = self.book.element(name).find_in(self)
        return self._found[name]


def _holds(candidates: Iterable[str | re.Pattern[str]], value: str, how: str) -> bool:
    """Whether ``value`` equals (``how`` "eq"), starts with ("prefix") or contains ("contains")
    one of ``candidates``; a pattern (from ANY) is matched whole, at the start, or anywhere."""
    for c in candidates:
        if isinstance(c, str):
            if (
                value == c
                if how == "eq"
                else value.startswith(c)
                if how == "prefix"
                else c in value
            ):
                return True
        elif (c.fullmatch if how == "eq" else c.match if how == "prefix" else c.search)(value):
            return True
    return False


def _eq(candidates: Iterable[str | re.Pattern[str]], value: str) -> bool:
    return _holds(candidates, value, "eq")


def _is_control_label(h: Hierarchy, node: Node) -> bool:
    control = h.control_of(node)
    if control is None:
        return False
    for other in h.subtree(control):
        if node.index <= other.index < node.end:
            continue
        if other.ntext:
            return False
    return True


@dataclass(frozen=True)
class Alternative:
    """One way to recognise an element: attribute -> expected value (strings may be templates)."""

    fields: tuple[tuple[str, str | bool], ...]

    @functools.cached_property
    def _beside(self) -> str | None:
        return next((str(v) for k, v in self.fields if k == "beside"), None)

    @functools.cached_property
    def _within(self) -> str | None:
        return next((str(v) for k, v in self.fields if k == "within"), None)

    @functools.cached_property
    def _package(self) -> tuple[str, str] | None:
        for k, v in self.fields:
            if k in ("package", "package_regex"):
                return k, str(v)
        return None

    def matches(self, node: Node, m: Match) -> bool:
        """True when every field holds for ``node`` in the match context ``m``."""
        pkg = self._package
        if pkg is None:
            if node.package != m.package:
                return False
        elif pkg[0] == "package":
            cands = m.filler.strings(pkg[1])
            if cands is None or not _eq(cands, node.package):
                return False
        for key, expected in self.fields:
            if key in _EXACT:
                cands = m.filler.strings(str(expected))
                if cands is None or not _eq(cands, getattr(node, _EXACT[key])):
                    return False
            elif key in _PREFIX:
                cands = m.filler.strings(str(expected))
                if cands is None or not _holds(cands, getattr(node, _PREFIX[key]), "prefix"):
                    return False
            elif key in _CONTAINS:
                cands = m.filler.strings(str(expected))
                if cands is None or not _holds(cands, getattr(node, _CONTAINS[key]), "contains"):
                    return False
            elif key in _REGEX:
                pattern = m.filler.pattern(str(expected))
                if pattern is None or pattern.fullmatch(getattr(node, _REGEX[key])) is None:
                    return False
            elif key in _NOT:
                cands = m.filler.strings(str(expected))
                if cands is not None and _eq(cands, getattr(node, _NOT[key])):
                    return False
            elif key in _NOT_REGEX:
                pattern = m.filler.pattern(str(expected))
                if pattern is not None and pattern.fullmatch(getattr(node, _NOT_REGEX[key])):
                    return False
            elif key == "not_within":
                for outer in m.elements(str(expected)):
                    if outer.index <= node.index < outer.end:
                        return False
            elif key == "class":
                if node.class_name != expected:
                    return False
            elif key == "not_class":
                if node.class_name == expected:
                    return False
            elif key == "control":
                if _is_control_label(m.hierarchy, node) is not expected:
                    return False
            elif key in ("package", "package_regex", "beside", "within"):
                continue
            elif getattr(node, key) is not expected:
                return False
        return True

    @functools.cached_property
    def _exact(self) -> tuple[str, str] | None:
        """The first exact key (``text``, ``content_desc``, ``resource_id``) as (the node field it
        compares, its template), or None: the nodes worth testing are found by it."""
        for k, v in self.fields:
            if k in _EXACT:
                return _EXACT[k], str(v)
        return None

    def _pool(self, m: Match) -> Sequence[Node] | None:
        """The nodes that can match, in document order: those whose field of :attr:`_exact`
        equals one of its filled values (looked up in the hierarchy's index), else every node;
        None when the template has no value (then no node matches)."""
        if self._exact is None:
            return m.hierarchy.nodes
        attr, template = self._exact
        cands = m.filler.strings(template)
        if cands is None:
            return None
        if not all(isinstance(c, str) for c in cands):  # a pattern (ANY): test every node
            return m.hierarchy.nodes
        index = m.hierarchy.index(attr)
        if len(cands) == 1:
            return index.get(cands[0], ())  # type: ignore[arg-type]
        found = {n.index: n for c in set(cands) for n in index.get(c, ())}  # type: ignore[arg-type]
        return [found[i] for i in sorted(found)]

    def candidates(self, m: Match) -> list[Node]:
        """Every node this alternative matches in ``m``, in the order the element picks them:
        document order, or nearest first for ``beside``."""
        pool: Sequence[Node] | None
        if self._within is not None:
            outer = m.element(self._within)
            if outer is None:
                return []
            pool = m.hierarchy.subtree(outer)[1:]
        else:
            pool = self._pool(m)
            if pool is None:
                return []
        nodes = [n for n in pool if self.matches(n, m)]
        if self._beside is None or not nodes:
            return nodes
        anchor = m.element(self._beside)
        if anchor is None:
            return []
        a = anchor.bounds
        row = [
            n
            for n in nodes
            if n is not anchor
            and n.bounds.left >= a.right - 8
            and a.top <= n.bounds.center[1] <= a.bottom + (a.bottom - a.top) // 2
        ]
        return sorted(row, key=lambda n: (n.bounds.left - a.right, n.index))

    def describe(self) -> str:
        """The alternative as written, for logs: ``text='Follow', class='android.widget.Button'``."""
        return ", ".join(f"{k}={v!r}" for k, v in self.fields)


@dataclass(frozen=True)
class Element:
    """A named element: ordered alternatives and the app builds it was last checked against."""

    name: str
    alternatives: tuple[Alternative, ...]
    seen_on: str

    def find_in(self, m: Match) -> Node | None:
        """The first node of the first alternative that matches anything, or None."""
        for alt in self.alternatives:
            nodes = alt.candidates(m)
            if nodes:
                return nodes[0]
        return None

    def find_all_in(self, m: Match) -> list[Node]:
        """Every node of the first alternative that matches anything."""
        for alt in self.alternatives:
            nodes = alt.candidates(m)
            if nodes:
                return nodes
        return []


@dataclass(frozen=True)
class Screen:
    """A screen recognised by elements: all of ``all_of``, at least one of ``any_of`` and none of
    ``none_of``. ``report`` is the name ``tikrunner inspect`` shows (dialogs and sheets over a
    screen report as ``popup``); ``expects`` the elements the screen should show."""

    name: str
    all_of: tuple[str, ...]
    any_of: tuple[str, ...]
    none_of: tuple[str, ...] = ()
    report: str = ""
    expects: tuple[str, ...] = ()

    @property
    def reported(self) -> str:
        return self.report or self.name


@dataclass(frozen=True)
class SelectorBook:
    """A validated selector file with its languages. ``source`` is where it was read from."""

    source: str
    app: str
    packages: tuple[str, ...]
    elements: Mapping[str, Element]
    popups: Element
    screens: tuple[Screen, ...]
    locales: Locales
    #: The push-back screens (the file's ``pushback`` section): each a :class:`Screen` whose name
    #: is a :class:`runner.errors.PushBack` kind, in file order.
    pushbacks: tuple[Screen, ...] = ()

    def element(self, name: str) -> Element:
        """The element called ``name``; ``KeyError`` naming the file when there is none."""
        try:
            return self.elements[name]
        except KeyError:
            raise KeyError(f"no selector named {name!r} in {self.source}") from None

    def match(self, hierarchy: Hierarchy, values: Values | Mapping[str, Any] | None) -> Match:
        """A matching context over ``hierarchy``: element lookups in it are cached."""
        return Match(self, hierarchy, _as_values(values))

    def find(
        self, hierarchy: Hierarchy, name: str, values: Values | Mapping[str, Any] | None
    ) -> Node | None:
        """The node for the element ``name`` in ``hierarchy``, or None."""
        return self.match(hierarchy, values).element(name)

    def find_all(
        self, hierarchy: Hierarchy, name: str, values: Values | Mapping[str, Any] | None
    ) -> list[Node]:
        """Every node of the element ``name`` in ``hierarchy`` (see :meth:`Element.find_all_in`)."""
        return self.element(name).find_all_in(self.match(hierarchy, values))

    def popup(self, hierarchy: Hierarchy, values: Values | Mapping[str, Any] | None) -> Node | None:
        """The dismiss button of a known popup showing in ``hierarchy``, or None."""
        return self.popups.find_in(self.match(hierarchy, values))

    def present(
        self, hierarchy: Hierarchy, names: Iterable[str], values: Values | Mapping[str, Any] | None
    ) -> set[str]:
        """Which of ``names`` are in ``hierarchy``."""
        m = self.match(hierarchy, values)
        return {n for n in names if m.element(n) is not None}

    def screen_in(self, m: Match) -> Screen | None:
        """The first screen (in file order) whose elements are present in ``m``, or None."""
        for screen in self.screens:
            if _shows(m, screen):
                return screen
        return None

    def pushback(
        self, hierarchy: Hierarchy, values: Values | Mapping[str, Any] | None
    ) -> tuple[str, Node] | None:
        """The push-back ``hierarchy`` shows, as (kind, the node that says it: the first element
        of its ``all_of``, else of its ``any_of``, that is present), or None.

        A toast is not in a window dump (uiautomator2 reads it from accessibility events:
        ``d.last_toast``); :func:`toast_hierarchy` makes one a hierarchy to look at here."""
        if not self.pushbacks:
            return None
        m = self.match(hierarchy, values)
        for screen in self.pushbacks:
            if _shows(m, screen):
                for name in (*screen.all_of, *screen.any_of):
                    node = m.element(name)
                    if node is not None:
                        return screen.name, node
        return None

    def detect_screen(
        self, hierarchy: Hierarchy, values: Values | Mapping[str, Any] | None
    ) -> str | None:
        """The name of the screen ``hierarchy`` shows (see :meth:`screen_in`), or None."""
        screen = self.screen_in(self.match(hierarchy, values))
        return screen.name if screen else None

    def detect_locale(
        self, hierarchy: Hierarchy, package: str, hint: str | None = None
    ) -> LocaleGuess:
        """The app's language in ``hierarchy`` (:meth:`runner.scripts.language.Locales.detect`)."""
        return self.locales.detect(hierarchy, package, hint)

    def wordless_dialog(self, hierarchy: Hierarchy, package: str) -> bool:
        """True when the app's topmost window shows nothing at all: no text, no content-desc,
        nothing clickable (TikTok's update prompt, tt4314_fr_update_prompt: only the back key
        dismisses it). A dump without any node of the app (a black launch screen) is not one."""
        roots = [n for n in hierarchy.nodes if n.parent < 0 and n.package == package]
        if not roots:
            return False
        return not any(n.ntext or n.ndesc or n.clickable for n in hierarchy.subtree(roots[-1]))

    def app_package(self, hierarchy: Hierarchy) -> str:
        """Which of the book's packages the dump shows most of (the first when none)."""
        counts = hierarchy.packages()
        best = max(self.packages, key=lambda p: counts.get(p, 0))
        return best if counts.get(best, 0) else self.packages[0]


def _shows(m: Match, screen: Screen) -> bool:
    return (
        all(m.element(n) for n in screen.all_of)
        and (not screen.any_of or any(m.element(n) for n in screen.any_of))
        and not any(m.element(n) for n in screen.none_of)
    )


#: The class a toast's node has in :func:`toast_hierarchy` (Appium's UiAutomator2 driver shows
#: toasts in its page source as ``android.widget.Toast`` too).
TOAST_CLASS = "android.widget.Toast"


def toast_hierarchy(text: str, package: str) -> Hierarchy:
    """A one-node hierarchy holding a toast's ``text`` as a node of ``package`` (class
    :data:`TOAST_CLASS`), so toasts are matched by the same selectors and normalisation as
    screens. Toasts never appear in a window dump: the uiautomator server keeps the last one
    from its accessibility events (``TYPE_NOTIFICATION_STATE_CHANGED`` whose data is not a
    Notification; openatx/android-uiautomator-server, AccessibilityEventListener), and
    uiautomator2 reads it with ``getLastToast`` (``d.last_toast``)."""
    from xml.sax.saxutils import quoteattr

    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0">'
        f'<node index="0" text={quoteattr(text)} resource-id="" class="{TOAST_CLASS}" '
        f'package={quoteattr(package)} content-desc="" clickable="false" enabled="true" '
        'focused="false" selected="false" checked="false" scrollable="false" '
        'bounds="[0,0][0,0]"/></hierarchy>'
    )
    return Hierarchy.parse(xml)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --------------------------------------------------------------------------------- loading


def _template_problems(where: str, template: str, keys: set[str], *, regex: bool) -> list[str]:
    if regex:
        fields = _REGEX_FIELD.findall(template)
    else:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as e:
            return [f"{where}: bad template {template!r}: {e}"]
    problems = []
    for f in fields:
        if f in TEMPLATE_FIELDS:
            if regex:
                problems.append(
                    f"{where}: value field {{{f}}} is not allowed in a pattern (user data "
                    "must never become a regular expression)"
                )
        elif f not in keys:
            problems.append(
                f"{where}: {{{f}}} is neither a value field ({', '.join(sorted(TEMPLATE_FIELDS))})"
                " nor a UI string of the en locale file"
            )
    return problems


def _alternative(where: str, raw: Any, keys: set[str], problems: list[str]) -> Alternative | None:
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
        elif key in _REGEX or key in _NOT_REGEX:
            bad = _template_problems(f"{where}.{key}", value, keys, regex=True)
            problems.extend(bad)
            if not bad:
                probe = _REGEX_FIELD.sub("x", value)
                try:
                    re.compile(probe)
                except re.error as e:
                    problems.append(f"{where}.{key}: bad regular expression {value!r}: {e}")
                else:
                    fields.append((key, value))
        elif key in ("beside", "within", "not_within"):
            fields.append((key, value))
        else:
            problems.extend(_template_problems(f"{where}.{key}", value, keys, regex=False))
            fields.append((key, value))
    return Alternative(tuple(fields))


def _element(
    where: str, name: str, raw: Any, keys: set[str], problems: list[str]
) -> Element | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a mapping with 'alternatives' and 'seen_on'")
        return None
    unknown = set(raw) - {"alternatives", "seen_on", "note"}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    seen_on = raw.get("seen_on")
    if not isinstance(seen_on, str) or not seen_on:
        problems.append(
            f"{where}.seen_on: the app build and dump it was checked against is required"
        )
    alts_raw = raw.get("alternatives")
    if not isinstance(alts_raw, Sequence) or isinstance(alts_raw, str) or not alts_raw:
        problems.append(f"{where}.alternatives: must be a non-empty list")
        return None
    alts = [
        _alternative(f"{where}.alternatives[{i}]", a, keys, problems)
        for i, a in enumerate(alts_raw)
    ]
    return Element(name, tuple(a for a in alts if a), str(seen_on or ""))


_SCREEN_KEYS = ("all_of", "any_of", "none_of", "expects")


def _screen(where: str, name: str, raw: Any, names: set[str], problems: list[str]) -> Screen | None:
    if not isinstance(raw, Mapping) or set(raw) - {*_SCREEN_KEYS, "report"} or not raw:
        problems.append(
            f"{where}: must be a mapping with all_of, any_of, none_of, expects and/or report"
        )
        return None
    lists: dict[str, tuple[str, ...]] = {}
    for key in _SCREEN_KEYS:
        items = raw.get(key, [])
        if not isinstance(items, Sequence) or isinstance(items, str):
            problems.append(f"{where}.{key}: must be a list of element names")
            items = []
        for n in items:
            if n not in names:
                problems.append(f"{where}.{key}: no element named {n!r}")
        lists[key] = tuple(str(n) for n in items)
    if not lists["all_of"] and not lists["any_of"]:
        problems.append(
            f"{where}: names no element in all_of or any_of (it would match every dump)"
        )
    report = raw.get("report", "")
    if not isinstance(report, str):
        problems.append(f"{where}.report: must be a screen name")
        report = ""
    return Screen(
        name, lists["all_of"], lists["any_of"], lists["none_of"], report, lists["expects"]
    )


_TOP_KEYS = {"app", "packages", "elements", "popups", "screens", "pushback", "strings"}


def _merge(
    base: dict[str, Any], patch: Mapping[str, Any], source: str, problems: list[str]
) -> None:
    """Merge an override file's data into ``base``: elements and screens one by one, popups as a
    whole, ``strings: {lang: {key: text}}`` key by key."""
    for key in sorted(set(patch) - _TOP_KEYS):
        problems.append(
            f"{source}: {key}: unknown top-level key (allowed: {', '.join(sorted(_TOP_KEYS))})"
        )
    for section in ("elements", "screens", "pushback"):
        raw = patch.get(section)
        if raw is None:
            continue
        if not isinstance(raw, Mapping):
            problems.append(f"{source}: {section}: must be a mapping of name to definition")
            continue
        merged = dict(base.get(section) or {})
        merged.update(raw)
        base[section] = merged
    if "popups" in patch:
        base["popups"] = patch["popups"]


def _override_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def parse_selectors(
    data: Any,
    *,
    source: str,
    locales: Locales | None = None,
    overrides: Sequence[tuple[str, Any]] = (),
) -> SelectorBook:
    """Validate already-loaded selector data (with ``overrides``: (source, data) pairs merged
    over it in order); raises :class:`SelectorFileError` listing every problem, one per line,
    each prefixed with its file and location."""
    if locales is None:
        locales = load_locales()
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise SelectorFileError(f"{source}: must be a mapping with elements, popups and screens")
    for key in sorted(set(data) - _TOP_KEYS):
        problems.append(f"{source}: {key}: unknown top-level key")
    merged: dict[str, Any] = dict(data)
    origin: dict[str, str] = {}
    raw_elements = data.get("elements")
    if isinstance(raw_elements, Mapping):
        origin.update({str(n): source for n in raw_elements})
    for src, patch in overrides:
        if not isinstance(patch, Mapping):
            problems.append(f"{src}: must be a mapping with elements, screens, popups or strings")
            continue
        _merge(merged, patch, src, problems)
        for section in ("elements", "screens", "pushback"):
            if isinstance(patch.get(section), Mapping):
                origin.update(
                    {
                        f"{section}.{n}" if section != "elements" else str(n): src
                        for n in patch[section]
                    }
                )
        if "popups" in patch:
            origin["popups"] = src

    keys = locales.keys()
    elements: dict[str, Element] = {}
    raw_elements = merged.get("elements")
    if not isinstance(raw_elements, Mapping) or not raw_elements:
        problems.append(f"{source}: elements: must be a non-empty mapping")
        raw_elements = {}
    for name, raw in raw_elements.items():
        src = origin.get(str(name), source)
        el = _element(f"{src}: elements.{name}", str(name), raw, keys, problems)
        if el:
            elements[str(name)] = el
    for name, el in elements.items():
        for i, alt in enumerate(el.alternatives):
            for k, v in alt.fields:
                if k in ("beside", "within", "not_within") and v not in elements:
                    problems.append(
                        f"{origin.get(name, source)}: elements.{name}.alternatives[{i}].{k}: "
                        f"no element named {v!r}"
                    )

    popups = _element(
        f"{origin.get('popups', source)}: popups", "popup", merged.get("popups"), keys, problems
    )

    screens: list[Screen] = []
    raw_screens = merged.get("screens")
    if not isinstance(raw_screens, Mapping) or not raw_screens:
        problems.append(f"{source}: screens: must be a non-empty mapping")
        raw_screens = {}
    for name, raw in raw_screens.items():
        src = origin.get(f"screens.{name}", source)
        sc = _screen(f"{src}: screens.{name}", str(name), raw, set(raw_elements), problems)
        if sc:
            screens.append(sc)

    pushbacks: list[Screen] = []
    raw_pushback = merged.get("pushback") or {}
    if not isinstance(raw_pushback, Mapping):
        problems.append(f"{source}: pushback: must be a mapping of push-back kind to screen")
        raw_pushback = {}
    for name, raw in raw_pushback.items():
        src = origin.get(f"pushback.{name}", source)
        if name not in PUSHBACK_KINDS:
            problems.append(
                f"{src}: pushback.{name}: unknown push-back kind (known: "
                f"{', '.join(PUSHBACK_KINDS)})"
            )
            continue
        sc = _screen(f"{src}: pushback.{name}", str(name), raw, set(raw_elements), problems)
        if sc:
            pushbacks.append(sc)

    packages = merged.get("packages")
    if (
        not isinstance(packages, list)
        or not packages
        or not all(isinstance(p, str) for p in packages)
    ):
        problems.append(f"{source}: packages: must be a non-empty list of app packages")
        packages = ["com.zhiliaoapp.musically"]
    if problems:
        raise SelectorFileError("bad selector file:\n" + "\n".join(f"  {p}" for p in problems))
    assert popups is not None
    return SelectorBook(
        source, str(merged.get("app") or "app"), tuple(packages), elements, popups,
        tuple(screens), locales, tuple(pushbacks),
    )  # fmt: skip


def load_selectors(path: Path | None = None, overrides: Sequence[Path] = ()) -> SelectorBook:
    """Read and validate a selector file (default: the shipped ``selectors/tiktok.yaml``) with
    the locale files, then the operator's ``overrides`` (files, or folders of ``*.yaml``),
    merged element by element in order.

    An override file has the selector file's shape, every part optional: ``elements`` (each
    replaces the built-in element of that name, or adds one), ``screens`` (likewise),
    ``popups`` (replaces the list), ``pushback`` (each kind replaces the built-in one) and ``strings: {<language>: {<key>: text}}`` (UI strings
    added or replaced per key; a new language code adds a language).

    Raises :class:`SelectorFileError` for an unreadable or invalid file, listing every problem
    (file and key, one per line). The built-in book is cached; call this at start so a bad file
    stops the runner before any task.
    """
    if path is None and not overrides:
        return _load_default()
    return _load(path or DEFAULT_FILE, tuple(overrides))


@functools.cache
def _load_default() -> SelectorBook:
    return _load(DEFAULT_FILE, ())


def _read(path: Path, problems: list[str]) -> Any:
    try:
        return read_yaml(path)
    except (OSError, UnicodeDecodeError, YAMLError) as e:
        problems.append(
            f"{path}: cannot read: {str(e).splitlines()[0] if str(e) else type(e).__name__}"
        )
        return None


def _load(path: Path, overrides: tuple[Path, ...]) -> SelectorBook:
    problems: list[str] = []
    data = _read(path, problems)
    patches: list[tuple[str, Any]] = []
    extra: list[Language] = []
    for o in overrides:
        if not o.exists():
            problems.append(f"{o}: no such file or folder (selectors: in the config)")
            continue
        for f in _override_files(o):
            patch = _read(f, problems)
            if patch is None:
                continue
            if isinstance(patch, Mapping) and "strings" in patch:
                strings = patch["strings"]
                if not isinstance(strings, Mapping):
                    problems.append(f"{f}: strings: must map a language code to its strings")
                else:
                    for code, table in strings.items():
                        lang = parse_language(
                            {"language": code, "strings": table},
                            source=f"{f}: strings.{code}",
                            problems=problems,
                        )
                        if lang:
                            extra.append(lang)
            patches.append((str(f), patch))
    try:
        locales = load_locales(LOCALES_DIR, extra)
    except LocaleFileError as e:
        problems.extend(str(e).splitlines())
        locales = None
    if problems or data is None or locales is None:
        raise SelectorFileError("bad selector file:\n" + "\n".join(f"  {p}" for p in problems))
    return parse_selectors(data, source=str(path), locales=locales, overrides=patches)
