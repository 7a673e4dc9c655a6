"""``am`` (start, broadcast, force-stop) and ``content call`` on a simulated phone: intents as
Android's shell builds them.

Argument parsing follows ``Intent.parseCommandArgs`` (frameworks/base, Intent.java): ``-a``,
``-d``, ``-t``, ``-c``, ``-n``, ``-p``, ``-f``, and the typed extras ``-e``/``--es``, ``--esn``,
``--ei``, ``--el``, ``--ef``, ``--ez``, ``--eu`` (one Uri), ``--ecn``, and the comma-separated
arrays/lists ``--eia``, ``--eial``, ``--ela``, ``--elal``, ``--efa``, ``--efal``, ``--esa``,
``--esal`` (``\\,`` escapes a comma in string arrays). A later extra with the same key replaces the
earlier one (a Bundle). There is **no** Uri-array extra: ``--eua`` fails with ``Unknown option``
as on a phone, so SEND_MULTIPLE cannot carry several Uris through ``am`` (its STREAM extra would
have to be an ``ArrayList<Uri>``). A bare argument with ``:`` is the data URI; with ``/`` a
component; otherwise a package. ``am``'s own flags (``-W``, ``-S``, ``--user N``, ...) pass.

What the phone does with them:
- ``am start``: VIEW with data (a package-limited one goes only to that app), SEND /
  SEND_MULTIPLE with ``android.intent.extra.STREAM`` file Uris (to a TikTok app), or a launch.
- ``am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE -d file:///...``: indexes the
  file in the media store (``Broadcast completed: result=0``).
- ``content call --uri content://media/external/file --method scan_file --arg PATH``: MediaProvider's
  scan call, same effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runner.sim.media import file_uri_path
from runner.sim.shell import Invocation

SEND = "android.intent.action.SEND"
SEND_MULTIPLE = "android.intent.action.SEND_MULTIPLE"
VIEW = "android.intent.action.VIEW"
STREAM = "android.intent.extra.STREAM"
SCAN_FILE = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"

_SCALAR = {"-e": "s", "--es": "s", "--ei": "i", "--el": "l", "--ef": "f", "--ez": "z",
           "--eu": "u", "--ecn": "cn"}  # fmt: skip
_ARRAYS = {"--eia", "--eial", "--ela", "--elal", "--efa", "--efal", "--esa", "--esal"}
_AM_OPTIONS_WITH_VALUE = {"--user", "-P", "--start-profiler", "--sampling", "--receiver-permission",
                          "--display", "--windowingMode", "--activityType", "--task", "-i",
                          "--attribution-tag", "--es-nothing"}  # fmt: skip


class IntentError(Exception):
    """What ``am`` says when it cannot parse its arguments (``Unknown option: --eua``)."""


@dataclass
class Intent:
    """The parts of an intent the simulated phone acts on."""

    action: str = ""
    data: str = ""
    type: str = ""
    categories: list[str] = field(default_factory=list)
    component: str = ""
    package: str = ""
    flags: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    am_flags: set[str] = field(default_factory=set)

    def describe(self) -> str:
        """``Intent { act=... dat=... typ=... pkg=... (has extras) }`` as ``am`` prints it."""
        parts = []
        if self.action:
            parts.append(f"act={self.action}")
        if self.categories:
            parts.append("cat=[" + ",".join(self.categories) + "]")
        if self.data:
            parts.append(f"dat={self.data}")
        if self.type:
            parts.append(f"typ={self.type}")
        if self.flags:
            parts.append(f"flg={self.flags}")
        if self.package:
            parts.append(f"pkg={self.package}")
        if self.component:
            parts.append(f"cmp={self.component}")
        if self.extras:
            parts.append("(has extras)")
        return "Intent { " + " ".join(parts) + " }"


def _split_strings(value: str) -> list[str]:
    out, cur, i = [], "", 0
    while i < len(value):
        if value.startswith("\\,", i):
            cur += ","
            i += 2
        elif value[i] == ",":
            out.append(cur)
            cur = ""
            i += 1
        else:
            cur += value[i]
            i += 1
    out.append(cur)
    return out


def parse_intent(args: list[str]) -> Intent:
    """Parse ``am start``/``am broadcast`` arguments; IntentError as ``am`` would refuse them."""
    intent = Intent()
    i = 0

    def value(n: int = 1) -> list[str]:
        nonlocal i
        if i + n >= len(args):
            raise IntentError(f'Argument expected after "{args[i]}"')
        vals = args[i + 1 : i + 1 + n]
        i += n
        return vals

    while i < len(args):
        a = args[i]
        if a == "-a":
            intent.action = value()[0]
        elif a == "-d":
            intent.data = value()[0]
        elif a == "-t":
            intent.type = value()[0]
        elif a == "-c":
            intent.categories.append(value()[0])
        elif a == "-n":
            intent.component = value()[0]
            if "/" not in intent.component:
                raise IntentError(f"Bad component name: {intent.component}")
        elif a == "-p":
            intent.package = value()[0]
        elif a == "-f":
            intent.flags = value()[0]
        elif a in _SCALAR:
            key, raw = value(2)
            intent.extras[key] = (_SCALAR[a], raw)
        elif a == "--esn":
            intent.extras[value()[0]] = ("s", None)
        elif a in _ARRAYS:
            key, raw = value(2)
            items = _split_strings(raw) if a in ("--esa", "--esal") else raw.split(",")
            intent.extras[key] = (a[2:], items)
        elif a.startswith("--e") or a == "-e":
            raise IntentError(f"Unknown option: {a}")
        elif a in _AM_OPTIONS_WITH_VALUE:
            value()
        elif a.startswith("-"):
            intent.am_flags.add(a)
        elif ":" in a and not intent.data:
            intent.data = a
        elif "/" in a and not intent.component:
            intent.component = a
        elif not intent.package:
            intent.package = a
        i += 1
    return intent


def _refuse(inv: Invocation, command: str, e: IntentError) -> int:
    inv.err(
        f"Exception occurred while executing '{command}':\n"
        f"java.lang.IllegalArgumentException: {e}\n"
        "\tat android.content.Intent.parseCommandArgs(Intent.java:11893)\n"
    )
    return 255


def stream_uris(intent: Intent) -> list[str]:
    """The ``android.intent.extra.STREAM`` Uri of a SEND (a single Uri extra, ``--eu``)."""
    kind, value = intent.extras.get(STREAM, ("", None))
    return [value] if kind == "u" and value else []


async def am_start(inv: Invocation, args: list[str]) -> int:
    phone = inv.phone
    try:
        intent = parse_intent(args)
    except IntentError as e:
        return _refuse(inv, "start", e)
    inv.out(f"Starting: {intent.describe()}\n")
    with phone.lock:
        package = intent.package or None
        if intent.component:
            package = intent.component.split("/", 1)[0]
            if package not in phone.apps:
                inv.err("Error type 3\n")
                inv.err(f"Error: Activity class {{{intent.component}}} does not exist.\n")
                return 1
        if "-S" in intent.am_flags and package:
            phone.force_stop(package)
        started = None
        if intent.action == VIEW and intent.data:
            started = phone.view(intent.data, package)
        elif intent.action in (SEND, SEND_MULTIPLE):
            # SEND_MULTIPLE reads an ArrayList<Uri>, which am cannot build: it gets nothing.
            uris = stream_uris(intent) if intent.action == SEND else []
            started = phone.send(uris, intent.type, package)
        elif package and package in phone.apps:
            started = phone.apps[package] if phone.start_app(package) else None
        if started is None:
            inv.err(f"Error: Activity not started, unable to resolve {intent.describe()}\n")
            return 1
    if "-W" in intent.am_flags:
        inv.out(
            f"Status: ok\nLaunchState: WARM\nActivity: {started.package}/{started.activity}\n"
            "TotalTime: 412\nWaitTime: 420\nComplete\n"
        )
    return 0


async def am(inv: Invocation) -> int:
    args = inv.argv[1:]
    if not args:
        inv.err("usage: am [subcommand] [options]\n")
        return 1
    sub, rest = args[0], args[1:]
    phone = inv.phone
    if sub in ("start", "start-activity"):
        return await am_start(inv, rest)
    if sub == "force-stop":
        with phone.lock:
            for pkg in rest:
                if not pkg.startswith("-"):
                    phone.force_stop(pkg)
        return 0
    if sub == "broadcast":
        try:
            intent = parse_intent(rest)
        except IntentError as e:
            return _refuse(inv, "broadcast", e)
        with phone.lock:
            phone.broadcasts.append(
                {k: v for k, v in (("act", intent.action), ("dat", intent.data),
                                   ("typ", intent.type), ("pkg", intent.package)) if v}
            )  # fmt: skip
            if intent.action == SCAN_FILE and intent.data:
                path = file_uri_path(intent.data)
                if path is not None:
                    phone.media.scan(path)
        inv.out(f"Broadcasting: {intent.describe()}\nBroadcast completed: result=0\n")
        return 0
    if sub in ("kill", "kill-all", "stack", "set-debug-app", "clear-debug-app"):
        return 0
    inv.err(f"Error: unknown command '{sub}'\n")
    return 1


async def content(inv: Invocation) -> int:
    """``content query`` (nothing) and ``content call --uri content://media/... --method
    scan_file --arg PATH``."""
    args = inv.argv[1:]
    if args[:1] == ["query"]:
        inv.out("No result found.\n")
        return 0
    if args[:1] == ["call"]:
        opts = {args[i]: args[i + 1] for i in range(1, len(args) - 1) if args[i].startswith("--")}
        uri, method, arg = opts.get("--uri", ""), opts.get("--method", ""), opts.get("--arg")
        if not uri or not method:
            inv.err("Error while accessing provider:null\njava.lang.IllegalArgumentException: "
                    "Content provider URI not specified\n")  # fmt: skip
            return 1
        if uri.startswith("content://media/") and method == "scan_file" and arg:
            with inv.phone.lock:
                path = file_uri_path(arg)
                found = inv.phone.media.scan(path) if path else 0
            if found:
                inv.out(f"Result: Bundle[{{android:query-arg-uri=content://media/external/file/"
                        f"{1000 + len(inv.phone.media.items())}}}]\n")  # fmt: skip
            else:
                inv.out("Result: Bundle[{}]\n")
            return 0
        inv.out("Result: null\n")
    return 0
