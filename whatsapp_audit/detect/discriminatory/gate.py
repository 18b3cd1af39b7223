"""One regex pass that tells the discriminatory detector a message holds nothing to look at.

Most chat is ordinary, so the detector's cost is set by how fast it can say "no". Its matchers each
have a gate: the lexicon's prescan (a trie of every term's letter-run classes) and its test for
tokens mixing letters with digits or symbols, the phrase rules' required words, and the
normaliser's test for spaced-out letters. Run one after another they cost four passes over the
text, each starting a match attempt at every character.

`QuickGate` folds the four into a single pattern that begins with one character class (a
non-word character, a digit or a stand-in symbol), so the regex engine skips the letters of
ordinary words in C and tries the gates only where one could begin. Callers search `" " + text`:
the leading space stands in for the start of the text, where the gates' "not after a letter"
lookbehinds also succeed. The pattern accepts exactly when one of the gates would
(tests/test_perf_equivalence.py checks that over generated text), so a message it rejects is one
the full path would have rejected too: nothing is lost.
"""

from __future__ import annotations

import re

from whatsapp_audit.detect.discriminatory.lexicon import MIXED_REST, MIXED_START, bounded_for_gates
from whatsapp_audit.detect.text.normalise import SPACED_REST, SPACED_START


class QuickGate:
    """Whether a (normalised or lower-cased ASCII) text could give the detector anything to do."""

    def __init__(self, word_bodies: tuple[str | None, ...], mixed: bool) -> None:
        """`word_bodies` are trie alternations (no boundaries) of the word gates; `mixed` adds the
        lexicon's letters-mixed-with-stand-ins test (only meaningful when there are terms)."""
        parts = []
        bodies = [body for body in word_bodies if body]
        if bodies:
            parts.append(r"(?<=[\W_])(?:" + "|".join(f"(?:{body})" for body in bodies) + r")(?![^\W_])")
        if mixed:
            parts.append(f"(?<={MIXED_START})(?:{MIXED_REST})")
        parts.append(f"(?<={SPACED_START})(?:{SPACED_REST})")
        self._pattern = re.compile(r"[\W_0-9](?:" + "|".join(parts) + ")")

    def might_match(self, text: str) -> bool:
        """False only when none of the gates folded in here would accept `text`."""
        return self._pattern.search(" " + bounded_for_gates(text)) is not None
