"""Benchmark: recognition of real phones' dumps, and the runner's CPU per hierarchy decision.

For every dump in tests/real_screens/ (real TikTok 43.1.4, 46.6.3, 46.9.3, 47.0.3; en and fr):
the screen and language recognised, and per screen and language how many of the elements the
screen should show (the selector file's ``expects``, and the nodes expected.yaml names) were
found. Then the CPU time (``time.process_time``) of one decision as the scripts make it: parsing a
~100 KB dump (``Hierarchy.parse``) plus recognising its language and screen and looking up every
named element (what ``tikrunner inspect`` does, an upper bound of a script's decision).

Run: ``python bench/real_screens.py``. Prints tables; measures, does not pass or fail.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runner.devices.hierarchy import Hierarchy  # noqa: E402
from runner.scripts.inspect import inspect_hierarchy  # noqa: E402
from runner.scripts.matcher import load_selectors  # noqa: E402

SCREENS = Path(__file__).resolve().parents[1] / "tests" / "real_screens"


def main() -> None:
    book = load_selectors()
    expected = YAML(typ="safe").load((SCREENS / "expected.yaml").read_text(encoding="utf-8"))
    shown: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    named: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    cpu: list[float] = []
    parse_cpu: list[float] = []
    sizes: list[int] = []
    print(f"{'dump':48} {'screen':15} {'lang':5} found")
    for path in sorted(SCREENS.glob("*.xml")):
        xml = path.read_text(encoding="utf-8")
        start = time.process_time()
        for _ in range(5):
            h = Hierarchy.parse(xml)
            r = inspect_hierarchy(h, book)
        cpu.append((time.process_time() - start) / 5)
        start = time.process_time()
        for _ in range(5):
            Hierarchy.parse(xml)
        parse_cpu.append((time.process_time() - start) / 5)
        sizes.append(len(xml.encode()))
        screen = next((s for s in book.screens if s.reported == r.screen), None)
        key = (r.screen or "-", r.locale or "-")
        if screen is not None and screen.expects and r.screen != "popup":
            shown[key][0] += len(screen.expects) - len(r.missing)
            shown[key][1] += len(screen.expects)
        want = (expected.get(path.name) or {}).get("elements") or {}
        for el, node in want.items():
            got = r.elements.get(el)
            named[key][0] += int(got is not None and list(got.bounds) == node["bounds"])
            named[key][1] += 1
        print(f"{path.name:48} {r.screen or '-':15} {r.locale or '-':5} {len(r.elements)}")
    print("\nelements found / elements the screen shows (selector file's `expects`):")
    for (screen, lang), (ok, total) in sorted(shown.items()):
        print(f"  {screen:15} {lang:3} {ok}/{total}")
    print("\nexpected.yaml's nodes found at the right bounds:")
    for (screen, lang), (ok, total) in sorted(named.items()):
        print(f"  {screen:15} {lang:3} {ok}/{total}")
    cpu.sort()
    parse_cpu.sort()
    print(
        f"\nCPU per decision (parse + language + screen + every element), {len(cpu)} dumps of "
        f"{min(sizes) // 1000}-{max(sizes) // 1000} KB: median {cpu[len(cpu) // 2] * 1000:.1f} ms, "
        f"max {cpu[-1] * 1000:.1f} ms; parsing alone: median {parse_cpu[len(parse_cpu) // 2] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
