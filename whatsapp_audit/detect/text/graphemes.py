"""Emoji as grapheme clusters, on the raw text.

spaCy's tokenizer splits the rainbow flag (a ZWJ sequence) into three tokens and drops the link
between a person emoji and its skin-tone modifier, so emoji are read here with the `regex` module's
`\\X` (extended grapheme clusters) before any normalisation removes joiners.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

_ITEM = regex.compile(r"[^\W_]+(?:['’][^\W_]+)?|\X")
SKIN_TONES = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))
_IGNORABLE = frozenset("\ufe0f\ufe0e") | SKIN_TONES


@dataclass(frozen=True, slots=True)
class Item:
    """A word or an emoji cluster of a message, with its raw offsets."""

    start: int
    end: int
    text: str
    emoji: bool

    @property
    def base(self) -> str:
        """The emoji without skin tone or presentation selectors (for lookups); words lower-cased."""
        if not self.emoji:
            return self.text.lower()
        return "".join(ch for ch in self.text if ch not in _IGNORABLE) or self.text

    @property
    def tones(self) -> frozenset[str]:
        return frozenset(ch for ch in self.text if ch in SKIN_TONES)

    @property
    def flag(self) -> bool:
        """A national flag (two regional-indicator letters)."""
        return len(self.text) == 2 and all(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in self.text)


def is_emoji(cluster: str) -> bool:
    """An emoji or pictographic symbol cluster."""
    first = cluster[0]
    if first.isascii():
        return False
    return unicodedata.category(first) in {"So", "Sk"} or 0x1F000 <= ord(first) <= 0x1FAFF


def items(raw: str) -> list[Item]:
    """Words and emoji of a message in order; spaces and punctuation are left out."""
    out: list[Item] = []
    for m in _ITEM.finditer(raw):
        text = m.group()
        if text[0].isalnum():
            out.append(Item(m.start(), m.end(), text, False))
        elif is_emoji(text):
            out.append(Item(m.start(), m.end(), text, True))
    return out


def has_emoji(raw: str) -> bool:
    """Cheap test: emoji are never ASCII, so ASCII messages skip grapheme work entirely."""
    return not raw.isascii() and any(is_emoji(ch) for ch in raw if not ch.isascii())
