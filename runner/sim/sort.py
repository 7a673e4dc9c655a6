"""``sort`` and ``uniq`` of the simulated phone, after toybox 0.8.6's ``toys/posix/sort.c`` and
``uniq.c``.

``sort``: keys (``-k2,2n``, ``-k1.3``; a key's own flags replace the global ones for it, ``-r``
included, as POSIX says), ``-t``, ``-b -d -f -i -M -n -g -V -x -r -u -s -c -z -o``; the fallback
comparison is the whole line's bytes; ``-c`` says ``sort: -: Check line N`` (with toybox's extra blank
line), status 1; a bad key flag ``sort: Unknown key option.``, status 2. ``uniq``: ``-c`` counts as
``%7lu ``, ``-d -u -i -f -s -w -z``; lines compare with their newline, as toybox's ``getline`` keeps it;
``INFILE`` (no ``-`` for stdin) and ``OUTFILE`` operands.
"""

from __future__ import annotations

import functools
import math
import re

from runner.sim.filesystem import FsError
from runner.sim.toyopts import Toy, lines_of, toybox_command

_SORT_OPTS = "gS:T:mo:k*t:xVbMcszdfirun"
_KEY_FLAGS = set("xVbMdfirng")  # flags a -k key may carry ("b" after a comma means trailing)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_FLOAT_RE = re.compile(rb"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _atof(s: bytes) -> float:
    m = _FLOAT_RE.match(s)
    return float(m.group(0)) if m else 0.0


def _strtod(s: bytes) -> float | None:
    m = re.match(rb"\s*([+-]?(inf(inity)?|nan|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?))", s, re.I)
    return float(m.group(1)) if m else None


class _Key:
    def __init__(self) -> None:
        self.range = [0, 0, 0, 0]  # start field, start char, end field, end char
        self.flags: set[str] = set()


def _key_data(t: Toy, line: bytes, key: _Key, flags: set[str]) -> bytes:
    sep = t["t"].encode()[:1] if t["t"] else None
    r = key.range
    if r == [1, 0, 0, 0] and not flags & {"b", "d", "i", "bb"}:
        return line
    n = len(line)
    start = end = 0
    for j in range(2):
        if not r[2 * j]:
            end = n
        else:
            end = 0
            for _ in range(1, r[2 * j] + j):
                if end < n and sep is None:
                    while end < n and line[end : end + 1].isspace():
                        end += 1
                while end < n:
                    if sep is not None:
                        if line[end : end + 1] == sep:
                            end += 1
                            break
                    elif line[end : end + 1].isspace():
                        break
                    end += 1
        if not j:
            start = end
    if sep is not None and line[start : start + 1] == sep:
        start += 1
    if "b" in flags or (sep is None and not r[3]):
        while start < n and line[start : start + 1].isspace():
            start += 1
    if "bb" in flags:
        while end > start and line[end - 1 : end].isspace():
            end -= 1
    if r[3]:
        end = min(end + r[3] - 1, n)
    if r[1]:
        start = min(start + r[1] - 1, n)
    end = max(end, start)
    s = line[start:end]
    if "d" in flags:
        s = bytes(c for c in s if chr(c).isalnum() or chr(c).isspace())
    if "i" in flags:
        s = bytes(c for c in s if 32 <= c < 127)
    return s


def _compare_values(flags: set[str], x: bytes, y: bytes) -> int:
    if "g" in flags:
        dx, dy = _strtod(x), _strtod(y)
        if dx is None:
            return 0 if dy is None else -1
        if dy is None:
            return 1
        if math.isnan(dx):
            return 0 if math.isnan(dy) else -1
        if math.isnan(dy):
            return 1
        return (dx > dy) - (dx < dy)
    if "M" in flags:

        def month(s: bytes) -> int | None:
            word = s.strip()[:3].decode("latin-1").lower()
            return _MONTHS.index(word) if word in _MONTHS else None

        mx, my = month(x), month(y)
        if mx is None:
            return 0 if my is None else -1
        if my is None:
            return 1
        return mx - my
    if "x" in flags:

        def hexval(s: bytes) -> int:
            m = re.match(rb"\s*([+-]?)(0[xX])?([0-9a-fA-F]+)", s)
            return int(m.group(1) + m.group(3), 16) if m else 0

        return (hexval(x) > hexval(y)) - (hexval(x) < hexval(y))
    if "V" in flags:
        return _version_cmp(x, y)
    if "n" in flags:
        fx, fy = _atof(x), _atof(y)
        return (fx > fy) - (fx < fy)
    if "f" in flags:
        x, y = x.lower(), y.lower()
    return (x > y) - (x < y)


def _version_cmp(x: bytes, y: bytes) -> int:
    i = j = 0
    while i < len(x) and j < len(y):
        while i < len(x) and j < len(y) and x[i] == y[j]:
            i += 1
            j += 1
        if i < len(x) and j < len(y) and chr(x[i]).isdigit() and chr(y[j]).isdigit():
            mx = re.match(rb"\d+", x[i:])
            my = re.match(rb"\d+", y[j:])
            assert mx and my
            a, b = int(mx.group(0)), int(my.group(0))
            if a != b:
                return -1 if a < b else 1
            i += mx.end()
            j += my.end()
        else:
            xx = x[i] if i < len(x) else x[i - 1]
            yy = y[j] if j < len(y) else y[j - 1]
            if xx != yy:
                rest = y[j:]
                if xx < yy and not rest.startswith((b"-rc", b"-pre")):
                    return -1
                return 1
    return (1 if j < len(y) else 0) if i < len(x) else -1


@toybox_command("sort", _SORT_OPTS, argfail=2)
def sort(t: Toy) -> None:
    """``sort [-runbcdfiMsz] [FILE...] [-k#[,#[x]] [-t X]] [-o FILE]``."""
    global_flags = {k for k in "gmxVbMcszdfirun" if t.has(k)}
    if "b" in global_flags:
        global_flags.add("bb")
    keys: list[_Key] = []
    for spec in t["k"]:
        key = _Key()
        idx, pos = 0, 0
        while pos < len(spec):
            m = re.match(r"\d*", spec[pos:])
            assert m is not None
            key.range[2 * idx] = int(m.group(0) or 0)
            pos += m.end()
            if spec[pos : pos + 1] == ".":
                m = re.match(r"\d*", spec[pos + 1 :])
                assert m is not None
                key.range[2 * idx + 1] = int(m.group(0) or 0)
                pos += 1 + m.end()
            while pos < len(spec):
                ch = spec[pos]
                pos += 1
                if ch == "," and not idx:
                    idx = 1
                    break
                if ch not in _KEY_FLAGS:
                    t.exitval = 2
                    t.exit("Unknown key option.")
                key.flags.add("bb" if idx and ch == "b" else ch)
        keys.append(key)
    if not keys:
        key = _Key()
        key.range[0] = 1
        keys.append(key)

    def compare(a: bytes, b: bytes) -> int:
        retval = 0
        flags = global_flags
        for key in keys:
            flags = key.flags or global_flags
            retval = _compare_values(
                flags, _key_data(t, a, key, flags), _key_data(t, b, key, flags)
            )
            if retval:
                break
        if not retval and "s" not in global_flags:
            flags = global_flags
            retval = (a > b) - (a < b)
        return -retval if "r" in flags else retval

    delim = b"\0" if t.has("z") else b"\n"
    lines: list[bytes] = []
    count = 0
    for name, data in t.inputs():
        for raw in lines_of(data, delim):
            line = raw[:-1] if raw.endswith(delim) else raw
            if t.has("c"):  # -c: each line against the one before it, as it is read
                if lines and compare(lines[-1], line) > (-1 if t.has("u") else 0):
                    t.exit(f"{name}: Check line {count}\n")
                lines[:] = [line]
            else:
                lines.append(line)
            count += 1
    if t.has("c"):
        return
    lines.sort(key=functools.cmp_to_key(compare))
    if t.has("u"):
        uniq: list[bytes] = []
        for line in lines:
            if not uniq or compare(uniq[-1], line):
                uniq.append(line)
        lines = uniq
    out = b"".join(line + delim for line in lines)
    if t["o"]:
        try:
            t.write_file(t["o"], out)
        except FsError as e:
            t.exit(f"{t['o']}: {e}")
    else:
        t.out(out)


# ------------------------------------------------------------------------------ uniq


@toybox_command("uniq", "f#s#w#zicdu")
def uniq(t: Toy) -> None:
    """``uniq [-cduiz] [-w MAXCHARS] [-f FIELDS] [-s CHAR] [INFILE [OUTFILE]]``."""
    fs = t.inv.phone.fs
    if t.args:
        try:
            data = fs.read(t.args[0])  # xfopen: "-" is a file name here
        except FsError as e:
            t.exit(f"No file {t.args[0]}: {e}")
    else:
        data = t.inv.stdin
    eol = b"\0" if t.has("z") else b"\n"

    def skip(line: bytes) -> bytes:
        i = 0
        for _ in range(t["f"] or 0):
            while i < len(line) and line[i : i + 1].isspace():
                i += 1
            while i < len(line) and not line[i : i + 1].isspace():
                i += 1
        return line[min(i + (t["s"] or 0), len(line)) :]

    def same(a: bytes, b: bytes) -> bool:
        if t["f"] or t["s"]:
            a, b = skip(a), skip(b)
        if t["w"]:
            a, b = a[: t["w"]], b[: t["w"]]
        return a.lower() == b.lower() if t.has("i") else a == b

    out = bytearray()
    lines = lines_of(data, eol)

    def emit(line: bytes, repeats: int) -> None:
        if t.has("u") if repeats else t.has("d"):
            return
        if t.has("c"):
            out.extend(f"{repeats + 1:>7} ".encode())
        if t.has("z"):
            out.extend(line.rstrip(b"\0") + b"\0")
        else:
            out.extend(line)

    if lines:
        prev, repeats = lines[0], 0
        for line in lines[1:]:
            if same(line, prev):
                repeats += 1
            else:
                emit(prev, repeats)
                prev, repeats = line, 0
        emit(prev, repeats)
    if len(t.args) > 1:
        try:
            t.write_file(t.args[1], bytes(out))
        except FsError as e:
            t.exit(f"No file {t.args[1]}: {e}")
    else:
        t.out(bytes(out))


SORT_COMMANDS = {"sort": sort, "uniq": uniq}
