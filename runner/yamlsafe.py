"""Safe loading of manifests and config files: bytes in, plain JSON-like Python values out.

Takes untrusted bytes (a spool drop, a file in a GitOps repo, a config file) and returns only
``dict``/``list``/``str``/``int``/``float``/``bool``/``None``, or raises
``IntakeError(40001, message, details)`` with the line and column of the problem where known.
Nothing else escapes: no ruamel comment types, no ``datetime`` (``2026-11-22`` stays a string).

YAML is read with ruamel.yaml's pure-Python *event parser* and the values are built here,
iteratively, under the YAML 1.2 core schema (so ``14:30`` is a string and ``on`` is not a bool).
Refused (design.md, "Spool directory", bad input rules):

- more than ``max_bytes`` bytes, checked before anything is decoded;
- invalid UTF-8 (a UTF-8 byte-order mark is allowed);
- nesting deeper than ``max_depth`` containers (checked as events arrive, so a 100k-deep
  ``[[[[...`` stops at the cap without recursion);
- anchors and aliases (alias expansion bombs), any ``%YAML``/``%TAG`` directive (under YAML 1.1
  ``14:30`` becomes 870), more than one document, duplicate keys, non-scalar keys, tags other than
  the core ``!!str !!int !!float !!bool !!null !!map !!seq``, ``.inf``/``.nan``.

``.json`` files are read with the stdlib ``json`` module under the same size and depth caps (the
depth is measured by a linear scan before parsing), refusing duplicate keys and NaN/Infinity.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from runner.errors import INVALID_PARAMETERS, ErrorDetail, IntakeError

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_DEPTH = 32

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq")} | {"!"}

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema).
_NULL = re.compile(r"^(?:null|Null|NULL|~|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

# JSON strings and brackets, for the depth scan that runs before json.loads.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _fail(
    filename: str, problem: str, line: int | None = None, column: int | None = None
) -> IntakeError:
    """An ``IntakeError(40001)``: its message names the file and the (1-based) line/column; its one
    detail (pointer ``""``) says the line/column and the problem, without the file name."""
    where = (
        f"line {line + 1}, column {column + 1}: " if line is not None and column is not None else ""
    )
    detail = ErrorDetail("", where + problem)
    return IntakeError(INVALID_PARAMETERS, f"{filename}: {where}{problem}", [detail])


def _whole_code_points(text: str, filename: str, mark: Any = None) -> str:
    """Join escaped UTF-16 surrogate pairs (``"\\ud83d\\ude00"``) into one code point; refuse a lone
    surrogate (it could not be written back as UTF-8 by the store or a status file)."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        line, col = (mark.line, mark.column) if mark is not None else (None, None)
        raise _fail(filename, "a string holds a lone UTF-16 surrogate escape", line, col) from None


def _decode(data: bytes, filename: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise _fail(filename, f"file is {len(data)} bytes, more than the limit of {max_bytes}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _fail(filename, f"not valid UTF-8 (byte {e.start})") from None
    return text.removeprefix("\ufeff")


def load_document(data: bytes, *, filename: str, max_bytes: int, max_depth: int) -> Any:
    """Parse ``data`` (YAML 1.2, or JSON when ``filename`` ends in ``.json``) into plain values.

    ``max_bytes`` caps the input size in bytes, ``max_depth`` the number of nested containers
    (the top-level mapping is depth 1). An empty YAML document gives ``None``.
    Raises ``IntakeError(40001, ...)`` for every refusal listed in the module docstring; never
    any other exception, whatever the input.
    """
    text = _decode(data, filename, max_bytes)
    if filename.lower().endswith(".json"):
        return _load_json(text, filename, max_depth)
    return _load_yaml(text, filename, max_depth)


def load_yaml_text(text: str) -> Any:
    """Parse a YAML config text with the same rules as :func:`load_document` and default caps.

    Raises ``IntakeError(40001, ...)`` on refusal (message names ``<config>`` and line/column).
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail("<config>", "not valid UTF-8") from None
    return load_document(
        data, filename="<config>", max_bytes=DEFAULT_MAX_BYTES, max_depth=DEFAULT_MAX_DEPTH
    )


# --------------------------------------------------------------------------------------- JSON


def _load_json(text: str, filename: str, max_depth: int) -> Any:
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, m.start())
                col = m.start() - (text.rfind("\n", 0, m.start()) + 1)
                raise _fail(filename, f"nesting deeper than {max_depth} levels", line, col)
        elif tok in "]}":
            depth -= 1

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise _fail(filename, f"duplicate key {k!r}")
            out[k] = v
        return out

    def constant(name: str) -> Any:
        raise _fail(filename, f"{name} is not a number JSON allows")

    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except IntakeError:
        raise
    except json.JSONDecodeError as e:
        raise _fail(filename, f"invalid JSON: {e.msg}", e.lineno - 1, e.colno - 1) from None
    except (ValueError, RecursionError) as e:  # e.g. an int with more digits than Python allows
        raise _fail(filename, f"invalid JSON: {e}") from None
    if _SURROGATE_ESCAPE.search(text):
        doc = _fix_surrogates(doc, filename)
    return doc


def _fix_surrogates(doc: Any, filename: str) -> Any:
    """Apply :func:`_whole_code_points` to every string (keys too), iteratively."""
    if isinstance(doc, str):
        return _whole_code_points(doc, filename)
    todo: list[Any] = [doc] if isinstance(doc, (dict, list)) else []
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str):
                    node[i] = _whole_code_points(v, filename)
                elif isinstance(v, (dict, list)):
                    todo.append(v)
        else:
            for k in list(node):
                v = node.pop(k)
                if isinstance(v, str):
                    v = _whole_code_points(v, filename)
                elif isinstance(v, (dict, list)):
                    todo.append(v)
                node[_whole_code_points(k, filename)] = v
    return doc


# --------------------------------------------------------------------------------------- YAML


def _resolve_plain(value: str, tag: str | None, filename: str, mark: Any) -> Any:
    """A plain scalar under the YAML 1.2 core schema, or the type its explicit core tag names."""
    line, col = mark.line, mark.column
    if tag == _CORE + "str" or tag == "!":
        return value
    try:
        if tag in (None, _CORE + "null") and _NULL.match(value):
            return None
        if tag in (None, _CORE + "bool"):
            if _TRUE.match(value):
                return True
            if _FALSE.match(value):
                return False
        if tag in (None, _CORE + "int"):
            if _INT10.match(value):
                return int(value)
            if _INT8.match(value):
                return int(value[2:], 8)
            if _INT16.match(value):
                return int(value[2:], 16)
        if tag in (None, _CORE + "float"):
            if _SPECIAL_FLOAT.match(value):
                raise _fail(filename, f"{value!r} is not a finite number", line, col)
            if _FLOAT.match(value) and value not in ("+", "-", "."):
                f = float(value)
                if not math.isfinite(f):
                    raise _fail(filename, f"{value!r} is not a finite number", line, col)
                return f
    except ValueError as e:  # e.g. more digits than int() allows
        raise _fail(filename, f"bad number: {e}", line, col) from None
    if tag is None:
        return value
    raise _fail(filename, f"{value!r} is not a valid {tag.removeprefix(_CORE)}", line, col)


class _Builder:
    """Builds plain values from parser events with an explicit stack (no recursion)."""

    def __init__(self, filename: str, max_depth: int):
        self.filename = filename
        self.max_depth = max_depth
        # Each frame: [container, pending_key_or_marker]; for dicts the key awaiting a value.
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.have_root = False

    def _place(self, value: Any, event: Any, is_key_candidate: bool) -> None:
        mark = event.start_mark
        if not self.stack:
            self.root, self.have_root = value, True
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
            return
        if frame[1] is _NO_KEY:
            if not is_key_candidate:
                raise _fail(self.filename, "mapping keys must be scalars", mark.line, mark.column)
            key = value
            if key in container:
                raise _fail(self.filename, f"duplicate key {key!r}", mark.line, mark.column)
            frame[1] = key
        else:
            container[frame[1]] = value
            frame[1] = _NO_KEY

    def _expecting_key(self) -> bool:
        return (
            bool(self.stack)
            and isinstance(self.stack[-1][0], dict)
            and self.stack[-1][1] is _NO_KEY
        )

    def feed(self, event: Any) -> None:
        f = self.filename
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            raise _fail(f, "YAML aliases (*name) are not allowed", mark.line, mark.column)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _fail(f, f"YAML anchors (&{anchor}) are not allowed", mark.line, mark.column)
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_TAGS:
            raise _fail(f, f"YAML tag {tag!r} is not allowed", mark.line, mark.column)
        if isinstance(event, ScalarEvent):
            event.value = _whole_code_points(event.value, f, mark)
            if self._expecting_key():
                # Keys are strings, as in JSON: a plain key keeps its text (``1: x`` -> {"1": "x"}).
                self._place(event.value, event, True)
                return
            if event.style is None or tag not in (None, "!", _CORE + "str"):
                value = _resolve_plain(event.value, tag, f, mark)
            else:
                value = event.value
            self._place(value, event, True)
        elif isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            is_map = isinstance(event, MappingStartEvent)
            if tag is not None and tag != "!" and tag != _CORE + ("map" if is_map else "seq"):
                raise _fail(f, f"YAML tag {tag!r} does not fit here", mark.line, mark.column)
            if len(self.stack) >= self.max_depth:
                raise _fail(
                    f, f"nesting deeper than {self.max_depth} levels", mark.line, mark.column
                )
            if self._expecting_key():
                raise _fail(f, "mapping keys must be scalars", mark.line, mark.column)
            container: Any = {} if is_map else []
            self._place(container, event, False)
            self.stack.append([container, _NO_KEY])
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            self.stack.pop()


_NO_KEY = object()


def _load_yaml(text: str, filename: str, max_depth: int) -> Any:
    builder = _Builder(filename, max_depth)
    documents = 0
    parser = YAML(typ="safe", pure=True)
    try:
        for event in parser.parse(text):
            if isinstance(event, DocumentStartEvent):
                mark = event.start_mark
                if event.version is not None or event.tags:
                    raise _fail(
                        filename,
                        "YAML directives (%YAML, %TAG) are not allowed; files are read as YAML 1.2",
                        mark.line,
                        mark.column,
                    )
                documents += 1
                if documents > 1:
                    raise _fail(filename, "more than one YAML document", mark.line, mark.column)
                continue
            builder.feed(event)
    except IntakeError:
        raise
    except MarkedYAMLError as e:
        m = e.problem_mark or e.context_mark
        problem = " ".join(p for p in (e.context, e.problem) if p) or "invalid YAML"
        raise _fail(
            filename, f"invalid YAML: {problem}", m.line if m else None, m.column if m else None
        ) from None
    except (YAMLError, ValueError, RecursionError, MemoryError) as e:
        raise _fail(filename, f"invalid YAML: {e}") from None
    except Exception as e:  # ruamel raising something odd on hostile input must not escape
        raise _fail(filename, f"invalid YAML: {type(e).__name__}: {e}") from None
    return builder.root
