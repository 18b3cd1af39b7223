"""Identity words spelled with digits or symbols ("w0men", "g4ys", "1mm1grants", "mu$lims").

The lexicon reads leet inside slurs itself (lexicon.py), but the phrase rules' identity slot holds
plain words, so "w0men are all liars" met no construction although "women are all liars" does. This
reads such a word back as the identity word it spells, in place: every stand-in is one character for
one letter, so the text keeps its length and every offset still maps to the raw message.

Only words that also hold a letter are read (a digit-only string, a time or "45s" never is), and only
when the reading is an identity word of the vocabulary: "2nd", "h8" or "c0ck" are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import product

_MAX_AMBIGUOUS = 4  # stand-ins with several readings ("1": i or l) tried per word, at most 2**4 readings
_MAX_WORD = 30


class LeetWords:
    """Reads identity words written with leet stand-ins (`vocabulary.leet`) as the words themselves.

    Cheap by design (it runs on every text the phrase rules read): one `re` search for any stand-in
    character turns most text away; only then are the runs where a letter stands beside a stand-in
    read, each one a few set lookups."""

    def __init__(self, words: Iterable[str], leet: Mapping[str, str]) -> None:
        readings: dict[str, list[str]] = {}
        for letter, chars in sorted(leet.items()):
            for ch in chars:
                if len(letter) == 1 and ch != letter:
                    readings.setdefault(ch, []).append(letter)
        self._readings = {ch: tuple(letters) for ch, letters in readings.items()}
        self._words = frozenset(w for w in words if w.isalpha())
        self._lengths = frozenset(len(w) for w in self._words)
        stand_ins = "".join(re.escape(ch) for ch in sorted(self._readings))
        self._mixed: re.Pattern[str] | None = None
        self._any = re.compile(f"[{stand_ins}]") if stand_ins else None  # the quick test: no stand-in, nothing to read
        if stand_ins and self._words:
            # A run of letters and stand-ins in which a letter stands beside a stand-in ("w0men", "2nd",
            # "10am"): the only places a spelled word can be. The text is normalised (lower case, accents
            # and look-alikes mapped), so ASCII letters are enough, and `re` finds such runs in C.
            run = f"[a-z{stand_ins}]"
            self._mixed = re.compile(rf"(?<!{run}){run}*(?:[a-z][{stand_ins}]|[{stand_ins}][a-z]){run}*")

    def read(self, text: str) -> str:
        """`text` with each leet-spelled identity word replaced by the word (same length)."""
        if self._mixed is None or self._any is None or self._any.search(text) is None:
            return text
        pieces: list[str] = []
        done = 0
        for found in self._mixed.finditer(text):
            word = found.group()
            end = found.end()
            while word and not word[-1].isalnum():  # "w0men!": the "!" closes the word, it is no "i"
                word = word[:-1]
                end -= 1
            start = found.start()
            reading = self._reading(word) if len(word) in self._lengths else None
            if reading is None and word and not word[0].isalnum():  # "@w0men": a mention's "@" is no "a"
                while word and not word[0].isalnum():
                    word = word[1:]
                    start += 1
                reading = self._reading(word) if len(word) in self._lengths else None
            if reading is not None:
                pieces += [text[done:start], reading]
                done = end
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)

    def _reading(self, word: str) -> str | None:
        if len(word) > _MAX_WORD or not any(ch.isalpha() for ch in word):
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
