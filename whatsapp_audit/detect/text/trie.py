"""One regex alternation for many literal words: shared by the engine's keyword pre-filter and the
detectors' own keyword gates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeAlias

TrieNode: TypeAlias = dict[str, "TrieNode"]  # one node per character; the key "" marks a word's end


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation for many literal words, factored by common prefixes."""
    trie: TrieNode = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: TrieNode) -> str:
        ends = "" in node
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        singles = [b for b in branches if len(b) == 1 or (len(b) == 2 and b[0] == "\\")]
        if len(singles) == len(branches) and len(branches) > 1:
            body = "[" + "".join(branches) + "]"
        elif len(branches) == 1:
            body = branches[0]
        else:
            body = "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return render(trie)


def with_inner_owners(owners: Mapping[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Owners of each keyword, plus the owners of every keyword found inside it.

    A search with the alternation reports one keyword per place, the longest ("operation", never the
    "op" inside it), so a rule gated on "op" would not run on "operation" when another rule owns the
    longer word. Wherever a keyword occurs, every keyword inside it occurs too: it carries their owners.
    """
    merged: dict[str, tuple[int, ...]] = {}
    for word, mine in owners.items():
        extra = {n for other, theirs in owners.items() if other != word and other in word for n in theirs}
        merged[word] = tuple(sorted(set(mine) | extra))
    return merged
