"""Identity words spelled with digits or symbols ("w0men", "g4ys", "1mm1grants", "mu$lims").

The lexicon reads leet inside slurs itself (lexicon.py), but the phrase rules' identity slot holds
plain words, so "w0men are all liars" met no construction although "women are all liars" does. This
reads such a word back as the identity word it spells, in place: every stand-in is one character for
one letter, so the text keeps its length and every offset still maps to the raw message.

Only words that also hold a letter are read (a digit-only string, a time or "45s" never is), and only
when the reading is an identity word of the vocabulary: "2nd", "h8" or "c0ck" are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import product

import regex

# A word with its stand-ins: letters, digits and the symbols the leet map may use, a symbol only where
# a letter or digit follows it ("gays!" ends with punctuation, not an "i").
_WORD = regex.compile(r"(?<![^\W_$@!|])(?:[^\W_]|[$@!|](?=[^\W_]))+(?![^\W_])")
_MAX_AMBIGUOUS = 4  # stand-ins with several readings ("1": i or l) tried per word, at most 2**4 readings
_MAX_WORD = 30


class LeetWords:
    """Reads identity words written with leet stand-ins (`vocabulary.leet`) as the words themselves."""

    def __init__(self, words: Iterable[str], leet: Mapping[str, str]) -> None:
        readings: dict[str, list[str]] = {}
        for letter, chars in sorted(leet.items()):
            for ch in chars:
                if len(letter) == 1 and ch != letter:
                    readings.setdefault(ch, []).append(letter)
        self._readings = {ch: tuple(letters) for ch, letters in readings.items()}
        self._words = frozenset(w for w in words if w.isalpha())
        stand_ins = "".join(regex.escape(ch) for ch in sorted(self._readings))
        # A quick test: some letter next to a stand-in (a text without one is returned as it is).
        self._mixed = regex.compile(rf"[^\W\d_][{stand_ins}]|[{stand_ins}][^\W\d_]") if stand_ins else None

    def read(self, text: str) -> str:
        """`text` with each leet-spelled identity word replaced by the word (same length)."""
        if self._mixed is None or not self._words or self._mixed.search(text) is None:
            return text
        pieces: list[str] = []
        done = 0
        for found in _WORD.finditer(text):
            word = found.group()
            reading = self._reading(word)
            if reading is not None:
                pieces += [text[done:found.start()], reading]
                done = found.end()
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)

    def _reading(self, word: str) -> str | None:
        if len(word) > _MAX_WORD or word.isalpha() or not any(ch.isalpha() for ch in word):
            return None
        options: list[tuple[str, ...]] = []
        ambiguous = 0
        for ch in word:
            if ch.isalpha():
                options.append((ch,))
                continue
            letters = self._readings.get(ch)
            if letters is None:
                return None  # a digit or symbol that stands for no letter: not a spelled word
            ambiguous += len(letters) > 1
            if ambiguous > _MAX_AMBIGUOUS:
                return None
            options.append(letters)
        for letters in product(*options):
            candidate = "".join(letters)
            if candidate in self._words:
                return candidate
        return None
