"""The simulated phone's system commands and command tables: toybox's ``xargs``, ``env``,
``which``, ``id``, ``whoami``, ``uname``, ``date``, ``sleep``, ``ps``, ``pidof``, ``sh -c`` and the
``toybox`` multiplexer; Android's ``getprop``/``setprop``.

The rest lives by kind: mksh's builtins in :mod:`runner.sim.mksh`, ``printf``/toybox's ``echo`` in
:mod:`runner.sim.printf`, text filters in :mod:`runner.sim.textutils`, :mod:`runner.sim.sort`,
:mod:`runner.sim.grep`, :mod:`runner.sim.sed`, file commands in :mod:`runner.sim.fileutils`,
Android's own tools in :mod:`runner.sim.android_tools`. Each takes an
:class:`~runner.sim.shell.Invocation` and returns an exit status; messages are worded as mksh (R59c)
and toybox (0.8.6) word them, because clients grep them (uiautomator2 looks for "not found" after
``toybox md5sum``).

``CORE_COMMANDS`` is the table the shell looks names up in; ``TOYBOX`` what ``toybox NAME`` (and
``/system/bin/NAME``) runs, so ``/system/bin/echo`` is toybox's echo (no escapes without ``-e``)
while plain ``echo`` is mksh's (escapes by default).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import trio

from runner.sim.fileutils import FILE_COMMANDS
from runner.sim.grep import GREP_COMMANDS
from runner.sim.mksh import MKSH_BUILTINS, false, pwd, test, true
from runner.sim.printf import printf, toybox_echo
from runner.sim.sed import sed
from runner.sim.shell import CommandFn, Invocation
from runner.sim.sort import SORT_COMMANDS
from runner.sim.textutils import TEXT_COMMANDS
from runner.sim.toyopts import Toy, toybox_command

# ------------------------------------------------------------------------------ toybox: processes


@toybox_command("xargs", "^E:P#<0=1optrn#<1(max-args)s#0[!0E]")
async def xargs(t: Toy) -> None:
    """``xargs [-0prt] [-s NUM] [-n NUM] [-E STR] COMMAND...``: stdin's words as arguments.
    Toybox 0.8.6 splits on whitespace only (no quotes) and has no ``-I``."""
    command = t.args or ["echo"]
    data = t.inv.stdin
    if t.has("0"):
        words = [w.decode("utf-8", "surrogateescape") for w in data.split(b"\0")]
        if words and words[-1] == "":
            words.pop()
    else:
        words = []
        for w in data.split():
            if t["E"] is not None and w.decode("utf-8", "surrogateescape") == t["E"]:
                break
            words.append(w.decode("utf-8", "surrogateescape"))
    per = t["n"] or len(words) or 1
    chunks = [words[k : k + per] for k in range(0, len(words), per)] or ([] if t.has("r") else [[]])
    for chunk in chunks:
        argv = [*command, *chunk]
        if t.has("t") or t.has("p"):
            t.inv.err(" ".join(argv) + " \n")
        if command[0] not in t.inv.shell.commands and not command[0].startswith("/"):
            t.error(f"exec {command[0]}: No such file or directory")
            t.exitval = 127
            return
        status = await t.inv.run_command(argv)
        if status == 255:
            t.error(f"{command[0]}: exited with status 255; aborting")
            t.exitval = 124
            return
        if status in (126, 127):
            t.exitval = status
        elif status:
            t.exitval = 123


@toybox_command("env", "^i0u*")
async def env(t: Toy) -> int | None:
    """``env [-i] [-u NAME] [NAME=VALUE...] [COMMAND...]``."""
    args = list(t.args)
    if args and args[0] == "-":
        t.flags["i"] = True
        args.pop(0)
    environ = {} if t.has("i") else dict(t.inv.env)
    for name in t["u"] if not t.has("i") else []:
        environ.pop(name, None)
    while args and "=" in args[0]:
        k, _, v = args.pop(0).partition("=")
        environ[k] = v
    if args:
        name = args[0]
        if name not in t.inv.shell.commands and name.rsplit("/", 1)[-1] not in t.inv.shell.commands:
            t.error(f"exec {name}: No such file or directory")
            return 127
        return await t.inv.run_command(args, env=environ)
    end = "\0" if t.has("0") else "\n"
    t.out("".join(f"{k}={v}{end}" for k, v in environ.items()))
    return None


@toybox_command("which", "<1a")
def which(t: Toy) -> None:
    """``which [-a] COMMAND...``: where in ``$PATH`` a command is (all of ours are in /system/bin,
    except mksh's builtins ``[``... which toybox finds too, as /system/bin has them)."""
    commands = t.inv.shell.commands
    for name in t.args:
        if "/" in name:
            base = name.rsplit("/", 1)[-1]
            if name.startswith(("/system/bin/", "/system/xbin/")) and base in commands:
                t.out(name + "\n")
            else:
                t.exitval = 1
        elif name in commands and name not in (":",):
            t.out(f"/system/bin/{name}\n")
        else:
            t.exitval = 1


async def sleep(inv: Invocation) -> int:
    try:
        seconds = float(inv.argv[1]) if len(inv.argv) > 1 else 0.0
    except ValueError:
        inv.err(f"sleep: invalid number '{inv.argv[1]}'\n")
        return 1
    await inv.flush()
    await trio.sleep(min(seconds, 3600))
    return 0


async def sh(inv: Invocation) -> int:
    if len(inv.argv) >= 3 and inv.argv[1] == "-c":
        return await inv.run_script(inv.argv[2])
    return 0


def _processes(inv: Invocation) -> list[tuple[int, str]]:
    phone = inv.phone
    procs = [(1, "init"), (612, "zygote64"), (1203, "system_server")]
    for n, app in enumerate(sorted(phone.apps.values(), key=lambda a: a.package)):
        if app.running:
            procs.append((10000 + n * 37, app.package))
    if phone.uia_alive:
        procs.append((9008, "uiautomator"))
    return procs


async def ps(inv: Invocation) -> int:
    inv.out("USER            PID   PPID     VSZ    RSS WCHAN            ADDR S NAME\n")
    for pid, name in _processes(inv):
        user = "root" if pid < 2000 else "u0_a123"
        inv.out(f"{user:<12} {pid:>7} {612:>6} 1234567 123456 0                   0 S {name}\n")
    return 0


async def pidof(inv: Invocation) -> int:
    pids = [str(pid) for pid, name in _processes(inv) if name in inv.argv[1:]]
    if not pids:
        return 1
    inv.out(" ".join(pids) + "\n")
    return 0


# ------------------------------------------------------------------------------ toybox: identity, time

_GROUPS = [(2000, "shell"), (1004, "input"), (1007, "log"), (1011, "adb"), (1015, "sdcard_rw"),
           (1028, "sdcard_r"), (3001, "net_bt_admin"), (3002, "net_bt"), (3003, "inet"),
           (3006, "net_bw_stats")]  # fmt: skip


@toybox_command("id", ">1ZnGgru[!ZGgu]")
def id_(t: Toy) -> None:
    """``id [-nGgru] [-Z]``: the ``shell`` user (uid 2000) and its groups."""
    if t.args and t.args[0] not in ("shell", "2000"):
        t.exit(f"no such user '{t.args[0]}'")
    name = t.has("n")
    if t.has("u") or t.has("g"):  # uid and gid are both shell's (2000)
        t.out(("shell" if name else "2000") + "\n")
    elif t.has("G"):
        t.out(" ".join(g if name else str(n) for n, g in _GROUPS) + "\n")
    elif t.has("Z"):
        t.out("u:r:shell:s0\n")
    else:
        groups = ",".join(f"{n}({g})" for n, g in _GROUPS)
        t.out(f"uid=2000(shell) gid=2000(shell) groups={groups} context=u:r:shell:s0\n")


@toybox_command("whoami", ">0")
def whoami(t: Toy) -> None:
    """``whoami`` (toybox's ``logname``)."""
    t.out("shell\n")


_UNAME = {
    "s": "Linux",
    "n": "localhost",
    "r": "5.10.157-android13-4-00001-g1ba4b1d5b2e5-ab10000000",
    "v": "#1 SMP PREEMPT Mon Jan 1 00:00:00 UTC 2024",
    "m": "aarch64",
    "o": "Toybox",
}


@toybox_command("uname", "aomvrns")
def uname(t: Toy) -> None:
    """``uname [-asnrvmo]``."""
    keys = "snrvmo" if t.has("a") else [k for k in "snrvmo" if t.has(k)] or ["s"]
    t.out(" ".join(_UNAME[k] for k in keys) + "\n")


def _phone_zone(inv: Invocation) -> dt.tzinfo:
    name = inv.phone.props.get("persist.sys.timezone") or "UTC"
    try:
        return ZoneInfo(name)
    except Exception:  # an unknown zone: bionic falls back to UTC too
        return dt.UTC


_DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%a %b %d %H:%M:%S %Z %Y", "%H:%M:%S",
                 "%Y-%m-%d %H:%M", "%Y-%m-%d", "%H:%M", "%m%d%H%M", "%m%d%H%M%y", "%m%d%H%M%Y"]  # fmt: skip


def _parse_date(t: Toy, text: str, zone: dt.tzinfo) -> dt.datetime:
    """``xparsedate``: ``@UNIXTIME`` or one of toybox's formats (fields not given: today's)."""
    if text.startswith("@"):
        try:
            return dt.datetime.fromtimestamp(float(text[1:]), zone)
        except ValueError:
            pass
    now = dt.datetime.now(zone)
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%Y" not in fmt and "%y" not in fmt:
            parsed = parsed.replace(year=now.year)
        if "%d" not in fmt:
            parsed = parsed.replace(month=now.month, day=now.day)
        return parsed.replace(tzinfo=zone)
    t.exit(f"bad date {text}")
    raise AssertionError


@toybox_command("date", "d:D:I(iso)(iso-8601):;r:s:u(utc)[!dr]")
def date(t: Toy) -> None:
    """``date [-u] [-d DATE] [-r FILE] [+FORMAT]``; setting the clock fails as for ``shell``."""
    zone: dt.tzinfo = dt.UTC if t.has("u") else _phone_zone(t.inv)
    fmt = "%a %b %e %H:%M:%S %Z %Y"
    if t.has("I"):
        which = (t["I"] or "d")[:1]
        iso = {"d": "%F", "h": "%FT%H%:z", "m": "%FT%R%:z", "s": "%FT%T%:z", "n": "%FT%T,%N%:z"}
        if which not in iso:
            t.help_exit(f"bad -I: {t['I']}")
        fmt = iso[which]
    if t["d"] is not None:
        when = _parse_date(t, t["d"], zone)
    elif t["r"] is not None:
        e = t.inv.phone.fs.stat(t["r"])
        if e is None:
            t.exit(f"{t['r']}: No such file or directory")
        assert e is not None
        when = dt.datetime.fromtimestamp(e.mtime, zone)
    else:
        when = dt.datetime.now(zone)
    setdate = t.args[0] if t.args else None
    if t.has("s"):
        if setdate:
            t.help_exit("can't set two dates at once")
        setdate = t["s"]
    if setdate and setdate.startswith("+"):
        fmt = setdate[1:]
    elif setdate:
        when = _parse_date(t, setdate, zone)
        t.error("cannot set date: Operation not permitted")
    nanos = f"{when.microsecond * 1000:09d}"
    fmt = re.sub(r"%(\d?)N", lambda m: nanos[: int(m.group(1) or 9)], fmt)
    offset = when.strftime("%z")
    fmt = fmt.replace("%:z", f"{offset[:3]}:{offset[3:]}")
    t.out(when.strftime(fmt) + "\n")


# ------------------------------------------------------------------------------ Android: properties


def _properties(inv: Invocation) -> dict[str, str]:
    """The phone's properties, with the system language as ``SimPhone.locale`` says."""
    phone = inv.phone
    locale = getattr(phone, "locale", "en-US")
    props = dict(phone.props)
    props["persist.sys.locale"] = locale
    props["ro.product.locale"] = locale
    return props


async def getprop(inv: Invocation) -> int:
    """Android's ``getprop [NAME [DEFAULT]]``: one value, or every ``[name]: [value]`` sorted."""
    props = _properties(inv)
    args = [a for a in inv.argv[1:] if a not in ("-T", "-Z")]
    if not args:
        for k in sorted(props):
            inv.out(f"[{k}]: [{props[k]}]\n")
    elif len(args) > 2:
        inv.err("usage: getprop [-TZ] [NAME [DEFAULT]]\n")
        return 1
    else:
        inv.out(props.get(args[0], args[1] if len(args) > 1 else "") + "\n")
    return 0


async def setprop(inv: Invocation) -> int:
    if len(inv.argv) != 3:
        inv.err("setprop: need 2 arguments\n")
        return 1
    inv.err(f"Failed to set property '{inv.argv[1]}' to '{inv.argv[2]}'.\n")
    return 1


# ------------------------------------------------------------------------------ tables

TOYBOX: dict[str, CommandFn] = {
    **TEXT_COMMANDS, **SORT_COMMANDS, **GREP_COMMANDS, **FILE_COMMANDS, "sed": sed, "echo": toybox_echo,
    "printf": printf, "true": true, "false": false, "test": test, "[": test, "xargs": xargs,
    "env": env, "which": which, "sleep": sleep, "ps": ps, "pidof": pidof, "id": id_,
    "whoami": whoami, "uname": uname, "date": date, "pwd": pwd, "getprop": getprop,
    "setprop": setprop,
}  # fmt: skip


async def toybox(inv: Invocation) -> int:
    """``toybox NAME args``: the multiplexer uiautomator2 calls for ``md5sum``."""
    if len(inv.argv) < 2:
        inv.out(" ".join(sorted(TOYBOX)) + "\n")
        return 0
    fn = TOYBOX.get(inv.argv[1])
    if fn is None:
        inv.err(f'toybox: Unknown command {inv.argv[1]} (see "toybox --help")\n')
        return 1
    inv.argv = inv.argv[1:]
    return await fn(inv)


CORE_COMMANDS: dict[str, CommandFn] = {**TOYBOX, **MKSH_BUILTINS, "toybox": toybox, "sh": sh}
