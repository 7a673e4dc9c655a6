"""Toybox's text filters on the simulated phone: ``head``, ``tail``, ``cut``, ``wc``, ``tr``,
``tee``, ``seq``, ``basename``, ``dirname`` (``sort``/``uniq`` are :mod:`runner.sim.sort`, ``grep``
:mod:`runner.sim.grep`, ``sed`` :mod:`runner.sim.sed`).

Each follows toybox 0.8.6 (Android 13's) ``toys/*/NAME.c``: its option string, its output format
(``wc``'s padding rules, ``uniq -c``'s ``%7lu``, ``head``/``tail``'s ``==> NAME <==`` headers), its
messages and exit statuses. They work on bytes, as the C code does; input is the pipeline's stdin
or the phone's files (:meth:`~runner.sim.toyopts.Toy.inputs`).
"""

from __future__ import annotations

import posixpath
import re

from runner.sim.filesystem import FsError
from runner.sim.posix_regex import RegexError, compile_posix, search
from runner.sim.toyopts import Toy, atolx, lines_of, toybox_command

# ------------------------------------------------------------------------------ head, tail


@toybox_command("head", "?n(lines)#<0=10c(bytes)#<0qv[-nc]")
def head(t: Toy) -> None:
    """``head [-n NUM] [-c NUM] [-qv] [FILE...]`` (and the old ``head -5``)."""
    args = list(t.args)
    if args and args[0].startswith("-") and len(args[0]) > 1:
        t.values["n"] = atolx(t, args.pop(0)[1:])
    first = True
    for name, data in t.inputs(args):
        if (len(args) > 1 and not t.has("q")) or t.has("v"):
            t.out(("" if first else "\n") + f"==> {name} <==\n")
        first = False
        if t.has("c"):
            t.out(data[: t["c"]])
        else:
            t.out(b"".join(lines_of(data)[: t["n"] or 0]))


@toybox_command("tail", "?fFs:c(bytes)-n(lines)-[-cn][-fF]")
async def tail(t: Toy) -> None:
    """``tail [-n|c NUMBER] [-f|F] [FILE...]``: ``-n N`` last N lines, ``-n +N`` from line N."""
    args = list(t.args)
    if not t.has("n") and not t.has("c"):
        if args and args[0].startswith("-") and len(args[0]) > 1:
            t.values["n"] = atolx(t, args.pop(0))
        else:
            t.values["n"] = -10
    for n, (name, data) in enumerate(t.inputs(args)):
        if n:
            t.out(b"\n")
        if len(args) > 1:
            t.out(f"==> {name} <==\n")
        if t.has("c"):
            c = t["c"]
            t.out(data[c:] if c < 0 else data[max(c - 1, 0) :])
        else:
            lines, count = lines_of(data), t["n"]
            t.out(b"".join(lines[count:] if count < 0 else lines[max(count - 1, 0) :]))
    if t.has("f") or t.has("F"):  # follow: nothing more ever arrives; wait for adb to hang up
        await t.inv.flush()
        await t.inv.wait_hangup()


# ------------------------------------------------------------------------------ cut

_UINT_MAX = 2**32 - 1


def _cut_range(text: str) -> tuple[tuple[int, int] | None, int | None]:
    """``get_range``: (start, end) of ``A``, ``A-B``, ``A-``, ``-B``; or the error's offset."""
    pair = [0, _UINT_MAX]
    end = 0
    i = 0
    while True:
        if i == 2:
            return None, end
        m = re.match(r"\d+", text[end:])
        if m:
            n = int(m.group(0))
            if n < 1 or n > _UINT_MAX:
                return None, end
            pair[i] = n
            end += m.end()
        ch = text[end] if end < len(text) else ""
        end += 1
        if ch != "-":
            break
        i += 1
    if i == 0:
        pair[1] = pair[0]
    if end < len(text):
        return None, end
    if pair[0] > pair[1]:
        return None, 0
    return (pair[0], pair[1]), None


@toybox_command("cut", "b*|c*|f*|F*|C*|O(output-delimiter):d:sDn[!cbfF]")
def cut(t: Toy) -> None:
    """``cut [-Ds] [-bcCfF LIST] [-dO DELIM] [FILE...]``."""
    fields = t.has("f") or t.has("F")
    if t.has("s") and not fields:
        t.exit("-s needs -Ff")
    if t.has("d") and not fields:
        t.exit("-d needs -Ff")
    delim: str = (
        t["d"] if t["d"] is not None else ("[[:space:]][[:space:]]*" if t.has("F") else "\t")
    )
    reg = None
    if t.has("F"):
        try:
            reg = compile_posix(delim.encode(), extended=True)
        except RegexError as e:
            t.exit(f"bad regex '{delim}': {e}")
    odelim = t["O"]
    if odelim is None:
        odelim = " " if t.has("F") else delim if t.has("f") else None
    pairs: list[tuple[int, int]] = []
    for letter in "CFfcb":
        for item in t[letter] or []:
            pos = 0
            for piece in item.split(","):
                if piece:
                    pair, bad = _cut_range(piece)
                    if pair is None:
                        assert bad is not None
                        caret = " " * (10 + len(t.name) + pos + bad) + "^"
                        t.exit(f"bad -{letter} '{item}'\n{caret}")
                    assert pair is not None
                    pairs.append(pair)
                pos += len(piece) + 1
    if not pairs:
        t.exit("no selections")
    if not t.has("D"):
        pairs.sort()
        merged = [pairs[0]]
        for a, b in pairs[1:]:
            if a > merged[-1][1]:
                merged.append((a, b))
            elif b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        pairs = merged
    dset = delim.encode()
    out = bytearray()
    for _name, data in t.inputs():
        for raw in lines_of(data):
            line = raw[:-1] if raw.endswith(b"\n") else raw
            piece, newline = _cut_line(t, line, pairs, dset, reg, odelim)
            out += piece + (b"\n" if newline else b"")
    t.out(bytes(out))


def _cut_line(
    t: Toy, line: bytes, pairs: list[tuple[int, int]], d: bytes, reg, odelim: str | None
) -> tuple[bytes, bool]:
    """One line's output, and whether a newline follows (``-s`` drops a line without delimiter,
    after whatever earlier selections printed, as toybox does)."""
    out = bytearray()
    n = len(line)
    for i, (first, last) in enumerate(pairs):
        start = first - 1 if first else 0
        if start >= n:
            continue
        end = n if not last or last > n else last
        count = end - start
        if t.has("b"):
            piece = line[start : start + count]
        elif t.has("c") or t.has("C"):
            chars = line.decode("utf-8", "surrogateescape")
            if start >= len(chars):
                continue
            piece = chars[start : start + count].encode("utf-8", "surrogateescape")
        else:
            s = ss = 0
            skip, j = start, 0
            broke = False
            for j in range(2):
                ss = s
                if j:
                    skip = count
                else:
                    end = skip
                while ss < n and skip:
                    if reg is None:
                        c = line[ss]
                        ss += 1
                        if c not in d:
                            continue
                        skip -= 1
                        if not skip and j:
                            ss -= 1
                    else:
                        m = search(reg, line, ss)
                        if m is None:
                            ss = n
                            continue
                        if m.end() == ss:
                            break
                        skip -= 1
                        ss = m.start() if (not skip and j) else m.end()
                if not j:
                    s = ss
                    if s >= n:
                        broke = True
                        break
            if broke and end == skip:  # no delimiter in the line: posix says print it whole
                if t.has("D"):
                    break
                if t.has("s"):
                    return bytes(out), False
                out += line
                break
            if broke:
                continue
            piece = line[s:ss]
        if i and odelim is not None:
            out += odelim.encode()
        out += piece
    return bytes(out), True


# ------------------------------------------------------------------------------ wc


@toybox_command("wc", "mcwl")
def wc(t: Toy) -> None:
    """``wc [-lwcm] [FILE...]``: lines, words, bytes (or characters)."""
    shown = [k for k in "lwcm" if t.has(k)] or ["l", "w", "c"]
    totals = dict.fromkeys("lwcm", 0)
    nfiles = len(t.args)
    space = 7 if not ((nfiles == 0 and len(shown) == 1) or nfiles == 1) else 0

    def show(counts: dict[str, int], name: str | None) -> None:
        nums = [f"{counts[k]:>{space}}" for k in "lwcm" if k in shown]
        t.out(" ".join(nums) + (f" {name}" if name is not None and nfiles else "") + "\n")

    for name, data in t.inputs():
        text = data.decode("utf-8", "surrogateescape")
        counts = {
            "l": data.count(b"\n"),
            "w": len(data.split()) if "m" not in shown else len(text.split()),
            "c": len(data),
            "m": sum(1 for ch in text if not ("\udc80" <= ch <= "\udcff")),
        }
        for k in totals:
            totals[k] += counts[k]
        show(counts, name)
    if nfiles > 1:
        show(totals, "total")


# ------------------------------------------------------------------------------ tr

_TR_CLASSES = {
    "alpha": b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "alnum": b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "digit": b"0123456789",
    "lower": b"abcdefghijklmnopqrstuvwxyz",
    "upper": b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "space": b"\t\n\f\r\v ",
    "blank": b"\t ",
    "punct": bytes(c for c in range(128) if 33 <= c < 127 and not chr(c).isalnum()),
    "cntrl": bytes([*range(32), 127]),
    "xdigit": b"0123456789ABCDEFabcdef",
}
_TR_ESCAPES = {"n": 10, "t": 9, "e": 27, "b": 8, "a": 7, "f": 12, "v": 11, "r": 13, "\\": 92}


def _tr_set(t: Toy, arg: bytes) -> bytes:
    """``expand_set``: escapes, ranges, ``[:class:]`` and ``[=c=]``."""
    out = bytearray()
    i = 0
    while i < len(arg):
        c = arg[i]
        if c == ord("\\"):
            i += 1
            nxt = chr(arg[i]) if i < len(arg) else ""
            if nxt == "x" or nxt.isdigit():
                base, j = (16, i + 1) if nxt == "x" else (8, i)
                digits = ""
                while len(digits) < (2 if base == 16 else 3) and j < len(arg):
                    ch = chr(arg[j]).lower()
                    if ch not in "0123456789abcdef"[:base]:
                        break
                    digits += ch
                    j += 1
                if digits:
                    out.append(int(digits, base) & 0xFF)
                    i = j
                else:  # "\\xq" is a backslash then "xq"; "\\8" a NUL then "8"
                    out.append(ord("\\") if base == 16 else 0)
                continue
            if nxt in _TR_ESCAPES:
                out.append(_TR_ESCAPES[nxt])
                i += 1
            else:
                out.append(ord("\\"))
            continue
        if i + 1 < len(arg) and arg[i + 1] == ord("-") and i + 2 < len(arg):
            lo, hi = arg[i], arg[i + 2]
            if lo > hi:
                t.exit("reverse colating order")
            out.extend(range(lo, hi + 1))
            i += 3
            continue
        if arg.startswith(b"[:", i):
            end = arg.find(b":]", i + 2)
            name = arg[i + 2 : end].decode("latin-1") if end > 0 else ""
            if name in _TR_CLASSES:
                out.extend(_TR_CLASSES[name])
                i = end + 2
                continue
        if arg.startswith(b"[=", i):  # toybox then goes on reading at the class's character
            i += 2
            if i < len(arg):
                out.append(arg[i])
            if arg[i + 1 : i + 3] != b"=]":
                t.exit("bad equiv class")
            continue
        out.append(c)
        i += 1
    return bytes(out)


@toybox_command("tr", "^>2<1Ccsd[+cC]")
def tr(t: Toy) -> None:
    """``tr [-cds] SET1 [SET2]``: translate, squeeze or delete bytes of stdin."""
    set1 = _tr_set(t, t.args[0].encode("utf-8", "surrogateescape"))
    if t.has("c"):
        set1 = bytes(c for c in range(256) if c not in set1)
    set2 = None
    if len(t.args) > 1:
        if not t.args[1]:
            t.exit("set2 can't be empty string")
        set2 = _tr_set(t, t.args[1].encode("utf-8", "surrogateescape"))
    table = list(range(256))
    if t.has("d"):
        for c in set1:
            table[c] |= 0x100
    if t.has("s"):
        for c in set1 + (set2 or b""):
            table[c] |= 0x200
    if not t.has("d") and set2:
        k = 0
        for c in set1:
            table[c] = (table[c] & 0xFF00) | set2[k]
            if k + 1 < len(set2):
                k += 1
    out = bytearray()
    prev = -1
    for b in t.inv.stdin:
        ch = table[b]
        if t.has("d") and ch & 0x100:
            continue
        if t.has("s") and ch & 0x200 and prev == ch:
            continue
        out.append(ch & 0xFF)
        prev = ch
    t.out(bytes(out))


# ------------------------------------------------------------------------------ tee, seq


@toybox_command("tee", "ia")
def tee(t: Toy) -> None:
    """``tee [-ai] [FILE...]``: copy stdin to each FILE and to stdout."""
    for path in t.args:
        try:
            t.write_file(path, t.inv.stdin, append=t.has("a"))
        except FsError as e:
            t.perror(path, e)
    t.out(t.inv.stdin)


def _seq_num(t: Toy, text: str) -> tuple[float, int]:
    """``parsef``: the value and the digits after its decimal point (before any exponent)."""
    prec = len(re.split("[eE]", text.split(".", 1)[1])[0]) if "." in text else 0
    try:
        return float(text), prec
    except ValueError:
        t.exit(f"strtod {text}: Argument list too long")
        raise


def _seq_check_format(t: Toy, fmt: str) -> None:
    """``insanitize``: exactly one floating point escape."""
    escapes = [m for m in re.finditer(r"%%|%[0'#\-+ ]*\d*\.?\d*", fmt) if m.group(0) != "%%"]
    if not escapes:
        t.exit("bad -f no %f")
    first = escapes[0].end()
    if fmt[first : first + 1] not in tuple("aAeEfFgG") or fmt[first : first + 1] == "":
        t.exit(f"bad -f '{fmt}'@{first + 1}")
    if len(escapes) > 1:
        t.exit(f"bad -f '{fmt}'@{escapes[1].end() + 1}")


@toybox_command("seq", "<1>3?f:s:w[!fw]")
def seq(t: Toy) -> None:
    """``seq [-w|-f fmt_str] [-s sep_str] [first] [increment] last``."""
    nums = [_seq_num(t, a) for a in t.args]
    precision = max(p for _, p in nums)
    first, increment = 1.0, 1.0
    last = nums[-1][0]
    if len(nums) == 3:
        increment = nums[1][0]
    if len(nums) >= 2:
        first = nums[0][0]
    sep = t["s"] if t["s"] is not None else "\n"
    integral = all(v == int(v) for v in (first, increment, last + increment))
    if not t.flags and integral:
        i, end, step = int(first), int(last), int(increment)
        out = []
        if step > 0:
            out = [f"{n}\n" for n in range(i, end + 1, step)]
        elif step < 0:
            out = [f"{n}\n" for n in range(i, end - 1, step)]
        t.out("".join(out))
        return
    width = max(len(f"{abs(v):.{precision}f}") for v in (first, increment, last))
    fmt = t["f"] if t["f"] is not None else f"%0{width}.{precision}f"
    if t["f"] is not None:
        _seq_check_format(t, fmt)
    if not increment:
        return
    items = []
    ii = 0
    while True:
        dd = first + ii * increment
        if (increment < 0 and dd < last) or (increment > 0 and dd > last):
            break
        items.append(fmt % dd)
        ii += 1
    t.out(sep.join(items) + "\n")


# ------------------------------------------------------------------------------ basename, dirname


@toybox_command("basename", "^<1as:")
def basename(t: Toy) -> None:
    """``basename [-a] [-s SUFFIX] NAME... | NAME [SUFFIX]``."""
    args = list(t.args)
    suffix = t["s"]
    if t.has("s"):
        t.flags["a"] = True
    if not t.has("a"):
        if len(args) > 2:
            t.exit("too many args")
        suffix = args[1] if len(args) > 1 else None
        args = args[:1]
    for arg in args:
        stripped = arg.rstrip("/")
        base = posixpath.basename(stripped) if stripped else ("/" if arg else ".")
        if suffix and base.endswith(suffix) and base != suffix:
            base = base[: -len(suffix)]
        t.out(base + "\n")


@toybox_command("dirname", "<1")
def dirname(t: Toy) -> None:
    """``dirname PATH...``."""
    for arg in t.args:
        path = arg.rstrip("/") or ("/" if arg.startswith("/") else "")
        if "/" not in path:
            t.out(("/" if arg.startswith("/") else ".") + "\n")
            continue
        parent = path.rsplit("/", 1)[0].rstrip("/")
        t.out((parent or "/") + "\n")


TEXT_COMMANDS = {
    "head": head, "tail": tail, "cut": cut, "wc": wc, "tr": tr, "tee": tee, "seq": seq,
    "basename": basename, "dirname": dirname,
}  # fmt: skip
