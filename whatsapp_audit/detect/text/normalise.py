"""Offset-mapped text normalisation against deliberate disguise.

Detectors match on a normalised copy of a message (case folded, look-alike letters mapped, invisible
marks dropped, symbols inside words turned into a wildcard, spaced-out letters joined) and must still
report spans in the *original* text. `Normalised` keeps, for every output character, the start and
end offsets in the raw text of the grapheme that produced it, so a span maps back exactly.

Plain ASCII messages (the vast majority) take a fast path: lower-casing keeps offsets one-to-one and
no offset lists are built. Leet digits are *not* decoded here: matchers decide per token, because a
digit-only string (an id, "45s", a time) must never be read as letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import regex

WILDCARD = "*"

# Zero-width and bidirectional control characters: invisible, so used to split a word a filter sees.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u00ad"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_GRAPHEME = regex.compile(r"\X")
_SPECIAL = re.compile(r"[^\x00-\x0c\x0e-\x7f]+")  # non-ASCII, or CR (CR LF is one grapheme)
# A run of 3+ single letters (or leet characters) separated by one or two spaces, dots, underscores
# or hyphens: "f a g", "p.a.k.i", "n-i-g-g-e-r". Letters count as single only at word boundaries.
SPACED_SPEC = r"(?<![^\W_])(?:[^\W_]|[@$!*])(?:[ ._\-]{1,2}(?:[^\W_]|[@$!*])){2,}(?![^\W_])"
# The same language, with each match starting at its first separator instead of its first letter: the
# engine then skips to separators at C speed rather than testing every letter (tests/test_perf_equivalence.py).
SPACED_START = r"[ ._\-]"
SPACED_REST = (  # what must follow (and precede) the first separator, just consumed
    r"(?<=(?:[^\W_]|[@$!*])[ ._\-])(?<![^\W_][\s\S][\s\S])[ ._\-]?(?:[^\W_]|[@$!*])"
    r"(?:[ ._\-]{1,2}(?:[^\W_]|[@$!*]))+(?![^\W_])"
)
_SPACED = re.compile(SPACED_START + SPACED_REST)
_SPACED_FULL = re.compile(SPACED_SPEC)  # for finditer: spans must start at the first letter
_SEPARATORS = frozenset(" ._-")


@dataclass(frozen=True, slots=True)
class Normalised:
    """A normalised copy of `raw` with the way back to it.

    `starts[i]`/`ends[i]` are the raw offsets of the grapheme that produced `text[i]`; both are None
    when the mapping is the identity (ASCII fast path, nothing joined). `events` lists
    `(text position, transformation)` for the positions a transformation touched.
    """

    raw: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None
    events: tuple[tuple[int, str], ...] = ()

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `text` to the span of `raw` it came from (whole graphemes)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.raw)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def transformations(self, start: int, end: int) -> tuple[str, ...]:
        """The distinct transformations applied inside a span of `text`, in a stable order."""
        seen = {kind for pos, kind in self.events if start <= pos < end}
        return tuple(sorted(seen))


def normalise(
    raw: str,
    *,
    confusables: Mapping[str, str] | None = None,
    accept_join: Callable[[str], bool] | None = None,
    ascii_confusables: bool | None = None,
    letters: Mapping[str, str] | None = None,
) -> Normalised:
    """Normalise `raw` for matching; see the module docstring for the steps.

    `confusables` maps look-alike characters (Cyrillic, Greek ...) to Latin letters. `accept_join`
    decides whether a run of spaced-out single letters is joined: joins are kept only when the joined
    string is something the caller is looking for, never globally (that would create cross-token hits).
    `ascii_confusables` (whether any confusables key is ASCII) may be passed by callers that
    normalise many texts with one table, to save working it out per text. `letters` maps emoji that
    show letters ("🅰", "💲", "1⃣", presentation selectors left out) to those letters; they are read
    as letters only inside a word (next to a letter or another such emoji).
    """
    if raw.isascii():
        base = Normalised(raw, raw.lower())
    else:
        table = confusables or {}
        if ascii_confusables is None:
            ascii_confusables = any(key.isascii() for key in table)
        base = _normalise_unicode(raw, table, not ascii_confusables, letters or {})
    if accept_join is None or not _SPACED.search(base.text):
        return base
    return _join_spaced(base, accept_join)


class LowerOnly:
    """Whether `normalise` would only lower-case a text, short of joining spaced-out letters: true of
    ASCII and of most chat with emoji ("cheers all 👍"), whose symbols stay as they are.

    It asks `_clusters` itself, as `_normalise_unicode` would, about each stretch around non-ASCII
    characters (with the character before it, which an emoji letter's test reads) and keeps the answer
    per stretch: chat repeats its emoji, so most stretches cost a dictionary lookup. A caller whose
    gates read only the normalised text can then gate on `raw.lower()` and normalise only the
    messages that pass (tests/test_perf_equivalence.py checks the answer against `normalise`)."""

    def __init__(self, confusables: Mapping[str, str], letters: Mapping[str, str] | None = None,
                 ascii_confusables: bool | None = None) -> None:
        self._confusables = confusables
        self._letters = letters or {}
        self._applies = not (any(key.isascii() for key in confusables) if ascii_confusables is None
                             else ascii_confusables)  # else every character takes the full path
        self._stretches: dict[tuple[str | None, str, str], bool] = {}

    def __call__(self, raw: str) -> bool:
        if raw.isascii():
            return True
        if not self._applies:
            return False
        stretches = self._stretches
        for lo, hi in _special_regions(raw):  # exactly as _normalise_unicode cuts them
            # The character before (what `out` ends with, when all before it was only lower-cased),
            # the stretch, and the one after (`_clusters` reads it as `following`).
            key = (raw[lo - 1] if lo else None, raw[lo:hi], raw[hi:hi + 1])
            plain = stretches.get(key)
            if plain is None:
                if len(stretches) >= _STRETCHES_KEPT:
                    stretches.clear()
                plain = stretches[key] = self._plain(raw, lo, hi)
            if not plain:
                return False
        return True

    def _plain(self, raw: str, lo: int, hi: int) -> bool:
        out: list[str] = [raw[lo - 1].lower()] if lo else []
        primed = len(out)
        _clusters(raw, lo, hi, self._confusables, True, out, [], [], [], self._letters)
        return "".join(out[primed:]) == raw[lo:hi].lower()


_STRETCHES_KEPT = 65_536  # answers kept before the memo starts again (bounds memory, not results)


def may_join(lowered: str) -> bool:
    """Whether `normalise` could join spaced-out letters in this (already lower-cased) text."""
    return _SPACED.search(lowered) is not None


def _special_regions(raw: str) -> list[tuple[int, int]]:
    """The stretches that need grapheme work: each run of special characters with one character either
    side, overlapping stretches merged."""
    size = len(raw)
    regions: list[tuple[int, int]] = []
    for m in _SPECIAL.finditer(raw):
        lo, hi = max(m.start() - 1, 0), min(m.end() + 1, size)
        if regions and lo < regions[-1][1]:
            regions[-1] = (regions[-1][0], hi)
        else:
            regions.append((lo, hi))
    return regions


def _normalise_unicode(raw: str, confusables: Mapping[str, str], plain_ascii: bool,
                       letters: Mapping[str, str] | None = None) -> Normalised:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    events: list[tuple[int, str]] = []
    if not plain_ascii:
        _clusters(raw, 0, len(raw), confusables, False, out, starts, ends, events, letters)
        return Normalised(raw, "".join(out), tuple(starts), tuple(ends), tuple(events))
    # Only the stretches around non-ASCII characters (and CR, which pairs with LF) need grapheme
    # work. An ASCII character other than CR always starts a grapheme and, unless a non-ASCII mark
    # follows it, is one; so each special run plus one ASCII character either side is segmented
    # on its own, exactly as in the whole text, and the ASCII between runs maps one to one.
    size = len(raw)
    done = 0
    for lo, hi in _special_regions(raw):
        if lo > done:
            out.extend(raw[done:lo].lower())
            starts.extend(range(done, lo))
            ends.extend(range(done + 1, lo + 1))
        _clusters(raw, lo, hi, confusables, True, out, starts, ends, events, letters)
        done = hi
    if done < size:
        out.extend(raw[done:].lower())
        starts.extend(range(done, size))
        ends.extend(range(done + 1, size + 1))
    return Normalised(raw, "".join(out), tuple(starts), tuple(ends), tuple(events))


def _clusters(raw: str, lo: int, hi: int, confusables: Mapping[str, str], plain_ascii: bool, out: list[str],
              starts: list[int], ends: list[int], events: list[tuple[int, str]],
              letters: Mapping[str, str] | None = None) -> None:
    """Normalise the graphemes of raw[lo:hi] (lo and hi are grapheme boundaries), appending to the lists."""
    stretch = raw[lo:hi]
    spans = _segments(stretch) if len(stretch) <= 64 else _segment(stretch)  # memoise short ones only
    clusters = [(lo + a, lo + b, raw[lo + a:lo + b]) for a, b in spans]
    following = raw[hi:hi + 1]  # the first character of the grapheme after the stretch
    # A lone ASCII character needs none of the steps below (NFKC and casefold are lower() there)
    # unless the confusables table maps ASCII (`plain_ascii` False); then every cluster takes the full path.
    for n, (g_start, g_end, cluster) in enumerate(clusters):
        if plain_ascii and len(cluster) == 1 and cluster < "\x80":
            out.append(cluster.lower())
            starts.append(g_start)
            ends.append(g_end)
            continue
        if letters:
            shown = letters.get(_bare(cluster))
            if shown is not None and _inside_word(out, clusters, n, following, letters):
                events.append((len(out), "emoji letter"))
                for ch in shown:
                    out.append(ch)
                    starts.append(g_start)
                    ends.append(g_end)
                continue
        if _is_symbol(cluster):
            nxt = clusters[n + 1][2] if n + 1 < len(clusters) else following
            if out and out[-1].isalpha() and nxt[:1].isalpha():
                events.append((len(out), "wildcard"))
                out.append(WILDCARD)
                starts.append(g_start)
                ends.append(g_end)
                continue
            for ch in cluster:  # emoji and symbols between words stay as they are
                out.append(ch)
                starts.append(g_start)
                ends.append(g_end)
            continue
        folded = unicodedata.normalize("NFKC", cluster).casefold()
        if folded != cluster.lower():
            events.append((len(out), "unicode"))
        for ch in folded:
            if ch in _INVISIBLE:
                events.append((len(out), "invisible"))
                continue
            mapped, kind = confusables.get(ch), "confusable"
            if mapped is None and not ch.isascii() and ch.isalpha():
                mapped, kind = _strip_marks(ch), "accent"
            if mapped is not None and mapped != ch:
                events.append((len(out), kind))
                ch = mapped
            if unicodedata.combining(ch):
                continue
            out.append(ch)
            starts.append(g_start)
            ends.append(g_end)


def _bare(cluster: str) -> str:
    return cluster.replace("\ufe0f", "").replace("\ufe0e", "")


def _inside_word(out: list[str], clusters: list[tuple[int, int, str]], n: int, following: str,
                 letters: Mapping[str, str]) -> bool:
    """An emoji letter counts as a letter only beside a letter or another emoji letter."""
    if out and out[-1].isalpha():
        return True
    nxt = clusters[n + 1][2] if n + 1 < len(clusters) else following
    return bool(nxt) and (nxt[0].isalpha() or _bare(nxt) in letters)


def _segment(text: str) -> tuple[tuple[int, int], ...]:
    """Grapheme spans of a stretch of text."""
    return tuple(m.span() for m in _GRAPHEME.finditer(text))


# Memoised for short stretches: the same few emoji stretches recur across a chat, and each `regex`
# call costs microseconds however short the text (the cache holds at most 4096 x 64 characters).
_segments = lru_cache(maxsize=4096)(_segment)


_MAX_SPACED_LETTERS = 24  # longer spaced runs are not words; bounds the stretches tried


def _join_spaced(base: Normalised, accept_join: Callable[[str], bool]) -> Normalised:
    """Drop the separators of spaced-out letter runs that the caller accepts, keeping the offsets."""
    text = base.text
    drop: set[int] = set()
    joined: list[tuple[int, int]] = []
    for m in _SPACED_FULL.finditer(text):
        span = _accepted_stretch(text, m.start(), m.end(), accept_join)
        if span is not None:
            drop.update(i for i in range(*span) if text[i] in _SEPARATORS)
            joined.append(span)
    if not drop:
        return base
    starts = base.starts if base.starts is not None else tuple(range(len(text)))
    ends = base.ends if base.ends is not None else tuple(range(1, len(text) + 1))
    keep = [i for i in range(len(text)) if i not in drop]
    new_pos = {old: new for new, old in enumerate(keep)}
    events = [(new_pos[p], k) for p, k in base.events if p in new_pos]
    for start, end in joined:
        events.extend((new_pos[i], "spacing") for i in range(start, end) if i in new_pos)
    return Normalised(
        base.raw,
        "".join(text[i] for i in keep),
        tuple(starts[i] for i in keep),
        tuple(ends[i] for i in keep),
        tuple(sorted(events)),
    )


def _accepted_stretch(text: str, start: int, end: int, accept_join: Callable[[str], bool]) -> tuple[int, int] | None:
    """The longest stretch of a spaced-out run whose letters, joined, the caller accepts: the whole
    run, or part of it when a spaced word runs on from single-letter words ("is a f a g")."""
    letters = [i for i in range(start, end) if text[i] not in _SEPARATORS][:_MAX_SPACED_LETTERS]
    for size in range(len(letters), 2, -1):
        for first in range(len(letters) - size + 1):
            chosen = letters[first : first + size]
            if accept_join("".join(text[i] for i in chosen)):
                return chosen[0], chosen[-1] + 1
    return None


def _is_symbol(cluster: str) -> bool:
    """An emoji or pictographic/maths/currency symbol cluster (not a letter, digit or punctuation)."""
    first = cluster[0]
    if first.isascii():
        return False
    return unicodedata.category(first)[0] == "S" or unicodedata.category(first) == "Cn"


def _strip_marks(ch: str) -> str:
    """Latin letter with accents -> base letter ("ï" -> "i"); other letters unchanged."""
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if base and base.isascii() else ch
