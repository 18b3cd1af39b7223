"""Load `patterns/export/vocabulary.toml`: what WhatsApp itself writes into an export, per language.

The parser uses it to tell system events, media placeholders and deleted, edited, pending,
view-once, call, location and poll messages from people's words. Keeping it as data means a new
language or app version is a reviewed edit to a TOML file, not to the parser.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whatsapp_audit.errors import PatternError
from whatsapp_audit.ingest.openings import Openings, ascii_openings
from whatsapp_audit.ingest.shapes import MARKS
from whatsapp_audit.model import MediaType, MessageKind
from whatsapp_audit.resources import default_patterns_dir

if TYPE_CHECKING:  # pragma: no cover
    import regex


@dataclass(frozen=True)
class Vocabulary:
    """Compiled export vocabulary. Build with `load_vocabulary`."""

    source: str
    sha256: str
    whole_body: dict[str, MessageKind]  # casefolded whole text -> kind (deleted, pending, view-once ...)
    omitted_whole: frozenset[str]  # casefolded Android "<Media omitted>" forms
    omitted_suffix: dict[str, MediaType]  # iOS "image omitted" forms (see `bare_placeholder`) -> type
    omitted_last_words: tuple[str, ...]  # last word of every iOS form: a cheap `endswith` gate
    file_attached: tuple[str, ...]
    attached: re.Pattern[str]  # "<attached: NAME>" in any language
    attached_bare: str
    extension_types: dict[str, MediaType]
    ios_name_types: dict[str, MediaType]
    special_start: re.Pattern[str]  # deleted / pending / location / poll / call openings, by group name
    special_openings: Openings | None  # the first two characters a special_start match can have (openings.py)
    edited_suffixes: tuple[str, ...]
    quoted_event_regexes: tuple[re.Pattern[str], ...]
    system_phrases: SystemPhrases  # a word every phrase needs -> its phrases (compiled on first use)
    dated_name: LazyPattern  # a media file name that carries its date (groups y, m, d)
    chat_names: tuple[str, ...]  # casefolded names of the chat text inside a zip
    chat_prefixes: tuple[str, ...]  # casefolded


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read and compile the vocabulary; a broken file is a PatternError naming it."""
    path = path or default_patterns_dir() / "export" / "vocabulary.toml"
    try:
        raw = path.read_bytes()
        return _compiled(str(path), raw)
    except OSError as error:
        raise PatternError(str(path), None, None, f"cannot be read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise PatternError(str(path), getattr(error, "lineno", None), None, str(error)) from None
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise PatternError(str(path), None, None, f"invalid vocabulary ({type(error).__name__}: {error})") from None


@lru_cache(maxsize=8)
def _compiled(source: str, raw: bytes) -> Vocabulary:
    """One compiled Vocabulary per file content: many exports in one run share it (and the
    phrases it has compiled so far)."""
    return _compile(source, hashlib.sha256(raw).hexdigest(), tomllib.loads(raw.decode("utf-8")))


def _compile(source: str, sha256: str, data: dict[str, Any]) -> Vocabulary:
    whole: dict[str, MessageKind] = {}
    for section, kind in (
        ("deleted", MessageKind.DELETED),
        ("pending", MessageKind.PENDING),
        ("view_once", MessageKind.VIEW_ONCE),
        ("location", MessageKind.LOCATION),
    ):
        for phrase in data[section].get("whole_body", []):
            whole[phrase.casefold()] = kind
    suffix: dict[str, MediaType] = {}
    for entry in data["omitted"]["ios"]:
        for words in entry["words"]:
            suffix[bare_placeholder(words.casefold())] = MediaType(entry["type"])
    extension_types = {ext: MediaType(kind) for kind, exts in data["media_types"].items() if isinstance(exts, list) for ext in exts}
    special_start = _special_start(data)
    attached_words = "|".join(re.escape(word) for word in data["attachment"]["attached_words"])
    return Vocabulary(
        source=source,
        sha256=sha256,
        whole_body=whole,
        omitted_whole=frozenset(form.casefold() for form in data["omitted"]["whole_body"]),
        omitted_suffix=suffix,
        omitted_last_words=tuple(sorted({words.split()[-1] for words in suffix})),
        file_attached=tuple(data["attachment"]["file_attached_suffixes"]),
        attached=re.compile(rf"<[{MARKS}]*(?:{attached_words})\s*[:：]\s*([^>]+?)\s*>", re.IGNORECASE),
        attached_bare=data["attachment"]["attached_bare"],
        extension_types=extension_types,
        ios_name_types={word: MediaType(kind) for word, kind in data["media_types"]["ios_name_words"].items()},
        special_start=special_start,
        special_openings=ascii_openings(special_start),
        edited_suffixes=tuple(data["edited"]["suffixes"]),
        quoted_event_regexes=tuple(re.compile(p) for p in data["system"]["quoted_event_regexes"]),
        system_phrases=_system_phrases(data["system"]["phrases"]),
        dated_name=_dated_name(data["attachment"]["dated_names"]),
        chat_names=tuple(n.casefold() for n in data["zip"]["chat_names"]),
        chat_prefixes=tuple(n.casefold() for n in data["zip"]["chat_prefixes"]),
    )


def _special_start(data: dict[str, Any]) -> re.Pattern[str]:
    """One regex for every "starts like a special message" test, so a plain message costs one C call;
    the group that matched (`match.lastgroup`) names the kind."""

    def group(name: str, patterns: list[str], flags: str = "(?i:") -> str:
        return f"(?P<{name}>{flags}" + "|".join(f"(?:{p})" for p in patterns) + "))" if patterns else ""

    def literal(prefixes: list[str]) -> list[str]:
        return [re.escape(prefix) for prefix in prefixes]

    parts = [
        group("deleted", [p.lstrip("^") for p in data["deleted"].get("regexes", [])]),
        group("pending", [p.lstrip("^") for p in data["pending"].get("regexes", [])]),
        group("location", [p + r".*://" for p in literal(data["location"]["prefixes"])]),
        group("poll", literal(data["poll"]["prefixes"]), "(?:"),
        group("call", [p.lstrip("^") for p in data["call"]["regexes"]]),
    ]
    return re.compile("|".join(part for part in parts if part) or "(?!)")


# A system phrase is one line of at most this many characters: a longer text is never WhatsApp's own
# (and the phrase regexes, with their `{}` wildcards, never run over a crash text).
SYSTEM_PHRASE_MAX = 2000
_MARKS = re.compile(f"[{MARKS}]")
_WORD = re.compile(r"\w+")
_QUOTES = "\"“”„«»"
_PHRASE_PIECES = re.compile(r"\{\}|…$|['’]|[" + _QUOTES + "]| +")
_SPACE = "[ \u00a0\u202f]"


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    """One phrase of the vocabulary's template syntax as a regex (see the [system] comment)."""
    phrase = phrase.strip()
    if phrase.endswith(".") and not phrase.endswith("…"):
        phrase = phrase[:-1]
    out, position = [], 0
    for piece in _PHRASE_PIECES.finditer(phrase):
        out.append(re.escape(phrase[position : piece.start()]))
        token = piece.group()
        if token == "{}":
            out.append(".+?")
        elif token == "…":
            out.append(".*")
        elif token in "'’":
            out.append("['’]")
        elif token.strip() == "":
            out.append(f"{_SPACE}+")
        else:
            out.append(f"[{re.escape(_QUOTES)}]")
        position = piece.end()
    out.append(re.escape(phrase[position:]))
    tail = "" if phrase.endswith("…") else r"\.?"
    return re.compile("".join(out) + tail + f"{_SPACE}*", re.IGNORECASE)


class SystemPhrases:
    """The phrases grouped by their longest word: a text can only be a phrase whose word it holds,
    so most texts are turned away by one set lookup instead of a hundred regexes.

    A group is compiled the first time a text holds its word: a chat meets a few of the phrases'
    words, and compiling all of them took half of a small export's start-up."""

    def __init__(self, grouped: dict[str, tuple[str, ...]]) -> None:
        self._phrases = grouped
        self._compiled: dict[str, tuple[re.Pattern[str], ...]] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._phrases

    def __len__(self) -> int:
        return len(self._phrases)

    def __getitem__(self, word: str) -> tuple[re.Pattern[str], ...]:
        compiled = self._compiled.get(word)
        if compiled is None:
            compiled = self._compiled[word] = tuple(_phrase_regex(phrase) for phrase in self._phrases[word])
        return compiled


def _system_phrases(phrases: list[str]) -> SystemPhrases:
    grouped: dict[str, list[str]] = {}
    for phrase in phrases:
        words = _WORD.findall(phrase.replace("{}", " ").casefold())
        if not words:
            raise ValueError(f"system phrase {phrase!r} has no word")
        grouped.setdefault(max(words, key=len), []).append(phrase)
    return SystemPhrases({word: tuple(group) for word, group in grouped.items()})


def is_system_phrase(text: str, vocabulary: Vocabulary) -> bool:
    """Whether `text` (one line) is a system event in WhatsApp's own words, in any known language."""
    if len(text) > SYSTEM_PHRASE_MAX or "\n" in text:
        return False
    phrases = vocabulary.system_phrases
    candidates = [word for word in set(_WORD.findall(text.casefold())) if word in phrases]
    if not candidates:
        return False
    plain = _MARKS.sub("", text).strip()
    return any(pattern.fullmatch(plain) for word in sorted(candidates) for pattern in phrases[word])


_MARKS_AND_BRACKETS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b\ufeff<>]")


def bare_placeholder(text: str) -> str:
    """A placeholder without invisible marks or angle brackets: iOS writes `<‎immagine omessa>`,
    `‎<immagine omessa>` and `immagine omessa` for the same thing."""
    return _MARKS_AND_BRACKETS.sub("", text).strip()


class LazyPattern:
    """A `regex` pattern compiled the first time it is used: only a file whose date order the
    headers cannot settle needs it, and importing `regex` and compiling cost start-up."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: regex.Pattern[str] | None = None

    def search(self, text: str) -> regex.Match[str] | None:
        if self._compiled is None:
            import regex  # only here: see the class docstring

            self._compiled = regex.compile(self.source)
        return self._compiled.search(text)


def _dated_name(patterns: list[str]) -> LazyPattern:
    """One regex for every dated file-name form (the `regex` module, unlike `re`, lets the
    alternatives share the group names y, m, d)."""
    return LazyPattern("|".join(f"(?:{p})" for p in patterns) or "(?!)")
