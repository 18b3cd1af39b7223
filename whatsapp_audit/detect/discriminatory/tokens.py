"""Tokens for the phrase matcher: words, contractions and emoji as the rules need them.

spaCy's rule-based tokenizer keeps "jews=" as one token, cuts an emoji with a skin tone into two and a
ZWJ sequence into three. The phrase rules want "jews" + "=", and an emoji as one token whatever its
presentation selector, with a *dark* skin tone kept as a token of its own (it is what makes a person
emoji a target of racist abuse) and other tones dropped. So the detector cuts the normalised text
itself and hands spaCy the token forms (`Doc(vocab, words=...)`): the Matcher still does the matching.

Forms are lower-case; contractions split as spaCy does ("don't" -> "do" + "n't", "she's" -> "she" +
"'s"); every token keeps its offsets in the normalised text so a hit maps back to the raw message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

from whatsapp_audit.detect.text.graphemes import SKIN_TONES, is_emoji

# A word (letters, digits, leet and wildcard stand-ins inside it, apostrophes between letters), or any
# other grapheme cluster (emoji with their tones, flags and ZWJ sequences stay whole); spaces are skipped.
_PIECE = regex.compile(r"(?:[^\W_]|\*)+(?:['’](?:[^\W_]|\*)+)*|\X", regex.V1)
_CLITICS = ("'s", "'re", "'m", "'ll", "'d", "'ve")
CLITICS = frozenset({*_CLITICS, "n't"})  # forms only produced by splitting a word
_SELECTORS = frozenset("\ufe0f\ufe0e")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its form for matching and its span in the normalised text."""

    form: str
    start: int
    end: int


def tokenize(text: str, dark_tones: frozenset[str] = frozenset(), keep: frozenset[str] = frozenset()) -> list[Token]:
    """Tokens of a normalised (lower-case) text, in order.

    An emoji is one token: its base form (no presentation selector, no skin tone), except that a
    person emoji with a dark skin tone becomes the tone itself (the vocabulary's mark for a Black
    person) unless its base is one of `keep` (identity emoji such as 🧕, which say more)."""
    return list(iter_tokens(text, dark_tones, keep))


def iter_tokens(text: str, dark_tones: frozenset[str] = frozenset(),
                keep: frozenset[str] = frozenset()) -> Iterator[Token]:
    for found in _PIECE.finditer(text):
        piece = found.group()
        first = piece[0]
        if first.isalnum() or first == "*":
            yield from _word(piece.replace("’", "'") if "’" in piece else piece, found.start())
        elif not first.isspace():
            yield _cluster(piece, found.start(), found.end(), dark_tones, keep)


def token_words(text: str) -> set[str]:
    """The words inside the word tokens of `text`: each run of letters, digits and "*" of a piece that
    `iter_tokens` reads as a word. A run read from the whole text can differ: "☪️is" is the cluster
    "☪️" and the word "is", but its selector is a word character to the regex engine ("\ufe0fis")."""
    return {run for found in _PIECE.finditer(text) if (piece := found.group())[0].isalnum() or piece[0] == "*"
            for run in _RUN.findall(piece)}


_RUN = regex.compile(r"(?:[^\W_]|\*)+")


def _word(word: str, start: int) -> Iterator[Token]:
    end = start + len(word)
    if "'" not in word:
        yield Token(word, start, end)
        return
    if len(word) > 3 and word.endswith("n't"):
        yield Token(word[:-3], start, end - 3)
        yield Token("n't", end - 3, end)
        return
    for clitic in _CLITICS:
        if len(word) > len(clitic) and word.endswith(clitic):
            cut = end - len(clitic)
            yield Token(word[: -len(clitic)], start, cut)
            yield Token(clitic, cut, end)
            return
    yield Token(word, start, end)


def _cluster(cluster: str, start: int, end: int, dark_tones: frozenset[str], keep: frozenset[str]) -> Token:
    if not is_emoji(cluster):
        return Token(cluster, start, end)
    base = strip_emoji(cluster)
    if base not in keep:
        dark = next((ch for ch in cluster if ch in dark_tones), None)
        if dark is not None:
            return Token(dark, start, end)
    return Token(base, start, end)


def strip_emoji(form: str) -> str:
    """An emoji as the vocabulary lists it, reduced to the form `tokenize` gives it."""
    return "".join(ch for ch in form if ch not in _SELECTORS and ch not in SKIN_TONES) or form


class PhraseJoiner:
    """Joins the words of multi-word vocabulary entries ("asylum seekers", "gas chamber") into one
    token, so a slot holding them is one Matcher token test instead of one pattern per entry."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(phrase.split(" "))
            if len(words) > 1:
                self._by_first.setdefault(words[0], []).append(words)
        for options in self._by_first.values():
            options.sort(key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def join(self, tokens: list[Token]) -> list[Token]:
        if not self._by_first:
            return tokens
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            options = self._by_first.get(tokens[i].form)
            if options:
                for words in options:
                    n = len(words)
                    if tuple(t.form for t in tokens[i:i + n]) == words:
                        out.append(Token(" ".join(words), tokens[i].start, tokens[i + n - 1].end))
                        i += n
                        break
                else:
                    out.append(tokens[i])
                    i += 1
                continue
            out.append(tokens[i])
            i += 1
        return out
