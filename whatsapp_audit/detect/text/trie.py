"""One regex alternation for many literal words: shared by the engine's keyword pre-filter and the
detectors' own keyword gates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeAlias

TrieNode: TypeAlias = dict[str, "TrieNode"]  # one node per character; the key "" marks a word's end


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation for many literal words, factored by common prefixes."""
    return pieces_pattern(([re.escape(char) for char in word] for word in words), literal=True)


def pieces_pattern(sequences: Iterable[Sequence[str]], literal: bool = False) -> str:
    """One alternation for many sequences of regex pieces (a literal character, or a class such as
    `[a@4]`), factored by common prefixes.

    Python's regex engines try alternatives one by one; sharing prefixes keeps a scan for hundreds of
    words close to the cost of a scan for a handful. With `literal` (every piece an escaped
    character), branches that are single characters become one character class.
    """
    trie: TrieNode = {}
    for sequence in sequences:
        node = trie
        for piece in sequence:
            node = node.setdefault(piece, {})
        node[""] = {}

    def render(node: TrieNode) -> str:
        ends = "" in node
        branches = [piece + render(child) for piece, child in sorted(node.items()) if piece]
        if not branches:
            return ""
        singles = [b for b in branches if len(b) == 1 or (len(b) == 2 and b[0] == "\\")]
        if literal and len(singles) == len(branches) and len(branches) > 1:
            body = "[" + "".join(branches) + "]"
        elif len(branches) == 1:
            body = branches[0]
        else:
            body = "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 or not literal else f"{body}?"
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


def every_keyword(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    """The longest keyword of a `trie_pattern` at every place one starts, overlapping ones included.

    `finditer` resumes after each match, so in "cac" it reports "ca" and never the "ac" that
    overlaps it (a rule gated on "ac" would not run); searching again from the character after each
    match's start does not. With `with_inner_owners` (keywords inside the longest one at a place),
    the owners of what this yields are the owners of every keyword in the text. Where no keyword
    occurs it is one search, as fast as before."""
    search = pattern.search
    found = search(text)
    while found is not None:
        yield found.group()
        found = search(text, found.start() + 1)
