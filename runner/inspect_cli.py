"""``tikrunner inspect``: what a screen shows, in the selector file's words (issue "Real TikTok").

Takes a saved dump (``hierarchy.xml``, an artifact's too) or a live phone (``--serial``, through
an adb server, with uiautomator2 as the scripts use it); prints the screen recognised, the app's
language and each named element found, with the elements the screen should have but that were
not found (:mod:`runner.scripts.inspect`). ``--json`` prints exactly
``{"app", "screen", "locale", "elements", "missing"}``. Exit codes: 0 done, 1 the file or phone
could not be read, 2 usage or a bad selector file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from runner.devices.hierarchy import Hierarchy, HierarchyParseError
from runner.scripts.inspect import format_report, inspect_hierarchy
from runner.scripts.matcher import SelectorFileError, load_selectors


def _fail(message: str, code: int) -> int:
    print(f"tikrunner inspect: {message}", file=sys.stderr)
    return code


def _live_dump(serial: str, adb: str, save: Path | None) -> tuple[str, str]:
    """The XML of ``serial``'s screen and its ``persist.sys.locale``; saves the XML and a
    screenshot under ``save`` when given. Raises ``RuntimeError`` with a message for a person."""
    import adbutils
    import uiautomator2 as u2

    from runner.devices.adb import AdbServerClient

    host, _, port = adb.rpartition(":")
    try:
        client = AdbServerClient(host or "127.0.0.1", int(port))
        device = client.device(serial)
        state = device.get_state()
    except (adbutils.AdbError, ValueError, OSError) as e:
        raise RuntimeError(f"phone {serial} not reachable through adb {adb}: {e}") from e
    if state != "device":
        raise RuntimeError(f"phone {serial} is {state}")
    try:
        d = u2.connect(device)
        xml = d.dump_hierarchy()
        hint = device.shell(["getprop", "persist.sys.locale"]).strip()
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            (save / "hierarchy.xml").write_text(xml, encoding="utf-8")
            d.screenshot().save(save / "screenshot.png")
    except Exception as e:  # the library's errors are many; the message is what matters
        raise RuntimeError(f"could not read the screen of {serial}: {type(e).__name__}: {e}") from e
    return xml, hint


def run_inspect(
    file: Path | None,
    *,
    serial: str | None,
    adb: str,
    save: Path | None,
    as_json: bool,
    package: str | None,
    selectors: list[Path],
    target: str | None,
) -> int:
    """Run ``tikrunner inspect``; returns the exit code."""
    if (file is None) == (serial is None):
        return _fail("give either a dump FILE or --serial SERIAL", 2)
    try:
        book = load_selectors(overrides=selectors)
    except SelectorFileError as e:
        return _fail(str(e), 2)
    hint = None
    if file is not None:
        try:
            xml = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            return _fail(f"cannot read {file}: {e}", 1)
        source = str(file)
    else:
        assert serial is not None
        try:
            xml, hint = _live_dump(serial, adb, save)
        except RuntimeError as e:
            return _fail(str(e), 1)
        source = serial
    try:
        hierarchy = Hierarchy.parse(xml)
    except HierarchyParseError as e:
        return _fail(f"{source}: {e}", 1)
    report = inspect_hierarchy(hierarchy, book, package=package, target=target, hint=hint)
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, source=source))
        if save is not None and serial is not None:
            print(f"  saved:    {save / 'hierarchy.xml'}, {save / 'screenshot.png'}")
    return 0
