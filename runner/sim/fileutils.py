"""Toybox's file commands on the simulated phone's filesystem: ``cat``, ``ls``, ``find``, ``stat``,
``rm``, ``mkdir``, ``touch``, ``md5sum``.

Options and messages follow toybox 0.8.6: ``ls: /x: No such file or directory``,
``mkdir: '/x': File exists``, ``find: '/x': No such file or directory``,
``stat: '/x': No such file or directory``; ``ls`` hides dot files without ``-a``/``-A``, prints one
name per line (adb's output is no terminal), files before directories, ``NAME:`` headers when
listing several; ``ls -l`` shows ``total``, mode, links, owner, group, size, ``%F %H:%M``.
The phone has no users database: shared storage belongs to ``root``/``sdcard_rw``, the rest of
what the shell may write to ``shell``/``shell``.
"""

from __future__ import annotations

import fnmatch
import posixpath
import stat as st
import time
import zlib

from runner.sim.filesystem import Entry, FsError, normalize
from runner.sim.toyopts import Toy, atolx, toybox_command

# ------------------------------------------------------------------------------ helpers


def _owner(path: str) -> tuple[int, str, int, str]:
    p = normalize(path)
    if p.startswith("/storage/emulated/0"):
        return 0, "root", 1015, "sdcard_rw"
    if p.startswith("/data/local/tmp"):
        return 2000, "shell", 2000, "shell"
    return 0, "root", 0, "root"


def _mode_string(e: Entry) -> str:
    return st.filemode(e.mode)


def _blocks(e: Entry) -> int:
    """512-byte blocks, as a 4 KiB-block filesystem allocates them."""
    size = 4096 if e.is_dir else e.size
    return -(-size // 4096) * 8


def _size(e: Entry) -> int:
    return 4096 if e.is_dir else e.size


def _child(parent: str, name: str) -> str:
    return f"{parent.rstrip('/')}/{name}"


# ------------------------------------------------------------------------------ cat


@toybox_command("cat", "uvte")
def cat(t: Toy) -> None:
    """``cat [-etuv] [FILE...]``."""
    fs = t.inv.phone.fs
    for path in t.args or ["-"]:
        if path != "-":
            e = fs.stat(path)
            if e is not None and e.is_dir:
                t.perror(path, "Is a directory")
                continue
        data = t.read_file(path)
        if data is None:
            continue
        if not (t.has("v") or t.has("t") or t.has("e")):
            t.out(data)
            continue
        out = bytearray()
        for c in data:
            if c > 126 and t.has("v"):
                if c > 127:
                    out += b"M-"
                    c -= 128
                if c == 127:
                    out += b"^?"
                    continue
            if c < 32:
                if c == 10:
                    if t.has("e"):
                        out += b"$"
                elif t.has("t" if c == 9 else "v"):
                    out += b"^" + bytes([c + 64])
                    continue
            out.append(c)
        t.out(bytes(out))


# ------------------------------------------------------------------------------ ls


@toybox_command(
    "ls",
    "(color):;(full-time)(show-control-chars)ZgoACFHLRSabcdfhikl@mnpqrstuw#=80<0x1"
    "[-Cxm1][-Cxml][-Cxmo][-Cxmg][-cu][-ftS][-HL][!qb]",
)
def ls(t: Toy) -> None:
    """``ls [-1AaCdFlnoRrSt] [FILE...]``."""
    fs = t.inv.phone.fs
    long_ = t.has("l") or t.has("n") or t.has("o") or t.has("g")
    files: list[tuple[str, Entry]] = []
    dirs: list[tuple[str, Entry]] = []
    for path in t.args or ["."]:
        e = fs.stat(path)
        if e is None:
            t.perror(path, "No such file or directory")
            continue
        (dirs if e.is_dir and not t.has("d") else files).append((path, e))
    out: list[str] = []
    files = _ls_sort(t, files)
    if files:
        out += _ls_entries(t, files, long_)
    single = not files and len(dirs) == 1 and not t.has("R")
    titled = bool(files)
    for path, _e in _ls_sort(t, dirs):
        titled = _ls_dir(t, path, long_, out, show_title=not single, first=not titled) or titled
    if out:
        t.out("".join(out))


def _ls_sort(t: Toy, items: list[tuple[str, Entry]]) -> list[tuple[str, Entry]]:
    if t.has("f"):
        return items
    if t.has("t"):
        items = sorted(items, key=lambda it: (-it[1].mtime, it[0]))
    elif t.has("S"):
        items = sorted(items, key=lambda it: (-_size(it[1]), it[0]))
    else:
        items = sorted(items, key=lambda it: it[0].encode())
    return items[::-1] if t.has("r") else items


def _ls_dir(t: Toy, path: str, long_: bool, out: list[str], show_title: bool, first: bool) -> bool:
    fs = t.inv.phone.fs
    try:
        children = fs.listdir(path)
    except FsError as e:
        t.perror(path, e)
        return False
    if show_title:
        out.append(("" if first else "\n") + f"{path}:\n")
    items = [(n, e) for n, e in children if not n.startswith(".") or t.has("a") or t.has("A")]
    if t.has("a"):
        here = fs.stat(path)
        assert here is not None
        parent = fs.stat(posixpath.dirname(normalize(path))) or here
        items = [(".", here), ("..", parent), *items]
    items = _ls_sort(t, items)
    if long_:
        total = sum(_blocks(e) for _, e in items) // 2
        out.append(f"total {total}\n")
    out += _ls_entries(t, items, long_, parent=path)
    if t.has("R"):
        for name, e in items:
            if e.is_dir and name not in (".", ".."):
                _ls_dir(t, _child(path, name), long_, out, show_title=True, first=False)
    return True


def _ls_entries(t: Toy, items: list[tuple[str, Entry]], long_: bool, parent: str = "") -> list[str]:
    def shown(name: str, e: Entry) -> str:
        return name + ("/" if t.has("F") and e.is_dir else "")

    if not long_:
        return [shown(n, e) + "\n" for n, e in items]
    rows = []
    for name, e in items:
        uid, user, gid, group = _owner(_child(parent, name) if parent else name)
        if t.has("n"):
            user, group = str(uid), str(gid)
        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(e.mtime))
        rows.append((_mode_string(e), "2" if e.is_dir else "1", user, group, str(_size(e)), when,
                     shown(name, e)))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for mode, links, user, group, size, when, name in rows:
        cols = [mode, links.rjust(widths[1])]
        if not t.has("g"):
            cols.append(user.ljust(widths[2]))
        if not t.has("o"):
            cols.append(group.ljust(widths[3]))
        cols += [size.rjust(widths[4]), when, name]
        lines.append(" ".join(cols) + "\n")
    return lines


# ------------------------------------------------------------------------------ find


class _FindArgs:
    """The expression of ``find``, evaluated per file (``!``, ``-a``, ``-o``, ``( )``)."""

    def __init__(self, t: Toy, words: list[str]) -> None:
        self.t = t
        self.words = words
        self.print_seen = any(w in ("-print", "-print0", "-exec", "-ok", "-delete") for w in words)
        self.mindepth = 0
        self.maxdepth: int | None = None
        self.pos = 0
        self.execs: list[list[str]] = []  # -exec commands the last evaluation asked for
        for n, w in enumerate(words):
            if w in ("-mindepth", "-maxdepth"):
                if n + 1 >= len(words):
                    t.exit(f"'{w}' needs 1 arg")
                value = atolx(t, words[n + 1])
                if w == "-mindepth":
                    self.mindepth = value
                else:
                    self.maxdepth = value
        self.check()

    def check(self) -> None:
        """First pass: reject what toybox rejects before touching a file."""
        self.evaluate(None, "", 0, dry=True)

    def evaluate(self, e: Entry | None, path: str, depth: int, dry: bool = False) -> bool:
        self.pos = 0
        result = self._or(e, path, depth, dry, active=True)
        if self.pos < len(self.words):
            self.t.exit(f"bad arg '{self.words[self.pos]}'")
        if not dry and result and not self.print_seen:
            self.t.out(path + "\n")
        return result

    def _or(self, e, path, depth, dry, active) -> bool:
        value = self._and(e, path, depth, dry, active)
        while self.pos < len(self.words) and self.words[self.pos] in ("-o", "-or"):
            self.pos += 1
            right = self._and(e, path, depth, dry, active and not value)
            value = value or right
        return value

    def _and(self, e, path, depth, dry, active) -> bool:
        value = self._not(e, path, depth, dry, active)
        while self.pos < len(self.words) and self.words[self.pos] not in ("-o", "-or", ")"):
            if self.words[self.pos] in ("-a", "-and"):
                self.pos += 1
            right = self._not(e, path, depth, dry, active and value)
            value = value and right
        return value

    def _not(self, e, path, depth, dry, active) -> bool:
        if self.pos < len(self.words) and self.words[self.pos] in ("!", "-not"):
            self.pos += 1
            return not self._not(e, path, depth, dry, active)
        if self.pos < len(self.words) and self.words[self.pos] == "(":
            self.pos += 1
            value = self._or(e, path, depth, dry, active)
            if self.pos >= len(self.words) or self.words[self.pos] != ")":
                self.t.exit("bad arg '('")
            self.pos += 1
            return value
        return self._primary(e, path, depth, dry, active)

    def _arg(self, word: str) -> str:
        if self.pos >= len(self.words):
            self.t.exit(f"'{word}' needs 1 arg")
        value = self.words[self.pos]
        self.pos += 1
        return value

    def _primary(self, e: Entry | None, path: str, depth: int, dry: bool, active: bool) -> bool:
        t = self.t
        if self.pos >= len(self.words):
            return True
        word = self.words[self.pos]
        self.pos += 1
        live = active and not dry and e is not None
        if word in ("-print", "-print0"):
            if live:
                t.out(path + ("\0" if word == "-print0" else "\n"))
            return True
        if word in ("-true", "-depth", "-d", "-xdev", "-noleaf"):
            return True
        if word == "-false":
            return False
        if word in ("-mindepth", "-maxdepth"):
            self._arg(word)
            return True
        if word in ("-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename"):
            pattern = self._arg(word)
            if e is None:
                return True
            is_name = word in ("-name", "-iname")
            subject = (posixpath.basename(path.rstrip("/")) or path) if is_name else path
            if word.startswith("-i"):
                return fnmatch.fnmatchcase(subject.lower(), pattern.lower())
            return fnmatch.fnmatchcase(subject, pattern)
        if word == "-type":
            kinds = self._arg(word)
            for k in kinds.split(","):
                if k not in "bcdflps" or len(k) != 1:
                    t.exit(f"bad -type '{k[:1]}'")
            if e is None:
                return True
            kind = "d" if e.is_dir else "f"
            return kind in kinds.split(",")
        if word == "-empty":
            if e is None:
                return True
            return not t.inv.phone.fs.listdir(path) if e.is_dir else e.size == 0
        if word == "-size":
            spec = self._arg(word)
            if e is None:
                return True
            units = {"c": 1, "k": 1024, "M": 1 << 20, "G": 1 << 30}
            unit = units.get(spec[-1:], 512)
            number = spec.rstrip("ckMG") if spec[-1:] in units else spec
            blocks = -(-_size(e) // unit)
            return _numsign(t, blocks, number)
        if word in ("-mtime", "-mmin", "-ctime", "-cmin", "-atime", "-amin"):
            spec = self._arg(word)
            if e is None:
                return True
            unit = 60 if word.endswith("min") else 86400
            age = int((time.time() - e.mtime) // unit)
            return _numsign(t, age, spec)
        if word == "-newer":
            other = self._arg(word)
            ref = t.inv.phone.fs.stat(other)
            if ref is None:
                t.exit(f"'{other}': No such file or directory")
            assert ref is not None
            return e is None or e.mtime > ref.mtime
        if word == "-delete":
            if live:
                try:
                    t.inv.phone.fs.remove(path, recursive=False)
                except FsError as err:
                    t.perror(f"'{path}'", err)
            return True
        if word in ("-exec", "-ok"):
            start = self.pos
            while self.pos < len(self.words) and self.words[self.pos] not in (";", "+"):
                self.pos += 1
            if self.pos >= len(self.words):
                t.exit("-exec without \\;")
            argv = [path if w == "{}" else w for w in self.words[start : self.pos]]
            self.pos += 1
            if not argv:
                t.exit(f"'{word}' needs 1 arg")
            if live:
                self.execs.append(argv)
            return True
        t.exit(f"bad arg '{word}'")
        return False


def _numsign(t: Toy, value: int, spec: str) -> bool:
    sign = spec[:1] if spec[:1] in "+-" else ""
    digits = spec[1:] if sign else spec
    if not digits[:1].isdigit():
        t.exit(f"{spec} not [+-]N")
    n = atolx(t, digits)
    if sign == "+":
        return value > n
    if sign == "-":
        return value < n
    return value == n


@toybox_command("find", "?^HL[-HL]")
async def find(t: Toy) -> None:
    """``find [-HL] [DIR...] [<options>]``."""
    args = t.args
    n = 0
    while n < len(args) and not (args[n] and args[n][0] in "-!("):
        n += 1
    roots, expr = args[:n] or ["."], args[n:]
    matcher = _FindArgs(t, expr)
    fs = t.inv.phone.fs

    async def visit(path: str, e: Entry, depth: int) -> None:
        if depth >= matcher.mindepth and (matcher.maxdepth is None or depth <= matcher.maxdepth):
            matcher.evaluate(e, path, depth)
            execs, matcher.execs = matcher.execs, []
            for argv in execs:
                await t.inv.run_command(argv)
        if e.is_dir and (matcher.maxdepth is None or depth < matcher.maxdepth):
            try:
                children = fs.listdir(path)
            except FsError:
                return
            for name, child in children:
                await visit(_child(path, name), child, depth + 1)

    for root in roots:
        e = fs.stat(root)
        if e is None:
            t.perror(f"'{root}'", "No such file or directory")
            continue
        await visit(root, e, 0)


# ------------------------------------------------------------------------------ stat

_STAT_DEFAULT = (
    "  File: %N\n  Size: %s\t Blocks: %b\t IO Blocks: %B\t %F\n"
    "Device: %Dh/%dd\t Inode: %i\t Links: %h\t Device type: %t,%T\n"
    "Access: (%04a/%A)\tUid: (%5u/%8U)\tGid: (%5g/%8G)\n"
    "Access: %x\nModify: %y\nChange: %z"
)


@toybox_command("stat", "<1c:(format)fLt")
def stat(t: Toy) -> None:
    """``stat [-tfL] [-c FORMAT] FILE...`` (``%n %N %s %b %B %F %a %A %u %U %g %G %h %i %x %X
    %y %Y %z %Z %d %D %t %T %o``)."""
    fmt = t["c"] if t.has("c") else (
        "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %o" if t.has("t") else _STAT_DEFAULT
    )  # fmt: skip
    fs = t.inv.phone.fs
    for path in t.args:
        e = fs.stat(path)
        if e is None:
            t.perror(f"'{path}'", "No such file or directory")
            continue
        t.out(_stat_format(path, e, fmt) + "\n")


def _stat_format(path: str, e: Entry, fmt: str) -> str:
    import re

    uid, user, gid, group = _owner(path)
    iso = time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", time.gmtime(e.mtime))
    kind = "directory" if e.is_dir else ("regular empty file" if not e.size else "regular file")
    values: dict[str, tuple[str, object]] = {
        "a": ("o", e.mode & 0o7777), "A": ("s", _mode_string(e)), "b": ("d", _blocks(e)),
        "B": ("d", 512), "d": ("d", 64773), "D": ("x", 64773), "f": ("x", e.mode),
        "F": ("s", kind), "g": ("d", gid), "G": ("s", group), "h": ("d", 2 if e.is_dir else 1),
        "i": ("d", zlib.crc32(normalize(path).encode()) % 1000000), "n": ("s", path), "N": ("s", path),
        "o": ("d", 4096), "s": ("d", _size(e)), "t": ("x", 0), "T": ("x", 0), "u": ("d", uid),
        "U": ("s", user), "x": ("s", iso), "X": ("d", e.mtime), "y": ("s", iso),
        "Y": ("d", e.mtime), "z": ("s", iso), "Z": ("d", e.mtime),
    }  # fmt: skip

    def one(m: re.Match) -> str:
        if m.group(0) == "%%":
            return "%"
        spec, conv = m.group(1), m.group(2)
        if conv not in values:
            return "?"
        kind, value = values[conv]
        return ("%" + spec + kind) % value

    return re.sub(r"%%|%([-#0 +']*\d*(?:\.\d+)?)([a-zA-Z])", one, fmt)


# ------------------------------------------------------------------------------ rm, mkdir, touch, md5sum


@toybox_command("rm", "fiRrv[-fi]")
def rm(t: Toy) -> None:
    """``rm [-fiRrv] FILE...``."""
    if not t.args and not t.has("f"):
        t.help_exit("Needs 1 argument")
    fs = t.inv.phone.fs
    for path in t.args:
        if path == "/":
            t.error("rm /. if you mean it")
            continue
        if posixpath.basename(path) == "..":
            t.error(f"bad path {path}")
            continue
        e = fs.stat(path)
        if e is None:
            if not t.has("f"):
                t.perror(path, "No such file or directory")
            continue
        if e.is_dir and not (t.has("r") or t.has("R")):
            t.error(f"{path}: Is a directory")
            continue
        try:
            fs.remove(path, recursive=True)
        except FsError as err:
            t.perror(path, err)
            continue
        if t.has("v"):
            t.out(f"rm '{path}'\n")


@toybox_command("mkdir", "<1vp(parent)(parents)m:")
def mkdir(t: Toy) -> None:
    """``mkdir [-vp] [-m MODE] DIR...``."""
    fs = t.inv.phone.fs
    for path in t.args:
        try:
            if t.has("p"):
                fs.makedirs(path)
            else:
                fs.mkdir(path)
        except FsError as e:
            t.perror(f"'{path}'", e)
            continue
        if t.has("v"):
            t.out(f"mkdir: created directory '{path}'\n")


@toybox_command("touch", "<1acd:fmr:t:h[!dtr]")
def touch(t: Toy) -> None:
    """``touch [-acm] [-d DATE] [-t TIME] [-r FILE] FILE...``."""
    fs = t.inv.phone.fs
    for path in t.args:
        e = fs.stat(path)
        try:
            if e is None:
                if t.has("c"):
                    continue
                fs.write(path, b"")
            elif not e.is_dir:
                e.mtime = int(time.time())
        except FsError as err:
            t.perror(f"'{path}'", err)


@toybox_command("md5sum", "bc(check)s(status)[!bc]")
def md5sum(t: Toy) -> None:
    """``md5sum [-b] [FILE...]``."""
    import hashlib

    fs = t.inv.phone.fs
    for path in t.args or ["-"]:
        if path == "-":
            digest = hashlib.md5(t.inv.stdin).hexdigest()
        else:
            try:
                digest = fs.md5(path)
            except FsError as e:
                t.perror(path, e)
                continue
        t.out(f"{digest}\n" if t.has("b") else f"{digest}  {path}\n")


FILE_COMMANDS = {
    "cat": cat, "ls": ls, "find": find, "stat": stat, "rm": rm, "mkdir": mkdir, "touch": touch,
    "md5sum": md5sum,
}  # fmt: skip
