"""The tailed trie (the discriminatory prescan's suffix written once per branch) is the same
language as the plain trie with the tail appended to every tailed sequence."""

from __future__ import annotations

import itertools
import random
import re

from whatsapp_audit.detect.text.trie import pieces_pattern, tailed_pieces_pattern

TAIL = "[xy]?(?:s|es)"


def _strings(alphabet: str, longest: int) -> list[str]:
    return ["".join(p) for n in range(longest + 1) for p in itertools.product(alphabet, repeat=n)]


def test_tailed_trie_accepts_exactly_the_sequences_with_their_optional_tail() -> None:
    rnd = random.Random(18)
    candidates = _strings("abesxy", 5)
    for _ in range(60):
        words = {"".join(rnd.choice("ab") for _ in range(rnd.randint(1, 4))) for _ in range(rnd.randint(1, 6))}
        sequences = [(list(word), rnd.random() < 0.5) for word in sorted(words)]
        expected = re.compile(pieces_pattern([s + [f"(?:{TAIL})?"] if tailed else s for s, tailed in sequences]))
        written_once = re.compile(tailed_pieces_pattern(sequences, TAIL))
        for text in candidates:
            assert (expected.fullmatch(text) is None) == (written_once.fullmatch(text) is None), (sequences, text)


def test_the_tail_is_written_once_for_a_branch_of_tailed_words() -> None:
    pattern = tailed_pieces_pattern([(list("abc"), True), (list("abd"), True), (list("b"), False)], TAIL)
    assert pattern.count(TAIL) == 1
