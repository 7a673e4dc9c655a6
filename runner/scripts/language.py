"""The app's UI strings per language, as data, and recognising the language a dump shows.

Takes the locale files (``runner/scripts/locales/<code>.yaml``: ``language``, ``name``,
``strings: {key: text or [variants]}``); gives :class:`Locales`: the variants of a string key in
one language (or in every language, while the language is not known yet) and
:meth:`Locales.detect`, which recognises the language of a dump from the app's own texts.

Why from the screen (issue "Real TikTok", point 2): TikTok has its own language setting, which may
differ from the phone's (``persist.sys.locale``), so the phone's setting is only a hint. Adding a
language is one data file: copy ``en.yaml``, translate the values, keep the keys.

Strings are compared normalised (:func:`runner.devices.hierarchy.normalize`: bidi marks
dropped, no-break spaces as spaces, stripped), so a file may write plain spaces and apostrophes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from runner.devices.hierarchy import Hierarchy, normalize

LOCALES_DIR = Path(__file__).with_name("locales")
#: The reference language: every string key a selector uses must exist in it; other languages
#: fall back to it for keys they lack (TikTok leaves some texts untranslated).
REFERENCE = "en"
#: A dump whose app texts match no language's strings counts as "a language we have no strings
#: for" only when it shows at least this many texts with letters (fewer: a screen with too little
#: chrome to tell, such as a camera or a video without caption).
MIN_TEXTS_TO_REFUSE = 8
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Language:
    """One language's strings: ``strings`` maps a key to its variants (normalised, first is the
    usual form)."""

    code: str
    name: str
    strings: Mapping[str, tuple[str, ...]]
    source: str


@dataclass(frozen=True)
class LocaleGuess:
    """What a dump says about the app's language.

    ``code``: the language recognised (``"en"``, ``"fr"``) or None. ``conclusive``: True when the
    dump was enough to decide: with ``code`` None that means "the app shows a language we have no
    strings for". ``scores``: matched strings per language, for logs.
    """

    code: str | None
    conclusive: bool
    scores: Mapping[str, int]


class LocaleFileError(ValueError):
    """A locale file that cannot be used; the message lists every problem, one line each."""


@dataclass(frozen=True)
class Locales:
    """Every language tikrunner has strings for, by two-letter code."""

    languages: Mapping[str, Language]

    @property
    def codes(self) -> list[str]:
        """The supported language codes, sorted."""
        return sorted(self.languages)

    def keys(self) -> set[str]:
        """Every string key of the reference language."""
        ref = self.languages.get(REFERENCE)
        return set(ref.strings) if ref else set()

    def variants(self, key: str, code: str | None) -> tuple[str, ...]:
        """The forms of string ``key`` in language ``code`` (falling back to the reference
        language when it lacks the key), or in every language when ``code`` is None (the
        language is not known yet). Empty when no language has the key."""
        if code is not None:
            lang = self.languages.get(code)
            if lang is not None and key in lang.strings:
                return lang.strings[key]
            ref = self.languages.get(REFERENCE)
            return ref.strings.get(key, ()) if ref else ()
        return self._union(key)

    def _union(self, key: str) -> tuple[str, ...]:
        cache: dict[str, tuple[str, ...]] = self.__dict__.setdefault("_union_cache", {})
        if key in cache:
            return cache[key]
        out: list[str] = []
        for code in self.codes:
            for v in self.languages[code].strings.get(key, ()):
                if v not in out:
                    out.append(v)
        cache[key] = tuple(out)
        return cache[key]

    @functools.cached_property
    def _evidence(self) -> dict[str, frozenset[str]]:
        """Per language, the strings that belong to it alone (a word two languages share, such
        as ``Message`` or ``Top``, tells nothing)."""
        every: dict[str, set[str]] = {}
        for code, lang in self.languages.items():
            every[code] = {v for vs in lang.strings.values() for v in vs if _LETTER.search(v)}
        out: dict[str, frozenset[str]] = {}
        for code, words in every.items():
            others = set().union(*(w for c, w in every.items() if c != code))
            out[code] = frozenset(words - others)
        return out

    def detect(self, hierarchy: Hierarchy, package: str, hint: str | None = None) -> LocaleGuess:
        """The language the app (nodes of ``package`` only) shows in ``hierarchy``.

        A language scores one point per string of its own (not shared with another language)
        that some node's text or content-desc equals, or begins (followed by ``.``, ``:``, a
        space or a digit: ``Like video. 4,869 likes``); on a dump with 20 texts or more a
        language needs two such strings (one is chance). The best score wins; a tie is broken by
        ``hint`` (the phone's ``persist.sys.locale``, e.g. ``fr-FR``) or left undecided. No
        score at all: undecided when the app shows fewer than :data:`MIN_TEXTS_TO_REFUSE` texts
        with letters, else conclusive with ``code`` None (a language we have no strings for).
        """
        texts = {
            v
            for n in hierarchy.nodes
            if n.package == package
            for v in (n.ntext, n.ndesc)
            if v and _LETTER.search(v) and not v.startswith("@")
        }
        if not texts:
            return LocaleGuess(None, False, {})
        scores: dict[str, int] = {}
        for code, words in self._evidence.items():
            score = 0
            for w in words:
                if w in texts or any(_begins(t, w) for t in texts if len(t) > len(w)):
                    score += 1
            scores[code] = score
        # On a screen full of text, one matching word is chance (German "Profil" is French too).
        required = 2 if len(texts) >= 20 else 1
        best = max(scores.values(), default=0)
        if best < required:
            return LocaleGuess(None, len(texts) >= MIN_TEXTS_TO_REFUSE, scores)
        top = [c for c, s in scores.items() if s == best]
        if len(top) == 1:
            return LocaleGuess(top[0], True, scores)
        hinted = language_of(hint)
        if hinted in top:
            return LocaleGuess(hinted, True, scores)
        return LocaleGuess(None, False, scores)


def _begins(text: str, word: str) -> bool:
    if not text.startswith(word):
        return False
    nxt = text[len(word)]
    return nxt in ".: " or nxt.isdigit()


def language_of(tag: str | None) -> str | None:
    """The two-letter language of a locale tag (``fr-FR``, ``fr_FR``, ``pt-BR`` -> ``fr``,
    ``pt``), or None for an empty tag."""
    if not tag:
        return None
    code = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return code or None


def _variants(where: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        problems.append(f"{where}: must be a string or a non-empty list of strings")
        return ()
    out: list[str] = []
    for i, v in enumerate(values):
        if not isinstance(v, str) or not normalize(v):
            problems.append(f"{where}[{i}]: must be a non-empty string")
            continue
        if "{" in v or "}" in v:
            problems.append(f"{where}[{i}]: braces are not allowed in UI strings")
            continue
        if normalize(v) not in out:
            out.append(normalize(v))
    return tuple(out)


def parse_language(data: Any, *, source: str, problems: list[str]) -> Language | None:
    """Validate one locale file's data; problems are appended as ``source: key: message``."""
    if not isinstance(data, Mapping):
        problems.append(f"{source}: must be a mapping with language, name and strings")
        return None
    unknown = set(data) - {"language", "name", "strings"}
    for k in sorted(unknown):
        problems.append(f"{source}: {k}: unknown key (allowed: language, name, strings)")
    code = data.get("language")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(f"{source}: language: a two-letter language code such as fr is required")
        return None
    raw = data.get("strings")
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{source}: strings: must be a non-empty mapping of key to text")
        return None
    strings: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        vs = _variants(f"{source}: strings.{key}", value, problems)
        if vs:
            strings[str(key)] = vs
    return Language(code, str(data.get("name") or code), strings, source)


def read_yaml(path: Path) -> Any:
    """YAML 1.2 safe load of a data file; raises ``OSError``/``UnicodeDecodeError``/``YAMLError``."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def load_locales(folder: Path = LOCALES_DIR, extra: Iterable[Language] = ()) -> Locales:
    """Read every ``*.yaml`` in ``folder`` (one language each), then merge ``extra`` languages
    over them key by key (operator overrides). Raises :class:`LocaleFileError` listing every
    problem; the reference language (``en``) must be present."""
    problems: list[str] = []
    languages: dict[str, Language] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = read_yaml(path)
        except (OSError, UnicodeDecodeError, YAMLError) as e:
            problems.append(f"{path}: cannot read locale file: {e}")
            continue
        lang = parse_language(data, source=str(path), problems=problems)
        if lang is None:
            continue
        if lang.code in languages:
            problems.append(
                f"{path}: language {lang.code} is also defined in {languages[lang.code].source}"
            )
            continue
        languages[lang.code] = lang
    for lang in extra:
        base = languages.get(lang.code)
        merged = {**(base.strings if base else {}), **lang.strings}
        languages[lang.code] = Language(
            lang.code, base.name if base else lang.name, merged, lang.source
        )
    if REFERENCE not in languages and not problems:
        problems.append(f"{folder}: no {REFERENCE}.yaml (the reference language)")
    if problems:
        raise LocaleFileError("\n".join(problems))
    return Locales(languages)
