"""Toybox-style utilities of the simulated shell: ``echo``, ``ls``, ``cat``, ``rm``, ``mkdir``,
``md5sum``, ``getprop``, ``ps``, ``sleep``, ``sh -c`` and friends.

Each takes an :class:`~runner.sim.shell.Invocation` and returns an exit status; messages are worded
as toybox words them (``ls: /x: No such file or directory``), because clients grep them
(uiautomator2 looks for "not found" after ``toybox md5sum``).
"""

from __future__ import annotations

import trio

from runner.sim.filesystem import FsError, normalize
from runner.sim.shell import CommandFn, Invocation


async def echo(inv: Invocation) -> int:
    args = inv.argv[1:]
    newline = True
    if args and args[0] == "-n":
        newline, args = False, args[1:]
    inv.out(" ".join(args) + ("\n" if newline else ""))
    return 0


async def printf(inv: Invocation) -> int:
    if len(inv.argv) < 2:
        inv.err("printf: Needs 1 argument\n")
        return 1
    fmt = inv.argv[1].replace("\\n", "\n").replace("\\t", "\t")
    try:
        inv.out(fmt.replace("%s", "{}").format(*inv.argv[2:]) if "%s" in fmt else fmt)
    except (IndexError, ValueError):
        inv.out(fmt)
    return 0


async def true(inv: Invocation) -> int:
    return 0


async def false(inv: Invocation) -> int:
    return 1


def _split_flags(args: list[str]) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    rest: list[str] = []
    for a in args:
        if a.startswith("-") and len(a) > 1 and not rest:
            flags.update(a[1:])
        else:
            rest.append(a)
    return flags, rest


async def ls(inv: Invocation) -> int:
    flags, paths = _split_flags(inv.argv[1:])
    status = 0
    fs = inv.phone.fs
    for path in paths or ["/"]:
        entry = fs.stat(path)
        if entry is None:
            inv.err(f"ls: {path}: No such file or directory\n")
            status = 1
            continue
        items = fs.listdir(path) if entry.is_dir else [(path, entry)]
        for name, e in items:
            if "l" in flags:
                kind = "d" if e.is_dir else "-"
                inv.out(f"{kind}rw-rw---- 1 shell shell {e.size:>8} 2024-01-01 00:00 {name}\n")
            else:
                inv.out(name + "\n")
    return status


async def cat(inv: Invocation) -> int:
    status = 0
    if len(inv.argv) == 1:
        inv.out(inv.stdin)
    for path in inv.argv[1:]:
        try:
            inv.out(inv.phone.fs.read(path))
        except FsError as e:
            inv.err(f"cat: {path}: {e}\n")
            status = 1
    return status


async def rm(inv: Invocation) -> int:
    flags, paths = _split_flags(inv.argv[1:])
    status = 0
    for path in paths:
        try:
            inv.phone.fs.remove(path, recursive="r" in flags or "R" in flags)
        except FsError as e:
            if "f" in flags and str(e) == "No such file or directory":
                continue
            inv.err(f"rm: {path}: {e}\n")
            status = 1
    return status


async def mkdir(inv: Invocation) -> int:
    flags, paths = _split_flags(inv.argv[1:])
    status = 0
    for path in paths:
        try:
            if "p" in flags:
                inv.phone.fs.makedirs(path)
            else:
                inv.phone.fs.mkdir(path)
        except FsError as e:
            inv.err(f"mkdir: {path}: {e}\n")
            status = 1
    return status


async def md5sum(inv: Invocation) -> int:
    status = 0
    for path in inv.argv[1:]:
        try:
            inv.out(f"{inv.phone.fs.md5(path)}  {path}\n")
        except FsError as e:
            inv.err(f"md5sum: {path}: {e}\n")
            status = 1
    return status


async def touch(inv: Invocation) -> int:
    for path in inv.argv[1:]:
        if inv.phone.fs.stat(path) is None:
            try:
                inv.phone.fs.write(path, b"")
            except FsError as e:
                inv.err(f"touch: {path}: {e}\n")
                return 1
    return 0


async def getprop(inv: Invocation) -> int:
    props = inv.phone.props
    if len(inv.argv) == 1:
        for k in sorted(props):
            inv.out(f"[{k}]: [{props[k]}]\n")
    else:
        inv.out(props.get(inv.argv[1], inv.argv[2] if len(inv.argv) > 2 else "") + "\n")
    return 0


async def setprop(inv: Invocation) -> int:
    if len(inv.argv) != 3:
        inv.err("setprop: need 2 arguments\n")
        return 1
    inv.err(f"Failed to set property '{inv.argv[1]}' to '{inv.argv[2]}'.\n")
    return 1


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


async def id_(inv: Invocation) -> int:
    inv.out(
        "uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),"
        "1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),"
        "3003(inet),3006(net_bw_stats) context=u:r:shell:s0\n"
    )
    return 0


async def whoami(inv: Invocation) -> int:
    inv.out("shell\n")
    return 0


async def pwd(inv: Invocation) -> int:
    inv.out("/\n")
    return 0


async def which(inv: Invocation) -> int:
    status = 0
    for name in inv.argv[1:]:
        if name in inv.shell.commands:
            inv.out(f"/system/bin/{name}\n")
        else:
            status = 1
    return status


async def test(inv: Invocation) -> int:
    args = inv.argv[1:]
    if args and inv.argv[0] == "[":
        args = args[:-1] if args[-1] == "]" else args
    if len(args) == 2 and args[0] in ("-e", "-f", "-d"):
        e = inv.phone.fs.stat(normalize(args[1]))
        if e is None:
            return 1
        return 0 if args[0] == "-e" or (args[0] == "-d") == e.is_dir else 1
    if len(args) == 3 and args[1] in ("=", "=="):
        return 0 if args[0] == args[2] else 1
    if len(args) == 3 and args[1] == "!=":
        return 0 if args[0] != args[2] else 1
    return 1


TOYBOX: dict[str, CommandFn] = {
    "echo": echo, "printf": printf, "true": true, "false": false, "ls": ls, "cat": cat,
    "rm": rm, "mkdir": mkdir, "md5sum": md5sum, "touch": touch, "getprop": getprop,
    "setprop": setprop, "ps": ps, "pidof": pidof, "sleep": sleep, "id": id_,
    "whoami": whoami, "pwd": pwd, "which": which, "test": test, "[": test,
}  # fmt: skip


async def toybox(inv: Invocation) -> int:
    """``toybox NAME args``: the multiplexer uiautomator2 calls for ``md5sum``."""
    if len(inv.argv) < 2:
        inv.out(" ".join(sorted(TOYBOX)) + "\n")
        return 0
    fn = TOYBOX.get(inv.argv[1])
    if fn is None:
        inv.err(f"toybox: Unknown command {inv.argv[1]}\n")
        return 1
    inv.argv = inv.argv[1:]
    return await fn(inv)


CORE_COMMANDS: dict[str, CommandFn] = {**TOYBOX, "toybox": toybox, "sh": sh, ":": true}
