"""What a screen shows, in the selector file's vocabulary: the analysis behind ``tikrunner
inspect`` (issue "Real TikTok", point 3), made with the same matching code the scripts use.

Takes one parsed dump (a saved ``hierarchy.xml``, an artifact, or a live phone's) and a
:class:`~runner.scripts.matcher.SelectorBook`; gives :class:`ScreenReport`: the screen
recognised, the app's language, each named element found (the node a script would tap, as the
selectors choose it: the first alternative that matches, the first node of it in document order),
and the elements that screen should have but that were not found. Pure: no device access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runner.devices.hierarchy import Hierarchy, Node
from runner.scripts.matcher import ANY, SelectorBook, Values

#: The screen a popup's dismiss button makes of any dump (a dialog or sheet over a screen), except
#: the comments sheet, which keeps its own name.
POPUP = "popup"


@dataclass(frozen=True)
class FoundElement:
    """One element found: the node's bounds ``[left, top, right, bottom]`` (pixels) and its
    text, content-desc and resource id as dumped (not normalised)."""

    bounds: tuple[int, int, int, int]
    text: str
    content_desc: str
    resource_id: str
    class_name: str

    @classmethod
    def of(cls, node: Node) -> FoundElement:
        b = node.bounds
        return cls((b.left, b.top, b.right, b.bottom), node.text, node.content_desc,
                   node.resource_id, node.class_name)  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "bounds": list(self.bounds),
            "text": self.text,
            "content_desc": self.content_desc,
            "resource_id": self.resource_id,
        }


@dataclass(frozen=True)
class ScreenReport:
    """What :func:`inspect_hierarchy` found. ``locale`` is a two-letter code, None when the dump
    shows no text of the app (or only a language without strings: ``unsupported`` is then
    True). ``screen`` is None when not recognised."""

    app: str
    package: str
    screen: str | None
    locale: str | None
    unsupported: bool
    elements: dict[str, FoundElement] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Exactly ``{"app", "screen", "locale", "elements": {name: {bounds, text, content_desc,
        resource_id}}, "missing": [name]}`` (the ``--json`` contract)."""
        return {
            "app": self.app,
            "screen": self.screen,
            "locale": self.locale,
            "elements": {n: e.as_json() for n, e in self.elements.items()},
            "missing": list(self.missing),
        }


def inspect_hierarchy(
    hierarchy: Hierarchy,
    book: SelectorBook,
    *,
    package: str | None = None,
    target: str | None = None,
    hint: str | None = None,
) -> ScreenReport:
    """Analyse ``hierarchy`` with ``book``.

    ``package``: the app's package (default: whichever of the book's packages the dump shows
    most); only its nodes count, but for system dialogs the selectors name. ``target``: the
    username templated elements stand for (``profile_handle`` is ``@{username}``); without it
    they match any value. ``hint``: the phone's locale (``fr-FR``), used only to break a tie.
    """
    pkg = package or book.app_package(hierarchy)
    guess = book.detect_locale(hierarchy, pkg, hint)
    name = (target or "").strip().removeprefix("@")
    values = Values(
        {"package": pkg, "username": name or ANY},
        locale=guess.code,
    )
    m = book.match(hierarchy, values)
    elements: dict[str, FoundElement] = {}
    for el_name in book.elements:
        node = m.element(el_name)
        if node is not None:
            elements[el_name] = FoundElement.of(node)
    screen = book.screen_in(m)
    screen_name = screen.reported if screen else None
    if screen_name != "comments" and (
        book.popups.find_in(m) is not None or book.wordless_dialog(hierarchy, pkg)
    ):
        screen_name = POPUP
    missing = [e for e in (screen.expects if screen else ()) if e not in elements]
    if screen_name == POPUP:
        missing = []
    return ScreenReport(
        app=book.app,
        package=pkg,
        screen=screen_name,
        locale=guess.code,
        unsupported=guess.conclusive and guess.code is None,
        elements=elements,
        missing=missing,
    )


def format_report(report: ScreenReport, *, source: str) -> str:
    """The report as text for a person: screen, language, each element with its node, then what
    is missing."""
    lines = [
        f"{source}: app {report.app} ({report.package})",
        f"  screen:   {report.screen or 'not recognised'}",
        "  language: "
        + (
            report.locale
            or ("not supported (no strings for it)" if report.unsupported else "unknown")
        ),
    ]
    if report.elements:
        lines.append("  elements:")
        width = max(len(n) for n in report.elements)
        for n, e in report.elements.items():
            label = e.text or e.content_desc
            rid = e.resource_id.rsplit("/", 1)[-1] if e.resource_id else ""
            short = e.class_name.rsplit(".", 1)[-1]
            lines.append(
                f"    {n:<{width}}  [{e.bounds[0]},{e.bounds[1]}][{e.bounds[2]},{e.bounds[3]}] "
                f"{short} {label!r}" + (f" id={rid}" if rid else "")
            )
    if report.missing:
        lines.append("  missing:  " + ", ".join(report.missing))
    return "\n".join(lines)
